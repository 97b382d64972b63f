// The ClickHouse engine on tiny tables against hand-computed results: every plan node and expression kind, the
// contract's NULL rules, type widening and NULL placement in sorts — on embedded chDB, and on a real ClickHouse
// server on loopback (scripts/clickhouse-server.sh) when one can be found or started.
import { after, before, describe, test } from 'node:test';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import type * as arrow from 'apache-arrow';
import {
  asc, avg, col, count, desc, lit, max, min, outputSchema, sum, table, tableFromRows, tableToRows, timestamp,
  toArrowSchema, udf, when, type DataFrame, type Schema,
} from '../../plan/index.ts';
import { EngineError, type Engine } from '../../engines/engine.ts';
import { clickhouseEngine } from '../../engines/clickhouse/index.ts';
import { testContext, type TestContext } from '../support/engine-context.ts';

const T: Schema = [
  { name: 'k', type: 'utf8' },
  { name: 'a', type: 'int32' },
  { name: 'f', type: 'float64' },
  { name: 'ts', type: 'timestamp' },
  { name: 'flag', type: 'bool' },
];
const R: Schema = [
  { name: 'rk', type: 'utf8' },
  { name: 'name', type: 'utf8' },
];
const W: Schema = [
  { name: 'wk', type: 'int64' },
  { name: 'w', type: 'utf8' },
];
const t = table('t', T);
const r = table('r', R);
const w = table('w', W);

const TABLES = new Map<string, arrow.Table>([
  ['t', tableFromRows(T, [
    { k: 'x', a: 1, f: 1.5, ts: 1000, flag: true },
    { k: 'x', a: null, f: 2.5, ts: 2000, flag: false },
    { k: null, a: 3, f: null, ts: null, flag: null },
    { k: 'y', a: -7, f: 0, ts: 4000, flag: true },
    { k: null, a: 0, f: -1.25, ts: 5000, flag: false },
  ])],
  ['r', tableFromRows(R, [
    { rk: 'x', name: 'X' },
    { rk: 'y', name: 'Y' },
    { rk: null, name: 'N' },
    { rk: 'z', name: 'Z' },
  ])],
  ['w', tableFromRows(W, [
    { wk: 1n, w: 'one' },
    { wk: 3n, w: 'three' },
    { wk: 3n, w: 'drei' },
  ])],
]);

type Row = Record<string, unknown>;
const key = (row: Row): string => JSON.stringify(row, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));
const sorted = (rows: Row[]): string[] => rows.map(key).sort();

