// Unit tests of the dataframe (danfo) engine against hand-computed results on tiny tables with NULLs.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { table, col, lit, when, udf, count, sum, avg, min, max, asc, desc, timestamp, tableFromRows, tableToRows } from '../../plan/index.ts';
import type { Schema } from '../../plan/types.ts';
import { EngineError, type EngineContext, type EngineEvent } from '../../engines/engine.ts';
import { dataframeEngine } from '../../engines/dataframe/index.ts';

const T: Schema = [
  { name: 'k', type: 'utf8' },
  { name: 'g', type: 'int32' },
  { name: 'v', type: 'float64' },
  { name: 'n', type: 'int32' },
  { name: 'ts', type: 'timestamp' },
];
const ROWS = [
  { k: 'a', g: 1, v: 1.5, n: 10, ts: Date.UTC(2020, 0, 1) },
  { k: 'b', g: 1, v: null, n: 0, ts: Date.UTC(2020, 5, 1) },
  { k: null, g: 2, v: 4, n: null, ts: null },
  { k: '', g: null, v: -2, n: 3, ts: Date.UTC(2021, 0, 1) },
  { k: 'a', g: null, v: null, n: -7, ts: Date.UTC(2019, 0, 1) },
];
const t = () => table('t', T);

const dirs: string[] = [];
after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function context(budget = 8 * 1024 ** 3, events: EngineEvent[] = []): EngineContext {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dataframe-test-'));
  dirs.push(workDir);
  return {
    workDir,
    seed: 1,
    now: () => performance.now(),
    emit: (e) => events.push(e),
    options: {},
    memoryBudgetBytes: budget,
  };
}

async function engineWith(rows: readonly Record<string, unknown>[] = ROWS) {
  const engine = await dataframeEngine.create(context());
  await engine.load(new Map([['t', tableFromRows(T, rows)]]));
  return engine;
}

const sortRows = (rows: Record<string, unknown>[]) => rows.map((r) => JSON.stringify(r, (_, v) => (typeof v === 'bigint' ? `${v}n` : v))).sort();

test('dataframe: group by with NULL keys forming one group and NULL-skipping aggregates', async () => {
  const engine = await engineWith();
  const df = t().groupBy('g').agg(count().alias('c'), count('v').alias('cv'), sum('v').alias('s'), avg('v').alias('a'), min('k').alias('mk'), max('n').alias('mn'), sum('n').alias('sn'));
  const out = await engine.run(df.plan);
  assert.deepEqual(out.schema.fields.map((f) => `${f.name}:${f.type}`), ['g:Int32', 'c:Int64', 'cv:Int64', 's:Float64', 'a:Float64', 'mk:Utf8', 'mn:Int32', 'sn:Int64']);
  assert.deepEqual(sortRows(tableToRows(out)), sortRows([
    { g: 1, c: 2n, cv: 1n, s: 1.5, a: 1.5, mk: 'a', mn: 10, sn: 10n },
    { g: 2, c: 1n, cv: 1n, s: 4, a: 4, mk: null, mn: null, sn: null },
    { g: null, c: 2n, cv: 1n, s: -2, a: -2, mk: '', mn: 3, sn: -4n },
  ]));
  await engine.close();
});

test('dataframe: NULL-free columns go to danfo as plain sum/mean/min/max; columns with NULLs keep the NULL rules', async () => {
  // k1 has no NULL keys; v, n and ts are NULL-free within these rows, k (a string) too: the direct path.
  type Row = { k: string | null; g: number | null; v: number | null; n: number | null; ts: number | null };
  const rows: Row[] = [
    { k: 'b', g: 1, v: 1.5, n: 10, ts: 5 },
    { k: 'a', g: 1, v: 2.5, n: -3, ts: 7 },
    { k: 'c', g: 2, v: -4, n: 6, ts: 1 },
  ];
  const direct = await engineWith(rows);
  const agg = t().groupBy('g').agg(sum('v').alias('s'), avg('n').alias('a'), min('k').alias('mk'), max('k').alias('xk'), max('ts').alias('xt'), count('v').alias('cv'));
  assert.deepEqual(sortRows(tableToRows(await direct.run(agg.plan))), sortRows([
    { g: 1, s: 4, a: 3.5, mk: 'a', xk: 'b', xt: 7, cv: 2n },
    { g: 2, s: -4, a: 6, mk: 'c', xk: 'c', xt: 1, cv: 1n },
  ]));
  // The same query once a NULL appears in each argument column: NULLs skipped, a group of only NULLs is NULL.
  const withNulls = await engineWith([...rows, { k: null, g: 2, v: null, n: null, ts: null }, { k: null, g: 3, v: null, n: null, ts: null }]);
  assert.deepEqual(sortRows(tableToRows(await withNulls.run(agg.plan))), sortRows([
    { g: 1, s: 4, a: 3.5, mk: 'a', xk: 'b', xt: 7, cv: 2n },
    { g: 2, s: -4, a: 6, mk: 'c', xk: 'c', xt: 1, cv: 1n },
    { g: 3, s: null, a: null, mk: null, xk: null, xt: null, cv: 0n },
  ]));
});

