// The columnar block format every DFS file is stored in, like one ORC stripe per HDFS block: a header, then one
// section per column (a NULL bitmap when the column has NULLs, then its values), so a map task decodes only the
// columns it reads, each straight into a typed array. Map output, spills and the shuffle stay binary records.
//
//   header   u32 magic 'MRC1' | u32 rows | u32 columns | u32 0 | per column: u32 section offset, u32 section length
//   section  u32 type code | u32 flags (bit 0: NULL bitmap follows) | [bitmap: 1 bit per row, 1 = NULL] | values
//   values   int32: 4 bytes LE per row; int64: 8 bytes LE; float64 and timestamp (ms): an 8-byte LE double;
//            bool: 1 byte (0/1); utf8: rows + 1 u32 offsets, then the UTF-8 bytes. A NULL row's slot is zero.
// Every section and every part of one starts at a multiple of 8 bytes, so a decoder views the values in place.
import { assertNever, type DataType } from '../../plan/types.ts';
import { ByteWriter } from './bytes.ts';
import type { Row } from './row-format.ts';
import type { ColumnVector } from './vector.ts';

const MAGIC = 0x3143524d; // 'MRC1' read as a little-endian u32
const TYPE_CODES: readonly DataType[] = ['int32', 'int64', 'float64', 'timestamp', 'bool', 'utf8'];

if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) {
  throw new Error('the mapreduce engine stores columnar blocks as little-endian typed arrays and needs a little-endian CPU');
}

const pad8 = (n: number): number => (n + 7) & ~7;

/** Bytes one value takes in its section (utf8: the offset only; its bytes come on top). */
export function valueWidth(type: DataType): number {
  switch (type) {
    case 'int32':
    case 'utf8':
      return 4;
    case 'int64':
    case 'float64':
    case 'timestamp':
      return 8;
    case 'bool':
      return 1;
    default:
      return assertNever(type, 'data type');
  }
}

/**
 * The length of an encoded block of `rows` rows, padding included: `strings[c]` is column c's UTF-8 byte count
 * (0 for other types), `hasNulls[c]` whether it carries a NULL bitmap. The block writer cuts on this.
 */
export function encodedBlockBytes(types: readonly DataType[], rows: number, strings: ArrayLike<number>, hasNulls: ArrayLike<boolean>): number {
  let total = pad8(16 + 8 * types.length);
  for (let c = 0; c < types.length; c++) {
    const t = types[c]!;
    total += 8 + (hasNulls[c] ? pad8((rows + 7) >> 3) : 0);
    total += t === 'utf8' ? pad8(4 * (rows + 1)) + pad8(strings[c]!) : pad8(rows * valueWidth(t));
  }
  return total;
}

/** One column of a block under construction: values in a growable typed array, a NULL flag per row. */
class ColumnBuilder {
  private values: Int32Array | BigInt64Array | Float64Array | Uint8Array;
  /** utf8: end offset of each row's bytes (the start is the previous row's end). */
  private ends = new Int32Array(0);
  private readonly strings = new ByteWriter(1 << 12);
  private nulls: Uint8Array;
  rows = 0;
  nullCount = 0;

  constructor(readonly type: DataType) {
    this.values = this.alloc(1024);
    this.nulls = new Uint8Array(1024);
    if (type === 'utf8') this.ends = new Int32Array(1024);
  }

  private alloc(n: number): Int32Array | BigInt64Array | Float64Array | Uint8Array {
    switch (this.type) {
      case 'int32':
        return new Int32Array(n);
      case 'int64':
        return new BigInt64Array(n);
      case 'float64':
      case 'timestamp':
        return new Float64Array(n);
      case 'bool':
        return new Uint8Array(n);
      case 'utf8':
        return new Int32Array(0);
      default:
        return assertNever(this.type, 'data type');
    }
  }

  /** UTF-8 bytes so far (utf8 columns; 0 for others). */
  get stringBytes(): number {
    return this.strings.pos;
  }

