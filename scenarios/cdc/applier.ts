// The applier: drives an Engine through change batches. Each batch is validated and collapsed in TypeScript, the
// small `changes` table is loaded, and the pattern's one plan turns the old state into the next. Engines with
// `materialize` keep the state resident (a pointer flip between table names commits a batch); others return it
// through Arrow (`run`) and get it back with `load`. Either way a failure midway leaves the old state.
import type * as arrow from 'apache-arrow';
import type { Engine } from '../../engines/engine.ts';
import type { PlanNode } from '../../plan/types.ts';
import type { Entity, RawChange } from './change.ts';
import { ChangeCounter, type ChangeCounts } from './change-counts.ts';
import { prepareBatch } from './batch-steps.ts';
import type { CdcPattern } from './pattern.ts';
import { scanTarget } from './plan-helpers.ts';
import type { TruncatePolicy } from './validate.ts';

/** What one batch did. Times in ms. */
export interface BatchReport extends ChangeCounts {
  /** Records delivered, after dropping exact duplicates, and rows in the `changes` table(s) the plan read. */
  readonly delivered: number;
  readonly distinct: number;
  readonly changeRows: number;
  /** Rows the engine wrote as the new target (a plan rewrites the whole table; an in-place MERGE only the changed rows). */
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
  /**
   * `resident` (default when the engine has `materialize`): the state stays in the engine. `round-trip`: every
   * batch's result comes back to TypeScript as Arrow and is loaded again (the only way for engines without it).
   */
  readonly mode?: 'resident' | 'round-trip';
}

/** What the cdc-merge scenario and the tests drive: the plan-based applier or the in-place SQL merge (sql-merge.ts). */
export interface ChangeApplier {
  readonly entity: Entity;
  readonly pattern: CdcPattern;
  /** Rows in the state table now. */
  readonly stateRows: number;
  applyBatch(raw: readonly RawChange[]): Promise<BatchReport>;
  /** Truncate-and-reload from a full snapshot (only for patterns without a merge plan). */
  reload(snapshot: arrow.Table): Promise<BatchReport>;
  /** The whole state (tombstones, flags, versions included). */
  state(): Promise<arrow.Table>;
  /** The rows a reader sees now. */
  current(): Promise<arrow.Table>;
}

/**
 * The names a resident state moves between. WARNING: a step never writes the committed table nor its own input,
 * so three names suffice for any number of segments, and the committed one is intact until the flip.
 */
const STATE_NAMES = ['target', 'target_1', 'target_2'] as const;

/**
 * One target table kept by one engine.
 * @example
 *   const applier = await CdcApplier.seed(engine, customers, mergeHardDelete, base, 0n, 0);
 *   const report = await applier.applyBatch(rawChanges);
 *   const rows = await applier.current();
 */
export class CdcApplier implements ChangeApplier {
  /** The engine table holding the committed state (always `target` in round-trip mode). */
  private committed: string = 'target';
  private rows: number;
  /** The resident state's last read, kept until the next commit: the checks and the counts read it once. */
  private stateRead: arrow.Table | null = null;
  private readonly counter: ChangeCounter;

  private constructor(
    private readonly engine: Engine,
    readonly entity: Entity,
    readonly pattern: CdcPattern,
    /** The state in TypeScript; null while it is resident in the engine. */
    private stateTable: arrow.Table | null,
    rows: number,
    private readonly options: ApplierOptions,
  ) {
    this.rows = rows;
    this.counter = new ChangeCounter(entity, pattern.name);
  }

  /** Whether the state stays in the engine between batches. */
  get resident(): boolean {
    return this.stateTable === null;
  }

  get stateRows(): number {
    return this.rows;
  }

  /** Build the first target from a snapshot of the source taken at sequence number `seq`. */
  static async seed(engine: Engine, entity: Entity, pattern: CdcPattern, snapshot: arrow.Table, seq: bigint, tsMs: number, options: ApplierOptions = {}): Promise<CdcApplier> {
    const mode = options.mode ?? (engine.materialize ? 'resident' : 'round-trip');
    if (mode === 'resident' && !engine.materialize) throw new Error('resident mode needs an engine with materialize(); use mode round-trip');
    await engine.load(new Map([['snapshot', snapshot]]));
    if (mode === 'resident') {
      const rows = await engine.materialize!(pattern.seedPlan(entity, seq, tsMs), 'target');
      return new CdcApplier(engine, entity, pattern, null, rows, options);
    }
    const state = await engine.run(pattern.seedPlan(entity, seq, tsMs));
    await engine.load(new Map([['target', state]]));
    return new CdcApplier(engine, entity, pattern, state, state.numRows, options);
  }

