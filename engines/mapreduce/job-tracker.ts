// The JobTracker: runs one job's map tasks (one per input block, placed on a slot whose DataNode holds a replica
// when one is free), then its reduce tasks, retrying failed attempts; commits the output in one atomic NameNode
// edit, or aborts leaving nothing. It owns the run's counters, phase times and task timeline.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { EngineError, type EngineContext, type TaskSpan } from '../engine.ts';
import type { BlockRef } from './block-io.ts';
import type { WrittenBlock } from './block-writer.ts';
import type { MapReduceConfig } from './config.ts';
import { toWire } from './expressions.ts';
import { decideFault } from './faults.ts';
import type { JobSpec, WireJob } from './job.ts';
import type { FileInfo, NameNode } from './namenode.ts';
import { opToWire } from './pipeline.ts';
import { sampleBoundaries } from './sampler.ts';
import { taskId, type MapTaskSpec, type OutputSpec, type ReduceTaskSpec, type TaskResult, type TaskSpec } from './task.ts';
import type { WorkerPool } from './worker-pool.ts';

/** Per-run mutable state shared by the jobs of one run (separate from the stateless planner and functions). */
export interface RunState {
  readonly runId: number;
  readonly startMs: number;
  readonly counters: Record<string, number>;
  readonly phasesMs: Record<string, number>;
  readonly timeline: TaskSpan[];
  readonly notes: string[];
  /** Map task attempts started, by task key `job/task` (tests check each runs once without faults). */
  readonly attempts: Map<string, number>;
}

export interface TrackerEnv {
  readonly nn: NameNode;
  readonly pool: WorkerPool;
  readonly ctx: EngineContext;
  readonly config: MapReduceConfig;
  /** Root of the slots' local disks (map outputs, spills). */
  readonly localRoot: string;
}

interface PendingTask {
  readonly index: number;
  readonly id: string;
  /** DataNodes holding the input block (map tasks), for locality. */
  readonly replicas: readonly number[];
  readonly build: (slot: number, attempt: number) => TaskSpec;
  readonly describe: string;
}

export function wireJob(job: JobSpec, boundaries: readonly Uint8Array[] | null = null): WireJob {
  const k = job.kind;
  return {
    id: job.id,
    kind: k.kind === 'aggregate' ? { kind: 'aggregate', keys: k.keys, aggregates: k.aggregates.map((a) => ({ fn: a.fn, name: a.name, arg: a.arg === null ? null : toWire(a.arg) })) } : k,
    inputSchemas: job.inputSchemas,
    reduceSchema: job.reduceSchema,
    reduceOps: job.reduceOps.map(opToWire),
    outputSchema: job.outputSchema,
    outputLimit: job.outputLimit,
    reducers: job.reducers,
    combiner: job.combiner,
    vectorized: job.vectorized,
    fixedWidth: job.fixedWidth,
    boundaries,
  };
}

/** The DataNode a slot sits on. */
export function slotDataNode(nn: NameNode, slot: number): number {
  const live = nn.liveDataNodes();
  return live[slot % live.length]!;
}

/** Input files of a part: a file path, or a directory prefix (a previous job's output). */
export function resolveFiles(nn: NameNode, files: readonly string[]): FileInfo[] {
  return files.flatMap((f) => {
    if (f.endsWith('/')) return nn.list(f);
    const info = nn.file(f);
    if (!info) throw new EngineError(`table file ${f} is not in the file system; load the table first`, 'bad-input');
    return [info];
  });
}

function add(into: Record<string, number>, from: Readonly<Record<string, number>>): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

/**
 * Runs one job to completion and commits its output files, or throws EngineError('task-failed') after removing
 * everything the job wrote.
 */
