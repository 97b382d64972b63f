// The random building blocks: the seeded PRNG, the alias sampler, distinct choice and the counting-sort order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { AliasTable, zipfWeights } from '../../datasets/alias.ts';
import { chooseDistinct, Prng, shuffleInPlace } from '../../datasets/prng.ts';
import { permute, sortOrder } from '../../datasets/sort-order.ts';

test('the same seed and label give the same stream; other seeds or labels give other streams', () => {
  const draw = (seed: number, label: string) => Array.from({ length: 8 }, ((r) => () => r.nextU32())(Prng.stream(seed, label)));
  assert.deepEqual(draw(42, 'a'), draw(42, 'a'));
  assert.notDeepEqual(draw(42, 'a'), draw(43, 'a'));
  assert.notDeepEqual(draw(42, 'a'), draw(42, 'b'));
  // Seeds above 2^32 are distinct from their low 32 bits.
  assert.notDeepEqual(draw(2 ** 32 + 5, 'a'), draw(5, 'a'));
});

test('int(n) stays in [0, n) and float() in [0, 1)', () => {
  fc.assert(
    fc.property(fc.nat({ max: 2 ** 40 }), fc.integer({ min: 1, max: 2 ** 31 }), (seed, n) => {
      const rng = Prng.stream(seed, 'range');
      for (let i = 0; i < 200; i++) {
        const v = rng.int(n);
        if (!(Number.isInteger(v) && v >= 0 && v < n)) return false;
        const f = rng.float();
        if (!(f >= 0 && f < 1)) return false;
      }
      return true;
    }),
  );
});

test('uniform draws are roughly uniform (chi-square over 10 buckets)', () => {
  const rng = Prng.stream(1, 'chi');
  const counts = new Array(10).fill(0);
  const n = 100_000;
  for (let i = 0; i < n; i++) counts[rng.int(10)]++;
  const chi = counts.reduce((s, c) => s + (c - n / 10) ** 2 / (n / 10), 0);
  assert.ok(chi < 30, `chi-square ${chi} too large for 9 degrees of freedom`); // p < 0.0005
});

test('the alias table reproduces its weights', () => {
  const table = new AliasTable([5, 0, 1, 4]);
  const rng = Prng.stream(7, 'alias');
  const counts = [0, 0, 0, 0];
  const n = 200_000;
  for (let i = 0; i < n; i++) counts[table.sample(rng)]!++;
  assert.equal(counts[1], 0, 'a zero weight is never drawn');
  assert.ok(Math.abs(counts[0]! / n - 0.5) < 0.01);
  assert.ok(Math.abs(counts[2]! / n - 0.1) < 0.01);
  assert.ok(Math.abs(counts[3]! / n - 0.4) < 0.01);
  assert.throws(() => new AliasTable([]), /at least one/);
  assert.throws(() => new AliasTable([0, 0]), /sum to zero/);
  assert.throws(() => new AliasTable([1, -1]), /finite and >= 0/);
});

test('zipf weights fall as 1/k^s', () => {
  const w = zipfWeights(4, 2);
  assert.deepEqual([...w], [1, 1 / 4, 1 / 9, 1 / 16]);
});

test('chooseDistinct marks exactly k distinct indices', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 500 }), fc.nat(), fc.nat(), (n, kRaw, seed) => {
      const k = n === 0 ? 0 : kRaw % (n + 1);
      const chosen = chooseDistinct(n, k, Prng.stream(seed, 'choose'));
      return chosen.length === n && chosen.reduce((s, x) => s + x, 0) === k;
    }),
  );
  assert.throws(() => chooseDistinct(3, 4, Prng.stream(1, 'x')), /cannot choose 4/);
});

test('shuffleInPlace permutes', () => {
  const a = Int32Array.from({ length: 1000 }, (_, i) => i);
  shuffleInPlace(a, Prng.stream(3, 'shuffle'));
  assert.notDeepEqual([...a], [...Array(1000).keys()]);
  assert.deepEqual([...a].sort((x, y) => x - y), [...Array(1000).keys()]);
});

test('sortOrder is a stable lexicographic sort (property: equals Array#sort on tuples)', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat({ max: 5 }), fc.nat({ max: 50 }), fc.nat({ max: 3 })), { maxLength: 200 }), (rows) => {
      const keys = [0, 1, 2].map((k) => Int32Array.from(rows, (r) => r[k]!));
      const order = [...sortOrder(keys)];
      const expected = rows
        .map((r, i) => [r, i] as const)
        .sort(([a, i], [b, j]) => a[0]! - b[0]! || a[1]! - b[1]! || a[2]! - b[2]! || i - j)
        .map(([, i]) => i);
      return JSON.stringify(order) === JSON.stringify(expected);
    }),
  );
  assert.deepEqual([...permute(new Int32Array([10, 20, 30]), new Int32Array([2, 0, 1]))], [30, 10, 20]);
  // Keys too wide to fuse (range above 2^20) take one pass each and sort the same way.
  const wide = [new Int32Array([3_000_000, 5, 3_000_000, 5]), new Int32Array([2, 9, 1, 9]), new Int32Array([0, 2_000_000, 7, 1])];
  assert.deepEqual([...sortOrder(wide)], [3, 1, 2, 0]);
});

