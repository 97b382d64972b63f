// The engine contract: what every adapter (our teaching engines and the real ones) offers the harness.
// Observability stays outside the engines: they count into EngineMetrics and emit EngineEvents; the harness
// and reports consume both.
import type * as arrow from 'apache-arrow';
import { EXPR_KINDS, PLAN_KINDS, walkExprs, walkPlan, type ExprKind, type PlanKind, type PlanNode } from '../plan/types.ts';

/** One task's run on one slot, for the task timeline the report draws. Times are ms since the run started. */
export interface TaskSpan {
  /** Job, stage or phase the task belongs to, e.g. `job 1 / map` or `stage 2`. */
  readonly group: string;
  readonly task: string;
  /** Worker slot (thread, process or DataNode slot) the task ran on. */
  readonly slot: number;
  readonly attempt: number;
  readonly startMs: number;
  readonly endMs: number;
  readonly status: 'ok' | 'failed' | 'killed';
}

/**
 * What one run of a plan did. `rowsIn` counts rows read from loaded tables, `rowsOut` rows in the result.
 * `counters` holds engine-specific figures whose names end in their unit: `bytesSpilled`, `bytesShuffled`,
 * `bytesWrittenToDisk`, `spillFiles`, `tasks`, `stages`, `jobs`, `filesWritten`...; plain counts have no suffix.
 */
export interface EngineMetrics {
  readonly rowsIn: number;
  readonly rowsOut: number;
  readonly counters: Readonly<Record<string, number>>;
  /** Wall time per named phase in ms (e.g. map, shuffle, reduce), where the engine has phases. */
  readonly phasesMs?: Readonly<Record<string, number>>;
  readonly timeline?: readonly TaskSpan[];
  /** Human-readable remarks for the report (e.g. "broadcast join used for products"). */
  readonly notes?: readonly string[];
}

export type EngineEvent =
  | { readonly type: 'task-start'; readonly group: string; readonly task: string; readonly slot: number; readonly attempt: number; readonly atMs: number }
  | { readonly type: 'task-end'; readonly group: string; readonly task: string; readonly slot: number; readonly attempt: number; readonly atMs: number; readonly status: TaskSpan['status']; readonly error?: string }
  | { readonly type: 'spill'; readonly task: string; readonly bytes: number; readonly records: number }
  | { readonly type: 'shuffle'; readonly group: string; readonly bytes: number; readonly records: number }
  | { readonly type: 'log'; readonly message: string };

/** Everything nondeterministic or environmental an engine may use, injected by the harness or a test. */
export interface EngineContext {
  /** A scratch directory owned by this engine instance; the harness deletes it afterwards. */
  readonly workDir: string;
  /** Seed for any randomness (placement, sampling, fault injection). */
  readonly seed: number;
  /** Monotonic clock in ms. */
  readonly now: () => number;
  readonly emit: (event: EngineEvent) => void;
  /**
   * Engine options from the CLI or a test (`--engine-option mapreduce.blockSize=4194304`), already parsed:
   * each engine documents the keys it reads in its README.
   */
  readonly options: Readonly<Record<string, string | number | boolean>>;
  /** Memory the engine may assume it can use, in bytes (engines with a budget refuse up front above it). */
  readonly memoryBudgetBytes: number;
}

/** A running engine instance. Single-use per child process in the bench; tests may reuse it. */
export interface Engine {
  /** Load tables (timed separately from queries). Replaces any table of the same name. */
  load(tables: ReadonlyMap<string, arrow.Table>): Promise<void>;
  /**
   * Run a plan and return its full result, materialised: when this promise resolves, every row has been
   * computed (no lazy result escapes the timer). Throws EngineError for expected failures.
   */
  run(plan: PlanNode): Promise<arrow.Table>;
  /**
   * Optional: run a plan and keep its result inside the engine as table `name` (replacing any table of that name,
   * atomically: on failure the old table stays), without returning it — a warehouse's CREATE OR REPLACE TABLE AS.
   * Resolves to the row count. Iterative workloads (CDC merges) use it so state need not leave the engine; engines
   * without it are driven by `run` then `load`.
   */
  materialize?(plan: PlanNode, name: string): Promise<number>;
  /** Metrics of the last `run`. */
  metrics(): EngineMetrics;
  /** The engine's own description of how it would run the plan (physical plan, jobs, stages...). */
  explain(plan: PlanNode): Promise<string>;
  /** Free native memory, threads, files. Idempotent. */
  close(): Promise<void>;
}

