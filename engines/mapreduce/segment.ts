// The intermediate record format and the files that hold it. A map output (or spill) file is a run of
// partitions, each a sorted segment of records `varint keyLen | key | varint valueLen | value`; its index file
// (`.index`, 3 float64 per partition: offset, length, records) lets a reducer fetch just its segment.
import { closeSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { ByteWriter, compareBytes, readVarint } from './bytes.ts';

export interface SegmentIndexEntry {
  offset: number;
  length: number;
  records: number;
}

export function writeRecord(w: ByteWriter, key: Uint8Array, ks: number, ke: number, value: Uint8Array, vs: number, ve: number): void {
  w.varint(ke - ks);
  w.bytes(key, ks, ke);
  w.varint(ve - vs);
  w.bytes(value, vs, ve);
}

/** Iterates the records of one segment in place (no copies): key at [ks, ke), value at [vs, ve) of `buf`. */
export class SegmentReader {
  ks = 0;
  ke = 0;
  vs = 0;
  ve = 0;
  /**
   * The key's first 6 bytes as a big-endian number, zero-padded: a prefix that orders keys as memcmp does
   * whenever two prefixes differ (as Spark's prefix sort), so the merge compares one number for most records.
   */
  prefix = 0;
  private pos: number;
  constructor(
    readonly buf: Buffer,
    start: number,
    private readonly end: number,
  ) {
    this.pos = start;
  }
  /** Advances to the next record; false at the end. */
  next(): boolean {
    let pos = this.pos;
    if (pos >= this.end) return false;
    const buf = this.buf;
    let kl = buf[pos++]!;
    if (kl >= 0x80) {
      const c = { pos: pos - 1 };
      kl = readVarint(buf, c);
      pos = c.pos;
    }
    const ks = pos;
    const ke = ks + kl;
    let prefix = 0;
    for (let i = 0; i < 6; i++) prefix = prefix * 256 + (ks + i < ke ? buf[ks + i]! : 0);
    let vl = buf[ke]!;
    pos = ke + 1;
    if (vl >= 0x80) {
      const c = { pos: ke };
      vl = readVarint(buf, c);
      pos = c.pos;
    }
    this.ks = ks;
    this.ke = ke;
    this.prefix = prefix;
    this.vs = pos;
    this.ve = pos + vl;
    this.pos = pos + vl;
    return true;
  }
}

/** Compares the current keys of two readers as memcmp does, through their prefixes first. */
export function compareCurrentKeys(a: SegmentReader, b: SegmentReader): number {
  if (a.prefix !== b.prefix) return a.prefix - b.prefix;
  const la = a.ke - a.ks;
  const lb = b.ke - b.ks;
  // Equal prefixes and keys no longer than the prefix: the keys are equal unless one is shorter.
  if (la <= 6 && lb <= 6) return la - lb;
  return compareBytes(a.buf, a.ks, a.ke, b.buf, b.ks, b.ke);
}

/**
 * Writes a segment file, then its index. No temp names: map outputs live in the attempt's private directory,
 * which no reducer reads before the attempt has succeeded and which is deleted if it fails, so a rename would
 * buy no atomicity and costs two metadata operations per file.
 */
export function writeSegmentFile(path: string, data: Uint8Array, index: readonly SegmentIndexEntry[]): void {
  writeFileSync(path, data);
  const idx = new Float64Array(index.length * 3);
  index.forEach((e, i) => {
    idx[i * 3] = e.offset;
    idx[i * 3 + 1] = e.length;
    idx[i * 3 + 2] = e.records;
  });
  writeFileSync(`${path}.index`, new Uint8Array(idx.buffer));
}

export function readSegmentIndex(path: string): SegmentIndexEntry[] {
  const raw = readFileSync(`${path}.index`);
  const idx = new Float64Array(raw.buffer, raw.byteOffset, raw.byteLength / 8);
  const out: SegmentIndexEntry[] = [];
  for (let i = 0; i < idx.length; i += 3) out.push({ offset: idx[i]!, length: idx[i + 1]!, records: idx[i + 2]! });
  return out;
}

/**
 * Reads one partition's segment of a map output file (the shuffle fetch), into `into` at `at` when given (a
 * reducer fetching every segment into one buffer), else into a buffer of its own.
 */
export function fetchSegment(path: string, entry: SegmentIndexEntry, into?: Buffer, at = 0): Buffer {
  const buf = into ?? Buffer.allocUnsafe(entry.length);
  if (entry.length === 0) return buf;
  const fd = openSync(path, 'r');
  try {
    let got = 0;
    while (got < entry.length) {
      const n = readSync(fd, buf, at + got, entry.length - got, entry.offset + got);
      if (n === 0) throw new Error(`map output ${path} is shorter than its index says`);
      got += n;
    }
  } finally {
    closeSync(fd);
  }
  return buf;
}
