// Columnar, type-insensitive views of a result table for fast comparison. Building one row array per row
// (and one string key per row) cost ~15 s on a 1e6-row join result, mostly in the garbage collector; these
// views hold every column as a Float64Array (strings and other non-numbers as codes of a dictionary shared by
// both tables), and order rows by sorting packed numeric keys natively.
import * as arrow from 'apache-arrow';
import { columnValues } from '../plan/arrow.ts';
import type { LiteralValue } from '../plan/types.ts';

/**
 * One column where values of equal meaning are identical doubles. `number` columns hold int32, safe int64,
 * float64 and timestamps as numbers (so 5, 5n and 5.0 agree). `coded` columns hold strings as a 53-bit hash of
 * their UTF-8 bytes (two different strings agree with probability about 2^-53), and booleans and unsafe int64 as
 * codes of a dictionary both tables share. `valueOf` gives the original value back for messages.
 */
export interface CanonicalColumn {
  readonly domain: 'number' | 'coded';
  readonly values: Float64Array;
  readonly nulls: Uint8Array | null;
  readonly valueOf: ((i: number) => LiteralValue) | null;
}

/** Codes for non-numeric values, shared by the two tables being compared. */
export class ValueDictionary {
  private readonly codes = new Map<LiteralValue, number>();
  readonly values: LiteralValue[] = [];

  code(value: LiteralValue): number {
    let c = this.codes.get(value);
    if (c === undefined) {
      c = this.values.length;
      this.codes.set(value, c);
      this.values.push(value);
    }
    return c;
  }
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** The canonical view of column `name` of `table`, coding non-numbers through `dictionary`. */
export function canonicalColumn(table: arrow.Table, name: string, dictionary: ValueDictionary): CanonicalColumn {
  const vector = table.getChild(name);
  if (!vector) throw new Error(`result has no column '${name}'`);
  const type = vector.type;
  const nulls = nullMask(vector);
  const numbers = (values: Float64Array): CanonicalColumn => ({ domain: 'number', values, nulls, valueOf: null });
  if (arrow.DataType.isFloat(type) || (arrow.DataType.isInt(type) && type.bitWidth <= 32)) {
    const raw = vector.toArray() as ArrayLike<number>;
    return numbers(raw instanceof Float64Array ? raw : Float64Array.from(raw));
  }
  if (arrow.DataType.isInt(type) && type.bitWidth === 64) {
    const raw = vector.toArray() as BigInt64Array | BigUint64Array;
    const values = new Float64Array(raw.length);
    let safe = true;
    for (let i = 0; i < raw.length && safe; i++) {
      const v = raw[i]!;
      safe = v <= MAX_SAFE && v >= -MAX_SAFE;
      values[i] = Number(v);
    }
    if (safe) return numbers(values);
  }
  if (arrow.DataType.isUtf8(type)) {
    const get = (i: number): LiteralValue => (vector.get(i) as string | null) ?? null;
    return { domain: 'coded', values: utf8Hashes(vector as arrow.Vector<arrow.Utf8>), nulls, valueOf: get };
  }
  const values = columnValues(table, name);
  if (arrow.DataType.isTimestamp(type) || arrow.DataType.isDate(type)) {
    return numbers(Float64Array.from(values, (v) => (v === null ? 0 : Number(v))));
  }
  const codes = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    codes[i] = v === null ? -1 : typeof v === 'string' ? stringHash(Buffer.from(v, 'utf8'), 0, Buffer.byteLength(v)) : dictionary.code(v);
  }
  return { domain: 'coded', values: codes, nulls, valueOf: (i) => values[i]! };
}

/** The 53-bit hash of every string of a utf8 vector, read straight from its bytes (no decoding). */
function utf8Hashes(vector: arrow.Vector<arrow.Utf8>): Float64Array {
  const out = new Float64Array(vector.length);
  let at = 0;
  for (const data of vector.data) {
    const offsets = data.valueOffsets;
    const bytes = data.values;
    for (let i = 0; i < data.length; i++) out[at++] = stringHash(bytes, offsets[i]!, offsets[i + 1]!);
  }
  return out;
}

/** Two FNV-1a passes with different primes over bytes[start, end), combined into a non-negative 53-bit integer. */
function stringHash(bytes: Uint8Array, start: number, end: number): number {
  let h1 = 0x811c9dc5;
  let h2 = 0x050c5d1f;
  for (let b = start; b < end; b++) {
    const x = bytes[b]!;
    h1 = Math.imul(h1 ^ x, 0x01000193);
    h2 = Math.imul(h2 ^ x, 0x5bd1e995);
  }
  h2 = Math.imul(h2 ^ (end - start), 0x5bd1e995);
  return (h1 >>> 0) * 2 ** 21 + (h2 >>> 11);
}

