// Columnar partitions: one typed array per column plus a byte-per-row validity mask, strings dictionary-encoded.
// No per-row JS objects anywhere on the hot path. Buffers are SharedArrayBuffers so a partition crosses between
// the driver and worker threads by reference (structured clone shares SAB memory instead of copying it).
import { assertNever, type DataType } from '../../plan/types.ts';

/**
 * A string dictionary. `id` is set for dictionaries of loaded tables: every thread holds those once (sent at load),
 * so a column using one crosses threads as codes only. Dictionaries built inside a task have `id: null` and
 * travel with their column.
 * WARNING: a Dict is immutable once a column refers to it; build a new one to add strings.
 */
export interface Dict {
  readonly id: string | null;
  readonly values: readonly string[];
}

interface VecBase {
  /** 1 = valid, 0 = NULL; `null` means no NULLs at all (the common fast path). */
  readonly validity: Uint8Array | null;
}
export interface Int32Vec extends VecBase { readonly type: 'int32'; readonly values: Int32Array }
export interface Int64Vec extends VecBase { readonly type: 'int64'; readonly values: BigInt64Array }
export interface Float64Vec extends VecBase { readonly type: 'float64'; readonly values: Float64Array }
/** Milliseconds since the epoch, UTC, as float64 (exact for every representable instant of interest). */
export interface TimestampVec extends VecBase { readonly type: 'timestamp'; readonly values: Float64Array }
export interface BoolVec extends VecBase { readonly type: 'bool'; readonly values: Uint8Array }
/** Codes into `dict`; the code of a NULL row is 0 and meaningless. */
export interface Utf8Vec extends VecBase { readonly type: 'utf8'; readonly values: Int32Array; readonly dict: Dict }

export type Vec = Int32Vec | Int64Vec | Float64Vec | TimestampVec | BoolVec | Utf8Vec;

/**
 * One partition's rows (or a slice of them): named columns of equal length.
 * WARNING: every column's `values.length` equals `length` (concat and slicing rely on it).
 */
export interface Batch {
  readonly length: number;
  readonly names: readonly string[];
  readonly columns: readonly Vec[];
}

export type NumericArray = Int32Array | Float64Array | BigInt64Array | Uint8Array;

const EMPTY_DICT: Dict = { id: null, values: [] };

/** Typed arrays backed by SharedArrayBuffer (zero-filled). */
export const alloc = {
  int32: (n: number) => new Int32Array(new SharedArrayBuffer(n * 4)),
  float64: (n: number) => new Float64Array(new SharedArrayBuffer(n * 8)),
  int64: (n: number) => new BigInt64Array(new SharedArrayBuffer(n * 8)),
  uint8: (n: number) => new Uint8Array(new SharedArrayBuffer(n)),
};

/** An all-zero vector of `type` and length n (values to be filled by the caller). */
export function allocVec(type: DataType, n: number, withValidity: boolean, dict: Dict = EMPTY_DICT): Vec {
  const validity = withValidity ? alloc.uint8(n) : null;
  switch (type) {
    case 'int32':
      return { type, values: alloc.int32(n), validity };
    case 'int64':
      return { type, values: alloc.int64(n), validity };
    case 'float64':
    case 'timestamp':
      return { type, values: alloc.float64(n), validity };
    case 'bool':
      return { type, values: alloc.uint8(n), validity };
    case 'utf8':
      return { type, values: alloc.int32(n), validity, dict };
    default:
      return assertNever(type, 'data type');
  }
}

export function isValid(v: Vec, i: number): boolean {
  return v.validity === null || v.validity[i] === 1;
}

/** The JS value of row i in the representation ARROW_TYPE_OF documents (for UDFs, show() and small results). */
export function valueAt(v: Vec, i: number): number | bigint | string | boolean | null {
  if (v.validity !== null && v.validity[i] === 0) return null;
  switch (v.type) {
    case 'int32':
    case 'int64':
    case 'float64':
    case 'timestamp':
      return v.values[i]!;
    case 'bool':
      return v.values[i] === 1;
    case 'utf8':
      return v.dict.values[v.values[i]!]!;
    default:
      return assertNever(v, 'vector');
  }
}

/** Count of NULL rows. */
export function nullCount(v: Vec, length: number): number {
  if (v.validity === null) return 0;
  let n = 0;
  for (let i = 0; i < length; i++) n += 1 - v.validity[i]!;
  return n;
}

function newArrayLike(values: NumericArray, n: number): NumericArray {
  if (values instanceof Int32Array) return alloc.int32(n);
  if (values instanceof Float64Array) return alloc.float64(n);
  if (values instanceof BigInt64Array) return alloc.int64(n);
  return alloc.uint8(n);
}

/**
 * Rows `indices` of `v`, in that order. An index of -1 yields NULL (used by left joins for unmatched rows).
 */
