// The map side's sort buffer (Hadoop's MapOutputBuffer): records are appended in binary form to one buffer of
// `sortBufferBytes`; when it would overflow, the records are sorted by (partition, key), run through the combiner
// and spilled to a file on the task's local disk. At the end the spills are merged into one `file.out` with an
// index, the map output a reducer fetches from. A fixed-width job keeps its records in typed arrays instead
// (fixed-records.ts): same spill points, same files.
import path from 'node:path';
import { readFileSync, renameSync, rmSync } from 'node:fs';
import { ByteWriter, compareBytes, hashBytes, hashPartition } from './bytes.ts';
import { FixedRecords, endSpill, writeCombined, type CombineValues } from './fixed-records.ts';
import type { FixedWidthLayout } from './fixed-width.ts';
import type { Collector, Combiner, FixedCollector } from './job-functions.ts';
import { mergeSegments } from './merge.ts';
import { sortRecords } from './radix-sort.ts';
import { SegmentReader, writeRecord, writeSegmentFile, type SegmentIndexEntry } from './segment.ts';
import type { TaskCounters } from './task.ts';

/**
 * A slot's sort buffer, kept from one of its tasks to the next (module state is per worker thread): a fresh
 * `sortBufferBytes` buffer per task would be garbage a moment later, and collecting it costs more than the task's
 * records. WARNING: only a closed MapOutputBuffer gives its buffer back; a task that fails leaves it to the GC.
 */
let spareBuffer: Buffer | null = null;
/**
 * The slot's spill writer, kept the same way: it grows to a spill's size, and growing it anew per task is copying.
 * One that a final merge grew past twice the sort buffer is left to the GC.
 */
let spareOut: ByteWriter | null = null;

const EMPTY = Buffer.alloc(0);

/** Hadoop merges with the combiner only when there are at least this many spills (min.num.spills.for.combine). */
const MIN_SPILLS_FOR_COMBINE = 3;

interface Spill {
  readonly file: string;
  readonly index: SegmentIndexEntry[];
}

/** Per-map-task state: the buffer, its record index and the spills so far. */
export class MapOutputBuffer implements Collector {
  readonly key = new ByteWriter(256);
  readonly value = new ByteWriter(1024);
  /** The general path's record bytes (empty on the fixed-width path). */
  private kv: Buffer;
  private kvPos = 0;
  /** Bytes of records the buffer holds before it spills: sortBufferBytes, or one record that is bigger. */
  private capacity: number;
  /** The fixed-width path's records, or null on the general path. */
  private readonly records: FixedRecords | null;
  /** The fixed-width path's hand-over without the writers (null on the general path). */
  readonly fixed: FixedCollector | null;
  private outputRecords = 0;
  private outputBytes = 0;
  /** 4 ints per record: start, key length, value length, partition. */
  private meta = new Int32Array(4096 * 4);
  private n = 0;
  private readonly spills: Spill[] = [];
  private readonly out: ByteWriter;
  /** The configured sort buffer size (kv can outgrow it for a single huge record). */
  private readonly bufferBytes: number;

  constructor(
    private readonly dir: string,
    private readonly partitions: number,
    private readonly groupStrip: number,
    private readonly combiner: Combiner | null,
    sortBufferBytes: number,
    private readonly counters: TaskCounters,
    private readonly now: () => number,
    /** Range partitioner for total-order sorts (null: hash the key). */
    private readonly boundaries: readonly Uint8Array[] | null = null,
    layout: FixedWidthLayout | null = null,
  ) {
    this.out = spareOut ?? new ByteWriter(1 << 16);
    spareOut = null;
    const size = Math.max(64, sortBufferBytes);
    this.bufferBytes = size;
    this.capacity = size;
    const records = layout === null || boundaries !== null ? null : FixedRecords.take(layout);
    this.records = records;
    this.fixed =
      records === null
        ? null
        : {
            collect: (key, ks, klen, vlen) => this.collectFixed(records, key, ks, klen, vlen),
            collectInt32: (u, vlen) => this.collectInt32(records, u, vlen),
            get values() {
              return records.valueBytes;
            },
          };
    if (records !== null) {
      this.kv = EMPTY;
    } else if (spareBuffer !== null && spareBuffer.length === size) {
      this.kv = spareBuffer;
      spareBuffer = null;
    } else {
      this.kv = Buffer.allocUnsafe(size);
    }
  }

