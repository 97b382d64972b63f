// The intermediate record format and the files that hold it. A map output (or spill) file is a run of
// partitions, each a sorted segment of records `varint keyLen | key | varint valueLen | value`; its index file
// (`.index`, 3 float64 per partition: offset, length, records) lets a reducer fetch just its segment.
import { closeSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { ByteWriter, readVarint } from './bytes.ts';

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
  private readonly cursor: { pos: number };
  constructor(
    readonly buf: Buffer,
    start: number,
    private readonly end: number,
  ) {
    this.cursor = { pos: start };
  }
  /** Advances to the next record; false at the end. */
  next(): boolean {
    if (this.cursor.pos >= this.end) return false;
    const kl = readVarint(this.buf, this.cursor);
    this.ks = this.cursor.pos;
    this.ke = this.ks + kl;
    this.cursor.pos = this.ke;
    const vl = readVarint(this.buf, this.cursor);
    this.vs = this.cursor.pos;
    this.ve = this.vs + vl;
    this.cursor.pos = this.ve;
    return true;
  }
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

/** Reads one partition's segment of a map output file (the shuffle fetch). */
export function fetchSegment(path: string, entry: SegmentIndexEntry): Buffer {
  const buf = Buffer.allocUnsafe(entry.length);
  if (entry.length === 0) return buf;
  const fd = openSync(path, 'r');
  try {
    let got = 0;
    while (got < entry.length) {
      const n = readSync(fd, buf, got, entry.length - got, entry.offset + got);
      if (n === 0) throw new Error(`map output ${path} is shorter than its index says`);
      got += n;
    }
  } finally {
    closeSync(fd);
  }
  return buf;
}
