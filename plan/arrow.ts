// Arrow at the boundaries: converting between the plan's logical types and Apache Arrow, and building result
// tables. Every engine returns its result through these helpers so that types agree across engines.
import * as arrow from 'apache-arrow';
import { assertNever, type DataType, type LiteralValue, type Schema } from './types.ts';

export function toArrowType(t: DataType): arrow.DataType {
  switch (t) {
    case 'int32':
      return new arrow.Int32();
    case 'int64':
      return new arrow.Int64();
    case 'float64':
      return new arrow.Float64();
    case 'utf8':
      return new arrow.Utf8();
    case 'bool':
      return new arrow.Bool();
    case 'timestamp':
      return new arrow.TimestampMillisecond();
    default:
      return assertNever(t, 'data type');
  }
}

/** The logical type of an Arrow type, or null when the plan has no equivalent. */
export function fromArrowType(t: arrow.DataType): DataType | null {
  if (arrow.DataType.isInt(t)) {
    if (t.bitWidth === 64) return 'int64';
    return 'int32';
  }
  if (arrow.DataType.isFloat(t)) return 'float64';
  if (arrow.DataType.isUtf8(t) || arrow.DataType.isLargeUtf8(t)) return 'utf8';
  if (arrow.DataType.isBool(t)) return 'bool';
  if (arrow.DataType.isTimestamp(t) || arrow.DataType.isDate(t)) return 'timestamp';
  if (arrow.DataType.isDictionary(t)) return fromArrowType(t.dictionary);
  return null;
}

export function toArrowSchema(schema: Schema): arrow.Schema {
  return new arrow.Schema(schema.map((f) => new arrow.Field(f.name, toArrowType(f.type), true)));
}

/** The logical schema of an Arrow table; throws naming the column whose type the plan cannot represent. */
export function schemaOfTable(table: arrow.Table): Schema {
  return table.schema.fields.map((f) => {
    const type = fromArrowType(f.type);
    if (!type) throw new Error(`column '${f.name}' has Arrow type ${f.type} which enginebench does not support`);
    return { name: f.name, type };
  });
}

/** Convert a JS value to the representation ARROW_TYPE_OF documents for `type` (bigint for int64, ms for timestamp). */
export function normaliseValue(value: unknown, type: DataType): LiteralValue {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'int64':
      return typeof value === 'bigint' ? value : BigInt(Math.trunc(Number(value)));
    case 'int32':
    case 'float64':
      return Number(value);
    case 'timestamp':
      return value instanceof Date ? value.getTime() : Number(value);
    case 'utf8':
      return String(value);
    case 'bool':
      return Boolean(value);
    default:
      return assertNever(type, 'data type');
  }
}

/**
 * Build one Arrow vector from JS values (null or undefined for NULL), converted as normaliseValue does (numbers
 * for int64 columns are accepted). Typed arrays without nulls are wrapped without copying.
 */
export function vectorOf(type: DataType, values: ArrayLike<unknown>): arrow.Vector {
  if (ArrayBuffer.isView(values)) {
    const typed = values as unknown as ArrayLike<number | bigint> & ArrayBufferView;
    if (type === 'int32' && typed instanceof Int32Array) return arrow.makeVector(typed);
    if (type === 'float64' && typed instanceof Float64Array) return arrow.makeVector(typed);
    if (type === 'int64' && typed instanceof BigInt64Array) return arrow.makeVector(typed);
    if (type === 'timestamp' && typed instanceof BigInt64Array) {
      return arrow.makeVector(arrow.makeData({ type: new arrow.TimestampMillisecond(), length: typed.length, nullCount: 0, data: typed }));
    }
  }
  return arrow.makeVector(columnData(type, values));
}

/**
 * One column's Arrow data, written straight into typed buffers. Arrow's own vectorFromArray goes through
 * per-value builders that encode each string separately: ~5 µs a row, which outweighed the engines' work when
 * results and CDC change tables were converted.
 */
