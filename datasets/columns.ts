// Column builders that write Arrow buffers directly (typed arrays, Utf8 offsets + bytes, validity bitmaps), so
// generators reach millions of rows per second instead of building per-row JS objects; plus the table assembler.
import * as arrow from 'apache-arrow';
import { toArrowSchema, toArrowType, type Schema } from '../plan/index.ts';
import type { Prng } from './prng.ts';

const ENCODER = new TextEncoder();

/**
 * UTF-8 bytes of a string, for pools of fixed values copied into many rows. ASCII (labels, codes) is copied char
 * by char: TextEncoder.encode costs microseconds per call in Node 20, and a pool of 50,000 labels spent 0.1 s there.
 */
export function utf8Bytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f) return ENCODER.encode(s);
    out[i] = c;
  }
  return out;
}

/**
 * A validity bitmap (bit set = value present), all valid until `setNull`. Arrow's LSB bit order.
 * Per-column generation state: create one per column and hand it to the column's builder.
 */
export class Validity {
  readonly bits: Uint8Array;
  nullCount = 0;

  /**
   * `byteLength` pads the bitmap with zero bytes: Arrow IPC writes a bitmap whole, so matching bytes written
   * through apache-arrow's builders (which round bitmaps up to 64 bytes) needs the same padding.
   */
  constructor(readonly length: number, byteLength = 0) {
    const used = Math.ceil(length / 8);
    this.bits = new Uint8Array(Math.max(used, byteLength));
    this.bits.fill(0xff, 0, used);
    // Padding bits past the end are cleared so the bytes (and so the IPC file) depend only on the data.
    if (length % 8 !== 0) this.bits[used - 1] = (1 << (length % 8)) - 1;
  }

  setNull(i: number): void {
    const byte = i >> 3;
    const mask = 1 << (i & 7);
    if (this.bits[byte]! & mask) {
      this.bits[byte] = this.bits[byte]! & ~mask;
      this.nullCount++;
    }
  }

  isNull(i: number): boolean {
    return (this.bits[i >> 3]! & (1 << (i & 7))) === 0;
  }

  /**
   * NULL exactly where codes[i] is 0 (the generators' code for NA): what `setNull` on each such row gives, eight
   * rows a byte without a branch (a branch per row mispredicts on every scattered NULL).
   */
  static whereZero(codes: Int32Array): Validity {
    const n = codes.length;
    const v = new Validity(n);
    const bits = v.bits;
    const whole = n >> 3;
    let valid = 0;
    for (let b = 0, i = 0; b < whole; b++, i += 8) {
      // (c | -c) >>> 31 is 1 for a code c ≠ 0 (codes are non-negative int32s), 0 for c = 0.
      const byte =
        ((codes[i]! | -codes[i]!) >>> 31) |
        (((codes[i + 1]! | -codes[i + 1]!) >>> 31) << 1) |
        (((codes[i + 2]! | -codes[i + 2]!) >>> 31) << 2) |
        (((codes[i + 3]! | -codes[i + 3]!) >>> 31) << 3) |
        (((codes[i + 4]! | -codes[i + 4]!) >>> 31) << 4) |
        (((codes[i + 5]! | -codes[i + 5]!) >>> 31) << 5) |
        (((codes[i + 6]! | -codes[i + 6]!) >>> 31) << 6) |
        (((codes[i + 7]! | -codes[i + 7]!) >>> 31) << 7);
      bits[b] = byte;
      valid += BITS_SET[byte]!;
    }
    v.nullCount = (whole << 3) - valid;
    for (let i = whole << 3; i < n; i++) if (codes[i] === 0) v.setNull(i);
    return v;
  }
}

/** BITS_SET[b]: the number of bits set in the byte b. */
const BITS_SET = (() => {
  const t = new Uint8Array(256);
  for (let b = 1; b < 256; b++) t[b] = (b & 1) + t[b >> 1]!;
  return t;
})();

function nullProps(validity: Validity | undefined): { nullCount: number; nullBitmap?: Uint8Array } {
  return validity && validity.nullCount > 0 ? { nullCount: validity.nullCount, nullBitmap: validity.bits } : { nullCount: 0 };
}

export function int32Data(values: Int32Array, validity?: Validity): arrow.Data {
  return arrow.makeData({ type: new arrow.Int32(), length: values.length, data: values, ...nullProps(validity) });
}

