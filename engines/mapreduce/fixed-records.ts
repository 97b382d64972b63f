// The sort buffer of a fixed-width job (fixed-width.ts), column by column in typed arrays: each record's key packed
// into big-endian 32-bit words (zero-padded), its value bytes at a fixed stride, its partition. A spill sorts the
// records with an LSD radix sort over the key bytes, then the partition (stable passes, so equal keys keep their
// arrival order), and writes them as a segment file: the same bytes radix-sort.ts and writeSorted write.
import type { ByteWriter } from './bytes.ts';
import type { FixedWidthLayout } from './fixed-width.ts';
import type { TaskCounters } from './task.ts';
import { writeRecord, type SegmentIndexEntry } from './segment.ts';

/** Merges the values of one key (the job's combiner, counted); called only for keys that occur more than once. */
export type CombineValues = (key: Uint8Array, values: Buffer[]) => Buffer[];

/**
 * A slot's record arrays, kept from one task to the next (module state is per worker thread), as the general
 * path keeps its sort buffer. WARNING: only a task that closes its buffer gives them back.
 */
let spare: FixedRecords | null = null;

/**
 * Writes what `combine` makes of one key's values at `w.pos`; returns how many records that is. WARNING: the
 * caller has reserved the space (combiners never output more bytes than they take in) and holds `w.buf`.
 */
export function writeCombined(w: ByteWriter, key: Uint8Array, ks: number, ke: number, values: Buffer[], combine: CombineValues): number {
  const buf = w.buf;
  const combined = combine(key.subarray(ks, ke), values);
  for (const v of combined) writeRecord(w, key, ks, ke, v, 0, v.length);
  if (w.buf !== buf) throw new Error('combiner output outgrew its input; the spill buffer reservation is wrong');
  return combined.length;
}

/** Ends a spill's writing at `pos`; keys written as they were count as combiner input and output (the identity). */
export function endSpill(w: ByteWriter, pos: number, combine: CombineValues | null, singles: number, counters: TaskCounters): void {
  w.pos = pos;
  if (combine !== null) {
    counters.combineInputRecords! += singles;
    counters.combineOutputRecords! += singles;
  }
}

export class FixedRecords {
  /** Records held. */
  n = 0;
  /** Key plus value bytes held: what the general sort buffer would hold, so both paths spill at the same records. */
  bytes = 0;
  private readonly keyWords: number;
  private readonly stride: number;
  private keys: Uint32Array;
  private keyLength: Uint8Array;
  private values: Buffer;
  private valueLength: Uint8Array;
  private partition: Uint16Array;
  private order = new Uint32Array(0);
  private scratch = new Uint32Array(0);
  private hist = new Int32Array(0);

  private constructor(readonly layout: FixedWidthLayout) {
    this.keyWords = Math.max(1, Math.ceil(layout.keyBytes / 4));
    this.stride = layout.valueBytes;
    const cap = 4096;
    this.keys = new Uint32Array(cap * this.keyWords);
    this.keyLength = new Uint8Array(cap);
    this.values = Buffer.allocUnsafe(cap * this.stride);
    this.valueLength = new Uint8Array(cap);
    this.partition = new Uint16Array(cap);
  }

  /** Empty record arrays for `layout`: the slot's spare ones when they have its shape. */
  static take(layout: FixedWidthLayout): FixedRecords {
    const s = spare;
    if (s !== null && s.layout.keyBytes === layout.keyBytes && s.layout.valueBytes === layout.valueBytes) {
      spare = null;
      s.clear();
      return s;
    }
    return new FixedRecords(layout);
  }

  /** Gives the arrays back to the slot for its next task. */
  release(): void {
    spare = this;
  }

  clear(): void {
    this.n = 0;
    this.bytes = 0;
  }

  /** Appends a record: key bytes [0, klen) of `key`, value bytes [0, vlen) of `value`. */
  add(key: Uint8Array, klen: number, value: Uint8Array, vlen: number, partition: number): void {
    const at = this.push(key, 0, klen, vlen, partition);
    const values = this.values;
    for (let i = 0; i < vlen; i++) values[at + i] = value[i]!;
  }

