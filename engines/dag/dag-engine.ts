// The DAG engine's Engine adapter, a model of Apache Spark: the logical plan is optimized, cut into stages at shuffle
// boundaries and run as one task per partition on a pool of worker threads, with in-memory shuffles, broadcast joins
// and lineage-based recovery. index.ts holds the descriptor; session.ts is the PySpark-style user API.
import type * as arrow from 'apache-arrow';
import { explain } from '../../plan/explain.ts';
import { schemaOfTable } from '../../plan/arrow.ts';
import { validatePlan, PlanError } from '../../plan/schema.ts';
import type { PlanNode } from '../../plan/types.ts';
import { engineClosed, EngineError, NO_METRICS, unsupportedReason, type Engine, type EngineContext, type EngineMetrics } from '../engine.ts';
import { batchesToTable, partitionTable } from './arrow-io.ts';
import { BlockManager } from './block-manager.ts';
import type { Batch } from './columnar.ts';
import { runJob, type JobRun } from './dag-scheduler.ts';
import { explainJob } from './explain-physical.ts';
import { NO_FAULTS, type FaultPolicy } from './fault-policy.ts';
import { optimize } from './optimizer/index.ts';
import type { Job } from './physical-plan.ts';
import { splitStages, type CacheEntry, type LoadedTableInfo } from './stage-splitter.ts';
import { dagEngine } from './index.ts';
import { readOptions, type DagOptions } from './options.ts';
import { fromWire, registerDicts, type DictRegistry } from './wire.ts';
import { WorkerPool } from './worker-pool.ts';

/** Extra injections for tests and the session (not expressible as CLI options). */
export interface DagInjections {
  readonly faultPolicy?: FaultPolicy;
}

/** What the session passes to run a plan with cached DataFrames. */
export interface ExecuteOptions {
  readonly cache?: ReadonlyMap<PlanNode, CacheEntry>;
}

/**
 * A running DAG engine: driver state (loaded tables, block manager, job counter) plus the executor pool.
 * @example
 *   const engine = await createDagEngine(ctx);
 *   await engine.load(tables);
 *   const result = await engine.run(df.plan);
 */
export class DagEngine implements Engine {
  private readonly tables = new Map<string, LoadedTableInfo>();
  private readonly registry: DictRegistry = new Map();
  private readonly blocks = new BlockManager();
  private lastMetrics: EngineMetrics = NO_METRICS;
  private nextJob = 0;
  private closed = false;
  faultPolicy: FaultPolicy;

  private constructor(
    private readonly ctx: EngineContext,
    readonly options: DagOptions,
    private readonly pool: WorkerPool,
    injections: DagInjections,
  ) {
    this.faultPolicy = injections.faultPolicy ?? NO_FAULTS;
  }

  static async create(ctx: EngineContext, injections: DagInjections = {}): Promise<DagEngine> {
    const options = readOptions(ctx.options);
    const pool = await WorkerPool.start(options.workers);
    return new DagEngine(ctx, options, pool, injections);
  }

  async load(tables: ReadonlyMap<string, arrow.Table>): Promise<void> {
    const shipped: [string, Batch[]][] = [];
    for (const [name, table] of tables) {
      let schema;
      try {
        schema = schemaOfTable(table);
      } catch (e) {
        throw new EngineError(`cannot load table '${name}': ${(e as Error).message}`, 'bad-input');
      }
      const parts = partitionTable(name, table, schema, this.options.partitions);
      // WARNING: a reloaded table's dictionary replaces the old one under the same id in every thread.
      registerDicts(parts, this.registry);
      shipped.push([name, parts]);
      this.tables.set(name, { rows: table.numRows, partitions: parts.length });
    }
    const replies = await this.pool.sendAll({ type: 'load', tables: shipped.map(([n, parts]) => [n, parts.map((b) => ({ ...b, columns: b.columns }))] as const) });
    const bad = replies.find((r) => !r.ok);
    if (bad) throw new EngineError(`loading tables into the executors failed: ${bad.error}`, 'task-failed');
  }

