// Arrow tables for the CDC hot paths (the `changes` table of every merge, the snapshot of every reload), built
// straight into typed arrays. plan/arrow.ts's tableFromColumns goes through Arrow's per-value builders, which
// encode every string separately; at 1e5 rows that conversion alone outweighed the engine work and set the
// merge-vs-reload crossover instead of the engines. The tables are identical to tableFromColumns' (same schema).
import * as arrow from 'apache-arrow';
import { toArrowSchema, toArrowType } from '../../plan/arrow.ts';
import { assertNever, type DataType, type LiteralValue, type Schema } from '../../plan/types.ts';

/** A validity bitmap (bit set = value present) and the null count, or no bitmap when nothing is NULL. */
function validityOf(values: ArrayLike<LiteralValue | undefined>): { bitmap: Uint8Array | undefined; nulls: number } {
  const bitmap = new Uint8Array((values.length + 7) >> 3);
  let nulls = 0;
  for (let i = 0; i < values.length; i++) {
    if (values[i] === null || values[i] === undefined) nulls++;
    else bitmap[i >> 3]! |= 1 << (i & 7);
  }
  return { bitmap: nulls === 0 ? undefined : bitmap, nulls };
}

/** Strings as one UTF-8 buffer and offsets: one native write per value instead of an encoder call and a copy. */
function utf8Data(type: arrow.DataType, values: ArrayLike<LiteralValue | undefined>, bitmap: Uint8Array | undefined, nulls: number): arrow.Data {
  const offsets = new Int32Array(values.length + 1);
  let bytes = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== null && v !== undefined) bytes += Buffer.byteLength(String(v));
  }
  if (bytes > 2 ** 31 - 1) throw new RangeError(`a utf8 column of ${bytes} bytes exceeds Arrow's 32-bit offsets`);
  const buffer = Buffer.allocUnsafe(bytes);
  let at = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== null && v !== undefined) at += buffer.write(String(v), at);
    offsets[i + 1] = at;
  }
  const data = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length);
  return arrow.makeData({ type: type as arrow.Utf8, length: values.length, nullCount: nulls, nullBitmap: bitmap, valueOffsets: offsets, data });
}

/** One column's Arrow data from JS values in plan/arrow.ts's representation (NULL as null). */
function columnData(type: DataType, values: ArrayLike<LiteralValue | undefined>): arrow.Data {
  const t = toArrowType(type);
  const { bitmap, nulls } = validityOf(values);
  const n = values.length;
  const present = (v: LiteralValue | undefined): v is Exclude<LiteralValue, null> => v !== null && v !== undefined;
  switch (type) {
    case 'int32': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) if (present(values[i])) out[i] = Number(values[i]);
      return arrow.makeData({ type: t as arrow.Int32, length: n, nullCount: nulls, nullBitmap: bitmap, data: out });
    }
    case 'float64': {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) if (present(values[i])) out[i] = Number(values[i]);
      return arrow.makeData({ type: t as arrow.Float64, length: n, nullCount: nulls, nullBitmap: bitmap, data: out });
    }
    case 'int64':
    case 'timestamp': {
      const out = new BigInt64Array(n);
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (present(v)) out[i] = typeof v === 'bigint' ? v : BigInt(Math.trunc(Number(v)));
      }
      if (type === 'int64') return arrow.makeData({ type: t as arrow.Int64, length: n, nullCount: nulls, nullBitmap: bitmap, data: out });
      return arrow.makeData({ type: t as arrow.TimestampMillisecond, length: n, nullCount: nulls, nullBitmap: bitmap, data: out });
    }
    case 'bool': {
      const out = new Uint8Array((n + 7) >> 3);
      for (let i = 0; i < n; i++) if (values[i] === true) out[i >> 3]! |= 1 << (i & 7);
      return arrow.makeData({ type: t as arrow.Bool, length: n, nullCount: nulls, nullBitmap: bitmap, data: out });
    }
    case 'utf8':
      return utf8Data(t, values, bitmap, nulls);
    default:
      return assertNever(type, 'data type');
  }
}

/**
 * A table with exactly the schema tableFromColumns gives, from one array of values per column.
 * @example columnsTable([{ name: 'k', type: 'utf8' }], { k: ['a', null] }).numRows // 2
 */
export function columnsTable(schema: Schema, columns: Readonly<Record<string, ArrayLike<LiteralValue | undefined>>>): arrow.Table {
  const target = toArrowSchema(schema);
  const children = schema.map((f) => {
    const values = columns[f.name];
    if (!values) throw new Error(`missing column '${f.name}' when building a table`);
    return columnData(f.type, values);
  });
  const length = children[0]?.length ?? 0;
  const wrong = schema.find((_, i) => children[i]!.length !== length);
  if (wrong) throw new Error(`column '${wrong.name}' has ${children[schema.indexOf(wrong)]!.length} values, expected ${length}`);
  const data = arrow.makeData({ type: new arrow.Struct(target.fields), length, nullCount: 0, children });
  return new arrow.Table(target, [new arrow.RecordBatch(target, data)]);
}

/**
 * A table from row objects (missing values are NULL): a reload's extract of the source's rows.
 * @example rowsTable(customers.schema, sim.batches[0].sourceRows).numRows
 */
export function rowsTable(schema: Schema, rows: readonly Readonly<Record<string, LiteralValue | undefined>>[]): arrow.Table {
  const columns: Record<string, (LiteralValue | undefined)[]> = {};
  for (const f of schema) {
    const values = new Array<LiteralValue | undefined>(rows.length);
    for (let i = 0; i < rows.length; i++) values[i] = rows[i]![f.name];
    columns[f.name] = values;
  }
  return columnsTable(schema, columns);
}