/** Static facts about an engine and the factory that creates instances. */
export interface EngineDescriptor {
  /** CLI name, e.g. `duckdb`, `mapreduce`. */
  readonly name: string;
  /** The real system this engine is or models, e.g. "Apache Hadoop MapReduce + HDFS". */
  readonly models: string;
  /** reference: the correctness oracle; teaching: built here to model a real system; real: a real engine. */
  readonly role: 'reference' | 'teaching' | 'real';
  /** One sentence for `--list` and the report. */
  readonly summary: string;
  readonly supports: {
    readonly nodes: ReadonlySet<PlanKind>;
    readonly exprs: ReadonlySet<ExprKind>;
  };
  /** Whether the engine can run here at all (e.g. a server reachable); absent means always. */
  available?(options: EngineContext['options']): Promise<{ ok: true } | { ok: false; reason: string }>;
  /**
   * Throw an EngineError ('bad-input') naming an option value this engine cannot run with; absent when it reads no
   * options. The CLI asks every engine before the first cell starts, so a bad value stops the run at once with one
   * line instead of failing every cell of the engine.
   */
  checkOptions?(options: EngineContext['options']): Promise<void> | void;
  /** Package versions to record in results (e.g. `{ '@duckdb/node-api': '1.5.6' }`). */
  versions(options?: EngineContext['options']): Promise<Readonly<Record<string, string>>>;
  create(ctx: EngineContext): Promise<Engine>;
}

/**
 * An expected, user-facing failure: out of its memory budget, a plan feature it lacks, a task that failed
 * every attempt. The harness prints `message` as one line; `code` decides how the cell is marked.
 */
export class EngineError extends Error {
  override name = 'EngineError';
  constructor(
    message: string,
    readonly code: 'unsupported' | 'out-of-memory' | 'task-failed' | 'bad-input' | 'unavailable' = 'task-failed',
  ) {
    super(message);
  }
}

/** The error for a plan that scans a table the engine was not given: the same words from every engine. */
export function tableNotLoaded(table: string, loaded: Iterable<string>): EngineError {
  const names = [...loaded].join(', ') || '(none)';
  return new EngineError(`table '${table}' is not loaded; loaded tables: ${names}; load it before running the plan`, 'bad-input');
}

/** The error for using an engine instance after `close()`. */
export function engineClosed(engine: string): EngineError {
  return new EngineError(`this ${engine} engine instance is closed; create a new one`, 'bad-input');
}

export const ALL_NODES: ReadonlySet<PlanKind> = new Set(PLAN_KINDS);
export const ALL_EXPRS: ReadonlySet<ExprKind> = new Set(EXPR_KINDS);

/** Why `engine` cannot run `plan` (listing the missing node and expression kinds), or null when it can. */
export function unsupportedReason(engine: Pick<EngineDescriptor, 'name' | 'supports'>, plan: PlanNode): string | null {
  const nodes = [...new Set(walkPlan(plan).map((n) => n.kind))].filter((k) => !engine.supports.nodes.has(k));
  const exprs = [...new Set(walkExprs(plan).map((e) => e.kind))].filter((k) => !engine.supports.exprs.has(k));
  if (nodes.length === 0 && exprs.length === 0) return null;
  const parts = [...nodes.map((k) => `plan node '${k}'`), ...exprs.map((k) => `expression '${k}'`)];
  return `${engine.name} does not support ${parts.join(', ')}`;
}

/** Metrics with nothing in them, for engines before their first run. */
export const NO_METRICS: EngineMetrics = { rowsIn: 0, rowsOut: 0, counters: {} };