  /**
   * Appends a record with key bytes [ks, ks + klen) of `key` and returns where in `valueBytes` its `vlen` value
   * bytes go. WARNING: the caller writes them before the next push (which may move the array).
   */
  push(key: Uint8Array, ks: number, klen: number, vlen: number, partition: number): number {
    if (klen > this.layout.keyBytes || vlen > this.stride) {
      throw new Error(`a record of ${klen} key and ${vlen} value bytes does not fit the fixed-width layout (${this.layout.keyBytes}, ${this.stride})`);
    }
    const n = this.n;
    if (n === this.keyLength.length) this.grow();
    const W = this.keyWords;
    const keys = this.keys;
    const base = n * W;
    for (let w = 0; w < W; w++) {
      let x = 0;
      for (let b = w * 4, e = b + 4; b < e; b++) x = (x << 8) | (b < klen ? key[ks + b]! : 0);
      keys[base + w] = x;
    }
    return this.pushed(n, klen, vlen, partition);
  }

  /**
   * push for a key already packed into big-endian words (w1 and w2 are ignored past the layout's words).
   * WARNING: the caller checks that the record fits the layout.
   */
  pushWords(w0: number, w1: number, w2: number, klen: number, vlen: number, partition: number): number {
    const n = this.n;
    if (n === this.keyLength.length) this.grow();
    const W = this.keyWords;
    const keys = this.keys;
    const base = n * W;
    keys[base] = w0;
    if (W > 1) keys[base + 1] = w1;
    if (W > 2) keys[base + 2] = w2;
    return this.pushed(n, klen, vlen, partition);
  }

  private pushed(n: number, klen: number, vlen: number, partition: number): number {
    this.keyLength[n] = klen;
    this.valueLength[n] = vlen;
    this.partition[n] = partition;
    this.bytes += klen + vlen;
    this.n = n + 1;
    return n * this.stride;
  }

  /** The value bytes, one record every `layout.valueBytes` bytes (see push). */
  get valueBytes(): Uint8Array {
    return this.values;
  }

  private grow(): void {
    const cap = this.keyLength.length * 2;
    const keys = new Uint32Array(cap * this.keyWords);
    keys.set(this.keys);
    this.keys = keys;
    const values = Buffer.allocUnsafe(cap * this.stride);
    this.values.copy(values);
    this.values = values;
    for (const name of ['keyLength', 'valueLength'] as const) {
      const a = new Uint8Array(cap);
      a.set(this[name]);
      this[name] = a;
    }
    const p = new Uint16Array(cap);
    p.set(this.partition);
    this.partition = p;
  }

  /**
   * The records' numbers in (partition, key, arrival) order: one stable counting pass per key byte, least
   * significant first, then one over the partition. A byte every record shares (a marker, the high bytes of small
   * ints, zero padding) costs only its histogram.
   */
  sort(partitions: number): Uint32Array {
    const n = this.n;
    if (this.order.length < n) {
      this.order = new Uint32Array(this.keyLength.length);
      this.scratch = new Uint32Array(this.keyLength.length);
    }
    let order = this.order.subarray(0, n);
    let tmp = this.scratch.subarray(0, n);
    for (let i = 0; i < n; i++) order[i] = i;
    if (n < 2) return order;
    const W = this.keyWords;
    const keys = this.keys;
    const K = this.layout.keyBytes;
    // Every key byte's histogram in one pass over the keys: counts do not depend on the order the passes leave.
    const hist = this.histograms(K);
    for (let i = 0; i < n; i++) {
      const base = i * W;
      for (let byte = 0; byte < K; byte++) hist[(byte << 8) | ((keys[base + (byte >> 2)]! >>> (24 - 8 * (byte & 3))) & 0xff)]!++;
    }
    const counts = new Int32Array(Math.max(256, partitions));
    for (let byte = K - 1; byte >= 0; byte--) {
      const wi = byte >> 2;
      const shift = 24 - 8 * (byte & 3);
      if (hist[(byte << 8) | ((keys[wi]! >>> shift) & 0xff)] === n) continue;
      let sum = 0;
      for (let d = 0; d < 256; d++) {
        counts[d] = sum;
        sum += hist[(byte << 8) | d]!;
      }
      for (let i = 0; i < n; i++) {
        const r = order[i]!;
        tmp[counts[(keys[r * W + wi]! >>> shift) & 0xff]!++] = r;
      }
      const t = order;
      order = tmp;
      tmp = t;
    }
    if (partitions > 1) {
      const part = this.partition;
      counts.fill(0, 0, partitions);
      for (let i = 0; i < n; i++) counts[part[i]!]!++;
      let sum = 0;
      for (let p = 0; p < partitions; p++) {
        const c = counts[p]!;
        counts[p] = sum;
        sum += c;
      }
      for (let i = 0; i < n; i++) {
        const r = order[i]!;
        tmp[counts[part[r]!]!++] = r;
      }
      order = tmp;
    }
    return order;
  }