function columnData(type: DataType, values: ArrayLike<unknown>): arrow.Data {
  const n = values.length;
  const bitmap = new Uint8Array((n + 7) >> 3);
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    if (values[i] === null || values[i] === undefined) nulls++;
    else bitmap[i >> 3]! |= 1 << (i & 7);
  }
  const common = { length: n, nullCount: nulls, nullBitmap: nulls === 0 ? undefined : bitmap };
  const present = (i: number): boolean => values[i] !== null && values[i] !== undefined;
  switch (type) {
    case 'int32': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) if (present(i)) out[i] = Number(values[i]);
      return arrow.makeData({ type: new arrow.Int32(), ...common, data: out });
    }
    case 'float64': {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) if (present(i)) out[i] = Number(values[i]);
      return arrow.makeData({ type: new arrow.Float64(), ...common, data: out });
    }
    case 'int64':
    case 'timestamp': {
      const out = new BigInt64Array(n);
      for (let i = 0; i < n; i++) {
        if (!present(i)) continue;
        const v = normaliseValue(values[i], type);
        out[i] = typeof v === 'bigint' ? v : BigInt(Math.trunc(v as number));
      }
      if (type === 'int64') return arrow.makeData({ type: new arrow.Int64(), ...common, data: out });
      return arrow.makeData({ type: new arrow.TimestampMillisecond(), ...common, data: out });
    }
    case 'bool': {
      const out = new Uint8Array((n + 7) >> 3);
      for (let i = 0; i < n; i++) if (present(i) && Boolean(values[i])) out[i >> 3]! |= 1 << (i & 7);
      return arrow.makeData({ type: new arrow.Bool(), ...common, data: out });
    }
    case 'utf8': {
      const strings = new Array<string | null>(n);
      // 1: ASCII of at most SHORT_STRING chars, copied by a JS loop (a native write a row cost ~5× more); 0: other.
      const short = new Uint8Array(n);
      let bytes = 0;
      for (let i = 0; i < n; i++) {
        const v = values[i];
        const s = v === null || v === undefined ? null : String(v);
        strings[i] = s;
        if (s === null) continue;
        if (s.length <= SHORT_STRING && isAscii(s)) {
          short[i] = 1;
          bytes += s.length;
        } else bytes += Buffer.byteLength(s);
      }
      if (bytes > 2 ** 31 - 1) throw new RangeError(`a utf8 column of ${bytes} bytes exceeds Arrow's 32-bit offsets`);
      const buffer = Buffer.allocUnsafe(bytes);
      const offsets = new Int32Array(n + 1);
      let at = 0;
      for (let i = 0; i < n; i++) {
        const s = strings[i];
        if (s !== null && s !== undefined) {
          if (short[i]) for (let j = 0; j < s.length; j++) buffer[at++] = s.charCodeAt(j);
          else at += buffer.write(s, at);
        }
        offsets[i + 1] = at;
      }
      const data = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length);
      return arrow.makeData({ type: new arrow.Utf8(), ...common, valueOffsets: offsets, data });
    }
    default:
      return assertNever(type, 'data type');
  }
}

/** Strings up to this many chars are encoded in JS when ASCII; longer ones by Buffer.write (a memcpy). */
const SHORT_STRING = 64;

function isAscii(s: string): boolean {
  for (let j = 0; j < s.length; j++) if (s.charCodeAt(j) >= 0x80) return false;
  return true;
}

/**
 * A table with exactly the given logical schema, from one array of values per column.
 * @example tableFromColumns([{name: 'k', type: 'utf8'}], { k: ['a', null] })
 */