/** Pearson's chi-square of observed counts against expected ones, cells with < 5 expected merged into neighbours. */
function chiSquare(observed: readonly number[], expected: readonly number[]): { stat: number; df: number } {
  let [stat, df, o, e] = [0, -1, 0, 0];
  for (let i = 0; i < expected.length; i++) {
    o += observed[i]!;
    e += expected[i]!;
    if (e >= 5 || i === expected.length - 1) {
      stat += ((o - e) * (o - e)) / e;
      df++;
      [o, e] = [0, 0];
    }
  }
  return { stat, df };
}

test('binomial follows the binomial distribution: chi-square against the exact probabilities, and moments at large n', () => {
  const rng = Prng.stream(5, 'test.binomial');
  // n up to 200 takes up to four Beta splits before the last trials are drawn one by one.
  for (const [n, p] of [[12, 0.4], [30, 0.35], [200, 0.07], [200, 0.5]] as const) {
    const samples = 20_000;
    const observed = new Array<number>(n + 1).fill(0);
    for (let s = 0; s < samples; s++) observed[rng.binomial(n, p)]!++;
    // P(X = x) by the recurrence P(x + 1) = P(x) · (n − x)/(x + 1) · p/(1 − p).
    const pmf = [Math.pow(1 - p, n)];
    for (let x = 0; x < n; x++) pmf.push((pmf[x]! * (n - x) * p) / ((x + 1) * (1 - p)));
    const { stat, df } = chiSquare(observed, pmf.map((q) => q * samples));
    // The 0.999 quantile of chi-square(df) is below df + 3.8·sqrt(2·df) + 8 for these df (a fixed seed: no flakes).
    assert.ok(stat < df + 3.8 * Math.sqrt(2 * df) + 8, `binomial(${n}, ${p}): chi-square ${stat.toFixed(1)} on ${df} df`);
  }
  for (const [n, p] of [[1_000_000, 0.01], [4_750_000, 0.5]] as const) {
    const samples = 4000;
    let [sum, squares] = [0, 0];
    for (let s = 0; s < samples; s++) {
      const x = rng.binomial(n, p);
      sum += x;
      squares += x * x;
    }
    const [mean, variance] = [sum / samples, squares / samples - (sum / samples) ** 2];
    const wanted = n * p * (1 - p);
    assert.ok(Math.abs(mean - n * p) < 5 * Math.sqrt(wanted / samples), `binomial(${n}, ${p}) mean ${mean}`);
    assert.ok(Math.abs(variance / wanted - 1) < 0.15, `binomial(${n}, ${p}) variance ${variance.toFixed(0)} vs ${wanted.toFixed(0)}`);
  }
  assert.equal(rng.binomial(1000, 0), 0);
  assert.equal(rng.binomial(1000, 1), 1000);
});

test('uniformCounts spreads n draws over the cells as a multinomial: total n, each cell binomial(n, 1/cells)', () => {
  const rng = Prng.stream(6, 'test.counts');
  const [n, cells, samples] = [10_000, 7, 3000];
  const sums = new Array<number>(cells).fill(0);
  const squares = new Array<number>(cells).fill(0);
  for (let s = 0; s < samples; s++) {
    const counts = rng.uniformCounts(n, cells);
    assert.equal(counts.reduce((a, b) => a + b, 0), n);
    counts.forEach((c, i) => ((sums[i]! += c), (squares[i]! += c * c)));
  }
  const wanted = (n / cells) * (1 - 1 / cells);
  for (let i = 0; i < cells; i++) {
    const mean = sums[i]! / samples;
    assert.ok(Math.abs(mean - n / cells) < 5 * Math.sqrt(wanted / samples), `cell ${i} mean ${mean}`);
    assert.ok(Math.abs((squares[i]! / samples - mean * mean) / wanted - 1) < 0.15, `cell ${i} variance`);
  }
});

test('gamma follows the gamma distribution (shapes 1 and 2: chi-square over 20 equiprobable bins of the exact CDF)', () => {
  const rng = Prng.stream(7, 'test.gamma');
  const cdfs: [number, (x: number) => number][] = [
    [1, (x) => 1 - Math.exp(-x)],
    [2, (x) => 1 - Math.exp(-x) * (1 + x)],
  ];
  for (const [shape, cdf] of cdfs) {
    const [samples, bins] = [20_000, 20];
    const observed = new Array<number>(bins).fill(0);
    for (let s = 0; s < samples; s++) observed[Math.min(bins - 1, Math.floor(cdf(rng.gamma(shape)) * bins))]!++;
    const { stat, df } = chiSquare(observed, new Array<number>(bins).fill(samples / bins));
    assert.ok(stat < df + 3.8 * Math.sqrt(2 * df) + 8, `gamma(${shape}): chi-square ${stat.toFixed(1)} on ${df} df`);
  }
});
