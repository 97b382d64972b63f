// Structure tests of the HTML report on RunResults fixtures: every scenario and cell appears, statuses and metrics
// are rendered, charts are specified for what ran, hostile text is escaped, and nothing external is referenced.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { CellResult, RunResults } from '../../harness/results.ts';
import { BARS_LOG_SPAN, type ChartSpec } from '../../reports/charts.ts';
import { readReportScripts } from '../../reports/assets.ts';
import { escapeHtml } from '../../reports/escape.ts';
import { renderReport } from '../../reports/html.ts';
import { baselineDelta, indexBaseline } from '../../reports/baseline.ts';
import { ratioMatrix } from '../../reports/ranking.ts';
import { engineOrder, scenarioViews } from '../../reports/model.ts';
import { fixtureResults, HOSTILE, samplesAround, statsOf } from './fixtures.ts';

const scripts = readReportScripts();

function jsonBlock(html: string, id: string): unknown {
  const m = new RegExp(`<script type="application/json" id="${id}">([\\s\\S]*?)</script>`).exec(html);
  assert.ok(m, `no JSON block #${id}`);
  return JSON.parse(m[1]!);
}

function chartsOf(html: string): ChartSpec[] {
  return jsonBlock(html, 'enginebench-charts') as ChartSpec[];
}

/** The HTML of one scenario's section. */
function section(html: string, scenario: string): string {
  const start = html.indexOf(`data-scenario="${escapeHtml(scenario)}">`);
  assert.ok(start >= 0, `no section for scenario ${scenario}`);
  return html.slice(start, html.indexOf('</section>', start));
}

/** The HTML of one size's cell table within a section. */
function sizeTable(sectionHtml: string, rows: number): string {
  const start = sectionHtml.indexOf(`<table class="cells" data-rows="${rows}">`);
  assert.ok(start >= 0, `no table for ${rows} rows`);
  return sectionHtml.slice(start, sectionHtml.indexOf('</table>', start));
}

/**
 * The script elements as an HTML parser delimits them: from `<script ...>` to the first `</script` after it.
 * (It ignores the `<!--<script` escape subtlety, which inlineScript and jsonForScript make moot.)
 */
function scriptElements(html: string): { open: string; body: string }[] {
  const lower = html.toLowerCase();
  const found: { open: string; body: string }[] = [];
  let pos = 0;
  for (;;) {
    const start = lower.indexOf('<script', pos);
    if (start < 0) return found;
    const openEnd = html.indexOf('>', start) + 1;
    const close = lower.indexOf('</script', openEnd);
    assert.ok(close >= 0, 'unclosed script element');
    found.push({ open: html.slice(start, openEnd), body: html.slice(openEnd, close) });
    pos = close + '</script'.length;
  }
}

const EXPECTED_SCRIPT_OPENINGS = [
  '<script type="application/json" id="enginebench-results">',
  '<script type="application/json" id="enginebench-charts">',
  '<script>',
  '<script>',
];

