// Join strategies of the DAG engine: the broadcast-left (build left) join that streams the big right side without
// shuffling it — every left row appears exactly once whatever the partition count, retries and lost outputs;
// NULL keys never match — and exact integer sums (int64 state, no float64 rounding past 2^53, overflow is an error).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { table, sum, count, tableFromRows, tableToRows } from '../../plan/index.ts';
import type { Schema } from '../../plan/types.ts';
import { createDagEngine, type DagEngine } from '../../engines/dag/index.ts';
import { alloc, valueAt, vecFromValues, type Batch } from '../../engines/dag/columnar.ts';
import { sumIntegers } from '../../engines/dag/operators/int-sum.ts';
import { buildHashTable, groupsOfStreamRows, hashJoinStreamRight } from '../../engines/dag/operators/hash-join.ts';
import { hashAggregate, hashAggregateJoined, partialSchema } from '../../engines/dag/operators/hash-aggregate.ts';
import { avg, max, min } from '../../plan/index.ts';
import { testContext, type TestContext } from '../support/engine-context.ts';

const L: Schema = [
  { name: 'k', type: 'utf8' },
  { name: 'id', type: 'int32' },
];
const R: Schema = [
  { name: 'rk', type: 'utf8' },
  { name: 'w', type: 'int64' },
];

type LRow = { k: string | null; id: number };
type RRow = { rk: string | null; w: bigint | null };

/** The left join by definition: every left row with each right row of an equal non-NULL key, or once with NULLs. */
function nestedLoopLeftJoin(ls: readonly LRow[], rs: readonly RRow[]): string[] {
  const out: string[] = [];
  for (const l of ls) {
    const hits = rs.filter((r) => l.k !== null && r.rk !== null && r.rk === l.k);
    if (hits.length === 0) out.push(JSON.stringify([l.k, l.id, null]));
    for (const r of hits) out.push(JSON.stringify([l.k, l.id, r.w === null ? null : String(r.w)]));
  }
  return out.sort();
}

const rowsOf = (t: Awaited<ReturnType<DagEngine['run']>>): string[] =>
  tableToRows(t)
    .map((r) => JSON.stringify([r.k, r.id, r.w === null || r.w === undefined ? null : String(r.w)]))
    .sort();

const contexts: TestContext[] = [];
const engines: DagEngine[] = [];
before(async () => {
  for (const partitions of [1, 2, 3, 5]) {
    const ctx = testContext({ 'dag.workers': 2, 'dag.partitions': partitions, 'dag.shufflePartitions': 2, 'dag.joinStrategy': 'broadcast-left' });
    contexts.push(ctx);
    engines.push(await createDagEngine(ctx));
  }
});
after(async () => {
  await Promise.all(engines.map((e) => e.close()));
  contexts.forEach((c) => c.cleanup());
});

const keyArb = fc.option(fc.constantFrom('a', 'b', 'c', 'd', 'é'), { nil: null, freq: 5 });

test('broadcast-left LEFT join: every left row exactly once (unmatched and NULL-keyed too) at 1, 2, 3 and 5 partitions', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(keyArb, { maxLength: 12 }),
      fc.array(fc.record({ rk: keyArb, w: fc.option(fc.bigInt({ min: -5n, max: 5n }), { nil: null, freq: 5 }) }), { maxLength: 40 }),
      async (lkeys, rrows) => {
        const lrows = lkeys.map((k, id) => ({ k, id }));
        const tables = new Map([['l', tableFromRows(L, lrows)], ['r', tableFromRows(R, rrows)]]);
        const expected = nestedLoopLeftJoin(lrows, rrows);
        for (const engine of engines) {
          await engine.load(tables);
          const got = rowsOf(await engine.run(table('l', L).join(table('r', R), [['k', 'rk']], 'left').plan));
          assert.deepEqual(got, expected);
        }
      },
    ),
    { numRuns: 12, seed: 99 },
  );
});

