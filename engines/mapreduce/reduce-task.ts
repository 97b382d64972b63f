// One reduce task attempt, run inside a worker: fetch this partition's segment from every map output (the
// shuffle), merge-sort them, group equal keys, reduce, run the chained narrow operators, and write the output
// as a DFS file whose blocks become visible only when the JobTracker commits the job.
import { compareBytes } from './bytes.ts';
import { BlockWriter } from './block-writer.ts';
import { injectFault } from './faults.ts';
import { jobFunctions } from './job-functions.ts';
import { newCounters } from './map-task.ts';
import { mergeSegments } from './merge.ts';
import { compilePipeline } from './pipeline.ts';
import type { Row } from './row-format.ts';
import { SegmentReader, fetchSegment, readSegmentIndex } from './segment.ts';
import type { ReduceTaskSpec, TaskResult } from './task.ts';
import path from 'node:path';

const now = (): number => performance.now();

export async function runReduceTask(spec: ReduceTaskSpec): Promise<TaskResult> {
  const counters = newCounters();
  const t0 = now();
  const segments: Buffer[] = [];
  for (const dir of spec.mapOutputs) {
    const file = path.join(dir, 'file.out');
    const entry = readSegmentIndex(file)[spec.partition]!;
    segments.push(fetchSegment(file, entry));
    counters.recordsShuffled! += entry.records;
    counters.bytesShuffled! += entry.length;
  }
  const tFetched = now();

  const job = spec.job;
  const fns = jobFunctions(job);
  const reducer = fns.reducer(spec.partition);
  const strip = fns.groupStrip;
  const chain = compilePipeline(job.reduceSchema, job.reduceOps);
  const writer = new BlockWriter(spec.output, job.outputSchema.map((f) => f.type));
  const limit = job.outputLimit;
  let written = 0;
  const emit = (row: Row): void => {
    const out = chain.run(row);
    if (out === null || (limit !== null && written >= limit)) return;
    written++;
    writer.append(out);
  };
  const where = `reduce task ${spec.task} attempt ${spec.attempt} of job ${job.id}`;
  let fault = spec.fault;
  let records = 0;
  let groups = 0;
  let groupKey: Buffer | null = null;
  const readers = segments.map((s) => new SegmentReader(s, 0, s.length));
  const valueAt = reducer.valueAt?.bind(reducer);
  mergeSegments(readers, (r) => {
    if (fault !== null && records === fault.afterRecords) {
      injectFault(fault, where);
      fault = null;
    }
    records++;
    const ge = r.ke - strip;
    if (groupKey === null || compareBytes(groupKey, 0, groupKey.length, r.buf, r.ks, ge) !== 0) {
      if (groupKey !== null) reducer.endGroup(emit);
      groupKey = r.buf.subarray(r.ks, ge);
      groups++;
      reducer.startGroup(groupKey);
    }
    if (valueAt !== undefined) valueAt(r.buf, r.vs, r.ve, emit);
    else reducer.value(r.buf.subarray(r.ks, r.ke), r.buf.subarray(r.vs, r.ve), emit);
  });
  if (groupKey !== null) reducer.endGroup(emit);
  reducer.finish(emit, groups);
  if (fault !== null) injectFault(fault, where);
  const blocks = writer.close();
  counters.reduceInputGroups = groups;
  counters.recordsWritten = writer.rows;
  counters.bytesWritten = writer.bytes;
  counters.bytesWrittenToDisk = writer.bytesOnDisk;
  const tEnd = now();
  return {
    counters,
    phasesMs: { shuffle: tFetched - t0, reduce: tEnd - tFetched },
    badReplicas: [],
    outputBlocks: blocks,
    outputRows: writer.rows,
    outputBytes: writer.bytes,
  };
}
