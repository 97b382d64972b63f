// Execution tests for the DuckDB reference engine on small hand-built tables whose expected results were
// worked out by hand, one test per plan node and NULL rule of the contract (plan/types.ts).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as arrow from 'apache-arrow';
import { duckdbEngine } from '../../engines/duckdb/index.ts';
import { EngineError, type Engine, type EngineContext } from '../../engines/engine.ts';
import {
  table, col, lit, count, sum, avg, min, max, asc, desc, when, udf, timestamp, tableFromRows, tableToRows, tableFromColumns,
  type Schema, type DataFrame, type LiteralValue,
} from '../../plan/index.ts';

const L_SCHEMA: Schema = [{ name: 'id', type: 'int32' }, { name: 'k', type: 'utf8' }, { name: 'v', type: 'float64' }];
const R_SCHEMA: Schema = [{ name: 'k', type: 'utf8' }, { name: 'w', type: 'int64' }];
const G_SCHEMA: Schema = [{ name: 'g', type: 'utf8' }, { name: 'x', type: 'int32' }];
const N_SCHEMA: Schema = [{ name: 'a', type: 'int32' }, { name: 'b', type: 'int32' }, { name: 'f', type: 'float64' }];
const E_SCHEMA: Schema = [{ name: 'key', type: 'utf8' }, { name: 'ts', type: 'timestamp' }, { name: 'val', type: 'int32' }];
const D_SCHEMA: Schema = [{ name: 'x', type: 'utf8' }, { name: 'y', type: 'int32' }];
const S_SCHEMA: Schema = [{ name: 's', type: 'int32' }, { name: 't', type: 'utf8' }];
const BIG_SCHEMA: Schema = [{ name: 'n', type: 'int32' }, { name: 'r', type: 'float64' }];

const L = table('L', L_SCHEMA);
const R = table('R', R_SCHEMA);
const G = table('G', G_SCHEMA);
const N = table('N', N_SCHEMA);
const E = table('E', E_SCHEMA);
const D = table('D', D_SCHEMA);
const S = table('S', S_SCHEMA);
const BIG = table('BIG', BIG_SCHEMA);
const BIG_ROWS = 50_000;

function testContext(options: EngineContext['options'] = { threads: 2 }): EngineContext {
  return { workDir: '', seed: 1, now: () => performance.now(), emit: () => {}, options, memoryBudgetBytes: 1 << 30 };
}

let engine: Engine;