function defineSuite(label: string, options: Record<string, string>): void {
  let ctx: TestContext;
  let engine: Engine;
  before(async () => {
    ctx = testContext(options);
    engine = await clickhouseEngine.create(ctx);
    await engine.load(TABLES);
  });
  after(async () => {
    await engine.close();
    ctx.cleanup();
  });

  async function run(df: DataFrame): Promise<Row[]> {
    const result = await engine.run(df.plan);
    // Exactly the plan's schema: names, order and Arrow types.
    assert.deepEqual(
      result.schema.fields.map((f) => `${f.name}:${f.type}`),
      toArrowSchema(outputSchema(df.plan)).fields.map((f) => `${f.name}:${f.type}`),
    );
    return tableToRows(result);
  }
  async function expectRows(df: DataFrame, expected: Row[]): Promise<void> {
    assert.deepEqual(sorted(await run(df)), sorted(expected));
  }
  async function expectOrdered(df: DataFrame, expected: Row[]): Promise<void> {
    assert.deepEqual((await run(df)).map(key), expected.map(key));
  }

  describe(`clickhouse engine (${label}): plan nodes`, () => {
    test('scan returns the loaded table with its exact types and NULLs', async () => {
      await expectRows(t, tableToRows(TABLES.get('t')!));
    });

    test('project: select, withColumn, rename, drop', async () => {
      await expectRows(
        t.withColumn('a2', col('a').multiply(2)).withColumnRenamed('k', 'key').drop('f', 'ts', 'flag'),
        [
          { key: 'x', a: 1, a2: 2n },
          { key: 'x', a: null, a2: null },
          { key: null, a: 3, a2: 6n },
          { key: 'y', a: -7, a2: -14n },
          { key: null, a: 0, a2: 0n },
        ],
      );
    });

    test('an output name may be an input name that another column reads: project, aggregate, union (no alias capture)', async () => {
      await expectRows(t.filter(col('a').gt(0)).select(col('a').alias('k'), col('a').plus(1).alias('a'), col('k').alias('f')), [
        { k: 1, a: 2n, f: 'x' },
        { k: 3, a: 4n, f: null },
      ]);
      await expectRows(t.groupBy('k').agg(max('f').alias('a'), sum('a').alias('s')), [
        { k: 'x', a: 2.5, s: 1n },
        { k: 'y', a: 0, s: -7n },
        { k: null, a: -1.25, s: 3n },
      ]);
      await expectRows(r.select('rk', 'name').union(r.select('name', 'rk')).filter(col('rk').eq('x').or(col('name').eq('x'))), [
        { rk: 'x', name: 'X' },
        { rk: 'X', name: 'x' },
      ]);
    });

    test('filter keeps only rows whose predicate is TRUE (NULL drops)', async () => {
      await expectRows(t.filter(col('a').gt(0)).select('k', 'a'), [
        { k: 'x', a: 1 },
        { k: null, a: 3 },
      ]);
    });

    test('aggregate: NULL keys form one group; aggregates skip NULLs; types widen', async () => {
      await expectRows(
        t.groupBy('k').agg(count().alias('n'), count('a').alias('na'), sum('a').alias('s'), avg('f').alias('m'), min('ts').alias('first'), max('a').alias('hi')),
        [
          { k: 'x', n: 2n, na: 1n, s: 1n, m: 2, first: 1000, hi: 1 },
          { k: 'y', n: 1n, na: 1n, s: -7n, m: 0, first: 4000, hi: -7 },
          { k: null, n: 2n, na: 2n, s: 3n, m: -1.25, first: 5000, hi: 3 },
        ],
      );
    });

    test('aggregate: sum/avg/min/max of nothing are NULL, count is 0, global aggregate yields one row', async () => {
      await expectRows(
        t.filter(col('a').gt(100)).agg(count().alias('n'), count('a').alias('na'), sum('a').alias('s'), sum('f').alias('sf'), avg('a').alias('m'), min('k').alias('lo'), max('ts').alias('hi')),
        [{ n: 0n, na: 0n, s: null, sf: null, m: null, lo: null, hi: null }],
      );
      // A group whose values are all NULL: sum is NULL, not 0.
      await expectRows(t.filter(col('k').eq('x').and(col('a').isNull())).groupBy('k').agg(sum('a').alias('s'), count('a').alias('c')), [
        { k: 'x', s: null, c: 0n },
      ]);
    });

    test('inner join never matches NULL keys; output is left columns then right non-key columns', async () => {
      await expectRows(t.join(r, [['k', 'rk']]).select('k', 'a', 'name'), [
        { k: 'x', a: 1, name: 'X' },
        { k: 'x', a: null, name: 'X' },
        { k: 'y', a: -7, name: 'Y' },
      ]);
      const joined = t.join(r, [['k', 'rk']]);
      assert.deepEqual(joined.columns, ['k', 'a', 'f', 'ts', 'flag', 'name']);
      assert.equal((await run(joined)).length, 3);
    });

    test('left join keeps unmatched and NULL-keyed left rows with NULL right columns', async () => {
      await expectRows(t.join(r, [['k', 'rk']], 'left').select('k', 'a', 'name'), [
        { k: 'x', a: 1, name: 'X' },
        { k: 'x', a: null, name: 'X' },
        { k: null, a: 3, name: null },
        { k: 'y', a: -7, name: 'Y' },
        { k: null, a: 0, name: null },
      ]);
    });

    test('join keys of different integer types (int32 = int64) match numerically and keep the left type', async () => {
      await expectRows(t.join(w, [['a', 'wk']]).select('a', 'w'), [
        { a: 1, w: 'one' },
        { a: 3, w: 'three' },
        { a: 3, w: 'drei' },
      ]);
    });

    test('sort honours direction and NULL placement per key', async () => {
      const a = async (df: DataFrame) => (await run(df.select('a'))).map((row) => row.a);
      assert.deepEqual(await a(t.orderBy(asc('a'))), [null, -7, 0, 1, 3]);
      assert.deepEqual(await a(t.orderBy(asc('a', false))), [-7, 0, 1, 3, null]);
      assert.deepEqual(await a(t.orderBy(desc('a'))), [3, 1, 0, -7, null]);
      assert.deepEqual(await a(t.orderBy(desc('a', true))), [null, 3, 1, 0, -7]);
      await expectOrdered(t.orderBy(desc('k', true), asc('ts', false)).select('k', 'ts'), [
        { k: null, ts: 5000 },
        { k: null, ts: null },
        { k: 'y', ts: 4000 },
        { k: 'x', ts: 1000 },
        { k: 'x', ts: 2000 },
      ]);
    });

    test('limit takes the first n rows of a sorted input; limit 0 is empty', async () => {
      await expectOrdered(t.orderBy(desc('f')).limit(2).select('f'), [{ f: 2.5 }, { f: 1.5 }]);
      assert.equal((await run(t.limit(0))).length, 0);
    });

    test('union all keeps duplicates and takes names from the first input', async () => {
      await expectRows(t.select('k').union(r.select('rk')), [
        { k: 'x' }, { k: 'x' }, { k: null }, { k: 'y' }, { k: null },
        { k: 'x' }, { k: 'y' }, { k: null }, { k: 'z' },
      ]);
    });

    test('distinct treats NULLs as equal', async () => {
      await expectRows(t.select('k').distinct(), [{ k: 'x' }, { k: 'y' }, { k: null }]);
    });

    test('latestPerKey keeps the greatest orderBy per key; NULL orderBy loses; NULL keys are one key', async () => {
      await expectRows(t.latestPerKey(['k'], 'ts').select('k', 'a', 'ts'), [
        { k: 'x', a: null, ts: 2000 },
        { k: 'y', a: -7, ts: 4000 },
        { k: null, a: 0, ts: 5000 },
      ]);
    });
  });

  describe(`clickhouse engine (${label}): expressions`, () => {
    test('arithmetic: int64 widening, true division, division and modulo by zero are NULL, % has the dividend sign', async () => {
      await expectRows(
        t.filter(col('a').isNotNull()).select(
          col('a'),
          col('a').plus(lit(2147483647)).alias('wide'),
          col('a').divide(2).alias('half'),
          col('a').divide(col('a')).alias('self'),
          col('a').mod(3).alias('m3'),
          col('a').mod(-3).alias('mneg'),
          col('f').mod(lit(0, 'float64')).alias('fm0'),
          col('a').plus(col('f')).alias('af'),
        ),
        [
          { a: 1, wide: 2147483648n, half: 0.5, self: 1, m3: 1n, mneg: 1n, fm0: null, af: 2.5 },
          { a: 3, wide: 2147483650n, half: 1.5, self: 1, m3: 0n, mneg: 0n, fm0: null, af: null },
          { a: -7, wide: 2147483640n, half: -3.5, self: 1, m3: -1n, mneg: -1n, fm0: null, af: -7 },
          { a: 0, wide: 2147483647n, half: 0, self: null, m3: 0n, mneg: 0n, fm0: null, af: -1.25 },
        ],
      );
    });

    test('comparison, three-valued and/or/not, IS NULL', async () => {
      await expectRows(
        t.select(
          col('a'),
          col('flag').and(col('a').gt(0)).alias('and'),
          col('flag').or(col('a').gt(0)).alias('or'),
          col('flag').not().alias('not'),
          col('f').isNull().alias('fnull'),
          col('ts').ge(timestamp('1970-01-01T00:00:02')).alias('late'),
        ),
        [
          { a: 1, and: true, or: true, not: false, fnull: false, late: false },
          { a: null, and: false, or: null, not: true, fnull: false, late: true },
          { a: 3, and: null, or: true, not: null, fnull: true, late: null },
          { a: -7, and: false, or: true, not: false, fnull: false, late: true },
          { a: 0, and: false, or: false, not: true, fnull: false, late: true },
        ],
      );
    });

    test('cast: float → int truncates toward zero, timestamp ↔ int64 is ms, unparsable string is NULL', async () => {
      await expectRows(
        t.select(col('f').cast('int32').alias('fi'), col('ts').cast('int64').alias('ms'), col('a').cast('utf8').alias('s')).filter(col('ms').le(2000)),
        [
          { fi: 1, ms: 1000n, s: '1' },
          { fi: 2, ms: 2000n, s: null },
        ],
      );
      await expectRows(
        r.select(col('name').cast('int32').alias('n'), lit('42').cast('int64').alias('p'), lit(1500, 'int64').cast('timestamp').alias('ts')).limit(1),
        [{ n: null, p: 42n, ts: 1500 }],
      );
    });

    test('CASE WHEN: first TRUE branch wins, a NULL condition falls through, branches widen to a common type', async () => {
      await expectRows(
        t.select(col('a'), when(col('a').lt(0), lit('neg')).when(col('a').eq(0), lit('zero')).otherwise(lit('pos')).alias('sign'),
          when(col('flag'), col('a')).otherwise(col('f')).alias('mixed')),
        [
          { a: 1, sign: 'pos', mixed: 1 },
          { a: null, sign: 'pos', mixed: 2.5 },
          { a: 3, sign: 'pos', mixed: null },
          { a: -7, sign: 'neg', mixed: -7 },
          { a: 0, sign: 'zero', mixed: -1.25 },
        ],
      );
    });

  });

  describe(`clickhouse engine (${label}): errors, metrics, explain, versions`, () => {
    test('a table that is not loaded is a bad-input EngineError naming the loaded tables', async () => {
      await assert.rejects(engine.run(table('nope', T).plan), (err: unknown) =>
        err instanceof EngineError && err.code === 'bad-input' && /table 'nope' is not loaded; loaded tables: t, r, w/.test(err.message));
    });

    test('metrics count scanned and returned rows and time the phases', async () => {
      await engine.run(t.join(r, [['k', 'rk']]).plan);
      const m = engine.metrics();
      assert.equal(m.rowsIn, 9);
      assert.equal(m.rowsOut, 3);
      assert.ok(m.phasesMs && m.phasesMs.query! >= 0);
    });

    test('explain shows the generated SQL (and ClickHouse\'s plan where the release has EXPLAIN)', async () => {
      const text = await engine.explain(t.filter(col('a').gt(0)).groupBy('k').agg(sum('a').alias('s')).plan);
      assert.match(text, /GROUP BY `k`/);
    });

    test('versions report the chdb package and the release that runs the queries (chDB or the server)', async () => {
      const v = await clickhouseEngine.versions(options);
      assert.match(v.chdb!, /^\d+\.\d+\.\d+/);
      const where = options['clickhouse-url'] ? 'clickhouse (server)' : 'clickhouse (chdb)';
      assert.match(v[where] ?? '', /^\d+\.\d+/, JSON.stringify(v));
    });

    test(options['clickhouse-url'] ? 'a plan with a JavaScript UDF is refused as unsupported' : 'a JavaScript UDF runs as a ClickHouse executable UDF', async () => {
      const twice = udf((a: number | null) => (a === null ? null : a * 2), 'int64', 'twice');
      const plan = t.select(col('k'), twice(col('a')).alias('a2')).plan;
      if (options['clickhouse-url']) {
        await assert.rejects(engine.run(plan), (err: unknown) => err instanceof EngineError && err.code === 'unsupported' && /cannot run the JavaScript UDF 'twice'/.test(err.message));
      } else {
        await expectRows(t.select(col('k'), twice(col('a')).alias('a2')), [
          { k: 'x', a2: 2n }, { k: 'x', a2: null }, { k: null, a2: 6n }, { k: 'y', a2: -14n }, { k: null, a2: 0n },
        ]);
      }
    });

    test('a closed engine refuses to run', async () => {
      const c = testContext(options);
      const e = await clickhouseEngine.create(c);
      await e.close();
      await assert.rejects(e.run(t.plan), (err: unknown) => err instanceof EngineError && /closed/.test(err.message));
      c.cleanup();
    });
  });
}

