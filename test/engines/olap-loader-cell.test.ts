// The olap-load scenario end to end at tiny size: runCell on real stores reports throughput, files, row groups,
// bytes, compression ratio, follow-up query time and report series, and its check fails when a load loses a row.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDataset } from '../../datasets/cache.ts';
import { olapLoadScenario } from '../../scenarios/olap-load.ts';
import { findScenario, SCENARIOS } from '../../scenarios/registry.ts';
import type { CustomCellContext } from '../../scenarios/scenario.ts';
import { parquetLakeTarget, postgresTarget, runLoaderCell, type LoadTarget } from '../../engines/olap-loader/index.ts';

const REQUIRE_POSTGRES = process.env['ENGINEBENCH_REQUIRE_POSTGRES'] === '1';
const ROWS = olapLoadScenario.sizes.test;
const work = mkdtempSync(join(tmpdir(), 'enginebench-olap-cell-'));
after(() => rmSync(work, { recursive: true, force: true }));

let cells = 0;
function context(options: CustomCellContext['options'] = {}): CustomCellContext {
  return {
    workDir: join(work, `cell-${++cells}`),
    seed: 42,
    iterations: 1,
    options,
    now: () => performance.now(),
    loadDataset: (ref, rows) => loadDataset(ref, rows),
  };
}

const pg = await postgresTarget.available({});
const pgSkip = pg.ok || REQUIRE_POSTGRES ? false : pg.reason;

test('the scenario lists every target × strategy and sizes the bench so row-at-a-time stays in seconds', async () => {
  const variants = await olapLoadScenario.variants({});
  assert.equal(variants.length, 15);
  assert.deepEqual(variants.slice(0, 5).map((v) => v.name), ['duckdb-file/row', 'duckdb-file/micro-batch-10', 'duckdb-file/micro-batch-100', 'duckdb-file/micro-batch-1000', 'duckdb-file/bulk']);
  assert.ok(olapLoadScenario.sizes.bench.every((r) => r <= 20_000));
  // In the default bench: registered, so `npm run bench` with no --scenarios runs it.
  assert.equal(findScenario('olap-load'), olapLoadScenario);
  assert.ok(SCENARIOS.includes(olapLoadScenario));
  if (REQUIRE_POSTGRES) assert.ok(variants.every((v) => v.available), JSON.stringify(variants.filter((v) => !v.available)));
});

test('parquet-lake/row: one file per row, a compression ratio below 1, a query-vs-files point and a passing check', async () => {
  const r = await olapLoadScenario.runCell('parquet-lake/row', ROWS, context());
  assert.deepEqual(r.check, { ok: true });
  const c = r.metrics.counters;
  assert.equal(c['files'], ROWS);
  assert.equal(c['rowGroups'], ROWS);
  assert.equal(c['writes'], ROWS);
  assert.equal(c['rowsPerWrite'], 1);
  assert.ok(c['compressionRatio']! < 1, `one-row files cost more than the raw rows: ratio ${c['compressionRatio']}`);
  assert.ok(c['loadRowsPerSecond']! > 0 && c['followUpQueryMs']! > 0 && c['rawArrowBytes']! > 0);
  assert.ok(r.samplesMs.length >= 1 && r.coldMs! > 0);
  assert.deepEqual(r.series!['follow-up query on the lake (ms) vs files']!.map((p) => p.x), [ROWS]);
  assert.equal(r.series!['parquet-lake: load throughput (rows/s) vs rows per write']![0]!.x, 1);
  assert.equal(r.metrics.rowsIn, ROWS);
  assert.equal(r.metrics.rowsOut, ROWS);
});

test('parquet-lake/bulk: one file whose row groups follow olap.rowGroupRows, and it compresses', async () => {
  const r = await olapLoadScenario.runCell('parquet-lake/bulk', ROWS, context({ 'olap.rowGroupRows': 50 }));
  assert.deepEqual(r.check, { ok: true });
  assert.equal(r.metrics.counters['files'], 1);
  assert.equal(r.metrics.counters['rowGroups'], Math.ceil(ROWS / 50));
  assert.ok(r.metrics.counters['compressionRatio']! > 1, `ratio ${r.metrics.counters['compressionRatio']}`);
});

test('duckdb-file/micro-batch-10: batches of 10 rows, WAL and checkpoint figures reported', async () => {
  const r = await olapLoadScenario.runCell('duckdb-file/micro-batch-10', ROWS, context());
  assert.deepEqual(r.check, { ok: true });
  assert.equal(r.metrics.counters['writes'], Math.ceil(ROWS / 10));
  assert.equal(r.metrics.counters['rowGroups'], 1);
  assert.ok(r.metrics.counters['bytesOnDiskAfterCheckpoint']! > 0);
  assert.equal(r.series!['follow-up query on the lake (ms) vs files'], undefined);
  assert.deepEqual(r.series!['duckdb-file: load throughput (rows/s) vs rows per write']!.map((p) => p.x), [10]);
});

test('postgres/bulk through COPY FROM STDIN and postgres/row end to end', { skip: pgSkip }, async () => {
  if (!pg.ok) assert.fail(`ENGINEBENCH_REQUIRE_POSTGRES=1 but PostgreSQL is unavailable: ${pg.reason}`);
  for (const variant of ['postgres/bulk', 'postgres/row']) {
    const r = await olapLoadScenario.runCell(variant, ROWS, context());
    assert.deepEqual(r.check, { ok: true }, variant);
    assert.equal(r.metrics.counters['writes'], variant.endsWith('bulk') ? 1 : ROWS);
    assert.ok(r.metrics.counters['heapPages']! >= 1);
  }
});

test('the check fails, naming the lost row, when a target drops a row during the load', async () => {
  const lossy: LoadTarget = {
    ...parquetLakeTarget,
    async open(ctx) {
      const session = await parquetLakeTarget.open(ctx);
      return { ...session, load: (table, strategy) => session.load(table.slice(1), strategy), storage: () => session.storage(), readBack: () => session.readBack(), query: (q) => session.query(q), close: () => session.close() };
    },
  };
  const source = (await loadDataset({ dataset: 'retail' }, ROWS)).get('transactions')!;
  const ctx = context();
  const r = await runLoaderCell({ target: lossy, strategy: { kind: 'bulk' }, source, table: 'transactions', workDir: ctx.workDir, iterations: 0, options: {}, now: ctx.now });
  assert.equal(r.check.ok, false);
  assert.equal(r.metrics.rowsOut, ROWS - 1);
  if (!r.check.ok) assert.match(r.check.detail, /^parquet-lake\/bulk load 1: read back 199 rows, expected 200; 1 missing, e\.g\. \{invoice: "536365"/);
});

test('an unknown variant is a one-line bad-input error', async () => {
  await assert.rejects(olapLoadScenario.runCell('duckdb-file/rows', ROWS, context()), /unknown load strategy 'rows'; use row, micro-batch-<N> \(N ≥ 1\) or bulk/);
});
