// The engine contract on tiny tables, against hand-computed results: every plan node and expression kind, the
// contract's NULL rules (groups, joins, aggregates, division by zero), type widening, NULL placement in sorts, and
// the errors every engine shares. One suite, run on every engine (test/engines/contract.test.ts) and on the
// ClickHouse variants; a plan an engine declares unsupported, or refuses as unsupported when run, is a skip.
import { after, before, describe, test, type TestContext as NodeTestContext } from 'node:test';
import assert from 'node:assert/strict';
import type * as arrow from 'apache-arrow';
import {
  asc, avg, col, count, desc, lit, max, min, outputSchema, sum, table, tableFromRows, tableToRows, timestamp,
  toArrowSchema, udf, when, type DataFrame, type Schema,
} from '../../plan/index.ts';
import { EngineError, unsupportedReason, type Engine, type EngineDescriptor } from '../../engines/engine.ts';
import { testContext, type TestContext } from './engine-context.ts';

export const T: Schema = [
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
export const t = table('t', T);
export const r = table('r', R);
const w = table('w', W);
/** Float keys with both zeros: SQL has -0 = 0, so they are one group, one distinct value, and match in joins. */
const Z: Schema = [
  { name: 'z', type: 'float64' },
  { name: 'n', type: 'int32' },
];
const z = table('z', Z);
/** Text to read, and values to write as text: the contract's text rules (plan/text.ts). */
const X: Schema = [
  { name: 's', type: 'utf8' },
  { name: 'f', type: 'float64' },
  { name: 'ts', type: 'timestamp' },
];
const x = table('x', X);
const TEXTS = [' 12 ', '12.7', '-12.5', '1e3', '+5', '.5', '0x10', '', 'abc', '1_000', 'Infinity', '1e999', ' true', 'T', 'yes', 'No', '1', '0',
  '2020-01-02', '2020-01-02 03:04', '2020-01-02T03:04:05.6789Z', '2021-02-30', '2020-01-02 24:00', '99999999999', '-0', '+y', '-9223372036854776000'];
// (The smallest normal double, not a subnormal one: the 18.16 server's parser reads subnormals as 0.)
const FLOATS = [0.1, 1, 100, 1e21, 1e20, 1e-7, 1.5e-5, 1.5e15, 2 ** 60, -2.5, 0.0001, 1e16, -0, 1 / 3, -1.25e-10, 123e18, 2.2250738585072014e-308];
const STAMPS = [10, 100, 0, -1, 1234, 1_700_000_000_120, 60_000, -86_400_000, 253402300799999];

export const CONTRACT_TABLES = new Map<string, arrow.Table>([
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
  ['x', tableFromRows(X, Array.from({ length: Math.max(TEXTS.length, FLOATS.length, STAMPS.length) }, (_, i) => ({
    s: TEXTS[i] ?? null, f: FLOATS[i] ?? null, ts: STAMPS[i] ?? null,
  })))],
  ['z', tableFromRows(Z, [
    { z: 0, n: 1 },
    { z: -0, n: 2 },
    { z: null, n: 3 },
    { z: 1.5, n: 4 },
  ])],
]);

export type Row = Record<string, unknown>;
const key = (row: Row): string => JSON.stringify(row, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));
const sorted = (rows: Row[]): string[] => rows.map(key).sort();

/** What a suite's caller gets to add its engine's own tests on the same loaded engine. */
export interface ContractHarness {
  /** The engine the suite loaded CONTRACT_TABLES into (open from the scope's `before` to its `after`). */
  engine(): Engine;
  /** Run `df`, check the result has exactly the plan's schema (names, order, Arrow types), return its rows. */
  run(df: DataFrame): Promise<Row[]>;
  /** The rows of `df`, in any order, are `expected`. */
  expectRows(df: DataFrame, expected: Row[]): Promise<void>;
}

/** Thrown by a check whose plan the engine does not run: the test is then marked skipped, not failed. */
const UNSUPPORTED = Symbol('unsupported');

/**
 * Registers, in the current scope, hooks that create `descriptor`'s engine with `options` and load CONTRACT_TABLES
 * into it (closed by the scope's `after`); for an engine's own tests on the contract's tables.
 * @example const h = loadedEngine(polarsEngine); test('explain', async () => (await h.engine().explain(t.plan)));
 */
