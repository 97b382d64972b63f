// Differential tests: the DAG engine against the DuckDB oracle — every query scenario at its test size, and
// random small tables with NULLs through random plans (fast-check), once with broadcast joins, once with
// everything shuffled (broadcast threshold 0, 3 shuffle partitions, 3 table partitions) and once with every join
// building on the broadcast LEFT side (unmatched left rows emitted by one extra task).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import type * as arrow from 'apache-arrow';
import { table, col, lit, count, sum, avg, min, max, asc, desc, tableFromRows, when, udf } from '../../plan/index.ts';
import type { DataFrame } from '../../plan/index.ts';
import type { PlanNode, Schema } from '../../plan/types.ts';
import type { Engine } from '../../engines/engine.ts';
import { dagEngine } from '../../engines/dag/index.ts';
import { duckdbEngine } from '../../engines/duckdb/index.ts';
import { compareResults } from '../../harness/compare.ts';
import { SCENARIOS, buildScenarioPlan } from '../../scenarios/registry.ts';
import { findDataset } from '../../datasets/registry.ts';
import { DEFAULT_SEED } from '../../datasets/dataset.ts';
import { testContext, type TestContext } from '../support/engine-context.ts';

const contexts: TestContext[] = [];
let broadcasting: Engine;
let shuffling: Engine;
let buildingLeft: Engine;
let oracle: Engine;
before(async () => {
  const c1 = testContext({ 'dag.workers': 2 });
  const c2 = testContext({ 'dag.workers': 2, 'dag.partitions': 3, 'dag.shufflePartitions': 3, 'dag.broadcastThresholdBytes': 0 });
  const c3 = testContext();
  const c4 = testContext({ 'dag.workers': 2, 'dag.partitions': 3, 'dag.shufflePartitions': 2, 'dag.joinStrategy': 'broadcast-left' });
  contexts.push(c1, c2, c3, c4);
  [broadcasting, shuffling, oracle, buildingLeft] = await Promise.all([dagEngine.create(c1), dagEngine.create(c2), duckdbEngine.create(c3), dagEngine.create(c4)]);
});
after(async () => {
  await Promise.all([broadcasting.close(), shuffling.close(), oracle.close(), buildingLeft.close()]);
  contexts.forEach((c) => c.cleanup());
});

async function assertSame(plan: PlanNode, label: string): Promise<void> {
  const expected = await oracle.run(plan);
  for (const [which, engine] of [['broadcast', broadcasting], ['shuffled', shuffling], ['build-left', buildingLeft]] as const) {
    const actual = await engine.run(plan);
    const verdict = compareResults(expected, actual, plan);
    assert.ok(verdict.ok, `${label} (${which}): ${verdict.ok ? '' : verdict.diff}`);
  }
}

async function loadAll(tables: ReadonlyMap<string, arrow.Table>): Promise<void> {
  await Promise.all([broadcasting.load(tables), shuffling.load(tables), buildingLeft.load(tables), oracle.load(tables)]);
}