test('dataframe: count-only group by uses valueCounts and keeps NULL and empty-string keys apart', async () => {
  const engine = await engineWith();
  const out = await engine.run(t().groupBy('k').count().plan);
  assert.deepEqual(sortRows(tableToRows(out)), sortRows([
    { k: 'a', count: 2n }, { k: 'b', count: 1n }, { k: null, count: 1n }, { k: '', count: 1n },
  ]));
  assert.match(engine.metrics().notes!.join(' '), /valueCounts/);
});

test('dataframe: global aggregate over empty input yields one row of NULLs and count 0', async () => {
  const engine = await engineWith();
  const df = t().filter(col('g').gt(100)).agg(count().alias('c'), sum('n').alias('s'), min('ts').alias('m'), avg('v').alias('a'));
  assert.deepEqual(tableToRows(await engine.run(df.plan)), [{ c: 0n, s: null, m: null, a: null }]);
  const all = t().agg(count().alias('c'), sum('n').alias('s'), min('ts').alias('m'), max('k').alias('mk'));
  assert.deepEqual(tableToRows(await engine.run(all.plan)), [{ c: 5n, s: 6n, m: Date.UTC(2019, 0, 1), mk: 'b' }]);
});

test('dataframe: three-valued filter, arithmetic with NULL and division by zero', async () => {
  const engine = await engineWith();
  const df = t()
    .filter(col('n').ge(0).or(col('v').isNull()))
    .select('k', col('n').divide(col('g')).alias('q'), col('n').mod(lit(4)).alias('m'), col('n').plus(col('g')).alias('p'), col('v').multiply(2).alias('v2'));
  const rows = tableToRows(await engine.run(df.plan));
  // Kept: a (10>=0), b (0>=0), ''(3>=0), a/-7 (v NULL → TRUE); k=NULL row has n NULL and v=4 → NULL OR FALSE → dropped.
  assert.deepEqual(sortRows(rows), sortRows([
    { k: 'a', q: 10, m: 2n, p: 11n, v2: 3 },
    { k: 'b', q: 0, m: 0n, p: 1n, v2: null },
    { k: '', q: null, m: 3n, p: null, v2: -4 },
    { k: 'a', q: null, m: -3n, p: null, v2: null },
  ]));
  const byZero = tableToRows(await engine.run(t().select(col('g').divide(lit(0)).alias('d'), col('g').mod(lit(0)).alias('r')).limit(1).plan));
  assert.deepEqual(byZero, [{ d: null, r: null }]);
});

test('dataframe: multi-key sort with explicit NULL placement and code-point string order', async () => {
  const engine = await engineWith([...ROWS, { k: 'B', g: 3, v: 0, n: 1, ts: 0 }]);
  const out = await engine.run(t().orderBy(asc('k', false), desc('g')).select('k', 'g').plan);
  // Code point order puts 'B' before 'a' (danfo's own sort would compare case-insensitively).
  assert.deepEqual(tableToRows(out).map((r) => `${r.k}/${r.g}`), ['/null', 'B/3', 'a/1', 'a/null', 'b/1', 'null/2']);
  const first = await engine.run(t().orderBy(desc('v', true)).limit(3).select('v').plan);
  assert.deepEqual(tableToRows(first).map((r) => r.v), [null, null, 4]);
});

