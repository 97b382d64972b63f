// DuckDB VARCHAR vectors read in bulk. A vector holds one 16-byte `string_t` per row: a uint32 length, then up
// to 12 inline bytes, or a 4-byte prefix and a pointer to the bytes. Following a pointer is a native call
// (`get_data_from_pointer`, 1–1.5 µs), which made it most of a string UDF's time. But a scan of a table column
// points consecutive rows at consecutive bytes of one storage block (written back to front), so rows whose bytes
// are adjacent are read as one span, with one call, and cut into strings in JS.
import duckdb from '@duckdb/node-bindings';

const decoder = new TextDecoder();

/** The `string_t` records of `rows` rows of a VARCHAR vector, through aligned 32-bit words. */
export class StringRecords {
  readonly bytes: Uint8Array;
  /** Four words a row: length, then inline bytes or prefix, then the pointer's low and high halves. */
  private readonly words: Uint32Array;

  constructor(vector: duckdb.Vector, rows: number) {
    const records = duckdb.vector_get_data(vector, rows * 16);
    this.bytes = records.byteOffset % 4 === 0 ? records : records.slice();
    this.words = new Uint32Array(this.bytes.buffer, this.bytes.byteOffset, rows * 4);
  }

  length(row: number): number {
    return this.words[row * 4]!;
  }

  /** A long string's address as a number, or -1 above 2^53 (user-space pointers on 64-bit Linux stay below 2^47). */
  address(row: number): number {
    const high = this.words[row * 4 + 3]!;
    return high < 0x200000 ? high * 0x1_0000_0000 + this.words[row * 4 + 2]! : -1;
  }

  /** `length` bytes from the address in `row`'s record (native). */
  bytesAt(row: number, length: number): Uint8Array {
    return duckdb.get_data_from_pointer(this.bytes.buffer as ArrayBuffer, this.bytes.byteOffset + row * 16 + 8, length);
  }
}

/**
 * Long strings whose bytes are adjacent in memory, so one span covers exactly their bytes. A row joins when its
 * bytes end where the span starts or start where it ends; nothing outside the strings' own bytes is ever read.
 * @example if (!span.tryAdd(row, address, length)) { copy(span.take(records)); span.tryAdd(row, address, length); }
 */
export class Span {
  private rows: number[] = [];
  private low = 0;
  private high = 0;
  /** The row whose record holds the span's lowest address. */
  private lowRow = -1;

  /** Add the row if its bytes touch the span (or the span is empty); false when they do not. */
  tryAdd(row: number, address: number, length: number): boolean {
    if (this.rows.length === 0) [this.low, this.high, this.lowRow] = [address, address + length, row];
    else if (address + length === this.low) [this.low, this.lowRow] = [address, row];
    else if (address === this.high) this.high += length;
    else return false;
    this.rows.push(row);
    return true;
  }

  /** Read the span with one native call and empty it: its bytes, its rows, and the address its bytes start at. */
  take(records: StringRecords): { readonly bytes: Uint8Array; readonly rows: readonly number[]; readonly low: number } | null {
    if (this.rows.length === 0) return null;
    const taken = { bytes: records.bytesAt(this.lowRow, this.high - this.low), rows: this.rows, low: this.low };
    this.rows = [];
    return taken;
  }
}

/** Write the span's rows to `out` as JS strings: an ASCII span is one string (latin1 maps byte to char), cut per row. */
function flushStrings(span: Span, records: StringRecords, out: (string | null)[]): void {
  const taken = span.take(records);
  if (taken === null) return;
  const { bytes, rows, low } = taken;
  let ascii = true;
  for (let i = 0; i < bytes.length && ascii; i++) ascii = bytes[i]! < 0x80;
  // Substrings of one string share its storage.
  const text = ascii ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1') : null;
  for (const row of rows) {
    const at = records.address(row) - low;
    const length = records.length(row);
    out[row] = text !== null ? text.substring(at, at + length) : decoder.decode(bytes.subarray(at, at + length));
  }
}

/**
 * Every row of a flat VARCHAR vector as a JS string (null where the validity mask says so).
 * @example const names = readVarchars(duckdb.data_chunk_get_vector(chunk, 0), duckdb.data_chunk_get_size(chunk))
 */
export function readVarchars(vector: duckdb.Vector, rows: number): (string | null)[] {
  const records = new StringRecords(vector, rows);
  const mask = duckdb.vector_get_validity(vector, Math.ceil(rows / 64) * 8);
  const out = new Array<string | null>(rows);
  const span = new Span();
  for (let row = 0; row < rows; row++) {
    if (mask && ((mask[row >> 3]! >> (row & 7)) & 1) === 0) {
      out[row] = null;
      continue;
    }
    const length = records.length(row);
    if (length <= 12) {
      out[row] = inlineString(records.bytes, row * 16 + 4, length);
      continue;
    }
    const address = records.address(row);
    if (address < 0) {
      out[row] = decoder.decode(records.bytesAt(row, length));
      continue;
    }
    if (span.tryAdd(row, address, length)) continue;
    flushStrings(span, records, out);
    span.tryAdd(row, address, length);
  }
  flushStrings(span, records, out);
  return out;
}

