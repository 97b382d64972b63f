// A MapReduce job as the planner builds it and the JobTracker runs it: which DFS files feed which map pipelines,
// what the map emits as key and value, how many reducers, what the reducer does, and where the output goes.
// The `kind` union names the reduce-side algorithm; map, combine and reduce for each live in their own file.
import type { Aggregate, JoinKey, Schema, SortKey } from '../../plan/types.ts';
import type { WireExpr } from './expressions.ts';
import type { NarrowOp, WireOp } from './pipeline.ts';

/** One input of a job: files of the same schema read by map tasks that run `ops` before the map function. */
export interface InputPart {
  readonly files: readonly string[];
  readonly fileSchema: Schema;
  readonly ops: readonly NarrowOp[];
}

/** The reduce-side algorithm of a job. */
export type JobKind =
  | { readonly kind: 'aggregate'; readonly keys: readonly string[]; readonly aggregates: readonly Aggregate[] }
  | { readonly kind: 'join'; readonly how: 'inner' | 'left'; readonly on: readonly JoinKey[] }
  | { readonly kind: 'sort'; readonly keys: readonly SortKey[] }
  | { readonly kind: 'distinct' }
  | { readonly kind: 'latestPerKey'; readonly keys: readonly string[]; readonly orderBy: string }
  | { readonly kind: 'limit'; readonly count: number }
  | { readonly kind: 'mapOnly' };

export interface JobSpec {
  /** 1-based within a run. */
  readonly id: number;
  readonly kind: JobKind;
  /** One entry per logical input (a join has two: left, right); each may be a union of parts. */
  readonly inputs: readonly (readonly InputPart[])[];
  /** Schema each input has after its map-side ops (what the map function sees). */
  readonly inputSchemas: readonly Schema[];
  /** Rows the reduce function produces, before `reduceOps`. */
  readonly reduceSchema: Schema;
  readonly reduceOps: NarrowOp[];
  readonly outputSchema: Schema;
  /** Keep only the first N output rows (valid only with one reducer). */
  outputLimit: number | null;
  /** Reduce partitions; the planner drops a sort to 1 when a LIMIT sits on it (top-N in one reducer). */
  reducers: number;
  readonly combiner: boolean;
  /** Map tasks may run vectorized (vectorization.ts decides per input and block). */
  readonly vectorized: boolean;
  /** Fixed-width records may take the typed path (fixed-width.ts decides per job). */
  readonly fixedWidth: boolean;
  /** DFS directory of the committed output (`part-r-00000`...). */
  readonly outputDir: string;
}

/** Aggregate as shipped: argument expression in wire form. */
export interface WireAggregate {
  readonly fn: Aggregate['fn'];
  readonly arg: WireExpr | null;
  readonly name: string;
}

/** The cloneable part of a JobSpec a task needs (no plan expressions with functions). */
export type WireJobKind =
  | { readonly kind: 'aggregate'; readonly keys: readonly string[]; readonly aggregates: readonly WireAggregate[] }
  | Exclude<JobKind, { kind: 'aggregate' }>;

export interface WireJob {
  readonly id: number;
  readonly kind: WireJobKind;
  readonly inputSchemas: readonly Schema[];
  readonly reduceSchema: Schema;
  readonly reduceOps: readonly WireOp[];
  readonly outputSchema: Schema;
  readonly outputLimit: number | null;
  readonly reducers: number;
  readonly combiner: boolean;
  readonly vectorized: boolean;
  readonly fixedWidth: boolean;
  /**
   * Range partitioning (TeraSort): reducer i gets the keys k with boundaries[i-1] <= k < boundaries[i], so the
   * part files in order are totally ordered. Null: hash partitioning.
   */
  readonly boundaries: readonly Uint8Array[] | null;
}
