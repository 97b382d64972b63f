// Unit tests of the DAG engine's core: columnar helpers and hashing, stage cutting, concurrent independent stages,
// per-stage metrics and timeline, and clear errors for bad input.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { table, col, count, sum, desc, tableFromRows, tableToRows } from '../../plan/index.ts';
import type { Schema } from '../../plan/types.ts';
import { dagEngine, createDagEngine } from '../../engines/dag/index.ts';
import { concatVecs, vecFromValues, valueAt, type Vec } from '../../engines/dag/columnar.ts';
import { hashVec } from '../../engines/dag/hashing.ts';
import { compareStrings } from '../../engines/dag/expressions.ts';
import { groupRows } from '../../engines/dag/operators/grouping.ts';
import { partitionTable, batchesToTable } from '../../engines/dag/arrow-io.ts';
import { testContext } from '../support/engine-context.ts';

const L: Schema = [
  { name: 'k', type: 'utf8' },
  { name: 'v', type: 'int32' },
];
const R: Schema = [
  { name: 'rk', type: 'utf8' },
  { name: 'w', type: 'int64' },
];

test('equal values hash equally across int32, int64 and float64, and strings across dictionaries', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: -1e9, max: 1e9 }), { maxLength: 30 }), (xs) => {
      const n = xs.length;
      const a = hashVec(vecFromValues('int32', xs), n);
      const b = hashVec(vecFromValues('int64', xs.map(BigInt)), n);
      const c = hashVec(vecFromValues('float64', xs), n);
      assert.deepEqual(a, b);
      assert.deepEqual(a, c);
    }),
  );
  const s1 = vecFromValues('utf8', ['x', 'y', 'z']);
  const s2 = vecFromValues('utf8', ['z', 'x']);
  const [h1, h2] = [hashVec(s1, 3), hashVec(s2, 2)];
  assert.equal(h1[0], h2[1]);
  assert.equal(h1[2], h2[0]);
});

test('concatenating string vectors with different dictionaries keeps every value', () => {
  fc.assert(
    fc.property(fc.array(fc.option(fc.string({ maxLength: 3 }), { nil: null })), fc.array(fc.option(fc.string({ maxLength: 3 }), { nil: null })), (xs, ys) => {
      const v = concatVecs('utf8', [vecFromValues('utf8', xs), vecFromValues('utf8', ys)]);
      assert.deepEqual(Array.from({ length: xs.length + ys.length }, (_, i) => valueAt(v, i)), [...xs, ...ys]);
    }),
  );
});

test('grouping gives equal ids exactly to equal keys (NULLs form one group) on every fast path', () => {
  fc.assert(
    fc.property(fc.array(fc.option(fc.integer({ min: -5, max: 5 }), { nil: null }), { maxLength: 50 }), fc.integer({ min: 0, max: 1 }), (xs, wide) => {
      // wide=1 spreads keys beyond the direct-mapped range to exercise the hashed path.
      const keys = xs.map((x) => (x === null ? null : wide ? x * 100_000_000 : x));
      const vecs: Vec[] = [vecFromValues('int32', keys)];
      const { gid, groups } = groupRows(vecs, keys.length);
      assert.equal(groups, new Set(keys).size);
      for (let i = 0; i < keys.length; i++) for (let j = 0; j < keys.length; j++) assert.equal(gid[i] === gid[j], keys[i] === keys[j]);
    }),
  );
});

test('strings compare by code point, not UTF-16 unit', () => {
  assert.ok(compareStrings('\uFF21', '\u{1F600}') < 0); // U+FF21 < U+1F600 although its UTF-16 unit is larger
  assert.ok(compareStrings('a', 'ab') < 0);
  assert.equal(compareStrings('é', 'é'), 0);
});

test('Arrow round trip through partitions preserves values and NULLs', () => {
  const schema: Schema = [{ name: 's', type: 'utf8' }, { name: 'i', type: 'int32' }, { name: 'b', type: 'int64' }, { name: 't', type: 'timestamp' }, { name: 'f', type: 'bool' }];
  const rows = [
    { s: 'a', i: 1, b: 5n, t: 1_600_000_000_000, f: true },
    { s: null, i: null, b: null, t: null, f: null },
    { s: 'ü', i: -3, b: -(2n ** 60n), t: 0, f: false },
  ];
  const t = tableFromRows(schema, rows);
  const parts = partitionTable('x', t, schema, 2);
  assert.deepEqual(parts.map((p) => p.length), [1, 2]);
  assert.deepEqual(tableToRows(batchesToTable(schema, parts)), rows);
});

test('strings of any length and script survive the round trip, batches sharing one dictionary', () => {
  // Well-formed strings only: Arrow's reader decodes lone surrogates to U+FFFD, so they cannot round-trip.
  const str = fc.oneof(fc.string({ maxLength: 3 }), fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string({ minLength: 30, maxLength: 80 }));
  fc.assert(
    fc.property(fc.array(fc.option(str, { nil: null, freq: 5 }), { maxLength: 40 }), fc.integer({ min: 1, max: 4 }), (values, partitions) => {
      const schema: Schema = [{ name: 's', type: 'utf8' }];
      const rows = values.map((s) => ({ s }));
      const parts = partitionTable('x', tableFromRows(schema, rows), schema, partitions);
      assert.deepEqual(tableToRows(batchesToTable(schema, parts)), rows);
    }),
  );
});

