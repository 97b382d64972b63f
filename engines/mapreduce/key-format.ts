// The order-preserving binary key format: keys compare correctly as raw bytes (memcmp), so the sort buffer,
// spill merge and reducer merge never decode a key, as Hadoop's RawComparator. Also decodable, so group keys
// come back out of the reducer without being shipped twice.
import type { DataType } from '../../plan/types.ts';
import { ByteWriter } from './bytes.ts';

/** How one key column is encoded. `enc` can widen the column's type so an int32 key meets an int64 one. */
export interface KeyColumn {
  readonly type: DataType;
  readonly enc: 'i32' | 'i64' | 'f64' | 'utf8' | 'bool';
  readonly descending: boolean;
  readonly nullsFirst: boolean;
}

/** The natural encoding of a type, ascending with NULLs first (group-by, distinct, join keys). */
export function keyColumn(type: DataType, widenTo?: DataType): KeyColumn {
  return { type, enc: encodingOf(widenTo ?? type), descending: false, nullsFirst: true };
}

export function encodingOf(t: DataType): KeyColumn['enc'] {
  switch (t) {
    case 'int32':
      return 'i32';
    case 'int64':
      return 'i64';
    case 'float64':
    case 'timestamp':
      return 'f64';
    case 'utf8':
      return 'utf8';
    case 'bool':
      return 'bool';
    default: {
      const never: never = t;
      throw new Error(`unhandled data type ${String(never)}`);
    }
  }
}

const f64 = new Float64Array(1);
const f64Bytes = new Uint8Array(f64.buffer);
const TWO_32 = 4294967296;

/**
 * Appends the key of `values` (one per column). Each column starts with a marker byte placing NULL first (0x00)
 * or last (0x02) around non-null (0x01); descending columns invert their value bytes, never the marker.
 */
export function writeKey(w: ByteWriter, cols: readonly KeyColumn[], values: readonly unknown[]): void {
  for (let c = 0; c < cols.length; c++) {
    const col = cols[c]!;
    const v = values[c];
    w.ensure(10);
    if (v === null || v === undefined) {
      w.buf[w.pos++] = col.nullsFirst ? 0x00 : 0x02;
      continue;
    }
    w.buf[w.pos++] = 0x01;
    const start = w.pos;
    switch (col.enc) {
      case 'i32':
        w.buf.writeUInt32BE(((v as number) ^ 0x80000000) >>> 0, w.pos);
        w.pos += 4;
        break;
      case 'i64': {
        let hi: number;
        let lo: number;
        if (typeof v === 'bigint') {
          hi = Number(BigInt.asIntN(32, v >> 32n));
          lo = Number(v & 0xffffffffn);
        } else {
          const n = v as number;
          hi = Math.floor(n / TWO_32);
          lo = n - hi * TWO_32;
        }
        w.buf.writeUInt32BE((hi ^ 0x80000000) >>> 0, w.pos);
        w.buf.writeUInt32BE(lo >>> 0, w.pos + 4);
        w.pos += 8;
        break;
      }
      case 'f64': {
        let n = Number(v);
        if (n === 0) n = 0; // -0 and 0 are one key
        if (n !== n) n = NaN; // one canonical NaN: equal to itself, above +Infinity
        f64[0] = n;
        const neg = (f64Bytes[7]! & 0x80) !== 0;
        for (let i = 0; i < 8; i++) {
          const b = f64Bytes[7 - i]!;
          w.buf[w.pos + i] = neg ? ~b & 0xff : i === 0 ? b ^ 0x80 : b;
        }
        w.pos += 8;
        break;
      }
      case 'bool':
        w.buf[w.pos++] = v ? 1 : 0;
        break;
      case 'utf8': {
        const s = v as string;
        w.ensure(s.length * 3 + 2);
        const n = w.buf.write(s, w.pos, 'utf8');
        let zero = -1;
        for (let i = 0; i < n; i++) {
          if (w.buf[w.pos + i] === 0) {
            zero = i;
            break;
          }
        }
        if (zero < 0) {
          w.pos += n;
        } else {
          // Rare: escape every 0x00 as 0x00 0xFF so the 0x00 0x00 terminator stays unambiguous.
          const raw = Buffer.from(w.buf.subarray(w.pos, w.pos + n));
          w.ensure(2 * n + 2);
          for (const b of raw) {
            w.buf[w.pos++] = b;
            if (b === 0) w.buf[w.pos++] = 0xff;
          }
        }
        w.ensure(2);
        w.buf[w.pos++] = 0;
        w.buf[w.pos++] = 0;
        break;
      }
      default: {
        const never: never = col.enc;
        throw new Error(`unhandled key encoding ${String(never)}`);
      }
    }
    if (col.descending) for (let i = start; i < w.pos; i++) w.buf[i] = ~w.buf[i]! & 0xff;
  }
}