for (const scenario of SCENARIOS) {
  if (scenario.kind !== 'query') continue;
  test(`dag = duckdb on scenario ${scenario.name} at ${scenario.sizes.test} rows`, async () => {
    const dataset = findDataset(scenario.data.dataset);
    const params = Object.fromEntries(dataset.params.map((p) => [p.name, scenario.data.params?.[p.name] ?? p.default]));
    const all = dataset.generate(scenario.sizes.test, DEFAULT_SEED, params);
    await loadAll(new Map(scenario.tables.map((name) => [name, all.get(name)!])));
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
  { name: 'b', type: 'bool' },
];
const rightSchema: Schema = [
  { name: 'rk', type: 'utf8' },
  { name: 'label', type: 'utf8' },
  { name: 'w', type: 'int64' },
  { name: 'rg', type: 'int64' },
];

const keyArb = fc.option(fc.constantFrom('a', 'b', 'c', 'd', 'é', '', '\u{1F600}', '\uFF21'), { nil: null, freq: 6 });
const leftRowArb = fc.record({
  k: keyArb,
  g: fc.option(fc.integer({ min: -3, max: 3 }), { nil: null, freq: 6 }),
  v: fc.option(fc.integer({ min: -1000, max: 1000 }), { nil: null, freq: 6 }),
  x: fc.option(fc.double({ min: -100, max: 100, noNaN: true, noDefaultInfinity: true }), { nil: null, freq: 6 }),
  t: fc.option(fc.integer({ min: 1_500_000_000_000, max: 1_600_000_000_000 }), { nil: null, freq: 6 }),
  b: fc.option(fc.boolean(), { nil: null, freq: 6 }),
});
const rightRowArb = fc.record({
  rk: keyArb,
  label: fc.option(fc.string({ maxLength: 4 }), { nil: null, freq: 6 }),
  w: fc.option(fc.bigInt({ min: -(2n ** 40n), max: 2n ** 40n }), { nil: null, freq: 6 }),
  rg: fc.option(fc.bigInt({ min: -3n, max: 3n }), { nil: null, freq: 6 }),
});

const upper = udf((s: string | null) => (s === null ? null : s.toUpperCase()), 'utf8', 'upper');

type PlanMaker = (l: DataFrame, r: DataFrame) => DataFrame;
const plans: readonly [string, PlanMaker][] = [
  ['groupBy k aggs', (l) => l.groupBy('k').agg(count().alias('n'), count('v').alias('nv'), sum('v').alias('s'), avg('x').alias('a'), min('t').alias('lo'), max('k').alias('mk'), min('b').alias('mb'))],
  ['groupBy k,g sum float', (l) => l.groupBy('k', 'g').agg(sum('x').alias('sx'), max('v').alias('mv'))],
  ['groupBy bool and timestamp keys', (l) => l.groupBy('b', 't').agg(count().alias('n'))],
  ['global aggregate', (l) => l.agg(count().alias('n'), sum('v').alias('s'), min('x').alias('mn'), max('k').alias('mk'))],
  ['filter + project arithmetic', (l) => l.filter(col('v').gt(0).or(col('x').lt(lit(0)))).select('k', col('v').multiply(col('g')).alias('vg'), col('v').divide(col('g')).alias('q'), col('v').mod(col('g')).alias('m'), col('x').minus(col('v')).alias('d'))],
  ['three-valued logic', (l) => l.filter(col('b').and(col('v').gt(0)).not().or(col('k').isNull())).select('k', 'b', col('b').or(col('v').lt(0)).alias('o'))],
  ['case, cast, string compare', (l) => l.select(when(col('v').gt(0), col('x')).when(col('g').eq(0), lit(0)).otherwise(lit(null, 'float64')).alias('c'), col('x').cast('int32').alias('xi'), col('v').cast('utf8').alias('vs'), col('k').lt(lit('b')).alias('kl'), col('t').cast('int64').alias('tm'))],
  ['udf in-engine', (l) => l.select(upper('k').alias('uk'), 'v').filter(col('uk').neq(lit('B')))],
  ['inner join', (l, r) => l.join(r, [['k', 'rk']], 'inner')],
  ['inner join on int32 = int64', (l, r) => l.join(r, [['g', 'rg']], 'inner').select('k', 'g', 'label', 'w')],
  ['left join rows', (l, r) => l.join(r, [['k', 'rk']], 'left')],
  ['left join on two keys (int32 = int64)', (l, r) => l.join(r, [['k', 'rk'], ['g', 'rg']], 'left').select('k', 'g', 'v', 'label', 'w')],
  ['left join on unique left keys, group by left, aggregate right (fused on build-left)', (l, r) => l.groupBy('k').agg(max('g').alias('g')).join(r, [['k', 'rk']], 'left').groupBy('g').agg(count().alias('n'), count('w').alias('nw'), sum('w').alias('sw'), avg('w').alias('aw'), min('label').alias('ml'), max('rg').alias('xr'))],
  ['inner join on unique left keys, global aggregate of right', (l, r) => l.groupBy('k').agg(count().alias('c')).join(r, [['k', 'rk']], 'inner').agg(count().alias('n'), sum('w').alias('s'), min('label').alias('ml'))],
  ['left join then aggregate', (l, r) => l.join(r, [['k', 'rk']], 'left').groupBy('label').agg(count().alias('n'), sum('w').alias('sw'))],
  ['join with filters both sides', (l, r) => l.join(r, [['k', 'rk']], 'inner').filter(col('v').gt(0).and(col('w').lt(lit(0n)))).select('k', 'v', 'w')],
  ['sort + limit', (l) => l.orderBy(desc('v'), asc('k')).limit(7)],
  ['sort nulls', (l) => l.orderBy(asc('x', false), desc('k', true))],
  ['distinct', (l) => l.select('k', 'g').distinct()],
  ['latestPerKey', (l) => l.select('k', 't', 'v').latestPerKey(['k'], 't').select('k', 't')],
  ['union then aggregate', (l) => l.select('k', 'v').union(l.select('k', 'g')).groupBy('k').agg(sum('v').alias('s'))],
  ['limit without sort then count', (l) => l.filter(col('v').isNotNull()).limit(1000).agg(count().alias('n'))],
];

for (const [name, make] of plans) {
  test(`dag = duckdb on random tables: ${name}`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(leftRowArb, { maxLength: 60 }), fc.array(rightRowArb, { maxLength: 12 }), async (lrows, rrows) => {
        await loadAll(new Map([['l', tableFromRows(leftSchema, lrows)], ['r', tableFromRows(rightSchema, rrows)]]));
        await assertSame(make(table('l', leftSchema), table('r', rightSchema)).plan, name);
      }),
      { numRuns: 10, seed: 4242 },
    );
  });
}
