// Arrow at the ClickHouse boundary: query results (Arrow IPC from chDB or a modern server) re-typed to the plan's
// exact schema, and tables written as Arrow IPC files in ~64K-row record batches for INSERT ... FORMAT Arrow.
import * as arrow from 'apache-arrow';
import { emptyTable, toArrowSchema } from '../../plan/arrow.ts';
import type { DataType, Schema } from '../../plan/types.ts';

/** Rows per Arrow record batch written for loading (ClickHouse reads each batch as one block). */
export const LOAD_BATCH_ROWS = 65_536;

/** `table` re-cut into record batches of at most LOAD_BATCH_ROWS rows, as an Arrow IPC file. */
export function toIpcFile(table: arrow.Table): Uint8Array {
  const batches: arrow.RecordBatch[] = [];
  for (let start = 0; start < table.numRows; start += LOAD_BATCH_ROWS) {
    batches.push(...table.slice(start, Math.min(table.numRows, start + LOAD_BATCH_ROWS)).batches);
  }
  return arrow.tableToIPC(new arrow.Table(table.schema, batches), 'file');
}

/**
 * An Arrow IPC result → a table with exactly `schema`. ClickHouse writes DateTime64(3,'UTC') as
 * Timestamp<ms, UTC> and may write String as Binary; both share Utf8/Timestamp<ms>'s layout and are re-labelled.
 */
export function resultToArrow(ipc: Uint8Array, schema: Schema): arrow.Table {
  if (ipc.byteLength === 0) return emptyTable(schema);
  const source = arrow.tableFromIPC(ipc);
  const target = toArrowSchema(schema);
  if (source.schema.fields.length !== schema.length) {
    throw new Error(`clickhouse returned ${source.schema.fields.length} columns, expected ${schema.length}`);
  }
  const batches = source.batches
    .filter((b) => b.numRows > 0)
    .map((batch) => {
      const children = schema.map((f, i) => relabel(batch.getChildAt(i)!.data[0]!, f.type, f.name, target.fields[i]!.type));
      return new arrow.RecordBatch(
        target,
        arrow.makeData({ type: new arrow.Struct(target.fields), length: batch.numRows, nullCount: 0, children }),
      );
    });
  return batches.length === 0 ? emptyTable(schema) : new arrow.Table(target, batches);
}

function relabel(data: arrow.Data, type: DataType, name: string, expected: arrow.DataType): arrow.Data {
  const t = data.type as arrow.DataType;
  if (arrow.util.compareTypes(t, expected)) return data;
  const sameLayout =
    (type === 'utf8' && (arrow.DataType.isBinary(t) || arrow.DataType.isUtf8(t))) ||
    (type === 'timestamp' && arrow.DataType.isTimestamp(t) && t.unit === arrow.TimeUnit.MILLISECOND) ||
    (type === 'bool' && arrow.DataType.isBool(t));
  if (sameLayout) return data.clone(expected);
  throw new Error(`clickhouse returned column '${name}' as ${t}, expected ${expected}`);
}
