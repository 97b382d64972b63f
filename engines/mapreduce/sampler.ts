// TeraSort's input sampler: before a total-order sort job runs, read a few rows from evenly spaced input blocks,
// run them through the map side's operators, encode their sort keys, and cut the sorted sample into one key
// range per reducer. Reducer i then receives only keys between boundaries i-1 and i, so its part file follows
// reducer i-1's and the concatenated output is totally ordered.
import { compareBytes, ByteWriter } from './bytes.ts';
import { readBlock, type BadReplica } from './block-io.ts';
import { writeKey } from './key-format.ts';
import type { JobSpec, WireJob } from './job.ts';
import type { NameNode } from './namenode.ts';
import { compilePipeline, opToWire } from './pipeline.ts';
import { decodeColumnBlock } from './column-block.ts';
import type { Row } from './row-format.ts';
import { compileVectorRowReader } from './vector.ts';
import { sortKeyColumns } from './sort.ts';

/** Blocks read by the sampler and rows taken from each (TeraSort reads 10 splits by default). */
const SAMPLE_BLOCKS = 10;
const ROWS_PER_BLOCK = 1000;

/**
 * Boundaries for `job.reducers` ranges (reducers - 1 keys), plus any bad replicas met while reading.
 * @example const { boundaries } = await sampleBoundaries(nn, job, wire, resolve);
 */
export async function sampleBoundaries(
  nn: NameNode,
  job: JobSpec,
  wire: WireJob,
  resolve: (files: readonly string[]) => ReturnType<NameNode['list']>,
): Promise<{ boundaries: Uint8Array[]; sampled: number; bad: BadReplica[] }> {
  if (job.kind.kind !== 'sort') throw new Error('only sort jobs are range-partitioned');
  const { cols, idx } = sortKeyColumns(wire, job.kind.keys);
  const blocks = job.inputs[0]!.flatMap((part) => resolve(part.files).flatMap((file) => nn.blockRefs(file).map((block) => ({ part, file, block }))));
  const step = Math.max(1, Math.floor(blocks.length / SAMPLE_BLOCKS));
  const keys: Buffer[] = [];
  const bad: BadReplica[] = [];
  const w = new ByteWriter(64);
  for (let b = 0; b < blocks.length && keys.length < SAMPLE_BLOCKS * ROWS_PER_BLOCK; b += step) {
    const { part, file, block } = blocks[b]!;
    const read = await readBlock(nn.root, block);
    bad.push(...read.bad);
    const pipeline = compilePipeline(file.schema, part.ops.map(opToWire));
    const types = file.schema.map((f) => f.type);
    const readRow = compileVectorRowReader(decodeColumnBlock(read.data, types, block.rows));
    const row: Row = new Array(types.length);
    const keyValues: unknown[] = new Array(idx.length);
    for (let r = 0; r < Math.min(block.rows, ROWS_PER_BLOCK); r++) {
      readRow(r, row);
      const out = pipeline.run(row);
      if (out === null) continue;
      for (let i = 0; i < idx.length; i++) keyValues[i] = out[idx[i]!];
      w.reset();
      writeKey(w, cols, keyValues);
      keys.push(w.copy());
    }
  }
  keys.sort((a, c) => compareBytes(a, 0, a.length, c, 0, c.length));
  const boundaries: Uint8Array[] = [];
  if (keys.length > 0) for (let i = 1; i < job.reducers; i++) boundaries.push(keys[Math.floor((i * keys.length) / job.reducers)]!);
  return { boundaries, sampled: keys.length, bad };
}
