// One map task attempt, run inside a worker: read its block (local replica first, checksum verified), decode the
// columns the job reads, run the chained narrow operators and the map function, and leave a sorted, partitioned
// map output on the slot's local disk. An aggregate runs vectorized (batches of column vectors) where
// vectorization.ts allows, otherwise row at a time. A map-only job writes its rows straight to a DFS file.
import { mkdirSync } from 'node:fs';
import { readBlock } from './block-io.ts';
import { BlockWriter } from './block-writer.ts';
import { decodeColumnBlock } from './column-block.ts';
import { injectFault, type FaultPlan } from './faults.ts';
import { jobFunctions, mapColumns, type Collector } from './job-functions.ts';
import { fixedWidthLayout } from './fixed-width.ts';
import { MapOutputBuffer } from './map-output-buffer.ts';
import { compilePipeline, neededInputColumns } from './pipeline.ts';
import type { Row } from './row-format.ts';
import type { MapTaskSpec, TaskCounters, TaskResult } from './task.ts';
import { BATCH_SIZE, compileVectorRowReader, sliceVector, type ColumnVector, type VectorizedRowBatch } from './vector.ts';
import { vectorizeMap, type VectorizedMap } from './vectorization.ts';

/** Row numbers 0..BATCH_SIZE-1: every batch starts with all its rows selected. */
const IDENTITY = Int32Array.from({ length: BATCH_SIZE }, (_, i) => i);

export function newCounters(): TaskCounters {
  return {
    recordsRead: 0,
    bytesRead: 0,
    mapOutputRecords: 0,
    mapOutputBytes: 0,
    combineInputRecords: 0,
    combineOutputRecords: 0,
    recordsSpilled: 0,
    bytesSpilled: 0,
    spillFiles: 0,
    mergedBytes: 0,
    recordsShuffled: 0,
    bytesShuffled: 0,
    reduceInputGroups: 0,
    recordsWritten: 0,
    bytesWritten: 0,
    bytesWrittenToDisk: 0,
    spillMs: 0,
    mergeMs: 0,
  };
}

const now = (): number => performance.now();

export async function runMapTask(spec: MapTaskSpec): Promise<TaskResult> {
  const counters = newCounters();
  const t0 = now();
  const { data, bad } = await readBlock(spec.dfsRoot, spec.block, spec.localDn);
  const tRead = now();
  counters.bytesRead = data.length;
  const types = spec.fileSchema.map((f) => f.type);
  const where = `map task ${spec.task} attempt ${spec.attempt} of job ${spec.job.id}`;
  const rows = spec.block.rows;
  // Projection pushdown: only the columns the chain and the map function read are decoded.
  const needed = spec.output !== null ? null : neededInputColumns(spec.fileSchema, spec.ops, mapColumns(spec.job, spec.inputIndex));
  const vectors = decodeColumnBlock(data, types, rows, needed === null ? undefined : spec.fileSchema.map((f) => needed.has(f.name)));

  let writer: BlockWriter | null = null;
  let buffer: MapOutputBuffer | null = null;
  if (spec.output !== null) {
    writer = new BlockWriter(spec.output, spec.job.outputSchema.map((f) => f.type));
    const w = writer;
    runRows(spec, vectors, (row) => w.append(row), where);
  } else {
    mkdirSync(spec.localDir, { recursive: true });
    const fns = jobFunctions(spec.job);
    const combiner = spec.job.combiner && fns.combiner ? fns.combiner() : null;
    buffer = new MapOutputBuffer(spec.localDir, spec.job.reducers, fns.groupStrip, combiner, spec.sortBufferBytes, counters, now, spec.job.boundaries, fixedWidthLayout(spec.job));
    // In-mapper combining may hold half the sort buffer's worth of groups before it collects them.
    const combining = combiner !== null ? { maxBytes: spec.sortBufferBytes / 2, counters } : null;
    const vectorized = vectorizeMap(spec.job, spec.inputIndex, spec.fileSchema, spec.ops);
    if (typeof vectorized !== 'string' && vectorized.aggregate.blockReason(rows) === null) {
      runBatches(vectorized, vectors, rows, buffer, combining, spec.fault, where);
      counters.vectorizedMapTasks = 1;
    } else {
      const mapper = fns.mapper(spec.inputIndex, combining);
      const b = buffer;
      runRows(spec, vectors, (row) => mapper.map(row, b), where);
      mapper.finish?.(buffer);
    }
  }
  counters.recordsRead = rows;
  const tMap = now();

  let outputBlocks = null;
  let outputRows = 0;
  let outputBytes = 0;
  if (writer !== null) {
    outputBlocks = writer.close();
    outputRows = writer.rows;
    outputBytes = writer.bytes;
    counters.recordsWritten = writer.rows;
    counters.bytesWritten = writer.bytes;
    counters.bytesWrittenToDisk! += writer.bytesOnDisk;
  } else {
    buffer!.close();
  }
  const tEnd = now();
  return {
    counters,
    phasesMs: { read: tRead - t0, map: tMap - tRead - counters.spillMs!, spill: counters.spillMs! + (tEnd - tMap) - counters.mergeMs!, merge: counters.mergeMs! },
    badReplicas: bad,
    outputBlocks,
    outputRows,
    outputBytes,
  };
}

/** Row at a time: each record through the chained operators, then `emit` (the mapper, or the DFS writer). */
function runRows(spec: MapTaskSpec, vectors: readonly (ColumnVector | null)[], emit: (row: Row) => void, where: string): void {
  const pipeline = compilePipeline(spec.fileSchema, spec.ops);
  const readRow = compileVectorRowReader(vectors);
  // WARNING: one row array is reused for every record; narrow ops and map functions must not keep it.
  const row: Row = new Array(vectors.length);
  let fault = spec.fault;
  for (let i = 0; i < spec.block.rows; i++) {
    if (fault !== null && i === fault.afterRecords) {
      injectFault(fault, where);
      fault = null;
    }
    readRow(i, row);
    const out = pipeline.run(row);
    if (out !== null) emit(out);
  }
  if (fault !== null) injectFault(fault, where);
}

/**
 * Vectorized: the block in batches of BATCH_SIZE rows (views of the decoded columns), each through the vector
 * pipeline and into the vectorized aggregate. A fault fires at the start of the batch holding its record.
 */
function runBatches(
  v: VectorizedMap,
  vectors: readonly (ColumnVector | null)[],
  rows: number,
  out: Collector,
  combining: { maxBytes: number; counters: TaskCounters } | null,
  fault: FaultPlan | null,
  where: string,
): void {
  const mapper = v.aggregate.mapper(combining);
  const batch: VectorizedRowBatch = { cols: [], rows: 0, selected: new Int32Array(BATCH_SIZE), size: 0 };
  for (let start = 0; start < rows; start += BATCH_SIZE) {
    const n = Math.min(BATCH_SIZE, rows - start);
    if (fault !== null && fault.afterRecords < start + n) {
      injectFault(fault, where);
      fault = null;
    }
    batch.cols = vectors.map((c) => (c === null ? null : sliceVector(c, start, n)));
    batch.rows = n;
    batch.size = n;
    batch.selected.set(IDENTITY.subarray(0, n));
    v.pipeline.run(batch);
    if (batch.size > 0) mapper.mapBatch(batch, out);
  }
  if (fault !== null) injectFault(fault, where);
  mapper.finish(out);
}
