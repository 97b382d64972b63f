// Terminal output: the live TTY line, the one-line-per-cell log for pipes, and the summary table's labels.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Progress } from '../../harness/progress.ts';
import type { CellResult, RunResults } from '../../harness/results.ts';
import { summarise } from '../../harness/stats.ts';
import { formatSummary } from '../../harness/summary.ts';

const label = { engine: 'duckdb', scenario: 'groupby-count', rows: 100_000 };
const okCell: CellResult = { ...label, status: { kind: 'ok' }, stats: summarise([12, 13, 14]), coldMs: 40, loadMs: 5 };

/** A run of one scenario with these cells (environment and settings are placeholders the summary ignores). */
function runOf(scenario: RunResults['scenarios'][number], cells: CellResult[], ranking: RunResults['ranking'] = []): RunResults {
  return {
    version: 1,
    startedAt: '',
    finishedAt: '',
    environment: { node: '', os: '', cpuModel: '', cores: 1, memoryBytes: 1, gitCommit: null, packages: {}, seed: 42 },
    settings: { iterations: 3, warmupIterations: 1, budgetMs: 0, referenceEngine: 'duckdb' },
    scenarios: [scenario],
    engines: [],
    cells,
    ranking,
  };
}

function sink(isTTY: boolean): { text: () => string; write: (s: string) => boolean; isTTY: boolean } {
  let buf = '';
  return { isTTY, write: (s: string) => ((buf += s), true), text: () => buf };
}

test('non-TTY progress prints exactly one line per finished cell', () => {
  const out = sink(false);
  let t = 0;
  const p = new Progress(out, () => t);
  p.start(2, [label]);
  p.cellStarted(0, label);
  t = 5000;
  p.cellFinished(0, label, okCell);
  p.cellStarted(1, { ...label, engine: 'polars' });
  p.cellFinished(1, { ...label, engine: 'polars' }, { ...okCell, engine: 'polars', status: { kind: 'timeout', budgetMs: 30_000 } });
  p.stop();
  assert.equal(
    out.text(),
    '[1/2] duckdb       groupby-count         100k  ok  median 13.0 ms (3 runs), cold 40.0 ms, load 5.00 ms\n' +
      '[2/2] polars       groupby-count         100k  TIMEOUT 30.0 s\n',
  );
});

test('TTY progress redraws a live line with the elapsed time and clears it', () => {
  const out = sink(true);
  let t = 0;
  const p = new Progress(out, () => t);
  p.start(3, [label]);
  t = 100;
  p.cellStarted(1, label);
  t = 2600;
  p.note('dataset ready');
  assert.match(out.text(), /\r\x1b\[2K\[2\/3\] duckdb\s+groupby-count\s+100k  running 2\.50 s/);
  p.stop();
  assert.ok(out.text().endsWith('\r\x1b[2K'), 'live line cleared on stop');
});

test('the summary shows medians with ratios and failures by name', () => {
  const results = runOf(
    { name: 'groupby-count', title: '', teaches: '', suite: 'foundation', kind: 'query' },
    [
      okCell,
      { ...okCell, engine: 'polars', stats: summarise([26, 26]) },
      { ...label, engine: 'mapreduce', status: { kind: 'oom', reason: 'over 1 GiB' } },
      { ...label, engine: 'dag', status: { kind: 'wrong', diff: 'row 3 differs' } },
    ],
    [{ engine: 'duckdb', score: 1, penalised: 0 }],
  );
  const text = formatSummary(results);
  assert.match(text, /groupby-count\s+100k\s+13\.0 ms ×1\.00\s+26\.0 ms ×2\.00\s+OOM\s+WRONG/);
  assert.match(text, /1\. duckdb\s+1\.00/);
  assert.match(text, /mapreduce groupby-count 100k: OOM: over 1 GiB/);
  assert.match(text, /dag groupby-count 100k: WRONG: row 3 differs/);
});

test('custom scenarios print a row per variant and a column per size, ratios to the fastest variant at that size', () => {
  const cell = (engine: string, rows: number, samples: number[] | null): CellResult =>
    samples ? { engine, scenario: 'cdc-merge', rows, status: { kind: 'ok' }, stats: summarise(samples) } : { engine, scenario: 'cdc-merge', rows, status: { kind: 'timeout', budgetMs: 30_000 } };
  const results = runOf({ name: 'cdc-merge', title: '', teaches: '', suite: 'cdc', kind: 'custom' }, [
    cell('duckdb/merge', 1000, [10]),
    cell('duckdb/merge', 10_000, [40]),
    cell('dag/merge', 1000, [30]),
    cell('dag/merge', 10_000, null),
  ]);
  const lines = formatSummary(results).split('\n');
  assert.match(lines.find((l) => l.startsWith('variant'))!, /^variant\s+1k rows\s+10k rows$/);
  assert.match(lines.find((l) => l.startsWith('duckdb/merge'))!, /^duckdb\/merge\s+10\.0 ms ×1\.00\s+40\.0 ms ×1\.00$/);
  assert.match(lines.find((l) => l.startsWith('dag/merge'))!, /^dag\/merge\s+30\.0 ms ×3\.00\s+TIMEOUT 30\.0 s$/);
});

test("the summary says where the run's wall time went: per scenario, per engine (variants to their engine), slowest cells", () => {
  const cell = (engine: string, scenario: string, wallMs: number | undefined): CellResult => ({
    engine,
    scenario,
    rows: 1000,
    status: { kind: 'ok' },
    stats: summarise([1]),
    ...(wallMs === undefined ? {} : { wallMs }),
  });
  const results = {
    ...runOf({ name: 'cdc-merge', title: '', teaches: '', suite: 'cdc', kind: 'custom' }, [
      cell('duckdb/merge', 'cdc-merge', 4000),
      cell('dag/merge', 'cdc-merge', 9000),
      cell('dag', 'groupby-count', 2000),
      cell('polars', 'groupby-count', undefined),
    ]),
    startedAt: '2026-12-02T10:00:00.000Z',
    finishedAt: '2026-12-02T10:00:20.000Z',
  };
  const lines = formatSummary(results).split('\n');
  assert.ok(lines.includes("Where the run's time went (wall): 20.0 s in total, 15.0 s in 3 cells (start-up, load, every run and the check)"));
  assert.ok(lines.includes('  by scenario: cdc-merge 13.0 s, groupby-count 2.00 s'));
  assert.ok(lines.includes('  by engine: dag 11.0 s, duckdb 4.00 s'));
  assert.ok(lines.includes('  slowest cells: dag/merge cdc-merge 1k 9.00 s, duckdb/merge cdc-merge 1k 4.00 s, dag groupby-count 1k 2.00 s'));
});

test('a run whose cells carry no wall times prints no time section', () => {
  const text = formatSummary(runOf({ name: 'groupby-count', title: '', teaches: '', suite: 'foundation', kind: 'query' }, [okCell]));
  assert.doesNotMatch(text, /time went/);
});
