// The Arrow boundary of the DAG engine: loaded Arrow tables become columnar partitions (strings get one
// table-wide dictionary, hashed on their UTF-8 bytes so no JS string is made per row), and result partitions
// become one Arrow table with exactly the plan's output schema.
import * as arrow from 'apache-arrow';
import { toArrowSchema } from '../../plan/arrow.ts';
import { assertNever, type DataType, type Schema } from '../../plan/types.ts';
import { alloc, allocVec, type Batch, type Dict, type Vec } from './columnar.ts';

function bitAt(bitmap: Uint8Array, i: number): number {
  return (bitmap[i >> 3]! >> (i & 7)) & 1;
}

/** A whole Arrow column as one full-length vector. `dictId` names the table-wide dictionary for strings. */
export function vecFromArrow(vector: arrow.Vector, type: DataType, dictId: string): Vec {
  const n = vector.length;
  const anyNull = vector.nullCount > 0;
  if (type === 'utf8') return utf8FromArrow(vector, dictId);
  const out = allocVec(type, n, anyNull);
  let base = 0;
  for (const data of vector.data) {
    const len = data.length;
    const off = data.offset;
    const src = data.values as ArrayLike<number | bigint>;
    switch (out.type) {
      case 'int32':
      case 'float64':
        if (src instanceof Int32Array || src instanceof Float64Array) {
          (out.values as Int32Array | Float64Array).set(src.subarray(off, off + len) as Int32Array, base);
        } else {
          for (let i = 0; i < len; i++) out.values[base + i] = Number(src[off + i]!);
        }
        break;
      case 'int64':
        if (src instanceof BigInt64Array) out.values.set(src.subarray(off, off + len), base);
        else for (let i = 0; i < len; i++) out.values[base + i] = BigInt(src[off + i]!);
        break;
      case 'timestamp': {
        // Timestamps may arrive in another unit (or as dates); normalise to ms through Arrow's own getter.
        const t = data.type as arrow.DataType;
        const ms = arrow.DataType.isTimestamp(t) && t.unit === arrow.TimeUnit.MILLISECOND && src instanceof BigInt64Array;
        if (ms) for (let i = 0; i < len; i++) out.values[base + i] = Number(src[off + i]!);
        else {
          const chunk = arrow.makeVector(data);
          for (let i = 0; i < len; i++) {
            const v = chunk.get(i) as unknown;
            out.values[base + i] = v === null ? 0 : v instanceof Date ? v.getTime() : Number(v);
          }
        }
        break;
      }
      case 'bool': {
        const bits = data.values as Uint8Array;
        for (let i = 0; i < len; i++) out.values[base + i] = bitAt(bits, off + i);
        break;
      }
      case 'utf8':
        break;
      default:
        assertNever(out, 'vector');
    }
    if (out.validity) {
      if (data.nullCount > 0 && data.nullBitmap) {
        for (let i = 0; i < len; i++) out.validity[base + i] = bitAt(data.nullBitmap, off + i);
      } else {
        out.validity.fill(1, base, base + len);
      }
    }
    base += len;
  }
  return out;
}