export function loadedEngine(descriptor: EngineDescriptor, options: Record<string, string> = {}): ContractHarness {
  const h = checkedRunner(descriptor, options);
  return { engine: h.engine, run: (df) => h.run(df), expectRows: (df, expected) => h.expectRows(df, expected) };
}

function checkedRunner(descriptor: EngineDescriptor, options: Record<string, string>) {
  let ctx: TestContext;
  let engine: Engine;
  before(async () => {
    ctx = testContext(options);
    engine = await descriptor.create(ctx);
    await engine.load(CONTRACT_TABLES);
  });
  after(async () => {
    await engine.close();
    ctx.cleanup();
  });

  /** Run `df`; with `node`, a plan the engine does not run marks that test skipped (and throws UNSUPPORTED). */
  async function run(df: DataFrame, node?: NodeTestContext): Promise<Row[]> {
    const reason = unsupportedReason(descriptor, df.plan);
    if (reason && node) {
      node.skip(`unsupported: ${reason}`);
      throw UNSUPPORTED;
    }
    let result: arrow.Table;
    try {
      result = await engine.run(df.plan);
    } catch (err) {
      // A refusal that depends on the options (ClickHouse on a server has no JavaScript UDFs) is a skip too.
      if (node && err instanceof EngineError && err.code === 'unsupported') {
        node.skip(`unsupported when run: ${err.message}`);
        throw UNSUPPORTED;
      }
      throw err;
    }
    assert.deepEqual(
      result.schema.fields.map((f) => `${f.name}:${f.type}`),
      toArrowSchema(outputSchema(df.plan)).fields.map((f) => `${f.name}:${f.type}`),
    );
    return tableToRows(result);
  }
  return {
    engine: () => engine,
    run,
    expectRows: async (df: DataFrame, expected: Row[], node?: NodeTestContext) => assert.deepEqual(sorted(await run(df, node)), sorted(expected)),
    expectOrdered: async (df: DataFrame, expected: Row[], node?: NodeTestContext) => assert.deepEqual((await run(df, node)).map(key), expected.map(key)),
  };
}

/**
 * Registers, in the current scope, the engine's hooks (as `loadedEngine`) and the contract's tests under `label`;
 * returns the loaded engine for the caller's own tests.
 * @example describe('dag', () => contractSuite('dag', dagEngine));
 */
