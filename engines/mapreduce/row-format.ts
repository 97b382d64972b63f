// The binary row format of map output values (records in the sort buffer, spills, the shuffle; DFS blocks are
// columnar, column-block.ts). One row is a null bitmap (one bit per column, 1 = NULL) followed by each non-null
// value: int32 4 bytes LE, int64 8 bytes LE, float64 and timestamp (ms) an 8-byte LE double, bool 1 byte, utf8 a
// varint byte length then the UTF-8 bytes.
import type { DataType } from '../../plan/types.ts';
import { ByteWriter, readVarint } from './bytes.ts';

/**
 * Value types of the row format: the plan's types plus `num`, an internal accumulator that holds a JS number
 * while it is a safe integer and a bigint beyond (1-byte tag, then 8 bytes).
 */
export type ValueType = DataType | 'num';
export type Row = unknown[];

/** Appends one row. WARNING: values must already be in the engine's representation (int64 as bigint). */
export function writeRow(w: ByteWriter, types: readonly ValueType[], row: Row): void {
  const n = types.length;
  const bitmapBytes = (n + 7) >> 3;
  w.ensure(bitmapBytes + 9 * n);
  const start = w.pos;
  for (let i = 0; i < bitmapBytes; i++) w.buf[start + i] = 0;
  w.pos += bitmapBytes;
  for (let i = 0; i < n; i++) {
    const v = row[i];
    if (v === null || v === undefined) {
      w.buf[start + (i >> 3)]! |= 1 << (i & 7);
      continue;
    }
    writeValue(w, types[i]!, v);
  }
}

function writeValue(w: ByteWriter, type: ValueType, v: unknown): void {
  switch (type) {
    case 'int32':
      w.ensure(4);
      w.buf.writeInt32LE(v as number, w.pos);
      w.pos += 4;
      return;
    case 'int64':
      w.ensure(8);
      w.buf.writeBigInt64LE(typeof v === 'bigint' ? v : BigInt(v as number), w.pos);
      w.pos += 8;
      return;
    case 'float64':
    case 'timestamp':
      w.ensure(8);
      w.buf.writeDoubleLE(v as number, w.pos);
      w.pos += 8;
      return;
    case 'bool':
      w.u8(v ? 1 : 0);
      return;
    case 'utf8':
      writeUtf8(w, v as string);
      return;
    case 'num':
      w.ensure(9);
      if (typeof v === 'bigint') {
        if (v < -(2n ** 63n) || v > 2n ** 63n - 1n) throw new Error(`int64 overflow: the partial sum ${v} does not fit in 64 bits`);
        w.buf[w.pos] = 1;
        w.buf.writeBigInt64LE(v, w.pos + 1);
      } else {
        w.buf[w.pos] = 0;
        w.buf.writeDoubleLE(v as number, w.pos + 1);
      }
      w.pos += 9;
      return;
    default:
      throw new Error(`unknown value type ${String(type)}`);
  }
}

/** Varint length then bytes; reserves one length byte and shifts only for strings of 128 bytes or more. */
function writeUtf8(w: ByteWriter, s: string): void {
  w.ensure(s.length * 3 + 5);
  const at = w.pos;
  const n = w.buf.write(s, at + 1, 'utf8');
  if (n < 0x80) {
    w.buf[at] = n;
    w.pos = at + 1 + n;
    return;
  }
  let lenBytes = 1;
  for (let x = n; x >= 0x80; x >>>= 7) lenBytes++;
  w.buf.copyWithin(at + lenBytes, at + 1, at + 1 + n);
  w.pos = at;
  w.varint(n);
  w.pos = at + lenBytes + n;
}

/**
 * Decodes one row starting at `cursor.pos` into `out` (length = types.length) and advances the cursor.
 * Columns whose `skip` entry is true are stepped over (left null) without decoding: a map function reading
 * two columns of eight does not pay for strings it never looks at.
 */
