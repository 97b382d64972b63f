// The MapReduce engine's execution model, in the spirit of Hadoop's tests and the MIT 6.5840 lab's test-mr.sh:
// crashing and stalling tasks still give the clean output; without faults every task runs once; a task that always
// fails fails the job with a clear error and commits nothing; tiny and huge sort buffers give byte-identical
// output; the combiner cuts shuffle bytes; tasks run in parallel; explain shows the job chain.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import * as arrow from 'apache-arrow';
import { table, col, count, sum, avg, desc, tableFromRows, udf } from '../../plan/index.ts';
import type { PlanNode, Schema } from '../../plan/types.ts';
import { EngineError } from '../../engines/engine.ts';
import { MapReduceEngine } from '../../engines/mapreduce/mapreduce-engine.ts';
import { dataNodeDir } from '../../engines/mapreduce/datanode.ts';
import { WorkerPool } from '../../engines/mapreduce/worker-pool.ts';
import type { TaskSpec } from '../../engines/mapreduce/task.ts';
import { Worker } from 'node:worker_threads';
import { testContext, type TestContext } from '../support/engine-context.ts';

const schema: Schema = [
  { name: 'user_id', type: 'int32' },
  { name: 'event_type', type: 'utf8' },
  { name: 'value', type: 'float64' },
];
const TYPES = ['view', 'click', 'buy', 'share'];
const rows = Array.from({ length: 6000 }, (_, i) => ({ user_id: (i * 7919) % 97, event_type: TYPES[i % 4], value: ((i * 2654435761) % 1000) / 7 }));
const data = tableFromRows(schema, rows);
const events = table('events', schema);
const groupPlan = events.groupBy('user_id').agg(count().alias('n'), sum('value').alias('total'), avg('value').alias('mean')).orderBy('user_id').plan;
const joinish = events.filter(col('value').gt(10)).groupBy('event_type', 'user_id').agg(sum('value').alias('s')).orderBy(desc('s'), 'event_type', 'user_id').plan;

async function withEngine<T>(options: Record<string, number | string | boolean>, body: (e: MapReduceEngine, ctx: TestContext) => Promise<T>): Promise<T> {
  const ctx = testContext({ 'mapreduce.blockSize': 8192, ...options });
  const engine = await MapReduceEngine.create(ctx);
  try {
    await engine.load(new Map([['events', data]]));
    return await body(engine, ctx);
  } finally {
    await engine.close();
    ctx.cleanup();
  }
}

const ipc = (t: arrow.Table): Buffer => Buffer.from(arrow.tableToIPC(t, 'file'));

async function cleanRun(plan: PlanNode, options: Record<string, number | string | boolean> = {}): Promise<Buffer> {
  return withEngine(options, async (e) => ipc(await e.run(plan)));
}

test('without faults every map and reduce task runs exactly once', async () => {
  await withEngine({}, async (engine, ctx) => {
    await engine.run(groupPlan);
    const m = engine.metrics();
    assert.ok(m.counters.mapTasks! >= 10, `map tasks: ${m.counters.mapTasks}`);
    assert.equal(m.counters.taskAttempts, m.counters.mapTasks! + m.counters.reduceTasks!);
    assert.ok([...engine.lastAttempts.values()].every((n) => n === 1));
    const starts = ctx.events.filter((e) => e.type === 'task-start');
    assert.equal(starts.length, m.counters.taskAttempts);
    assert.equal(m.counters.failedAttempts ?? 0, 0);
    assert.equal(m.timeline!.length, m.counters.taskAttempts);
    assert.ok(m.timeline!.every((s) => /^job \d+ \/ (map|reduce)$/.test(s.group) && s.status === 'ok' && s.endMs >= s.startMs));
  });
});

test('tasks run in parallel on the slots: map spans on different slots overlap', async () => {
  await withEngine({ 'mapreduce.slots': 2 }, async (engine) => {
    await engine.run(groupPlan);
    const maps = engine.metrics().timeline!.filter((s) => s.group === 'job 1 / map');
    assert.deepEqual([...new Set(maps.map((s) => s.slot))].sort(), [0, 1]);
    const overlap = maps.some((a) => maps.some((b) => a.slot !== b.slot && a.startMs < b.endMs && b.startMs < a.endMs));
    assert.ok(overlap, 'no two map tasks overlapped in time');
  });
});

