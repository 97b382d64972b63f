// The report CLI as a user runs it: writes the HTML atomically, and every unusable input ends with one line on
// stderr and exit code 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixtureResults } from './fixtures.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function report(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'reports/cli.ts', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function assertOneLineError(r: ReturnType<typeof report>, pattern: RegExp): void {
  assert.equal(r.status, 2, `exit code, stderr: ${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line, got: ${r.stderr}`);
  assert.match(lines[0]!, /^report: /);
  assert.match(lines[0]!, pattern);
  assert.ok(!/\n\s+at /.test(r.stderr), 'no stack trace');
}

test('report CLI: writes the HTML next to the JSON by default and to --out, with a --baseline', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'enginebench-report-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const input = join(dir, 'results-2026-03-14.json');
  writeFileSync(input, JSON.stringify(fixtureResults()));

  const r1 = report([input]);
  assert.equal(r1.status, 0, r1.stderr);
  const html = readFileSync(join(dir, 'results-2026-03-14.html'), 'utf8');
  assert.match(html, /^<!DOCTYPE html>/);
  assert.ok(html.includes('data-scenario="groupby-count"'));
  assert.match(r1.stdout, /wrote .*results-2026-03-14\.html/);

  const out = join(dir, 'nested', 'r.html');
  const r2 = report([input, '--out', out, '--baseline', input]);
  assert.equal(r2.status, 0, r2.stderr);
  assert.ok(readFileSync(out, 'utf8').includes('<th>vs baseline</th>'));
  assert.deepEqual(readdirSync(join(dir, 'nested')), ['r.html'], 'no temporary file left behind');
});

test('report CLI: missing file, invalid JSON, another results version, a non-results file, bad arguments → one line, exit 2', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'enginebench-report-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, '{"version": 1, "cells": [');
  const v2 = join(dir, 'v2.json');
  writeFileSync(v2, JSON.stringify({ ...fixtureResults(), version: 2 }));
  const other = join(dir, 'package.json');
  writeFileSync(other, JSON.stringify({ name: 'x', version: '1.0.0' }));
  const broken = join(dir, 'broken.json');
  writeFileSync(broken, JSON.stringify({ ...fixtureResults(), cells: [{ scenario: 'a', engine: 'b', rows: 1, status: { kind: 'fine' } }] }));

  assertOneLineError(report([join(dir, 'missing.json')]), /cannot read results file .*missing\.json.*no such file/);
  assertOneLineError(report([bad]), /bad\.json' is not valid JSON/);
  assertOneLineError(report([v2]), /results version 2, but this report builder reads version 1/);
  assertOneLineError(report([other]), /results version "1\.0\.0"/);
  assertOneLineError(report([broken]), /cells\[0\] has an unknown status/);
  assertOneLineError(report([]), /missing the results JSON path/);
  assertOneLineError(report([bad, '--frobnicate']), /unknown option '--frobnicate'/);
  assertOneLineError(report([v2, '--baseline', join(dir, 'nope.json')]), /version 2|nope\.json/);
  assert.ok(!existsSync(join(dir, 'v2.html')), 'nothing written on error');
});
