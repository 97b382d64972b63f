// The DAG scheduler and task scheduler of one job, on the driver: submits every stage whose parents' outputs are
// available (so independent stages run concurrently), runs one task per missing partition on free executor
// slots, retries failed attempts up to a bound, and recomputes lost outputs from lineage: a task whose input
// block is gone triggers a fetch failure that resubmits only the missing parent partitions.
import type { TaskSpan } from '../engine.ts';
import { EngineError, type EngineContext } from '../engine.ts';
import type { BlockManager } from './block-manager.ts';
import { batchBytes, concatBatches, type Batch } from './columnar.ts';
import type { FaultPolicy } from './fault-policy.ts';
import { leafReads, type Job, type Stage } from './physical-plan.ts';
import { planToWire, toWire, type WireBatch } from './wire.ts';
import type { WorkerPool } from './worker-pool.ts';

export interface SchedulerDeps {
  readonly pool: WorkerPool;
  readonly blocks: BlockManager;
  readonly now: EngineContext['now'];
  readonly emit: EngineContext['emit'];
  readonly faultPolicy: FaultPolicy;
  /** Attempts per task before the job is aborted (spark.task.maxFailures, default 4). */
  readonly maxAttempts: number;
  readonly udfMode: 'in-engine' | 'isolated';
  /** Resolves dictionary ids in blocks posted back by workers. */
  readonly blocksFromWire: (b: WireBatch) => Batch;
}

export interface StageRun {
  readonly stageId: number;
  readonly output: Stage['output']['kind'];
  tasksRun: number;
  tasksFailed: number;
  /** Times this stage was (re)submitted: more than 1 after a fetch failure. */
  submissions: number;
  rowsShuffled: number;
  bytesShuffled: number;
  startMs: number;
  endMs: number;
}

export interface JobRun {
  /** Result partitions in order. */
  readonly result: Batch[];
  readonly stages: StageRun[];
  readonly timeline: TaskSpan[];
  readonly rowsIn: number;
}

interface PendingTask {
  readonly stage: Stage;
  readonly partition: number;
}

type Inputs =
  | { readonly ok: true; shuffle: [string, WireBatch[]][]; broadcast: [number, WireBatch][]; cached: [string, WireBatch][]; matches: [number, Uint8Array][] }
  | { readonly ok: false; readonly parent: Stage; readonly what: string }
  /** A broadcast-left join's unmatched-rows task whose sibling probe tasks (same stage) have not all reported. */
  | { readonly ok: 'wait'; readonly matchesId: number; readonly missing: readonly number[] };

