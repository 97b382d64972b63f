// What the JobTracker sends a worker for one task attempt and what comes back. Plain cloneable data only:
// it crosses a worker_threads boundary by structured clone.
import type { Schema } from '../../plan/types.ts';
import type { BadReplica, BlockRef } from './block-io.ts';
import type { WrittenBlock } from './block-writer.ts';
import type { FaultPlan } from './faults.ts';
import type { WireJob } from './job.ts';
import type { WireOp } from './pipeline.ts';

/** Where and how a task writes a DFS output file (reduce tasks, map-only tasks). */
export interface OutputSpec {
  readonly dfsRoot: string;
  readonly blockSize: number;
  readonly replication: number;
  readonly liveDataNodes: readonly number[];
  readonly localDn: number;
  readonly blockPrefix: string;
  readonly salt: number;
}

export interface MapTaskSpec {
  readonly type: 'map';
  readonly job: WireJob;
  readonly task: string;
  readonly attempt: number;
  readonly inputIndex: number;
  readonly fileSchema: Schema;
  readonly ops: readonly WireOp[];
  readonly block: BlockRef;
  readonly dfsRoot: string;
  /** The DataNode of the slot running the task: its replica is read first (data locality). */
  readonly localDn: number;
  /** This attempt's private directory on the slot's local disk (map output, spills). */
  readonly localDir: string;
  readonly sortBufferBytes: number;
  /** Map-only jobs write their rows straight to the DFS. */
  readonly output: OutputSpec | null;
  readonly fault: FaultPlan | null;
}

export interface ReduceTaskSpec {
  readonly type: 'reduce';
  readonly job: WireJob;
  readonly task: string;
  readonly attempt: number;
  readonly partition: number;
  /** Directories holding each map task's `file.out` and `file.out.index`, in map task order. */
  readonly mapOutputs: readonly string[];
  readonly output: OutputSpec;
  readonly fault: FaultPlan | null;
}

export type TaskSpec = MapTaskSpec | ReduceTaskSpec;

/** Counters a task reports; names end in their unit like EngineMetrics.counters. */
export type TaskCounters = Record<string, number>;

export interface TaskResult {
  readonly counters: TaskCounters;
  /** Time inside the task by phase (ms): read, map, spill, merge for maps; shuffle, reduce for reducers. */
  readonly phasesMs: Record<string, number>;
  readonly badReplicas: readonly BadReplica[];
  readonly outputBlocks: readonly WrittenBlock[] | null;
  readonly outputRows: number;
  readonly outputBytes: number;
}

export type WorkerReply =
  | { readonly ok: true; readonly result: TaskResult }
  | { readonly ok: false; readonly error: string };

/** Task ids as Hadoop prints them, e.g. `m-00003`, `r-00000`. */
export function taskId(kind: 'm' | 'r', index: number): string {
  return `${kind}-${String(index).padStart(5, '0')}`;
}
