// The change-log model every adapter produces and every pattern consumes: one validated change event per source
// row change, keyed by the entity's key columns and ordered by an arbitrary-size log sequence number.
import type { LiteralValue, Schema } from '../../plan/types.ts';

/**
 * I = insert, U = update (an upsert: an update to a key the target lacks inserts it), D = delete,
 * T = truncate of the whole table (applied or rejected as the TruncatePolicy says, never ignored).
 */
export type ChangeOp = 'I' | 'U' | 'D' | 'T';

/** The table a change log describes: its columns and the columns that identify a row. */
export interface Entity {
  readonly name: string;
  readonly schema: Schema;
  /** Key columns (non-NULL in every change). */
  readonly key: readonly string[];
}

/** A row image: one JS value per entity column, in the representation plan/arrow.ts documents. */
export type RowImage = Readonly<Record<string, LiteralValue>>;

/**
 * One validated change. `row` is the full new image for I/U, the key columns (possibly more) for D, and null
 * for T. `seq` is the log sequence number (strictly increasing in the source log; equal only for the same event).
 */
export interface ChangeEvent {
  readonly op: ChangeOp;
  readonly seq: bigint;
  /** When the change happened in the source, ms since the epoch (UTC). */
  readonly tsMs: number;
  readonly row: RowImage | null;
}

/**
 * The simple I/U/D form as it arrives from a queue or a file, before validation (fields may be missing or wrong).
 * `seq` may be a decimal string, a bigint or a safe integer; `ts` ms since the epoch.
 * @example { op: 'U', seq: '18446744073709551617', ts: 1718000000000, row: { id: 7, name: 'Ada', ... } }
 */
export interface RawChange {
  readonly op?: unknown;
  readonly seq?: unknown;
  readonly ts?: unknown;
  readonly row?: unknown;
}

/** The stable text of a key, for maps and messages. */
export function keyText(entity: Entity, row: RowImage): string {
  return JSON.stringify(entity.key.map((k) => {
    const v = row[k];
    return typeof v === 'bigint' ? `${v}n` : v;
  }));
}

/** Whether two events are the same delivery (at-least-once duplicates are byte-for-byte equal). */
export function sameEvent(a: ChangeEvent, b: ChangeEvent): boolean {
  if (a.op !== b.op || a.seq !== b.seq || a.tsMs !== b.tsMs) return false;
  if (a.row === null || b.row === null) return a.row === b.row;
  const ka = Object.keys(a.row);
  if (ka.length !== Object.keys(b.row).length) return false;
  return ka.every((k) => Object.is(a.row![k], b.row![k]) || a.row![k] === b.row![k]);
}
