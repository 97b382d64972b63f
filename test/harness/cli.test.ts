// The CLI as users meet it: unknown names and flags give one line listing the valid ones and exit 2 (no stack
// trace); --help and --list exit 0. Spawns the real CLI.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli, TEST_EXTENSION } from './run-cli.ts';

function assertUsageError(run: { code: number | null; stdout: string; stderr: string }, pattern: RegExp): void {
  assert.equal(run.code, 2, `exit code: ${run.stderr}`);
  const lines = run.stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('npm warn'));
  assert.equal(lines.length, 1, `one line expected, got:\n${run.stderr}`);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
  assert.equal(run.stdout, '');
}

test('unknown engine, scenario, suite, flag and bad size: one line, valid names listed, exit 2', async () => {
  const [engine, scenario, suite, flag, size] = await Promise.all([
    runCli(['--engines', 'duckdb,nosuch']),
    runCli(['--scenarios', 'groupby-cnt']),
    runCli(['--suite', 'tpch']),
    runCli(['--itterations', '3']),
    runCli(['--sizes', 'huge']),
  ]);
  assertUsageError(engine, /^bench: unknown engine 'nosuch'; valid engines: .*duckdb/);
  assertUsageError(scenario, /^bench: unknown scenario 'groupby-cnt'; valid scenarios: .*groupby-count/);
  assertUsageError(suite, /^bench: unknown suite 'tpch'; valid suites: .*foundation/);
  assertUsageError(flag, /^bench: unknown flag '--itterations'; valid flags: .*--iterations/);
  assertUsageError(size, /^bench: invalid size 'huge'/);
});

test('--help documents the flags and --list shows engines, suites and extension entries', async () => {
  const [help, list] = await Promise.all([runCli(['--help']), runCli(['--list', '--extension', TEST_EXTENSION])]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--engines NAMES/);
  assert.match(help.stdout, /--budget TIME/);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /duckdb\s+reference\s+models DuckDB/);
  assert.match(list.stdout, /Suite foundation:/);
  assert.match(list.stdout, /groupby-count\s+query\s+sizes /);
  assert.match(list.stdout, /dbb-join-q1\s+query\s+sizes 50k, 250k \(by default 250k\)/);
  assert.match(list.stdout, /test-scan-only .*\[extension\]/);
});

test('a missing extension module or baseline file is a one-line error', async () => {
  const [ext, baseline] = await Promise.all([
    runCli(['--extension', 'no/such/file.ts', '--list']),
    runCli(['--scenarios', 'groupby-count', '--sizes', '2k', '--baseline', '/nonexistent/old.json', '--out', '/tmp/enginebench-never-written']),
  ]);
  assert.equal(ext.code, 1);
  assert.match(ext.stderr, /^bench: extension module '.*no\/such\/file.ts' does not exist/m);
  assert.equal(baseline.code, 1);
  assert.match(baseline.stderr, /^bench: cannot read baseline file '\/nonexistent\/old.json'/m);
  assert.doesNotMatch(ext.stderr + baseline.stderr, /\n\s+at /);
});

test('an output folder that cannot be created is a one-line error before any cell runs, exit 2', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'enginebench-out-'));
  try {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'not a folder');
    const run = await runCli(['--scenarios', 'groupby-count', '--engines', 'duckdb', '--sizes', '1e3', '--out', join(file, 'out')]);
    assertUsageError(run, /^bench: cannot create the output folder '.*a-file\/out' \(ENOTDIR\); pass --out with a folder you can write to$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a bad engine-option value stops the run before any cell, as one line naming the option, exit 2', async () => {
  const out = '/tmp/enginebench-never-written-options';
  const [workers, batches, combiner, tableEngine] = await Promise.all([
    runCli(['--engine-option', 'dag.workers=0', '--scenarios', 'groupby-count', '--sizes', '1e3', '--out', out]),
    runCli(['--engine-option', 'olap.batchSizes=abc', '--scenarios', 'groupby-count', '--sizes', '1e3', '--out', out]),
    runCli(['--engine-option', 'mapreduce.combiner=maybe', '--scenarios', 'groupby-count', '--sizes', '1e3', '--out', out]),
    runCli(['--engine-option', 'clickhouse.tableEngine=Log; DROP TABLE x', '--scenarios', 'groupby-count', '--sizes', '1e3', '--out', out]),
  ]);
  assertUsageError(workers, /^bench: --engine-option: option dag\.workers must be an integer ≥ 1, got '0'/);
  assertUsageError(batches, /^bench: --engine-option: olap\.batchSizes must be a comma-separated list of positive integers/);
  assertUsageError(combiner, /^bench: --engine-option: option mapreduce\.combiner=maybe is invalid/);
  assertUsageError(tableEngine, /^bench: --engine-option: option clickhouse\.tableEngine must be Memory or MergeTree, got 'Log; DROP TABLE x'/);
});
