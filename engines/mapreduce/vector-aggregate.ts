// The group-by's map side a batch at a time, as Hive's VectorGroupByOperator in hash mode: for each batch, look up
// the group of every selected row (an int32 key in IntKeyTable, other keys as key bytes in KeyTable), then fold
// each aggregate's argument vector into per-group states held in typed arrays, one aggregate at a time. The
// records it collects are byte for byte the row path's (aggregate.ts): same tables, same group order, same
// flush points, same state values.
import { typeOf } from '../../plan/schema.ts';
import { assertNever, type DataType, type Schema } from '../../plan/types.ts';
import { stateTypes } from './aggregate.ts';
import { ByteWriter } from './bytes.ts';
import { fromWire } from './expressions.ts';
import type { Collector, InMapperCombining } from './job-functions.ts';
import type { WireAggregate } from './job.ts';
import { keyColumn, writeKey, type KeyColumn } from './key-format.ts';
import { IntKeyTable, KeyTable } from './key-table.ts';
import { BATCH_SIZE, type ColumnVector, type VectorizedRowBatch } from './vector.ts';
import { NotVectorizable, vectorizeExpr, type VectorExpression } from './vector-expressions.ts';

/**
 * Integer sums are kept as doubles, exact while |sum| <= 2^53: an int32 sum over at most 2^22 rows of one block
 * cannot pass that. A bigger block runs row at a time, where sums turn into bigints.
 */
const MAX_ROWS_FOR_INT_SUMS = 2 ** 22;

/** A double's little-endian bytes, without Buffer#writeDoubleLE's bounds checks on every state written. */
const f64 = new Float64Array(1);
const f64Bytes = new Uint8Array(f64.buffer);

export interface VectorMapper {
  /** Folds the batch's selected rows (combining), or collects one record per selected row (combiner off). */
  mapBatch(batch: VectorizedRowBatch, out: Collector): void;
  /** After the last batch: collects what in-mapper combining still holds. */
  finish(out: Collector): void;
}

export interface VectorAggregatePlan {
  /** Why a block of `rows` rows cannot run vectorized, or null when it can. */
  blockReason(rows: number): string | null;
  mapper(combining: InMapperCombining | null): VectorMapper;
}

/** One partial-state column: a double per group (ints, counts and timestamps included), a has-value flag if it can be NULL. */
interface StateColumn {
  readonly type: 'num' | 'float64' | 'int32' | 'timestamp';
  vals: Float64Array;
  has: Uint8Array | null;
}

type Fold = (b: VectorizedRowBatch, slots: Int32Array, from: number, to: number, arg: ColumnVector | null) => void;

type NumericVector = Extract<ColumnVector, { values: Int32Array | Float64Array }>;

/** The fold of one aggregate over rows [from, to) of the selection into the state columns at `at`. */
function foldOf(fn: WireAggregate['fn'], argType: DataType | null, cols: readonly StateColumn[], at: number): Fold {
  const c0 = cols[at]!;
  switch (fn) {
    case 'count':
      return (b, slots, from, to, arg) => {
        const v = c0.vals;
        const nulls = arg === null ? null : arg.nulls;
        const sel = b.selected;
        for (let j = from; j < to; j++) if (nulls === null || nulls[sel[j]!] === 0) v[slots[j]!]! += 1;
      };
    case 'sum':
      // Float sums add in row order per group, as the row path does, so the doubles agree to the bit.
      return (b, slots, from, to, arg) => {
        const x = (arg as NumericVector).values;
        const nulls = arg!.nulls;
        const v = c0.vals;
        const has = c0.has!;
        const sel = b.selected;
        for (let j = from; j < to; j++) {
          const i = sel[j]!;
          if (nulls !== null && nulls[i] === 1) continue;
          const s = slots[j]!;
          if (has[s] === 1) v[s]! += x[i]!;
          else {
            v[s] = x[i]!;
            has[s] = 1;
          }
        }
      };
    case 'avg': {
      const c1 = cols[at + 1]!;
      const big = argType === 'int64';
      return (b, slots, from, to, arg) => {
        const x = (arg as NumericVector | Extract<ColumnVector, { type: 'int64' }>).values;
        const nulls = arg!.nulls;
        const v = c0.vals;
        const has = c0.has!;
        const n = c1.vals;
        const sel = b.selected;
        for (let j = from; j < to; j++) {
          const i = sel[j]!;
          if (nulls !== null && nulls[i] === 1) continue;
          const s = slots[j]!;
          const a = big ? Number(x[i]!) : (x[i] as number);
          if (has[s] === 1) v[s]! += a;
          else {
            v[s] = a;
            has[s] = 1;
          }
          n[s]! += 1;
        }
      };
    }
    case 'min':
    case 'max': {
      const min = fn === 'min';
      // compareValues' order: NaN sorts above every number, so max keeps a NaN and min takes any number over it.
      return (b, slots, from, to, arg) => {
        const x = (arg as NumericVector).values;
        const nulls = arg!.nulls;
        const v = c0.vals;
        const has = c0.has!;
        const sel = b.selected;
        for (let j = from; j < to; j++) {
          const i = sel[j]!;
          if (nulls !== null && nulls[i] === 1) continue;
          const s = slots[j]!;
          const a = x[i]!;
          if (has[s] === 0) {
            v[s] = a;
            has[s] = 1;
            continue;
          }
          const cur = v[s]!;
          if (min ? a < cur || (cur !== cur && a === a) : a > cur || (a !== a && cur === cur)) v[s] = a;
        }
      };
    }
    default:
      return assertNever(fn, 'aggregate function');
  }
}

