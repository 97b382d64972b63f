// A validated batch cut into the steps an applier runs: a merge of one `changes` table per run of ordinary changes,
// and a truncate between them. Shared by the plan-based applier and the in-place SQL merge.
import type * as arrow from 'apache-arrow';
import type { ChangeEvent, Entity, RawChange } from './change.ts';
import { changesTable } from './changes-table.ts';
import { collapseBatch, type CollapsedChange } from './collapse.ts';
import type { CdcPattern } from './pattern.ts';
import { validateBatch, type TruncatePolicy } from './validate.ts';

export type BatchStep =
  | { readonly kind: 'merge'; readonly changes: arrow.Table }
  | { readonly kind: 'truncate'; readonly seq: bigint; readonly tsMs: number };

export interface PreparedBatch {
  readonly steps: readonly BatchStep[];
  /** Distinct events after validation (duplicates dropped). */
  readonly distinct: number;
  /** Rows in all `changes` tables together. */
  readonly changeRows: number;
}

/**
 * Validate the whole batch (throws CdcBatchError naming the bad record, before any engine is touched), then
 * collapse each segment between truncates to the pattern's input form and build its `changes` table.
 * @example prepareBatch(customers, mergeHardDelete, raw, 'reject').steps // [{ kind: 'merge', changes }]
 */
export function prepareBatch(entity: Entity, pattern: CdcPattern, raw: readonly RawChange[], truncate: TruncatePolicy): PreparedBatch {
  const events = validateBatch(entity, raw, truncate);
  const steps: BatchStep[] = [];
  let segment: ChangeEvent[] = [];
  let changeRows = 0;
  const flush = (): void => {
    if (segment.length === 0) return;
    const collapsed: CollapsedChange[] =
      pattern.input === 'collapsed'
        ? collapseBatch(entity, segment)
        : segment.map((e) => ({ op: e.op as 'I' | 'U' | 'D', seq: e.seq, tsMs: e.tsMs, row: e.row!, lastImage: null }));
    changeRows += collapsed.length;
    steps.push({ kind: 'merge', changes: changesTable(entity, collapsed) });
    segment = [];
  };
  for (const e of events) {
    if (e.op === 'T') {
      flush();
      steps.push({ kind: 'truncate', seq: e.seq, tsMs: e.tsMs });
    } else segment.push(e);
  }
  flush();
  return { steps, distinct: events.length, changeRows };
}