  /** Optimized logical plan and its job (stages), without running anything. */
  plan(plan: PlanNode, options: ExecuteOptions = {}): { optimized: PlanNode; job: Job } {
    try {
      validatePlan(plan);
    } catch (e) {
      if (e instanceof PlanError) throw new EngineError(`invalid plan: ${e.message}`, 'bad-input');
      throw e;
    }
    const reason = unsupportedReason(dagEngine, plan);
    if (reason) throw new EngineError(reason, 'unsupported');
    const cache = options.cache;
    // Cached subtrees are kept as-is: optimizing inside them would change node identity and miss the cache.
    const optimized = this.options.optimizer && (!cache || cache.size === 0) ? optimize(plan) : plan;
    const job = splitStages(optimized, {
      tables: this.tables,
      shufflePartitions: this.options.shufflePartitions,
      broadcastThresholdBytes: this.options.broadcastThresholdBytes,
      joinStrategy: this.options.joinStrategy,
      ...(cache ? { cache } : {}),
    });
    return { optimized, job };
  }

  async run(plan: PlanNode): Promise<arrow.Table> {
    return (await this.execute(plan)).table;
  }

  /** Run a plan (with cached subtrees, for the session); returns the table and the job's run record. */
  async execute(plan: PlanNode, options: ExecuteOptions = {}): Promise<{ table: arrow.Table; run: JobRun; job: Job }> {
    if (this.closed) throw engineClosed('dag');
    const t0 = this.ctx.now();
    const { job } = this.plan(plan, options);
    const jobId = this.nextJob++;
    let run: JobRun;
    try {
      run = await runJob(job, jobId, {
        pool: this.pool,
        blocks: this.blocks,
        now: this.ctx.now,
        emit: this.ctx.emit,
        faultPolicy: this.faultPolicy,
        maxAttempts: this.options.maxTaskAttempts,
        udfMode: this.options.udfMode,
        blocksFromWire: (b) => fromWire(b, this.registry),
      }, t0);
    } finally {
      this.blocks.endJob(jobId);
      await this.pool.sendAll({ type: 'end-job', jobId });
    }
    const table = batchesToTable(job.schema, run.result);
    const totalMs = this.ctx.now() - t0;
    this.lastMetrics = metricsOf(job, run, table.numRows, totalMs);
    return { table, run, job };
  }

  metrics(): EngineMetrics {
    return this.lastMetrics;
  }

  async explain(plan: PlanNode): Promise<string> {
    const { optimized, job } = this.plan(plan);
    return [
      '== Logical Plan ==',
      explain(plan),
      '== Optimized Logical Plan ==',
      explain(optimized),
      '== Physical Plan ==',
      explainJob(job),
      ...(job.notes.length ? ['== Notes ==', ...job.notes] : []),
    ].join('\n');
  }

  /** Drop one cached partition (as if its executor died); the next job recomputes it from lineage. */
  dropCachedPartition(cacheId: number, partition: number): void {
    this.blocks.dropCached(cacheId, partition);
  }

  uncache(cacheId: number): void {
    this.blocks.uncache(cacheId);
  }

  /** Is a cached partition currently held? */
  hasCachedPartition(cacheId: number, partition: number): boolean {
    return this.blocks.cached(cacheId, partition) !== undefined;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.close();
  }
}

function metricsOf(job: Job, run: JobRun, rowsOut: number, totalMs: number): EngineMetrics {
  const counters: Record<string, number> = {
    jobs: 1,
    stages: run.stages.filter((s) => s.tasksRun > 0).length,
    stagesSkipped: run.stages.filter((s) => s.tasksRun === 0).length,
    tasks: run.stages.reduce((s, r) => s + r.tasksRun, 0),
    tasksFailed: run.stages.reduce((s, r) => s + r.tasksFailed, 0),
    rowsShuffled: run.stages.reduce((s, r) => s + r.rowsShuffled, 0),
    bytesShuffled: run.stages.reduce((s, r) => s + r.bytesShuffled, 0),
  };
  const phasesMs: Record<string, number> = {};
  for (const s of run.stages) {
    if (s.tasksRun === 0) continue;
    phasesMs[`stage ${s.stageId}`] = s.endMs - s.startMs;
    counters[`stage${s.stageId}.tasks`] = s.tasksRun;
    if (s.output === 'shuffle') {
      counters[`stage${s.stageId}.rowsShuffled`] = s.rowsShuffled;
      counters[`stage${s.stageId}.bytesShuffled`] = s.bytesShuffled;
    }
  }
  phasesMs.total = totalMs;
  return { rowsIn: run.rowsIn, rowsOut, counters, phasesMs, timeline: run.timeline, notes: job.notes };
}

/** Create a DAG engine with injections (fault policy) beyond what EngineContext carries. */
export function createDagEngine(ctx: EngineContext, injections: DagInjections = {}): Promise<DagEngine> {
  return DagEngine.create(ctx, injections);
}
