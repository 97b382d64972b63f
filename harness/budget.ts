// Time budgets: how long a cell may take before it is killed, and how many timed iterations fit in what is left.
// db-benchmark uses one timeout per data size; ours scales with the rows unless `--budget` fixes it.

/** At least 30 s, then 60 s per million rows: 1e5 → 30 s, 1e6 → 60 s, 1e7 → 10 min. */
export function defaultBudgetMs(rows: number): number {
  return Math.max(30_000, Math.round(rows * 0.06));
}

/**
 * Work (warm-up and timed runs) a cell aims at when `--iterations` is not given: cells slower than about 0.8 s a run
 * then run fewer, but at least 3, timed iterations (ClickBench runs each query 3 times, db-benchmark twice).
 */
export const DEFAULT_TIMED_WORK_MS = 5_000;
/** Fewest timed iterations the time target may leave (a confidence interval from fewer says little). */
export const MIN_TARGETED_ITERATIONS = 3;

/**
 * How many timed iterations to run after the cold run, so the cell is likely to finish inside its budget:
 * the requested count, trimmed when `warmup + n` runs at the cold run's pace would take more than 80% of the time
 * left, but never below 1 (a cell always reports at least one warm sample or times out trying). With `targetMs`
 * (the default suite's time target) slow cells are also trimmed to about that much timed work, but not below 3.
 * @example iterationsThatFit({ requested: 10, warmup: 1, coldMs: 1000, remainingMs: 5000 }) // 3
 * @example iterationsThatFit({ requested: 5, warmup: 1, coldMs: 4000, remainingMs: 60_000, targetMs: 10_000 }) // 3
 */
export function iterationsThatFit(p: { requested: number; warmup: number; coldMs: number; remainingMs: number; targetMs?: number | null }): number {
  const perRun = Math.max(p.coldMs, 0.001);
  let n = Math.min(p.requested, Math.floor((0.8 * p.remainingMs) / perRun) - p.warmup);
  if (p.targetMs) {
    const targeted = Math.max(MIN_TARGETED_ITERATIONS, Math.floor(p.targetMs / perRun) - p.warmup);
    n = Math.min(n, targeted);
  }
  return Math.max(1, n);
}
