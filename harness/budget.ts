// Time budgets: how long a cell may take before it is killed, and how many timed iterations fit in what is left.
// db-benchmark uses one timeout per data size; ours scales with the rows unless `--budget` fixes it.

/** At least 30 s, then 60 s per million rows: 1e5 → 30 s, 1e6 → 60 s, 1e7 → 10 min. */
export function defaultBudgetMs(rows: number): number {
  return Math.max(30_000, Math.round(rows * 0.06));
}

/**
 * How many timed iterations to run after the cold run, so the cell is likely to finish inside its budget:
 * the requested count, trimmed when `warmup + n` runs at the cold run's pace would take more than 80% of the time
 * left, but never below 1 (a cell always reports at least one warm sample or times out trying).
 * @example iterationsThatFit({ requested: 10, warmup: 1, coldMs: 1000, remainingMs: 5000 }) // 3
 */
export function iterationsThatFit(p: { requested: number; warmup: number; coldMs: number; remainingMs: number }): number {
  const perRun = Math.max(p.coldMs, 0.001);
  const fit = Math.floor((0.8 * p.remainingMs) / perRun) - p.warmup;
  return Math.max(1, Math.min(p.requested, fit));
}
