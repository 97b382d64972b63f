// Differential tests: the dataframe (danfo) engine against the DuckDB oracle on random small tables with NULLs
// through random plans (fast-check). Every query scenario at its test size is compared in
// test/conformance/matrix.test.ts.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import fc from 'fast-check';
import type * as arrow from 'apache-arrow';
import { table, col, lit, count, sum, avg, min, max, asc, desc, tableFromRows } from '../../plan/index.ts';
import type { DataFrame } from '../../plan/index.ts';
import type { PlanNode, Schema } from '../../plan/types.ts';
import type { Engine, EngineContext } from '../../engines/engine.ts';
import { dataframeEngine } from '../../engines/dataframe/index.ts';
import { duckdbEngine } from '../../engines/duckdb/index.ts';
import { compareResults } from '../../harness/compare.ts';
import { DEFAULT_SEED } from '../../datasets/dataset.ts';

const dirs: string[] = [];
function context(): EngineContext {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dataframe-conf-'));
  dirs.push(workDir);
  return { workDir, seed: DEFAULT_SEED, now: () => performance.now(), emit: () => {}, options: {}, memoryBudgetBytes: 8 * 1024 ** 3 };
}
after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

async function both(tables: ReadonlyMap<string, arrow.Table>): Promise<{ ours: Engine; oracle: Engine; close: () => Promise<void> }> {
  const ours = await dataframeEngine.create(context());
  const oracle = await duckdbEngine.create(context());
  await ours.load(tables);
  await oracle.load(tables);
  return { ours, oracle, close: async () => { await ours.close(); await oracle.close(); } };
}

async function assertSame(ours: Engine, oracle: Engine, plan: PlanNode, label: string): Promise<void> {
  const expected = await oracle.run(plan);
  const actual = await ours.run(plan);
  const verdict = compareResults(expected, actual, plan);
  assert.ok(verdict.ok, `${label}: ${verdict.ok ? '' : verdict.diff}`);
}

// ---- property tests: random tables with NULLs, random plans ----------------------------------------------------
const S: Schema = [
  { name: 'k', type: 'utf8' },
  { name: 'g', type: 'int32' },
  { name: 'x', type: 'float64' },
  { name: 'n', type: 'int32' },
];
const R: Schema = [
  { name: 'rk', type: 'utf8' },
  { name: 'w', type: 'int32' },
];
const key = fc.option(fc.constantFrom('a', 'b', 'B', '', 'a-b', 'null'), { nil: null, freq: 4 });
const rowArb = fc.record({
  k: key,
  g: fc.option(fc.integer({ min: -2, max: 2 }), { nil: null, freq: 4 }),
  x: fc.option(fc.double({ min: -1e3, max: 1e3, noNaN: true, noDefaultInfinity: true }), { nil: null, freq: 4 }),
  n: fc.option(fc.integer({ min: -50, max: 50 }), { nil: null, freq: 4 }),
});
const rightArb = fc.record({ rk: key, w: fc.option(fc.integer({ min: -9, max: 9 }), { nil: null, freq: 4 }) });

type Build = (t: DataFrame, r: DataFrame) => DataFrame;
const PLANS: readonly [string, Build][] = [
  ['groupBy(k,g) all aggregates', (t) => t.groupBy('k', 'g').agg(count().alias('c'), count('x').alias('cx'), sum('n').alias('sn'), sum('x').alias('sx'), avg('n').alias('an'), min('k').alias('mk'), max('x').alias('mx'))],
  ['groupBy(g) count', (t) => t.groupBy('g').count()],
  ['filter 3VL + arithmetic', (t) => t.filter(col('n').gt(0).or(col('x').lt(0)).and(col('k').neq('a').not().not())).select('k', col('n').divide(col('g')).alias('q'), col('n').mod(col('g')).alias('m'), col('n').multiply(col('g')).plus(1).alias('p'))],
  ['inner join', (t, r) => t.join(r, [['k', 'rk']], 'inner')],
  ['left join + aggregate', (t, r) => t.join(r, [['k', 'rk']], 'left').groupBy('k').agg(sum('w').alias('sw'), count('w').alias('cw'), count().alias('c'))],
  ['sort with NULL placement + limit', (t) => t.orderBy(asc('k', false), desc('n', true), asc('x'), asc('g')).limit(7)],
  ['distinct', (t) => t.select('k', 'g').distinct()],
  ['union then global aggregate', (t) => t.union(t.filter(col('g').isNull())).agg(count().alias('c'), sum('x').alias('s'), min('n').alias('mn'), max('k').alias('mk'))],
];

test('dataframe = duckdb on random tables with NULLs through random plans (fast-check)', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(rowArb, { maxLength: 25 }), fc.array(rightArb, { maxLength: 8 }), fc.constantFrom(...PLANS), async (rows, right, [label, build]) => {
      const tables = new Map([['t', tableFromRows(S, rows)], ['r', tableFromRows(R, right)]]);
      const { ours, oracle, close } = await both(tables);
      try {
        await assertSame(ours, oracle, build(table('t', S), table('r', R)).plan, label);
      } finally {
        await close();
      }
    }),
    { numRuns: 120, seed: DEFAULT_SEED },
  );
});

test('dataframe = duckdb on literals and casts', async () => {
  const { ours, oracle, close } = await both(new Map([['t', tableFromRows(S, [{ k: ' 12 ', g: 1, x: 2.75, n: -3 }, { k: 'x', g: null, x: -2.5, n: 7 }])]]));
  try {
    const t = table('t', S);
    await assertSame(ours, oracle, t.select(col('k').cast('float64').alias('kf'), col('x').cast('int32').alias('xi'), col('n').cast('float64').divide(lit(2)).alias('h')).plan, 'casts');
  } finally {
    await close();
  }
});