function nullMask(vector: arrow.Vector): Uint8Array | null {
  if (vector.nullCount === 0) return null;
  const mask = new Uint8Array(vector.length);
  for (let i = 0; i < vector.length; i++) if (!vector.isValid(i)) mask[i] = 1;
  return mask;
}

/** The value at row i, for messages and the tolerant matching (numbers stay numbers). */
export function valueAt(c: CanonicalColumn, i: number): LiteralValue {
  if (c.nulls?.[i]) return null;
  return c.valueOf ? c.valueOf(i) : c.values[i]!;
}

/**
 * A total order within a column, or between the same column of the two tables: NULL first, then NaN, then
 * ascending (coded values by code, which is consistent across both tables but not their natural order).
 */
export function compareAt(c: CanonicalColumn, i: number, d: CanonicalColumn, j: number): number {
  const ni = c.nulls?.[i] ?? 0;
  const nj = d.nulls?.[j] ?? 0;
  if (ni || nj) return ni - nj;
  if (c.domain !== d.domain) return c.domain < d.domain ? -1 : 1;
  const x = c.values[i]!;
  const y = d.values[j]!;
  if (x === y) return 0;
  if (x !== x || y !== y) return x !== x ? (y !== y ? 0 : -1) : 1;
  return x < y ? -1 : 1;
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/**
 * A 53-bit hash of row i over `columns` (two 32-bit FNV lanes); equal canonical values hash equally (-0 as 0,
 * any NaN alike), and rows that differ collide with probability about 2^-53.
 */
function rowHash(columns: readonly CanonicalColumn[], i: number): number {
  let h1 = 0x811c9dc5;
  let h2 = 0x050c5d1f;
  for (const c of columns) {
    let lo = 0x9e3779b9;
    let hi = c.domain === 'coded' ? 0x5bd1e995 : 0x27d4eb2f;
    if (!c.nulls?.[i]) {
      const v = c.values[i]!;
      f64[0] = v === 0 ? 0 : v !== v ? NaN : v;
      lo = u32[0]!;
      hi ^= u32[1]!;
    }
    h1 = Math.imul(Math.imul(h1 ^ lo, 0x01000193) ^ hi, 0x01000193);
    h2 = Math.imul(Math.imul(h2 ^ hi, 0x5bd1e995) ^ lo, 0x5bd1e995);
  }
  return (h1 >>> 0) * 2 ** 21 + (h2 >>> 11);
}

/** Rows in a canonical order; see canonicalOrder. */
export interface CanonicalOrder {
  /** Row index at each position. */
  readonly order: Int32Array;
  /** The 53-bit hash of the exact columns of the row at each position: equal rows have equal hashes. */
  readonly hashes: Float64Array;
}

/**
 * The rows `rows` (indexes) put in a canonical order: by a 53-bit hash of the `exact` columns, then by the
 * `tolerant` ones. Two tables holding the same multiset of rows (exactly on `exact`, within tolerance on
 * `tolerant`) come out position-for-position alignable.
 */
export function canonicalOrder(exact: readonly CanonicalColumn[], tolerant: readonly CanonicalColumn[], rows: Int32Array): CanonicalOrder {
  const n = rows.length;
  // The top bits of the hash and the position packed into one exactly representable double, so that one
  // native numeric sort does most of the work; ties on those bits are then sorted by the full hash.
  const idxBits = Math.max(1, Math.ceil(Math.log2(n + 1)));
  const idxScale = 2 ** idxBits;
  const full = new Float64Array(n);
  const packed = new Float64Array(n);
  for (let p = 0; p < n; p++) {
    const h = rowHash(exact, rows[p]!);
    full[p] = h;
    packed[p] = Math.floor(h / idxScale) * idxScale + p;
  }
  packed.sort();
  const position = new Int32Array(n);
  const top = new Float64Array(n);
  for (let p = 0; p < n; p++) {
    const key = packed[p]!;
    top[p] = Math.floor(key / idxScale);
    position[p] = key % idxScale;
  }
  const byHashThenTolerant = (a: number, b: number): number => {
    const d = full[a]! - full[b]!;
    if (d !== 0) return d;
    for (const c of tolerant) {
      const r = compareAt(c, rows[a]!, c, rows[b]!);
      if (r !== 0) return r;
    }
    return 0;
  };
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && top[end] === top[start]) end++;
    if (end - start > 1) position.subarray(start, end).sort(byHashThenTolerant);
    start = end;
  }
  const order = new Int32Array(n);
  const hashes = new Float64Array(n);
  for (let p = 0; p < n; p++) {
    order[p] = rows[position[p]!]!;
    hashes[p] = full[position[p]!]!;
  }
  return { order, hashes };
}

export function allRows(n: number): Int32Array {
  const rows = new Int32Array(n);
  for (let i = 0; i < n; i++) rows[i] = i;
  return rows;
}
