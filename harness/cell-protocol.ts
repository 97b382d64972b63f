// What the runner tells a cell's child process (CellSpec, a JSON file named on its command line) and what the
// child answers (CellReport, a JSON file it writes atomically before exiting).
import type { CellStatus, SampleStats } from './results.ts';
import type { EngineMetrics } from '../engines/engine.ts';
import type { FileStamp } from '../datasets/cache.ts';

/** What a child started by the runner writes on the file descriptor named by SIGNAL_FD_ENV when its timed work is over. */
export const TIMED_WORK_DONE = 'timed-work-done\n';
/** Environment variable naming that descriptor; absent, the child signals nothing. */
export const SIGNAL_FD_ENV = 'ENGINEBENCH_SIGNAL_FD';

export interface CellSpec {
  readonly scenario: string;
  /** Engine name (query scenarios) or variant name (custom scenarios). */
  readonly engine: string;
  readonly rows: number;
  readonly seed: number;
  readonly iterations: number;
  readonly warmup: number;
  /** Aim for about this much timed work (fewer iterations of slow cells), or null to run `iterations` as given. */
  readonly timedWorkTargetMs?: number | null;
  /** The whole cell's budget: the child trims iterations to fit, the parent kills it on expiry. */
  readonly budgetMs: number;
  readonly options: Readonly<Record<string, string | number | boolean>>;
  readonly memoryBudgetBytes: number;
  /** Extension modules to load so the child finds the same scenarios and engines as the parent. */
  readonly extensions: readonly string[];
  /** Dataset cache directory, or undefined for the default `.cache/datasets/`. */
  readonly cacheDir?: string;
  /** The dataset files the parent verified just before (their digests are not checked again). */
  readonly verifiedFiles?: readonly FileStamp[];
  /** Scratch directory for the engine (EngineContext.workDir); the child deletes it when done. */
  readonly workDir: string;
  /** A folder every cell of the run may read and write (CustomCellContext.sharedDir); the runner deletes it. */
  readonly sharedDir?: string;
  /** A smoke run (`--quick`): custom scenarios skip extra measurements (CustomCellContext.smoke). */
  readonly smoke?: boolean;
  /** Where to write the result table (Arrow IPC file format). */
  readonly resultPath: string;
  /** Where to write the CellReport. */
  readonly reportPath: string;
  /** Where to write the engine's events (JSON array, capped). */
  readonly eventsPath: string;
}

export interface CellReport {
  readonly status: CellStatus;
  readonly coldMs?: number;
  readonly loadMs?: number;
  readonly stats?: SampleStats;
  /** Absent when the child died before it could report. */
  readonly peakRssBytes?: number;
  readonly metrics?: EngineMetrics;
  readonly resultRows?: number;
  /** True when the result table was written to `resultPath`. */
  readonly wroteResult: boolean;
  readonly series?: Readonly<Record<string, readonly { readonly x: number; readonly y: number }[]>>;
}

