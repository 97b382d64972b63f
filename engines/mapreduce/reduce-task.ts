// One reduce task attempt, run inside a worker: fetch this partition's segment from every map output (the
// shuffle), merge-sort them, group equal keys, reduce, run the chained narrow operators, and write the output
// as a DFS file whose blocks become visible only when the JobTracker commits the job. A fixed-width job
// (fixed-width.ts) fetches every segment into one buffer and merges typed runs (fixed-merge.ts).
import { compareBytes } from './bytes.ts';
import { BlockWriter } from './block-writer.ts';
import { injectFault, type FaultPlan } from './faults.ts';
import { FixedMerge, type RunBounds } from './fixed-merge.ts';
import { fixedWidthLayout } from './fixed-width.ts';
import { jobFunctions, type Reducer } from './job-functions.ts';
import { newCounters } from './map-task.ts';
import { mergeSegments } from './merge.ts';
import { compilePipeline } from './pipeline.ts';
import type { Row } from './row-format.ts';
import { SegmentReader, fetchSegment, readSegmentIndex, type SegmentIndexEntry } from './segment.ts';
import type { ReduceTaskSpec, TaskResult } from './task.ts';
import path from 'node:path';

const now = (): number => performance.now();

export async function runReduceTask(spec: ReduceTaskSpec): Promise<TaskResult> {
  const counters = newCounters();
  const t0 = now();
  const job = spec.job;
  const layout = fixedWidthLayout(job);
  const files = spec.mapOutputs.map((dir) => path.join(dir, 'file.out'));
  const entries = files.map((file) => readSegmentIndex(file)[spec.partition]!);
  for (const entry of entries) {
    counters.recordsShuffled! += entry.records;
    counters.bytesShuffled! += entry.length;
  }
  // The general path keeps one buffer per segment; the fixed-width path reads them all into one.
  const segments = layout === null ? files.map((file, i) => fetchSegment(file, entries[i]!)) : [];
  const runs = layout === null ? null : fetchRuns(files, entries);
  const tFetched = now();

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
  if (runs !== null) {
    const reduced = reduceFixed(new FixedMerge(runs.buf, runs.bounds, layout!.keyBytes), reducer, emit, fault, where);
    groups = reduced.groups;
    fault = reduced.fault;
  }
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

/** The shuffle for the fixed-width path: this partition's segment of every map output, back to back in one buffer. */
function fetchRuns(files: readonly string[], entries: readonly SegmentIndexEntry[]): { buf: Buffer; bounds: RunBounds[] } {
  const bounds: RunBounds[] = [];
  let total = 0;
  for (const e of entries) {
    bounds.push({ offset: total, length: e.length, records: e.records });
    total += e.length;
  }
  const buf = Buffer.allocUnsafe(total);
  files.forEach((file, i) => fetchSegment(file, entries[i]!, buf, bounds[i]!.offset));
  return { buf, bounds };
}

/**
 * The reduce loop over merged fixed-width runs: a new group wherever the key numbers change, each value handed to
 * the reducer where it lies in the fetched bytes. A fault fires as in the general loop; one planned after more
 * records than there are is handed back, to fire at the end.
 */
function reduceFixed(m: FixedMerge, reducer: Reducer, emit: (row: Row) => void, fault: FaultPlan | null, where: string): { groups: number; fault: FaultPlan | null } {
  const { buf, hi, lo, keyStart, keyEnd, valueEnd } = m;
  let groups = 0;
  let records = 0;
  let groupHi = -1;
  let groupLo = -1;
  const valueAt = reducer.valueAt?.bind(reducer);
  m.run((s) => {
    if (fault !== null && records === fault.afterRecords) {
      injectFault(fault, where);
      fault = null;
    }
    records++;
    if (hi[s] !== groupHi || lo[s] !== groupLo) {
      if (groups > 0) reducer.endGroup(emit);
      groups++;
      groupHi = hi[s]!;
      groupLo = lo[s]!;
      reducer.startGroup(buf.subarray(keyStart[s]!, keyEnd[s]!));
    }
    const ke = keyEnd[s]!;
    if (valueAt !== undefined) valueAt(buf, ke + 1, valueEnd[s]!, emit);
    else reducer.value(buf.subarray(keyStart[s]!, ke), buf.subarray(ke + 1, valueEnd[s]!), emit);
  });
  if (groups > 0) reducer.endGroup(emit);
  return { groups, fault };
}