  private reserve(extra: number): void {
    const need = this.rows + extra;
    if (need <= this.nulls.length) return;
    let size = this.nulls.length * 2;
    while (size < need) size *= 2;
    const nulls = new Uint8Array(size);
    nulls.set(this.nulls.subarray(0, this.rows));
    this.nulls = nulls;
    if (this.type === 'utf8') {
      const ends = new Int32Array(size);
      ends.set(this.ends.subarray(0, this.rows));
      this.ends = ends;
    } else {
      const values = this.alloc(size);
      values.set(this.values.subarray(0, this.rows) as never);
      this.values = values;
    }
  }

  /** Appends one value in the engine's representation (null for NULL). */
  append(v: unknown): void {
    this.reserve(1);
    const r = this.rows++;
    if (v === null || v === undefined) {
      this.nulls[r] = 1;
      this.nullCount++;
      if (this.type === 'utf8') this.ends[r] = this.strings.pos;
      else this.values[r] = this.type === 'int64' ? (0n as never) : (0 as never);
      return;
    }
    this.nulls[r] = 0;
    switch (this.type) {
      case 'int32':
      case 'float64':
      case 'timestamp':
        (this.values as Int32Array | Float64Array)[r] = v as number;
        return;
      case 'int64':
        (this.values as BigInt64Array)[r] = typeof v === 'bigint' ? v : BigInt(v as number);
        return;
      case 'bool':
        (this.values as Uint8Array)[r] = v ? 1 : 0;
        return;
      case 'utf8': {
        const s = v as string;
        const w = this.strings;
        w.ensure(s.length * 3);
        w.pos += w.buf.write(s, w.pos, 'utf8');
        this.ends[r] = w.pos;
        return;
      }
      default:
        assertNever(this.type, 'data type');
    }
  }

  /** Appends rows [start, start + n) of `v` (whose type must be this column's): copies, no per-value decoding. */
  appendRange(v: ColumnVector, start: number, n: number): void {
    if (v.type !== this.type) throw new Error(`a ${v.type} vector cannot go into a ${this.type} column`);
    this.reserve(n);
    const r = this.rows;
    const srcNulls = v.nulls;
    if (srcNulls === null) this.nulls.fill(0, r, r + n);
    else {
      this.nulls.set(srcNulls.subarray(start, start + n), r);
      for (let i = start; i < start + n; i++) this.nullCount += srcNulls[i]!;
    }
    if (v.type === 'utf8') {
      const w = this.strings;
      const { starts, ends, bytes } = v;
      let total = 0;
      for (let i = start; i < start + n; i++) if (srcNulls === null || srcNulls[i] === 0) total += ends[i]! - starts[i]!;
      w.ensure(total);
      const out = this.ends;
      // Strings that sit back to back in the source (Arrow's layout) are copied as one run.
      let runStart = -1;
      let runEnd = -1;
      let at = w.pos;
      const copyRun = (): void => {
        if (runStart < 0) return;
        w.buf.set(bytes.subarray(runStart, runEnd), w.pos);
        w.pos += runEnd - runStart;
      };
      for (let i = 0; i < n; i++) {
        const s = start + i;
        if (srcNulls === null || srcNulls[s] === 0) {
          const a = starts[s]!;
          const b = ends[s]!;
          if (a !== runEnd) {
            copyRun();
            runStart = a;
          }
          runEnd = b;
          at += b - a;
        }
        out[r + i] = at;
      }
      copyRun();
    } else {
      (this.values as Int32Array).set(v.values.subarray(start, start + n) as never, r);
      if (srcNulls !== null) {
        const zero = v.type === 'int64' ? 0n : 0;
        for (let i = 0; i < n; i++) if (srcNulls[start + i] === 1) this.values[r + i] = zero as never;
      }
    }
    this.rows += n;
  }

