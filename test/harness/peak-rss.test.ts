// Peak RSS is the cell's own: a child spawned by a process holding a lot of memory does not report the parent's.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./fixtures/print-peak-rss.ts', import.meta.url));
const MiB = 2 ** 20;

test('a cell spawned by a parent holding 400 MiB reports its own peak RSS, not the inherited high-water mark', () => {
  const held = Buffer.alloc(400 * MiB, 1); // touched pages: resident in this (the parent) process
  const child = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', SCRIPT], { encoding: 'utf8' })) as { peak: number; maxRss: number };
  assert.ok(held[held.length - 1] === 1);
  assert.ok(child.peak > 10 * MiB, `a Node process uses some memory: ${child.peak}`);
  assert.ok(child.peak < 300 * MiB, `the child's own peak, got ${(child.peak / MiB).toFixed(0)} MiB`);
  // Where getrusage carries the parent's mark over (Linux), this is the error the measure avoids.
  if (process.platform === 'linux') assert.ok(child.maxRss >= 400 * MiB, `maxRSS inherited: ${(child.maxRss / MiB).toFixed(0)} MiB`);
});
