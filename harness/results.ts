// The machine-readable results of a bench run (the JSON file the runner writes and the report reads).
// Versioned: bump RESULTS_VERSION on any incompatible change and document it in harness/RESULTS.md.
import type { EngineMetrics } from '../engines/engine.ts';
import type { BaselineComparison } from './baseline.ts';

export const RESULTS_VERSION = 1;

/** Summary statistics over timed samples, all in milliseconds. */
export interface SampleStats {
  readonly samplesMs: readonly number[];
  readonly medianMs: number;
  readonly meanMs: number;
  readonly p99Ms: number;
  readonly minMs: number;
  readonly maxMs: number;
  /** 95% confidence interval of the mean (Student's t), [low, high] in ms. */
  readonly ci95Ms: readonly [number, number];
}

/** How a cell ended. Only `ok` cells carry times that may be ranked. */
export type CellStatus =
  | { readonly kind: 'ok' }
  /** The result differs from the reference: never ranked as a time. `diff` is a short human-readable sample. */
  | { readonly kind: 'wrong'; readonly diff: string }
  /** The engine declared up front that it lacks a node or expression the plan uses. */
  | { readonly kind: 'unsupported'; readonly reason: string }
  /** Killed after exceeding the cell's time budget. */
  | { readonly kind: 'timeout'; readonly budgetMs: number }
  /** Out of memory: the engine refused up front (its budget) or the child process ran out of heap. */
  | { readonly kind: 'oom'; readonly reason: string }
  /** The engine cannot run on this machine (e.g. no ClickHouse server reachable). */
  | { readonly kind: 'unavailable'; readonly reason: string }
  | { readonly kind: 'error'; readonly message: string };

export interface CellResult {
  readonly scenario: string;
  /** Engine name for query scenarios, variant name for custom scenarios. */
  readonly engine: string;
  readonly rows: number;
  readonly status: CellStatus;
  /** The time budget this cell ran under, ms. */
  readonly budgetMs?: number;
  /** First run, including JIT and cache warm-up (as db-benchmark and ClickBench report it). */
  readonly coldMs?: number;
  /** Time to load the input tables into the engine, measured separately from queries. */
  readonly loadMs?: number;
  readonly stats?: SampleStats;
  /** Peak resident set size of the cell's child process, bytes. */
  readonly peakRssBytes?: number;
  /** Wall time the runner spent on the cell: its child process from spawn to exit, plus the result check, ms. */
  readonly wallMs?: number;
  readonly metrics?: EngineMetrics;
  readonly resultRows?: number;
  /** Extra series a custom scenario reports (e.g. throughput vs batch size). */
  readonly series?: Readonly<Record<string, readonly { readonly x: number; readonly y: number }[]>>;
}

export interface ScenarioInfo {
  readonly name: string;
  readonly title: string;
  readonly teaches: string;
  readonly suite: string;
  readonly kind: 'query' | 'custom';
  /** `explain` text of the logical plan (query scenarios). */
  readonly plan?: string;
}

export interface EngineInfo {
  readonly name: string;
  readonly models: string;
  readonly role: 'reference' | 'teaching' | 'real' | 'variant';
  readonly summary: string;
}

export interface Environment {
  readonly node: string;
  readonly os: string;
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryBytes: number;
  readonly gitCommit: string | null;
  /** Package versions of every engine and of the harness's own dependencies. */
  readonly packages: Readonly<Record<string, string>>;
  readonly seed: number;
}

/** ClickBench-style ranking: per scenario (t + 10 ms) / (best + 10 ms); geometric mean across scenarios. */
export interface Ranking {
  readonly engine: string;
  /** Geometric mean of the ratios; failed or wrong cells count as the penalty ratio. */
  readonly score: number;
  readonly penalised: number;
}

export interface RunResults {
  readonly version: typeof RESULTS_VERSION;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly environment: Environment;
  readonly settings: {
    readonly iterations: number;
    readonly warmupIterations: number;
    readonly budgetMs: number;
    readonly referenceEngine: string;
  };
  readonly scenarios: readonly ScenarioInfo[];
  readonly engines: readonly EngineInfo[];
  readonly cells: readonly CellResult[];
  readonly ranking: readonly Ranking[];
  /** Present when the run was compared with an earlier one (`--baseline`). */
  readonly baseline?: BaselineComparison;
  /** Present when the run was stopped (Ctrl-C, SIGTERM) after some cells: the cells hold only those that finished. */
  readonly interrupted?: Interruption;
}

/**
 * One sentence on a run stopped early, for the terminal summary and the report.
 * @example if (results.interrupted) console.log(interruptionText(results));
 */
export function interruptionText(results: RunResults): string {
  const i = results.interrupted!;
  return `stopped by ${i.signal} after ${results.cells.length} of ${i.cellsPlanned} cells: these results cover only those, and the scenario and size it stopped in are not ranked`;
}

export interface Interruption {
  readonly signal: string;
  /** Cells the run would have run; `cells` holds the ones that finished before the signal. */
  readonly cellsPlanned: number;
}
