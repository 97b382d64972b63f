// Opens a generated report in headless Debian Chromium from file:// and checks that every chart rendered: each
// <canvas> has a size and drawn pixels, error bars are drawn, nothing external was requested, no console errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { renderReport } from '../../reports/html.ts';
import { fixtureResults } from './fixtures.ts';

// The test's page functions run in the browser; tsconfig has no DOM lib, so these stay local to this module.
declare const document: any;
declare const window: any;

const CHROMIUM = '/usr/bin/chromium';
const REQUIRED = process.env.ENGINEBENCH_REQUIRE_BROWSER === '1';

test('the report renders every chart in headless Chromium from file:// without errors or network', { timeout: 120_000 }, async (t) => {
  if (!existsSync(CHROMIUM)) {
    const message = `${CHROMIUM} is missing: install it with \`apt-get install -y chromium\` (never downloaded by the tests)`;
    if (REQUIRED) assert.fail(`ENGINEBENCH_REQUIRE_BROWSER=1 but ${message}`);
    t.skip(message);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'enginebench-browser-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'report.html');
  writeFileSync(file, renderReport(fixtureResults()));

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  t.after(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  const external: string[] = [];
  page.on('request', (req) => {
    if (!/^(file|data|blob):/.test(req.url())) external.push(req.url());
  });

  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  await page.waitForFunction(() => document.documentElement.dataset.chartsRendered !== undefined, undefined, { timeout: 30_000 });
  // Warnings count while the page renders; afterwards this test's own pixel reads cause Chrome's getImageData
  // performance hint, so only errors count from here on.
  const problemsWhileRendering = [...problems];

  const canvases = await page.evaluate(() =>
    [...document.querySelectorAll('canvas')].map((canvas: any) => {
      const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      let painted = 0;
      const colours = new Set<number>();
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3]! > 0) {
          painted++;
          if (colours.size < 64) colours.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
        }
      }
      return { id: canvas.id, kind: canvas.dataset.kind, width: canvas.width, height: canvas.height, painted, colours: colours.size };
    }),
  );
  const specCount = await page.evaluate(() => JSON.parse(document.getElementById('enginebench-charts').textContent).length as number);
  const rendered = await page.evaluate(() => Number(document.documentElement.dataset.chartsRendered));
  assert.ok(canvases.length >= 10, `expected the fixture's charts, got ${canvases.length}`);
  assert.equal(rendered, canvases.length, 'every canvas got a chart');
  assert.equal(specCount, canvases.length);
  assert.deepEqual([...new Set(canvases.map((c) => c.kind))].sort(), ['bars', 'scaling', 'series', 'timeline']);
  for (const c of canvases) {
    assert.ok(c.width > 0 && c.height > 0, `${c.id} has zero size`);
    assert.ok(c.painted / (c.width * c.height) > 0.01, `${c.id} (${c.kind}) is blank: ${c.painted} painted pixels`);
    assert.ok(c.colours > 3, `${c.id} (${c.kind}) has only ${c.colours} colours`);
  }

  // The error-bar plugin drew a dark cap at the top of the CI of the first bar chart's mapreduce bar, above the bar.
  const cap = await page.evaluate(() => {
    const canvas = document.querySelector('canvas[data-kind="bars"]');
    const chart = window.Chart.getChart(canvas);
    const index = chart.data.labels.indexOf('mapreduce');
    const bar = chart.getDatasetMeta(0).data[index];
    const high = chart.data.datasets[0].errorBars[index][1];
    const y = chart.scales.y.getPixelForValue(high);
    const ratio = canvas.width / canvas.clientWidth;
    const { data } = canvas.getContext('2d').getImageData(Math.round(bar.x * ratio) - 2, Math.round(y * ratio) - 2, 5, 5);
    let darkest = 255 * 3;
    for (let i = 0; i < data.length; i += 4) if (data[i + 3]! > 128) darkest = Math.min(darkest, data[i]! + data[i + 1]! + data[i + 2]!);
    return { darkest, capAboveBar: y < bar.y - 2 };
  });
  assert.ok(cap.capAboveBar, 'fixture CI reaches above the bar');
  assert.ok(cap.darkest < 150, `no whisker cap drawn at the CI top (darkest ${cap.darkest})`);

  const injected = await page.evaluate(() => ({
    pwned: window.__pwned,
    elements: document.querySelectorAll('img, iframe, object, embed').length,
    scripts: document.querySelectorAll('script').length,
  }));
  assert.deepEqual(injected, { pwned: undefined, elements: 0, scripts: 4 }, 'hostile text stayed text');
  assert.deepEqual(external, [], 'no request left the file');
  assert.deepEqual(problemsWhileRendering, [], 'console errors or warnings while rendering');
  assert.deepEqual(problems.filter((p) => !p.startsWith('console warning')), [], 'console or page errors');
});
