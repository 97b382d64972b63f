// One map task attempt, run inside a worker: read its block (local replica first, checksum verified), decode
// rows, run the chained narrow operators and the map function, and leave a sorted, partitioned map output on
// the slot's local disk. A map-only job writes its rows straight to a DFS file instead.
import { mkdirSync } from 'node:fs';
import { readBlock } from './block-io.ts';
import { BlockWriter } from './block-writer.ts';
import { injectFault } from './faults.ts';
import { jobFunctions, mapColumns, type Mapper } from './job-functions.ts';
import { MapOutputBuffer } from './map-output-buffer.ts';
import { compilePipeline, neededInputColumns } from './pipeline.ts';
import { compileRowReader, type Row } from './row-format.ts';
import type { MapTaskSpec, TaskCounters, TaskResult } from './task.ts';

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
  const pipeline = compilePipeline(spec.fileSchema, spec.ops);
  const types = spec.fileSchema.map((f) => f.type);
  const where = `map task ${spec.task} attempt ${spec.attempt} of job ${spec.job.id}`;
  let fault = spec.fault;
  const rows = spec.block.rows;
  let pos = 0;

  let writer: BlockWriter | null = null;
  let buffer: MapOutputBuffer | null = null;
  let mapper: Mapper | null = null;
  let emit: (row: Row) => void;
  if (spec.output !== null) {
    writer = new BlockWriter(spec.output, spec.job.outputSchema.map((f) => f.type));
    const w = writer;
    emit = (row) => w.append(row);
  } else {
    mkdirSync(spec.localDir, { recursive: true });
    const fns = jobFunctions(spec.job);
    buffer = new MapOutputBuffer(spec.localDir, spec.job.reducers, fns.groupStrip, spec.job.combiner && fns.combiner ? fns.combiner() : null, spec.sortBufferBytes, counters, now, spec.job.boundaries);
    // In-mapper combining may hold half the sort buffer's worth of groups before it collects them.
    mapper = fns.mapper(spec.inputIndex, spec.job.combiner && fns.combiner ? { maxBytes: spec.sortBufferBytes / 2, counters } : null);
    const m = mapper;
    const b = buffer;
    emit = (row) => m.map(row, b);
  }

  const needed = spec.output !== null ? null : neededInputColumns(spec.fileSchema, spec.ops, mapColumns(spec.job, spec.inputIndex));
  const skip = needed === null ? undefined : spec.fileSchema.map((f) => !needed.has(f.name));
  // WARNING: one row array is reused for every record; narrow ops and map functions must not keep it.
  const row: Row = new Array(types.length);
  const readRow = compileRowReader(types, skip);
  for (let i = 0; i < rows; i++) {
    if (fault !== null && i === fault.afterRecords) {
      injectFault(fault, where);
      fault = null;
    }
    pos = readRow(data, pos, row);
    const out = pipeline.run(row);
    if (out !== null) emit(out);
  }
  if (fault !== null) injectFault(fault, where);
  if (mapper !== null && buffer !== null) mapper.finish?.(buffer);
  if (pos !== data.length) throw new Error(`block ${spec.block.id} of ${spec.block.file} decoded to ${pos} of ${data.length} bytes: its schema does not match`);
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