export function contractSuite(label: string, descriptor: EngineDescriptor, options: Record<string, string> = {}): ContractHarness {
  const runner = checkedRunner(descriptor, options);
  const engine = (): Engine => runner.engine();

  /** The checks a contract test gets: run, expectRows and expectOrdered, skipping the test on an unsupported plan. */
  const checks = (node: NodeTestContext) => ({
    run: (df: DataFrame) => runner.run(df, node),
    expectRows: (df: DataFrame, expected: Row[]) => runner.expectRows(df, expected, node),
    expectOrdered: (df: DataFrame, expected: Row[]) => runner.expectOrdered(df, expected, node),
  });
  type Checks = ReturnType<typeof checks>;
  const contractTest = (name: string, body: (c: Checks) => Promise<void>): void => {
    test(name, async (node) => {
      try {
        await body(checks(node));
      } catch (err) {
        if (err !== UNSUPPORTED) throw err;
      }
    });
  };

  describe(`${label}: plan nodes`, () => {
    contractTest('scan returns the loaded table with its exact types and NULLs', async ({ expectRows }) => {
      await expectRows(t, tableToRows(CONTRACT_TABLES.get('t')!));
    });

    contractTest('project: select, withColumn, rename, drop', async ({ expectRows }) => {
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

    contractTest('an output name may be an input name that another column reads: project, aggregate, union (no alias capture)', async ({ expectRows }) => {
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

    contractTest('filter keeps only rows whose predicate is TRUE (NULL drops)', async ({ expectRows }) => {
      await expectRows(t.filter(col('a').gt(0)).select('k', 'a'), [
        { k: 'x', a: 1 },
        { k: null, a: 3 },
      ]);
    });

    contractTest('aggregate: NULL keys form one group; aggregates skip NULLs; types widen', async ({ expectRows }) => {
      await expectRows(
        t.groupBy('k').agg(count().alias('n'), count('a').alias('na'), sum('a').alias('s'), avg('f').alias('m'), min('ts').alias('first'), max('a').alias('hi')),
        [
          { k: 'x', n: 2n, na: 1n, s: 1n, m: 2, first: 1000, hi: 1 },
          { k: 'y', n: 1n, na: 1n, s: -7n, m: 0, first: 4000, hi: -7 },
          { k: null, n: 2n, na: 2n, s: 3n, m: -1.25, first: 5000, hi: 3 },
        ],
      );
    });

    contractTest('aggregate: sum/avg/min/max of nothing are NULL, count is 0, global aggregate yields one row', async ({ expectRows }) => {
      await expectRows(
        t.filter(col('a').gt(100)).agg(count().alias('n'), count('a').alias('na'), sum('a').alias('s'), sum('f').alias('sf'), avg('a').alias('m'), min('k').alias('lo'), max('ts').alias('hi')),
        [{ n: 0n, na: 0n, s: null, sf: null, m: null, lo: null, hi: null }],
      );
      // A group whose values are all NULL: sum is NULL, not 0.
      await expectRows(t.filter(col('k').eq('x').and(col('a').isNull())).groupBy('k').agg(sum('a').alias('s'), count('a').alias('c')), [
        { k: 'x', s: null, c: 0n },
      ]);
    });

    contractTest('min and max of timestamps before and after 1970, in groups, on every run (JIT-compiled ones too)', async ({ expectRows }) => {
      const df = x.withColumn('has', col('ts').isNotNull()).groupBy('has').agg(min('ts').alias('lo'), max('ts').alias('hi'), min('f').alias('flo'));
      // ClickHouse compiles an aggregate from its third run on; the fourth must still be right.
      for (let run = 0; run < 4; run++) {
        await expectRows(df, [
          { has: true, lo: -86_400_000, hi: 253402300799999, flo: 1e-7 },
          { has: false, lo: null, hi: null, flo: -2.5 },
        ]);
      }
    });

    contractTest('inner join never matches NULL keys; output is left columns then right non-key columns', async ({ expectRows, run }) => {
      await expectRows(t.join(r, [['k', 'rk']]).select('k', 'a', 'name'), [
        { k: 'x', a: 1, name: 'X' },
        { k: 'x', a: null, name: 'X' },
        { k: 'y', a: -7, name: 'Y' },
      ]);
      const joined = t.join(r, [['k', 'rk']]);
      assert.deepEqual(joined.columns, ['k', 'a', 'f', 'ts', 'flag', 'name']);
      assert.equal((await run(joined)).length, 3);
    });

    contractTest('left join keeps unmatched and NULL-keyed left rows with NULL right columns', async ({ expectRows }) => {
      await expectRows(t.join(r, [['k', 'rk']], 'left').select('k', 'a', 'name'), [
        { k: 'x', a: 1, name: 'X' },
        { k: 'x', a: null, name: 'X' },
        { k: null, a: 3, name: null },
        { k: 'y', a: -7, name: 'Y' },
        { k: null, a: 0, name: null },
      ]);
    });

    contractTest('join keys of different integer types (int32 = int64) match numerically and keep the left type', async ({ expectRows }) => {
      await expectRows(t.join(w, [['a', 'wk']]).select('a', 'w'), [
        { a: 1, w: 'one' },
        { a: 3, w: 'three' },
        { a: 3, w: 'drei' },
      ]);
    });

    contractTest('sort honours direction and NULL placement per key', async ({ run, expectOrdered }) => {
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

    contractTest('limit takes the first n rows of a sorted input; limit 0 is empty', async ({ expectOrdered, run }) => {
      await expectOrdered(t.orderBy(desc('f')).limit(2).select('f'), [{ f: 2.5 }, { f: 1.5 }]);
      assert.equal((await run(t.limit(0))).length, 0);
    });

    contractTest('union all keeps duplicates and takes names from the first input', async ({ expectRows }) => {
      await expectRows(t.select('k').union(r.select('rk')), [
        { k: 'x' }, { k: 'x' }, { k: null }, { k: 'y' }, { k: null },
        { k: 'x' }, { k: 'y' }, { k: null }, { k: 'z' },
      ]);
    });

    contractTest('distinct treats NULLs as equal', async ({ expectRows }) => {
      await expectRows(t.select('k').distinct(), [{ k: 'x' }, { k: 'y' }, { k: null }]);
    });

    contractTest('float keys: -0 equals 0 in groups, distinct, joins and latestPerKey', async ({ expectRows }) => {
      // JSON writes -0 as 0, so either zero may come back as the key; the counts are what differ when they split.
      await expectRows(z.groupBy('z').agg(count().alias('c')), [{ z: 0, c: 2n }, { z: null, c: 1n }, { z: 1.5, c: 1n }]);
      await expectRows(z.select('z').distinct().agg(count().alias('c')), [{ c: 3n }]);
      await expectRows(z.join(z.select(col('z').alias('y'), col('n').alias('m')), [['z', 'y']]).agg(count().alias('c')), [{ c: 5n }]);
      await expectRows(z.latestPerKey(['z'], 'n').select('n'), [{ n: 2 }, { n: 3 }, { n: 4 }]);
    });

    contractTest('latestPerKey keeps the greatest orderBy per key; NULL orderBy loses; NULL keys are one key', async ({ expectRows }) => {
      await expectRows(t.latestPerKey(['k'], 'ts').select('k', 'a', 'ts'), [
        { k: 'x', a: null, ts: 2000 },
        { k: 'y', a: -7, ts: 4000 },
        { k: null, a: 0, ts: 5000 },
      ]);
    });
  });

  describe(`${label}: expressions`, () => {
    contractTest('arithmetic: int64 widening, true division, division and modulo by zero are NULL, % has the dividend sign', async ({ expectRows }) => {
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

    contractTest('an int64 compared with a float64 is compared as doubles, as SQL does (2^53 + 1 = 2^53.0)', async ({ expectRows }) => {
      const big = col('wk').plus(lit(2n ** 53n, 'int64'));
      const two53 = lit(2 ** 53, 'float64');
      await expectRows(w.select(col('wk'), big.eq(two53).alias('e'), big.gt(two53).alias('g')), [
        { wk: 1n, e: true, g: false },
        { wk: 3n, e: false, g: true },
        { wk: 3n, e: false, g: true },
      ]);
    });

    contractTest('comparison, three-valued and/or/not, IS NULL', async ({ expectRows }) => {
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

    contractTest('cast: float → int truncates toward zero, timestamp ↔ int64 is ms, unparsable string is NULL', async ({ expectRows }) => {
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

    contractTest('cast: blanks around a number are ignored; a value out of the target type\'s range is NULL', async ({ expectRows }) => {
      await expectRows(
        r.filter(col('rk').eq('x')).select(
          lit(' 12 ').cast('int32').alias('i'),
          lit(' -2.5').cast('float64').alias('f'),
          lit(3e9, 'float64').cast('int32').alias('big'),
          lit(-1e19, 'float64').cast('int64').alias('huge'),
          lit(2147483647.9, 'float64').cast('int32').alias('edge'),
        ),
        [{ i: 12, f: -2.5, big: null, huge: null, edge: 2147483647 }],
      );
      // The same on column values, which no engine can fold at planning time.
      await expectRows(t.filter(col('k').eq('y')).select(col('a').multiply(lit(1e9, 'float64')).cast('int32').alias('big')), [{ big: null }]);
    });

    contractTest('cast from text: numbers, booleans and timestamps as the contract reads them (plan/text.ts)', async ({ run }) => {
      const rows = await run(x.filter(col('s').isNotNull()).select('s', col('s').cast('int32').alias('i'), col('s').cast('int64').alias('l'), col('s').cast('float64').alias('f'),
        col('s').cast('bool').alias('b'), col('s').cast('timestamp').alias('t')));
      const got = new Map(rows.map((row) => [row.s as string, [row.i, row.l, row.f, row.b, row.t]]));
      const expected: Record<string, unknown[]> = {
        ' 12 ': [12, 12n, 12, null, null], '12.7': [12, 12n, 12.7, null, null], '-12.5': [-12, -12n, -12.5, null, null],
        '1e3': [1000, 1000n, 1000, null, null], '+5': [5, 5n, 5, null, null], '.5': [0, 0n, 0.5, null, null],
        '0x10': [null, null, null, null, null], '': [null, null, null, null, null], 'abc': [null, null, null, null, null],
        '1_000': [null, null, null, null, null], 'Infinity': [null, null, null, null, null], '1e999': [null, null, null, null, null],
        ' true': [null, null, null, true, null], 'T': [null, null, null, true, null], 'yes': [null, null, null, true, null],
        'No': [null, null, null, false, null], '1': [1, 1n, 1, true, null], '0': [0, 0n, 0, false, null],
        '2020-01-02': [null, null, null, null, Date.UTC(2020, 0, 2)], '2020-01-02 03:04': [null, null, null, null, Date.UTC(2020, 0, 2, 3, 4)],
        '2020-01-02T03:04:05.6789Z': [null, null, null, null, Date.UTC(2020, 0, 2, 3, 4, 5, 678)], '2021-02-30': [null, null, null, null, null],
        '2020-01-02 24:00': [null, null, null, null, null], '99999999999': [null, 99999999999n, 99999999999, null, null], '-0': [0, 0n, 0, null, null],
        '+y': [null, null, null, null, null], '-9223372036854776000': [null, null, -9223372036854776000, null, null],
      };
      for (const [text, want] of Object.entries(expected)) assert.deepEqual(got.get(text)?.map((v) => (v === 0 ? 0 : v)), want, JSON.stringify(text));
    });

    contractTest('cast to text: floats and timestamps as the contract writes them (DuckDB\'s text)', async ({ run }) => {
      const rows = await run(x.select(col('f').cast('utf8').alias('fs'), col('ts').cast('utf8').alias('tss'), col('f').alias('fv'), col('ts').alias('tsv')));
      const floats = new Map(rows.filter((row) => row.fv !== null).map((row) => [Object.is(row.fv, -0) ? '-0' : String(row.fv), row.fs]));
      assert.deepEqual(FLOATS.map((v) => floats.get(Object.is(v, -0) ? '-0' : String(v))), [
        '0.1', '1.0', '100.0', '1e+21', '1e+20', '1e-07', '1.5e-05', '1500000000000000.0', '1.152921504606847e+18', '-2.5', '0.0001', '1e+16',
        '-0.0', '0.3333333333333333', '-1.25e-10', '1.23e+20', '2.2250738585072014e-308',
      ]);
      const stamps = new Map(rows.filter((row) => row.tsv !== null).map((row) => [row.tsv, row.tss]));
      assert.deepEqual(STAMPS.map((v) => stamps.get(v)), [
        '1970-01-01 00:00:00.01', '1970-01-01 00:00:00.1', '1970-01-01 00:00:00', '1969-12-31 23:59:59.999', '1970-01-01 00:00:01.234',
        '2023-11-14 22:13:20.12', '1970-01-01 00:01:00', '1969-12-31 00:00:00', '9999-12-31 23:59:59.999',
      ]);
    });

    contractTest('CASE WHEN: first TRUE branch wins, a NULL condition falls through, branches widen to a common type', async ({ expectRows }) => {
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

    contractTest('UDFs run per row with contract JS values, also inside filters and aggregates', async ({ expectRows }) => {
      const upper = udf((s: string | null) => (s === null ? null : s.toUpperCase()), 'utf8', 'upper');
      const addMs = udf((ts: number | null, a: number | null) => (ts === null || a === null ? null : BigInt(ts + a)), 'int64', 'add_ms');
      await expectRows(t.select(upper('k').alias('K'), addMs('ts', 'a').alias('x')), [
        { K: 'X', x: 1001n },
        { K: 'X', x: null },
        { K: null, x: null },
        { K: 'Y', x: 3993n },
        { K: null, x: 5000n },
      ]);
      await expectRows(t.filter(upper('k').eq('X')).groupBy('k').agg(count().alias('n')), [{ k: 'x', n: 2n }]);
      await expectRows(t.groupBy('k').agg(max(upper('k')).alias('top')), [
        { k: 'x', top: 'X' },
        { k: 'y', top: 'Y' },
        { k: null, top: null },
      ]);
    });
  });

  describe(`${label}: errors and metrics`, () => {
    test('a table that is not loaded is a bad-input EngineError naming the loaded tables', async () => {
      await assert.rejects(engine().run(table('nope', T).plan), (err: unknown) =>
        err instanceof EngineError && err.code === 'bad-input' && /table 'nope' is not loaded; loaded tables: t, r, w/.test(err.message));
    });

    contractTest('metrics count the rows scanned and returned', async ({ run }) => {
      await run(t.join(r, [['k', 'rk']]));
      const m = engine().metrics();
      assert.equal(m.rowsIn, 9);
      assert.equal(m.rowsOut, 3);
    });

    test('a closed engine refuses to run', async () => {
      const c = testContext(options);
      const e = await descriptor.create(c);
      await e.close();
      await assert.rejects(e.run(t.plan), (err: unknown) => err instanceof EngineError && /closed/.test(err.message));
      c.cleanup();
    });
  });

  return { engine, run: (df) => runner.run(df), expectRows: (df, expected) => runner.expectRows(df, expected) };
}