export function gather(v: Vec, indices: Int32Array, count = indices.length): Vec {
  const src = v.values as NumericArray;
  const out = newArrayLike(src, count);
  // One loop per element type: a loop shared by several typed-array types goes polymorphic and runs far slower.
  let hasMinus: boolean;
  if (out instanceof BigInt64Array) hasMinus = gatherI64(src as BigInt64Array, out, indices, count);
  else if (out instanceof Float64Array) hasMinus = gatherF64(src as Float64Array, out, indices, count);
  else if (out instanceof Int32Array) hasMinus = gatherI32(src as Int32Array, out, indices, count);
  else hasMinus = gatherU8(src as Uint8Array, out, indices, count);
  let validity: Uint8Array | null = null;
  if (v.validity !== null || hasMinus) {
    validity = alloc.uint8(count);
    const sv = v.validity;
    for (let k = 0; k < count; k++) {
      const i = indices[k]!;
      validity[k] = i < 0 ? 0 : sv === null ? 1 : sv[i]!;
    }
  }
  return withValues(v, out, validity);
}

function gatherF64(s: Float64Array, o: Float64Array, indices: Int32Array, count: number): boolean {
  let minus = false;
  for (let k = 0; k < count; k++) {
    const i = indices[k]!;
    if (i < 0) minus = true;
    else o[k] = s[i]!;
  }
  return minus;
}

function gatherI32(s: Int32Array, o: Int32Array, indices: Int32Array, count: number): boolean {
  let minus = false;
  for (let k = 0; k < count; k++) {
    const i = indices[k]!;
    if (i < 0) minus = true;
    else o[k] = s[i]!;
  }
  return minus;
}

function gatherU8(s: Uint8Array, o: Uint8Array, indices: Int32Array, count: number): boolean {
  let minus = false;
  for (let k = 0; k < count; k++) {
    const i = indices[k]!;
    if (i < 0) minus = true;
    else o[k] = s[i]!;
  }
  return minus;
}

function gatherI64(s: BigInt64Array, o: BigInt64Array, indices: Int32Array, count: number): boolean {
  let minus = false;
  for (let k = 0; k < count; k++) {
    const i = indices[k]!;
    if (i < 0) minus = true;
    else o[k] = s[i]!;
  }
  return minus;
}

/** A vector of the same type (and dictionary) as `like`, holding new values. */
export function withValues(like: Vec, values: NumericArray, validity: Uint8Array | null): Vec {
  if (like.type === 'utf8') return { type: 'utf8', values: values as Int32Array, validity, dict: like.dict };
  return { type: like.type, values, validity } as Vec;
}

export function gatherBatch(b: Batch, indices: Int32Array, count = indices.length): Batch {
  return { length: count, names: b.names, columns: b.columns.map((c) => gather(c, indices, count)) };
}

/** Rows [start, end) of a vector (a copy, so the result owns a compact buffer). */
export function sliceVec(v: Vec, start: number, end: number): Vec {
  const src = v.values as NumericArray;
  const out = newArrayLike(src, end - start);
  (out as Int32Array).set((src as Int32Array).subarray(start, end));
  let validity: Uint8Array | null = null;
  if (v.validity) {
    validity = alloc.uint8(end - start);
    validity.set(v.validity.subarray(start, end));
  }
  return withValues(v, out, validity);
}

export function sliceBatch(b: Batch, start: number, end: number): Batch {
  const e = Math.min(end, b.length);
  const s = Math.min(start, e);
  return { length: e - s, names: b.names, columns: b.columns.map((c) => sliceVec(c, s, e)) };
}

/** Re-express utf8 vectors over one merged dictionary; returns the dict and each vector's code remapping. */
export function unifyDicts(vecs: readonly Utf8Vec[]): { dict: Dict; remaps: (Int32Array | null)[] } {
  const first = vecs[0]?.dict ?? EMPTY_DICT;
  if (vecs.every((v) => v.dict === first)) return { dict: first, remaps: vecs.map(() => null) };
  const index = new Map<string, number>();
  const values: string[] = [];
  const seen = new Map<Dict, Int32Array>();
  const remaps = vecs.map((v) => {
    const known = seen.get(v.dict);
    if (known) return known;
    const remap = new Int32Array(v.dict.values.length);
    v.dict.values.forEach((s, code) => {
      let m = index.get(s);
      if (m === undefined) {
        m = values.length;
        values.push(s);
        index.set(s, m);
      }
      remap[code] = m;
    });
    seen.set(v.dict, remap);
    return remap;
  });
  return { dict: { id: null, values }, remaps };
}

/** Concatenate vectors of one type (dictionaries are merged when they differ). */
export function concatVecs(type: DataType, vecs: readonly Vec[]): Vec {
  let n = 0;
  let anyNull = false;
  for (const v of vecs) {
    n += v.values.length;
    if (v.validity) anyNull = true;
  }
  let dict: Dict = EMPTY_DICT;
  let remaps: (Int32Array | null)[] = vecs.map(() => null);
  if (type === 'utf8') ({ dict, remaps } = unifyDicts(vecs as Utf8Vec[]));
  const out = allocVec(type, n, anyNull, dict);
  let offset = 0;
  vecs.forEach((v, k) => {
    const len = v.values.length;
    const remap = remaps[k];
    if (remap) {
      const o = out.values as Int32Array;
      const s = v.values as Int32Array;
      for (let i = 0; i < len; i++) o[offset + i] = remap[s[i]!]!;
    } else {
      (out.values as Int32Array).set(v.values as Int32Array, offset);
    }
    if (out.validity) {
      if (v.validity) out.validity.set(v.validity, offset);
      else out.validity.fill(1, offset, offset + len);
    }
    offset += len;
  });
  return out;
}