test('map and reduce functions crashing or stalling on a fraction of attempts give output identical to a clean run', async () => {
  const clean = await cleanRun(joinish, { 'mapreduce.blockSize': 16384 });
  const faulty = await withEngine(
    { 'mapreduce.blockSize': 16384, 'mapreduce.faults.crashRate': 0.3, 'mapreduce.faults.stallRate': 0.1, 'mapreduce.faults.stallMs': 60_000, 'mapreduce.taskTimeoutMs': 1000, 'mapreduce.maxAttempts': 8 },
    async (engine) => {
      const out = ipc(await engine.run(joinish));
      const c = engine.metrics().counters;
      assert.ok((c.failedAttempts ?? 0) > 0, `expected crashed attempts: ${JSON.stringify(c)}`);
      assert.ok((c.killedAttempts ?? 0) > 0, `expected stalled attempts killed by the timeout: ${JSON.stringify(c)}`);
      assert.ok(engine.metrics().timeline!.some((s) => s.status === 'killed'));
      return out;
    },
  );
  assert.ok(clean.equals(faulty), 'faulty run differs from the clean run');
});

function replicaCount(engine: MapReduceEngine): number {
  return engine.dfs.liveDataNodes().reduce((s, dn) => s + fs.readdirSync(dataNodeDir(engine.dfs.root, dn)).length, 0);
}

test('a map task that always fails fails the job with an error naming the task and its cause; nothing is committed', async () => {
  await withEngine({ 'mapreduce.faults.crashRate': 1, 'mapreduce.faults.phases': 'map', 'mapreduce.maxAttempts': 2 }, async (engine) => {
    const before = replicaCount(engine);
    await assert.rejects(engine.run(groupPlan), (err: unknown) => {
      assert.ok(err instanceof EngineError && err.code === 'task-failed');
      assert.match(err.message, /^job 1 \(aggregate\) failed: map task m-\d{5} \(block \S+ of \/tables\/events\) failed 2 attempts; last cause: (injected crash in map task|worker thread exited)/);
      return true;
    });
    assert.deepEqual(engine.dfs.list('/runs/'), []);
    assert.equal(replicaCount(engine), before);
  });
});

test('a reduce task that always fails after writing output blocks leaves no output and no orphan replicas', async () => {
  await withEngine({ 'mapreduce.faults.crashRate': 1, 'mapreduce.faults.phases': 'reduce', 'mapreduce.maxAttempts': 2 }, async (engine) => {
    const before = replicaCount(engine);
    const sortAll = events.orderBy('value').plan;
    await assert.rejects(engine.run(sortAll), /job 1 \(sort\) failed: reduce task r-\d{5} \(partition \d\) failed 2 attempts; last cause: (injected crash in reduce task|worker thread exited)/);
    assert.deepEqual(engine.dfs.list('/runs/'), []);
    assert.equal(replicaCount(engine), before);
    // The engine still works afterwards (a map-only job: no reduce task to crash).
    assert.equal((await engine.run(events.filter(col('value').gt(100)).plan)).numRows, rows.filter((r) => r.value > 100).length);
  });
});

test('a tiny and a huge sort buffer give byte-identical output; the tiny one spills many times', async () => {
  const opts = { 'mapreduce.combiner': false };
  const results = await Promise.all(
    [2048, 64 << 20].map((buf) =>
      withEngine({ ...opts, 'mapreduce.sortBufferBytes': buf }, async (engine) => ({ out: ipc(await engine.run(groupPlan)), c: engine.metrics().counters })),
    ),
  );
  const [tiny, huge] = results as [(typeof results)[0], (typeof results)[0]];
  assert.ok(tiny.out.equals(huge.out), 'outputs differ');
  assert.ok(tiny.c.spillFiles! > 5 * tiny.c.mapTasks!, `tiny buffer: ${tiny.c.spillFiles} spills for ${tiny.c.mapTasks} map tasks`);
  assert.equal(huge.c.spillFiles, huge.c.mapTasks, 'one spill per map task');
  assert.ok(tiny.c.mergedBytes! > 0);
});