test('auto planning broadcasts the small left side when only it fits, and never shuffles the big right side', async () => {
  const ctx = testContext({ 'dag.workers': 2, 'dag.partitions': 3, 'dag.broadcastThresholdBytes': 2000 });
  const engine = await createDagEngine(ctx);
  try {
    const lrows = ['a', 'b', 'z', null].map((k, id) => ({ k, id }));
    const rrows = Array.from({ length: 300 }, (_, i) => ({ rk: i % 5 === 4 ? null : ['a', 'b', 'c', 'a'][i % 5]!, w: BigInt(i) }));
    await engine.load(new Map([['l', tableFromRows(L, lrows)], ['r', tableFromRows(R, rrows)]]));
    const q = table('l', L).join(table('r', R), [['k', 'rk']], 'left').groupBy('k').agg(count().alias('n'), sum('w').alias('s'));
    const text = await engine.explain(q.plan);
    assert.match(text, /Stage 0 \[broadcast 0\] 3 tasks\n  Scan l/);
    assert.match(text, /Stage 1 \[shuffle 0: hash\(k\) -> 2 partitions\] 4 tasks <- stage 0/);
    assert.match(text, /BroadcastHashJoin\(build left\) left on k = rk \(reports matches=0\)/);
    assert.match(text, /UnmatchedLeftRows broadcast=0 matches=0 of 3 tasks/);
    assert.match(text, /broadcast hash join \(build left\): left side estimated .* ≤ threshold 2.0 KiB, right side .* is not/);
    const rows = tableToRows(await engine.run(q.plan)).sort((x, y) => (String(x.k ?? '\uffff') < String(y.k ?? '\uffff') ? -1 : 1)); // NULL last
    const sumOf = (k: string) => rrows.filter((r) => r.rk === k).reduce((s, r) => s + r.w, 0n);
    assert.deepEqual(rows, [
      { k: 'a', n: 120n, s: sumOf('a') },
      { k: 'b', n: 60n, s: sumOf('b') },
      { k: 'z', n: 1n, s: null },
      { k: null, n: 1n, s: null },
    ]);
    const m = engine.metrics();
    // Only the partial aggregates' few rows cross a shuffle; the 300 right rows stay in their partitions.
    assert.ok(m.counters.rowsShuffled! <= 4 * 2 * 3, `rowsShuffled ${m.counters.rowsShuffled}`);
    // The unmatched-rows task (partition 3 of stage 1) starts only after every probe task of its join ended.
    const spans = m.timeline!.filter((s) => s.group === 'stage 1');
    const unmatched = spans.find((s) => s.task === 'task 3')!;
    for (const s of spans.filter((s) => s.task !== 'task 3')) assert.ok(s.endMs <= unmatched.startMs);
  } finally {
    await engine.close();
    ctx.cleanup();
  }
});

test('broadcast-left with a probe task failing once and a lost probe output still emits unmatched rows once', async () => {
  let failed = false;
  const ctx = testContext({ 'dag.workers': 2, 'dag.partitions': 3, 'dag.joinStrategy': 'broadcast-left' });
  const engine = await createDagEngine(ctx, {
    faultPolicy: {
      taskAttempt: (t) => (t.stageId === 1 && t.partition === 1 && t.attempt === 1 ? ((failed = true), 'fail') : 'ok'),
      lostOutputs: (s) => (s.stageId === 1 && s.attempt === 1 ? [0, 3] : []),
    },
  });
  try {
    const lrows = ['a', 'q', null, 'b'].map((k, id) => ({ k, id }));
    const rrows = Array.from({ length: 30 }, (_, i) => ({ rk: ['a', 'b', null][i % 3]!, w: BigInt(i) }));
    await engine.load(new Map([['l', tableFromRows(L, lrows)], ['r', tableFromRows(R, rrows)]]));
    const q = table('l', L).join(table('r', R), [['k', 'rk']], 'left').groupBy('id').agg(count().alias('n'));
    const rows = tableToRows(await engine.run(q.plan)).sort((x, y) => Number(x.id) - Number(y.id));
    assert.ok(failed);
    const logs = ctx.events.flatMap((e) => (e.type === 'log' ? [e.message] : []));
    assert.ok(logs.some((l) => l.includes('output 3 of stage 1 lost')) && logs.some((l) => /fetch failed .* resubmitting 2 task\(s\) of stage 1/.test(l)), logs.join('\n'));
    assert.deepEqual(rows, [
      { id: 0, n: 10n },
      { id: 1, n: 1n },
      { id: 2, n: 1n },
      { id: 3, n: 10n },
    ]);
  } finally {
    await engine.close();
    ctx.cleanup();
  }
});