/** Concatenate batches with the same columns. */
export function concatBatches(names: readonly string[], types: readonly DataType[], batches: readonly Batch[]): Batch {
  if (batches.length === 1) return batches[0]!;
  const length = batches.reduce((s, b) => s + b.length, 0);
  const columns = types.map((t, c) => concatVecs(t, batches.map((b) => b.columns[c]!)));
  return { length, names, columns };
}

export function emptyBatch(names: readonly string[], types: readonly DataType[]): Batch {
  return { length: 0, names, columns: types.map((t) => allocVec(t, 0, false)) };
}

/** A column by name. */
export function column(b: Batch, name: string): Vec {
  const i = b.names.indexOf(name);
  if (i < 0) throw new Error(`internal: batch has no column '${name}' (has ${b.names.join(', ')})`);
  return b.columns[i]!;
}

/** Approximate in-memory size of a batch in bytes (values + validity; dictionaries without an id counted too). */
export function batchBytes(b: Batch): number {
  let bytes = 0;
  for (const c of b.columns) {
    bytes += c.values.byteLength + (c.validity?.byteLength ?? 0);
    if (c.type === 'utf8' && c.dict.id === null) for (const s of c.dict.values) bytes += s.length * 2;
  }
  return bytes;
}

/** Numbers of a numeric vector as a Float64Array (bigint converted), for float arithmetic and comparisons. */
export function asFloat64(v: Vec): Float64Array | Int32Array | Uint8Array {
  if (v.type === 'int64') {
    const out = new Float64Array(v.values.length);
    for (let i = 0; i < out.length; i++) out[i] = Number(v.values[i]!);
    return out;
  }
  if (v.type === 'utf8') throw new Error('internal: asFloat64 on a string vector');
  return v.values;
}

/** A vector holding `n` copies of one value. */
export function constantVec(type: DataType, value: number | bigint | string | boolean | null, n: number): Vec {
  if (value === null) {
    const v = allocVec(type, n, true);
    return v; // validity all 0
  }
  switch (type) {
    case 'int32': {
      const values = alloc.int32(n).fill(Number(value));
      return { type, values, validity: null };
    }
    case 'int64': {
      const values = alloc.int64(n).fill(typeof value === 'bigint' ? value : BigInt(Math.trunc(Number(value))));
      return { type, values, validity: null };
    }
    case 'float64':
    case 'timestamp':
      return { type, values: alloc.float64(n).fill(Number(value)), validity: null };
    case 'bool':
      return { type, values: alloc.uint8(n).fill(value ? 1 : 0), validity: null };
    case 'utf8':
      return { type, values: alloc.int32(n), validity: null, dict: { id: null, values: [String(value)] } };
    default:
      return assertNever(type, 'data type');
  }
}

/** Build a utf8 vector from JS strings (null for NULL), with a fresh dictionary. */
export function utf8FromStrings(strings: ArrayLike<string | null>): Utf8Vec {
  const n = strings.length;
  const codes = alloc.int32(n);
  let validity: Uint8Array | null = null;
  const index = new Map<string, number>();
  const values: string[] = [];
  for (let i = 0; i < n; i++) {
    const s = strings[i];
    if (s === null || s === undefined) {
      validity ??= alloc.uint8(n).fill(1);
      validity[i] = 0;
      continue;
    }
    let code = index.get(s);
    if (code === undefined) {
      code = values.length;
      values.push(s);
      index.set(s, code);
    }
    codes[i] = code;
  }
  return { type: 'utf8', values: codes, validity, dict: { id: null, values } };
}

/** Build a vector of `type` from JS values in the ARROW_TYPE_OF representation. */
export function vecFromValues(type: DataType, values: ArrayLike<unknown>): Vec {
  if (type === 'utf8') return utf8FromStrings(Array.from(values, (x) => (x === null || x === undefined ? null : String(x))));
  const n = values.length;
  const out = allocVec(type, n, true);
  const validity = out.validity!;
  let anyNull = false;
  for (let i = 0; i < n; i++) {
    const x = values[i];
    if (x === null || x === undefined) {
      anyNull = true;
      continue;
    }
    validity[i] = 1;
    switch (out.type) {
      case 'int64':
        out.values[i] = typeof x === 'bigint' ? x : BigInt(Math.trunc(Number(x)));
        break;
      case 'bool':
        out.values[i] = x ? 1 : 0;
        break;
      case 'timestamp':
        out.values[i] = x instanceof Date ? x.getTime() : Number(x);
        break;
      default:
        (out.values as Int32Array | Float64Array)[i] = Number(x);
    }
  }
  return anyNull ? out : withValues(out, out.values as NumericArray, null);
}