  /** Bytes the section will take, padding included. */
  sectionBytes(): number {
    const bitmap = this.nullCount > 0 ? pad8((this.rows + 7) >> 3) : 0;
    const values = this.type === 'utf8' ? pad8(4 * (this.rows + 1)) + pad8(this.strings.pos) : pad8(this.rows * valueWidth(this.type));
    return 8 + bitmap + values;
  }

  /** Writes the section at `at` of `out` (zero-filled, 8-aligned). */
  writeSection(out: Buffer, at: number): void {
    out.writeUInt32LE(TYPE_CODES.indexOf(this.type), at);
    out.writeUInt32LE(this.nullCount > 0 ? 1 : 0, at + 4);
    let pos = at + 8;
    const n = this.rows;
    if (this.nullCount > 0) {
      for (let i = 0; i < n; i++) if (this.nulls[i] === 1) out[pos + (i >> 3)]! |= 1 << (i & 7);
      pos += pad8((n + 7) >> 3);
    }
    if (this.type === 'utf8') {
      const offsets = new Int32Array(out.buffer, out.byteOffset + pos, n + 1);
      offsets[0] = 0;
      offsets.set(this.ends.subarray(0, n), 1);
      pos += pad8(4 * (n + 1));
      out.set(this.strings.buf.subarray(0, this.strings.pos), pos);
    } else {
      const bytes = new Uint8Array(this.values.buffer, 0, n * valueWidth(this.type));
      out.set(bytes, pos);
    }
  }

  reset(): void {
    this.rows = 0;
    this.nullCount = 0;
    this.strings.reset();
  }
}

/**
 * Collects rows column by column and encodes them as one block. Rows come one at a time (reduce output) or as
 * ranges of vectors (load); the block writer cuts when `encodedBytes` reaches the block size.
 */
export class ColumnBlockBuilder {
  private readonly cols: ColumnBuilder[];

  constructor(readonly types: readonly DataType[]) {
    this.cols = types.map((t) => new ColumnBuilder(t));
  }

  get rows(): number {
    return this.cols.length === 0 ? this.emptyRows : this.cols[0]!.rows;
  }
  /** A block of a zero-column schema still counts its rows. */
  private emptyRows = 0;

  /** Whether column `c` has a NULL so far (it then carries a bitmap). */
  hasNulls(c: number): boolean {
    return this.cols[c]!.nullCount > 0;
  }

  /** UTF-8 bytes of column `c` so far. */
  stringBytes(c: number): number {
    return this.cols[c]!.stringBytes;
  }

  /** The length `finish()` would give now. */
  get encodedBytes(): number {
    let total = pad8(16 + 8 * this.cols.length);
    for (const c of this.cols) total += c.sectionBytes();
    return total;
  }

  appendRow(row: Row): void {
    if (this.cols.length === 0) this.emptyRows++;
    for (let c = 0; c < this.cols.length; c++) this.cols[c]!.append(row[c]);
  }

  /** Appends rows [from[c], from[c] + n) of each column's vector. */
  appendVectors(vectors: readonly ColumnVector[], from: readonly number[], n: number): void {
    if (this.cols.length === 0) this.emptyRows += n;
    for (let c = 0; c < this.cols.length; c++) this.cols[c]!.appendRange(vectors[c]!, from[c]!, n);
  }

  /** Encodes the rows so far as one block (a fresh buffer) and empties the builder. */
  finish(): Buffer {
    const headerBytes = pad8(16 + 8 * this.cols.length);
    let total = headerBytes;
    const sizes = this.cols.map((c) => c.sectionBytes());
    for (const s of sizes) total += s;
    const out = Buffer.alloc(total);
    out.writeUInt32LE(MAGIC, 0);
    out.writeUInt32LE(this.rows, 4);
    out.writeUInt32LE(this.cols.length, 8);
    let at = headerBytes;
    for (let c = 0; c < this.cols.length; c++) {
      out.writeUInt32LE(at, 16 + 8 * c);
      out.writeUInt32LE(sizes[c]!, 20 + 8 * c);
      this.cols[c]!.writeSection(out, at);
      at += sizes[c]!;
    }
    for (const c of this.cols) c.reset();
    this.emptyRows = 0;
    return out;
  }
}

