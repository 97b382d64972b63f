// The user-level functions of a job, as Hadoop's Mapper, Combiner and Reducer: built per task from the wire job
// (operators hold no state; each factory call returns fresh per-task state). One exhaustive switch picks the
// algorithm; each algorithm lives in its own file.
import { assertNever, exprChildren, type Expr } from '../../plan/types.ts';
import { fromWire } from './expressions.ts';
import type { ByteWriter } from './bytes.ts';
import type { WireJob } from './job.ts';
import type { Row } from './row-format.ts';
import type { TaskCounters } from './task.ts';
import { aggregateFunctions } from './aggregate.ts';
import { joinFunctions } from './join.ts';
import { sortFunctions } from './sort.ts';
import { distinctFunctions } from './distinct.ts';
import { latestPerKeyFunctions } from './latest-per-key.ts';
import { limitFunctions } from './limit.ts';

/** Where a mapper writes one record: fill `key` and `value` (both reset by the caller), then `collect()`. */
export interface Collector {
  readonly key: ByteWriter;
  readonly value: ByteWriter;
  collect(): void;
  /** The fixed-width sort buffer's direct hand-over, where the collector has one (map-output-buffer.ts). */
  readonly fixed?: FixedCollector | null;
}

/**
 * Collects a fixed-width record without the key and value writers: a mapper that already holds the key's bytes
 * and its state in typed form serialises the state once, straight into the sort buffer.
 */
export interface FixedCollector {
  /**
   * Collects a record with key bytes [ks, ks + klen) of `key` and a value of `vlen` bytes; returns where in
   * `values` the caller writes that value. WARNING: write it before the next call, which may spill or move `values`.
   */
  collect(key: Uint8Array, ks: number, klen: number, vlen: number): number;
  /**
   * collect for a key that is one int32 column's encoding (marker 0x01, then `u`, the value with its sign bit
   * flipped, big-endian): nothing is written byte by byte.
   */
  collectInt32(u: number, vlen: number): number;
  readonly values: Uint8Array;
}

export interface Mapper {
  map(row: Row, out: Collector): void;
  /** After the last row: a mapper that holds records back (in-mapper combining) collects them here. */
  finish?(out: Collector): void;
}

/**
 * In-mapper combining (Lin and Dyer's design pattern): with the combiner on, a mapper may merge the records of
 * one key in memory before collecting them, flushing whenever its table passes `maxBytes`.
 */
export interface InMapperCombining {
  readonly maxBytes: number;
  /** Receives inMapperCombineInputRecords / inMapperCombineOutputRecords. */
  readonly counters: TaskCounters;
}

/** Merges the values of one key inside a map task, before spilling; must not change the reducer's answer. */
export interface Combiner {
  combine(key: Uint8Array, values: Buffer[]): Buffer[];
}

/** Streams the sorted records of one reduce partition, group by group. */
export interface Reducer {
  startGroup(groupKey: Buffer): void;
  /** `fullKey` includes the bytes grouping ignores (e.g. a join's side tag). */
  value(fullKey: Buffer, value: Buffer, emit: (row: Row) => void): void;
  /** Optional form of `value` for a reducer that ignores the key: the value at [start, end) of `buf`, no views made. */
  valueAt?(buf: Buffer, start: number, end: number, emit: (row: Row) => void): void;
  endGroup(emit: (row: Row) => void): void;
  /** After the last group; `groups` is how many this reducer saw (a global aggregate over nothing still emits). */
  finish(emit: (row: Row) => void, groups: number): void;
}

export interface JobFunctions {
  /** `combining` is null when the combiner is off; algorithms without in-mapper combining ignore it. */
  mapper(inputIndex: number, combining: InMapperCombining | null): Mapper;
  /** Null when the algorithm has no valid combiner (join, sort). */
  readonly combiner: (() => Combiner) | null;
  reducer(partition: number): Reducer;
  /** Trailing key bytes the partitioner and the grouping comparator ignore (a join's side tag: 1). */
  readonly groupStrip: number;
}

export function jobFunctions(job: WireJob): JobFunctions {
  const k = job.kind;
  switch (k.kind) {
    case 'aggregate':
      return aggregateFunctions(job, k);
    case 'join':
      return joinFunctions(job, k);
    case 'sort':
      return sortFunctions(job, k);
    case 'distinct':
      return distinctFunctions(job);
    case 'latestPerKey':
      return latestPerKeyFunctions(job, k);
    case 'limit':
      return limitFunctions(job, k);
    case 'mapOnly':
      throw new Error('a map-only job has no map output and no reducer');
    default:
      return assertNever(k, 'job kind');
  }
}

function addColumns(e: Expr, into: Set<string>): void {
  if (e.kind === 'column') into.add(e.name);
  for (const c of exprChildren(e)) addColumns(c, into);
}

/** The input columns a job's map function reads (null: all of them), so the record reader can skip the rest. */
export function mapColumns(job: WireJob, inputIndex: number): Set<string> | null {
  const k = job.kind;
  switch (k.kind) {
    case 'aggregate': {
      const cols = new Set<string>(k.keys);
      for (const a of k.aggregates) if (a.arg !== null) addColumns(fromWire(a.arg), cols);
      return cols;
    }
    case 'limit':
    case 'mapOnly':
    case 'join':
    case 'sort':
    case 'distinct':
    case 'latestPerKey':
      return null;
    default:
      return assertNever(k, 'job kind');
  }
}