/** A short string from its inline bytes: ASCII without TextDecoder (a microsecond a call), anything else with it. */
function inlineString(bytes: Uint8Array, at: number, length: number): string {
  let s = '';
  for (let j = 0; j < length; j++) {
    const b = bytes[at + j]!;
    if (b >= 0x80) return decoder.decode(bytes.subarray(at, at + length));
    s += String.fromCharCode(b);
  }
  return s;
}

/**
 * The `string_t` records of one chunk being written. A long string must live in the vector's own heap, which
 * takes a native call (`vector_assign_string_element_len`, ~1 µs); each distinct long value is assigned once and
 * its repeats get a copy of its 16-byte record, pointing at the same bytes. Short strings are written inline.
 * The records then go in with one bulk copy.
 * @example const w = new StringRecordWriter(rows); w.put(0, bytes); w.repeat(1, 0); w.writeTo(vector)
 */
export class StringRecordWriter {
  // WARNING: the buffer must start zeroed: DuckDB compares inline strings on all 12 bytes, padding included.
  private readonly records: Uint8Array;
  private readonly view: DataView;
  /** Distinct long values: content hash → rows holding a value with that hash (first row of each value). */
  private readonly byHash = new Map<number, number[]>();
  private readonly longBytes = new Map<number, Uint8Array>();
  private readonly copies: number[] = []; // pairs: row, the earlier row with the same value

  constructor(rows: number) {
    this.records = new Uint8Array(rows * 16);
    this.view = new DataView(this.records.buffer);
  }

  /**
   * Row `row` holds the UTF-8 bytes `source[begin, end)` (not retained past writeTo). Taken as a range so a
   * column's buffer needs no view per row (a subarray a row was a third of a retail load's string time).
   */
  put(row: number, source: Uint8Array, begin = 0, end = source.length): void {
    const length = end - begin;
    if (length <= 12) {
      this.view.setUint32(row * 16, length, true);
      for (let i = 0; i < length; i++) this.records[row * 16 + 4 + i] = source[begin + i]!;
      return;
    }
    const hash = hashBytes(source, begin, end);
    const candidates = this.byHash.get(hash);
    const earlier = candidates?.find((r) => equalBytes(this.longBytes.get(r)!, source, begin, end));
    if (earlier !== undefined) this.copies.push(row, earlier);
    else {
      this.longBytes.set(row, source.subarray(begin, end));
      if (candidates) candidates.push(row);
      else this.byHash.set(hash, [row]);
    }
  }

  /** Row `row` holds the same value as the earlier row `earlier` (already put). */
  repeat(row: number, earlier: number): void {
    this.copies.push(row, earlier);
  }

  /** Write the records into `vector` (rows left untouched are empty strings; mark NULLs in its validity). */
  writeTo(vector: duckdb.Vector): void {
    const records = this.records;
    for (const [row, bytes] of this.longBytes) duckdb.vector_assign_string_element_len(vector, row, bytes);
    if (this.longBytes.size > 0) {
      const written = duckdb.vector_get_data(vector, records.length);
      for (const row of this.longBytes.keys()) records.set(written.subarray(row * 16, row * 16 + 16), row * 16);
    }
    const copies = this.copies;
    for (let i = 0; i < copies.length; i += 2) records.copyWithin(copies[i]! * 16, copies[i + 1]! * 16, copies[i + 1]! * 16 + 16);
    duckdb.copy_data_to_vector(vector, 0, records.buffer as ArrayBuffer, 0, records.byteLength);
  }
}

/** FNV-1a over `bytes[begin, end)` (only to find candidates; equal values are confirmed byte by byte). */
function hashBytes(bytes: Uint8Array, begin: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = begin; i < end; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}

function equalBytes(a: Uint8Array, b: Uint8Array, begin: number, end: number): boolean {
  if (a.length !== end - begin) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[begin + i]) return false;
  return true;
}

/**
 * Write one string (or null) per row into a flat VARCHAR output vector (a UDF's result): each distinct value is
 * encoded and put once, its repeats copy its record. (Setting every row natively was 45% of a string UDF's time.)
 * @example writeVarchars(outputVector, ['a', null, 'a long enough string'], 3)
 */
export function writeVarchars(vector: duckdb.Vector, values: readonly (string | null)[], rows: number): void {
  const writer = new StringRecordWriter(rows);
  const firstRow = new Map<string, number>();
  let validity: Uint8Array | null = null;
  for (let row = 0; row < rows; row++) {
    const value = values[row];
    if (value === null || value === undefined) {
      validity ??= new Uint8Array(Math.ceil(rows / 64) * 8).fill(0xff);
      validity[row >> 3]! &= ~(1 << (row & 7));
      continue;
    }
    const earlier = firstRow.get(value);
    if (earlier !== undefined) writer.repeat(row, earlier);
    else {
      firstRow.set(value, row);
      writer.put(row, Buffer.from(value, 'utf8'));
    }
  }
  writer.writeTo(vector);
  if (validity) {
    duckdb.vector_ensure_validity_writable(vector);
    duckdb.copy_data_to_vector_validity(vector, 0, validity.buffer as ArrayBuffer, 0, validity.byteLength);
  }
}