export function float64Data(values: Float64Array, validity?: Validity): arrow.Data {
  return arrow.makeData({ type: new arrow.Float64(), length: values.length, data: values, ...nullProps(validity) });
}

/**
 * A TimestampMillisecond column under construction. Arrow stores int64; writing the two 32-bit halves avoids a
 * BigInt allocation per row. WARNING: assumes a little-endian platform (as Arrow IPC and every supported CPU are).
 */
export class TimestampColumn {
  private readonly words: Int32Array;
  constructor(readonly length: number) {
    this.words = new Int32Array(length * 2);
  }

  /** Set row i to `ms` milliseconds since the epoch (an integer with |ms| < 2^53). */
  set(i: number, ms: number): void {
    const hi = Math.floor(ms / 4294967296);
    this.words[2 * i] = ms - hi * 4294967296; // stored modulo 2^32: the low word's bit pattern
    this.words[2 * i + 1] = hi;
  }

  /** Set rows start..end-1 to `ms` (one division for a run of equal times). */
  fill(start: number, end: number, ms: number): void {
    const hi = Math.floor(ms / 4294967296);
    const lo = ms - hi * 4294967296;
    for (let i = start; i < end; i++) {
      this.words[2 * i] = lo;
      this.words[2 * i + 1] = hi;
    }
  }

  get(i: number): number {
    return this.words[2 * i + 1]! * 4294967296 + (this.words[2 * i]! >>> 0);
  }

  finish(validity?: Validity): arrow.Data {
    const data = new BigInt64Array(this.words.buffer, this.words.byteOffset, this.length);
    return arrow.makeData({ type: new arrow.TimestampMillisecond(), length: this.length, data, ...nullProps(validity) });
  }
}

const DIGIT_0 = 48;

/** The last `width` decimal digits of the non-negative integer n, zero-padded, into b[at..at+width). */
function writeDigits(b: Uint8Array, at: number, width: number, n: number): void {
  for (let i = at + width - 1; i >= at; i--) {
    // Integer division by `| 0` where n fits in int32: about 1.5× faster than Math.floor on doubles.
    const q = n < 2147483648 ? (n / 10) | 0 : Math.floor(n / 10);
    b[i] = DIGIT_0 + (n - q * 10);
    n = q;
  }
}

/**
 * A Utf8 column under construction: an offsets array and a growing byte buffer.
 * WARNING: Arrow's Utf8 uses int32 offsets, so one column holds at most 2^31 − 1 bytes; `grow` reports it clearly.
 *
 * @example
 * const b = new Utf8Builder(rows, 6);
 * b.push(utf8Bytes('view')); b.pushNumber('id', 7, 3); b.pushNull(); // 'view', 'id007', NULL
 * const data = b.finish(validity);
 */
export class Utf8Builder {
  private readonly offsets: Int32Array;
  private bytes: Uint8Array;
  private pos = 0;
  private row = 0;

  constructor(
    readonly length: number,
    bytesPerValueHint: number,
    private readonly columnName = 'string column',
  ) {
    this.offsets = new Int32Array(length + 1);
    this.bytes = new Uint8Array(Math.max(64, Math.min(2 ** 31 - 1, Math.ceil(length * bytesPerValueHint))));
  }

  private grow(need: number): void {
    if (need > 2 ** 31 - 1) {
      throw new Error(`${this.columnName} would exceed Arrow Utf8's 2 GiB per column; generate fewer rows`);
    }
    const next = new Uint8Array(Math.min(2 ** 31 - 1, Math.max(need, this.bytes.length * 2)));
    next.set(this.bytes.subarray(0, this.pos));
    this.bytes = next;
  }

  /** Append a value given as UTF-8 bytes. */
  push(value: Uint8Array): void {
    const end = this.pos + value.length;
    if (end > this.bytes.length) this.grow(end);
    const b = this.bytes;
    // Short values (the common case) copy faster in a loop than through TypedArray#set's runtime call.
    if (value.length <= 32) for (let i = 0, p = this.pos; i < value.length; i++, p++) b[p] = value[i]!;
    else b.set(value, this.pos);
    this.pos = end;
    this.offsets[++this.row] = end;
  }

  /** Append `prefix` followed by the decimal digits of the non-negative integer n, zero-padded to `width`. */
  pushNumber(prefix: string, n: number, width = 1): void {
    let digits = 1;
    for (let p = 10; p <= n; p *= 10) digits++;
    const w = digits > width ? digits : width;
    const end = this.pos + prefix.length + w;
    if (end > this.bytes.length) this.grow(end);
    const b = this.bytes;
    let p = this.pos;
    for (let i = 0; i < prefix.length; i++) b[p++] = prefix.charCodeAt(i); // prefixes are ASCII
    writeDigits(b, p, w, n);
    this.pos = end;
    this.offsets[++this.row] = end;
  }

