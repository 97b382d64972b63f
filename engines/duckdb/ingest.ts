// Ingest: Arrow tables into DuckDB tables, column-wise. Each Arrow batch is cut into DuckDB data chunks of
// (at most) 2048 rows whose vectors are filled by raw memory copies (`copy_data_to_vector`), then appended whole
// with `appendDataChunk`. The node-api has no Arrow scan here, and appending row by row is several times slower.
import * as arrow from 'apache-arrow';
import duckdb from '@duckdb/node-bindings';
import { DuckDBDataChunk, type DuckDBConnection, type DuckDBType } from '@duckdb/node-api';
import { normaliseValue, schemaOfTable } from '../../plan/arrow.ts';
import { assertNever, type DataType, type Schema } from '../../plan/types.ts';
import { EngineError } from '../engine.ts';
import { quoteIdent, SQL_TYPE } from './sql.ts';
import { StringRecordWriter } from './strings.ts';
import { duckdbTypeOf } from './types.ts';

/** DuckDB's vector size: the rows of one data chunk. */
export const CHUNK_ROWS = duckdb.vector_size();

/**
 * Create (or replace) table `name` with the Arrow table's columns and copy every row into it.
 * On failure the half-loaded table is dropped, so a table is either fully there or absent.
 * @example await ingestTable(connection, 'user_events', arrowTable)
 */
export async function ingestTable(connection: DuckDBConnection, name: string, table: arrow.Table): Promise<Schema> {
  let schema: Schema;
  try {
    schema = schemaOfTable(table);
  } catch (e) {
    throw new EngineError(`cannot load table '${name}': ${(e as Error).message}`, 'bad-input');
  }
  if (schema.length === 0) throw new EngineError(`cannot load table '${name}': it has no columns`, 'bad-input');
  const columns = schema.map((f) => `${quoteIdent(f.name)} ${SQL_TYPE[f.type]}`).join(', ');
  await connection.run(`CREATE OR REPLACE TABLE ${quoteIdent(name)} (${columns})`);
  const appender = await connection.createAppender(name);
  try {
    const chunk = DuckDBDataChunk.create(schema.map((f) => duckdbTypeOf(f.type) as DuckDBType));
    for (const batch of table.batches) {
      const data = schema.map((_, i) => batch.data.children[i]!);
      for (let start = 0; start < batch.numRows; start += CHUNK_ROWS) {
        const rows = Math.min(CHUNK_ROWS, batch.numRows - start);
        // WARNING: reset before every fill: a chunk keeps its validity masks and string heap between uses.
        duckdb.data_chunk_reset(chunk.chunk);
        duckdb.data_chunk_set_size(chunk.chunk, rows);
        schema.forEach((f, i) => fillVector(duckdb.data_chunk_get_vector(chunk.chunk, i), f.type, data[i]!, start, rows));
        appender.appendDataChunk(chunk);
      }
    }
    appender.closeSync();
  } catch (e) {
    try {
      appender.closeSync();
    } catch {
      // The append already failed; its error is the one worth reporting.
    }
    await connection.run(`DROP TABLE IF EXISTS ${quoteIdent(name)}`);
    if (e instanceof EngineError) throw e;
    throw new EngineError(`cannot load table '${name}': ${(e as Error).message}`, 'bad-input');
  }
  return schema;
}

/** Copy rows [start, start + rows) of one Arrow column into a DuckDB vector (values, then validity). */
function fillVector(vector: duckdb.Vector, type: DataType, data: arrow.Data, start: number, rows: number): void {
  switch (type) {
    case 'int32':
      if (arrow.DataType.isInt(data.type) && data.type.bitWidth === 32 && data.type.isSigned) {
        // Fixed-width values are already sliced to the Data's offset (only bitmaps carry it).
        copyValues(vector, data.values as Int32Array, start, rows);
      } else {
        copyValues(vector, Int32Array.from(slowValues(data, type, start, rows), (v) => (v === null ? 0 : Number(v))), 0, rows);
      }
      break;
    case 'int64':
      if (arrow.DataType.isInt(data.type) && data.type.bitWidth === 64 && data.type.isSigned) {
        copyValues(vector, data.values as BigInt64Array, start, rows);
      } else {
        copyValues(vector, BigInt64Array.from(slowValues(data, type, start, rows), (v) => (v === null ? 0n : (v as bigint))), 0, rows);
      }
      break;
    case 'float64':
      if (arrow.DataType.isFloat(data.type) && data.type.precision === arrow.Precision.DOUBLE) {
        copyValues(vector, data.values as Float64Array, start, rows);
      } else {
        copyValues(vector, Float64Array.from(slowValues(data, type, start, rows), (v) => (v === null ? 0 : Number(v))), 0, rows);
      }
      break;
    case 'timestamp':
      copyValues(vector, timestampMicros(data, start, rows), 0, rows);
      break;
    case 'bool': {
      // DuckDB stores one byte per boolean; Arrow one bit.
      const bytes = new Uint8Array(rows);
      if (arrow.DataType.isBool(data.type)) {
        const bits = data.values as Uint8Array;
        for (let i = 0; i < rows; i++) {
          const bit = data.offset + start + i;
          bytes[i] = (bits[bit >> 3]! >> (bit & 7)) & 1;
        }
      } else {
        slowValues(data, type, start, rows).forEach((v, i) => (bytes[i] = v ? 1 : 0));
      }
      copyValues(vector, bytes, 0, rows);
      break;
    }
    case 'utf8':
      fillStrings(vector, data, start, rows);
      break;
    default:
      assertNever(type, 'data type');
  }
  copyValidity(vector, data, start, rows);
}

