// The cell process started on standby: it runs nothing until handed a spec, signals when its timed work is over
// (when the runner starts the next standby), takes its budget from the hand-over, and leaves no process behind.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadDataset } from '../../datasets/cache.ts';
import type { CellSpec } from '../../harness/cell-protocol.ts';
import { CellProcess } from '../../harness/supervisor.ts';
import type { WrittenResults } from '../../harness/runner.ts';
import { runCli } from './run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'enginebench-cellproc-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const processesOf = (label: string): string[] =>
  execFileSync('ps', ['-eo', 'args']).toString().split('\n').filter((l) => l.includes(label) && l.includes('--standby'));

function spec(name: string, budgetMs: number, engine = 'dag'): CellSpec {
  return {
    scenario: 'groupby-count',
    engine,
    rows: 2000,
    seed: 42,
    iterations: 2,
    warmup: 0,
    budgetMs,
    options: {},
    memoryBudgetBytes: 2 ** 30,
    extensions: [],
    cacheDir: join(dir, 'cache'),
    workDir: join(dir, `${name}-work`),
    resultPath: join(dir, `${name}.arrow`),
    reportPath: join(dir, `${name}.report.json`),
    eventsPath: join(dir, `${name}.events.json`),
  };
}

test('a standby waits for its spec, runs it, signals the end of its timed work before it ends, and is gone after', async () => {
  await loadDataset({ dataset: 'user_events' }, 2000, { seed: 42, cacheDir: join(dir, 'cache') });
  const label = join(dir, 'label-a');
  const p = CellProcess.start({ maxOldSpaceMb: 1024, label });
  // Booted for a while with nothing to do: it must still be waiting, not have run or exited.
  await new Promise((r) => setTimeout(r, 3000));
  assert.equal(processesOf(label).length, 1);
  const events: string[] = [];
  const report = await p.run(spec('a', 120_000), { specPath: join(dir, 'a.spec.json'), onTimedWorkDone: () => events.push('timed work done') });
  events.push('ended');
  assert.equal(report.status.kind, 'ok', JSON.stringify(report.status));
  assert.equal(report.stats!.samplesMs.length, 2);
  assert.deepEqual(events, ['timed work done', 'ended']);
  assert.deepEqual(processesOf(label), []);
  await assert.rejects(p.run(spec('a2', 1000), { specPath: join(dir, 'a2.spec.json') }), /a cell process runs one cell/);
});

test('the budget counts from the hand-over, not from the boot; an unused standby is disposed of', async () => {
  const label = join(dir, 'label-b');
  const p = CellProcess.start({ maxOldSpaceMb: 1024, label });
  // Longer than the budget: counted from the spawn, it would be spent. The budget itself is ~8x what the cell takes on
  // an idle machine (1.4 s), because CI runs this beside other test files on two cores and once took over 5 s.
  await new Promise((r) => setTimeout(r, 12_500));
  const report = await p.run(spec('b', 12_000, 'duckdb'), { specPath: join(dir, 'b.spec.json') });
  assert.equal(report.status.kind, 'ok', JSON.stringify(report.status));
  const unused = CellProcess.start({ maxOldSpaceMb: 1024, label: join(dir, 'label-c') });
  await new Promise((r) => setTimeout(r, 500));
  unused.dispose();
  await new Promise((r) => setTimeout(r, 500));
  assert.deepEqual(processesOf(join(dir, 'label-c')), []);
});

test('a bench run leaves no standby behind', async () => {
  const out = join(dir, 'out');
  const run = await runCli(['--scenarios', 'groupby-count', '--engines', 'dag', '--sizes', '2k', '--iterations', '1', '--warmup', '0', '--out', out]);
  assert.equal(run.code, 0, run.stderr);
  const r = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')) as WrittenResults;
  assert.deepEqual(r.cells.map((c) => c.status.kind), ['ok', 'ok']);
  assert.deepEqual(processesOf(out), []);
});