  /** Append an empty slot; the caller marks the row NULL in the column's Validity. */
  pushNull(): void {
    this.offsets[++this.row] = this.pos;
  }

  finish(validity?: Validity): arrow.Data {
    if (this.row !== this.length) throw new Error(`${this.columnName}: ${this.row} values appended, expected ${this.length}`);
    const data = this.bytes.subarray(0, this.pos);
    return arrow.makeData({ type: new arrow.Utf8(), length: this.length, valueOffsets: this.offsets, data, ...nullProps(validity) });
  }
}

/**
 * Values of a string pool packed as zero-padded little-endian 32-bit words, each from an 8-byte boundary: the form
 * pooledUtf8 copies from.
 * Adding a value allocates nothing per value, so pools of many values (one per invoice) cost no GC.
 *
 * @example
 * const pool = new Utf8Pool();
 * pool.addNumber('C', 536365); // 0: 'C536365'
 * pool.add(utf8Bytes('view')); // 1
 */
export class Utf8Pool {
  private valueLengths = new Int32Array(16);
  private valueWordStart = new Int32Array(16);
  private bytes = new Uint8Array(64);
  private count = 0;
  private usedWords = 0;

  /** Values added so far. */
  get size(): number {
    return this.count;
  }

  /** Byte length of each value (indexed 0..size-1; valid until the next add). */
  get lengths(): Int32Array {
    return this.valueLengths;
  }

  /** Index of each value's first word in `words` (valid until the next add). */
  get wordStart(): Int32Array {
    return this.valueWordStart;
  }

  static of(values: readonly Uint8Array[]): Utf8Pool {
    const pool = new Utf8Pool();
    for (const v of values) pool.add(v);
    return pool;
  }

  /** The packed values as words (valid until the next add). */
  get words(): Uint32Array {
    return new Uint32Array(this.bytes.buffer, 0, this.usedWords);
  }

  /** The packed values as 8-byte chunks: each value starts a chunk, at wordStart / 2 (valid until the next add). */
  get chunks(): Float64Array {
    return new Float64Array(this.bytes.buffer, 0, this.usedWords / 2);
  }

  /** `chunks` followed by `extra` zero chunks, so that reads up to `extra` chunks from any value stay in bounds. */
  paddedChunks(extra: number): Float64Array {
    const need = (this.usedWords + 2 * extra) * 4;
    if (need > this.bytes.length) this.growTo(need);
    return new Float64Array(this.bytes.buffer, 0, this.usedWords / 2 + extra);
  }

  /** The byte length every value has, or -1 if they differ (or there are none). */
  get uniformLength(): number {
    if (this.count === 0) return -1;
    const first = this.valueLengths[0]!;
    for (let v = 1; v < this.count; v++) if (this.valueLengths[v] !== first) return -1;
    return first;
  }

  /** Fresh buffers are zeroed, so padding bytes stay zero after a grow. */
  private growTo(byteLength: number): void {
    const bytes = new Uint8Array(Math.max(byteLength, this.bytes.length * 2));
    bytes.set(this.bytes);
    this.bytes = bytes;
  }

  /** Room for one more value of `byteLength` bytes; returns the byte offset it starts at. */
  private reserve(byteLength: number): number {
    if (this.count === this.valueLengths.length) {
      const lengths = new Int32Array(this.count * 2);
      lengths.set(this.valueLengths);
      this.valueLengths = lengths;
      const wordStart = new Int32Array(this.count * 2);
      wordStart.set(this.valueWordStart);
      this.valueWordStart = wordStart;
    }
    const words = 2 * Math.ceil(byteLength / 8); // values start on 8-byte boundaries (chunks)
    if ((this.usedWords + words) * 4 > this.bytes.length) this.growTo((this.usedWords + words) * 4);
    this.valueLengths[this.count] = byteLength;
    this.valueWordStart[this.count] = this.usedWords;
    this.usedWords += words;
    return this.valueWordStart[this.count]! * 4;
  }

  /** Add a value given as UTF-8 bytes; returns its index. */
  add(value: Uint8Array): number {
    const at = this.reserve(value.length); // first: it may replace this.bytes
    this.bytes.set(value, at);
    return this.count++;
  }

