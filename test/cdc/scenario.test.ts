// The cdc-merge custom scenario end to end at its test size: variants from the registry, every pattern's cell on
// DuckDB checks itself after every batch and reports row counts and the merge-vs-reload series.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cdcMergeEntry } from '../../scenarios/cdc/registered.ts';
import { ENGINES } from '../../engines/registry.ts';
import { duckdbEngine } from '../../engines/duckdb/index.ts';
import { CHANGE_FRACTIONS, CROSSOVER_MIN_ROWS, cdcMergeScenario, CROSSOVER_SERIES, CROSSOVER_VARIANTS, crossoverPercent, describeCrossover, WRITTEN_SERIES, type CrossoverPoint } from '../../scenarios/cdc/merge-scenario.ts';

// The entry the registry lists (its code imported lazily) behaves as the scenario itself.
const registered = cdcMergeEntry;
// The registered scenario measures the crossover on at least CROSSOVER_MIN_ROWS rows; tests keep the cell's size.
const scenario = cdcMergeScenario(ENGINES, duckdbEngine, registered.sizes, 0);

test('the registered cdc-merge measures its crossover on at least CROSSOVER_MIN_ROWS rows, and says so', async () => {
  assert.equal(CROSSOVER_MIN_ROWS, 50_000);
  const workDir = mkdtempSync(join(tmpdir(), 'enginebench-cdc-'));
  try {
    const r = await registered.runCell('duckdb/truncate-reload', 100, { workDir, seed: 42, iterations: 1, options: { threads: 1 }, now: () => performance.now(), loadDataset: async () => new Map() });
    assert.ok(r.metrics.notes!.some((n) => n.includes('a freshly seeded 50,000-row target per change fraction')), r.metrics.notes!.join('\n'));
    assert.ok(r.series![WRITTEN_SERIES]!.every((p) => p.y >= 50_000));
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
});

test('cdc-merge lists <engine>/<pattern> variants for every registry engine, DuckDB first', async () => {
  const variants = await registered.variants({});
  assert.deepEqual(variants.slice(0, 4).map((v) => v.name), ['duckdb/merge-hard-delete', 'duckdb/merge-soft-delete', 'duckdb/insert-only-history', 'duckdb/truncate-reload']);
  assert.ok(variants.every((v) => v.available || (v.reason && v.reason.length > 0)));
  assert.deepEqual(variants.filter((v) => v.name.startsWith('duckdb-sql/')).map((v) => [v.name, v.available]), [['duckdb-sql/merge-hard-delete', true], ['duckdb-sql/merge-soft-delete', true]]);
});

for (const variant of ['duckdb/merge-hard-delete', 'duckdb/truncate-reload', 'duckdb-sql/merge-hard-delete'] as const) {
  test(`cdc-merge ${variant}: checks pass, counts and crossover series are reported`, async () => {
    const workDir = mkdtempSync(join(tmpdir(), 'enginebench-cdc-'));
    try {
      const r = await scenario.runCell(variant, scenario.sizes.test, { workDir, seed: 42, iterations: 1, options: { threads: 1 }, now: () => performance.now(), loadDataset: async () => new Map() });
      assert.deepEqual(r.check, { ok: true });
      assert.equal(r.samplesMs.length, 4);
      assert.deepEqual(r.series![CROSSOVER_SERIES]!.map((p) => p.x), CHANGE_FRACTIONS.map((f) => f * 100));
      assert.ok(r.series![CROSSOVER_SERIES]!.every((p) => p.y > 0));
      // A plan rewrites the whole table at every fraction; the in-place MERGE writes about one row per changed key.
      const written = r.series![WRITTEN_SERIES]!.map((p) => p.y);
      if (variant.startsWith('duckdb-sql')) assert.ok(written[0]! < written[written.length - 1]! && written[0]! <= 10, written.join());
      else assert.ok(written.every((w) => w >= 900), written.join());
      const c = r.metrics.counters;
      assert.ok(c['inserted']! > 0 && c['updated']! > 0 && c['deleted']! > 0 && c['rewritten']! > 0, JSON.stringify(c));
      if (variant.startsWith('duckdb-sql')) assert.ok(r.metrics.notes!.some((n) => /^vs duckdb\/truncate-reload timed in this cell: (merge|reload) cheaper/.test(n)), r.metrics.notes!.join('\n'));
    } finally {
      rmSync(workDir, { recursive: true, force: true });
    }
  });
}

test('cells of one run share the reference states through sharedDir: the first writes them, later cells check against what they read', async () => {
  const workDir = mkdtempSync(join(tmpdir(), 'enginebench-cdc-'));
  const sharedDir = join(workDir, 'shared');
  try {
    const ctx = { ...ctxWith(join(workDir, 'cell'), { threads: 1, 'cdc.crossover': 'none' }), sharedDir };
    const first = await scenario.runCell('duckdb/merge-soft-delete', 200, ctx);
    assert.deepEqual(first.check, { ok: true });
    const [dir] = readdirSync(join(sharedDir, 'cdc-reference'));
    assert.match(dir!, /^duckdb\.merge-soft-delete\.200\.42\./);
    const files = join(sharedDir, 'cdc-reference', dir!);
    assert.deepEqual(readdirSync(files).sort(), ['0.arrow', '1.arrow', '2.arrow', '3.arrow', 'complete']);
    // Another engine's cell reads them: a wrong reference state (batch 2's replaced by batch 1's) fails it there.
    const polarsOk = await scenario.runCell('polars/merge-soft-delete', 200, ctx);
    assert.deepEqual(polarsOk.check, { ok: true });
    copyFileSync(join(files, '0.arrow'), join(files, '1.arrow'));
    const misled = await scenario.runCell('polars/merge-soft-delete', 200, ctx);
    assert.equal(misled.check.ok, false);
    assert.match((misled.check as { detail: string }).detail, /merge-soft-delete state after batch 2 vs duckdb/);
    // Without the completion marker the folder is not trusted: the states are computed again (and rewritten).
    rmSync(join(files, 'complete'));
    assert.deepEqual((await scenario.runCell('polars/merge-soft-delete', 200, ctx)).check, { ok: true });
    assert.ok(existsSync(join(files, 'complete')));
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
});

test('an unknown variant is a one-line error listing the valid shapes', async () => {
  await assert.rejects(scenario.runCell('nope/merge', 10, { workDir: tmpdir(), seed: 1, iterations: 1, options: {}, now: () => 0, loadDataset: async () => new Map() }), /unknown cdc-merge variant 'nope\/merge'; expected <engine>\/<pattern>/);
});

const ctxWith = (workDir: string, options: Record<string, string | number | boolean>) => ({ workDir, seed: 42, iterations: 1, options, now: () => performance.now(), loadDataset: async () => new Map() });

test('the crossover series is measured only by the DuckDB crossover variants unless cdc.crossover=all, not in a smoke run; a bad value is a one-line error', async () => {
  const variant = 'duckdb/insert-only-history';
  assert.ok(!CROSSOVER_VARIANTS.includes(variant));
  const workDir = mkdtempSync(join(tmpdir(), 'enginebench-cdc-'));
  try {
    const plain = await scenario.runCell(variant, 200, ctxWith(workDir, { threads: 1 }));
    assert.deepEqual(plain.check, { ok: true });
    assert.equal(plain.series![CROSSOVER_SERIES], undefined);
    assert.ok(plain.metrics.notes!.some((n) => n.includes('cdc.crossover=all')));
    const all = await scenario.runCell(variant, 200, ctxWith(workDir, { threads: 1, 'cdc.crossover': 'all' }));
    assert.equal(all.series![CROSSOVER_SERIES]!.length, CHANGE_FRACTIONS.length);
    const none = await scenario.runCell('duckdb/truncate-reload', 200, ctxWith(workDir, { threads: 1, 'cdc.crossover': 'none' }));
    assert.equal(none.series![CROSSOVER_SERIES], undefined);
    // A smoke run (--quick) skips it even for a crossover variant, and says how to ask for it; the option wins.
    const smoke = await scenario.runCell('duckdb/truncate-reload', 200, { ...ctxWith(workDir, { threads: 1 }), smoke: true });
    assert.deepEqual(smoke.check, { ok: true });
    assert.equal(smoke.series![CROSSOVER_SERIES], undefined);
    assert.ok(smoke.metrics.notes!.some((n) => n.includes('not measured in a --quick run')));
    const asked = await scenario.runCell('duckdb/truncate-reload', 200, { ...ctxWith(workDir, { threads: 1, 'cdc.crossover': 'default' }), smoke: true });
    assert.equal(asked.series![CROSSOVER_SERIES]!.length, CHANGE_FRACTIONS.length);
    await assert.rejects(scenario.runCell(variant, 200, ctxWith(workDir, { 'cdc.crossover': 'some' })), /option cdc.crossover must be default, all or none, got 'some'/);
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
});

test('crossoverPercent interpolates in log(change %) where merge stops being cheaper; describeCrossover says who wins', () => {
  const line = (ms: number[]): CrossoverPoint[] => ms.map((m, i) => ({ percent: [0.1, 1, 10, 100][i]!, medianMs: m, samplesMs: [m], medianWritten: 0 }));
  const reload = line([100, 100, 100, 100]);
  // gap -50 at 1%, +50 at 10%: halfway in log space between 1 and 10 is sqrt(10).
  assert.ok(Math.abs(crossoverPercent(line([10, 50, 150, 400]), reload)! - Math.sqrt(10)) < 1e-9);
  assert.equal(crossoverPercent(line([10, 20, 30, 40]), reload), null);
  assert.equal(crossoverPercent(line([100, 200, 300, 400]), reload), 0);
  assert.match(describeCrossover(line([10, 50, 150, 400]), reload), /^merge cheaper up to about 3% changed per batch, reload cheaper above \(0.1%: 10.0 vs 100.0 ms/);
  assert.match(describeCrossover(line([10, 20, 30, 40]), reload), /^merge cheaper at every change fraction measured/);
  assert.match(describeCrossover(line([120, 200, 300, 400]), reload), /^reload cheaper at every change fraction measured/);
});
