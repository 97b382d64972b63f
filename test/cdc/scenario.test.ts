// The cdc-merge custom scenario end to end at its test size: variants from the registry, every pattern's cell on
// DuckDB checks itself after every batch and reports row counts and the merge-vs-reload series.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cdcScenarios } from '../../scenarios/cdc/index.ts';
import { CHANGE_FRACTIONS, CROSSOVER_SERIES, WRITTEN_SERIES } from '../../scenarios/cdc/merge-scenario.ts';

const scenario = cdcScenarios[0]!;

test('cdc-merge lists <engine>/<pattern> variants for every registry engine, DuckDB first', async () => {
  const variants = await scenario.variants({});
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
    } finally {
      rmSync(workDir, { recursive: true, force: true });
    }
  });
}

test('an unknown variant is a one-line error listing the valid shapes', async () => {
  await assert.rejects(scenario.runCell('nope/merge', 10, { workDir: tmpdir(), seed: 1, iterations: 1, options: {}, now: () => 0, loadDataset: async () => new Map() }), /unknown cdc-merge variant 'nope\/merge'; expected <engine>\/<pattern>/);
});