  /** Add `prefix` (ASCII) followed by the decimal digits of the non-negative integer n; returns its index. */
  addNumber(prefix: string, n: number): number {
    let digits = 1;
    for (let p = 10; p <= n; p *= 10) digits++;
    const at = this.reserve(prefix.length + digits);
    const b = this.bytes;
    for (let i = 0; i < prefix.length; i++) b[at + i] = prefix.charCodeAt(i);
    writeDigits(b, at + prefix.length, digits, n);
    return this.count++;
  }
}

/** Runs of one value at least this long are written by doubling (copyWithin) rather than row by row. */
const MIN_DOUBLED_RUN = 64;
/**
 * 8-byte stores each row makes whatever its value's length (the rest, for longer values, in a loop): a fixed number
 * of stores is predicted, while a loop whose count varies from row to row mispredicted about once a row.
 */
const MAX_FIXED_CHUNKS = 4;

/**
 * What pooledUtf8 and runsUtf8 copy from: the pool's chunks, zero-padded so that `fixed` chunks can be read from
 * any value's start, or null if a chunk reads as NaN (a NaN's bits need not survive the copy; valid UTF-8 never
 * forms one: it would take a byte 0x7F after a byte of 0xF0 or above).
 */
interface ChunkSource {
  readonly chunks: Float64Array;
  /** Stores each row makes (1..MAX_FIXED_CHUNKS): enough for the pool's longest value, if it is short. */
  readonly fixed: number;
}

function chunkSource(pool: Utf8Pool): ChunkSource | null {
  const lengths = pool.lengths;
  let longest = 0;
  for (let v = 0; v < pool.size; v++) if (lengths[v]! > longest) longest = lengths[v]!;
  const fixed = Math.max(1, Math.min(MAX_FIXED_CHUNKS, Math.ceil(longest / 8)));
  const chunks = pool.paddedChunks(fixed);
  for (let c = 0; c < chunks.length; c++) if (Number.isNaN(chunks[c])) return null;
  return { chunks, fixed };
}

/**
 * Copy one value, chunks c.., to bytes at..end (end > at). The `fixed` stores are made whatever the length: what
 * spills past `end` lies in the next row's bytes, which are written after (or in the room past the column's end).
 */
function writeValue(view: DataView, chunks: Float64Array, c: number, at: number, end: number, fixed: number): void {
  view.setFloat64(at, chunks[c]!, true);
  if (fixed > 1) {
    view.setFloat64(at + 8, chunks[c + 1]!, true);
    if (fixed > 2) {
      view.setFloat64(at + 16, chunks[c + 2]!, true);
      if (fixed > 3) view.setFloat64(at + 24, chunks[c + 3]!, true);
    }
  }
  for (let p = at + 8 * fixed, q = c + fixed; p < end; p += 8) view.setFloat64(p, chunks[q++]!, true);
}

/** Rows of one value, `len` > 0 bytes, `count` of them from byte `start`, nothing NULL among them. */
function writeRun(out: Uint8Array, view: DataView, source: ChunkSource, c: number, start: number, len: number, count: number): void {
  const { chunks, fixed } = source;
  if (count < MIN_DOUBLED_RUN) {
    for (let r = 0, at = start; r < count; r++, at += len) writeValue(view, chunks, c, at, at + len, fixed);
    return;
  }
  // The run's bytes are the value repeated: write it once and double what is written (a few copyWithin calls
  // instead of a copy per row).
  writeValue(view, chunks, c, start, start + len, fixed);
  const runBytes = count * len;
  for (let filled = len; filled < runBytes; ) {
    const chunk = Math.min(filled, runBytes - filled);
    out.copyWithin(start + filled, start, start + chunk);
    filled += chunk;
  }
}

function utf8Data(n: number, offsets: Int32Array, bytes: Uint8Array, total: number, validity: Validity | undefined): arrow.Data {
  bytes.fill(0, total); // what spilled past the last value lies outside the column's bytes
  return arrow.makeData({ type: new arrow.Utf8(), length: n, valueOffsets: offsets, data: bytes.subarray(0, total), ...nullProps(validity) });
}

function checkUtf8Size(total: number, columnName: string): void {
  if (total > 2 ** 31 - 1) throw new Error(`${columnName} would exceed Arrow Utf8's 2 GiB per column; generate fewer rows`);
  if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) throw new Error('pooled strings need a little-endian platform');
}