test('the combiner shrinks the shuffle without changing the answer', async () => {
  const plan = events.groupBy('event_type').agg(count().alias('n'), sum('user_id').alias('s')).orderBy('event_type').plan;
  const run = (combiner: boolean): Promise<{ out: Buffer; c: Readonly<Record<string, number>> }> =>
    withEngine({ 'mapreduce.combiner': combiner }, async (engine) => ({ out: ipc(await engine.run(plan)), c: engine.metrics().counters }));
  const [on, off] = [await run(true), await run(false)];
  assert.ok(on.out.equals(off.out));
  assert.ok(on.c.bytesShuffled! * 10 < off.c.bytesShuffled!, `shuffle bytes with combiner ${on.c.bytesShuffled}, without ${off.c.bytesShuffled}`);
  // An aggregate combines inside the mapper: every row goes into its table, one record per key per task comes out.
  assert.equal(on.c.inMapperCombineInputRecords, rows.length);
  assert.ok(on.c.inMapperCombineOutputRecords! <= TYPES.length * on.c.mapTasks!, `in-mapper output ${on.c.inMapperCombineOutputRecords}`);
  // Map output of both jobs: the aggregate's, then the ORDER BY job's one record per type.
  assert.equal(on.c.mapOutputRecords, on.c.inMapperCombineOutputRecords! + TYPES.length);
  assert.equal(off.c.inMapperCombineInputRecords ?? 0, 0);
  assert.equal(off.c.combineInputRecords ?? 0, 0);
  assert.equal(off.c.mapOutputRecords, rows.length + TYPES.length);
});

test('the spill-time combiner merges records of one key in a spill (distinct)', async () => {
  const plan = events.select('event_type').distinct().orderBy('event_type').plan;
  const run = (combiner: boolean): Promise<{ out: Buffer; c: Readonly<Record<string, number>> }> =>
    withEngine({ 'mapreduce.combiner': combiner }, async (engine) => ({ out: ipc(await engine.run(plan)), c: engine.metrics().counters }));
  const [on, off] = [await run(true), await run(false)];
  assert.ok(on.out.equals(off.out));
  assert.equal(on.c.combineInputRecords, rows.length);
  assert.ok(on.c.combineOutputRecords! <= TYPES.length * on.c.mapTasks!, `combiner output ${on.c.combineOutputRecords}`);
  assert.ok(on.c.bytesShuffled! * 10 < off.c.bytesShuffled!, `shuffle bytes with combiner ${on.c.bytesShuffled}, without ${off.c.bytesShuffled}`);
});

test('in-mapper combining that flushes many times per task (tiny buffer) gives the combiner-off answer', async () => {
  const plan = events.groupBy('user_id').agg(count().alias('n'), sum('user_id').alias('s')).orderBy('user_id').plan;
  const run = (combiner: boolean): Promise<{ out: Buffer; c: Readonly<Record<string, number>> }> =>
    withEngine({ 'mapreduce.combiner': combiner, 'mapreduce.sortBufferBytes': 2048 }, async (engine) => ({ out: ipc(await engine.run(plan)), c: engine.metrics().counters }));
  const [on, off] = [await run(true), await run(false)];
  assert.ok(on.out.equals(off.out));
  // Several flushes per task put a key into one spill more than once: the spill-time combiner merges them.
  assert.ok(on.c.inMapperCombineOutputRecords! > 97 * on.c.mapTasks!, `in-mapper output ${on.c.inMapperCombineOutputRecords}`);
  assert.ok(on.c.combineInputRecords! > on.c.combineOutputRecords!, `spill combiner ${on.c.combineInputRecords} -> ${on.c.combineOutputRecords}`);
  assert.ok(on.c.bytesShuffled! < off.c.bytesShuffled!);
});