test('integer sums are exact past 2^53 (float64 accumulation would round) and overflow is an error', async () => {
  const two53 = 2n ** 53n;
  // int64 input: 2^53 + 1 + 1 rounds to 2^53 in float64.
  const v = vecFromValues('int64', [two53, 1n, 1n, null, -(2n ** 62n), 2n ** 62n, 2n ** 63n - 1n, -(2n ** 63n) + 5n]);
  const gid = Int32Array.from([0, 0, 0, 0, 0, 0, 1, 1]);
  const s = sumIntegers(v, gid, 3, 8, 'x');
  assert.deepEqual([...s.values], [two53 + 2n, 2n ** 63n - 1n - 2n ** 63n + 5n, 0n]);
  assert.deepEqual([...s.validity!], [1, 1, 0]);
  // int32 input long enough to push a float64 accumulator past 2^52 (spills to bigint).
  const n = (1 << 22) + 3;
  const big = new Int32Array(n).fill(2147483647);
  const s32 = sumIntegers({ type: 'int32', values: big, validity: null }, new Int32Array(n), 1, n, 'y');
  assert.equal(s32.values[0], BigInt(n) * 2147483647n);
  assert.throws(() => sumIntegers(vecFromValues('int64', [2n ** 62n, 2n ** 62n]), new Int32Array(2), 1, 2, 'z'), /sum\(z\) overflows int64/);

  const ctx = testContext({ 'dag.workers': 2, 'dag.partitions': 3 });
  const engine = await createDagEngine(ctx);
  try {
    const rows = [two53 - 1n, 1n, 1n, 1n, two53, -3n].map((w, i) => ({ rk: i % 2 ? 'odd' : 'even', w }));
    await engine.load(new Map([['r', tableFromRows(R, rows)]]));
    const got = tableToRows(await engine.run(table('r', R).agg(sum('w').alias('s')).plan));
    assert.deepEqual(got, [{ s: 2n * two53 + 0n - 1n + 3n - 3n }]);
    await engine.load(new Map([['r', tableFromRows(R, [{ rk: 'a', w: 2n ** 62n }, { rk: 'a', w: 2n ** 62n }])]]));
    await assert.rejects(engine.run(table('r', R).agg(sum('w').alias('s')).plan), /overflows int64/);
  } finally {
    await engine.close();
    ctx.cleanup();
  }
});

test('the fused join + partial aggregate equals the partial aggregate over the materialised join (string and int keys)', () => {
  const batchOf = (names: string[], vecs: ReturnType<typeof vecFromValues>[]): Batch => ({ length: vecs[0]!.values.length, names, columns: vecs });
  const rowsOfBatch = (b: Batch) => Array.from({ length: b.length }, (_, i) => JSON.stringify(b.columns.map((c) => String(valueAt(c, i))))).sort();
  const asInt = (k: string | null) => (k === null ? null : k.charCodeAt(0));
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.option(fc.constantFrom('a', 'b', 'c', 'd', 'e'), { nil: null }), { maxLength: 5 }),
      fc.array(fc.record({ k: fc.option(fc.constantFrom('a', 'b', 'c', 'x'), { nil: null }), w: fc.option(fc.integer({ min: -9, max: 9 }), { nil: null }) }), { maxLength: 30 }),
      fc.integer({ min: 0, max: 2 }),
      fc.boolean(),
      fc.boolean(),
      (lkeys, rrows, groupsOf, intKeys, duplicateKey) => {
        // A repeated build key (duplicateKey) must refuse the fused path and mark nothing.
        const keys = duplicateKey && lkeys.length > 0 ? [...lkeys, lkeys[0]!] : lkeys;
        const keyType = intKeys ? 'int32' : 'utf8';
        const leftKey = intKeys ? vecFromValues('int32', keys.map(asInt)) : vecFromValues('utf8', keys);
        const rightKey = intKeys ? vecFromValues('int32', rrows.map((r) => asInt(r.k))) : vecFromValues('utf8', rrows.map((r) => r.k));
        const left = batchOf(['k', 'g'], [leftKey, vecFromValues('int32', keys.map((_, i) => (groupsOf === 0 ? 0 : i % (groupsOf + 1))))]);
        const right = batchOf(['rk', 'w'], [rightKey, vecFromValues('int32', rrows.map((r) => r.w))]);
        const on = [{ left: 'k', right: 'rk' }];
        const built = buildHashTable(left, [right.columns[0]!], ['k']);
        const joinedSchema = [{ name: 'k', type: keyType }, { name: 'g', type: 'int32' }, { name: 'w', type: 'int32' }] as const;
        const aggs = [count().alias('n'), sum('w').alias('s'), avg('w').alias('a'), min('w').alias('lo'), max('w').alias('hi')].map((a) => ({ fn: a.fn, arg: a.arg, name: a.outputName }));
        const spec = { mode: 'partial' as const, keys: ['g'], aggregates: aggs, schema: partialSchema([...joinedSchema], ['g'], aggs) };
        const m1 = alloc.uint8(left.length);
        const joined = hashJoinStreamRight(right, built, on, ['k', 'g', 'w'], m1);
        const m2 = alloc.uint8(left.length);
        const fused = hashAggregateJoined(spec, left, (gid, discard) => groupsOfStreamRows(built, right.columns[0]!, right.length, gid, discard, m2), right, {});
        const repeated = keys.filter((k) => k !== null).length !== new Set(keys.filter((k) => k !== null)).size;
        if (repeated) {
          assert.equal(fused, null);
          assert.ok(m2.every((b) => b === 0));
          return;
        }
        assert.ok(fused !== null);
        assert.deepEqual(rowsOfBatch(fused), rowsOfBatch(hashAggregate(spec, joined, {})));
        assert.deepEqual([...m2], [...m1]);
      },
    ),
    { numRuns: 300, seed: 5 },
  );
});