  /** Zeroed room for one 256-entry histogram per key byte. */
  private histograms(keyBytes: number): Int32Array {
    if (this.hist.length < keyBytes << 8) this.hist = new Int32Array(keyBytes << 8);
    const h = this.hist.subarray(0, keyBytes << 8);
    h.fill(0);
    return h;
  }

  /** Record r's key bytes, as a fresh Buffer (for the combiner, which runs only on repeated keys). */
  private keyOf(r: number): Buffer {
    const out = Buffer.allocUnsafe(this.keyLength[r]!);
    for (let i = 0; i < out.length; i++) out[i] = this.keys[r * this.keyWords + (i >> 2)]! >>> (24 - ((i & 3) << 3));
    return out;
  }

  /**
   * Writes the records in `order` to `w` partition by partition, as writeSorted does: `varint keyLen | key |
   * varint valueLen | value`, equal keys merged by `combine` (a key seen once is written as is). Lengths are
   * below 128, so each varint is one byte.
   */
  write(w: ByteWriter, order: Uint32Array, partitions: number, combine: CombineValues | null, counters: TaskCounters): SegmentIndexEntry[] {
    const { keys, keyLength, values, valueLength, partition, keyWords: W, stride } = this;
    const n = order.length;
    const index: SegmentIndexEntry[] = [];
    let singles = 0;
    // WARNING: one reservation for the whole spill (one length byte each for key and value); combiners never
    // output more bytes than they take in.
    w.ensure(this.bytes + 2 * n);
    const buf = w.buf;
    let pos = w.pos;
    let i = 0;
    for (let p = 0; p < partitions; p++) {
      const offset = pos;
      let records = 0;
      while (i < n) {
        const r = order[i]!;
        if (partition[r] !== p) break;
        let j = i + 1;
        if (combine === null || j >= n || !sameKey(keys, keyLength, partition, W, r, order[j]!)) {
          const kl = keyLength[r]!;
          buf[pos++] = kl;
          for (let b = 0, base = r * W; b < kl; b++) buf[pos++] = keys[base + (b >> 2)]! >>> (24 - ((b & 3) << 3));
          const vl = valueLength[r]!;
          buf[pos++] = vl;
          for (let b = r * stride, e = b + vl; b < e; b++) buf[pos++] = values[b]!;
          records++;
          singles++;
          i = j;
          continue;
        }
        const group: Buffer[] = [values.subarray(r * stride, r * stride + valueLength[r]!)];
        while (j < n && sameKey(keys, keyLength, partition, W, r, order[j]!)) {
          const q = order[j]!;
          group.push(values.subarray(q * stride, q * stride + valueLength[q]!));
          j++;
        }
        const key = this.keyOf(r);
        w.pos = pos;
        records += writeCombined(w, key, 0, key.length, group, combine);
        pos = w.pos;
        i = j;
      }
      index.push({ offset, length: pos - offset, records });
    }
    endSpill(w, pos, combine, singles, counters);
    return index;
  }
}

/** Whether records a and b have the same partition and key (a free function over the arrays: the write loop's test). */
function sameKey(keys: Uint32Array, keyLength: Uint8Array, partition: Uint16Array, W: number, a: number, b: number): boolean {
  if (partition[a] !== partition[b] || keyLength[a] !== keyLength[b]) return false;
  for (let w = 0; w < W; w++) if (keys[a * W + w] !== keys[b * W + w]) return false;
  return true;
}