test('in-mapper combining on an int32 key (hashed as a number) agrees with the combiner off, NULL and negative keys too', async () => {
  const intSchema: Schema = [
    { name: 'k', type: 'int32' },
    { name: 'v', type: 'float64' },
  ];
  const keyed = Array.from({ length: 3000 }, (_, i) => ({ k: i % 11 === 0 ? null : ((i * 7919) % 61) - 30 + (i % 5 === 0 ? 2 ** 31 - 31 : 0), v: i % 13 === 0 ? null : i / 4 }));
  const plan = table('keyed', intSchema).groupBy('k').agg(count().alias('n'), sum('v').alias('s'), avg('v').alias('m')).orderBy('k').plan;
  const run = async (combiner: boolean, sortBufferBytes: number): Promise<{ out: arrow.Table; c: Readonly<Record<string, number>> }> => {
    const ctx = testContext({ 'mapreduce.blockSize': 4096, 'mapreduce.combiner': combiner, 'mapreduce.sortBufferBytes': sortBufferBytes });
    const engine = await MapReduceEngine.create(ctx);
    try {
      await engine.load(new Map([['keyed', tableFromRows(intSchema, keyed)]]));
      return { out: await engine.run(plan), c: engine.metrics().counters };
    } finally {
      await engine.close();
      ctx.cleanup();
    }
  };
  const off = await run(false, 1 << 20);
  for (const buf of [1 << 20, 2048]) {
    const on = await run(true, buf);
    assert.ok(ipc(on.out).equals(ipc(off.out)), `sort buffer ${buf}: outputs differ`);
    assert.equal(on.c.inMapperCombineInputRecords, keyed.length);
    if (buf > 2048) assert.ok(on.c.inMapperCombineOutputRecords! <= 124 * on.c.mapTasks!, `in-mapper output ${on.c.inMapperCombineOutputRecords}`);
  }
  const keys = off.out.getChild('k')!.toArray() as Int32Array;
  const distinct = new Set(keyed.map((r) => r.k));
  assert.equal(off.out.numRows, distinct.size);
  assert.equal(off.out.getChild('k')!.get(0), null, 'NULL key sorts first');
  assert.ok(keys.length > 100 && distinct.has(null), `${keys.length} groups`);
  const nullRow = off.out.get(0)!.toJSON() as { n: bigint };
  assert.equal(nullRow.n, BigInt(keyed.filter((r) => r.k === null).length));
});

test('ORDER BY is a total-order job: sampled key ranges over several reducers, part files concatenate in order', async () => {
  await withEngine({ 'mapreduce.reducers': 3 }, async (engine) => {
    const plan = events.orderBy(desc('value'), 'user_id').plan;
    assert.match(await engine.explain(plan), /sampled key ranges into 3 partitions \(TeraSort\)/);
    const out = await engine.run(plan);
    const values = out.getChild('value')!.toArray() as Float64Array;
    assert.equal(values.length, rows.length);
    for (let i = 1; i < values.length; i++) assert.ok(values[i - 1]! >= values[i]!, `row ${i} out of order`);
    const m = engine.metrics();
    assert.equal(m.counters.reduceTasks, 3);
    assert.ok(m.notes!.some((n) => /range-partitioned into 3 reducers from \d+ sampled keys/.test(n)));
    assert.equal(m.timeline!.filter((t) => t.group === 'job 1 / reduce').length, 3);
  });
});

test('a UDF runs inside the worker threads', async () => {
  const upper = udf((s: string | null) => (s === null ? null : s.toUpperCase()), 'utf8', 'upper');
  await withEngine({}, async (engine) => {
    const out = await engine.run(events.select(upper(col('event_type')).alias('e')).distinct().orderBy('e').plan);
    assert.deepEqual(out.getChild('e')!.toArray(), ['BUY', 'CLICK', 'SHARE', 'VIEW']);
  });
});