/** Why an aggregate over an argument of type `argType` has no vector form here, or null. */
function unsupported(fn: WireAggregate['fn'], argType: DataType | null): string | null {
  switch (fn) {
    case 'count':
      return null;
    case 'sum':
      return argType === 'int32' || argType === 'float64' ? null : `sum over ${argType} keeps a bigint per group`;
    case 'avg':
      return argType === 'int32' || argType === 'float64' || argType === 'int64' ? null : `avg over ${argType}`;
    case 'min':
    case 'max':
      return argType === 'int32' || argType === 'float64' || argType === 'timestamp' ? null : `${fn} over ${argType} values`;
    default:
      return assertNever(fn, 'aggregate function');
  }
}

/** Appends a key column's encoding of row `i` of `v` (as writeKey does), UTF-8 bytes copied without decoding. */
function keyEncoder(col: KeyColumn): (w: ByteWriter, v: ColumnVector, i: number) => void {
  if (col.type === 'utf8') {
    return (w, v, i) => {
      const u = v as Extract<ColumnVector, { type: 'utf8' }>;
      if (u.nulls !== null && u.nulls[i] === 1) {
        w.u8(0x00);
        return;
      }
      const s = u.starts[i]!;
      const e = u.ends[i]!;
      w.ensure(2 * (e - s) + 3);
      const buf = w.buf;
      const bytes = u.bytes;
      let p = w.pos;
      buf[p++] = 0x01;
      // 0x00 is escaped as 0x00 0xFF so the 0x00 0x00 terminator stays unambiguous.
      for (let k = s; k < e; k++) {
        const x = bytes[k]!;
        buf[p++] = x;
        if (x === 0) buf[p++] = 0xff;
      }
      buf[p++] = 0;
      buf[p++] = 0;
      w.pos = p;
    };
  }
  const one = [col];
  const value: unknown[] = [null];
  return (w, v, i) => {
    if (v.nulls !== null && v.nulls[i] === 1) value[0] = null;
    else if (v.type === 'bool') value[0] = v.values[i] === 1;
    else value[0] = (v as Exclude<ColumnVector, { type: 'utf8' }>).values[i];
    writeKey(w, one, value);
  };
}

/**
 * Plans the vectorized map side of an aggregate over batches of `schema`; throws NotVectorizable with the reason.
 * @example const plan = vectorizeAggregate({ keys: ['user_id'], aggregates: [{ fn: 'count', arg: null, name: 'n' }] }, schema);
 */