/** Strings → codes into one dictionary, deduplicating on the raw UTF-8 bytes with an open-addressing table. */
function utf8FromArrow(vector: arrow.Vector, dictId: string): Vec {
  const n = vector.length;
  const codes = alloc.int32(n);
  const validity = vector.nullCount > 0 ? alloc.uint8(n) : null;
  const values: string[] = [];
  const decoder = new TextDecoder();
  let pool = new Uint8Array(1 << 16);
  let poolUsed = 0;
  let entryStart: Int32Array = new Int32Array(1024);
  let entryEnd: Int32Array = new Int32Array(1024);
  let cap = 1 << 10;
  let slots = new Int32Array(cap).fill(-1);
  let hashes: Int32Array = new Int32Array(1024);
  const insertSlot = (h: number, code: number): void => {
    let s = h & (cap - 1);
    while (slots[s] !== -1) s = (s + 1) & (cap - 1);
    slots[s] = code;
  };
  let base = 0;
  for (const data of vector.data) {
    const t = data.type as arrow.DataType;
    if (arrow.DataType.isDictionary(t)) {
      // Already dictionary-encoded: decode per entry only.
      const chunk = arrow.makeVector(data);
      for (let i = 0; i < data.length; i++) {
        const v = chunk.get(i) as string | null;
        if (v === null) validity![base + i] = 0;
        else {
          if (validity) validity[base + i] = 1;
          codes[base + i] = internString(v);
        }
      }
      base += data.length;
      continue;
    }
    const offsets = data.valueOffsets as Int32Array;
    const bytes = data.values as Uint8Array;
    const nulls = data.nullCount > 0 ? data.nullBitmap : null;
    const off = data.offset;
    for (let i = 0; i < data.length; i++) {
      if (nulls && !bitAt(nulls, off + i)) {
        validity![base + i] = 0;
        continue;
      }
      if (validity) validity[base + i] = 1;
      const s = offsets[off + i]!;
      const e = offsets[off + i + 1]!;
      let h = 0x811c9dc5 | 0;
      for (let k = s; k < e; k++) h = Math.imul(h ^ bytes[k]!, 0x01000193);
      let slot = h & (cap - 1);
      let code = -1;
      for (;;) {
        const c = slots[slot]!;
        if (c === -1) break;
        if (hashes[c] === h && entryEnd[c]! - entryStart[c]! === e - s) {
          let same = true;
          const ps = entryStart[c]!;
          for (let k = 0; k < e - s; k++) {
            if (pool[ps + k] !== bytes[s + k]) {
              same = false;
              break;
            }
          }
          if (same) {
            code = c;
            break;
          }
        }
        slot = (slot + 1) & (cap - 1);
      }
      if (code === -1) code = addEntry(bytes, s, e, h);
      codes[base + i] = code;
    }
    base += data.length;
  }
  return { type: 'utf8', values: codes, validity, dict: { id: dictId, values } };

  function addEntry(bytes: Uint8Array, s: number, e: number, h: number): number {
    const code = values.length;
    values.push(decoder.decode(bytes.subarray(s, e)));
    if (code >= entryStart.length) {
      entryStart = grow(entryStart);
      entryEnd = grow(entryEnd);
      hashes = grow(hashes);
    }
    while (poolUsed + (e - s) > pool.length) {
      const p = new Uint8Array(pool.length * 2);
      p.set(pool);
      pool = p;
    }
    pool.set(bytes.subarray(s, e), poolUsed);
    entryStart[code] = poolUsed;
    entryEnd[code] = poolUsed + (e - s);
    poolUsed += e - s;
    hashes[code] = h;
    if ((code + 1) * 2 > cap) {
      cap *= 2;
      slots = new Int32Array(cap).fill(-1);
      for (let c = 0; c <= code; c++) insertSlot(hashes[c]!, c);
    } else insertSlot(h, code);
    return code;
  }
  function internString(v: string): number {
    const b = new TextEncoder().encode(v);
    let h = 0x811c9dc5 | 0;
    for (let k = 0; k < b.length; k++) h = Math.imul(h ^ b[k]!, 0x01000193);
    let slot = h & (cap - 1);
    for (;;) {
      const c = slots[slot]!;
      if (c === -1) break;
      if (values[c] === v) return c;
      slot = (slot + 1) & (cap - 1);
    }
    return addEntry(b, 0, b.length, h);
  }
}

