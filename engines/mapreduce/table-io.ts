// Arrow at the engine's edges: `load` turns each Arrow table into a DFS file of columnar blocks (Arrow's buffers
// are copied a block's range at a time, not converted row by row), and a run's result file is read back
// (checksums verified, bad replicas skipped) into an Arrow table with exactly the plan's output schema.
import * as arrow from 'apache-arrow';
import { normaliseValue, schemaOfTable, tableFromColumns, toArrowSchema } from '../../plan/arrow.ts';
import { assertNever, type DataType, type Schema } from '../../plan/types.ts';
import { readBlock, type BadReplica } from './block-io.ts';
import { BlockWriter } from './block-writer.ts';
import { decodeColumnBlock } from './column-block.ts';
import type { FileInfo, NameNode } from './namenode.ts';
import { vectorFromValues, type ColumnVector } from './vector.ts';

const TWO_32 = 4294967296;

/** Arrow's validity bitmap (1 = valid) of one chunk as one byte per row (1 = NULL), or null without NULLs. */
function nullsOf(data: arrow.Data): Uint8Array | null {
  if (data.nullCount === 0 || !data.nullBitmap) return null;
  const n = data.length;
  const off = data.offset;
  const bitmap = data.nullBitmap;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = ((bitmap[(off + i) >> 3]! >> ((off + i) & 7)) & 1) ^ 1;
  return out;
}

/**
 * One Arrow chunk as a column vector: views of Arrow's buffers where the layouts agree (int32, float64, int64,
 * utf8), one tight conversion loop where they do not (timestamps int64 -> ms double, bits -> bytes for bool),
 * and value by value for any other layout (dictionaries, other widths and units).
 * WARNING: a sliced chunk's value and offset buffers already start at its first row (arrow-js slices them);
 * only the validity and bool bitmaps are shared and need `data.offset`.
 */
function chunkVector(data: arrow.Data, type: DataType, vector: arrow.Vector, base: number): ColumnVector {
  const n = data.length;
  const off = data.offset;
  const nulls = nullsOf(data);
  const values = data.values as unknown;
  switch (type) {
    case 'int32':
      if (values instanceof Int32Array) return { type, values: values.subarray(0, n), nulls };
      break;
    case 'float64':
      if (values instanceof Float64Array) return { type, values: values.subarray(0, n), nulls };
      break;
    case 'int64':
      if (values instanceof BigInt64Array && data.stride === 1) return { type, values: values.subarray(0, n), nulls };
      break;
    case 'timestamp':
      // Millisecond timestamps and dates: the two 32-bit halves of each int64, without a BigInt per row.
      if (values instanceof BigInt64Array && data.stride === 1 && (data.type as { unit?: number }).unit === 1) {
        const words = new Int32Array(values.buffer, values.byteOffset, 2 * n);
        const ms = new Float64Array(n);
        for (let i = 0; i < n; i++) ms[i] = words[2 * i + 1]! * TWO_32 + (words[2 * i]! >>> 0);
        return { type, values: ms, nulls };
      }
      break;
    case 'bool':
      if (values instanceof Uint8Array && arrow.DataType.isBool(data.type)) {
        const out = new Uint8Array(n);
        for (let i = 0; i < n; i++) out[i] = (values[(off + i) >> 3]! >> ((off + i) & 7)) & 1;
        return { type, values: out, nulls };
      }
      break;
    case 'utf8':
      if (data.valueOffsets instanceof Int32Array && values instanceof Uint8Array) {
        return { type, bytes: values, starts: data.valueOffsets.subarray(0, n), ends: data.valueOffsets.subarray(1, n + 1), nulls };
      }
      break;
    default:
      return assertNever(type, 'data type');
  }
  return vectorFromValues(type, Array.from({ length: n }, (_, i) => normaliseValue(vector.get(base + i), type)));
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
  // Walk chunk by chunk; columns of one table may be chunked differently, so track each column's chunk.
  const chunkIdx = schema.map(() => 0);
  const chunkStart = schema.map(() => 0);
  const current: (ColumnVector | null)[] = schema.map(() => null);
  if (schema.length === 0) for (let r = 0; r < table.numRows; r++) writer.append([]);
  for (let r = 0; r < table.numRows && schema.length > 0; ) {
    let runEnd = table.numRows;
    for (let c = 0; c < schema.length; c++) {
      const v = vectors[c]!;
      while (r >= chunkStart[c]! + v.data[chunkIdx[c]!]!.length) {
        chunkStart[c]! += v.data[chunkIdx[c]!]!.length;
        chunkIdx[c]!++;
        current[c] = null;
      }
      const data = v.data[chunkIdx[c]!]!;
      if (current[c] === null) current[c] = chunkVector(data, schema[c]!.type, v, chunkStart[c]!);
      runEnd = Math.min(runEnd, chunkStart[c]! + data.length);
    }
    writer.appendVectors(current as ColumnVector[], chunkStart.map((s) => r - s), runEnd - r);
    r = runEnd;
  }
  const blocks = writer.close();
  return { path, schema, rows: writer.rows, bytes: writer.bytes, blocks: blocks.map((b) => ({ ...b, replicas: [...b.replicas] })) };
}