/**
 * A Utf8 column whose rows are values of a pool, given by index: the two-pass way to build low-cardinality
 * string columns (first the exact byte size, then one tight loop writing offsets and bytes), about twice as fast as
 * pushing per row. Rows whose validity bit is clear get an empty slot; their index must still be one of the pool's.
 * A caller that counted the column's bytes while drawing passes them as `byteLength` and saves the first pass.
 *
 * @example
 * pooledUtf8(new Int32Array([1, 0, 1]), [utf8Bytes('view'), utf8Bytes('click')]) // 'click', 'view', 'click'
 */
export function pooledUtf8(indices: Int32Array, values: readonly Uint8Array[] | Utf8Pool, validity?: Validity, columnName = 'string column', byteLength?: number): arrow.Data {
  const n = indices.length;
  const pool = values instanceof Utf8Pool ? values : Utf8Pool.of(values);
  const lengths = pool.lengths;
  const wordStart = pool.wordStart;
  const bits = validity !== undefined && validity.nullCount > 0 ? validity.bits : null;
  const total = byteLength ?? columnBytes(indices, lengths, bits);
  checkUtf8Size(total, columnName);
  const source = chunkSource(pool);
  const offsets = new Int32Array(n + 1);
  // Room past the end for the stores of the last value (at most MAX_FIXED_CHUNKS chunks).
  const buffer = new ArrayBuffer(total + 8 * MAX_FIXED_CHUNKS);
  const view = new DataView(buffer);
  const out = new Uint8Array(buffer);
  if (source === null) {
    copyByWords(indices, offsets, lengths, wordStart, pool.words, bits, view);
    return utf8Data(n, offsets, out, total, validity);
  }
  const { chunks, fixed } = source;
  let at = 0;
  for (let i = 0; i < n; i++) {
    const idx = indices[i]!;
    // A NULL row's length is masked to 0 by its validity bit, without a branch.
    const len = bits === null ? lengths[idx]! : lengths[idx]! & -((bits[i >> 3]! >> (i & 7)) & 1);
    const c = wordStart[idx]! >> 1;
    if (len > 0) writeValue(view, chunks, c, at, at + len, fixed);
    offsets[i + 1] = at += len;
    if (len > 0 && i + 1 < n && indices[i + 1] === idx) {
      // A run: rows i+1..j-1 repeat row i's value (sorted columns) and are not NULL.
      let j = i + 1;
      while (j < n && indices[j] === idx && (bits === null || (bits[j >> 3]! >> (j & 7)) & 1)) j++;
      writeRun(out, view, source, c, at, len, j - i - 1);
      for (let r = i + 1; r < j; r++) offsets[r + 1] = at += len;
      i = j - 1;
    }
  }
  if (at !== total) throw new Error(`${columnName}: ${at} bytes written, ${total} given`);
  return utf8Data(n, offsets, out, total, validity);
}

/** The bytes of pooledUtf8's column: the rows' value lengths, 0 for NULL rows (validity `bits`, if any). */
function columnBytes(indices: Int32Array, lengths: Int32Array, bits: Uint8Array | null): number {
  // A double, so it cannot wrap: checkUtf8Size after the loop suffices.
  let total = 0;
  if (bits === null) for (let i = 0; i < indices.length; i++) total += lengths[indices[i]!]!;
  else for (let i = 0; i < indices.length; i++) total += lengths[indices[i]!]! & -((bits[i >> 3]! >> (i & 7)) & 1);
  return total;
}

/**
 * A Utf8 column given as runs of one value, without NULLs: rows runEnds[r - 1]..runEnds[r] − 1 (from row 0) hold
 * pool value runValues[r], for r < runCount. What pooledUtf8 writes for the rows spelled out, without an index per
 * row: for columns that a generator holds constant over stretches of rows (retail's invoice and country).
 *
 * @example
 * runsUtf8(new Int32Array([2, 3]), new Int32Array([1, 0]), 2, [utf8Bytes('view'), utf8Bytes('click')]) // 'click', 'click', 'view'
 */
