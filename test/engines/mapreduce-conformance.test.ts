// Differential tests: the MapReduce engine against the DuckDB oracle — every query scenario at its test size
// (with small blocks and a small sort buffer so jobs have many map tasks and spills), and random small tables
// with NULLs through random plans (fast-check).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import type * as arrow from 'apache-arrow';
import { table, col, lit, count, sum, avg, min, max, asc, desc, tableFromRows } from '../../plan/index.ts';
import type { DataFrame } from '../../plan/index.ts';
import type { PlanNode, Schema } from '../../plan/types.ts';
import type { Engine } from '../../engines/engine.ts';
import { mapreduceEngine } from '../../engines/mapreduce/index.ts';
import { duckdbEngine } from '../../engines/duckdb/index.ts';
import { compareResults } from '../../harness/compare.ts';
import { SCENARIOS, buildScenarioPlan } from '../../scenarios/registry.ts';
import { findDataset } from '../../datasets/registry.ts';
import { DEFAULT_SEED } from '../../datasets/dataset.ts';
import { testContext, type TestContext } from '../support/engine-context.ts';

const contexts: TestContext[] = [];
let ours: Engine;
let oracle: Engine;
before(async () => {
  const c1 = testContext({ 'mapreduce.blockSize': 32 * 1024, 'mapreduce.sortBufferBytes': 64 * 1024, 'mapreduce.reducers': 3 });
  const c2 = testContext();
  contexts.push(c1, c2);
  ours = await mapreduceEngine.create(c1);
  oracle = await duckdbEngine.create(c2);
});
after(async () => {
  await ours.close();
  await oracle.close();
  contexts.forEach((c) => c.cleanup());
});

async function assertSame(plan: PlanNode, label: string): Promise<void> {
  const expected = await oracle.run(plan);
  const actual = await ours.run(plan);
  const verdict = compareResults(expected, actual, plan);
  assert.ok(verdict.ok, `${label}: ${verdict.ok ? '' : verdict.diff}`);
}

async function loadBoth(tables: ReadonlyMap<string, arrow.Table>): Promise<void> {
  await ours.load(tables);
  await oracle.load(tables);
}

for (const scenario of SCENARIOS) {
  if (scenario.kind !== 'query') continue;
  test(`mapreduce = duckdb on scenario ${scenario.name} at ${scenario.sizes.test} rows`, async () => {
    const dataset = findDataset(scenario.data.dataset);
    const params = Object.fromEntries(dataset.params.map((p) => [p.name, scenario.data.params?.[p.name] ?? p.default]));
    const all = dataset.generate(scenario.sizes.test, DEFAULT_SEED, params);
    await loadBoth(new Map(scenario.tables.map((name) => [name, all.get(name)!])));
    await assertSame(buildScenarioPlan(scenario).plan, scenario.name);
  });
}

// ---- property tests: random tables with NULLs, random plans ----------------------------------------------------

const leftSchema: Schema = [
  { name: 'k', type: 'utf8' },
  { name: 'g', type: 'int32' },
  { name: 'v', type: 'int32' },
  { name: 'x', type: 'float64' },
  { name: 't', type: 'timestamp' },
];
const rightSchema: Schema = [
  { name: 'rk', type: 'utf8' },
  { name: 'label', type: 'utf8' },
  { name: 'w', type: 'int64' },
];

const keyArb = fc.option(fc.constantFrom('a', 'b', 'c', 'd', 'é', ''), { nil: null, freq: 6 });
const leftRowArb = fc.record({
  k: keyArb,
  g: fc.option(fc.integer({ min: -3, max: 3 }), { nil: null, freq: 6 }),
  v: fc.option(fc.integer({ min: -1000, max: 1000 }), { nil: null, freq: 6 }),
  x: fc.option(fc.oneof({ weight: 9, arbitrary: fc.double({ min: -100, max: 100, noNaN: true }) }, { weight: 1, arbitrary: fc.constant(Number.NaN) }), { nil: null, freq: 6 }),
  t: fc.option(fc.integer({ min: 1_500_000_000_000, max: 1_600_000_000_000 }), { nil: null, freq: 6 }),
});
const rightRowArb = fc.record({
  rk: keyArb,
  label: fc.option(fc.string({ maxLength: 4 }), { nil: null, freq: 6 }),
  w: fc.option(fc.bigInt({ min: -(2n ** 40n), max: 2n ** 40n }), { nil: null, freq: 6 }),
});

type PlanMaker = (l: DataFrame, r: DataFrame) => DataFrame;
const plans: readonly [string, PlanMaker][] = [
  ['groupBy k aggs', (l) => l.groupBy('k').agg(count().alias('n'), count('v').alias('nv'), sum('v').alias('s'), avg('x').alias('a'), min('t').alias('lo'), max('k').alias('mk'))],
  ['groupBy k,g sum float', (l) => l.groupBy('k', 'g').agg(sum('x').alias('sx'), max('v').alias('mv'))],
  ['global aggregate', (l) => l.agg(count().alias('n'), sum('v').alias('s'), min('x').alias('mn'))],
  ['filter + project arithmetic', (l) => l.filter(col('v').gt(0).or(col('x').lt(lit(0)))).select('k', col('v').multiply(col('g')).alias('vg'), col('v').divide(col('g')).alias('q'), col('v').mod(col('g')).alias('m'))],
  ['inner join', (l, r) => l.join(r, [['k', 'rk']], 'inner')],
  ['left join then aggregate', (l, r) => l.join(r, [['k', 'rk']], 'left').groupBy('label').agg(count().alias('n'), sum('w').alias('sw'))],
  ['sort + limit', (l) => l.orderBy(desc('v'), asc('k')).limit(7)],
  ['sort nulls', (l) => l.orderBy(asc('x', false), desc('k', true))],
  ['distinct', (l) => l.select('k', 'g').distinct()],
  ['NaN: group, compare, min/max, sort', (l) => l.filter(col('x').ge(lit(0)).or(col('x').isNull())).groupBy('x').agg(count().alias('n'), max('x').alias('mx')).orderBy(desc('x'))],
  ['latestPerKey', (l) => l.select('k', 't').latestPerKey(['k'], 't')],
  ['union then aggregate', (l) => l.select('k', 'v').union(l.select('k', 'g')).groupBy('k').agg(sum('v').alias('s'))],
];

for (const [name, make] of plans) {
  test(`mapreduce = duckdb on random tables: ${name}`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(leftRowArb, { maxLength: 60 }), fc.array(rightRowArb, { maxLength: 12 }), async (lrows, rrows) => {
        await loadBoth(new Map([['l', tableFromRows(leftSchema, lrows)], ['r', tableFromRows(rightSchema, rrows)]]));
        await assertSame(make(table('l', leftSchema), table('r', rightSchema)).plan, name);
      }),
      { numRuns: 8, seed: 20240611 },
    );
  });
}
