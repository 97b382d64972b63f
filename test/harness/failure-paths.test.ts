// The runner's failure paths with real child processes: a cell killed on its budget (TIMEOUT), the other cells of
// its group left without a reference, a custom scenario's own check (WRONG), an unavailable variant and a child
// that exhausts its heap (OOM). The run always goes on and writes its results.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { WrittenResults } from '../../harness/runner.ts';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { runCli, startCli, TEST_EXTENSION } from './run-cli.ts';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tempOut = (prefix: string): string => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
};

test('a UDF that never returns is killed at its 1 s budget and marked TIMEOUT; the run goes on', async () => {
  const out = tempOut('enginebench-timeout-');
  const started = Date.now();
  const run = await runCli([
    '--extension', TEST_EXTENSION, '--scenarios', 'test-spin-udf', '--engines', 'test-drop-row',
    '--sizes', '2k', '--budget', '1s', '--out', out,
  ]);
  assert.equal(run.code, 0, run.stderr);
  assert.ok(Date.now() - started < 60_000, 'the spinning child was killed, not waited for');
  const r = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')) as WrittenResults;
  assert.deepEqual(r.cells.map((c) => [c.engine, c.status]), [
    ['duckdb', { kind: 'timeout', budgetMs: 1000 }],
    ['test-drop-row', { kind: 'error', message: 'no reference result (duckdb: timeout)' }],
  ]);
  assert.match(run.stdout, /TIMEOUT 1\.00 s/);
  assert.deepEqual(r.ranking, [], 'no engine has a time, so nobody is ranked');
});

test('custom scenario: own samples and series, failing check is WRONG, unavailable variant, heap exhaustion is OOM', async () => {
  const out = tempOut('enginebench-custom-');
  const run = await runCli([
    '--extension', TEST_EXTENSION, '--scenarios', 'test-custom-sum', '--sizes', '2k', '--iterations', '3',
    '--max-heap', '96', '--budget', '120s', '--out', out,
  ]);
  assert.equal(run.code, 0, run.stderr);
  const r = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')) as WrittenResults;
  const byVariant = new Map(r.cells.map((c) => [c.engine, c]));
  const loop = byVariant.get('loop')!;
  assert.deepEqual(loop.status, { kind: 'ok' });
  assert.equal(loop.stats!.samplesMs.length, 3);
  assert.equal(loop.series!['ms per iteration']!.length, 3);
  assert.deepEqual(byVariant.get('off-by-one')!.status, { kind: 'wrong', diff: 'sum was 2000999, expected 2001000' });
  assert.deepEqual(byVariant.get('gpu')!.status, { kind: 'unavailable', reason: 'no GPU in a test' });
  const hog = byVariant.get('hog')!;
  assert.equal(hog.status.kind, 'oom', JSON.stringify(hog.status));
  assert.match((hog.status as { reason: string }).reason, /heap out of memory \(--max-old-space-size=96 MB\)/);
  assert.equal(r.engines.find((e) => e.name === 'loop')!.role, 'variant');
  assert.deepEqual(r.ranking, [], 'custom scenarios are not ranked');
});

/** Wait until a cell spec matching `pattern` exists under `out` (its process is starting), then Ctrl-C the runner. */
async function interruptOnceSpecWritten(out: string, pattern: string, child: { kill(signal: NodeJS.Signals): boolean }): Promise<void> {
  const deadline = Date.now() + 90_000;
  const written = (): boolean => {
    const runs = join(out, 'runs');
    return existsSync(runs) && execFileSync('find', [runs, '-name', pattern]).toString().trim() !== '';
  };
  while (!written() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 500));
  child.kill('SIGINT');
}

test('Ctrl-C after some cells: the running cell is killed, the finished cells are written and marked interrupted', async () => {
  const out = tempOut('enginebench-sigint-partial-');
  const { child, done } = startCli([
    '--extension', TEST_EXTENSION, '--scenarios', 'groupby-count,test-spin-udf', '--engines', 'duckdb', '--sizes', '2k',
    '--budget', '120s', '--out', out,
  ]);
  // The second cell (the spinning UDF) has started once its spec file exists.
  await interruptOnceSpecWritten(out, '1.spec.json', child);
  const run = await done;
  assert.equal(run.code, 130, run.stderr);
  assert.match(run.stderr, /interrupted \(SIGINT\): the running cell was killed; writing the results of the 1 finished cell/);
  const r = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')) as WrittenResults;
  assert.deepEqual(r.interrupted, { signal: 'SIGINT', cellsPlanned: 2 });
  assert.deepEqual(r.cells.map((c) => [c.scenario, c.engine, c.status.kind]), [['groupby-count', 'duckdb', 'ok']], 'the killed cell is not recorded');
  assert.deepEqual(r.ranking.map((x) => x.engine), ['duckdb']);
  assert.match(run.stdout, /Interrupted: stopped by SIGINT after 1 of 2 cells/);
  assert.match(readFileSync(join(out, 'latest.html'), 'utf8'), /stopped by SIGINT after 1 of 2 cells/);
  assert.equal(execFileSync('find', [join(out, 'runs'), '-name', '*.arrow']).toString().trim(), '', 'finished cells\' result tables are dropped as in a whole run');
  const survivors = execFileSync('ps', ['-eo', 'args']).toString().split('\n').filter((l) => l.includes(out) && l.includes('cell'));
  assert.deepEqual(survivors, [], 'no orphaned cell process');
});

test('Ctrl-C kills the running cell (its own process group) and exits 130 without writing results', async () => {
  const out = tempOut('enginebench-sigint-');
  const { child, done } = startCli([
    '--extension', TEST_EXTENSION, '--scenarios', 'test-spin-udf', '--sizes', '2k', '--budget', '120s', '--out', out,
  ]);
  // Wait until the cell's child process is running (its spec file appears), then interrupt the runner.
  await interruptOnceSpecWritten(out, '*.spec.json', child);
  const run = await done;
  assert.equal(run.code, 130, run.stderr);
  assert.match(run.stderr, /interrupted \(SIGINT\): the running cell was killed; no results written/);
  assert.ok(!existsSync(join(out, 'latest.json')));
  const survivors = execFileSync('ps', ['-eo', 'args']).toString().split('\n').filter((l) => l.includes(out) && l.includes('cell.ts'));
  assert.deepEqual(survivors, [], 'no orphaned cell process');
});
