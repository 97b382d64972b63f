// How the runner expands scenarios × sizes × engines into cells before running anything: size selection
// (--sizes, --quick, defaults), per-engine size caps, and cells decided up front (unavailable, unsupported).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ALL_EXPRS, ALL_NODES, type EngineDescriptor } from '../../engines/engine.ts';
import { parseCli } from '../../harness/args.ts';
import { loadCatalog } from '../../harness/catalog.ts';
import { planGroups, sizesFor, type BenchSettings } from '../../harness/runner.ts';
import { findScenario } from '../../scenarios/registry.ts';
import { TEST_EXTENSION } from './run-cli.ts';

function fakeEngine(name: string, extra: Partial<EngineDescriptor> = {}): EngineDescriptor {
  return {
    name,
    models: 'a test double',
    role: 'teaching',
    summary: 'never created: these tests only plan cells',
    supports: { nodes: ALL_NODES, exprs: ALL_EXPRS },
    versions: async () => ({}),
    create: async () => {
      throw new Error('not created when planning');
    },
    ...extra,
  };
}

async function settings(over: Partial<BenchSettings>): Promise<BenchSettings> {
  return {
    catalog: await loadCatalog([TEST_EXTENSION]),
    scenarios: [findScenario('groupby-count')],
    engines: [],
    sizes: null,
    quick: false,
    iterations: 1,
    warmup: 0,
    budgetMs: null,
    seed: 42,
    options: {},
    maxOldSpaceMb: 512,
    outDir: 'unused',
    ...over,
  };
}

test('sizes: the scenario’s bench sizes, the smallest with --quick, or exactly --sizes', () => {
  const s = findScenario('groupby-count');
  assert.deepEqual(sizesFor(s, { sizes: null, quick: false }), [...s.sizes.bench].sort((a, b) => a - b));
  assert.deepEqual(sizesFor(s, { sizes: null, quick: true }), [Math.min(...s.sizes.bench)]);
  assert.deepEqual(sizesFor(s, { sizes: [2000], quick: true }), [2000]);
});

test('sizes: the default suite runs db-benchmark at its larger size only; by name or suite, and --quick, it runs all', () => {
  const q3 = findScenario('dbb-groupby-q3');
  assert.deepEqual(sizesFor(q3, { sizes: null, quick: false, defaultSuite: true }), [1_000_000]);
  assert.deepEqual(sizesFor(q3, { sizes: null, quick: false, defaultSuite: false }), [50_000, 1_000_000]);
  assert.deepEqual(sizesFor(q3, { sizes: null, quick: true, defaultSuite: true }), [50_000]);
  assert.deepEqual(sizesFor(findScenario('dbb-join-q5'), { sizes: null, quick: false, defaultSuite: true }), [250_000]);
  // Scenarios without a narrower default-suite list run all their sizes either way.
  const g = findScenario('groupby-count');
  assert.deepEqual(sizesFor(g, { sizes: null, quick: false, defaultSuite: true }), sizesFor(g, { sizes: null, quick: false }));
});

test('per-engine caps trim default sizes only; budgets scale with rows unless fixed', async () => {
  const duck = (await loadCatalog()).engines.find((e) => e.name === 'duckdb')!;
  const capped = fakeEngine('dataframe'); // groupby-count caps dataframe at 100k in the default bench
  const scenario = findScenario('groupby-count');
  const cap = scenario.sizes.benchCap!.dataframe!;
  const byDefault = await planGroups(await settings({}), [duck, capped]);
  for (const g of byDefault) {
    assert.deepEqual(g.cells.map((c) => c.engine), g.rows > cap ? ['duckdb'] : ['duckdb', 'dataframe'], `rows ${g.rows}`);
    assert.equal(g.cells[0]!.budgetMs, Math.max(30_000, Math.round(g.rows * 0.06)));
  }
  const explicit = await planGroups(await settings({ sizes: [cap * 10], budgetMs: 5000 }), [duck, capped]);
  assert.deepEqual(explicit.map((g) => g.cells.map((c) => [c.engine, c.budgetMs])), [[['duckdb', 5000], ['dataframe', 5000]]]);
});

