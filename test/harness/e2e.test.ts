// End to end through the real CLI and real child processes: groupby-count with DuckDB as reference, a wrong
// engine and an unsupporting one from the test extension; JSON + HTML written into a temporary --out; then a --baseline run.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import * as arrow from 'apache-arrow';
import type { WrittenResults } from '../../harness/runner.ts';
import { RESULTS_VERSION } from '../../harness/results.ts';
import { runCli, TEST_EXTENSION } from './run-cli.ts';

const out = mkdtempSync(join(tmpdir(), 'enginebench-e2e-'));
after(() => rmSync(out, { recursive: true, force: true }));

function readResults(path: string): WrittenResults {
  return JSON.parse(readFileSync(path, 'utf8')) as WrittenResults;
}

test('a small run writes results JSON, latest.json, the HTML report and each cell result', async () => {
  const run = await runCli([
    '--extension', TEST_EXTENSION,
    '--scenarios', 'groupby-count',
    '--engines', 'test-drop-row,test-scan-only',
    '--sizes', '2k',
    '--iterations', '3',
    '--warmup', '1',
    '--budget', '180s',
    '--out', out,
  ]);
  assert.equal(run.code, 0, run.stderr);
  const files = readdirSync(out);
  const json = files.find((f) => /^results-\d{8}-\d{6}\.json$/.test(f));
  const html = files.find((f) => /^results-\d{8}-\d{6}\.html$/.test(f));
  assert.ok(json && html, `dated files missing: ${files.join(', ')}`);
  assert.deepEqual(readFileSync(join(out, 'latest.json'), 'utf8'), readFileSync(join(out, json), 'utf8'));
  assert.ok(existsSync(join(out, 'latest.html')));
  assert.ok(!files.some((f) => f.includes('.tmp-')), 'no temporary files left');

  const r = readResults(join(out, json));
  assert.equal(r.version, RESULTS_VERSION);
  assert.equal(r.environment.node, process.version);
  assert.ok(r.environment.cores >= 1 && r.environment.memoryBytes > 0 && r.environment.cpuModel.length > 0);
  assert.ok(r.environment.packages['@duckdb/node-api'], 'engine versions recorded');
  assert.ok(r.environment.packages.tinybench, 'harness versions recorded');
  assert.equal(r.environment.seed, 42);
  assert.deepEqual(r.settings, { iterations: 3, warmupIterations: 1, budgetMs: 180_000, referenceEngine: 'duckdb' });
  assert.deepEqual(r.scenarios.map((s) => s.name), ['groupby-count']);
  assert.match(r.scenarios[0]!.plan!, /Aggregate: groupBy=\[user_id\]/);

  // Reference first in each group, then the engines in the order given.
  assert.deepEqual(
    r.cells.map((c) => `${c.scenario}/${c.engine}/${c.rows}`),
    ['groupby-count/duckdb/2000', 'groupby-count/test-drop-row/2000', 'groupby-count/test-scan-only/2000'],
  );
  for (const ref of r.cells.filter((c) => c.engine === 'duckdb')) {
    assert.deepEqual(ref.status, { kind: 'ok' });
    assert.equal(ref.stats!.samplesMs.length, 3);
    assert.ok(ref.stats!.minMs <= ref.stats!.medianMs && ref.stats!.medianMs <= ref.stats!.maxMs);
    assert.ok(ref.coldMs! > 0 && ref.loadMs! >= 0);
    assert.ok(ref.peakRssBytes! > 10 * 2 ** 20, 'peak RSS of the child in bytes');
    assert.ok(ref.resultRows! > 0);
    assert.equal(ref.metrics!.rowsOut, ref.resultRows);
    assert.equal(ref.budgetMs, 180_000);
  }
  const reference = r.cells[0]!;
  const wrong = r.cells.find((c) => c.engine === 'test-drop-row')!;
  assert.equal(wrong.status.kind, 'wrong');
  assert.match((wrong.status as { diff: string }).diff, new RegExp(`row count: expected ${reference.resultRows}, got ${reference.resultRows! - 1}`));
  assert.ok(wrong.stats, 'a wrong cell keeps its times for inspection');
  const unsupported = r.cells.find((c) => c.engine === 'test-scan-only')!;
  assert.deepEqual(unsupported.status, { kind: 'unsupported', reason: "test-scan-only does not support plan node 'aggregate'" });
  assert.equal(unsupported.stats, undefined, 'never ran');

  // Ranking: duckdb best; both others penalised in both groups.
  assert.equal(r.ranking[0]!.engine, 'duckdb');
  assert.equal(r.ranking[0]!.score, 1);
  assert.deepEqual(r.ranking.slice(1).map((x) => x.penalised), [1, 1]);

  // The reference's result table is on disk as Arrow IPC, with the plan's output columns.
  const runDir = join(out, 'runs', readdirSync(join(out, 'runs'))[0]!);
  // A WRONG cell keeps its table and the reference's, for inspection.
  const table = arrow.tableFromIPC(readFileSync(join(runDir, 'results', 'groupby-count.2000.duckdb.arrow')));
  assert.deepEqual(table.schema.fields.map((f) => f.name), ['user_id', 'events']);
  const wrongTable = arrow.tableFromIPC(readFileSync(join(runDir, 'results', 'groupby-count.2000.test-drop-row.arrow')));
  assert.equal(wrongTable.numRows, table.numRows - 1);
  assert.ok(!existsSync(join(runDir, 'scratch')), 'scratch directories removed');

  const report = readFileSync(join(out, html), 'utf8');
  assert.match(report, /^<!DOCTYPE html>/);
  assert.match(report, /groupby-count/);

  // Terminal: one finished line per cell (stderr is not a TTY here), then the summary on stdout.
  assert.equal(run.stderr.split('\n').filter((l) => /^\[\d\/3\]/.test(l)).length, 3);
  assert.match(run.stdout, /Median time per engine/);
  assert.match(run.stdout, /groupby-count\s+2k\s+\S+ ms ×1\.00\s+WRONG\s+UNSUPPORTED/);
  assert.match(run.stdout, /Ranking \(ClickBench rule/);
  assert.match(run.stdout, /1\. duckdb\s+1\.00/);
});

test('--baseline compares with the earlier run and stores the comparison', async () => {
  const baseline = join(out, 'latest.json');
  const before = readResults(baseline);
  const run = await runCli([
    '--extension', TEST_EXTENSION,
    '--scenarios', 'groupby-count',
    '--engines', 'duckdb',
    '--sizes', '2k',
    '--iterations', '3',
    '--budget', '180s',
    '--out', out,
    '--baseline', baseline,
  ]);
  assert.equal(run.code, 0, run.stderr);
  const r = readResults(join(out, 'latest.json'));
  assert.notEqual(r.startedAt, before.startedAt);
  assert.equal(r.baseline!.file, baseline);
  assert.equal(r.baseline!.changes.length, 1);
  const change = r.baseline!.changes[0]!;
  assert.equal(change.engine, 'duckdb');
  assert.equal(change.baselineMedianMs, before.cells.find((c) => c.engine === 'duckdb')!.stats!.medianMs);
  assert.equal(r.baseline!.unmatched, 0);
  assert.equal(typeof change.beyondNoise, 'boolean');
  assert.match(run.stdout, /Compared with .*latest\.json/);
  assert.match(run.stdout, /duckdb groupby-count 2k: .* → .* \([+-]\d+\.\d%\) (within noise|FASTER|SLOWER)/);
  assert.equal(readdirSync(out).filter((f) => /^results-.*\.json$/.test(f)).length, 2, 'two dated results files');
  // All cells ok: their result tables are not kept (no --keep-results).
  const secondRun = readdirSync(join(out, 'runs')).sort().at(-1)!;
  assert.deepEqual(readdirSync(join(out, 'runs', secondRun, 'results')), []);
});