  /** Called by the mapper after filling `key` and `value`. */
  collect(): void {
    const klen = this.key.pos;
    const vlen = this.value.pos;
    const records = this.records;
    if (records !== null) {
      const at = this.collectFixed(records, this.key.buf, 0, klen, vlen);
      const values = records.valueBytes;
      const vb = this.value.buf;
      for (let i = 0; i < vlen; i++) values[at + i] = vb[i]!;
      this.key.reset();
      this.value.reset();
      return;
    }
    const size = klen + vlen;
    this.outputRecords++;
    this.outputBytes += size;
    if (this.kvPos + size > this.capacity && this.n > 0) this.spill();
    if (size > this.capacity) {
      // One record bigger than the buffer: it gets a buffer of its own size, which stays for the rest of the task.
      this.kv = Buffer.allocUnsafe(size);
      this.capacity = size;
    }
    const partition =
      this.partitions === 1
        ? 0
        : this.boundaries !== null
          ? rangePartition(this.boundaries, this.key.buf, klen)
          : hashPartition(hashBytes(this.key.buf, 0, klen - this.groupStrip), this.partitions);
    // Byte loops: records are tens of bytes, where Buffer#copy's call overhead dominates.
    const kv = this.kv;
    const kb = this.key.buf;
    const vb = this.value.buf;
    let at = this.kvPos;
    for (let i = 0; i < klen; i++) kv[at++] = kb[i]!;
    for (let i = 0; i < vlen; i++) kv[at++] = vb[i]!;
    if ((this.n + 1) * 4 > this.meta.length) {
      const bigger = new Int32Array(this.meta.length * 2);
      bigger.set(this.meta);
      this.meta = bigger;
    }
    const m = this.n * 4;
    this.meta[m] = this.kvPos;
    this.meta[m + 1] = klen;
    this.meta[m + 2] = vlen;
    this.meta[m + 3] = partition;
    this.n++;
    this.kvPos += size;
    this.key.reset();
    this.value.reset();
  }

  /** The fixed-width path's collect: spills first if the record does not fit; returns where its value goes. */
  private collectFixed(records: FixedRecords, key: Uint8Array, ks: number, klen: number, vlen: number): number {
    this.makeRoom(records, klen + vlen);
    const partition = this.partitions === 1 ? 0 : hashPartition(hashBytes(key, ks, ks + klen - this.groupStrip), this.partitions);
    return records.push(key, ks, klen, vlen, partition);
  }

  /** Counts a fixed-width record of `size` bytes as map output and spills first if it does not fit. */
  private makeRoom(records: FixedRecords, size: number): void {
    this.outputRecords++;
    this.outputBytes += size;
    if (records.bytes + size > this.capacity && records.n > 0) this.spill();
    if (size > this.capacity) this.capacity = size;
  }

  /** collectFixed for an int32 key's encoding: its words and its hashBytes are computed from the number. */
  private collectInt32(records: FixedRecords, u: number, vlen: number): number {
    if (this.groupStrip !== 0 || records.layout.keyBytes < 5 || vlen > records.layout.valueBytes) {
      const key = Uint8Array.of(0x01, u >>> 24, u >>> 16, u >>> 8, u);
      return this.collectFixed(records, key, 0, 5, vlen);
    }
    this.makeRoom(records, 5 + vlen);
    let partition = 0;
    if (this.partitions !== 1) {
      // hashBytes over the 5 key bytes, unrolled.
      let h = Math.imul(0x811c9dc5 ^ 0x01, 0x01000193);
      h = Math.imul(h ^ (u >>> 24), 0x01000193);
      h = Math.imul(h ^ ((u >>> 16) & 0xff), 0x01000193);
      h = Math.imul(h ^ ((u >>> 8) & 0xff), 0x01000193);
      h = Math.imul(h ^ (u & 0xff), 0x01000193);
      partition = hashPartition(h, this.partitions);
    }
    return records.pushWords((0x01000000 | (u >>> 8)) >>> 0, ((u & 0xff) << 24) >>> 0, 0, 5, vlen, partition);
  }

