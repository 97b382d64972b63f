// RunResults fixtures for the report tests: several sizes, a task timeline, a custom series, every cell status,
// and a scenario whose every string is hostile HTML/JS.
import type { CellResult, RunResults, SampleStats } from '../../harness/results.ts';
import type { TaskSpan } from '../../engines/engine.ts';

/** Stats from samples the way the runner computes them (median, p99 by nearest rank, Student-t 95% CI). */
export function statsOf(samplesMs: readonly number[]): SampleStats {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const n = sorted.length;
  const mean = sorted.reduce((a, b) => a + b, 0) / n;
  const median = n % 2 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
  const sd = Math.sqrt(sorted.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, n - 1));
  const half = (2.262 * sd) / Math.sqrt(n); // t(0.975, 9) for the fixtures' 10 samples
  return {
    samplesMs,
    medianMs: median,
    meanMs: mean,
    p99Ms: sorted[Math.min(n - 1, Math.ceil(0.99 * n) - 1)]!,
    minMs: sorted[0]!,
    maxMs: sorted[n - 1]!,
    ci95Ms: [mean - half, mean + half],
  };
}

/** Ten samples around `ms` with a deterministic spread of about ±`spread`. */
export function samplesAround(ms: number, spread = 0.1): number[] {
  return Array.from({ length: 10 }, (_, i) => ms * (1 + spread * Math.sin(i * 1.7)));
}

function ok(scenario: string, engine: string, rows: number, ms: number, extra: Partial<CellResult> = {}): CellResult {
  return {
    scenario,
    engine,
    rows,
    status: { kind: 'ok' },
    coldMs: ms * 3,
    loadMs: ms / 2,
    stats: statsOf(samplesAround(ms)),
    peakRssBytes: 150 * 1024 * 1024 + rows * 40,
    metrics: { rowsIn: rows, rowsOut: 100, counters: {} },
    resultRows: 100,
    ...extra,
  };
}

/** A MapReduce-like timeline: 4 map tasks on 2 slots (one failed and retried), then 2 reduce tasks. */
export function mapReduceTimeline(): TaskSpan[] {
  return [
    { group: 'job 1 / map', task: 'map-0', slot: 0, attempt: 0, startMs: 0, endMs: 40, status: 'ok' },
    { group: 'job 1 / map', task: 'map-1', slot: 1, attempt: 0, startMs: 0, endMs: 15, status: 'failed' },
    { group: 'job 1 / map', task: 'map-1', slot: 1, attempt: 1, startMs: 16, endMs: 52, status: 'ok' },
    { group: 'job 1 / map', task: 'map-2', slot: 0, attempt: 0, startMs: 41, endMs: 80, status: 'ok' },
    { group: 'job 1 / map', task: 'map-3', slot: 1, attempt: 0, startMs: 53, endMs: 90, status: 'ok' },
    { group: 'job 1 / reduce', task: 'reduce-0', slot: 0, attempt: 0, startMs: 92, endMs: 130, status: 'ok' },
    { group: 'job 1 / reduce', task: 'reduce-1', slot: 1, attempt: 0, startMs: 92, endMs: 120, status: 'ok' },
  ];
}

export const HOSTILE = {
  scenario: '<script>window.__pwned="name"</script>',
  title: 'Evil </script><img src=x onerror="window.__pwned=\'title\'"> & co',
  teaches: 'Teaches <b>nothing</b> & "quotes" \'single\' </p><script>window.__pwned="teaches"</script>',
  plan: 'Filter: x < 3 && y > 2\n  Scan: t </script><!-- <script>',
  engine: 'evil"><img src=x onerror="window.__pwned=\'engine\'">',
  diff: 'row 3: expected <1> got </script><script>window.__pwned="diff"</script>\u2028next line',
  error: '<b>boom</b> & </textarea>',
  note: '<iframe src="https://evil.example/"></iframe>',
  series: 'throughput <i>vs</i> batch size',
} as const;

/**
 * A complete run: `groupby-count` at three sizes (scaling chart, timelines, WRONG/TIMEOUT/UNAVAILABLE cells),
 * a custom `olap-load` scenario with a series and an UNSUPPORTED cell, and the hostile scenario.
 */
