// Column builders that write Arrow buffers directly (typed arrays, Utf8 offsets + bytes, validity bitmaps), so
// generators reach millions of rows per second instead of building per-row JS objects; plus the table assembler.
import * as arrow from 'apache-arrow';
import { toArrowSchema, toArrowType, type Schema } from '../plan/index.ts';

const ENCODER = new TextEncoder();

/** UTF-8 bytes of a string, for pools of fixed values copied into many rows. */
export function utf8Bytes(s: string): Uint8Array {
  return ENCODER.encode(s);
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
}

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
    if ((this.usedWords + words) * 4 > this.bytes.length) {
      // Fresh buffers are zeroed, so padding bytes stay zero after a grow.
      const bytes = new Uint8Array(Math.max((this.usedWords + words) * 4, this.bytes.length * 2));
      bytes.set(this.bytes);
      this.bytes = bytes;
    }
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
 * A Utf8 column whose rows are values of a pool, given by index: the two-pass way to build low-cardinality
 * string columns (first the exact byte size, then one tight copy loop), about twice as fast as pushing per row.
 * Rows whose validity bit is clear get an empty slot; their index is ignored.
 *
 * @example
 * pooledUtf8(new Int32Array([1, 0, 1]), [utf8Bytes('view'), utf8Bytes('click')]) // 'click', 'view', 'click'
 */
export function pooledUtf8(indices: Int32Array, values: readonly Uint8Array[] | Utf8Pool, validity?: Validity, columnName = 'string column'): arrow.Data {
  const n = indices.length;
  const pool = values instanceof Utf8Pool ? values : Utf8Pool.of(values);
  // Rows are written 8 bytes per step through a DataView (setFloat64 of the pool's chunks), or 4 if a chunk reads
  // as NaN (a NaN's bits need not survive the copy; valid UTF-8 never forms one: it would take a byte 0x7F after a
  // byte of 0xF0 or above). A value's padding spills into the next value's slot and is overwritten by it.
  const lengths = pool.lengths;
  const wordStart = pool.wordStart;
  const poolWords = pool.words;
  if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) throw new Error('pooledUtf8 needs a little-endian platform');

  const offsets = new Int32Array(n + 1);
  // `total` is a double, so it cannot wrap: one check after the loop suffices (offsets past 2^31 are discarded).
  let total = 0;
  if (validity !== undefined && validity.nullCount > 0) {
    for (let i = 0; i < n; i++) {
      if (!validity.isNull(i)) total += lengths[indices[i]!]!;
      offsets[i + 1] = total;
    }
  } else {
    for (let i = 0; i < n; i++) {
      total += lengths[indices[i]!]!;
      offsets[i + 1] = total;
    }
  }
  if (total > 2 ** 31 - 1) throw new Error(`${columnName} would exceed Arrow Utf8's 2 GiB per column; generate fewer rows`);
  const buffer = new ArrayBuffer(total + 8); // room for the last value's padding
  const view = new DataView(buffer);
  const out = new Uint8Array(buffer);
  const chunks = pool.chunks;
  if (chunks.some(Number.isNaN)) {
    copyByWords(indices, offsets, wordStart, poolWords, view);
    out.fill(0, total, total + 8);
    return arrow.makeData({ type: new arrow.Utf8(), length: n, valueOffsets: offsets, data: out.subarray(0, total), ...nullProps(validity) });
  }
  for (let i = 0; i < n; i++) {
    const idx = indices[i]!;
    const start = offsets[i]!;
    const end = offsets[i + 1]!;
    let c = wordStart[idx]! >> 1;
    for (let at = start; at < end; at += 8) view.setFloat64(at, chunks[c++]!, true);
    if (i + 1 < n && indices[i + 1] === idx) {
      // A run: rows i+1..j-1 repeat row i's value (sorted columns; invoices from one country).
      let j = i + 2;
      while (j < n && indices[j] === idx) j++;
      const len = end - start;
      if (j - i >= MIN_DOUBLED_RUN && offsets[j]! - start === (j - i) * len) {
        // No NULL inside: the run's bytes are the value repeated; double what is written (a few copyWithin calls
        // instead of a copy per row).
        const runBytes = (j - i) * len;
        for (let filled = len; filled < runBytes; ) {
          const chunk = Math.min(filled, runBytes - filled);
          out.copyWithin(start + filled, start, start + chunk);
          filled += chunk;
        }
      } else {
        for (let r = i + 1; r < j; r++) {
          const rowEnd = offsets[r + 1]!;
          c = wordStart[idx]! >> 1;
          for (let at = offsets[r]!; at < rowEnd; at += 8) view.setFloat64(at, chunks[c++]!, true);
        }
      }
      i = j - 1;
    }
  }
  out.fill(0, total, total + 8); // the last value's spilled padding lies outside the column's bytes
  return arrow.makeData({ type: new arrow.Utf8(), length: n, valueOffsets: offsets, data: out.subarray(0, total), ...nullProps(validity) });
}

/** pooledUtf8's copy for pools whose chunks are not all numbers: 4-byte words, row by row. */
function copyByWords(indices: Int32Array, offsets: Int32Array, wordStart: Int32Array, words: Uint32Array, view: DataView): void {
  for (let i = 0; i < indices.length; i++) {
    const end = offsets[i + 1]!;
    let w = wordStart[indices[i]!]!;
    for (let at = offsets[i]!; at < end; at += 4) view.setUint32(at, words[w++]!, true);
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
 * Assemble one Arrow table (a single record batch) whose Arrow schema is exactly `toArrowSchema(schema)`, so every
 * generated table has the same field order, types and nullability that engines expect.
 */
export function buildTable(schema: Schema, columns: Readonly<Record<string, arrow.Data>>): arrow.Table {
  const target = toArrowSchema(schema);
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
  return new arrow.Table(target, [new arrow.RecordBatch(target, struct)]);
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
