// Which jobs have fixed-width records: an aggregate whose group key has only fixed-width columns (at most 12
// encoded bytes) and whose partial states have no strings. Their records take the typed path: the sort buffer keeps
// them in typed arrays (fixed-records.ts) and the reducers merge typed runs (fixed-merge.ts). The bytes on disk are
// the same as on the general path; only the in-memory work per record changes.
import { typeOf } from '../../plan/schema.ts';
import { stateTypes } from './aggregate.ts';
import { fromWire } from './expressions.ts';
import type { WireJob } from './job.ts';
import { keyColumn, type KeyColumn } from './key-format.ts';
import type { ValueType } from './row-format.ts';

/** Keys are compared as two 6-byte big-endian numbers (doubles hold 48 bits exactly), so at most 12 bytes. */
export const MAX_FIXED_KEY_BYTES = 12;

export interface FixedWidthLayout {
  /** Bytes of the longest key (no NULL column): a NULL column is its marker byte alone, so keys can be shorter. */
  readonly keyBytes: number;
  /** Bytes of the longest value (no NULL state), below 128 so its length is one varint byte. */
  readonly valueBytes: number;
}

/** Encoded bytes of one key column when it is not NULL (marker + value), or null for a variable-width column. */
function keyColumnBytes(col: KeyColumn): number | null {
  switch (col.enc) {
    case 'i32':
      return 5;
    case 'i64':
    case 'f64':
      return 9;
    case 'bool':
      return 2;
    case 'utf8':
      return null;
    default: {
      const never: never = col.enc;
      throw new Error(`unhandled key encoding ${String(never)}`);
    }
  }
}

/** Bytes of one value in the row format, or null for a variable-width type. */
function valueBytes(t: ValueType): number | null {
  switch (t) {
    case 'num':
      return 9;
    case 'int64':
    case 'float64':
    case 'timestamp':
      return 8;
    case 'int32':
      return 4;
    case 'bool':
      return 1;
    case 'utf8':
      return null;
    default: {
      const never: never = t;
      throw new Error(`unhandled value type ${String(never)}`);
    }
  }
}

/**
 * The fixed-width layout of `job`'s map output records, or null when they take the general byte path (not an
 * aggregate, a string key or state, a range partitioner, or `mapreduce.fixedWidth=false`).
 * @example fixedWidthLayout(job) // { keyBytes: 5, valueBytes: 10 } for GROUP BY an int32 column with count(*)
 */
export function fixedWidthLayout(job: WireJob): FixedWidthLayout | null {
  const k = job.kind;
  if (!job.fixedWidth || k.kind !== 'aggregate' || job.boundaries !== null) return null;
  const schema = job.inputSchemas[0]!;
  let keyBytes = 0;
  for (const name of k.keys) {
    const field = schema.find((f) => f.name === name);
    if (field === undefined) return null;
    const n = keyColumnBytes(keyColumn(field.type));
    if (n === null) return null;
    keyBytes += n;
  }
  if (keyBytes > MAX_FIXED_KEY_BYTES) return null;
  const types: ValueType[] = [];
  for (const a of k.aggregates) types.push(...stateTypes(a.fn, a.arg === null ? null : typeOf(fromWire(a.arg), schema)));
  let value = (types.length + 7) >> 3;
  for (const t of types) {
    const n = valueBytes(t);
    if (n === null) return null;
    value += n;
  }
  return value < 0x80 ? { keyBytes, valueBytes: value } : null;
}
