// Growable byte buffers and varints: the low-level I/O every binary format of this engine (rows, keys, map output
// records, spill files) is written with. No JSON anywhere on the per-record path.

/** An append-only byte buffer that doubles when full. Reuse one per task; `reset()` keeps the memory. */
export class ByteWriter {
  buf: Buffer;
  pos = 0;
  constructor(initial = 1 << 16) {
    this.buf = Buffer.allocUnsafe(initial);
  }
  ensure(extra: number): void {
    if (this.pos + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + extra) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
  reset(): void {
    this.pos = 0;
  }
  /** The written bytes (a view, valid until the next write). */
  view(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
  /** A copy of the written bytes. */
  copy(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }
  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }
  varint(v: number): void {
    this.ensure(5);
    while (v >= 0x80) {
      this.buf[this.pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[this.pos++] = v;
  }
  bytes(src: Uint8Array, start = 0, end = src.length): void {
    const n = end - start;
    this.ensure(n);
    if (n <= 64) {
      // Small copies: a byte loop beats subarray + set, which allocate.
      const buf = this.buf;
      let at = this.pos;
      for (let i = start; i < end; i++) buf[at++] = src[i]!;
      this.pos = at;
      return;
    }
    this.buf.set(n === src.length ? src : src.subarray(start, end), this.pos);
    this.pos += n;
  }
}

/** Reads a varint at `pos`; returns the value and stores the next position in `cursor.pos`. */
export function readVarint(buf: Uint8Array, cursor: { pos: number }): number {
  let pos = cursor.pos;
  let b = buf[pos++]!;
  let v = b & 0x7f;
  let shift = 7;
  while (b & 0x80) {
    b = buf[pos++]!;
    v |= (b & 0x7f) << shift;
    shift += 7;
  }
  cursor.pos = pos;
  return v >>> 0;
}

/** Lexicographic comparison of two byte ranges (memcmp), the RawComparator every sort and merge uses. */
export function compareBytes(a: Uint8Array, as: number, ae: number, b: Uint8Array, bs: number, be: number): number {
  const n = Math.min(ae - as, be - bs);
  for (let i = 0; i < n; i++) {
    const d = a[as + i]! - b[bs + i]!;
    if (d !== 0) return d;
  }
  return ae - as - (be - bs);
}

/** FNV-1a over a byte range: the partitioner's hash (stable across runs and threads). */
export function hashBytes(a: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) {
    h ^= a[i]!;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * `h` (a 32-bit hash, signed or not) as an unsigned number mod `partitions`, in small-integer arithmetic: V8 turns
 * `(h >>> 0) % n` into a float division, a cost per map output record.
 * @example hashPartition(hashBytes(key, 0, key.length), 4) === hashBytes(key, 0, key.length) % 4
 */
export function hashPartition(h: number, partitions: number): number {
  if (partitions >= 0x8000) return (h >>> 0) % partitions;
  return ((((h >>> 16) % partitions) << 16) + (h & 0xffff)) % partitions;
}