/** The validity bitmap Arrow wants (1 = valid) from per-row NULL flags; undefined when nothing is NULL. */
function validityOf(nulls: Uint8Array, nullCount: number): Uint8Array | undefined {
  if (nullCount === 0) return undefined;
  const out = new Uint8Array((nulls.length + 7) >> 3);
  for (let i = 0; i < nulls.length; i++) if (nulls[i] === 0) out[i >> 3]! |= 1 << (i & 7);
  return out;
}

/** Concatenates one column's vectors (one per block) into Arrow data of the column's logical type. */
function arrowData(type: DataType, parts: readonly ColumnVector[]): arrow.Data {
  let n = 0;
  for (const p of parts) n += valuesLength(p);
  const nulls = new Uint8Array(n);
  let nullCount = 0;
  let at = 0;
  for (const p of parts) {
    const len = valuesLength(p);
    if (p.nulls !== null) {
      nulls.set(p.nulls, at);
      for (let i = 0; i < len; i++) nullCount += p.nulls[i]!;
    }
    at += len;
  }
  const common = { length: n, nullCount, nullBitmap: validityOf(nulls, nullCount) };
  const concat = <T extends Int32Array | Float64Array | BigInt64Array>(out: T): T => {
    let pos = 0;
    for (const p of parts) {
      const values = (p as unknown as { values: T }).values;
      out.set(values as never, pos);
      pos += values.length;
    }
    return out;
  };
  switch (type) {
    case 'int32':
      return arrow.makeData({ type: new arrow.Int32(), ...common, data: concat(new Int32Array(n)) });
    case 'float64':
      return arrow.makeData({ type: new arrow.Float64(), ...common, data: concat(new Float64Array(n)) });
    case 'int64':
      return arrow.makeData({ type: new arrow.Int64(), ...common, data: concat(new BigInt64Array(n)) });
    case 'timestamp': {
      const ms = concat(new Float64Array(n));
      const out = new BigInt64Array(n);
      const words = new Int32Array(out.buffer);
      for (let i = 0; i < n; i++) {
        if (nulls[i] === 1) continue;
        const v = Math.trunc(ms[i]!);
        if (!Number.isSafeInteger(v)) {
          out[i] = BigInt(v); // throws on NaN and infinities, as building the column from values would
          continue;
        }
        const hi = Math.floor(v / TWO_32);
        words[2 * i] = v - hi * TWO_32;
        words[2 * i + 1] = hi;
      }
      return arrow.makeData({ type: new arrow.TimestampMillisecond(), ...common, data: out });
    }
    case 'bool': {
      const out = new Uint8Array((n + 7) >> 3);
      let i = 0;
      for (const p of parts) {
        const values = (p as { values: Uint8Array }).values;
        for (let j = 0; j < values.length; j++, i++) if (values[j] === 1 && nulls[i] === 0) out[i >> 3]! |= 1 << (i & 7);
      }
      return arrow.makeData({ type: new arrow.Bool(), ...common, data: out });
    }
    case 'utf8': {
      let total = 0;
      for (const p of parts) {
        const u = p as Extract<ColumnVector, { type: 'utf8' }>;
        for (let i = 0; i < u.starts.length; i++) total += u.ends[i]! - u.starts[i]!;
      }
      if (total > 2 ** 31 - 1) throw new RangeError(`a utf8 result column of ${total} bytes exceeds Arrow's 32-bit offsets`);
      const bytes = new Uint8Array(total);
      const offsets = new Int32Array(n + 1);
      let pos = 0;
      let row = 0;
      for (const p of parts) {
        const u = p as Extract<ColumnVector, { type: 'utf8' }>;
        for (let i = 0; i < u.starts.length; i++) {
          const s = u.starts[i]!;
          const e = u.ends[i]!;
          bytes.set(u.bytes.subarray(s, e), pos);
          pos += e - s;
          offsets[++row] = pos;
        }
      }
      return arrow.makeData({ type: new arrow.Utf8(), ...common, valueOffsets: offsets, data: bytes });
    }
    default:
      return assertNever(type, 'data type');
  }
}

function valuesLength(v: ColumnVector): number {
  return v.type === 'utf8' ? v.starts.length : v.values.length;
}

/** Reads DFS files (in order) into an Arrow table with `schema`. Bad replicas met on the way are returned. */
export async function readFiles(nn: NameNode, files: readonly FileInfo[], schema: Schema): Promise<{ table: arrow.Table; bad: BadReplica[]; bytes: number }> {
  const types = schema.map((f) => f.type);
  const parts: ColumnVector[][] = schema.map(() => []);
  const bad: BadReplica[] = [];
  let bytes = 0;
  let rows = 0;
  for (const file of files) {
    for (const block of nn.blockRefs(file)) {
      const read = await readBlock(nn.root, block);
      bad.push(...read.bad);
      bytes += read.data.length;
      rows += block.rows;
      decodeColumnBlock(read.data, types, block.rows).forEach((v, c) => parts[c]!.push(v!));
    }
  }
  if (schema.length === 0) return { table: tableFromColumns(schema, {}), bad, bytes };
  const target = toArrowSchema(schema);
  const children = schema.map((f, c) => arrowData(f.type, parts[c]!));
  const struct = arrow.makeData({ type: new arrow.Struct(target.fields), length: rows, nullCount: 0, children });
  return { table: new arrow.Table(target, [new arrow.RecordBatch(target, struct)]), bad, bytes };
}