export function runsUtf8(runEnds: Int32Array, runValues: Int32Array, runCount: number, values: readonly Uint8Array[] | Utf8Pool, columnName = 'string column'): arrow.Data {
  const n = runCount > 0 ? runEnds[runCount - 1]! : 0;
  const pool = values instanceof Utf8Pool ? values : Utf8Pool.of(values);
  const lengths = pool.lengths;
  const wordStart = pool.wordStart;
  let total = 0;
  for (let r = 0, row = 0; r < runCount; row = runEnds[r++]!) total += lengths[runValues[r]!]! * (runEnds[r]! - row);
  checkUtf8Size(total, columnName);
  const source = chunkSource(pool);
  if (source === null) {
    // Chunks that read as NaN: spell the rows out for pooledUtf8's 4-byte copy.
    const indices = new Int32Array(n);
    for (let r = 0, row = 0; r < runCount; r++) indices.fill(runValues[r]!, row, (row = runEnds[r]!));
    return pooledUtf8(indices, pool, undefined, columnName);
  }
  const offsets = new Int32Array(n + 1);
  const buffer = new ArrayBuffer(total + 8 * MAX_FIXED_CHUNKS);
  const view = new DataView(buffer);
  const out = new Uint8Array(buffer);
  let at = 0;
  for (let r = 0, row = 0; r < runCount; ) {
    const value = runValues[r]!;
    // Neighbouring runs of the same value are one run here (consecutive invoices from one country).
    let end = runEnds[r++]!;
    while (r < runCount && runValues[r] === value) end = runEnds[r++]!;
    const len = lengths[value]!;
    if (len > 0 && end > row) writeRun(out, view, source, wordStart[value]! >> 1, at, len, end - row);
    for (; row < end; row++) offsets[row + 1] = at += len;
  }
  return utf8Data(n, offsets, out, total, undefined);
}

/** Rows whose indices streamedUtf8 asks for at a time: small enough to stay in L1. */
const STREAM_BLOCK = 2048;

/**
 * pooledUtf8 for indices that are not kept: `next(block)` fills `block` with the next block.length indices, in row
 * order (a Prng's fillInt, say), and they are written as they come — no index column of N rows is allocated,
 * written and read back. Every pool value has the same byte length (offsets are row × length), and there are no
 * NULLs.
 *
 * @example
 * const rng = Prng.stream(42, 'labels');
 * streamedUtf8(1000, pool, (block) => rng.fillInt(block, pool.size)); // = pooledUtf8 of a fillInt'ed column
 */
export function streamedUtf8(rows: number, values: readonly Uint8Array[] | Utf8Pool, next: (block: Int32Array) => void, columnName = 'string column'): arrow.Data {
  const pool = values instanceof Utf8Pool ? values : Utf8Pool.of(values);
  const len = pool.uniformLength;
  if (len < 0) throw new Error(`${columnName}: streamedUtf8 takes values of one byte length`);
  const total = rows * len;
  checkUtf8Size(total, columnName);
  const source = chunkSource(pool);
  const block = new Int32Array(Math.min(STREAM_BLOCK, rows));
  if (source === null) {
    const indices = new Int32Array(rows);
    for (let start = 0; start < rows; start += block.length) next(indices.subarray(start, Math.min(rows, start + block.length)));
    return pooledUtf8(indices, pool, undefined, columnName);
  }
  const offsets = new Int32Array(rows + 1);
  for (let i = 1; i <= rows; i++) offsets[i] = i * len;
  const buffer = new ArrayBuffer(total + 8 * MAX_FIXED_CHUNKS);
  const view = new DataView(buffer);
  const { chunks, fixed } = source;
  const wordStart = pool.wordStart;
  for (let start = 0; start < rows; start += block.length) {
    const m = Math.min(block.length, rows - start);
    const b = m === block.length ? block : block.subarray(0, m);
    next(b);
    for (let k = 0, at = start * len; k < m; k++, at += len) writeValue(view, chunks, wordStart[b[k]!]! >> 1, at, at + len, fixed);
  }
  return utf8Data(rows, offsets, new Uint8Array(buffer), total, undefined);
}

/** pooledUtf8's copy for pools whose chunks are not all numbers: 4-byte words, row by row, offsets as it goes. */
function copyByWords(indices: Int32Array, offsets: Int32Array, lengths: Int32Array, wordStart: Int32Array, words: Uint32Array, bits: Uint8Array | null, view: DataView): void {
  let at = 0;
  for (let i = 0; i < indices.length; i++) {
    const idx = indices[i]!;
    const end = bits === null || (bits[i >> 3]! >> (i & 7)) & 1 ? at + lengths[idx]! : at;
    for (let w = wordStart[idx]!; at < end; at += 4) view.setUint32(at, words[w++]!, true);
    offsets[i + 1] = at = end;
  }
}