/** Byte `i` of a key, un-inverted for a descending column (`inv` 0xff). A function, not a closure per call. */
function keyByte(buf: Uint8Array, inv: number, i: number): number {
  return buf[i]! ^ inv;
}

/** Decodes a key written by writeKey with the same columns (used for group keys and distinct rows). */
export function readKey(buf: Uint8Array, start: number, end: number, cols: readonly KeyColumn[]): unknown[] {
  const out: unknown[] = new Array(cols.length);
  let pos = start;
  const view = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  for (let c = 0; c < cols.length; c++) {
    const col = cols[c]!;
    const marker = buf[pos++]!;
    if (marker !== 0x01) {
      out[c] = null;
      continue;
    }
    const inv = col.descending ? 0xff : 0;
    let value: unknown;
    switch (col.enc) {
      case 'i32': {
        const u = ((keyByte(buf, inv, pos) << 24) | (keyByte(buf, inv, pos + 1) << 16) | (keyByte(buf, inv, pos + 2) << 8) | keyByte(buf, inv, pos + 3)) >>> 0;
        value = (u ^ 0x80000000) | 0;
        pos += 4;
        break;
      }
      case 'i64': {
        const hi = ((((keyByte(buf, inv, pos) << 24) | (keyByte(buf, inv, pos + 1) << 16) | (keyByte(buf, inv, pos + 2) << 8) | keyByte(buf, inv, pos + 3)) >>> 0) ^ 0x80000000) | 0;
        const lo = ((keyByte(buf, inv, pos + 4) << 24) | (keyByte(buf, inv, pos + 5) << 16) | (keyByte(buf, inv, pos + 6) << 8) | keyByte(buf, inv, pos + 7)) >>> 0;
        value = (BigInt(hi) << 32n) | BigInt(lo);
        pos += 8;
        break;
      }
      case 'f64': {
        const neg = (keyByte(buf, inv, pos) & 0x80) === 0;
        for (let i = 0; i < 8; i++) {
          const b = keyByte(buf, inv, pos + i);
          f64Bytes[7 - i] = neg ? ~b & 0xff : i === 0 ? b ^ 0x80 : b;
        }
        value = f64[0]!;
        pos += 8;
        break;
      }
      case 'bool':
        value = keyByte(buf, inv, pos++) === 1;
        break;
      case 'utf8': {
        const bytes: number[] = [];
        for (;;) {
          const b = keyByte(buf, inv, pos++);
          if (b === 0) {
            const next = keyByte(buf, inv, pos++);
            if (next === 0) break;
            bytes.push(0); // escaped 0x00 0xFF
            continue;
          }
          bytes.push(b);
        }
        value = col.descending || bytes.includes(0) ? Buffer.from(bytes).toString('utf8') : view.toString('utf8', pos - bytes.length - 2, pos - 2);
        break;
      }
      default: {
        const never: never = col.enc;
        throw new Error(`unhandled key encoding ${String(never)}`);
      }
    }
    out[c] = convertBack(value, col);
    if (pos > end) throw new Error('key decoded past its end: key columns do not match the encoding');
  }
  return out;
}

/** Back from the (possibly widened) encoding to the column's own representation. */
function convertBack(v: unknown, col: KeyColumn): unknown {
  switch (col.type) {
    case 'int32':
    case 'float64':
    case 'timestamp':
      return Number(v);
    case 'int64':
      return typeof v === 'bigint' ? v : BigInt(Math.trunc(Number(v)));
    case 'utf8':
    case 'bool':
      return v;
    default: {
      const never: never = col.type;
      throw new Error(`unhandled data type ${String(never)}`);
    }
  }
}