export async function runJob(job: JobSpec, env: TrackerEnv, run: RunState): Promise<FileInfo[]> {
  const { nn, config, ctx } = env;
  let wire = wireJob(job);
  if (job.kind.kind === 'sort' && job.reducers > 1) {
    // TeraSort: sample the input to cut the key space into one range per reducer.
    const t0 = ctx.now();
    const sample = await sampleBoundaries(nn, job, wire, (files) => resolveFiles(nn, files));
    if (sample.bad.length) await nn.reportBadReplicas(sample.bad);
    wire = wireJob(job, sample.boundaries);
    run.phasesMs.sample = (run.phasesMs.sample ?? 0) + (ctx.now() - t0);
    run.notes.push(`job ${job.id} (sort): range-partitioned into ${job.reducers} reducers from ${sample.sampled} sampled keys`);
  }
  const jobLocal = path.join(env.localRoot, `run-${run.runId}`, `job-${job.id}`);
  const outputSpec = (slot: number, task: string, attempt: number, salt: number): OutputSpec => ({
    dfsRoot: nn.root,
    blockSize: config.blockSize,
    replication: config.replication,
    liveDataNodes: nn.liveDataNodes(),
    localDn: slotDataNode(nn, slot),
    blockPrefix: `r${run.runId}j${job.id}${task}a${attempt}`,
    salt,
  });
  try {
    // ---- map phase: one task per block of every input file
    const mapTasks: PendingTask[] = [];
    job.inputs.forEach((parts, inputIndex) => {
      for (const part of parts) {
        for (const file of resolveFiles(nn, part.files)) {
          for (const block of nn.blockRefs(file)) {
            const index = mapTasks.length;
            const id = taskId('m', index);
            const blockId = block.id;
            mapTasks.push({
              index,
              id,
              replicas: block.replicas,
              describe: `block ${blockId} of ${file.path}`,
              build: (slot, attempt): MapTaskSpec => ({
                type: 'map',
                job: wire,
                task: id,
                attempt,
                inputIndex,
                fileSchema: file.schema,
                ops: part.ops.map(opToWire),
                block: currentBlock(nn, file.path, blockId) ?? block,
                dfsRoot: nn.root,
                localDn: slotDataNode(nn, slot),
                localDir: path.join(jobLocal, `${id}_a${attempt}`),
                sortBufferBytes: config.sortBufferBytes,
                output: job.kind.kind === 'mapOnly' ? outputSpec(slot, id, attempt, index) : null,
                fault: decideFault(config.faults, ctx.seed, job.id, id, attempt, 'map'),
              }),
            });
          }
        }
      }
    });
    const mapStart = ctx.now();
    const mapResults = await runTasks(mapTasks, 'map', job, env, run);
    run.phasesMs.map = (run.phasesMs.map ?? 0) + (ctx.now() - mapStart);
    run.counters.mapTasks = (run.counters.mapTasks ?? 0) + mapTasks.length;

    let outputs: { name: string; result: TaskResult }[];
    if (job.kind.kind === 'mapOnly') {
      outputs = mapResults.map((r, i) => ({ name: `part-m-${String(i).padStart(5, '0')}`, result: r.result }));
    } else {
      // ---- reduce phase: each reducer fetches its partition from every map output
      const mapOutputs = mapResults.map((r) => path.join(jobLocal, `${mapTasks[r.index]!.id}_a${r.attempt}`));
      const reduceTasks: PendingTask[] = Array.from({ length: job.reducers }, (_, partition) => {
        const id = taskId('r', partition);
        return {
          index: partition,
          id,
          replicas: [],
          describe: `partition ${partition}`,
          build: (slot, attempt): ReduceTaskSpec => ({
            type: 'reduce',
            job: wire,
            task: id,
            attempt,
            partition,
            mapOutputs,
            output: outputSpec(slot, id, attempt, partition),
            fault: decideFault(config.faults, ctx.seed, job.id, id, attempt, 'reduce'),
          }),
        };
      });
      const reduceStart = ctx.now();
      const reduceResults = await runTasks(reduceTasks, 'reduce', job, env, run);
      const wall = ctx.now() - reduceStart;
      const shuffle = reduceResults.reduce((s, r) => s + (r.result.phasesMs.shuffle ?? 0), 0);
      const reduce = reduceResults.reduce((s, r) => s + (r.result.phasesMs.reduce ?? 0), 0);
      const shuffleShare = shuffle + reduce > 0 ? shuffle / (shuffle + reduce) : 0;
      run.phasesMs.shuffle = (run.phasesMs.shuffle ?? 0) + wall * shuffleShare;
      run.phasesMs.reduce = (run.phasesMs.reduce ?? 0) + wall * (1 - shuffleShare);
      run.counters.reduceTasks = (run.counters.reduceTasks ?? 0) + reduceTasks.length;
      outputs = reduceResults.map((r) => ({ name: `part-r-${String(r.index).padStart(5, '0')}`, result: r.result }));
    }

    // ---- job commit: every part file appears in one atomic catalog edit
    const files: FileInfo[] = outputs.map(({ name, result }) => ({
      path: `${job.outputDir}${name}`,
      schema: job.outputSchema,
      rows: result.outputRows,
      bytes: result.outputBytes,
      blocks: (result.outputBlocks ?? []).map((b: WrittenBlock) => ({ ...b, replicas: [...b.replicas] })),
    }));
    await nn.commitFiles(files);
    run.counters.jobs = (run.counters.jobs ?? 0) + 1;
    const jc: Record<string, number> = {};
    for (const r of mapResults) add(jc, r.result.counters);
    for (const o of outputs) if (job.kind.kind !== 'mapOnly') add(jc, o.result.counters);
    run.notes.push(
      `job ${job.id} (${job.kind.kind}): ${mapTasks.length} map + ${job.kind.kind === 'mapOnly' ? 0 : job.reducers} reduce tasks; ` +
        `read ${jc.recordsRead ?? 0} records / ${jc.bytesRead ?? 0} B, map output ${jc.mapOutputRecords ?? 0} / ${jc.mapOutputBytes ?? 0} B, ` +
        `spilled ${jc.recordsSpilled ?? 0} / ${jc.bytesSpilled ?? 0} B in ${jc.spillFiles ?? 0} files, shuffled ${jc.recordsShuffled ?? 0} / ${jc.bytesShuffled ?? 0} B, ` +
        `wrote ${jc.recordsWritten ?? 0} / ${jc.bytesWritten ?? 0} B (x${config.replication} replicas)`,
    );
    return files;
  } catch (err) {
    await nn.deletePrefix(job.outputDir);
    await nn.collectGarbage();
    throw err;
  } finally {
    await fs.rm(jobLocal, { recursive: true, force: true });
  }
}

