// Row counts, durations and budgets as the CLI reads and prints them; how failures map to cell statuses.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EngineError } from '../../engines/engine.ts';
import { defaultBudgetMs, iterationsThatFit } from '../../harness/budget.ts';
import { statusOfError, statusOfExit } from '../../harness/status.ts';
import { formatMs, formatRows, parseDuration, parseRows } from '../../harness/units.ts';

test('parseRows accepts 1e5, 100k, 1m, 2.5m and plain numbers', () => {
  assert.equal(parseRows('1e5'), 100_000);
  assert.equal(parseRows('100k'), 100_000);
  assert.equal(parseRows('1M'), 1_000_000);
  assert.equal(parseRows('2.5m'), 2_500_000);
  assert.equal(parseRows('5000'), 5000);
  for (const bad of ['', 'ten', '0', '-5', '1.5', '1x']) assert.throws(() => parseRows(bad), /invalid size/, bad);
});

test('formatRows prints the short form', () => {
  assert.deepEqual([5000, 100_000, 1_000_000, 2_500_000, 10_000_000, 123].map(formatRows), ['5k', '100k', '1m', '2.5m', '10m', '123']);
});

test('parseDuration reads ms, s, m, h and bare seconds', () => {
  assert.equal(parseDuration('60s'), 60_000);
  assert.equal(parseDuration('2m'), 120_000);
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('1.5'), 1500);
  assert.throws(() => parseDuration('soon'), /invalid duration/);
  assert.throws(() => parseDuration('0s'), /invalid duration/);
});

test('formatMs picks a unit', () => {
  assert.equal(formatMs(0.5), '0.500 ms');
  assert.equal(formatMs(12.34), '12.3 ms');
  assert.equal(formatMs(1234), '1.23 s');
  assert.equal(formatMs(120_000), '2.0 min');
});

test('default budget: 30 s floor, then 60 s per million rows', () => {
  assert.equal(defaultBudgetMs(1000), 30_000);
  assert.equal(defaultBudgetMs(1_000_000), 60_000);
  assert.equal(defaultBudgetMs(10_000_000), 600_000);
});

test('iterationsThatFit trims to the remaining budget but keeps at least one', () => {
  assert.equal(iterationsThatFit({ requested: 10, warmup: 1, coldMs: 1000, remainingMs: 5000 }), 3);
  assert.equal(iterationsThatFit({ requested: 5, warmup: 1, coldMs: 1, remainingMs: 60_000 }), 5);
  assert.equal(iterationsThatFit({ requested: 5, warmup: 0, coldMs: 10_000, remainingMs: 1000 }), 1);
});

test('with a time target, slow cells run fewer iterations but at least 3; fast ones all they asked for', () => {
  const base = { requested: 5, warmup: 1, remainingMs: 600_000, targetMs: 10_000 };
  assert.equal(iterationsThatFit({ ...base, coldMs: 100 }), 5);
  assert.equal(iterationsThatFit({ ...base, coldMs: 2000 }), 4);
  assert.equal(iterationsThatFit({ ...base, coldMs: 8000 }), 3);
  assert.equal(iterationsThatFit({ ...base, coldMs: 8000, targetMs: null }), 5);
  // The budget still wins over the floor of 3.
  assert.equal(iterationsThatFit({ ...base, coldMs: 8000, remainingMs: 25_000 }), 1);
  assert.equal(iterationsThatFit({ ...base, requested: 2, coldMs: 8000 }), 2);
});

test('EngineError codes map to statuses', () => {
  assert.deepEqual(statusOfError(new EngineError('over budget', 'out-of-memory')), { kind: 'oom', reason: 'over budget' });
  assert.deepEqual(statusOfError(new EngineError('no server', 'unavailable')), { kind: 'unavailable', reason: 'no server' });
  assert.deepEqual(statusOfError(new EngineError('no udf', 'unsupported')), { kind: 'unsupported', reason: 'no udf' });
  assert.deepEqual(statusOfError(new EngineError('task 3 failed 4 times\nmore', 'task-failed')), { kind: 'error', message: 'task 3 failed 4 times' });
  assert.equal(statusOfError(new RangeError('Array buffer allocation failed')).kind, 'oom');
  const workerOom = Object.assign(new Error('Worker terminated due to reaching memory limit: JS heap out of memory'), { code: 'ERR_WORKER_OUT_OF_MEMORY' });
  assert.equal(statusOfError(workerOom).kind, 'oom');
  assert.deepEqual(statusOfError(new TypeError('x is undefined')), { kind: 'error', message: 'TypeError: x is undefined' });
});

test('child exits map to timeout, oom or a one-line error', () => {
  const base = { code: null, signal: null, stderr: '', timedOut: false, budgetMs: 1000, maxOldSpaceMb: 128 };
  assert.deepEqual(statusOfExit({ ...base, timedOut: true, signal: 'SIGKILL' }), { kind: 'timeout', budgetMs: 1000 });
  const heap = 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory\n 1: 0xb8 node::Abort()';
  assert.equal(statusOfExit({ ...base, code: 134, signal: 'SIGABRT', stderr: heap }).kind, 'oom');
  assert.equal(statusOfExit({ ...base, signal: 'SIGKILL' }).kind, 'oom');
  const crash = statusOfExit({ ...base, code: 1, stderr: 'Error: bad thing\n    at foo (x.ts:1:1)\nNode.js v20.0.0\n' });
  assert.deepEqual(crash, { kind: 'error', message: 'cell process exited with code 1: Error: bad thing' });
});
