// The dataframe engine's memory budget end to end: with a small --max-heap (the budget the harness hands engines)
// the engine refuses the data up front, and the results JSON, the terminal summary and the HTML report show the
// cell as OOM with the engine's one-line reason, not as a crash.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { WrittenResults } from '../../harness/runner.ts';
import { runCli } from './run-cli.ts';

const out = mkdtempSync(join(tmpdir(), 'enginebench-dataframe-oom-'));
after(() => rmSync(out, { recursive: true, force: true }));

test('dataframe over its memory budget: the cell is OOM "out of memory" in JSON, summary and report', async () => {
  // 300k user_events rows need about 0.16 GiB by the engine's model, over a 128 MiB budget.
  const run = await runCli([
    '--scenarios', 'groupby-count', '--engines', 'dataframe', '--sizes', '300k',
    '--max-heap', '128', '--iterations', '1', '--warmup', '0', '--budget', '120s', '--out', out,
  ]);
  assert.equal(run.code, 0, run.stderr);
  const r = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')) as WrittenResults;
  const reason = /^dataframe engine \(danfo\) would run out of memory loading 300000 rows .*: needs about [\d.]+ GiB, budget 0\.13 GiB; use the dag or mapreduce engine$/;
  const cells = new Map(r.cells.map((c) => [c.engine, c]));
  assert.deepEqual(cells.get('duckdb')!.status, { kind: 'ok' }, 'the reference still runs in the same heap');
  const refused = cells.get('dataframe')!;
  assert.equal(refused.status.kind, 'oom', JSON.stringify(refused.status));
  assert.match((refused.status as { reason: string }).reason, reason);
  assert.equal(refused.stats, undefined, 'a refused cell has no time');
  assert.doesNotMatch(run.stdout + run.stderr, /\n\s+at .*\(.*:\d+:\d+\)/, 'no stack trace');
  assert.match(run.stdout, /OOM/);
  const html = readFileSync(join(out, 'latest.html'), 'utf8');
  assert.match(html, /class="status status-oom">OOM<span class="reason">dataframe engine \(danfo\) would run out of memory loading 300000 rows/);
});