export function readRow(buf: Buffer, cursor: { pos: number }, types: readonly ValueType[], out: Row, skip?: readonly boolean[]): void {
  const n = types.length;
  const bitmapAt = cursor.pos;
  let pos = bitmapAt + ((n + 7) >> 3);
  for (let i = 0; i < n; i++) {
    if (buf[bitmapAt + (i >> 3)]! & (1 << (i & 7))) {
      out[i] = null;
      continue;
    }
    if (skip !== undefined && skip[i]) {
      out[i] = null;
      pos = skipValue(buf, pos, types[i]!);
      continue;
    }
    switch (types[i]!) {
      case 'int32':
        out[i] = buf.readInt32LE(pos);
        pos += 4;
        break;
      case 'int64':
        out[i] = buf.readBigInt64LE(pos);
        pos += 8;
        break;
      case 'float64':
      case 'timestamp':
        out[i] = buf.readDoubleLE(pos);
        pos += 8;
        break;
      case 'bool':
        out[i] = buf[pos++] === 1;
        break;
      case 'utf8': {
        cursor.pos = pos;
        const len = readVarint(buf, cursor);
        pos = cursor.pos;
        out[i] = buf.toString('utf8', pos, pos + len);
        pos += len;
        break;
      }
      case 'num':
        out[i] = buf[pos] === 1 ? buf.readBigInt64LE(pos + 1) : buf.readDoubleLE(pos + 1);
        pos += 9;
        break;
      default:
        throw new Error(`unknown value type ${String(types[i])}`);
    }
  }
  cursor.pos = pos;
}

function skipValue(buf: Buffer, pos: number, type: ValueType): number {
  switch (type) {
    case 'int32':
      return pos + 4;
    case 'int64':
    case 'float64':
    case 'timestamp':
      return pos + 8;
    case 'bool':
      return pos + 1;
    case 'num':
      return pos + 9;
    case 'utf8': {
      const c = { pos };
      const len = readVarint(buf, c);
      return c.pos + len;
    }
    default:
      throw new Error(`unknown value type ${String(type)}`);
  }
}

/** Encodes a whole row into a fresh Buffer (for small one-off values). */
export function encodeRow(types: readonly ValueType[], row: Row): Buffer {
  const w = new ByteWriter(64);
  writeRow(w, types, row);
  return w.copy();
}

/** Decodes a buffer holding exactly one row. */
export function decodeRow(buf: Buffer, types: readonly ValueType[]): Row {
  const out: Row = new Array(types.length);
  readRow(buf, { pos: 0 }, types, out);
  return out;
}

/** Reads one row at `pos` into `out` and returns the position after it. */
export type RowReader = (buf: Buffer, pos: number, out: Row) => number;

/**
 * A row reader specialised to one schema and set of skipped columns: straight-line code per column instead of
 * readRow's loop and type switch, which the reducer runs once per partial state it merges.
 * Gives the same values as readRow (skipped columns are null).
 */
export function compileRowReader(types: readonly ValueType[], skip?: readonly boolean[]): RowReader {
  const n = types.length;
  const lines: string[] = [];
  lines.push(`let len = 0, shift = 0, b = 0;`);
  for (let i = 0; i < (n + 7) >> 3; i++) lines.push(`const m${i} = buf[pos + ${i}];`);
  lines.push(`pos += ${(n + 7) >> 3};`);
  for (let i = 0; i < n; i++) {
    const isNull = `(m${i >> 3} & ${1 << (i & 7)}) !== 0`;
    const skipped = skip?.[i] === true;
    let read: string;
    switch (types[i]!) {
      case 'int32':
        // Byte arithmetic instead of readInt32LE, which checks bounds on every call.
        read = skipped ? 'pos += 4;' : `out[${i}] = buf[pos] | (buf[pos + 1] << 8) | (buf[pos + 2] << 16) | (buf[pos + 3] << 24); pos += 4;`;
        break;
      case 'int64':
        read = skipped ? 'pos += 8;' : `out[${i}] = buf.readBigInt64LE(pos); pos += 8;`;
        break;
      case 'float64':
      case 'timestamp':
        read = skipped ? 'pos += 8;' : `out[${i}] = buf.readDoubleLE(pos); pos += 8;`;
        break;
      case 'bool':
        read = skipped ? 'pos += 1;' : `out[${i}] = buf[pos++] === 1;`;
        break;
      case 'num':
        read = skipped ? 'pos += 9;' : `out[${i}] = buf[pos] === 1 ? buf.readBigInt64LE(pos + 1) : buf.readDoubleLE(pos + 1); pos += 9;`;
        break;
      case 'utf8':
        read =
          `len = 0; shift = 0; do { b = buf[pos++]; len |= (b & 0x7f) << shift; shift += 7; } while (b & 0x80); len >>>= 0; ` +
          (skipped ? 'pos += len;' : `out[${i}] = buf.toString('utf8', pos, pos + len); pos += len;`);
        break;
      default:
        throw new Error(`unknown value type ${String(types[i])}`);
    }
    lines.push(`if (${isNull}) out[${i}] = null; else { ${read}${skipped ? ` out[${i}] = null;` : ''} }`);
  }
  lines.push('return pos;');
  return new Function('buf', 'pos', 'out', lines.join('\n')) as RowReader;
}