function currentBlock(nn: NameNode, file: string, blockId: string): BlockRef | undefined {
  const info = nn.file(file);
  return info ? nn.blockRefs(info).find((b) => b.id === blockId) : undefined;
}

interface Done {
  readonly index: number;
  readonly attempt: number;
  readonly result: TaskResult;
}

/**
 * Schedules tasks on free slots (map tasks prefer a slot on a DataNode holding their block), retries failures
 * up to maxAttempts, and returns the successful attempt of every task in task order.
 */
async function runTasks(tasks: readonly PendingTask[], phase: 'map' | 'reduce', job: JobSpec, env: TrackerEnv, run: RunState): Promise<Done[]> {
  const { pool, config, ctx, nn } = env;
  const group = `job ${job.id} / ${phase}`;
  const queue = tasks.map((t) => ({ task: t, attempt: 1 }));
  const done: Done[] = [];
  const free = Array.from({ length: pool.size }, (_, i) => i);
  const running = new Map<number, Promise<void>>();
  let failure: EngineError | null = null;

  const pick = (slot: number): number => {
    if (phase !== 'map') return 0;
    const dn = slotDataNode(nn, slot);
    const local = queue.findIndex((q) => q.task.replicas.includes(dn));
    return local >= 0 ? local : 0;
  };

  const launch = (slot: number): void => {
    const [{ task, attempt }] = queue.splice(pick(slot), 1) as [{ task: PendingTask; attempt: number }];
    const key = `${job.id}/${task.id}`;
    run.attempts.set(key, (run.attempts.get(key) ?? 0) + 1);
    run.counters.taskAttempts = (run.counters.taskAttempts ?? 0) + 1;
    if (phase === 'map') {
      const local = task.replicas.includes(slotDataNode(nn, slot));
      run.counters[local ? 'dataLocalMaps' : 'nonLocalMaps'] = (run.counters[local ? 'dataLocalMaps' : 'nonLocalMaps'] ?? 0) + 1;
    }
    const startMs = ctx.now() - run.startMs;
    ctx.emit({ type: 'task-start', group, task: task.id, slot, attempt, atMs: startMs });
    const p = (async () => {
      let spec: TaskSpec;
      let outcome;
      try {
        spec = task.build(slot, attempt);
        outcome = await pool.run(slot, spec, config.taskTimeoutMs);
      } catch (err) {
        outcome = { status: 'failed' as const, error: (err as Error).message };
      }
      const endMs = ctx.now() - run.startMs;
      run.timeline.push({ group, task: task.id, slot, attempt, startMs, endMs, status: outcome.status });
      ctx.emit({ type: 'task-end', group, task: task.id, slot, attempt, atMs: endMs, status: outcome.status, ...(outcome.status === 'ok' ? {} : { error: outcome.error }) });
      if (outcome.status === 'ok') {
        const r = outcome.result;
        add(run.counters, r.counters);
        if (r.badReplicas.length) {
          run.counters.badReplicasDetected = (run.counters.badReplicasDetected ?? 0) + r.badReplicas.length;
          const rep = await nn.reportBadReplicas(r.badReplicas);
          run.notes.push(`${task.id}: ${r.badReplicas.map((b) => `replica of ${b.blockId} on dn-${b.dn} ${b.reason}`).join('; ')}; read another replica, re-replicated ${rep?.copied ?? 0}`);
        }
        if (phase === 'map' && r.counters.spillFiles! > 0) ctx.emit({ type: 'spill', task: `${group} ${task.id}`, bytes: r.counters.bytesSpilled!, records: r.counters.recordsSpilled! });
        if (phase === 'reduce') ctx.emit({ type: 'shuffle', group, bytes: r.counters.bytesShuffled!, records: r.counters.recordsShuffled! });
        done.push({ index: task.index, attempt, result: r });
      } else {
        run.counters[outcome.status === 'killed' ? 'killedAttempts' : 'failedAttempts'] = (run.counters[outcome.status === 'killed' ? 'killedAttempts' : 'failedAttempts'] ?? 0) + 1;
        if (phase === 'map') await fs.rm(path.join(env.localRoot, `run-${run.runId}`, `job-${job.id}`, `${task.id}_a${attempt}`), { recursive: true, force: true });
        if (attempt < config.maxAttempts) queue.push({ task, attempt: attempt + 1 });
        else if (failure === null) {
          failure = new EngineError(
            `job ${job.id} (${job.kind.kind}) failed: ${phase} task ${task.id} (${task.describe}) failed ${attempt} attempt${attempt === 1 ? '' : 's'}; last cause: ${outcome.error}`,
            'task-failed',
          );
        }
      }
      running.delete(slot);
      free.push(slot);
    })();
    running.set(slot, p);
  };

  while (queue.length > 0 || running.size > 0) {
    if (failure !== null) {
      // Abort: stop what still runs, so nothing of this job outlives it.
      for (const slot of running.keys()) pool.kill(slot);
      await Promise.all(running.values());
      break;
    }
    while (queue.length > 0 && free.length > 0) launch(free.shift()!);
    if (running.size > 0) await Promise.race(running.values());
  }
  if (failure !== null) throw failure;
  return done.sort((a, b) => a.index - b.index);
}