/** A block whose header or sections do not match what the catalog says about it. */
export class BlockFormatError extends Error {
  override name = 'BlockFormatError';
}

/**
 * Decodes the columns of one block that `needed` marks (all when omitted) into vectors viewing `data` in place
 * (a misaligned buffer is copied once). Columns not needed come back null and cost nothing.
 * @example const [userId] = decodeColumnBlock(data, ['int32', 'utf8'], rows, [true, false]);
 */
export function decodeColumnBlock(data: Buffer, types: readonly DataType[], rows: number, needed?: readonly boolean[]): (ColumnVector | null)[] {
  const buf = (data.byteOffset & 7) === 0 ? data : Buffer.from(new Uint8Array(data));
  const bad = (what: string): BlockFormatError =>
    new BlockFormatError(`${what}; the block was not written in this engine's columnar format for this schema (reload the table)`);
  if (buf.length < 16 || buf.readUInt32LE(0) !== MAGIC) throw bad('block does not start with the columnar magic MRC1');
  if (buf.readUInt32LE(4) !== rows) throw bad(`block holds ${buf.readUInt32LE(4)} rows, the catalog says ${rows}`);
  if (buf.readUInt32LE(8) !== types.length) throw bad(`block has ${buf.readUInt32LE(8)} columns, the schema ${types.length}`);
  const out: (ColumnVector | null)[] = new Array(types.length).fill(null);
  for (let c = 0; c < types.length; c++) {
    if (needed !== undefined && !needed[c]) continue;
    const type = types[c]!;
    const at = buf.readUInt32LE(16 + 8 * c);
    const length = buf.readUInt32LE(20 + 8 * c);
    if (at + length > buf.length || (at & 7) !== 0) throw bad(`column ${c}'s section lies outside the block`);
    const code = buf.readUInt32LE(at);
    if (TYPE_CODES[code] !== type) throw bad(`column ${c} is stored as ${TYPE_CODES[code] ?? `type code ${code}`}, the schema says ${type}`);
    let pos = at + 8;
    let nulls: Uint8Array | null = null;
    if ((buf.readUInt32LE(at + 4) & 1) !== 0) {
      nulls = new Uint8Array(rows);
      for (let i = 0; i < rows; i++) nulls[i] = (buf[pos + (i >> 3)]! >> (i & 7)) & 1;
      pos += pad8((rows + 7) >> 3);
    }
    const base = buf.byteOffset + pos;
    const need = type === 'utf8' ? 4 * (rows + 1) : rows * valueWidth(type);
    if (pos + need > at + length) throw bad(`column ${c}'s values run past its section`);
    switch (type) {
      case 'int32':
        out[c] = { type, values: new Int32Array(buf.buffer, base, rows), nulls };
        break;
      case 'int64':
        out[c] = { type, values: new BigInt64Array(buf.buffer, base, rows), nulls };
        break;
      case 'float64':
      case 'timestamp':
        out[c] = { type, values: new Float64Array(buf.buffer, base, rows), nulls };
        break;
      case 'bool':
        out[c] = { type, values: new Uint8Array(buf.buffer, base, rows), nulls };
        break;
      case 'utf8': {
        const offsets = new Int32Array(buf.buffer, base, rows + 1);
        const bytesAt = pos + pad8(4 * (rows + 1));
        const total = offsets[rows]!;
        if (bytesAt + total > at + length) throw bad(`column ${c}'s strings run past its section`);
        out[c] = { type, bytes: buf.subarray(bytesAt, bytesAt + total), starts: offsets.subarray(0, rows), ends: offsets.subarray(1, rows + 1), nulls };
        break;
      }
      default:
        assertNever(type, 'data type');
    }
  }
  return out;
}