test('unavailable and unsupported cells are decided without running', async () => {
  const duck = (await loadCatalog()).engines.find((e) => e.name === 'duckdb')!;
  const down = fakeEngine('down', { available: async () => ({ ok: false, reason: 'no server at localhost:8123' }) });
  const noAgg = fakeEngine('no-agg', { supports: { nodes: new Set(['scan']), exprs: ALL_EXPRS } });
  const [group] = await planGroups(await settings({ sizes: [1000] }), [duck, down, noAgg]);
  assert.deepEqual(group!.cells.map((c) => [c.engine, c.decided ?? null]), [
    ['duckdb', null],
    ['down', { kind: 'unavailable', reason: 'no server at localhost:8123' }],
    ['no-agg', { kind: 'unsupported', reason: "no-agg does not support plan node 'aggregate'" }],
  ]);
});

test('custom scenarios expand into their variants; unavailable variants are decided', async () => {
  const catalog = await loadCatalog([TEST_EXTENSION]);
  const custom = catalog.scenarios.find((s) => s.name === 'test-custom-sum')!;
  const [group] = await planGroups(await settings({ catalog, scenarios: [custom], sizes: [10] }), []);
  assert.equal(group!.plan, null);
  assert.deepEqual(group!.cells.map((c) => [c.engine, c.decided?.kind ?? 'run']), [['loop', 'run'], ['off-by-one', 'run'], ['hog', 'run'], ['gpu', 'unavailable']]);
});

test('--variants keeps only the custom variants whose name contains one of the given texts; none is a usage error', async () => {
  const catalog = await loadCatalog([TEST_EXTENSION]);
  const custom = catalog.scenarios.find((s) => s.name === 'test-custom-sum')!;
  const [group] = await planGroups(await settings({ catalog, scenarios: [custom], sizes: [10], variants: ['loop', 'gp'] }), []);
  assert.deepEqual(group!.cells.map((c) => c.engine), ['loop', 'gpu']);
  await assert.rejects(planGroups(await settings({ catalog, scenarios: [custom], sizes: [10], variants: ['nothing'] }), []), /--variants nothing selects none of test-custom-sum's variants: loop, off-by-one, hog, gpu/);
  assert.deepEqual(parseCli(['--variants', 'duckdb/,dag/']).variants, ['duckdb/', 'dag/']);
});

test('--engines also chooses cdc-merge variants (engine/pattern; duckdb-sql is duckdb\'s); olap-load targets are not engines', async () => {
  const catalog = await loadCatalog();
  const cdc = findScenario('cdc-merge');
  const olap = findScenario('olap-load');
  const all = await planGroups(await settings({ catalog, scenarios: [cdc], sizes: [10] }), []);
  assert.ok(all[0]!.cells.some((c) => c.engine.startsWith('dag/')), 'without --engines every variant runs');
  const [duck] = await planGroups(await settings({ catalog, scenarios: [cdc], sizes: [10], chosenEngines: ['duckdb'] }), []);
  const engines = new Set(duck!.cells.map((c) => c.engine.split('/')[0]));
  assert.deepEqual([...engines].sort(), ['duckdb', 'duckdb-sql']);
  const [polars] = await planGroups(await settings({ catalog, scenarios: [cdc], sizes: [10], chosenEngines: ['polars', 'dag'] }), []);
  assert.ok(polars!.cells.length > 0 && polars!.cells.every((c) => /^(polars|dag)\//.test(c.engine)));
  const [loads] = await planGroups(await settings({ catalog, scenarios: [olap], sizes: [10], chosenEngines: ['polars'] }), []);
  const targets = new Set(loads!.cells.map((c) => c.engine.split('/')[0]));
  assert.ok(targets.has('parquet-lake') && targets.has('duckdb-file'), `olap-load keeps its targets: ${[...targets].join(', ')}`);
});
