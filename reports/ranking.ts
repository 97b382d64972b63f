// The per-scenario detail behind the ClickBench-style ranking: for each scenario, every engine's ratio
// (t + 10 ms) / (best + 10 ms) at the largest size where some engine has a time. The overall score per engine
// comes from the results file (the runner computes it); this matrix shows where it comes from.
import type { CellStatus } from '../harness/results.ts';
import { okMedian, type ScenarioView } from './model.ts';

/** ClickBench's additive constant: keeps very fast queries from dominating the ratios. */
export const RATIO_OFFSET_MS = 10;

export type RatioCell =
  | { readonly kind: 'ratio'; readonly ratio: number; readonly medianMs: number }
  | { readonly kind: 'failed'; readonly status: CellStatus['kind'] }
  | { readonly kind: 'not-run' };

export interface RatioRow {
  readonly scenario: string;
  readonly title: string;
  /** The size compared, or null when no engine has a time for this scenario. */
  readonly rows: number | null;
  /** By engine name. */
  readonly cells: ReadonlyMap<string, RatioCell>;
}

/**
 * Ratios per scenario and engine.
 * @example
 * ratioMatrix(scenarioViews(results), engineOrder(results))[0].cells.get('duckdb'); // { kind: 'ratio', ratio: 1, ... }
 */
export function ratioMatrix(scenarios: readonly ScenarioView[], engines: readonly string[]): readonly RatioRow[] {
  return scenarios.map((scenario) => {
    const timed = scenario.sizes.filter((s) => s.cells.some((c) => okMedian(c) !== null));
    const size = timed.at(-1);
    const cells = new Map<string, RatioCell>();
    if (size === undefined) {
      for (const engine of engines) {
        const any = scenario.sizes.flatMap((s) => s.cells).find((c) => c.engine === engine);
        cells.set(engine, any ? { kind: 'failed', status: any.status.kind } : { kind: 'not-run' });
      }
      return { scenario: scenario.info.name, title: scenario.info.title, rows: null, cells };
    }
    const best = Math.min(...size.cells.map(okMedian).filter((m): m is number => m !== null));
    for (const engine of engines) {
      const cell = size.cells.find((c) => c.engine === engine);
      const median = cell ? okMedian(cell) : null;
      if (cell === undefined) cells.set(engine, { kind: 'not-run' });
      else if (median === null) cells.set(engine, { kind: 'failed', status: cell.status.kind });
      else cells.set(engine, { kind: 'ratio', ratio: (median + RATIO_OFFSET_MS) / (best + RATIO_OFFSET_MS), medianMs: median });
    }
    return { scenario: scenario.info.name, title: scenario.info.title, rows: size.rows, cells };
  });
}

/**
 * Background colour for a ratio, ClickBench-like: green at 1, through yellow, to red at 10 and beyond.
 * @example
 * ratioColour(1); // 'hsl(120 55% 82%)'
 */
export function ratioColour(ratio: number): string {
  const t = Math.min(1, Math.max(0, Math.log10(Math.max(1, ratio))));
  return `hsl(${Math.round(120 * (1 - t))} 55% 82%)`;
}
