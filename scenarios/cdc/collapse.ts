// Collapse a validated batch to the last change per key by sequence number, as MERGE needs (standard MERGE
// rejects a target row matched by several source rows), remembering for a delete the last image the batch held.
import { keyText, type ChangeEvent, type Entity, type RowImage } from './change.ts';

/** The one change a key gets from a batch. */
export interface CollapsedChange {
  readonly op: 'I' | 'U' | 'D';
  readonly seq: bigint;
  readonly tsMs: number;
  /** I/U: the new image. D: the key columns. */
  readonly row: RowImage;
  /**
   * D only: the latest I/U image of this key earlier in the same batch and its sequence number, or null. A soft
   * delete keeps the newer of it and the stored row's image, so that "insert then delete" in one batch ends like
   * the same events split over two batches.
   */
  readonly lastImage: { readonly row: RowImage; readonly seq: bigint } | null;
}

/**
 * The last change per key. `events` must come from validateBatch (sorted by sequence, no truncates).
 * Delete-then-reinsert collapses to the insert (the row ends present); insert-then-delete to the delete.
 * @example collapseBatch(customers, validateBatch(customers, raw)).length // number of distinct keys
 */
export function collapseBatch(entity: Entity, events: readonly ChangeEvent[]): CollapsedChange[] {
  const last = new Map<string, CollapsedChange>();
  for (const e of events) {
    if (e.op === 'T' || e.row === null) throw new Error('collapseBatch: truncate events must be split out first (see applier.ts)');
    const k = keyText(entity, e.row);
    const before = last.get(k);
    if (before && before.seq > e.seq) throw new Error('collapseBatch: events must be sorted by sequence number');
    if (e.op === 'D') {
      const lastImage = before ? (before.op === 'D' ? before.lastImage : { row: before.row, seq: before.seq }) : null;
      last.set(k, { op: 'D', seq: e.seq, tsMs: e.tsMs, row: e.row, lastImage });
    } else {
      last.set(k, { op: e.op, seq: e.seq, tsMs: e.tsMs, row: e.row, lastImage: null });
    }
  }
  return [...last.values()];
}