before(async () => {
  engine = await duckdbEngine.create(testContext());
  // A deterministic pseudo-random column (LCG) so the ordered-result test sorts something non-trivial.
  const r = new Float64Array(BIG_ROWS);
  let s = 42;
  for (let i = 0; i < BIG_ROWS; i++) r[i] = (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  await engine.load(
    new Map<string, arrow.Table>([
      ['L', tableFromRows(L_SCHEMA, [{ id: 1, k: 'a', v: 1 }, { id: 2, k: 'b', v: 2 }, { id: 3, k: null, v: 3 }, { id: 4, k: 'c', v: null }])],
      ['R', tableFromRows(R_SCHEMA, [{ k: 'a', w: 10n }, { k: 'a', w: 11n }, { k: null, w: 99n }, { k: 'd', w: 5n }])],
      ['G', tableFromRows(G_SCHEMA, [{ g: 'a', x: 1 }, { g: 'a', x: null }, { g: null, x: 5 }, { g: null, x: 7 }, { g: 'b', x: null }])],
      ['N', tableFromRows(N_SCHEMA, [{ a: 7, b: 0, f: 1.5 }, { a: -7, b: 3, f: -0 }, { a: 7, b: -3, f: -1.7 }, { a: null, b: 2, f: 0.5 }])],
      ['E', tableFromRows(E_SCHEMA, [
        { key: 'a', ts: 1000, val: 1 }, { key: 'a', ts: 3000, val: 2 }, { key: 'a', ts: null, val: 3 },
        { key: 'b', ts: null, val: 4 }, { key: 'c', ts: 2000, val: 5 }, { key: 'c', ts: null, val: 6 },
      ])],
      ['D', tableFromRows(D_SCHEMA, [{ x: null, y: null }, { x: null, y: null }, { x: 'a', y: 1 }, { x: 'a', y: 1 }, { x: 'a', y: null }])],
      ['S', tableFromRows(S_SCHEMA, [{ s: 3, t: 'x' }, { s: null, t: 'y' }, { s: 1, t: 'z' }, { s: 2, t: 'w' }, { s: 1, t: 'v' }])],
      ['BIG', tableFromColumns(BIG_SCHEMA, { n: Int32Array.from({ length: BIG_ROWS }, (_, i) => i), r })],
    ]),
  );
});

after(async () => {
  await engine.close();
});

async function rows(df: DataFrame): Promise<Record<string, LiteralValue>[]> {
  const result = await engine.run(df.plan);
  assert.deepEqual(result.schema.fields.map((f) => [f.name, String(f.type)]), df.schema.map((f) => [f.name, String(new Map([
    ['int32', 'Int32'], ['int64', 'Int64'], ['float64', 'Float64'], ['utf8', 'Utf8'], ['bool', 'Bool'], ['timestamp', 'Timestamp<MILLISECOND>'],
  ]).get(f.type))]), 'result schema must be the plan schema');
  return tableToRows(result);
}

/** Rows in a canonical order, for results whose order the plan leaves open. */
async function sortedRows(df: DataFrame): Promise<Record<string, LiteralValue>[]> {
  const key = (r: Record<string, LiteralValue>) => Object.values(r).map((v) => (v === null ? '\u0000' : String(v))).join('\u0001');
  return (await rows(df)).sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

test('scan returns the loaded rows with NULLs intact', async () => {
  assert.deepEqual(await rows(L), [
    { id: 1, k: 'a', v: 1 }, { id: 2, k: 'b', v: 2 }, { id: 3, k: null, v: 3 }, { id: 4, k: 'c', v: null },
  ]);
});

test('inner join: NULL keys never match; output is left columns then right minus its keys', async () => {
  assert.deepEqual(await sortedRows(L.join(R, 'k', 'inner')), [
    { id: 1, k: 'a', v: 1, w: 10n },
    { id: 1, k: 'a', v: 1, w: 11n },
  ]);
});

test('left join keeps unmatched left rows (NULL-keyed ones too) with NULL right columns', async () => {
  assert.deepEqual(await sortedRows(L.join(R, 'k', 'left')), [
    { id: 1, k: 'a', v: 1, w: 10n },
    { id: 1, k: 'a', v: 1, w: 11n },
    { id: 2, k: 'b', v: 2, w: null },
    { id: 3, k: null, v: 3, w: null },
    { id: 4, k: 'c', v: null, w: null },
  ]);
});

test('join on differently named keys drops the right key', async () => {
  const right = R.withColumnRenamed('k', 'rk');
  assert.deepEqual(await sortedRows(L.join(right, [['k', 'rk']], 'inner').select('id', 'w')), [{ id: 1, w: 10n }, { id: 1, w: 11n }]);
});

test('group by: NULL keys form one group; aggregates skip NULLs; count is int64, sum of ints int64, avg float64', async () => {
  const df = G.groupBy('g').agg(count(), count('x').alias('cx'), sum('x'), avg('x'), min('x'), max('x'));
  assert.deepEqual(await sortedRows(df), [
    { g: null, count: 2n, cx: 2n, 'sum(x)': 12n, 'avg(x)': 6, 'min(x)': 5, 'max(x)': 7 },
    { g: 'a', count: 2n, cx: 1n, 'sum(x)': 1n, 'avg(x)': 1, 'min(x)': 1, 'max(x)': 1 },
    { g: 'b', count: 1n, cx: 0n, 'sum(x)': null, 'avg(x)': null, 'min(x)': null, 'max(x)': null },
  ]);
});

test('global aggregate over empty input yields exactly one row: count 0, the rest NULL', async () => {
  const df = G.filter(col('x').gt(100)).agg(count(), sum('x'), avg('x'), min('g'));
  assert.deepEqual(await rows(df), [{ count: 0n, 'sum(x)': null, 'avg(x)': null, 'min(g)': null }]);
});

test('grouped aggregate over empty input yields no rows', async () => {
  assert.deepEqual(await rows(G.filter(col('x').gt(100)).groupBy('g').count()), []);
});

test('arithmetic: + - * % on ints give int64, / gives float64, division and modulo by zero give NULL', async () => {
  const df = N.select(
    col('a').plus(col('b')).alias('add'),
    col('a').multiply(col('b')).alias('mul'),
    col('a').divide(col('b')).alias('div'),
    col('a').mod(col('b')).alias('mod'),
    col('b').divide(col('f')).alias('fdiv'),
    col('f').mod(0).alias('fmod0'),
  );
  assert.deepEqual(await rows(df), [
    { add: 7n, mul: 0n, div: null, mod: null, fdiv: 0, fmod0: null },
    { add: -4n, mul: -21n, div: -7 / 3, mod: -1n, fdiv: null, fmod0: null }, // 3 / -0.0 is a division by zero
    { add: 4n, mul: -21n, div: -7 / 3, mod: 1n, fdiv: -3 / -1.7, fmod0: null }, // % takes the dividend's sign
    { add: null, mul: null, div: null, mod: null, fdiv: 4, fmod0: null },
  ]);
});

test('int32 arithmetic is done in int64 and cannot overflow', async () => {
  const df = N.filter(col('a').eq(7).and(col('b').eq(0))).select(lit(2147483647).plus(lit(2147483647)).alias('big'));
  assert.deepEqual(await rows(df), [{ big: 4294967294n }]);
});

test('CASE: a NULL condition is not TRUE and falls through to the next branch', async () => {
  const df = N.select(when(col('a').gt(0), 'pos').when(col('a').lt(0), 'neg').otherwise('none').alias('sign'));
  assert.deepEqual((await rows(df)).map((r) => r['sign']), ['pos', 'neg', 'pos', 'none']);
});

test('CASE with int32 and int64 branches is int64', async () => {
  const df = N.select(when(col('a').gt(0), col('a')).otherwise(lit(0n)).alias('c'));
  assert.deepEqual((await rows(df)).map((r) => r['c']), [7n, 0n, 7n, 0n]);
});

test('casts: float → int truncates toward zero, text that does not parse is NULL, timestamps ↔ epoch ms', async () => {
  const df = N.filter(col('a').eq(7).and(col('b').eq(0))).select(
    lit(-1.7).cast('int32').alias('neg'),
    lit(2.5).cast('int64').alias('half'),
    lit('12').cast('int32').alias('s12'),
    lit(' 1.9').cast('int32').alias('s19'),
    lit('x').cast('int32').alias('sx'),
    lit('2.5').cast('float64').alias('sf'),
    timestamp('2020-06-01T00:00:00.123').cast('int64').alias('ms'),
    lit(1591000000123n).cast('timestamp').alias('ts'),
    lit(42).cast('utf8').alias('str'),
    lit(0).cast('bool').alias('b'),
  );
  assert.deepEqual(await rows(df), [
    { neg: -1, half: 2n, s12: 12, s19: 1, sx: null, sf: 2.5, ms: BigInt(Date.UTC(2020, 5, 1, 0, 0, 0, 123)), ts: 1591000000123, str: '42', b: false },
  ]);
  assert.deepEqual((await rows(N.select(col('f').cast('int32').alias('i')))).map((r) => r['i']), [1, 0, -1, 0]);
});

test('three-valued logic: NULL AND FALSE is FALSE, NULL OR TRUE is TRUE, NOT NULL is NULL; filters keep only TRUE', async () => {
  const df = N.filter(col('a').isNull()).select(
    col('a').gt(0).and(lit(false)).alias('and_f'),
    col('a').gt(0).and(lit(true)).alias('and_t'),
    col('a').gt(0).or(lit(true)).alias('or_t'),
    col('a').gt(0).not().alias('not'),
    col('a').isNull().alias('isnull'),
  );
  assert.deepEqual(await rows(df), [{ and_f: false, and_t: null, or_t: true, not: null, isnull: true }]);
  // a > 0 is NULL for the NULL row, so neither the filter nor its negation keeps it.
  assert.equal((await rows(N.filter(col('a').gt(0)))).length, 2);
  assert.equal((await rows(N.filter(col('a').gt(0).not()))).length, 1);
});

test('comparisons of strings are by code point; timestamps by instant', async () => {
  const df = E.filter(col('ts').ge(timestamp('1970-01-01T00:00:02')).and(col('key').lt('b')));
  assert.deepEqual(await rows(df), [{ key: 'a', ts: 3000, val: 2 }]);
});

test('latestPerKey keeps the row with the greatest orderBy per key; NULL orderBy loses', async () => {
  assert.deepEqual(await sortedRows(E.latestPerKey(['key'], 'ts')), [
    { key: 'a', ts: 3000, val: 2 },
    { key: 'b', ts: null, val: 4 },
    { key: 'c', ts: 2000, val: 5 },
  ]);
});

test('distinct treats NULLs as equal', async () => {
  assert.deepEqual(await sortedRows(D.distinct()), [{ x: null, y: null }, { x: 'a', y: null }, { x: 'a', y: 1 }]);
});

test('sort places NULLs exactly where each key says', async () => {
  const order = async (key: ReturnType<typeof asc>) => (await rows(S.orderBy(key))).map((r) => r['s']);
  assert.deepEqual(await order(asc('s', true)), [null, 1, 1, 2, 3]);
  assert.deepEqual(await order(asc('s', false)), [1, 1, 2, 3, null]);
  assert.deepEqual(await order(desc('s', true)), [null, 3, 2, 1, 1]);
  assert.deepEqual(await order(desc('s', false)), [3, 2, 1, 1, null]);
  assert.deepEqual((await rows(S.orderBy(asc('s', false), desc('t')))).map((r) => r['t']), ['z', 'v', 'w', 'x', 'y']);
});

test('limit under a sort returns the top rows in order', async () => {
  assert.deepEqual(await rows(S.orderBy(desc('s')).limit(2).select('t')), [{ t: 'x' }, { t: 'w' }]);
  assert.deepEqual(await rows(S.limit(0)), []);
});

test('a large sorted result keeps its order through the engine (multi-threaded)', async () => {
  const result = await engine.run(BIG.orderBy(desc('r')).plan);
  const r = result.getChild('r')!.toArray() as Float64Array;
  assert.equal(result.numRows, BIG_ROWS);
  for (let i = 1; i < r.length; i++) assert.ok(r[i - 1]! >= r[i]!, `row ${i} out of order`);
  const top = await engine.run(BIG.orderBy(asc('r')).limit(3000).select(col('n').alias('m'), 'r').plan);
  const t = top.getChild('r')!.toArray() as Float64Array;
  for (let i = 1; i < t.length; i++) assert.ok(t[i - 1]! <= t[i]!, `limited row ${i} out of order`);
});

test('union is UNION ALL by position, names from the first input', async () => {
  const df = L.select(col('id').alias('x'), 'k').union(R.select(col('w').cast('int32').alias('y'), 'k'));
  const out = await sortedRows(df);
  assert.deepEqual(Object.keys(out[0]!), ['x', 'k']);
  assert.equal(out.length, 8);
  assert.deepEqual(out.filter((r) => r['k'] === 'a'), [{ x: 1, k: 'a' }, { x: 10, k: 'a' }, { x: 11, k: 'a' }]);
});

test('UDFs run in DuckDB and receive NULLs and the contract JS types', async () => {
  const shout = udf((s: string | null) => (s === null ? 'NONE' : s.toUpperCase()), 'utf8', 'shout');
  assert.deepEqual((await rows(L.select(shout('k').alias('u')))).map((r) => r['u']), ['A', 'B', 'NONE', 'C']);
  // int64 args arrive as bigint, timestamps as epoch ms numbers; a timestamp result goes back as ms.
  const later = udf((ts: number | null, by: bigint | null) => (ts === null || by === null ? null : ts + Number(by)), 'timestamp', 'later');
  const df = E.filter(col('key').eq('a')).select(later('ts', lit(5n)).alias('t'), 'val');
  assert.deepEqual(await sortedRows(df), [{ t: null, val: 3 }, { t: 1005, val: 1 }, { t: 3005, val: 2 }]);
  // The same UDF used after a group by (over a computed column) and in a filter.
  const isOdd = udf((n: bigint | null) => (n === null ? null : n % 2n === 1n), 'bool', 'is_odd');
  const grouped = G.groupBy('g').agg(sum('x').alias('s')).filter(isOdd('s'));
  // The NULL group sums to 12 (even); 'b' sums to NULL, so the UDF returns NULL and the filter drops it.
  assert.deepEqual(await sortedRows(grouped), [{ g: 'a', s: 1n }]);
});

test('string UDF results survive any mix of NULLs, repeats, inline and long strings across many chunks', async () => {
  const pool = [null, '', 'x', 'twelve bytes', 'thirteen bytes', 'a string far longer than the twelve inline bytes', 'ünïcødé, löngér thån twélvé', '日本語の文字列'];
  const label = udf((n: number | null) => (n === null ? 'NULL IN' : n % 97 === 0 ? `unique ${n} padded past twelve` : pool[n % pool.length]!), 'utf8', 'label');
  const out = await rows(BIG.orderBy('n').select('n', label('n').alias('s')));
  assert.equal(out.length, BIG_ROWS);
  for (const r of out) {
    const n = r['n'] as number;
    assert.equal(r['s'], n % 97 === 0 ? `unique ${n} padded past twelve` : pool[n % pool.length], `row ${n}`);
  }
});

test('a UDF returning the wrong type fails with a clear EngineError', async () => {
  const bad = udf(() => 42, 'utf8', 'bad_udf');
  await assert.rejects(engine.run(L.select(bad('k').alias('u')).plan), (e: unknown) => {
    assert.ok(e instanceof EngineError);
    assert.match(e.message, /bad_udf/);
    assert.match(e.message, /declared utf8/);
    return true;
  });
});

test('metrics count scanned rows in and result rows out', async () => {
  await engine.run(L.join(R, 'k', 'left').plan);
  const m = engine.metrics();
  assert.equal(m.rowsIn, 8);
  assert.equal(m.rowsOut, 5);
});

test('unknown tables and mismatched scan schemas are bad-input EngineErrors naming the problem', async () => {
  await assert.rejects(engine.run(table('nope', L_SCHEMA).plan), (e: unknown) => e instanceof EngineError && e.code === 'bad-input' && /table 'nope' is not loaded/.test(e.message));
  await assert.rejects(
    engine.run(table('L', [{ name: 'id', type: 'utf8' }]).plan),
    (e: unknown) => e instanceof EngineError && e.code === 'bad-input' && /column 'id' of type int32/.test(e.message),
  );
});

test('explain returns DuckDB physical plan text', async () => {
  const text = await engine.explain(L.join(R, 'k').groupBy('k').count().plan);
  assert.match(text, /HASH_JOIN/);
  assert.match(text, /HASH_GROUP_BY|PERFECT_HASH_GROUP_BY/);
});

test('descriptor: reference role, supports everything, reports versions; close is idempotent', async () => {
  assert.equal(duckdbEngine.role, 'reference');
  const v = await duckdbEngine.versions();
  assert.match(v['@duckdb/node-api']!, /^1\.5\./);
  assert.match(v['duckdb']!, /^v1\.5\./);
  const e = await duckdbEngine.create(testContext({ 'duckdb.threads': 1 }));
  await e.close();
  await e.close();
  await assert.rejects(e.run(L.plan), /closed/);
  await assert.rejects(duckdbEngine.create(testContext({ threads: 0 })), /positive integer/);
});