test('explain shows the job chain, map tasks per block with their replicas and locality, shuffle and reduce', async () => {
  const small = tableFromRows(schema, rows.slice(0, 400));
  const ctx = testContext({ 'mapreduce.blockSize': 4096, 'mapreduce.slots': 2 });
  const engine = await MapReduceEngine.create(ctx);
  try {
    await engine.load(new Map([['events', small]]));
    const text = await engine.explain(events.filter(col('value').gt(10)).groupBy('event_type').agg(count().alias('n')).orderBy(desc('n')).limit(2).plan);
    assert.equal(
      text,
      [
        'MapReduce: 2 jobs | DFS: 4 DataNodes, replication 3, block 4.0 KiB | 2 slots | sort buffer 16.0 MiB | combiner on',
        'job 1: aggregate groupBy=[event_type] aggs=[count(*) AS n] -> /runs/1/job-1/',
        '  input /tables/events (3 blocks, 400 rows, 8.1 KiB) | map: Filter (value > 10)',
        '  map tasks (one per block):',
        '    m-00000 blk_t0-0 replicas dn-0,dn-1,dn-2 -> data-local on slot 0/1',
        '    m-00001 blk_t0-1 replicas dn-1,dn-2,dn-3 -> data-local on slot 1',
        '    m-00002 blk_t0-2 replicas dn-2,dn-3,dn-0 -> data-local on slot 0',
        '  execution mode: vectorized (batches of 1024 rows over column vectors)',
        '  shuffle: sort by key, spill at 16.0 MiB, hash(key) into 4 partitions; combiner on',
        '  reduce: 4 tasks, merge-sort fetched segments, aggregate',
        'job 2: total-order sort by n DESC NULLS LAST -> /runs/1/job-2/',
        '  input /runs/1/job-1/ (output of an earlier job)',
        '  execution mode: row at a time: only aggregate jobs have a vectorized map side (this is a sort job)',
        '  shuffle: sort by key, spill at 16.0 MiB, a single partition; combiner none',
        '  reduce: 1 task, merge-sort fetched segments, sort -> first 2 rows',
        'result: /runs/1/job-2/',
      ].join('\n'),
    );
  } finally {
    await engine.close();
    ctx.cleanup();
  }
});

test('int64 overflow in a sum is an error naming the cause, never a wrapped value', async () => {
  const big: Schema = [{ name: 'k', type: 'utf8' }, { name: 'w', type: 'int64' }];
  const ctx = testContext({ 'mapreduce.maxAttempts': 1, 'mapreduce.blockSize': 64 });
  const engine = await MapReduceEngine.create(ctx);
  try {
    await engine.load(new Map([['b', tableFromRows(big, [{ k: 'a', w: 2n ** 62n }, { k: 'a', w: 2n ** 62n }, { k: 'b', w: 1n }])]]));
    await assert.rejects(engine.run(table('b', big).groupBy('k').agg(sum('w').alias('s')).plan), (e: unknown) => e instanceof EngineError && e.code === 'task-failed' && /int64 overflow/.test(e.message));
  } finally {
    await engine.close();
    ctx.cleanup();
  }
});

test('bad input is a one-line EngineError: unknown table, invalid option', async () => {
  await withEngine({}, async (engine) => {
    await assert.rejects(engine.run(table('nope', schema).plan), (e: unknown) => e instanceof EngineError && e.code === 'bad-input' && /table 'nope' is not loaded/.test(e.message));
  });
  await assert.rejects(MapReduceEngine.create(testContext({ 'mapreduce.blockSize': 'big' })), (e: unknown) => e instanceof EngineError && e.code === 'bad-input' && /mapreduce.blockSize=big/.test(e.message));
});

test('a slot whose thread never finishes booting is given up at the task timeout and replaced; the next attempt runs', async () => {
  // The first thread hangs before saying 'ready'; the replacement, a stand-in that answers every task, works.
  let started = 0;
  const pool = new WorkerPool(1, () => {
    started++;
    const source = started === 1
      ? 'setInterval(() => {}, 1000);'
      : "const { parentPort } = require('node:worker_threads'); parentPort.postMessage('ready'); parentPort.on('message', () => parentPort.postMessage({ ok: true, result: 'done' }));";
    return new Worker(source, { eval: true });
  });
  try {
    const t0 = performance.now();
    const first = await pool.run(0, {} as TaskSpec, 300);
    assert.deepEqual(first, { status: 'killed', error: 'worker thread did not start within 300 ms; attempt killed' });
    assert.ok(performance.now() - t0 < 5000, 'given up at the timeout, not waited for');
    const second = await pool.run(0, {} as TaskSpec, 10_000);
    assert.deepEqual(second, { status: 'ok', result: 'done' });
    assert.equal(started, 2);
  } finally {
    await pool.close();
  }
});
