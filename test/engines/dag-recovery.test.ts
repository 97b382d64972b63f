// Lineage-based fault tolerance of the DAG engine, tested as Spark's DAGSchedulerSuite does: an injected fault
// policy makes tasks fail or outputs disappear, and the tests count task runs and check the result.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { table, count, sum, col, tableFromRows, tableToRows } from '../../plan/index.ts';
import type { Schema } from '../../plan/types.ts';
import type { EngineEvent } from '../../engines/engine.ts';
import { createDagEngine, type DagEngine } from '../../engines/dag/index.ts';
import type { FaultPolicy } from '../../engines/dag/fault-policy.ts';
import { testContext, type TestContext } from '../support/engine-context.ts';
import { WorkerPool } from '../../engines/dag/worker-pool.ts';

const S: Schema = [
  { name: 'k', type: 'utf8' },
  { name: 'v', type: 'int32' },
];
const rows = Array.from({ length: 40 }, (_, i) => ({ k: `k${i % 4}`, v: i }));
const expected = [0, 1, 2, 3].map((g) => ({ k: `k${g}`, n: 10n, s: BigInt(rows.filter((r) => r.v % 4 === g).reduce((a, r) => a + r.v, 0)) }));
const query = () => table('t', S).groupBy('k').agg(count().alias('n'), sum('v').alias('s')).orderBy('k');

async function withEngine(faultPolicy: FaultPolicy, options: TestContext['options'], body: (e: DagEngine, ctx: TestContext) => Promise<void>): Promise<void> {
  const ctx = testContext({ 'dag.workers': 2, 'dag.partitions': 3, 'dag.shufflePartitions': 2, ...options });
  const engine = await createDagEngine(ctx, { faultPolicy });
  try {
    await engine.load(new Map([['t', tableFromRows(S, rows)]]));
    await body(engine, ctx);
  } finally {
    await engine.close();
    ctx.cleanup();
  }
}

const starts = (events: readonly EngineEvent[], group: string) =>
  events.filter((e): e is Extract<EngineEvent, { type: 'task-start' }> => e.type === 'task-start' && e.group === group).map((e) => `${e.task}#${e.attempt}`);

test('a task failing once is retried and the job succeeds with exactly one extra task run', async () => {
  const policy: FaultPolicy = { taskAttempt: (t) => (t.stageId === 0 && t.partition === 1 && t.attempt === 1 ? 'fail' : 'ok') };
  await withEngine(policy, {}, async (engine, ctx) => {
    const result = await engine.run(query().plan);
    assert.deepEqual(tableToRows(result), expected);
    const m = engine.metrics();
    // Healthy run: 3 map tasks + 2 reduce tasks (with local sort) + 1 final sort task = 6; plus one retry.
    assert.equal(m.counters.tasks, 7);
    assert.equal(m.counters.tasksFailed, 1);
    assert.deepEqual(starts(ctx.events, 'stage 0').sort(), ['task 0#1', 'task 1#1', 'task 1#2', 'task 2#1']);
    const failed = m.timeline!.filter((s) => s.status === 'failed');
    assert.equal(failed.length, 1);
    assert.equal(failed[0]!.task, 'task 1');
  });
});

test('a task that always fails aborts the job after maxTaskAttempts with the cause', async () => {
  const policy: FaultPolicy = { taskAttempt: (t) => (t.stageId === 1 && t.partition === 0 ? 'fail' : 'ok') };
  await withEngine(policy, { 'dag.maxTaskAttempts': 3 }, async (engine, ctx) => {
    await assert.rejects(engine.run(query().plan), (e: Error & { code?: string }) => {
      assert.equal(e.name, 'EngineError');
      assert.equal(e.code, 'task-failed');
      assert.match(e.message, /task 0 of stage 1 failed 3 times \(limit 3\); last error: injected fault in stage 1 partition 0 attempt 3/);
      return true;
    });
    assert.deepEqual(starts(ctx.events, 'stage 1').filter((s) => s.startsWith('task 0#')), ['task 0#1', 'task 0#2', 'task 0#3']);
    // The engine stays usable after an aborted job.
    engine.faultPolicy = {};
    assert.deepEqual(tableToRows(await engine.run(query().plan)), expected);
  });
});

