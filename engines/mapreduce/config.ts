// The engine's options, read from EngineContext.options under the `mapreduce.` prefix (the bare name works too).
// Every figure documents its unit and default; the README lists them.
import { EngineError } from '../engine.ts';
import type { FaultPolicy } from './faults.ts';

export interface MapReduceConfig {
  /** DFS block size in bytes (default 4 MiB: small data still makes several blocks). */
  readonly blockSize: number;
  /** Replicas per block (default 3). */
  readonly replication: number;
  /** DataNodes (folders) in the file system (default 4). */
  readonly dataNodes: number;
  /** Worker-thread slots running tasks in parallel (default: available cores, at most 4). */
  readonly slots: number;
  /** Reduce partitions per job (default 4; global aggregates, sorts and limits use 1). */
  readonly reducers: number;
  /** Map-side sort buffer in bytes (default 16 MiB; Hadoop's mapreduce.task.io.sort.mb). */
  readonly sortBufferBytes: number;
  /** Run the combiner on the map side where the algorithm has one (default true). */
  readonly combiner: boolean;
  /**
   * Run map tasks a batch of column vectors at a time where the job allows (default true; Hive's
   * hive.vectorized.execution.enabled). False runs every map task row at a time: same output, byte for byte.
   */
  readonly vectorized: boolean;
  /**
   * Keep the records of aggregate jobs whose keys and partial states have a fixed width (int32, int64, float64,
   * timestamp and bool keys of at most 12 encoded bytes) in typed arrays through the sort buffer, the spill and
   * the reducers' merge (default true). False sends them through the general byte path: same files, same output.
   */
  readonly fixedWidth: boolean;
  /** Attempts per task before the job fails (default 4, as mapreduce.map.maxattempts). */
  readonly maxAttempts: number;
  /** An attempt running longer than this is killed and retried, in ms (default 120000). */
  readonly taskTimeoutMs: number;
  readonly faults: FaultPolicy;
}

type Options = Readonly<Record<string, string | number | boolean>>;

function raw(options: Options, key: string): string | number | boolean | undefined {
  return options[`mapreduce.${key}`] ?? options[key];
}

function num(options: Options, key: string, dflt: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const v = raw(options, key);
  if (v === undefined) return dflt;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new EngineError(`option mapreduce.${key}=${String(v)} is invalid: give a number between ${min} and ${max}`, 'bad-input');
  }
  return n;
}

function bool(options: Options, key: string, dflt: boolean): boolean {
  const v = raw(options, key);
  if (v === undefined) return dflt;
  if (v === true || v === 'true' || v === 1 || v === '1') return true;
  if (v === false || v === 'false' || v === 0 || v === '0') return false;
  throw new EngineError(`option mapreduce.${key}=${String(v)} is invalid: give true or false`, 'bad-input');
}

/** Parses and validates the options. @example readConfig({ 'mapreduce.blockSize': 1 << 20 }, 2) */
export function readConfig(options: Options, cores: number): MapReduceConfig {
  const phases = raw(options, 'faults.phases') ?? 'both';
  if (phases !== 'map' && phases !== 'reduce' && phases !== 'both') {
    throw new EngineError(`option mapreduce.faults.phases=${String(phases)} is invalid: give map, reduce or both`, 'bad-input');
  }
  const dataNodes = Math.trunc(num(options, 'dataNodes', 4, 1, 64));
  return {
    blockSize: Math.trunc(num(options, 'blockSize', 4 << 20, 64)),
    replication: Math.trunc(num(options, 'replication', Math.min(3, dataNodes), 1, dataNodes)),
    dataNodes,
    slots: Math.trunc(num(options, 'slots', Math.max(1, Math.min(4, cores)), 1, 64)),
    reducers: Math.trunc(num(options, 'reducers', 4, 1, 1024)),
    sortBufferBytes: Math.trunc(num(options, 'sortBufferBytes', 16 << 20, 64)),
    combiner: bool(options, 'combiner', true),
    vectorized: bool(options, 'vectorized', true),
    fixedWidth: bool(options, 'fixedWidth', true),
    maxAttempts: Math.trunc(num(options, 'maxAttempts', 4, 1, 100)),
    taskTimeoutMs: num(options, 'taskTimeoutMs', 120_000, 1),
    faults: {
      crashRate: num(options, 'faults.crashRate', 0, 0, 1),
      stallRate: num(options, 'faults.stallRate', 0, 0, 1),
      stallMs: num(options, 'faults.stallMs', 3_600_000, 0),
      phases,
    },
  };
}