/** PADDED_DIGITS[x], x < 10^4: the four zero-padded ASCII digits of x as a little-endian word ('0042' for 42). */
const PADDED_DIGITS = (() => {
  const words = new Uint32Array(10_000);
  for (let x = 0; x < 10_000; x++) {
    const d = [Math.floor(x / 1000), Math.floor(x / 100) % 10, Math.floor(x / 10) % 10, x % 10];
    words[x] = (DIGIT_0 + d[0]!) | ((DIGIT_0 + d[1]!) << 8) | ((DIGIT_0 + d[2]!) << 16) | ((DIGIT_0 + d[3]!) << 24);
  }
  return words;
})();

/** Decimal digits of a non-negative int32. */
function decimalDigits(c: number): number {
  if (c < 10_000) return c < 10 ? 1 : c < 100 ? 2 : c < 1000 ? 3 : 4;
  if (c < 100_000_000) return c < 100_000 ? 5 : c < 1_000_000 ? 6 : c < 10_000_000 ? 7 : 8;
  return c < 1_000_000_000 ? 9 : 10;
}

/**
 * A Utf8 column of `prefix` (ASCII) followed by each row's code in decimal, zero-padded to `width` digits
 * (`'id' + 42` → 'id42'; width 10 → 'id0000000042'): what Utf8Builder.pushNumber writes row by row, written in
 * 4-byte words (the prefix, then groups of four digits from a table) in one pass, about twice as fast. Codes are
 * non-negative int32s. Rows whose validity bit is clear get an empty slot.
 *
 * @example
 * decimalUtf8(new Int32Array([7, 1234567]), 'id') // 'id7', 'id1234567'
 */
export function decimalUtf8(codes: Int32Array, prefix: string, width = 1, validity?: Validity, columnName = 'string column'): arrow.Data {
  const n = codes.length;
  if (!/^[\x20-\x7e]*$/.test(prefix)) throw new Error(`${columnName}: decimalUtf8 takes an ASCII prefix, got '${prefix}'`);
  if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) throw new Error('decimalUtf8 needs a little-endian platform');
  const hasNulls = validity !== undefined && validity.nullCount > 0;
  // Pass 1: the digits of every row (at least `width`), into the offsets.
  const offsets = new Int32Array(n + 1);
  let total = 0;
  for (let i = 0; i < n; i++) {
    if (!hasNulls || !validity.isNull(i)) {
      const c = codes[i]!;
      if (c < 0) throw new Error(`${columnName}: code ${c} at row ${i} is negative`);
      const digits = decimalDigits(c);
      total += prefix.length + (digits > width ? digits : width);
    }
    offsets[i + 1] = total;
  }
  if (total > 2 ** 31 - 1) throw new Error(`${columnName} would exceed Arrow Utf8's 2 GiB per column; generate fewer rows`);
  // Pass 2: each write is a whole word; what spills past a piece is overwritten by the next piece (or lies in the
  // 4 bytes of room past the end, cleared below).
  const buffer = new ArrayBuffer(total + 4);
  const view = new DataView(buffer);
  const bytes = new Uint8Array(buffer);
  const shortPrefix = prefix.length <= 4;
  let prefixWord = 0;
  for (let j = prefix.length - 1; j >= 0 && shortPrefix; j--) prefixWord = (prefixWord << 8) | prefix.charCodeAt(j);
  const plen = prefix.length;
  for (let i = 0; i < n; i++) {
    let at = offsets[i]!;
    const end = offsets[i + 1]!;
    if (at === end) continue; // NULL
    if (shortPrefix) view.setUint32(at, prefixWord, true);
    else for (let j = 0; j < plen; j++) bytes[at + j] = prefix.charCodeAt(j);
    at += plen;
    let digits = end - at;
    for (; digits > 12; digits--) bytes[at++] = DIGIT_0; // padding beyond what three words hold
    // `(c / d) | 0` on an int32 is an integer division by a constant, which V8 turns into a multiplication.
    let c = codes[i]!;
    if (digits > 8) {
      const top = (c / 100_000_000) | 0;
      c -= top * 100_000_000;
      // digits - 8 of top's (at most two, zero-padded) digits: the last ones of its padded word.
      view.setUint32(at, PADDED_DIGITS[top]! >>> ((12 - digits) * 8), true);
      at = end - 8;
    }
    if (digits > 4) {
      const high = (c / 10_000) | 0;
      c -= high * 10_000;
      const lead = digits > 8 ? 4 : digits - 4;
      view.setUint32(at, PADDED_DIGITS[high]! >>> ((4 - lead) * 8), true);
      at = end - 4;
    }
    const lead = digits > 4 ? 4 : digits;
    view.setUint32(at, PADDED_DIGITS[c]! >>> ((4 - lead) * 8), true);
  }
  bytes.fill(0, total, total + 4);
  return arrow.makeData({ type: new arrow.Utf8(), length: n, valueOffsets: offsets, data: bytes.subarray(0, total), ...nullProps(validity) });
}