export function tableFromColumns(schema: Schema, columns: Readonly<Record<string, ArrayLike<unknown>>>): arrow.Table {
  const vectors: Record<string, arrow.Vector> = {};
  let length: number | undefined;
  for (const f of schema) {
    const values = columns[f.name];
    if (!values) throw new Error(`missing column '${f.name}' when building a result table`);
    if (length !== undefined && values.length !== length) {
      throw new Error(`column '${f.name}' has ${values.length} values, expected ${length}`);
    }
    length = values.length;
    vectors[f.name] = vectorOf(f.type, values);
  }
  if (schema.length === 0) return new arrow.Table();
  return alignSchema(new arrow.Table(vectors), schema);
}

/** A table from row objects (convenient for tests and small results; engines should prefer columns). */
export function tableFromRows(schema: Schema, rows: readonly Readonly<Record<string, unknown>>[]): arrow.Table {
  const columns: Record<string, unknown[]> = {};
  for (const f of schema) columns[f.name] = rows.map((r) => r[f.name] ?? null);
  return tableFromColumns(schema, columns);
}

/** An empty table with the given schema. */
export function emptyTable(schema: Schema): arrow.Table {
  return tableFromColumns(schema, Object.fromEntries(schema.map((f) => [f.name, []])));
}

/** Re-declare every field nullable, so tables built different ways have identical Arrow schemas. */
function alignSchema(table: arrow.Table, schema: Schema): arrow.Table {
  const target = toArrowSchema(schema);
  const batches = table.batches.map(
    (b) => new arrow.RecordBatch(target, arrow.makeData({ type: new arrow.Struct(target.fields), length: b.numRows, nullCount: 0, children: b.data.children })),
  );
  return new arrow.Table(target, batches);
}

/** All values of one column as JS values in the representation ARROW_TYPE_OF documents. */
export function columnValues(table: arrow.Table, name: string): LiteralValue[] {
  const vector = table.getChild(name);
  if (!vector) throw new Error(`result has no column '${name}'; it has: ${table.schema.fields.map((f) => f.name).join(', ')}`);
  const type = fromArrowType(vector.type);
  if (type === 'utf8' && arrow.DataType.isUtf8(vector.type)) return utf8Values(vector as arrow.Vector<arrow.Utf8>);
  const out = new Array<LiteralValue>(vector.length);
  let i = 0;
  for (const v of vector) out[i++] = type ? normaliseValue(v, type) : (v as LiteralValue);
  return out;
}

/**
 * A Utf8 column's strings without decoding row by row (Arrow's getter runs a TextDecoder a row): a batch whose
 * bytes are all ASCII becomes one string, and each row a substring of it; other batches decode per row.
 */
function utf8Values(vector: arrow.Vector<arrow.Utf8>): (string | null)[] {
  const out = new Array<string | null>(vector.length);
  let row = 0;
  for (const data of vector.data) {
    const offsets = data.valueOffsets;
    const bytes = data.values;
    const nulls = data.nullCount > 0 ? data.nullBitmap : null;
    const first = offsets[0]!;
    const last = offsets[data.length]!;
    let ascii = true;
    for (let i = first; i < last && ascii; i++) ascii = bytes[i]! < 0x80;
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const text = ascii ? buffer.toString('latin1', first, last) : null;
    for (let i = 0; i < data.length; i++) {
      const bit = data.offset + i;
      if (nulls && ((nulls[bit >> 3]! >> (bit & 7)) & 1) === 0) out[row++] = null;
      else out[row++] = text !== null ? text.substring(offsets[i]! - first, offsets[i + 1]! - first) : buffer.toString('utf8', offsets[i]!, offsets[i + 1]!);
    }
  }
  return out;
}

/** Rows as plain objects (for tests, small results and `show()`). */
export function tableToRows(table: arrow.Table): Record<string, LiteralValue>[] {
  const cols = table.schema.fields.map((f) => [f.name, columnValues(table, f.name)] as const);
  const rows: Record<string, LiteralValue>[] = [];
  for (let i = 0; i < table.numRows; i++) {
    const row: Record<string, LiteralValue> = {};
    for (const [name, values] of cols) row[name] = values[i]!;
    rows.push(row);
  }
  return rows;
}
