// Whether a map task runs vectorized (Hive's Vectorizer): the job must be one whose map side has a vector form
// (an aggregate), and every chained operator, key and aggregate argument must compile to vector expressions.
// The same check answers the worker (which mapper to build) and `explain` (what to print, and why not).
import type { Schema } from '../../plan/types.ts';
import type { WireJob } from './job.ts';
import { mapColumns } from './job-functions.ts';
import type { WireOp } from './pipeline.ts';
import { vectorizeAggregate, type VectorAggregatePlan } from './vector-aggregate.ts';
import { NotVectorizable } from './vector-expressions.ts';
import { compileVectorPipeline, type VectorPipeline } from './vector-pipeline.ts';

export interface VectorizedMap {
  readonly pipeline: VectorPipeline;
  readonly aggregate: VectorAggregatePlan;
}

/**
 * The vectorized map side of one input of `job` read from files of `fileSchema` through `ops`, or the reason
 * there is none (a string). Per-block limits come later, from `aggregate.blockReason`.
 * @example const v = vectorizeMap(job, 0, schema, ops); if (typeof v === 'string') console.log(`row at a time: ${v}`);
 */
export function vectorizeMap(job: WireJob, inputIndex: number, fileSchema: Schema, ops: readonly WireOp[]): VectorizedMap | string {
  if (!job.vectorized) return 'vectorized execution is off (mapreduce.vectorized=false)';
  const k = job.kind;
  if (k.kind !== 'aggregate') return `only aggregate jobs have a vectorized map side (this is a ${k.kind} job)`;
  try {
    const pipeline = compileVectorPipeline(fileSchema, ops, mapColumns(job, inputIndex));
    return { pipeline, aggregate: vectorizeAggregate(k, pipeline.schema) };
  } catch (err) {
    if (err instanceof NotVectorizable) return err.message;
    throw err;
  }
}