test('dataframe: inner and left joins never match NULL keys; output is left columns then right minus keys', async () => {
  const P: Schema = [{ name: 'code', type: 'utf8' }, { name: 'cat', type: 'utf8' }];
  const engine = await dataframeEngine.create(context());
  await engine.load(new Map([
    ['t', tableFromRows(T, ROWS)],
    ['p', tableFromRows(P, [{ code: 'a', cat: 'x' }, { code: 'a', cat: 'y' }, { code: null, cat: 'z' }, { code: '', cat: 'e' }])],
  ]));
  const p = table('p', P);
  const inner = await engine.run(t().join(p, [['k', 'code']], 'inner').select('k', 'n', 'cat').plan);
  assert.deepEqual(sortRows(tableToRows(inner)), sortRows([
    { k: 'a', n: 10, cat: 'x' }, { k: 'a', n: 10, cat: 'y' }, { k: 'a', n: -7, cat: 'x' }, { k: 'a', n: -7, cat: 'y' }, { k: '', n: 3, cat: 'e' },
  ]));
  const left = await engine.run(t().join(p, [['k', 'code']], 'left').plan);
  assert.deepEqual(left.schema.fields.map((f) => f.name), ['k', 'g', 'v', 'n', 'ts', 'cat']);
  const cats = tableToRows(left).map((r) => `${r.k}:${r.cat}`).sort();
  assert.deepEqual(cats, [':e', 'a:x', 'a:x', 'a:y', 'a:y', 'b:null', 'null:null']);
});

test('dataframe: union, distinct, latestPerKey, CASE, cast and a UDF', async () => {
  const engine = await engineWith();
  const u = await engine.run(t().select('k').union(t().select('k')).distinct().plan);
  assert.deepEqual(tableToRows(u).map((r) => r.k).sort(), ['', 'a', 'b', null].sort());
  const latest = await engine.run(t().latestPerKey(['k'], 'ts').select('k', 'n').plan);
  assert.deepEqual(sortRows(tableToRows(latest)), sortRows([{ k: 'a', n: 10 }, { k: 'b', n: 0 }, { k: null, n: null }, { k: '', n: 3 }]));
  const upper = udf((s: string | null) => (s === null ? null : s.toUpperCase()), 'utf8', 'upper');
  const df = t().select(
    upper('k').alias('u'),
    when(col('n').gt(0), lit('pos')).when(col('n').lt(0), lit('neg')).otherwise(lit(null, 'utf8')).alias('sign'),
    col('v').cast('int32').alias('vi'),
    col('ts').ge(timestamp('2020-03-01')).alias('late'),
  );
  assert.deepEqual(tableToRows(await engine.run(df.plan)), [
    { u: 'A', sign: 'pos', vi: 1, late: false },
    { u: 'B', sign: null, vi: null, late: true },
    { u: null, sign: null, vi: 4, late: null },
    { u: '', sign: 'pos', vi: -2, late: true },
    { u: 'A', sign: 'neg', vi: null, late: false },
  ]);
});

test('dataframe: refuses up front above its memory budget with the out-of-memory code', async () => {
  const events: EngineEvent[] = [];
  const engine = await dataframeEngine.create(context(64 * 1024, events));
  const big = tableFromRows(T, Array.from({ length: 2000 }, (_, i) => ({ ...ROWS[i % ROWS.length] })));
  await assert.rejects(engine.load(new Map([['t', big]])), (e: unknown) => {
    assert.ok(e instanceof EngineError);
    assert.equal(e.code, 'out-of-memory');
    assert.match(e.message, /needs about [\d.]+ GiB, budget [\d.]+ GiB; use the dag or mapreduce engine/);
    return true;
  });
  // Nothing was loaded: a query now fails cleanly naming the missing table.
  await assert.rejects(engine.run(t().plan), /table 't' is not loaded/);
  // The same data fits a budget a thousand times larger.
  const roomy = await dataframeEngine.create(context(64 * 1024 * 1000));
  await roomy.load(new Map([['t', big]]));
  assert.equal((await roomy.run(t().agg(count()).plan)).numRows, 1);
});

test('dataframe: loaded tables are not changed by queries (steps materialise new frames)', async () => {
  const engine = await engineWith();
  await engine.run(t().union(t()).plan);
  await engine.run(t().filter(col('g').eq(1)).orderBy(desc('n')).plan);
  const again = await engine.run(t().plan);
  assert.deepEqual(tableToRows(again), ROWS);
  const m = engine.metrics();
  assert.equal(m.rowsIn, 5);
  assert.equal(m.rowsOut, 5);
  assert.ok(m.timeline && m.timeline.length === 1);
});