/** Run a job to completion; `t0` is the run's start on the injected clock (timeline times are relative to it). */
export function runJob(job: Job, jobId: number, deps: SchedulerDeps, t0: number): Promise<JobRun> {
  const { pool, blocks, emit } = deps;
  const now = () => deps.now() - t0;
  const stages = job.stages;
  const resultStage = stages[job.resultStage]!;
  const queue: PendingTask[] = [];
  const running = new Map<string, number>(); // `${stage}:${partition}` → slot
  const attempts = new Map<string, number>();
  const freeSlots = Array.from({ length: pool.size }, (_, i) => i);
  const runs = new Map<number, StageRun>(stages.map((s) => [s.id, { stageId: s.id, output: s.output.kind, tasksRun: 0, tasksFailed: 0, submissions: 0, rowsShuffled: 0, bytesShuffled: 0, startMs: -1, endMs: -1 }]));
  const timeline: TaskSpan[] = [];
  const wireStages = new Map(stages.map((s) => [s.id, planToWire(s)]));
  const broadcastCache = new Map<number, WireBatch>();
  const lossChecked = new Set<number>();
  let rowsIn = 0;
  let finished = false;

  const producerOf = (pred: (s: Stage) => boolean): Stage => stages.find(pred)!;
  const isDone = (s: Stage): boolean => blocks.missing(jobId, s.output, s.partitions).length === 0;
  const hasSiblingWork = (t: PendingTask): boolean =>
    queue.some((q) => q.stage === t.stage && q.partition !== t.partition) || [...running.keys()].some((k) => k.startsWith(`${t.stage.id}:`));
  const hasWork = (s: Stage): boolean => queue.some((t) => t.stage === s) || [...running.keys()].some((k) => k.startsWith(`${s.id}:`));

  return new Promise<JobRun>((resolve, reject) => {
    const fail = (e: Error): void => {
      if (finished) return;
      finished = true;
      reject(e);
    };

    /** Stages the result still needs (not done, reachable from the result through not-done stages). */
    const neededStages = (): Stage[] => {
      const needed = new Set<number>();
      const visit = (s: Stage): void => {
        if (needed.has(s.id) || isDone(s)) return;
        needed.add(s.id);
        s.parents.forEach((p) => visit(stages[p]!));
      };
      visit(resultStage);
      return stages.filter((s) => needed.has(s.id));
    };

    const submitStages = (): void => {
      for (const s of neededStages()) {
        if (!s.parents.every((p) => isDone(stages[p]!))) continue;
        const missing = blocks.missing(jobId, s.output, s.partitions).filter((p) => !running.has(`${s.id}:${p}`) && !queue.some((t) => t.stage === s && t.partition === p));
        if (missing.length === 0) continue;
        const run = runs.get(s.id)!;
        run.submissions++;
        if (run.startMs < 0) run.startMs = now();
        emit({ type: 'log', message: `job ${jobId}: submitting stage ${s.id} (${s.output.kind}) with ${missing.length} of ${s.partitions} tasks` });
        for (const p of missing) queue.push({ stage: s, partition: p });
      }
    };

    const resolveInputs = (task: PendingTask): Inputs => {
      const out: Inputs = { ok: true, shuffle: [], broadcast: [], cached: [], matches: [] };
      for (const read of leafReads(task.stage.root, task.partition)) {
        switch (read.kind) {
          case 'scan':
            break;
          case 'shuffleRead': {
            const parent = producerOf((s) => s.output.kind === 'shuffle' && s.output.shuffleId === read.shuffleId);
            const got = blocks.shuffleBlocks(jobId, read.shuffleId, read.partition, parent.partitions);
            if (!got) return { ok: false, parent, what: `shuffle ${read.shuffleId}` };
            out.shuffle.push([`${read.shuffleId}:${read.partition}`, got.map(toWire)]);
            break;
          }
          case 'broadcastRead': {
            const parent = producerOf((s) => s.output.kind === 'broadcast' && s.output.broadcastId === read.broadcastId);
            let whole = broadcastCache.get(read.broadcastId);
            if (!whole) {
              const pieces = blocks.pieces(jobId, parent.output, parent.partitions);
              if (!pieces) return { ok: false, parent, what: `broadcast ${read.broadcastId}` };
              const schema = parent.root.schema;
              whole = toWire(concatBatches(schema.map((f) => f.name), schema.map((f) => f.type), pieces));
              broadcastCache.set(read.broadcastId, whole);
            }
            out.broadcast.push([read.broadcastId, whole]);
            break;
          }
          case 'cachedRead': {
            const parent = producerOf((s) => s.output.kind === 'cache' && s.output.cacheId === read.cacheId);
            const got = blocks.cached(read.cacheId, read.partition);
            if (!got) return { ok: false, parent, what: `cached partition ${read.cacheId}:${read.partition}` };
            out.cached.push([`${read.cacheId}:${read.partition}`, toWire(got)]);
            break;
          }
          case 'joinMatches': {
            const folded = blocks.foldedMatches(jobId, read.matchesId, read.probePartitions);
            if (!folded) return { ok: 'wait', matchesId: read.matchesId, missing: blocks.missingMatches(jobId, read.matchesId, read.probePartitions) };
            out.matches.push([read.matchesId, folded]);
            break;
          }
          default: {
            const never: never = read;
            throw new Error(`unhandled read ${JSON.stringify(never)}`);
          }
        }
      }
      return out;
    };

    const launch = (task: PendingTask, slot: number, inputs: Extract<Inputs, { ok: true }>): void => {
      const key = `${task.stage.id}:${task.partition}`;
      const attempt = (attempts.get(key) ?? 0) + 1;
      attempts.set(key, attempt);
      running.set(key, slot);
      const group = `stage ${task.stage.id}`;
      const name = `task ${task.partition}`;
      const inject = deps.faultPolicy.taskAttempt?.({ jobId, stageId: task.stage.id, partition: task.partition, attempt }) === 'fail' ? 'fail' : null;
      const startMs = now();
      emit({ type: 'task-start', group, task: name, slot, attempt, atMs: startMs });
      const run = runs.get(task.stage.id)!;
      run.tasksRun++;
      pool
        .send(slot, {
          type: 'task',
          jobId,
          stage: wireStages.get(task.stage.id)!,
          partition: task.partition,
          attempt,
          inject,
          udfMode: deps.udfMode,
          shuffle: inputs.shuffle,
          broadcast: inputs.broadcast,
          cached: inputs.cached,
          matches: inputs.matches,
        })
        .then((reply) => {
          running.delete(key);
          freeSlots.push(slot);
          const endMs = now();
          const status = reply.ok ? 'ok' : 'failed';
          timeline.push({ group, task: name, slot, attempt, startMs, endMs, status });
          emit({ type: 'task-end', group, task: name, slot, attempt, atMs: endMs, status, ...(reply.ok ? {} : { error: reply.error }) });
          if (finished) return;
          run.endMs = Math.max(run.endMs, endMs);
          if (!reply.ok) {
            run.tasksFailed++;
            if (attempt >= deps.maxAttempts) {
              fail(new EngineError(`task ${task.partition} of stage ${task.stage.id} failed ${attempt} times (limit ${deps.maxAttempts}); last error: ${reply.error}`, 'task-failed'));
              return;
            }
            emit({ type: 'log', message: `job ${jobId}: retrying task ${task.partition} of stage ${task.stage.id} (attempt ${attempt + 1}) after: ${reply.error}` });
            queue.push(task);
            pump();
            return;
          }
          // WARNING: blocks arrive with dictionary ids only; the driver registered every loaded dictionary at load.
          const got = reply.blocks!.map((b) => deps.blocksFromWire(b));
          for (const [matchesId, part, bitmap] of reply.matches ?? []) blocks.putMatches(jobId, matchesId, part, bitmap);
          rowsIn += reply.rowsIn ?? 0;
          if (task.stage.output.kind === 'shuffle') {
            let rows = 0;
            let bytes = 0;
            for (const b of got) {
              rows += b.length;
              bytes += batchBytes(b);
            }
            run.rowsShuffled += rows;
            run.bytesShuffled += bytes;
            emit({ type: 'shuffle', group, bytes, records: rows });
          }
          blocks.put(jobId, task.stage.output, task.partition, got);
          if (task.stage.output.kind === 'broadcast') broadcastCache.delete(task.stage.output.broadcastId);
          if (isDone(task.stage) && !hasWork(task.stage)) onStageComplete(task.stage);
          pump();
        }, (e: Error) => fail(e));
    };

    const onStageComplete = (s: Stage): void => {
      submitStages();
      // Consumers are submitted first, so an output lost now surfaces as a fetch failure, as in Spark.
      if (lossChecked.has(s.id) || !deps.faultPolicy.lostOutputs) return;
      lossChecked.add(s.id);
      const lost = deps.faultPolicy.lostOutputs({ jobId, stageId: s.id, attempt: runs.get(s.id)!.submissions });
      for (const p of lost) {
        emit({ type: 'log', message: `job ${jobId}: output ${p} of stage ${s.id} lost (fault policy)` });
        blocks.drop(jobId, s.output, p);
        if (s.output.kind === 'broadcast') broadcastCache.delete(s.output.broadcastId);
      }
    };

    const pump = (): void => {
      if (finished) return;
      let next = 0;
      while (freeSlots.length > 0 && next < queue.length) {
        const task = queue[next]!;
        const inputs = resolveInputs(task);
        if (inputs.ok === 'wait') {
          // Waits for its sibling probe tasks. If none of them is pending (their bitmaps belong to an earlier job,
          // e.g. when only this partition of a cached stage is recomputed), recompute the siblings from lineage.
          if (!hasSiblingWork(task)) {
            emit({ type: 'log', message: `job ${jobId}: matches ${inputs.matchesId} missing for ${inputs.missing.length} probe task(s); recomputing stage ${task.stage.id}'s other partitions` });
            for (let p = 0; p < task.stage.partitions; p++) {
              if (p === task.partition || running.has(`${task.stage.id}:${p}`) || queue.some((t) => t.stage === task.stage && t.partition === p)) continue;
              queue.push({ stage: task.stage, partition: p });
            }
          }
          next++;
          continue;
        }
        queue.splice(next, 1);
        if (inputs.ok === false) {
          // Fetch failure: drop this stage's pending tasks; lineage recomputes the parent's missing partitions
          // (and only those), after which submitStages resubmits this stage's missing tasks.
          const missing = blocks.missing(jobId, inputs.parent.output, inputs.parent.partitions);
          emit({ type: 'log', message: `job ${jobId}: fetch failed for ${inputs.what} in stage ${task.stage.id}; resubmitting ${missing.length} task(s) of stage ${inputs.parent.id}` });
          for (let i = queue.length - 1; i >= 0; i--) if (queue[i]!.stage === task.stage) queue.splice(i, 1);
          submitStages();
          next = 0;
          continue;
        }
        launch(task, freeSlots.shift()!, inputs);
      }
      if (running.size === 0 && queue.length > 0 && freeSlots.length > 0) {
        fail(new Error(`internal: job ${jobId} has ${queue.length} queued task(s) that can never start`));
        return;
      }
      if (queue.length === 0 && running.size === 0) {
        if (isDone(resultStage)) {
          finished = true;
          const pieces = blocks.pieces(jobId, resultStage.output, resultStage.partitions)!;
          resolve({ result: pieces, stages: [...runs.values()], timeline, rowsIn });
          return;
        }
        submitStages();
        if (queue.length === 0) fail(new Error(`internal: job ${jobId} has no runnable stage but is not complete`));
        else pump();
      }
    };

    submitStages();
    pump();
  });
}
