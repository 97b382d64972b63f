// The MapReduce engine's Engine adapter: wires the NameNode, the slots and the JobTracker into the engine
// contract. index.ts holds the descriptor; see README.md for the model and its limits.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type * as arrow from 'apache-arrow';
import { validatePlan } from '../../plan/schema.ts';
import { walkPlan, type PlanNode } from '../../plan/types.ts';
import { engineClosed, tableNotLoaded, EngineError, NO_METRICS, unsupportedReason, type Engine, type EngineContext, type EngineMetrics } from '../engine.ts';
import { BlockLostError } from './block-io.ts';
import { readConfig, type MapReduceConfig } from './config.ts';
import { explainJobs } from './explain-jobs.ts';
import { resolveFiles, runJob, type RunState } from './job-tracker.ts';
import { NameNode, type ReplicationReport } from './namenode.ts';
import { planJobs, tablePath } from './planner.ts';
import { readFiles, writeTable } from './table-io.ts';
import { WorkerPool } from './worker-pool.ts';
import { mapreduceEngine } from './index.ts';

/**
 * One engine instance: a freshly formatted file system under `ctx.workDir/mapreduce` and a pool of slots.
 * Tests reach the file system through `dfs` and the last run's attempt counts through `lastAttempts`.
 */
export class MapReduceEngine implements Engine {
  private runs = 0;
  private last: EngineMetrics = NO_METRICS;
  /** Tables committed to the file system, by name (for the error naming them). */
  private readonly loaded = new Set<string>();
  private closed = false;
  /** Attempts started per `job/task` in the last run. */
  lastAttempts: ReadonlyMap<string, number> = new Map();

  private constructor(
    private readonly ctx: EngineContext,
    readonly config: MapReduceConfig,
    readonly dfs: NameNode,
    private readonly pool: WorkerPool,
    private readonly localRoot: string,
  ) {}

  static async create(ctx: EngineContext): Promise<MapReduceEngine> {
    const config = readConfig(ctx.options, os.availableParallelism());
    const root = path.join(ctx.workDir, 'mapreduce');
    const dfs = await NameNode.format(path.join(root, 'dfs'), { dataNodes: config.dataNodes, replication: config.replication, blockSize: config.blockSize });
    const localRoot = path.join(root, 'local');
    await fs.mkdir(localRoot, { recursive: true });
    return new MapReduceEngine(ctx, config, dfs, new WorkerPool(config.slots), localRoot);
  }

  async load(tables: ReadonlyMap<string, arrow.Table>): Promise<void> {
    if (this.closed) throw engineClosed('mapreduce');
    for (const [name, table] of tables) {
      let info;
      try {
        info = writeTable(this.dfs, tablePath(name), table, this.config);
      } catch (err) {
        await this.dfs.collectGarbage();
        throw new EngineError(`could not load table '${name}': ${(err as Error).message}`, 'bad-input');
      }
      await this.dfs.commitFiles([info]);
      this.loaded.add(name);
    }
  }

  /** Kills a DataNode (its folder is deleted) and re-replicates its blocks: the test and CLI hook. */
  async killDataNode(dn: number): Promise<ReplicationReport> {
    return this.dfs.killDataNode(dn);
  }

  async run(plan: PlanNode): Promise<arrow.Table> {
    if (this.closed) throw engineClosed('mapreduce');
    const schema = validatePlan(plan);
    const reason = unsupportedReason(mapreduceEngine, plan);
    if (reason) throw new EngineError(reason, 'unsupported');
    for (const node of walkPlan(plan)) {
      if (node.kind === 'scan' && !this.dfs.file(tablePath(node.table))) {
        throw tableNotLoaded(node.table, this.loaded);
      }
    }
    const runId = ++this.runs;
    const runDir = `/runs/${runId}/`;
    const state: RunState = { runId, startMs: this.ctx.now(), counters: {}, phasesMs: {}, timeline: [], notes: [], attempts: new Map() };
    const env = { nn: this.dfs, pool: this.pool, ctx: this.ctx, config: this.config, localRoot: this.localRoot };
    try {
      const planned = planJobs(plan, this.config, runDir, (t) => this.dfs.file(tablePath(t))?.schema);
      for (const job of planned.jobs) await runJob(job, env, state);
      const t0 = this.ctx.now();
      const { table, bad } = await readFiles(this.dfs, resolveFiles(this.dfs, [planned.resultDir]), schema);
      if (bad.length) await this.dfs.reportBadReplicas(bad);
      state.phasesMs.collect = this.ctx.now() - t0;
      const rowsIn = walkPlan(plan).reduce((s, n) => s + (n.kind === 'scan' ? this.dfs.file(tablePath(n.table))!.rows : 0), 0);
      const combiner = this.config.combiner ? 'on' : 'off';
      state.notes.push(`${planned.jobs.length} job(s); combiner ${combiner}; shuffled ${state.counters.bytesShuffled ?? 0} bytes`);
      this.last = {
        rowsIn,
        rowsOut: table.numRows,
        counters: { ...state.counters, jobs: planned.jobs.length, slots: this.config.slots },
        phasesMs: state.phasesMs,
        timeline: state.timeline,
        notes: state.notes,
      };
      return table;
    } catch (err) {
      this.last = { rowsIn: 0, rowsOut: 0, counters: state.counters, phasesMs: state.phasesMs, timeline: state.timeline, notes: state.notes };
      if (err instanceof EngineError) throw err;
      if (err instanceof BlockLostError) throw new EngineError(err.message, 'task-failed');
      throw new EngineError(`mapreduce run failed: ${(err as Error).message}`, 'task-failed');
    } finally {
      this.lastAttempts = state.attempts;
      // Intermediate and result files of this run are scratch: remove them (catalog first, then blocks).
      await this.dfs.deletePrefix(runDir);
      await this.dfs.collectGarbage();
      await fs.rm(path.join(this.localRoot, `run-${runId}`), { recursive: true, force: true });
    }
  }

  metrics(): EngineMetrics {
    return this.last;
  }

  async explain(plan: PlanNode): Promise<string> {
    validatePlan(plan);
    const planned = planJobs(plan, this.config, `/runs/${this.runs + 1}/`, (t) => this.dfs.file(tablePath(t))?.schema);
    return explainJobs(planned, this.config, this.dfs, this.config.slots);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.pool.close();
  }
}