function copyValues(vector: duckdb.Vector, values: ArrayBufferView & { readonly BYTES_PER_ELEMENT: number }, start: number, rows: number): void {
  const width = values.BYTES_PER_ELEMENT;
  duckdb.copy_data_to_vector(vector, 0, values.buffer as ArrayBuffer, values.byteOffset + start * width, rows * width);
}

/** Arrow's bit-packed validity for the slice, as DuckDB's (same LSB-first layout, so aligned slices copy as bytes). */
function copyValidity(vector: duckdb.Vector, data: arrow.Data, start: number, rows: number): void {
  if (data.nullCount === 0) return;
  duckdb.vector_ensure_validity_writable(vector);
  const first = data.offset + start;
  const bytes = Math.ceil(rows / 8);
  const bitmap = data.nullBitmap as Uint8Array;
  if ((first & 7) === 0) {
    duckdb.copy_data_to_vector_validity(vector, 0, bitmap.buffer as ArrayBuffer, bitmap.byteOffset + (first >> 3), bytes);
    return;
  }
  const shifted = new Uint8Array(bytes);
  for (let i = 0; i < rows; i++) {
    const bit = first + i;
    if ((bitmap[bit >> 3]! >> (bit & 7)) & 1) shifted[i >> 3]! |= 1 << (i & 7);
  }
  duckdb.copy_data_to_vector_validity(vector, 0, shifted.buffer, 0, bytes);
}

/**
 * Epoch milliseconds → DuckDB TIMESTAMP microseconds. Multiplies each int64 by 1000 on its two 32-bit halves,
 * which is exact for every int64 result and avoids a BigInt allocation per value.
 */
function timestampMicros(data: arrow.Data, start: number, rows: number): BigInt64Array {
  const out = new BigInt64Array(rows);
  if (arrow.DataType.isTimestamp(data.type) && data.type.unit === arrow.TimeUnit.MILLISECOND && data.values instanceof BigInt64Array) {
    const src = data.values as BigInt64Array;
    const lo = new Uint32Array(src.buffer, src.byteOffset + start * 8, rows * 2);
    const outWords = new Uint32Array(out.buffer);
    for (let i = 0; i < rows; i++) {
      const low = lo[2 * i]! * 1000;
      const carry = Math.floor(low / 4294967296);
      outWords[2 * i] = low >>> 0;
      outWords[2 * i + 1] = ((lo[2 * i + 1]! | 0) * 1000 + carry) >>> 0;
    }
    return out;
  }
  slowValues(data, 'timestamp', start, rows).forEach((v, i) => (out[i] = v === null ? 0n : BigInt(Math.trunc(Number(v))) * 1000n));
  return out;
}

const encoder = new TextEncoder();

/**
 * Strings go in as DuckDB `string_t` records of 16 bytes (strings.ts): short strings inline, each distinct long
 * one assigned to the vector's heap once per chunk (a retail chunk of 2,048 rows has ~38 countries).
 */
function fillStrings(vector: duckdb.Vector, data: arrow.Data, start: number, rows: number): void {
  const writer = new StringRecordWriter(rows);
  const hasNulls = data.nullCount > 0;
  if (arrow.DataType.isUtf8(data.type)) {
    const offsets = data.valueOffsets as Int32Array;
    const bytes = data.values as Uint8Array;
    // The validity bits read directly: Data.getValid per row cost more than copying the row's bytes.
    const nulls = hasNulls ? data.nullBitmap! : null;
    for (let i = 0; i < rows; i++) {
      const bit = data.offset + start + i;
      if (nulls && ((nulls[bit >> 3]! >> (bit & 7)) & 1) === 0) continue;
      writer.put(i, bytes, offsets[start + i]!, offsets[start + i + 1]!);
    }
  } else {
    slowValues(data, 'utf8', start, rows).forEach((v, i) => {
      if (v !== null) writer.put(i, encoder.encode(v as string));
    });
  }
  writer.writeTo(vector);
}

/** The general path for Arrow types with another layout (dictionary strings, Int8, Float32, other time units). */
function slowValues(data: arrow.Data, type: DataType, start: number, rows: number): (number | bigint | string | boolean | null)[] {
  const vector = arrow.makeVector(data);
  const out = new Array<number | bigint | string | boolean | null>(rows);
  for (let i = 0; i < rows; i++) out[i] = normaliseValue(vector.get(start + i), type);
  return out;
}