test('lost shuffle output resubmits only the missing map task, then the reduce stage', async () => {
  let lost = false;
  const policy: FaultPolicy = {
    lostOutputs: (s) => {
      if (s.stageId !== 0 || lost) return [];
      lost = true;
      return [2];
    },
  };
  await withEngine(policy, {}, async (engine, ctx) => {
    assert.deepEqual(tableToRows(await engine.run(query().plan)), expected);
    assert.deepEqual(starts(ctx.events, 'stage 0').sort(), ['task 0#1', 'task 1#1', 'task 2#1', 'task 2#2']);
    assert.deepEqual(starts(ctx.events, 'stage 1').sort(), ['task 0#1', 'task 1#1']);
    const logs = ctx.events.filter((e) => e.type === 'log').map((e) => (e as { message: string }).message);
    assert.ok(logs.some((m) => /fetch failed for shuffle 0 in stage 1; resubmitting 1 task\(s\) of stage 0/.test(m)), logs.join('\n'));
  });
});

test('cached partitions are reused across jobs and a dropped one is recomputed from lineage', async () => {
  await withEngine({}, {}, async (engine, ctx) => {
    const base = table('t', S).filter(col('v').ge(0));
    const cache = new Map([[base.plan, { cacheId: 7 }]]);
    const q = base.groupBy('k').agg(count().alias('n'), sum('v').alias('s')).orderBy('k');
    const first = await engine.execute(q.plan, { cache });
    assert.deepEqual(tableToRows(first.table), expected);
    assert.equal(first.run.stages[0]!.output, 'cache');
    assert.equal(first.run.stages[0]!.tasksRun, 3);
    assert.ok([0, 1, 2].every((p) => engine.hasCachedPartition(7, p)));

    const second = await engine.execute(q.plan, { cache });
    assert.equal(second.run.stages[0]!.tasksRun, 0, 'cache stage skipped');
    assert.equal(engine.metrics().counters.stagesSkipped, 1);

    engine.dropCachedPartition(7, 1);
    const before = ctx.events.length;
    const third = await engine.execute(q.plan, { cache });
    assert.deepEqual(tableToRows(third.table), expected);
    assert.deepEqual(starts(ctx.events.slice(before), 'stage 0'), ['task 1#1']);
  });
});

test('with one worker the scheduler events are deterministic (retry included)', async () => {
  const policy: FaultPolicy = { taskAttempt: (t) => (t.stageId === 0 && t.partition === 0 && t.attempt === 1 ? 'fail' : 'ok') };
  const sequences: string[][] = [];
  for (let i = 0; i < 2; i++) {
    await withEngine(policy, { 'dag.workers': 1 }, async (engine, ctx) => {
      await engine.run(query().plan);
      sequences.push(ctx.events.filter((e) => e.type === 'task-start' || e.type === 'task-end').map((e) => `${e.type} ${'group' in e ? e.group : ''} ${'task' in e ? e.task : ''}#${'attempt' in e ? e.attempt : ''}${e.type === 'task-end' ? ` ${e.status}` : ''}`));
    });
  }
  assert.deepEqual(sequences[0], sequences[1]);
  assert.deepEqual(sequences[0]!.slice(0, 4), ['task-start stage 0 task 0#1', 'task-end stage 0 task 0#1 failed', 'task-start stage 0 task 1#1', 'task-end stage 0 task 1#1 ok']);
});

test('an executor thread that never says it is ready is ended and started again; three hangs are a clear error', async () => {
  const hang = new URL('data:text/javascript,setInterval(() => {}, 1000);');
  const real = new URL('../../engines/dag/worker-entry.mjs', import.meta.url);
  let starts = 0;
  // 5 s: long enough for a real thread booting through tsx on a loaded machine (~0.75 s idle).
  const pool = await WorkerPool.start(1, { entries: () => (++starts === 1 ? hang : real), timeoutMs: 5000 });
  assert.equal(starts, 2, 'the hung thread was replaced once');
  assert.equal(pool.size, 1);
  await pool.close();
  await assert.rejects(WorkerPool.start(1, { entries: () => hang, timeoutMs: 200 }), /executor thread did not start within 200 ms, three times/);
});