  /** Sorts the buffer by (partition, key, arrival) and writes it as one spill file (`file`: the final output). */
  private spill(file = path.join(this.dir, `spill${this.spills.length}.out`)): void {
    const t0 = this.now();
    const w = this.out;
    w.reset();
    const combine: CombineValues | null = this.combiner === null ? null : (key, values) => this.combineValues(key, values);
    let index: SegmentIndexEntry[];
    const records = this.records;
    if (records !== null) {
      index = records.write(w, records.sort(this.partitions), this.partitions, combine, this.counters);
      records.clear();
    } else {
      const { kv, meta, n } = this;
      const order = new Uint32Array(n);
      for (let i = 0; i < n; i++) order[i] = i;
      sortRecords(order, meta, kv, this.partitions);
      index = writeSorted(w, kv, meta, order, this.partitions, combine, this.counters);
    }
    writeSegmentFile(file, w.view(), index);
    this.spills.push({ file, index });
    this.counters.spillFiles! += 1;
    this.counters.recordsSpilled! += index.reduce((s, e) => s + e.records, 0);
    this.counters.bytesSpilled! += w.pos;
    this.counters.bytesWrittenToDisk! += w.pos;
    this.n = 0;
    this.kvPos = 0;
    this.counters.spillMs! += this.now() - t0;
  }

  private combineValues(key: Uint8Array, values: Buffer[]): Buffer[] {
    this.counters.combineInputRecords! += values.length;
    const out = this.combiner!.combine(key, values);
    this.counters.combineOutputRecords! += out.length;
    return out;
  }

  /** Final spill and merge into `file.out` (+ `.index`); returns its path. The sort buffer goes back to the slot. */
  close(): string {
    const final = this.finalSpill();
    this.counters.mapOutputRecords! += this.outputRecords;
    this.counters.mapOutputBytes! += this.outputBytes;
    if (this.out.buf.length <= 2 * this.bufferBytes) spareOut = this.out;
    if (this.records !== null) this.records.release();
    else if (this.kv.length === this.bufferBytes) spareBuffer = this.kv;
    return final;
  }

  /** Records in the buffer, not yet spilled. */
  private get held(): number {
    return this.records !== null ? this.records.n : this.n;
  }

  private finalSpill(): string {
    const final = path.join(this.dir, 'file.out');
    // Everything fits in one sorted run: it is the map output, written under its final name.
    if (this.spills.length === 0) {
      this.spill(final);
      return final;
    }
    if (this.held > 0) this.spill();
    if (this.spills.length === 1) {
      // The records all went out in one earlier spill: that run is the map output.
      const only = this.spills[0]!;
      renameSync(only.file, final);
      renameSync(`${only.file}.index`, `${final}.index`);
      return final;
    }
    const t0 = this.now();
    const buffers = this.spills.map((s) => readFileSync(s.file));
    const useCombiner = this.combiner !== null && this.spills.length >= MIN_SPILLS_FOR_COMBINE;
    const w = this.out;
    w.reset();
    const index: SegmentIndexEntry[] = [];
    for (let p = 0; p < this.partitions; p++) {
      const entry = { offset: w.pos, length: 0, records: 0 };
      const readers = this.spills.map((s, i) => new SegmentReader(buffers[i]!, s.index[p]!.offset, s.index[p]!.offset + s.index[p]!.length));
      let pendingKey: Buffer | null = null;
      let pendingValues: Buffer[] = [];
      const flush = (): void => {
        if (pendingKey === null) return;
        const vals = useCombiner && pendingValues.length > 1 ? this.combineValues(pendingKey, pendingValues) : pendingValues;
        for (const v of vals) writeRecord(w, pendingKey, 0, pendingKey.length, v, 0, v.length);
        entry.records += vals.length;
        pendingKey = null;
        pendingValues = [];
      };
      mergeSegments(readers, (r) => {
        if (!useCombiner) {
          writeRecord(w, r.buf, r.ks, r.ke, r.buf, r.vs, r.ve);
          entry.records++;
          return;
        }
        if (pendingKey !== null && compareBytes(pendingKey, 0, pendingKey.length, r.buf, r.ks, r.ke) === 0) {
          pendingValues.push(r.buf.subarray(r.vs, r.ve));
          return;
        }
        flush();
        pendingKey = r.buf.subarray(r.ks, r.ke);
        pendingValues = [r.buf.subarray(r.vs, r.ve)];
      });
      flush();
      entry.length = w.pos - entry.offset;
      index.push(entry);
    }
    writeSegmentFile(final, w.view(), index);
    this.counters.bytesWrittenToDisk! += w.pos;
    this.counters.mergedBytes! += w.pos;
    for (const s of this.spills) {
      rmSync(s.file, { force: true });
      rmSync(`${s.file}.index`, { force: true });
    }
    this.counters.mergeMs! += this.now() - t0;
    return final;
  }
}