test('dataframe: explain shows the danfo statements, one per plan node (golden)', async () => {
  const engine = await engineWith();
  const plan = t().filter(col('n').gt(0)).groupBy('k').agg(sum('n').alias('s')).orderBy(desc('s')).limit(2).plan;
  assert.equal(
    await engine.explain(plan),
    [
      "df0 = frames['t']  # loaded once: new dfd.DataFrame(...) from Arrow",
      'df1 = df0.iloc({ rows: positions where (n > 0) IS TRUE })',
      'df2 = df1.groupby([key(k)]).agg({...})  # sum(n) AS s; NULLs filled, non-NULL counts summed',
      'df3 = df2.iloc({ rows: order by s DESC NULLS LAST })',
      'df4 = df3.head(2)',
    ].join('\n'),
  );
});

test('dataframe: a UDF breaking its declared return type is bad input, reported in one line', async () => {
  const engine = await engineWith();
  const bad = udf((n: number | null) => (n === null ? null : `n=${n}`), 'int32', 'bad');
  await assert.rejects(engine.run(t().select(bad('n').alias('b')).plan), (e: unknown) => {
    assert.ok(e instanceof EngineError);
    assert.equal(e.code, 'bad-input');
    assert.match(e.message, /^udf 'bad' returned string .* declared to return int32$/);
    return true;
  });
});

test('dataframe: a plan reading a column with another type than loaded fails as bad input', async () => {
  const engine = await dataframeEngine.create(context());
  const wide: Schema = T.map((f) => (f.name === 'g' ? { ...f, type: 'int64' as const } : f));
  await engine.load(new Map([['t', tableFromRows(wide, ROWS.map((r) => ({ ...r, g: r.g === null ? null : BigInt(r.g) })))]]));
  await assert.rejects(engine.run(t().plan), (e: unknown) => e instanceof EngineError && e.code === 'bad-input' && /loaded as int64 but the plan reads it as int32/.test(e.message));
});

test('dataframe: int64 beyond ±2^53, loaded or computed, is refused as unsupported rather than answered inexactly', async () => {
  const I: Schema = [{ name: 'i', type: 'int64' }];
  const exact = await dataframeEngine.create(context());
  await exact.load(new Map([['i', tableFromRows(I, [{ i: 2n ** 53n - 1n }, { i: -(2n ** 53n - 1n) }, { i: null }])]]));
  assert.deepEqual(tableToRows(await exact.run(table('i', I).plan)).map((r) => r.i), [2n ** 53n - 1n, -(2n ** 53n - 1n), null]);
  await assert.rejects(exact.run(table('i', I).select(col('i').plus(col('i')).alias('twice')).plan), (e: unknown) =>
    e instanceof EngineError && e.code === 'unsupported' && /result column 'twice' holds the int64 value 18014398509481982, beyond ±2\^53/.test(e.message));
  await exact.close();
  const beyond = await dataframeEngine.create(context());
  await assert.rejects(beyond.load(new Map([['i', tableFromRows(I, [{ i: 1n }, { i: 9007199254740993n }])]])), (e: unknown) =>
    e instanceof EngineError && e.code === 'unsupported' && /column 'i' holds the int64 value 9007199254740993, beyond ±2\^53, which danfo \(JS numbers\) cannot hold exactly; run this on duckdb, polars or dag/.test(e.message));
  await beyond.close();
  // A sum whose result fits while its running total does not: 4187536251742916 + 4833406050353227 passes 2^53.
  const partial = await dataframeEngine.create(context());
  await partial.load(new Map([['i', tableFromRows(I, [{ i: 4187536251742916n }, { i: 4833406050353227n }, { i: -13743047355152n }])]]));
  await assert.rejects(partial.run(table('i', I).agg(sum('i').alias('s')).plan), (e: unknown) =>
    e instanceof EngineError && e.code === 'unsupported' && /a sum adds integers whose running total can pass ±2\^53/.test(e.message));
  assert.deepEqual(tableToRows(await partial.run(table('i', I).filter(col('i').lt(lit(0n, 'int64'))).agg(sum('i').alias('s')).plan)), [{ s: -13743047355152n }]);
  await partial.close();
});
