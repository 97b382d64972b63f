// ClickBench's ranking rule: per scenario and size, each engine's ratio (t + 10 ms) / (best + 10 ms); an engine's
// score is the geometric mean of its ratios. Lower is better; 1.0 means fastest everywhere.
import type { CellResult, Ranking } from './results.ts';

/** Added to every time before dividing, so sub-millisecond differences do not dominate (ClickBench: 10 ms). */
export const RANK_CONSTANT_MS = 10;
/**
 * A cell that did not produce a trusted time (wrong, error, timeout, oom, unsupported) counts as if it had run
 * for its whole time budget, doubled: ratio = 2 × (budget + 10 ms) / (best + 10 ms). This mirrors ClickBench,
 * where a missing result counts as 300 s with a penalty factor of 2, and keeps any failing engine behind any
 * engine that finished within the budget.
 */
export const PENALTY_FACTOR = 2;

/** A cell as the ranking sees it: its time budget is needed to price a failure. */
export type RankableCell = Pick<CellResult, 'scenario' | 'engine' | 'rows' | 'status' | 'stats'> & { readonly budgetMs: number };

/** The ratio one engine gets in one scenario × size group, or null when the cell does not count. */
export function cellRatio(cell: RankableCell, bestMs: number): { ratio: number; penalised: boolean } | null {
  switch (cell.status.kind) {
    case 'ok':
      if (!cell.stats) return null;
      return { ratio: (cell.stats.medianMs + RANK_CONSTANT_MS) / (bestMs + RANK_CONSTANT_MS), penalised: false };
    case 'unavailable':
      // The engine cannot run on this machine at all: that says nothing about the engine, so it is not ranked.
      return null;
    case 'wrong':
    case 'unsupported':
    case 'timeout':
    case 'oom':
    case 'error':
      return { ratio: (PENALTY_FACTOR * (cell.budgetMs + RANK_CONSTANT_MS)) / (bestMs + RANK_CONSTANT_MS), penalised: true };
    default: {
      const never: never = cell.status;
      throw new Error(`unhandled cell status ${JSON.stringify(never)}`);
    }
  }
}

/**
 * Rank engines across every scenario × size group in `cells`. A group where no engine succeeded is skipped (there
 * is no best time to compare with); an engine with no counted group is left out. Sorted best first.
 * @example
 *   rankEngines([
 *     { scenario: 'q', engine: 'a', rows: 10, budgetMs: 1000, status: { kind: 'ok' }, stats: summarise([10]) },
 *     { scenario: 'q', engine: 'b', rows: 10, budgetMs: 1000, status: { kind: 'ok' }, stats: summarise([30]) },
 *   ]) // [{ engine: 'a', score: 1, penalised: 0 }, { engine: 'b', score: 2, penalised: 0 }]
 */
export function rankEngines(cells: readonly RankableCell[]): Ranking[] {
  const groups = new Map<string, RankableCell[]>();
  for (const c of cells) {
    const key = `${c.scenario}\u0000${c.rows}`;
    const list = groups.get(key) ?? [];
    list.push(c);
    groups.set(key, list);
  }
  const perEngine = new Map<string, { logSum: number; n: number; penalised: number }>();
  for (const group of groups.values()) {
    const okTimes = group.filter((c) => c.status.kind === 'ok' && c.stats).map((c) => c.stats!.medianMs);
    if (okTimes.length === 0) continue;
    const best = Math.min(...okTimes);
    for (const c of group) {
      const r = cellRatio(c, best);
      if (!r) continue;
      const acc = perEngine.get(c.engine) ?? { logSum: 0, n: 0, penalised: 0 };
      acc.logSum += Math.log(r.ratio);
      acc.n += 1;
      if (r.penalised) acc.penalised += 1;
      perEngine.set(c.engine, acc);
    }
  }
  return [...perEngine.entries()]
    .map(([engine, a]) => ({ engine, score: Math.exp(a.logSum / a.n), penalised: a.penalised }))
    .sort((x, y) => x.score - y.score || x.engine.localeCompare(y.engine));
}