/**
 * Writes sorted records partition by partition, running `combine` over each run of equal keys (a key seen once
 * is written as is: every combiner is the identity on one value). A free function over locals, with the record
 * framing inlined: this loop runs once per map output record and is the map side's hottest code.
 */
function writeSorted(
  w: ByteWriter,
  kv: Buffer,
  meta: Int32Array,
  order: Uint32Array,
  partitions: number,
  combine: CombineValues | null,
  counters: TaskCounters,
): SegmentIndexEntry[] {
  const n = order.length;
  let total = 0;
  for (let i = 0; i < n; i++) total += meta[i * 4 + 1]! + meta[i * 4 + 2]! + 10;
  // WARNING: one reservation for the whole spill; combiners never output more bytes than they take in.
  w.ensure(total);
  const buf = w.buf;
  let pos = w.pos;
  const index: SegmentIndexEntry[] = [];
  let i = 0;
  let singles = 0;
  for (let p = 0; p < partitions; p++) {
    const offset = pos;
    let records = 0;
    while (i < n) {
      const r = order[i]! * 4;
      if (meta[r + 3] !== p) break;
      const ks = meta[r]!;
      const kl = meta[r + 1]!;
      const vl = meta[r + 2]!;
      let j = i + 1;
      if (combine === null || j >= n || !sameKey(kv, meta, order[j]! * 4, ks, ks + kl, p)) {
        let x = kl;
        while (x >= 0x80) {
          buf[pos++] = (x & 0x7f) | 0x80;
          x >>>= 7;
        }
        buf[pos++] = x;
        for (let b = ks, e = ks + kl; b < e; b++) buf[pos++] = kv[b]!;
        x = vl;
        while (x >= 0x80) {
          buf[pos++] = (x & 0x7f) | 0x80;
          x >>>= 7;
        }
        buf[pos++] = x;
        for (let b = ks + kl, e = ks + kl + vl; b < e; b++) buf[pos++] = kv[b]!;
        records++;
        singles++;
        i = j;
        continue;
      }
      const values: Buffer[] = [kv.subarray(ks + kl, ks + kl + vl)];
      while (j < n && sameKey(kv, meta, order[j]! * 4, ks, ks + kl, p)) {
        const q = order[j]! * 4;
        const vs = meta[q]! + meta[q + 1]!;
        values.push(kv.subarray(vs, vs + meta[q + 2]!));
        j++;
      }
      w.pos = pos;
      records += writeCombined(w, kv, ks, ks + kl, values, combine);
      pos = w.pos;
      i = j;
    }
    index.push({ offset, length: pos - offset, records });
  }
  endSpill(w, pos, combine, singles, counters);
  return index;
}

/** Whether record `q` (meta offset) is in partition `p` with the key at [ks, ke). */
function sameKey(kv: Buffer, meta: Int32Array, q: number, ks: number, ke: number, p: number): boolean {
  if (meta[q + 3] !== p || meta[q + 1] !== ke - ks) return false;
  const qs = meta[q]!;
  for (let i = 0; i < ke - ks; i++) if (kv[qs + i] !== kv[ks + i]) return false;
  return true;
}

/** TeraSort's partitioner: how many boundaries are <= the key (binary search over sorted boundaries). */
export function rangePartition(boundaries: readonly Uint8Array[], key: Uint8Array, len: number): number {
  let lo = 0;
  let hi = boundaries.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const b = boundaries[mid]!;
    if (compareBytes(b, 0, b.length, key, 0, len) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