defineSuite('chdb', {});
// The option users pick to see ClickHouse's main table engine instead of Memory: same answers on every node.
defineSuite('chdb, tables in MergeTree', { 'clickhouse.tableEngine': 'MergeTree' });

test('clickhouse.tableEngine accepts Memory or MergeTree only, before connecting', async () => {
  const ctx = testContext({ 'clickhouse.tableEngine': 'Log; DROP TABLE t' });
  try {
    await assert.rejects(clickhouseEngine.create(ctx), (e: unknown) => e instanceof EngineError && e.code === 'bad-input' && /must be Memory or MergeTree, got 'Log; DROP TABLE t'/.test(e.message));
  } finally {
    ctx.cleanup();
  }
});

/**
 * A usable server: ENGINEBENCH_CLICKHOUSE_URL, else one started by scripts/clickhouse-server.sh when
 * clickhouse-server is installed. Returns the URL or why there is none.
 */
function findServer(): { url: string; stop?: () => void } | { reason: string } {
  const fromEnv = process.env.ENGINEBENCH_CLICKHOUSE_URL;
  if (fromEnv) return { url: fromEnv };
  const installed = ['/usr/sbin/clickhouse-server', '/usr/bin/clickhouse-server'].some((p) => existsSync(p));
  if (!installed) {
    return { reason: 'no ClickHouse server: set ENGINEBENCH_CLICKHOUSE_URL, or run scripts/clickhouse-server.sh install (Debian clickhouse-server)' };
  }
  const dir = mkdtempSync(join(tmpdir(), 'enginebench-clickhouse-'));
  const env = { ...process.env, ENGINEBENCH_CLICKHOUSE_DIR: dir, ENGINEBENCH_CLICKHOUSE_HTTP_PORT: String(20000 + (process.pid % 10000)) };
  const script = join(import.meta.dirname, '../../scripts/clickhouse-server.sh');
  try {
    const url = execFileSync('bash', [script, 'start'], { env, encoding: 'utf8', timeout: 60_000 }).trim().split('\n').pop()!;
    return {
      url,
      stop: () => {
        execFileSync('bash', [script, 'stop'], { env, timeout: 30_000 });
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    return { reason: `scripts/clickhouse-server.sh start failed: ${String((err as Error).message).split('\n')[0]}` };
  }
}

const server = findServer();
if ('url' in server) {
  defineSuite(`server ${server.url}`, { 'clickhouse-url': server.url });
  // Registered after the suite's own hooks, so engines close (DROP DATABASE) before the server stops.
  if (server.stop) after(server.stop);
} else if (process.env.ENGINEBENCH_REQUIRE_CLICKHOUSE === '1') {
  test('ClickHouse server required (ENGINEBENCH_REQUIRE_CLICKHOUSE=1)', () => assert.fail(server.reason));
} else {
  test('clickhouse engine on a ClickHouse server', (t) => t.skip(server.reason));
}

describe('clickhouse engine: server availability', () => {
  test('available() names an unreachable server URL', async () => {
    const res = await clickhouseEngine.available!({ 'clickhouse-url': 'http://127.0.0.1:9' });
    assert.equal(res.ok, false);
    assert.match((res as { reason: string }).reason, /ClickHouse server at http:\/\/127\.0\.0\.1:9 is unreachable/);
  });
});
