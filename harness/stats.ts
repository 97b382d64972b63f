// Summary statistics over a cell's timed samples: median, p99, mean and the 95% confidence interval of the mean.
// Quantiles interpolate linearly between order statistics (numpy's default, R type 7), so the median of an even
// count is the mean of the middle two.
import type { SampleStats } from './results.ts';

/**
 * Two-sided 95% critical values of Student's t by degrees of freedom (standard tables). Between listed degrees
 * of freedom the value is interpolated linearly in 1/df, which is accurate to the third decimal.
 */
const T_975: readonly (readonly [number, number])[] = [
  [1, 12.706], [2, 4.303], [3, 3.182], [4, 2.776], [5, 2.571], [6, 2.447], [7, 2.365], [8, 2.306], [9, 2.262],
  [10, 2.228], [11, 2.201], [12, 2.179], [13, 2.16], [14, 2.145], [15, 2.131], [16, 2.12], [17, 2.11],
  [18, 2.101], [19, 2.093], [20, 2.086], [21, 2.08], [22, 2.074], [23, 2.069], [24, 2.064], [25, 2.06],
  [26, 2.056], [27, 2.052], [28, 2.048], [29, 2.045], [30, 2.042], [40, 2.021], [60, 2.0], [120, 1.98],
];
const Z_975 = 1.96;

/** The two-sided 95% critical value of Student's t with `df` degrees of freedom (df ≥ 1). */
export function tCritical95(df: number): number {
  if (!(df >= 1)) throw new Error(`Student's t needs at least 1 degree of freedom, got ${df}`);
  for (let i = 0; i < T_975.length; i++) {
    const [d, t] = T_975[i]!;
    if (df === d) return t;
    if (df < d) {
      const [d0, t0] = T_975[i - 1]!;
      const w = (1 / d0 - 1 / df) / (1 / d0 - 1 / d);
      return t0 + (t - t0) * w;
    }
  }
  // Beyond 120: interpolate in 1/df towards the normal quantile at df = ∞.
  const [dLast, tLast] = T_975[T_975.length - 1]!;
  return Z_975 + (tLast - Z_975) * (dLast / df);
}

/** The q-quantile (0 ≤ q ≤ 1) of already sorted values, interpolating linearly between order statistics. */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new Error('quantile of no samples');
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/**
 * Summarise timed samples (ms). With a single sample the confidence interval collapses to [x, x]: it says
 * nothing, which is why the baseline comparison needs at least two samples on each side (see baseline.ts).
 * @example
 *   summarise([10, 12, 11]).medianMs // 11
 */
export function summarise(samplesMs: readonly number[]): SampleStats {
  if (samplesMs.length === 0) throw new Error('cannot summarise zero samples');
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const n = sorted.length;
  const mean = sorted.reduce((s, x) => s + x, 0) / n;
  let half = 0;
  if (n >= 2) {
    const variance = sorted.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1);
    half = tCritical95(n - 1) * Math.sqrt(variance / n);
  }
  return {
    samplesMs: [...samplesMs],
    medianMs: quantileSorted(sorted, 0.5),
    meanMs: mean,
    p99Ms: quantileSorted(sorted, 0.99),
    minMs: sorted[0]!,
    maxMs: sorted[n - 1]!,
    ci95Ms: [mean - half, mean + half],
  };
}
