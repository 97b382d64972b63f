// Sample statistics against hand-computed values, plus invariants over random samples.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { quantileSorted, summarise, tCritical95 } from '../../harness/stats.ts';

const close = (actual: number, expected: number, eps = 1e-3): void =>
  assert.ok(Math.abs(actual - expected) <= eps, `expected ${expected}, got ${actual}`);

test('summarise: median, mean, p99 and the Student-t 95% CI of five samples', () => {
  // sorted 10..14: mean 12, sample variance 2.5, sem √(2.5/5) = 0.70711, t(4) = 2.776 → half-width 1.96293.
  const s = summarise([10, 12, 11, 13, 14]);
  assert.deepEqual(s.samplesMs, [10, 12, 11, 13, 14], 'samples keep their order');
  assert.equal(s.medianMs, 12);
  assert.equal(s.meanMs, 12);
  assert.equal(s.minMs, 10);
  assert.equal(s.maxMs, 14);
  close(s.p99Ms, 13.96); // position 0.99 × 4 = 3.96 between 13 and 14
  close(s.ci95Ms[0], 12 - 1.96293);
  close(s.ci95Ms[1], 12 + 1.96293);
});

test('summarise: even count takes the mean of the middle two; one sample has a zero-width CI', () => {
  assert.equal(summarise([4, 1, 3, 2]).medianMs, 2.5);
  const one = summarise([7]);
  assert.deepEqual([one.medianMs, one.p99Ms, ...one.ci95Ms], [7, 7, 7, 7]);
  assert.throws(() => summarise([]), /zero samples/);
});

test('summarise: two samples use t(1) = 12.706', () => {
  // mean 11, variance 2, sem 1 → half-width 12.706
  const s = summarise([10, 12]);
  close(s.ci95Ms[0], 11 - 12.706);
  close(s.ci95Ms[1], 11 + 12.706);
});

test('tCritical95: table values, interpolation in 1/df, and the normal limit', () => {
  assert.equal(tCritical95(1), 12.706);
  assert.equal(tCritical95(9), 2.262);
  close(tCritical95(35), 2.030); // published value 2.030
  close(tCritical95(1000), 1.962); // published value 1.9623
  assert.throws(() => tCritical95(0), /degree of freedom/);
});

test('quantileSorted interpolates linearly between order statistics', () => {
  assert.equal(quantileSorted([0, 10], 0.25), 2.5);
  assert.equal(quantileSorted([5], 0.99), 5);
});

test('summarise: invariants over random samples', () => {
  fc.assert(
    fc.property(fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 50 }), (xs) => {
      const s = summarise(xs);
      const eps = 1e-6 * Math.max(1, s.maxMs);
      assert.ok(s.minMs <= s.medianMs + eps && s.medianMs <= s.maxMs + eps);
      assert.ok(s.medianMs <= s.p99Ms + eps && s.p99Ms <= s.maxMs + eps);
      assert.ok(s.ci95Ms[0] <= s.meanMs + eps && s.meanMs <= s.ci95Ms[1] + eps);
      const shuffled = summarise([...xs].reverse());
      assert.equal(shuffled.medianMs, s.medianMs);
      assert.equal(shuffled.p99Ms, s.p99Ms);
    }),
  );
});