test('stages are cut at shuffles and independent map stages run concurrently', async () => {
  const ctx = testContext({ 'dag.workers': 2, 'dag.broadcastThresholdBytes': 0, 'dag.partitions': 2, 'dag.shufflePartitions': 2 });
  const engine = await dagEngine.create(ctx);
  try {
    const lrows = Array.from({ length: 200 }, (_, i) => ({ k: `k${i % 7}`, v: i }));
    const rrows = Array.from({ length: 7 }, (_, i) => ({ rk: `k${i}`, w: BigInt(i) }));
    await engine.load(new Map([['l', tableFromRows(L, lrows)], ['r', tableFromRows(R, rrows)]]));
    const q = table('l', L).join(table('r', R), [['k', 'rk']]).groupBy('w').agg(count().alias('n'), sum('v').alias('s')).orderBy(desc('n'), 'w');
    const result = tableToRows(await engine.run(q.plan));
    assert.equal(result.length, 7);
    assert.deepEqual(result[0], { w: 0n, n: 29n, s: BigInt(lrows.filter((r) => r.v % 7 === 0).reduce((a, r) => a + r.v, 0)) });
    const m = engine.metrics();
    // 2 shuffle-map stages (join sides) + aggregate map stage + sort gather stage + result.
    assert.equal(m.counters.stages, 5);
    assert.equal(m.counters.tasks, 2 + 2 + 2 + 2 + 1);
    assert.equal(m.counters['stage0.rowsShuffled'], 200);
    assert.equal(m.counters['stage1.rowsShuffled'], 7);
    assert.ok(m.counters.bytesShuffled! > 0);
    assert.deepEqual(Object.keys(m.phasesMs!).sort(), ['stage 0', 'stage 1', 'stage 2', 'stage 3', 'stage 4', 'total']);
    assert.ok(m.timeline!.every((s) => s.slot >= 0 && s.slot < 2 && s.endMs >= s.startMs && /^stage \d$/.test(s.group)));
    // Both join sides are submitted before any task finishes: they do not depend on each other.
    const firstEnd = ctx.events.findIndex((e) => e.type === 'task-end');
    const submitted = ctx.events.slice(0, firstEnd).filter((e) => e.type === 'log').map((e) => (e as { message: string }).message);
    assert.ok(submitted.some((s) => s.includes('submitting stage 0')) && submitted.some((s) => s.includes('submitting stage 1')), submitted.join('\n'));
    assert.match(m.notes![0]!, /shuffled hash join/);
  } finally {
    await engine.close();
    ctx.cleanup();
  }
});

test('bad input gets one-line EngineErrors naming the problem', async () => {
  await assert.rejects(dagEngine.create(testContext({ 'dag.workers': 0 })), /option dag.workers must be an integer ≥ 1, got '0'/);
  await assert.rejects(dagEngine.create(testContext({ 'dag.udfMode': 'python' })), /dag.udfMode must be 'in-engine' or 'isolated'/);
  const ctx = testContext({ 'dag.workers': 1 });
  const engine = await createDagEngine(ctx);
  try {
    await assert.rejects(engine.run(table('missing', L).plan), (e: Error & { code?: string }) => e.code === 'bad-input' && /table 'missing' is not loaded/.test(e.message));
    const bad = { kind: 'filter', input: { kind: 'scan', table: 'x', schema: L }, predicate: { kind: 'column', name: 'v' } } as const;
    await assert.rejects(engine.run(bad), /invalid plan: filter needs a boolean condition, got int32/);
    await engine.load(new Map([['l', tableFromRows(L, [{ k: 'a', v: 1 }])]]));
    const throwing = table('l', L).select(col('k'), col('v')).withColumn('u', (await import('../../plan/index.ts')).udf((s: string) => s.length, 'utf8', 'len')('k'));
    await assert.rejects(engine.run(throwing.plan), /UDF 'len' returned 1 but declares utf8/);
  } finally {
    await engine.close();
    ctx.cleanup();
  }
});

test("strings of a loaded table's dictionary come back right in query after query (their UTF-8 is kept between runs)", async () => {
  const ctx = testContext({ 'dag.workers': 2, 'dag.partitions': 2 });
  const engine = await dagEngine.create(ctx);
  try {
    const S: Schema = [{ name: 's', type: 'utf8' }, { name: 'v', type: 'int32' }];
    const words = ['é', 'plain', '', 'naïve café', '東京', 'x'.repeat(40), 'a'];
    const rows = Array.from({ length: 300 }, (_, i) => ({ s: i % 11 === 0 ? null : words[(i * 7) % words.length]!, v: i }));
    await engine.load(new Map([['t', tableFromRows(S, rows)]]));
    // Different subsets each time: later runs use entries encoded by earlier ones and encode new ones.
    for (const [lo, hi] of [[0, 50], [100, 300], [0, 300], [40, 60]] as const) {
      const got = tableToRows(await engine.run(table('t', S).filter(col('v').ge(lo).and(col('v').lt(hi))).orderBy('v').plan));
      assert.deepEqual(got, rows.slice(lo, hi), `rows ${lo}..${hi}`);
    }
  } finally {
    await engine.close();
    ctx.cleanup();
  }
});
