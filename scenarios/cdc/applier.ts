// The applier: drives an Engine through change batches. Each batch is validated and collapsed in TypeScript, then
// `target` and `changes` are loaded, the pattern's one plan runs, and its result becomes the next `target` —
// swapped in only after every step of the batch succeeded, so a failure leaves the old target.
import type * as arrow from 'apache-arrow';
import type { Engine } from '../../engines/engine.ts';
import type { PlanNode } from '../../plan/types.ts';
import type { ChangeEvent, Entity, RawChange } from './change.ts';
import { countChanges, type ChangeCounts } from './change-counts.ts';
import { changesTable } from './changes-table.ts';
import { collapseBatch, type CollapsedChange } from './collapse.ts';
import type { CdcPattern } from './pattern.ts';
import { validateBatch, type TruncatePolicy } from './validate.ts';

/** What one batch did. Times in ms. */
export interface BatchReport extends ChangeCounts {
  /** Records delivered, after dropping exact duplicates, and rows in the `changes` table(s) the plan read. */
  readonly delivered: number;
  readonly distinct: number;
  readonly changeRows: number;
  /** Rows the engine wrote as the new target (every plan here rewrites the whole table: copy-on-write). */
  readonly rewritten: number;
  readonly truncates: number;
  readonly prepareMs: number;
  readonly engineMs: number;
}

/** Where a test may inject a failure: after staging (before the swap) or between the segments of a batch. */
export type FaultPoint = 'staged' | 'segment';

export interface ApplierOptions {
  readonly truncate?: TruncatePolicy;
  /** Monotonic clock in ms. */
  readonly now?: () => number;
  /** Called at each FaultPoint; throwing there simulates a crash midway (tests). */
  readonly fault?: (point: FaultPoint) => void;
  /** Skip the before/after row counts (they cost a pass over both states); counts are then 0. */
  readonly skipCounts?: boolean;
}

/**
 * One target table kept by one engine.
 * @example
 *   const applier = await CdcApplier.seed(engine, customers, mergeHardDelete, base, 0n, 0);
 *   const report = await applier.applyBatch(rawChanges);
 *   const rows = await applier.current();
 */
export class CdcApplier {
  private constructor(
    private readonly engine: Engine,
    readonly entity: Entity,
    readonly pattern: CdcPattern,
    private stateTable: arrow.Table,
    private readonly options: ApplierOptions,
  ) {}

  /** The target state (for a reload pattern, the table itself). */
  get state(): arrow.Table {
    return this.stateTable;
  }

  /** Build the first target from a snapshot of the source taken at sequence number `seq`. */
  static async seed(engine: Engine, entity: Entity, pattern: CdcPattern, snapshot: arrow.Table, seq: bigint, tsMs: number, options: ApplierOptions = {}): Promise<CdcApplier> {
    await engine.load(new Map([['snapshot', snapshot]]));
    const state = await engine.run(pattern.seedPlan(entity, seq, tsMs));
    await engine.load(new Map([['target', state]]));
    return new CdcApplier(engine, entity, pattern, state, options);
  }

  /**
   * Validate, collapse and merge one batch. A batch that breaks the rules throws CdcBatchError before the engine
   * is touched; an engine failure midway restores the old target and rethrows.
   */
  async applyBatch(raw: readonly RawChange[]): Promise<BatchReport> {
    const merge = this.pattern.mergePlan(this.entity);
    if (!merge) throw new Error(`${this.pattern.name} has no merge: call reload() with a full snapshot`);
    const now = this.options.now ?? (() => performance.now());
    const t0 = now();
    const events = validateBatch(this.entity, raw, this.options.truncate ?? 'reject');
    // A truncate splits the batch: changes before it, the truncate, changes after it, each as one plan.
    const steps: ({ kind: 'merge'; changes: arrow.Table } | { kind: 'truncate'; plan: PlanNode })[] = [];
    let segment: ChangeEvent[] = [];
    let changeRows = 0;
    const flush = (): void => {
      if (segment.length === 0) return;
      const collapsed: CollapsedChange[] =
        this.pattern.input === 'collapsed'
          ? collapseBatch(this.entity, segment)
          : segment.map((e) => ({ op: e.op as 'I' | 'U' | 'D', seq: e.seq, tsMs: e.tsMs, row: e.row!, lastImage: null }));
      changeRows += collapsed.length;
      steps.push({ kind: 'merge', changes: changesTable(this.entity, collapsed) });
      segment = [];
    };
    for (const e of events) {
      if (e.op === 'T') {
        flush();
        steps.push({ kind: 'truncate', plan: this.pattern.truncatePlan(this.entity, e.seq, e.tsMs) });
      } else segment.push(e);
    }
    flush();
    const t1 = now();
    const before = this.stateTable;
    let next = before;
    try {
      for (const [i, step] of steps.entries()) {
        if (i > 0) {
          this.options.fault?.('segment');
          await this.engine.load(new Map([['target', next]]));
        }
        if (step.kind === 'merge') {
          await this.engine.load(new Map([['changes', step.changes]]));
          next = await this.engine.run(merge);
        } else {
          next = await this.engine.run(step.plan);
        }
      }
      this.options.fault?.('staged');
      if (next !== before) await this.engine.load(new Map([['target', next]]));
    } catch (e) {
      await this.restore(before);
      throw e;
    }
    const t2 = now();
    this.stateTable = next;
    const counts = this.options.skipCounts ? { inserted: 0, updated: 0, deleted: 0 } : countChanges(this.entity, this.pattern.name, before, next);
    return {
      ...counts,
      delivered: raw.length,
      distinct: events.length,
      changeRows,
      rewritten: next === before ? 0 : next.numRows,
      truncates: steps.filter((s) => s.kind === 'truncate').length,
      prepareMs: t1 - t0,
      engineMs: t2 - t1,
    };
  }

  /**
   * Truncate-and-reload: build a staging table from the full snapshot, then swap it in. A failure before the swap
   * leaves the old table.
   */
  async reload(snapshot: arrow.Table): Promise<BatchReport> {
    const now = this.options.now ?? (() => performance.now());
    const t0 = now();
    const before = this.stateTable;
    let staging: arrow.Table;
    try {
      await this.engine.load(new Map([['snapshot', snapshot]]));
      staging = await this.engine.run(this.pattern.seedPlan(this.entity, 0n, 0));
      this.options.fault?.('staged');
      await this.engine.load(new Map([['target', staging]])); // the swap
    } catch (e) {
      await this.restore(before);
      throw e;
    }
    const t1 = now();
    this.stateTable = staging;
    const counts = this.options.skipCounts ? { inserted: 0, updated: 0, deleted: 0 } : countChanges(this.entity, this.pattern.name, before, staging);
    return { ...counts, delivered: snapshot.numRows, distinct: snapshot.numRows, changeRows: 0, rewritten: staging.numRows, truncates: 0, prepareMs: 0, engineMs: t1 - t0 };
  }

  /** The rows a reader sees now, computed by the engine from the target. */
  async current(): Promise<arrow.Table> {
    return this.engine.run(this.pattern.currentView(this.entity));
  }

  /** WARNING: the engine's `target` must always equal `stateTable` between calls; this puts it back. */
  private async restore(state: arrow.Table): Promise<void> {
    await this.engine.load(new Map([['target', state]]));
  }
}