function grow(a: Int32Array): Int32Array {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

/** Split a table into `partitions` contiguous row ranges (views over one shared buffer per column). */
export function partitionTable(name: string, table: arrow.Table, schema: Schema, partitions: number): Batch[] {
  const names = schema.map((f) => f.name);
  const full = schema.map((f) => {
    const vector = table.getChild(f.name);
    if (!vector) throw new Error(`table '${name}' has no column '${f.name}'`);
    return vecFromArrow(vector, f.type, `${name}.${f.name}`);
  });
  const n = table.numRows;
  const out: Batch[] = [];
  for (let p = 0; p < partitions; p++) {
    const s = Math.floor((n * p) / partitions);
    const e = Math.floor((n * (p + 1)) / partitions);
    out.push({
      length: e - s,
      names,
      columns: full.map((v) => {
        const values = (v.values as Int32Array).subarray(s, e);
        const validity = v.validity ? v.validity.subarray(s, e) : null;
        return v.type === 'utf8' ? { ...v, values, validity } : ({ type: v.type, values, validity } as Vec);
      }),
    });
  }
  return out;
}

function packBits(validity: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(((n + 63) >> 6) << 3);
  for (let i = 0; i < n; i++) if (validity[i]) out[i >> 3]! |= 1 << (i & 7);
  return out;
}

const encoder = new TextEncoder();

/**
 * A dictionary's entries as UTF-8 in one pool, each encoded on first use. Result batches share their columns'
 * dictionaries, and a dictionary can be far larger than the rows that use it (a join's output keeps the table-wide
 * one): encoding the whole dictionary per batch cost a 250k-row db-benchmark join ~0.7 s a run.
 */
class EncodedDict {
  private readonly start: Int32Array;
  private readonly end: Int32Array;
  private pool = new Uint8Array(1 << 16);
  private used = 0;

  constructor(private readonly values: readonly string[]) {
    this.start = new Int32Array(values.length).fill(-1);
    this.end = new Int32Array(values.length);
  }

  /** Byte length of entry `code`, encoding it into the pool first if needed. */
  length(code: number): number {
    if (this.start[code]! < 0) this.encode(code);
    return this.end[code]! - this.start[code]!;
  }

  /** Copy entry `code` (already encoded by `length`) into `out` at `at`. */
  copy(code: number, out: Uint8Array, at: number): void {
    const s = this.start[code]!;
    const e = this.end[code]!;
    if (e - s > 32) out.set(this.pool.subarray(s, e), at);
    else for (let k = s; k < e; k++) out[at++] = this.pool[k]!;
  }

  private encode(code: number): void {
    const v = this.values[code]!;
    this.reserve(v.length * 3); // UTF-8 takes at most 3 bytes per UTF-16 unit
    let at = this.used;
    let ascii = true;
    for (let i = 0; i < v.length; i++) {
      const c = v.charCodeAt(i);
      if (c >= 0x80) {
        ascii = false;
        break;
      }
      this.pool[at++] = c;
    }
    if (!ascii) at = this.used + encoder.encodeInto(v, this.pool.subarray(this.used)).written;
    this.start[code] = this.used;
    this.end[code] = at;
    this.used = at;
  }

  private reserve(bytes: number): void {
    if (this.used + bytes <= this.pool.length) return;
    let size = this.pool.length * 2;
    while (this.used + bytes > size) size *= 2;
    const p = new Uint8Array(size);
    p.set(this.pool.subarray(0, this.used));
    this.pool = p;
  }
}

/**
 * The UTF-8 of loaded tables' dictionaries, kept while the dictionary lives (they are immutable and outlive the
 * queries that read them, like Spark's UTF8String columns): without it every run re-encoded every string its
 * result held, ~300 ms of a 225k-row db-benchmark join's run. Dictionaries built inside a query are encoded per call.
 */
const LOADED_DICT_UTF8 = new WeakMap<Dict, EncodedDict>();

/** One Arrow Data for a vector of length n; `pools` holds the UTF-8 of dictionaries shared between batches. */
function dataOf(v: Vec, type: DataType, n: number, pools: Map<Dict, EncodedDict>): arrow.Data {
  let nullCount = 0;
  if (v.validity) for (let i = 0; i < n; i++) nullCount += 1 - v.validity[i]!;
  const nullBitmap = nullCount > 0 ? packBits(v.validity!, n) : undefined;
  const t = toArrowType(type);
  switch (v.type) {
    case 'int32':
      return arrow.makeData({ type: t as arrow.Int32, length: n, nullCount, nullBitmap, data: new Int32Array(v.values) });
    case 'float64':
      return arrow.makeData({ type: t as arrow.Float64, length: n, nullCount, nullBitmap, data: new Float64Array(v.values) });
    case 'int64':
      return arrow.makeData({ type: t as arrow.Int64, length: n, nullCount, nullBitmap, data: new BigInt64Array(v.values) });
    case 'timestamp': {
      const data = new BigInt64Array(n);
      for (let i = 0; i < n; i++) data[i] = BigInt(Math.trunc(v.values[i]!));
      return arrow.makeData({ type: t as arrow.TimestampMillisecond, length: n, nullCount, nullBitmap, data });
    }
    case 'bool':
      return arrow.makeData({ type: t as arrow.Bool, length: n, nullCount, nullBitmap, data: packBits(v.values, n) });
    case 'utf8': {
      let pool = v.dict.id !== null ? LOADED_DICT_UTF8.get(v.dict) : pools.get(v.dict);
      if (!pool) {
        pool = new EncodedDict(v.dict.values);
        if (v.dict.id !== null) LOADED_DICT_UTF8.set(v.dict, pool);
        else pools.set(v.dict, pool);
      }
      const valueOffsets = new Int32Array(n + 1);
      let total = 0;
      for (let i = 0; i < n; i++) {
        if (!v.validity || v.validity[i]) total += pool.length(v.values[i]!);
        valueOffsets[i + 1] = total;
      }
      const data = new Uint8Array(total);
      for (let i = 0; i < n; i++) {
        if (!v.validity || v.validity[i]) pool.copy(v.values[i]!, data, valueOffsets[i]!);
      }
      return arrow.makeData({ type: t as arrow.Utf8, length: n, nullCount, nullBitmap, valueOffsets, data });
    }
    default:
      return assertNever(v, 'vector');
  }
}

function toArrowType(type: DataType): arrow.DataType {
  return toArrowSchema([{ name: 'x', type }]).fields[0]!.type;
}

/** Result batches (in order) → one Arrow table with exactly `schema`. */
export function batchesToTable(schema: Schema, batches: readonly Batch[]): arrow.Table {
  const target = toArrowSchema(schema);
  const pools = new Map<Dict, EncodedDict>();
  const recordBatches = batches
    .filter((b, i) => b.length > 0 || (i === 0 && batches.every((x) => x.length === 0)))
    .map((b) => {
      const children = schema.map((f, c) => dataOf(b.columns[c]!, f.type, b.length, pools));
      return new arrow.RecordBatch(target, arrow.makeData({ type: new arrow.Struct(target.fields), length: b.length, nullCount: 0, children }));
    });
  if (recordBatches.length === 0) {
    const children = schema.map((f) => dataOf(allocVec(f.type, 0, false), f.type, 0, pools));
    recordBatches.push(new arrow.RecordBatch(target, arrow.makeData({ type: new arrow.Struct(target.fields), length: 0, nullCount: 0, children })));
  }
  return new arrow.Table(target, recordBatches);
}

export type { Dict };