/** Names of all attributes of all tags in markup (values are double-quoted and escaped, so `"` ends them). */
function attributeNames(markup: string): string[] {
  const names: string[] = [];
  for (const tag of markup.matchAll(/<[a-z][a-z0-9]*((?:\s+[a-z-]+(?:="[^"]*")?)*)\s*\/?>/gi)) {
    for (const attr of tag[1]!.matchAll(/\s+([a-z-]+)(?:="[^"]*")?/gi)) names.push(attr[1]!.toLowerCase());
  }
  return names;
}

/** HTML with the bodies of all script elements removed (what the HTML parser treats as markup). */
function withoutScripts(html: string): string {
  let out = html;
  for (const el of scriptElements(html)) out = out.replace(el.open + el.body, el.open);
  return out;
}

function withoutHostile(r: RunResults): RunResults {
  return { ...r, scenarios: r.scenarios.filter((s) => s.name !== HOSTILE.scenario), cells: r.cells.filter((c) => c.scenario !== HOSTILE.scenario) };
}

test('every scenario and every cell appears in its section and size table with its status', () => {
  const results = fixtureResults();
  const html = renderReport(results, { scripts });
  for (const s of results.scenarios) {
    const sec = section(html, s.name);
    assert.ok(sec.includes(escapeHtml(s.title)), `title of ${s.name}`);
    assert.ok(sec.includes(`<p class="teaches">${escapeHtml(s.teaches)}</p>`), `teaches of ${s.name}`);
    if (s.plan) assert.ok(sec.includes(`<pre class="plan">${escapeHtml(s.plan)}</pre>`), `plan of ${s.name}`);
  }
  for (const cell of results.cells) {
    const table = sizeTable(section(html, cell.scenario), cell.rows);
    assert.ok(table.includes(`<tr data-engine="${escapeHtml(cell.engine)}" data-status="${cell.status.kind}">`), `${cell.scenario}/${cell.engine}/${cell.rows}`);
  }
  const rowCount = (html.match(/<tr data-engine=/g) ?? []).length;
  assert.equal(rowCount, results.cells.length);
});

test('statuses render with their detail: WRONG diff, TIMEOUT budget, OOM/UNSUPPORTED/UNAVAILABLE reasons, ERROR message', () => {
  const html = renderReport(fixtureResults(), { scripts });
  const g = section(html, 'groupby-count');
  assert.match(sizeTable(g, 1000), /status-wrong">WRONG[\s\S]*<tr class="diff-row">[\s\S]*group user_id=7: expected count 3, got 2/);
  assert.match(sizeTable(g, 100_000), /status-timeout">TIMEOUT<span class="reason">budget 60\.0 s<\/span>/);
  assert.match(sizeTable(g, 10_000), /status-unavailable">UNAVAILABLE<span class="reason">no ClickHouse server at localhost:8123/);
  assert.match(sizeTable(section(html, 'olap-load'), 10_000), /status-unsupported">UNSUPPORTED<span class="reason">clickhouse does not support plan node &#39;union&#39;/);
  const h = sizeTable(section(html, HOSTILE.scenario), 1000);
  assert.ok(h.includes(`status-oom">OOM<span class="reason">${escapeHtml(`needs 9 GiB ${HOSTILE.error}`)}`));
  assert.ok(h.includes(`status-error">ERROR<span class="reason">${escapeHtml(HOSTILE.error)}`));
  assert.ok(h.includes(`<pre class="diff">${escapeHtml(HOSTILE.diff)}</pre>`));
});

test('times, peak RSS and engine counters are shown with units inferred from counter names', () => {
  const html = renderReport(fixtureResults(), { scripts });
  const table = sizeTable(section(html, 'groupby-count'), 10_000);
  const mr = table.slice(table.indexOf('data-engine="mapreduce"'));
  assert.match(mr, /<span class="k">bytesShuffled<\/span> 234\.38 KiB/);
  assert.match(mr, /<span class="k">bytesWrittenToDisk<\/span> 468\.75 KiB/);
  assert.match(mr, /<span class="k">gcMs<\/span> 12\.5 ms/);
  assert.match(mr, /<span class="k">tasks<\/span> 7</);
  assert.match(mr, /<span class="k">phase shuffle<\/span> 2\.00 ms/);
  assert.match(mr, /<td class="num">210 ms<\/td>/, 'cold time (3 × 70 ms)');
  assert.match(mr, /<td class="num">150\.38 MiB<\/td>/, 'peak RSS');
  assert.ok(table.includes('<li>streaming engine off</li>'), 'notes');
});

test('charts: bars per size (OK cells only), log-log scaling for several sizes, one timeline per cell, series with log x', () => {
  const html = renderReport(fixtureResults(), { scripts });
  const charts = chartsOf(html);
  const canvases = [...html.matchAll(/<canvas id="([^"]+)" data-kind="([^"]+)"/g)].map((m) => [m[1], m[2]]);
  assert.deepEqual(canvases, charts.map((c) => [c.id, c.kind]), 'one canvas per chart spec, same ids and order');
  assert.equal(new Set(charts.map((c) => c.id)).size, charts.length);

  const bars = charts.filter((c) => c.kind === 'bars');
  assert.equal(bars.length, 3 + 1 + 1);
  assert.deepEqual(bars[0]!.kind === 'bars' && bars[0]!.labels, ['duckdb', 'polars', 'mapreduce'], 'WRONG dataframe has no bar');
  assert.deepEqual(bars[1]!.kind === 'bars' && bars[1]!.labels, ['duckdb', 'polars', 'mapreduce', 'dataframe']);
  for (const b of bars) {
    if (b.kind !== 'bars') continue;
    b.medians.forEach((m, i) => assert.ok(b.ciLow[i]! <= b.ciHigh[i]! && Number.isFinite(m)));
    // Linear while the slowest bar is at most BARS_LOG_SPAN times the fastest, logarithmic beyond.
    assert.equal(b.yLog, Math.max(...b.medians) / Math.min(...b.medians) > BARS_LOG_SPAN, b.title);
    assert.equal(b.title.endsWith('(log scale)'), b.yLog);
  }
  assert.ok(bars.some((b) => b.kind === 'bars' && b.yLog) && bars.some((b) => b.kind === 'bars' && !b.yLog), 'the fixture has both kinds');

  const scaling = charts.filter((c) => c.kind === 'scaling');
  assert.equal(scaling.length, 1, 'only groupby-count ran at several sizes');
  const lines = scaling[0]!.kind === 'scaling' ? scaling[0]!.lines : [];
  assert.deepEqual(lines.map((l) => [l.label, l.points.map((p) => p.x)]), [
    ['duckdb', [1000, 10_000, 100_000]],
    ['polars', [1000, 10_000, 100_000]],
    ['mapreduce', [1000, 10_000, 100_000]],
    ['dataframe', [10_000]],
  ]);

  const timelines = charts.filter((c) => c.kind === 'timeline');
  assert.equal(timelines.length, 3, 'mapreduce at three sizes');
  const t = timelines[0]!;
  assert.ok(t.kind === 'timeline');
  assert.deepEqual(t.slots, ['slot 0', 'slot 1']);
  assert.deepEqual(t.groups.map((g) => [g.label, g.spans.length]), [['job 1 / map', 5], ['job 1 / reduce', 2]]);
  assert.equal(t.groups[0]!.spans.filter((s) => s.status === 'failed').length, 1);

  const series = charts.filter((c) => c.kind === 'series');
  assert.equal(series.length, 2);
  const s = series[0]!;
  assert.ok(s.kind === 'series');
  assert.equal(s.yTitle, 'throughput');
  assert.equal(s.xTitle, 'batch size');
  assert.equal(s.xLog, true);
  assert.deepEqual(s.lines.map((l) => l.label), ['duckdb-file/bulk', 'duckdb-file/appender']);
});

test('hostile names, titles, plans, diffs and notes are escaped; the script structure cannot be broken', () => {
  const results = fixtureResults();
  const html = renderReport(results, { scripts });
  for (const raw of Object.values(HOSTILE)) {
    if (/[<>&"']/.test(raw)) assert.ok(!html.includes(raw), `raw hostile text present: ${raw}`);
  }
  assert.ok(html.includes(escapeHtml(HOSTILE.title)));
  assert.ok(html.includes(escapeHtml(HOSTILE.teaches)));
  assert.ok(html.includes(escapeHtml(HOSTILE.note)));
  assert.deepEqual(scriptElements(html).map((el) => el.open), EXPECTED_SCRIPT_OPENINGS);
  const markup = withoutScripts(html);
  assert.ok(!/<(img|iframe|object|embed|link)\b/i.test(markup), 'no injected element');
  for (const name of attributeNames(markup)) assert.ok(!/^on/i.test(name), `event-handler attribute ${name}`);
  assert.deepEqual(jsonBlock(html, 'enginebench-results'), results, 'embedded data round-trips');
});

test('property: any text in names, titles and diffs keeps four script elements and round-trips its JSON', () => {
  const text = fc.string({ unit: fc.constantFrom('<', '>', '/', '&', '"', "'", 's', 'c', 'r', 'i', 'p', 't', '!', '-', '\u2028', 'x'), maxLength: 30 });
  fc.assert(
    fc.property(text, text, text, text, (name, title, engine, diff) => {
      const base = fixtureResults();
      const results: RunResults = {
        ...base,
        scenarios: [{ name, title, teaches: diff, suite: title, kind: 'query', plan: diff }],
        cells: [
          { scenario: name, engine, rows: 10, status: { kind: 'wrong', diff }, stats: statsOf(samplesAround(5)) },
          { scenario: name, engine: 'duckdb', rows: 10, status: { kind: 'ok' }, stats: statsOf(samplesAround(4)) },
        ],
      };
      const html = renderReport(results, { scripts });
      assert.deepEqual(scriptElements(html).map((el) => el.open), EXPECTED_SCRIPT_OPENINGS);
      assert.deepEqual(jsonBlock(html, 'enginebench-results'), JSON.parse(JSON.stringify(results)));
      assert.ok(section(html, name).includes(`<pre class="diff">${escapeHtml(diff)}</pre>`));
    }),
    { numRuns: 40 },
  );
});

test('no external URLs: nothing is loaded from outside the file', () => {
  const clean = withoutHostile(fixtureResults());
  const html = renderReport(clean, { scripts });
  // The only URLs allowed are the two in Chart.js's licence banner comment, which is inlined verbatim.
  const withoutChartJs = html.replace(scripts.chartJs, '');
  assert.ok(withoutChartJs.length < html.length, 'Chart.js is inlined verbatim');
  assert.ok(!/\b(https?|ftp):\/\//i.test(withoutChartJs), 'no absolute URL');
  assert.ok(!/["'(]\/\/[a-z0-9.-]+\.[a-z]{2,}/i.test(withoutChartJs), 'no protocol-relative URL');
  // With hostile data containing URLs, they stay text: no element references anything.
  const hostile = withoutScripts(renderReport(fixtureResults(), { scripts }));
  for (const name of attributeNames(hostile)) assert.ok(!['src', 'srcset', 'action', 'data', 'poster', 'background', 'formaction'].includes(name), `attribute ${name}`);
  for (const m of hostile.matchAll(/\shref="([^"]*)"/g)) assert.match(m[1]!, /^#s-\d+$/, 'only in-page anchors');
  assert.ok(!/url\(|@import/i.test(hostile), 'no CSS reference');
});

test('ranking table is ordered by score and the per-scenario matrix uses (t + 10) / (best + 10)', () => {
  const results = fixtureResults();
  const html = renderReport(results, { scripts });
  const ranking = html.slice(html.indexOf('<table class="ranking">'), html.indexOf('</table>', html.indexOf('<table class="ranking">')));
  const order = [...ranking.matchAll(/<td><strong>([^<]+)<\/strong>/g)].map((m) => m[1]);
  assert.deepEqual(order, ['polars', 'duckdb', 'mapreduce', 'dataframe', 'clickhouse']);
  assert.match(ranking, /×25\.30/);
  assert.match(ranking, /clickhouse[\s\S]*not ranked/);

  const matrix = ratioMatrix(scenarioViews(results), engineOrder(results));
  const g = matrix[0]!;
  assert.equal(g.rows, 100_000);
  const median = (engine: string) => results.cells.find((c) => c.scenario === 'groupby-count' && c.rows === 100_000 && c.engine === engine)!.stats!.medianMs;
  const best = median('polars');
  assert.deepEqual(g.cells.get('polars'), { kind: 'ratio', ratio: 1, medianMs: best });
  const mr = g.cells.get('mapreduce');
  assert.ok(mr?.kind === 'ratio');
  assert.ok(Math.abs(mr.ratio - (median('mapreduce') + 10) / (best + 10)) < 1e-12);
  assert.deepEqual(g.cells.get('dataframe'), { kind: 'failed', status: 'timeout' });
  assert.deepEqual(g.cells.get('duckdb-file/bulk'), { kind: 'not-run' });
});

test('custom scenarios\' variants are not ranking rows or matrix columns: one note links their sections', () => {
  const results = fixtureResults();
  const variants = ['duckdb-file/bulk', 'duckdb-file/appender', 'clickhouse/insert'];
  const html = renderReport(
    { ...results, engines: [...results.engines, ...variants.map((name) => ({ name, models: 'OLAP loading', role: 'variant' as const, summary: 'a variant of the olap-load scenario' }))] },
    { scripts },
  );
  const ranking = html.slice(html.indexOf('<table class="ranking">'), html.indexOf('</table>', html.indexOf('<table class="ranking">')));
  assert.deepEqual([...ranking.matchAll(/<td><strong>([^<]+)<\/strong>/g)].map((m) => m[1]), ['polars', 'duckdb', 'mapreduce', 'dataframe', 'clickhouse']);
  const olapIndex = results.scenarios.findIndex((s) => s.kind === 'custom');
  assert.match(html, new RegExp(`Not ranked: the variants of custom scenarios[^<]*<a href="#s-${olapIndex}">olap-load</a> \\(3\\)`));
  const matrix = html.slice(html.indexOf('<table class="matrix">'), html.indexOf('</table>', html.indexOf('<table class="matrix">')));
  const columns = [...matrix.matchAll(/<th class="num">([^<]+)<\/th>/g)].map((m) => m[1]);
  assert.deepEqual(columns.slice(0, 6), ['rows', 'duckdb', 'polars', 'mapreduce', 'dataframe', 'clickhouse']);
  for (const v of variants) assert.ok(!columns.includes(v), `no column for ${v}`);
  assert.ok(!matrix.includes('OLAP loading'), 'custom scenarios have no matrix row');
  assert.ok(!withoutScripts(html).includes('a variant of the olap-load scenario'), 'no summary line per variant');
  // Without variants there is no note.
  assert.ok(!renderReport(results, { scripts }).includes('Not ranked: the variants'));
});

test('notes most cells of a size share are shown once above its table, naming the cells without them', () => {
  const results = fixtureResults();
  const base = results.cells.find((c) => c.scenario === 'olap-load' && c.status.kind === 'ok')!;
  const noted = (engine: string, notes: string[]): CellResult => ({ ...base, engine, metrics: { ...base.metrics!, notes } });
  const cells = [
    noted('a/x', ['how every variant is timed', 'measured by a few', 'only a']),
    noted('b/x', ['how every variant is timed', 'measured by a few']),
    noted('c/x', ['how every variant is timed', 'measured by a few']),
    noted('d/x', ['how every variant is timed']),
  ];
  const html = section(renderReport({ ...results, cells: [...results.cells.filter((c) => c.scenario !== 'olap-load'), ...cells] }, { scripts }), 'olap-load');
  const shared = html.slice(html.indexOf('<ul class="notes shared-notes">'), html.indexOf('<table class="cells"'));
  assert.match(shared, /<li>Every cell: how every variant is timed<\/li>/);
  assert.match(shared, /<li>Every cell except <strong>d\/x<\/strong>: measured by a few<\/li>/);
  assert.ok(!shared.includes('only a'));
  const table = html.slice(html.indexOf('<table class="cells"'));
  assert.equal(table.split('how every variant is timed').length, 1, 'a shared note is not repeated in the rows');
  assert.equal(table.split('only a').length, 2, "a cell's own note stays in its row");
});

test('baseline deltas: beyond-noise changes, status changes and new cells', () => {
  const current = fixtureResults();
  const base = fixtureResults();
  const cells = base.cells.map((c) => {
    if (c.scenario === 'groupby-count' && c.rows === 100_000 && c.engine === 'duckdb') return { ...c, stats: statsOf(samplesAround(c.stats!.medianMs * 2, 0.01)) };
    if (c.scenario === 'groupby-count' && c.rows === 100_000 && c.engine === 'dataframe') return { ...c, status: { kind: 'ok' as const }, stats: statsOf(samplesAround(3000)) };
    return c;
  }).filter((c) => !(c.scenario === 'olap-load' && c.engine === 'duckdb-file/bulk'));
  const baseline: RunResults = { ...base, cells };
  const index = indexBaseline(baseline);
  const find = (engine: string, rows: number, scenario = 'groupby-count') => current.cells.find((c) => c.scenario === scenario && c.engine === engine && c.rows === rows)!;

  const faster = baselineDelta(find('duckdb', 100_000), index);
  assert.ok(faster?.kind === 'timed');
  assert.equal(faster.verdict, 'faster');
  assert.ok(Math.abs(faster.change + 0.5) < 0.02, String(faster.change));
  assert.deepEqual(baselineDelta(find('dataframe', 100_000), index), { kind: 'status', before: 'ok', after: 'timeout' });
  assert.equal((baselineDelta(find('polars', 1000), index) as { verdict: string }).verdict, 'within noise');
  assert.deepEqual(baselineDelta(find('duckdb-file/bulk', 10_000, 'olap-load'), index), { kind: 'new' });
  assert.equal(baselineDelta(find('clickhouse', 1000), index), null);

  const html = renderReport(current, { scripts, baseline });
  assert.match(html, /<th>vs baseline<\/th>/);
  assert.match(sizeTable(section(html, 'groupby-count'), 100_000), /delta-faster nowrap">−50\.\d% \(faster\)/);
  assert.match(html, /was OK, now TIMEOUT/);
  assert.match(html, /not in baseline/);
  assert.doesNotMatch(renderReport(current, { scripts }), /vs baseline/);
});

test('header shows run date, environment and settings; undeclared scenarios and empty runs still render', () => {
  const results = fixtureResults();
  const html = renderReport(
    { ...results, cells: [...results.cells, { scenario: 'ghost', engine: 'duckdb', rows: 5, status: { kind: 'error', message: 'gone' } }] },
    { scripts },
  );
  assert.match(html, /<dt>Run<\/dt><dd>2026-03-14 09:26 UTC \(took 251 s\)/);
  assert.match(html, /Test CPU &lt;3 GHz&gt; · 2 cores · 24\.00 GiB RAM/);
  assert.match(html, /<code>@duckdb\/node-api<\/code> 1\.5\.6-r\.1/);
  assert.match(html, /10 timed iterations after 3 warm-up; budget 60\.0 s per cell; reference engine <code>duckdb<\/code>/);
  const scaled = renderReport({ ...results, settings: { ...results.settings, budgetMs: 0 } }, { scripts });
  assert.match(scaled, /budget per cell scaled by size \(see each cell\); reference engine/, 'budget 0 means scaled by size, not 0 ms');
  assert.match(section(html, 'ghost'), /not described in the results file/);

  const empty = renderReport({ ...results, scenarios: [], cells: [], ranking: [] }, { scripts });
  assert.deepEqual(chartsOf(empty), []);
  assert.ok(!withoutScripts(empty).includes('<canvas'), 'no canvas without charts');
});

test('a baseline comparison the runner embedded in the results is shown without --baseline', () => {
  const results: RunResults = {
    ...fixtureResults(),
    baseline: {
      file: 'out/<old>.json',
      baselineStartedAt: '2026-03-01T08:00:00.000Z',
      changes: [
        { scenario: 'groupby-count', engine: 'duckdb', rows: 1000, baselineMedianMs: 4, medianMs: 2, changePct: -50, beyondNoise: true },
        { scenario: 'groupby-count', engine: 'polars', rows: 1000, baselineMedianMs: 1.5, medianMs: 1.6, changePct: 6.7, beyondNoise: false },
      ],
      statusChanges: [{ scenario: 'groupby-count', engine: 'dataframe', rows: 100_000, from: 'ok' as const, to: 'timeout' as const }],
      unmatched: 0,
    },
  };
  const html = renderReport(results, { scripts });
  assert.match(html, /compared with <code>out\/&lt;old&gt;\.json<\/code>, the run of 2026-03-01 08:00 UTC/);
  const small = sizeTable(section(html, 'groupby-count'), 1000);
  assert.match(small, /data-engine="duckdb"[^\n]*−50\.0% \(faster\)/);
  assert.match(small, /data-engine="polars"[^\n]*\+6\.7% \(within noise\)/);
  assert.match(sizeTable(section(html, 'groupby-count'), 100_000), /was OK, now TIMEOUT/);
  const malformed = renderReport({ ...fixtureResults(), baseline: { changes: 'nope' } } as unknown as RunResults, { scripts });
  assert.ok(!malformed.includes('<th>vs baseline</th>'), 'a malformed embedded comparison is ignored');
});