export function fixtureResults(): RunResults {
  const g = 'groupby-count';
  const cells: CellResult[] = [];
  for (const rows of [1_000, 10_000, 100_000]) {
    const f = rows / 1000;
    cells.push(ok(g, 'duckdb', rows, 2 + f * 0.05));
    cells.push(ok(g, 'polars', rows, 1.5 + f * 0.04, { metrics: { rowsIn: rows, rowsOut: 100, counters: { threads: 2 }, notes: ['streaming engine off'] } }));
    cells.push(
      ok(g, 'mapreduce', rows, 50 + f * 2, {
        metrics: {
          rowsIn: rows,
          rowsOut: 100,
          counters: { bytesShuffled: rows * 24, bytesWrittenToDisk: rows * 48, spillFiles: 3, tasks: 7, gcMs: 12.5 },
          phasesMs: { map: 90, shuffle: 2, reduce: 38 },
          timeline: mapReduceTimeline(),
        },
      }),
    );
    cells.push({ scenario: g, engine: 'clickhouse', rows, status: { kind: 'unavailable', reason: 'no ClickHouse server at localhost:8123' } });
  }
  cells.push({ ...ok(g, 'dataframe', 1_000, 30), status: { kind: 'wrong', diff: 'group user_id=7: expected count 3, got 2 (1 of 100 rows differ)' } });
  cells.push(ok(g, 'dataframe', 10_000, 300));
  cells.push({ scenario: g, engine: 'dataframe', rows: 100_000, status: { kind: 'timeout', budgetMs: 60_000 } });

  const o = 'olap-load';
  cells.push(ok(o, 'duckdb-file/bulk', 10_000, 40, { series: { 'throughput vs batch size': [{ x: 1, y: 2_000 }, { x: 100, y: 90_000 }, { x: 10_000, y: 400_000 }] } }));
  cells.push(ok(o, 'duckdb-file/appender', 10_000, 70, { series: { 'throughput vs batch size': [{ x: 1, y: 5_000 }, { x: 100, y: 150_000 }, { x: 10_000, y: 350_000 }] } }));
  cells.push({ scenario: o, engine: 'clickhouse/insert', rows: 10_000, status: { kind: 'unsupported', reason: 'clickhouse does not support plan node \'union\'' } });

  const h = HOSTILE.scenario;
  cells.push(ok(h, 'duckdb', 1_000, 3, { metrics: { rowsIn: 1000, rowsOut: 1, counters: { [HOSTILE.engine]: 1 }, notes: [HOSTILE.note] }, series: { [HOSTILE.series]: [{ x: 1, y: 1 }, { x: 2, y: 4 }] } }));
  cells.push({ scenario: h, engine: HOSTILE.engine, rows: 1_000, status: { kind: 'oom', reason: `needs 9 GiB ${HOSTILE.error}` } });
  cells.push({ scenario: h, engine: 'polars', rows: 1_000, status: { kind: 'error', message: HOSTILE.error } });
  cells.push({ ...ok(h, 'mapreduce', 1_000, 5), status: { kind: 'wrong', diff: HOSTILE.diff } });

  return {
    version: 1,
    startedAt: '2026-03-14T09:26:53.589Z',
    finishedAt: '2026-03-14T09:31:05.000Z',
    environment: {
      node: 'v20.19.0',
      os: 'linux 6.1 x64',
      cpuModel: 'Test CPU <3 GHz>',
      cores: 2,
      memoryBytes: 24 * 1024 ** 3,
      gitCommit: 'f9ef336',
      packages: { '@duckdb/node-api': '1.5.6-r.1', 'nodejs-polars': '0.24.1' },
      seed: 42,
    },
    settings: { iterations: 10, warmupIterations: 3, budgetMs: 60_000, referenceEngine: 'duckdb' },
    scenarios: [
      { name: g, title: 'Group-by count', teaches: 'Counting events per user shows hash aggregation cost.', suite: 'foundation', kind: 'query', plan: 'Aggregate: groupBy=[user_id], aggs=[count(*) AS events]\n  Scan: user_events' },
      { name: o, title: 'OLAP loading', teaches: 'Bulk loading beats row-at-a-time inserts.', suite: 'olap-load', kind: 'custom' },
      { name: h, title: HOSTILE.title, teaches: HOSTILE.teaches, suite: '<suite>', kind: 'query', plan: HOSTILE.plan },
    ],
    engines: [
      { name: 'duckdb', models: 'DuckDB', role: 'reference', summary: 'In-process columnar SQL, the oracle.' },
      { name: 'polars', models: 'Polars', role: 'real', summary: 'Rust dataframe engine.' },
      { name: 'mapreduce', models: 'Apache Hadoop MapReduce + HDFS', role: 'teaching', summary: 'Disk-based map, shuffle, reduce.' },
      { name: 'dataframe', models: 'pandas (danfo.js)', role: 'teaching', summary: 'Eager single-threaded dataframe.' },
      { name: 'clickhouse', models: 'ClickHouse', role: 'real', summary: 'Server OLAP database.' },
    ],
    cells,
    ranking: [
      { engine: 'polars', score: 1.0, penalised: 0 },
      { engine: 'duckdb', score: 1.12, penalised: 0 },
      { engine: 'mapreduce', score: 7.9, penalised: 1 },
      { engine: 'dataframe', score: 25.3, penalised: 2 },
    ],
  };
}