export function vectorizeAggregate(k: { readonly keys: readonly string[]; readonly aggregates: readonly WireAggregate[] }, schema: Schema): VectorAggregatePlan {
  const keyIdx = k.keys.map((name) => schema.findIndex((f) => f.name === name));
  const keyCols = keyIdx.map((i) => keyColumn(schema[i]!.type));
  const aggs: { fn: WireAggregate['fn']; arg: VectorExpression | null; argType: DataType | null; at: number }[] = [];
  const types: ReturnType<typeof stateTypes> = [];
  const nullable: boolean[] = [];
  for (const a of k.aggregates) {
    const arg = a.arg === null ? null : fromWire(a.arg);
    const argType = arg === null ? null : typeOf(arg, schema);
    const why = unsupported(a.fn, argType);
    if (why !== null) throw new NotVectorizable(`aggregate ${a.name}: ${why}`);
    aggs.push({ fn: a.fn, arg: arg === null ? null : vectorizeExpr(arg, schema), argType, at: types.length });
    const st = stateTypes(a.fn, argType);
    types.push(...st);
    // count and avg's count never go NULL; sums, avg's sum, min and max do until a value arrives.
    st.forEach((_, i) => nullable.push(a.fn !== 'count' && !(a.fn === 'avg' && i === 1)));
  }
  const intSums = aggs.some((a) => a.fn === 'sum' && a.argType === 'int32');
  const width = types.length;
  return {
    blockReason: (rows) => (intSums && rows > MAX_ROWS_FOR_INT_SUMS ? `an int32 sum over ${rows} rows of one block could pass 2^53` : null),
    mapper(combining) {
      const cols: StateColumn[] = types.map((t, i) => {
        if (t !== 'num' && t !== 'float64' && t !== 'int32' && t !== 'timestamp') throw new Error(`no vectorized state for ${t}`);
        return { type: t, vals: new Float64Array(BATCH_SIZE), has: nullable[i] ? new Uint8Array(BATCH_SIZE) : null };
      });
      const folds = aggs.map((a) => foldOf(a.fn, a.argType, cols, a.at));
      const argVectors: (ColumnVector | null)[] = aggs.map(() => null);
      const slots = new Int32Array(BATCH_SIZE);
      const encoders = keyCols.map(keyEncoder);
      let capacity = BATCH_SIZE;
      const reserve = (n: number): void => {
        if (n <= capacity) return;
        while (capacity < n) capacity *= 2;
        for (const c of cols) {
          const vals = new Float64Array(capacity);
          vals.set(c.vals);
          c.vals = vals;
          if (c.has !== null) {
            const has = new Uint8Array(capacity);
            has.set(c.has);
            c.has = has;
          }
        }
      };
      const initSlot = (s: number): void => {
        for (const c of cols) {
          c.vals[s] = 0;
          if (c.has !== null) c.has[s] = 0;
        }
      };
      const bitmapBytes = (width + 7) >> 3;
      /** Bytes of each state column's value when it is not NULL (a 'num' carries a tag byte). */
      const valueWidths = cols.map((c) => (c.type === 'num' ? 9 : c.type === 'int32' ? 4 : 8));
      /** Bytes of slot `s`'s state in the row format. */
      const stateLength = (s: number): number => {
        let n = bitmapBytes;
        for (let c = 0; c < width; c++) {
          const has = cols[c]!.has;
          if (has === null || has[s] === 1) n += valueWidths[c]!;
        }
        return n;
      };
      /** Writes slot `s`'s state in the row format (writeRow of the row path's state row) at `start`; returns the end. */
      const writeStateAt = (buf: Uint8Array, start: number, s: number): number => {
        for (let i = 0; i < bitmapBytes; i++) buf[start + i] = 0;
        let p = start + bitmapBytes;
        for (let c = 0; c < width; c++) {
          const col = cols[c]!;
          if (col.has !== null && col.has[s] === 0) {
            buf[start + (c >> 3)]! |= 1 << (c & 7);
            continue;
          }
          const x = col.vals[s]!;
          switch (col.type) {
            case 'num':
            case 'float64':
            case 'timestamp':
              if (col.type === 'num') buf[p++] = 0; // tag: a number, not a bigint
              f64[0] = x;
              for (let i = 0; i < 8; i++) buf[p + i] = f64Bytes[i]!;
              p += 8;
              break;
            case 'int32':
              buf[p] = x;
              buf[p + 1] = x >> 8;
              buf[p + 2] = x >> 16;
              buf[p + 3] = x >> 24;
              p += 4;
              break;
            default:
              assertNever(col.type, 'state type');
          }
        }
        return p;
      };
      /** Appends slot `s`'s state to `w`. */
      const writeState = (w: ByteWriter, s: number): void => {
        w.ensure(bitmapBytes + 9 * width);
        w.pos = writeStateAt(w.buf, w.pos, s);
      };
      /**
       * Collects the record of slot `s` whose key is [ks, ks + klen) of `key`: on the fixed-width path the state is
       * serialised once, straight into the sort buffer; elsewhere through the collector's writers.
       */
      const collectGroup = (out: Collector, key: Uint8Array, ks: number, klen: number, s: number): void => {
        const fixed = out.fixed;
        if (fixed !== undefined && fixed !== null) {
          const at = fixed.collect(key, ks, klen, stateLength(s));
          writeStateAt(fixed.values, at, s);
          return;
        }
        out.key.bytes(key, ks, ks + klen);
        writeState(out.value, s);
        out.collect();
      };
      const evaluateArgs = (b: VectorizedRowBatch): void => {
        for (let a = 0; a < aggs.length; a++) argVectors[a] = aggs[a]!.arg === null ? null : aggs[a]!.arg!.evaluate(b);
      };
      const fold = (b: VectorizedRowBatch, from: number, to: number): void => {
        for (let a = 0; a < folds.length; a++) folds[a]!(b, slots, from, to, argVectors[a]!);
      };

      if (combining === null) {
        // No in-mapper combining: each selected row is its own group and goes out as one record.
        return {
          mapBatch(b, out) {
            evaluateArgs(b);
            for (let j = 0; j < b.size; j++) {
              initSlot(j);
              slots[j] = j;
            }
            fold(b, 0, b.size);
            const sel = b.selected;
            for (let j = 0; j < b.size; j++) {
              const i = sel[j]!;
              for (let c = 0; c < encoders.length; c++) encoders[c]!(out.key, b.cols[keyIdx[c]!]!, i);
              writeState(out.value, j);
              out.collect();
            }
          },
          finish() {},
        };
      }

      // In-mapper combining: slot 0 is the NULL int32 key's state, slot g + 1 the table's group g. The same
      // tables and memory rule as the row path (aggregate.ts), so both collect at the same rows.
      const initialGroups = Math.max(16, Math.min(1024, Math.floor(combining.maxBytes / 256)));
      const intMode = keyIdx.length === 1 && keyCols[0]!.enc === 'i32';
      const ints = intMode ? new IntKeyTable(initialGroups) : null;
      const table = intMode ? null : new KeyTable(initialGroups);
      const stateBytes = 32 + 16 * width;
      const key = new ByteWriter(256);
      const keyValues: unknown[] = [null];
      const counters = combining.counters;
      let groups = 0;
      let nullUsed = false;
      let inputs = 0;
      /** One int32 key's encoding (writeKey's: marker 0x01, then the value with its sign bit flipped, big-endian). */
      const intKey = new Uint8Array(5);
      const flush = (out: Collector): void => {
        if (ints !== null) {
          const fixed = out.fixed;
          intKey[0] = 0x01;
          for (let g = 0; g < groups; g++) {
            const u = (ints.keyAt(g) ^ 0x80000000) >>> 0;
            if (fixed !== undefined && fixed !== null) {
              const s = g + 1;
              const at = fixed.collectInt32(u, stateLength(s));
              writeStateAt(fixed.values, at, s);
              continue;
            }
            intKey[1] = u >>> 24;
            intKey[2] = u >>> 16;
            intKey[3] = u >>> 8;
            intKey[4] = u;
            collectGroup(out, intKey, 0, 5, g + 1);
          }
          if (nullUsed) {
            keyValues[0] = null;
            key.reset();
            writeKey(key, keyCols, keyValues);
            collectGroup(out, key.buf, 0, key.pos, 0);
          }
          ints.clear();
        } else {
          const t = table!;
          for (let g = 0; g < groups; g++) collectGroup(out, t.keys, t.keyStart(g), t.keyLength(g), g + 1);
          t.clear();
        }
        counters.inMapperCombineInputRecords = (counters.inMapperCombineInputRecords ?? 0) + inputs;
        counters.inMapperCombineOutputRecords = (counters.inMapperCombineOutputRecords ?? 0) + groups + (nullUsed ? 1 : 0);
        inputs = 0;
        groups = 0;
        nullUsed = false;
      };
      /** Looks up groups for selected rows from `from` on; stops after a row whose new group fills the table. */
      const lookUp = (b: VectorizedRowBatch, from: number): { end: number; full: boolean } => {
        const sel = b.selected;
        if (ints !== null) {
          const kv = b.cols[keyIdx[0]!]! as Extract<ColumnVector, { type: 'int32' }>;
          const kvals = kv.values;
          const kn = kv.nulls;
          for (let j = from; j < b.size; j++) {
            const i = sel[j]!;
            if (kn !== null && kn[i] === 1) {
              if (!nullUsed) {
                initSlot(0);
                nullUsed = true;
              }
              slots[j] = 0;
              continue;
            }
            const g = ints.find(kvals[i]!);
            slots[j] = g + 1;
            if (g === groups) {
              groups++;
              reserve(groups + 1);
              initSlot(g + 1);
              if (ints.bytes + groups * stateBytes > combining.maxBytes) return { end: j + 1, full: true };
            }
          }
          return { end: b.size, full: false };
        }
        const t = table!;
        for (let j = from; j < b.size; j++) {
          const i = sel[j]!;
          key.reset();
          for (let c = 0; c < encoders.length; c++) encoders[c]!(key, b.cols[keyIdx[c]!]!, i);
          const g = t.find(key.buf, key.pos);
          slots[j] = g + 1;
          if (g === groups) {
            groups++;
            reserve(groups + 1);
            initSlot(g + 1);
            if (t.bytes + groups * stateBytes > combining.maxBytes) return { end: j + 1, full: true };
          }
        }
        return { end: b.size, full: false };
      };
      return {
        mapBatch(b, out) {
          evaluateArgs(b);
          let j = 0;
          while (j < b.size) {
            const { end, full } = lookUp(b, j);
            fold(b, j, end);
            inputs += end - j;
            if (full) flush(out);
            j = end;
          }
        },
        finish: flush,
      };
    },
  };
}
