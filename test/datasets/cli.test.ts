// The datasets CLI, run as users run it (tsx in a child process): list, generate, and one-line errors with
// exit code 2 for unknown names, parameters and malformed numbers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const TSX = join(REPO, 'node_modules', '.bin', 'tsx');

function run(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(TSX, ['datasets/cli.ts', ...args], { cwd: REPO, encoding: 'utf8', env: { ...process.env, DEBUG: '' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('list shows every dataset, its tables, documented columns and params', () => {
  const r = run('list');
  assert.equal(r.code, 0, r.stderr);
  for (const name of ['user_events', 'retail', 'taxi_trips', 'dbbench_groupby', 'dbbench_join']) assert.match(r.stdout, new RegExp(`^${name}$`, 'm'));
  assert.match(r.stdout, /table transactions — .*rows: rows/);
  assert.match(r.stdout, /table small — .*rows: max\(10, round\(rows \/ 1e6\)\)/);
  assert.match(r.stdout, /customer_id\s+int32\s+5-digit customer id/);
  assert.match(r.stdout, /param zipfExponent \(default 1\)/);
});

test('generate writes Arrow files, prints where, rows and the rate; the second run reuses the cache', () => {
  const cacheDir = mkdtempSync(join(tmpdir(), 'enginebench-cli-'));
  try {
    const r = run('generate', 'user_events', '--rows', '2e3', '--seed', '5', '--param', 'skew=zipf', '--param', 'users=50', '--cache-dir', cacheDir);
    assert.equal(r.code, 0, r.stderr);
    const file = r.stdout.split('\n')[0]!.split('  ')[0]!;
    assert.ok(file.startsWith(join(cacheDir, 'user_events')) && file.endsWith('user_events.arrow') && existsSync(file), r.stdout);
    assert.match(r.stdout, /2,000 rows/);
    assert.match(r.stdout, /generated 2,000 rows in \d+ ms: [\d.]+ million rows\/s \(seed 5\)/);
    const again = run('generate', 'user_events', '--rows', '2000', '--seed', '5', '--param', 'users=50', '--param', 'skew=zipf', '--cache-dir', cacheDir);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /already cached/);
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
});

for (const [args, message] of [
  [['generate', 'retial', '--rows', '10'], /unknown dataset 'retial'; valid datasets: user_events, retail, taxi_trips, dbbench_groupby, dbbench_join/],
  [['generate', 'retail', '--rows', 'ten'], /--rows must be a non-negative whole number such as 1000 or 1e6, got 'ten'/],
  [['generate', 'retail', '--rows', '1.5'], /--rows must be a non-negative whole number/],
  [['generate', 'retail'], /needs --rows N/],
  [['generate', 'user_events', '--rows', '10', '--param', 'colour=red'], /no parameter 'colour'; valid parameters: users, skew, zipfExponent/],
  [['generate', 'user_events', '--rows', '10', '--param', 'skew=lumpy'], /'skew' of 'user_events' must be one of uniform, zipf, got 'lumpy'/],
  [['generate', 'dbbench_groupby', '--rows', '10', '--param', 'k=abc'], /'k' of 'dbbench_groupby' must be a number, got 'abc'/],
  [['generate', 'retail', '--rows', '10', '--seed', '-1'], /--seed must be/],
  [['generate', 'retail', '--rows', '10', '--fast'], /unknown option '--fast'; valid options: --rows, --seed, --param, --cache-dir, --force/],
  [['frobnicate'], /unknown command 'frobnicate'; valid commands: list, generate, bench/],
] as const) {
  test(`'${args.join(' ')}' fails with one line and exit code 2`, () => {
    const r = run(...args);
    assert.equal(r.code, 2, `exit code; stderr: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line, no stack trace: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /\bat \S+ \(/);
  });
}

test('--help prints the usage', () => {
  const r = run('--help');
  assert.equal(r.code, 0);
  assert.match(r.stdout, /npm run datasets -- generate NAME --rows N/);
});
