// The compiled cell entry: it runs, paths relative to source files survive bundling, and a real run through it
// (worker threads, UDFs serialised to other processes, the dataset cache) gives the same verdicts as through tsx.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, test } from 'node:test';
import { THREAD_ENTRIES } from '../../engines/thread-entry.ts';
import { buildCellBundle } from '../../harness/cell-bundle.ts';
import type { WrittenResults } from '../../harness/runner.ts';
import { runCli } from './run-cli.ts';

const out = mkdtempSync(join(tmpdir(), 'enginebench-bundle-'));
after(() => rmSync(out, { recursive: true, force: true }));

test('the compiled entry runs on its own and is removed by dispose', async () => {
  const bundle = await buildCellBundle(`test-${process.pid}`);
  assert.ok(!('failed' in bundle), 'failed' in bundle ? bundle.failed : '');
  assert.ok(existsSync(bundle.entry));
  // Every source module's import.meta.url was replaced by its own file's URL, never left as the bundle's.
  const code = readdirSync(dirname(bundle.entry)).filter((f) => f.endsWith('.js')).map((f) => readFileSync(join(dirname(bundle.entry), f), 'utf8')).join('\n');
  assert.doesNotMatch(code, /import\.meta\.url/);
  assert.match(code, /datasets\/cache\.ts"/, 'the dataset cache path is resolved against datasets/cache.ts');
  // Worker threads and helper processes start from compiled entries, which the bundle knows where to find.
  for (const name of Object.keys(THREAD_ENTRIES)) assert.ok(existsSync(join(dirname(bundle.entry), `${name}.js`)), name);
  assert.doesNotMatch(code, /ENGINEBENCH_BUNDLE_DIR/);
  assert.ok(code.includes(JSON.stringify(pathToFileURL(dirname(bundle.entry)).href + '/')));
  // apache-arrow is compiled in (its module-by-module load was a fifth of a cell's start); native packages are not:
  // CommonJS ones are required (no ESM pre-parse of their files), ESM-only ones imported.
  assert.doesNotMatch(code, /from "apache-arrow"/);
  assert.match(code, /__require\("@duckdb\/node-api"\)/);
  assert.doesNotMatch(code, /from "@duckdb\/node-api"|import\("@duckdb\/node-api"\)/);
  const run = spawnSync(process.execPath, [bundle.entry], { encoding: 'utf8' });
  assert.equal(run.status, 2);
  assert.match(run.stderr, /^usage: harness\/cell\.ts <spec\.json>/);
  bundle.dispose();
  assert.ok(!existsSync(dirname(bundle.entry)));
});

test('a run without extensions starts its cells from the compiled entry: workers, UDFs and the cache all work', async () => {
  // dag.udfMode=isolated sends the UDF to a helper process, started from its compiled entry too.
  const run = await runCli([
    '--scenarios', 'groupby-count,udf-upper',
    '--engines', 'dag,mapreduce,clickhouse',
    '--sizes', '2k',
    '--iterations', '2',
    '--warmup', '0',
    '--budget', '120s',
    '--engine-option', 'dag.udfMode=isolated',
    '--out', out,
  ]);
  assert.equal(run.code, 0, run.stderr);
  assert.doesNotMatch(run.stderr, /cells start through tsx/);
  const results = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')) as WrittenResults;
  assert.equal(results.cells.length, 8);
  for (const c of results.cells) assert.equal(c.status.kind, 'ok', `${c.engine} ${c.scenario}: ${JSON.stringify(c.status)}`);
  assert.ok(results.cells.every((c) => typeof c.wallMs === 'number' && c.wallMs > 0));
});
