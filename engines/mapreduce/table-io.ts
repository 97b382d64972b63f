// Arrow at the engine's edges: `load` turns each Arrow table into a DFS file of binary rows cut into blocks, and
// a run's result file is read back (checksums verified, bad replicas skipped) into an Arrow table with exactly
// the plan's output schema.
import type * as arrow from 'apache-arrow';
import { normaliseValue, schemaOfTable, tableFromColumns } from '../../plan/arrow.ts';
import type { DataType, Schema } from '../../plan/types.ts';
import { readBlock, type BadReplica } from './block-io.ts';
import { BlockWriter } from './block-writer.ts';
import type { FileInfo, NameNode } from './namenode.ts';
import { readRow, type Row } from './row-format.ts';

/** One Arrow chunk's values as JS values in the engine's representation (typed-array fast paths). */
function chunkValues(data: arrow.Data, type: DataType, vector: arrow.Vector, base: number): ArrayLike<unknown> & { [i: number]: unknown } {
  const n = data.length;
  const out = new Array<unknown>(n);
  const bitmap = data.nullCount > 0 ? data.nullBitmap : null;
  const off = data.offset;
  const isNull = (i: number): boolean => bitmap !== null && bitmap !== undefined && (bitmap[(off + i) >> 3]! & (1 << ((off + i) & 7))) === 0;
  const values = data.values as unknown;
  if (type === 'int32' && values instanceof Int32Array) {
    for (let i = 0; i < n; i++) out[i] = isNull(i) ? null : values[off + i];
  } else if (type === 'float64' && values instanceof Float64Array) {
    for (let i = 0; i < n; i++) out[i] = isNull(i) ? null : values[off + i];
  } else if ((type === 'int64' || type === 'timestamp') && values instanceof BigInt64Array && data.stride === 1 && (type === 'int64' || (data.type as arrow.Timestamp).unit === 1)) {
    for (let i = 0; i < n; i++) out[i] = isNull(i) ? null : type === 'int64' ? values[off + i] : Number(values[off + i]);
  } else if (type === 'utf8' && data.valueOffsets instanceof Int32Array && values instanceof Uint8Array) {
    const offsets = data.valueOffsets;
    const bytes = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
    for (let i = 0; i < n; i++) out[i] = isNull(i) ? null : bytes.toString('utf8', offsets[off + i]!, offsets[off + i + 1]!);
  } else {
    for (let i = 0; i < n; i++) out[i] = normaliseValue(vector.get(base + i), type);
  }
  return out;
}

/**
 * Writes an Arrow table as a DFS file (not yet visible: the caller commits the returned FileInfo).
 * @example const info = writeTable(nn, '/tables/t', table, { blockSize: 4 << 20, replication: 3 });
 */
export function writeTable(nn: NameNode, path: string, table: arrow.Table, opts: { blockSize: number; replication: number }): FileInfo {
  const schema = schemaOfTable(table);
  const writer = new BlockWriter(
    { dfsRoot: nn.root, blockSize: opts.blockSize, replication: opts.replication, liveDataNodes: nn.liveDataNodes(), blockPrefix: nn.allocateBlockPrefix('t'), salt: 0 },
    schema.map((f) => f.type),
  );
  const vectors = schema.map((f) => table.getChild(f.name)!);
  const row: Row = new Array(schema.length);
  // Walk chunk by chunk; columns of one table may be chunked differently, so track each column's chunk.
  const chunkIdx = schema.map(() => 0);
  const chunkStart = schema.map(() => 0);
  const current: (ArrayLike<unknown> | null)[] = schema.map(() => null);
  for (let r = 0; r < table.numRows; ) {
    let runEnd = table.numRows;
    for (let c = 0; c < schema.length; c++) {
      const v = vectors[c]!;
      while (r >= chunkStart[c]! + v.data[chunkIdx[c]!]!.length) {
        chunkStart[c]! += v.data[chunkIdx[c]!]!.length;
        chunkIdx[c]!++;
        current[c] = null;
      }
      const data = v.data[chunkIdx[c]!]!;
      if (current[c] === null) current[c] = chunkValues(data, schema[c]!.type, v, chunkStart[c]!);
      runEnd = Math.min(runEnd, chunkStart[c]! + data.length);
    }
    for (; r < runEnd; r++) {
      for (let c = 0; c < schema.length; c++) row[c] = current[c]![r - chunkStart[c]!];
      writer.append(row);
    }
  }
  const blocks = writer.close();
  return { path, schema, rows: writer.rows, bytes: writer.bytes, blocks: blocks.map((b) => ({ ...b, replicas: [...b.replicas] })) };
}

/** Reads DFS files (in order) into an Arrow table with `schema`. Bad replicas met on the way are returned. */
export async function readFiles(nn: NameNode, files: readonly FileInfo[], schema: Schema): Promise<{ table: arrow.Table; bad: BadReplica[]; bytes: number }> {
  const types = schema.map((f) => f.type);
  const columns: unknown[][] = schema.map(() => []);
  const bad: BadReplica[] = [];
  let bytes = 0;
  const row: Row = new Array(types.length);
  for (const file of files) {
    for (const block of nn.blockRefs(file)) {
      const read = await readBlock(nn.root, block);
      bad.push(...read.bad);
      bytes += read.data.length;
      const cursor = { pos: 0 };
      for (let i = 0; i < block.rows; i++) {
        readRow(read.data, cursor, types, row);
        for (let c = 0; c < types.length; c++) columns[c]!.push(row[c]);
      }
    }
  }
  return { table: tableFromColumns(schema, Object.fromEntries(schema.map((f, c) => [f.name, columns[c]!]))), bad, bytes };
}
