// The baseline rule: a change is beyond noise only when the 95% confidence intervals do not overlap.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { beyondNoise, compareWithBaseline, loadBaseline } from '../../harness/baseline.ts';
import { RESULTS_VERSION, type CellResult, type RunResults } from '../../harness/results.ts';
import { summarise } from '../../harness/stats.ts';

test('beyondNoise: disjoint intervals yes, overlapping no, single samples never', () => {
  assert.equal(beyondNoise(summarise([10, 11, 10, 11]), summarise([20, 21, 20, 21])), true);
  assert.equal(beyondNoise(summarise([20, 21, 20, 21]), summarise([10, 11, 10, 11])), true);
  // means 10.5 and 12 but wide spread: the intervals overlap
  assert.equal(beyondNoise(summarise([5, 16, 5, 16]), summarise([7, 17, 7, 17])), false);
  assert.equal(beyondNoise(summarise([10]), summarise([100])), false);
});

function cell(engine: string, samples: number[] | null, status: CellResult['status'] = { kind: 'ok' }): CellResult {
  return { scenario: 'q', engine, rows: 1000, status, ...(samples ? { stats: summarise(samples) } : {}) };
}

function run(cells: CellResult[]): RunResults {
  return {
    version: RESULTS_VERSION,
    startedAt: '2024-01-01T00:00:00.000Z',
    finishedAt: '2024-01-01T00:01:00.000Z',
    environment: { node: 'v20', os: 'Linux', cpuModel: 'x', cores: 2, memoryBytes: 1, gitCommit: null, packages: {}, seed: 42 },
    settings: { iterations: 4, warmupIterations: 1, budgetMs: 0, referenceEngine: 'duckdb' },
    scenarios: [],
    engines: [],
    cells,
    ranking: [],
  };
}

test('compareWithBaseline: per-cell change, noise verdict, status changes and unmatched cells', () => {
  const old = run([cell('a', [100, 101, 100, 101]), cell('b', [50, 60, 50, 60]), cell('c', [10, 10]), cell('gone', [1, 1])]);
  const now = [
    cell('a', [50, 51, 50, 51]),
    cell('b', [52, 58, 52, 58]),
    cell('c', null, { kind: 'wrong', diff: 'x' }),
    cell('new', [1, 1]),
  ];
  const cmp = compareWithBaseline(now, old, 'old.json');
  const a = cmp.changes.find((c) => c.engine === 'a')!;
  assert.ok(Math.abs(a.changePct - -49.75124) < 1e-3);
  assert.equal(a.beyondNoise, true);
  assert.equal(cmp.changes.find((c) => c.engine === 'b')!.beyondNoise, false);
  assert.deepEqual(cmp.statusChanges, [{ scenario: 'q', engine: 'c', rows: 1000, from: 'ok', to: 'wrong' }]);
  assert.equal(cmp.unmatched, 1);
});

test('loadBaseline: clear one-line errors for missing, broken or foreign files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'baseline-'));
  assert.throws(() => loadBaseline(join(dir, 'missing.json')), /cannot read baseline file/);
  writeFileSync(join(dir, 'broken.json'), '{');
  assert.throws(() => loadBaseline(join(dir, 'broken.json')), /not valid JSON/);
  writeFileSync(join(dir, 'other.json'), '{"hello":1}');
  assert.throws(() => loadBaseline(join(dir, 'other.json')), /not an enginebench results file/);
  writeFileSync(join(dir, 'old.json'), JSON.stringify({ ...run([]), version: 0 }));
  assert.throws(() => loadBaseline(join(dir, 'old.json')), /results version 0/);
  writeFileSync(join(dir, 'good.json'), JSON.stringify(run([cell('a', [1, 2])])));
  assert.equal(loadBaseline(join(dir, 'good.json')).cells.length, 1);
});