  /** The state as Arrow (a read of the resident table, or the round-trip copy itself). */
  async state(): Promise<arrow.Table> {
    return this.stateTable ?? (this.stateRead ??= await this.engine.run(this.scanState(this.committed)));
  }

  /**
   * Validate, collapse and merge one batch. A batch that breaks the rules throws CdcBatchError before the engine
   * is touched; an engine failure midway leaves (or restores) the old target and rethrows.
   */
  async applyBatch(raw: readonly RawChange[]): Promise<BatchReport> {
    if (!this.pattern.mergePlan(this.entity)) throw new Error(`${this.pattern.name} has no merge: call reload() with a full snapshot`);
    const now = this.options.now ?? (() => performance.now());
    const t0 = now();
    const { steps, distinct, changeRows } = prepareBatch(this.entity, this.pattern, raw, this.options.truncate ?? 'reject');
    const t1 = now();
    const plan = (step: (typeof steps)[number], from: string): PlanNode =>
      step.kind === 'merge' ? this.pattern.mergePlan(this.entity, from)! : this.pattern.truncatePlan(this.entity, step.seq, step.tsMs, from);
    const before = this.committed;
    const beforeTable = this.stateTable;
    let rows = this.rows;
    let next: arrow.Table | null = beforeTable;
    let input: string = before;
    try {
      for (const [i, step] of steps.entries()) {
        if (i > 0) this.options.fault?.('segment');
        if (step.kind === 'merge') await this.engine.load(new Map([['changes', step.changes]]));
        if (this.resident) {
          const out = STATE_NAMES.find((n) => n !== before && n !== input)!;
          rows = await this.engine.materialize!(plan(step, input), out);
          input = out;
        } else {
          if (i > 0) await this.engine.load(new Map([['target', next!]]));
          next = await this.engine.run(plan(step, 'target'));
          rows = next.numRows;
        }
      }
      this.options.fault?.('staged');
      // The swap: resident, a pointer flip (the old table stays until a later batch overwrites it); else a load.
      if (!this.resident && next !== beforeTable) await this.engine.load(new Map([['target', next!]]));
    } catch (e) {
      if (!this.resident) await this.engine.load(new Map([['target', beforeTable!]]));
      throw e;
    }
    const t2 = now();
    const beforeRead = this.stateRead;
    this.committed = input;
    this.stateTable = next;
    this.stateRead = null;
    this.rows = rows;
    const counts = await this.counts(before, beforeTable ?? beforeRead);
    return {
      ...counts,
      delivered: raw.length,
      distinct,
      changeRows,
      rewritten: steps.length === 0 ? 0 : rows,
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
    const before = this.committed;
    const beforeTable = this.stateTable;
    const seed = this.pattern.seedPlan(this.entity, 0n, 0);
    let staging: arrow.Table | null = null;
    let rows: number;
    const stagingName = STATE_NAMES.find((n) => n !== before)!;
    try {
      await this.engine.load(new Map([['snapshot', snapshot]]));
      if (this.resident) rows = await this.engine.materialize!(seed, stagingName);
      else {
        staging = await this.engine.run(seed);
        rows = staging.numRows;
      }
      this.options.fault?.('staged');
      if (!this.resident) await this.engine.load(new Map([['target', staging!]])); // the swap
    } catch (e) {
      if (!this.resident) await this.engine.load(new Map([['target', beforeTable!]]));
      throw e;
    }
    const t1 = now();
    const beforeRead = this.stateRead;
    if (this.resident) this.committed = stagingName;
    this.stateTable = staging;
    this.stateRead = null;
    this.rows = rows;
    const counts = await this.counts(before, beforeTable ?? beforeRead);
    return { ...counts, delivered: snapshot.numRows, distinct: snapshot.numRows, changeRows: 0, rewritten: rows, truncates: 0, prepareMs: 0, engineMs: t1 - t0 };
  }

  /** The rows a reader sees now, computed by the engine from the target. */
  async current(): Promise<arrow.Table> {
    return this.engine.run(this.pattern.currentView(this.entity, this.committed));
  }

  private scanState(name: string): PlanNode {
    return scanTarget(this.pattern.stateSchema(this.entity), name).plan;
  }

  /**
   * Rows inserted/updated/deleted, from the old and new state (outside the timed part). `beforeTable` is the old
   * state as Arrow when one is at hand (round trip, or an earlier read of the resident table).
   */
  private async counts(before: string, beforeTable: arrow.Table | null): Promise<ChangeCounts> {
    if (this.options.skipCounts) return { inserted: 0, updated: 0, deleted: 0 };
    // Resident: the old state is still in the engine under its name (only the next batch overwrites it).
    const old = beforeTable ?? (before === this.committed ? null : await this.engine.run(this.scanState(before)));
    const now = await this.state();
    return this.counter.next(old ?? now, now);
  }
}
