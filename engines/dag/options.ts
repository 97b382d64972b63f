// The options the DAG engine reads, parsed without loading the engine (the CLI checks them before any cell starts).
import { availableParallelism } from 'node:os';
import { EngineError, type EngineContext } from '../engine.ts';

/**
 * How equi-joins are planned. auto: broadcast the right side if it is small, else the left side if it is small
 * (for a LEFT join the unmatched left rows are then emitted once, after every probe task), else shuffle both.
 */
export type JoinStrategy = 'auto' | 'broadcast-right' | 'broadcast-left' | 'shuffled';
export const JOIN_STRATEGIES: readonly JoinStrategy[] = ['auto', 'broadcast-right', 'broadcast-left', 'shuffled'];

/** Options read from EngineContext.options (also accepted without the `dag.` prefix). */
export interface DagOptions {
  /** Worker threads (executor slots). Default: the number of cores. */
  readonly workers: number;
  /** Partitions each loaded table is split into. Default: workers. */
  readonly partitions: number;
  /** Reduce partitions of each hash shuffle. Default: workers. */
  readonly shufflePartitions: number;
  /** Join sides estimated at or below this size are broadcast (right first). Default 10 MiB (Spark's default). */
  readonly broadcastThresholdBytes: number;
  /** `auto` (by size) or one join strategy forced for every join, as a Spark join hint would. */
  readonly joinStrategy: JoinStrategy;
  /** Attempts per task before the job aborts. Default 4 (spark.task.maxFailures). */
  readonly maxTaskAttempts: number;
  /** `in-engine` (UDFs run inside the worker threads) or `isolated` (rows serialised to a child process). */
  readonly udfMode: 'in-engine' | 'isolated';
  /** Run the optimizer. Default true. */
  readonly optimizer: boolean;
}

export function readOptions(options: EngineContext['options']): DagOptions {
  const get = (key: string) => options[`dag.${key}`] ?? options[key];
  const int = (key: string, dflt: number, min = 1): number => {
    const v = get(key);
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new EngineError(`option dag.${key} must be an integer ≥ ${min}, got '${v}'`, 'bad-input');
    return n;
  };
  const workers = int('workers', Math.max(1, availableParallelism()));
  const udfMode = String(get('udfMode') ?? 'in-engine');
  if (udfMode !== 'in-engine' && udfMode !== 'isolated') throw new EngineError(`option dag.udfMode must be 'in-engine' or 'isolated', got '${udfMode}'`, 'bad-input');
  const optimizer = get('optimizer');
  const joinStrategy = String(get('joinStrategy') ?? 'auto') as JoinStrategy;
  if (!JOIN_STRATEGIES.includes(joinStrategy)) throw new EngineError(`option dag.joinStrategy must be one of ${JOIN_STRATEGIES.join(', ')}, got '${joinStrategy}'`, 'bad-input');
  return {
    joinStrategy,
    workers,
    partitions: int('partitions', workers),
    shufflePartitions: int('shufflePartitions', workers),
    broadcastThresholdBytes: int('broadcastThresholdBytes', 10 * 1024 * 1024, 0),
    maxTaskAttempts: int('maxTaskAttempts', 4),
    udfMode,
    optimizer: optimizer === undefined ? true : optimizer !== false && optimizer !== 'false',
  };
}