/**
 * Assemble one Arrow table whose Arrow schema is exactly `toArrowSchema(schema)`, so every generated table has the
 * same field order, types and nullability that engines expect: one record batch, or one per set of columns given
 * (rows written in ranges, e.g. one per thread, kept apart rather than copied into one).
 */
export function buildTable(schema: Schema, columns: Readonly<Record<string, arrow.Data>> | readonly Readonly<Record<string, arrow.Data>>[]): arrow.Table {
  const target = toArrowSchema(schema);
  // Several sets of columns are record batches, in order; empty ones are left out (but a table keeps one).
  const sets = Array.isArray(columns) ? (columns as readonly Readonly<Record<string, arrow.Data>>[]) : [columns as Readonly<Record<string, arrow.Data>>];
  const batches = sets.map((set) => recordBatch(schema, target, set));
  const kept = batches.filter((b) => b.numRows > 0);
  return new arrow.Table(target, kept.length > 0 ? kept : batches.slice(0, 1));
}

function recordBatch(schema: Schema, target: arrow.Schema, columns: Readonly<Record<string, arrow.Data>>): arrow.RecordBatch {
  let length: number | undefined;
  const children = schema.map((f) => {
    const data = columns[f.name];
    if (!data) throw new Error(`generator produced no column '${f.name}'`);
    if (!arrow.util.compareTypes(data.type, toArrowType(f.type))) {
      throw new Error(`generator produced column '${f.name}' as ${data.type}, declared ${f.type}`);
    }
    if (length !== undefined && data.length !== length) {
      throw new Error(`column '${f.name}' has ${data.length} rows, expected ${length}`);
    }
    length = data.length;
    return data;
  });
  const n = length ?? 0;
  const struct = arrow.makeData({ type: new arrow.Struct(target.fields), length: n, nullCount: 0, children });
  return new arrow.RecordBatch(target, struct);
}

/** Draws a block of fillRoundedFloat takes at a time. */
const ROUNDED_BLOCK = 1024;

/**
 * out[i] = roundTo(rng.float() · scale, decimals) for every i in order: db-benchmark's measures (uniform [0, 100) to
 * 6 decimals). The draws go through a small block, so the column is written once (fillFloat into the column and
 * rounding it in place wrote it twice).
 */
export function fillRoundedFloat(out: Float64Array, rng: Prng, scale: number, decimals: number): void {
  const block = new Float64Array(Math.min(ROUNDED_BLOCK, out.length));
  const f = 10 ** decimals; // roundTo's factor, hoisted: per value, 10 ** decimals is a call to pow
  for (let start = 0; start < out.length; start += block.length) {
    const m = Math.min(block.length, out.length - start);
    rng.fillFloat(m === block.length ? block : block.subarray(0, m));
    for (let k = 0; k < m; k++) out[start + k] = roundHalfUp(block[k]! * scale * f) / f;
  }
}

/** Round to `decimals` places (half away from zero on the scaled value, as R's round does for non-ties). */
export function roundTo(x: number, decimals: number): number {
  const f = 10 ** decimals;
  return roundHalfUp(x * f) / f;
}

/**
 * Math.round(y), the same double for every y, about 4× faster in V8's optimised code for the generators' values.
 * For 1/2 ≤ y < 2^52, ⌊y + 0.5⌋ is Math.round(y): y + 0.5 stays in y's binade (then it is exact: 0.5 is a multiple
 * of y's ulp) unless it reaches the next power of two, an integer, where it rounds to at most that power plus 1/2,
 * the right floor either way. Everything else takes Math.round itself: below 1/2 the sum can round up to 1 (y just
 * under 0.5), and -0 would become +0 (user_events' exponential draws -0); negative, huge, NaN.
 */
export function roundHalfUp(y: number): number {
  return y >= 0.5 && y < 4503599627370496 ? Math.floor(y + 0.5) : Math.round(y);
}
