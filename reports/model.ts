// The report's view of a results file: scenarios in their declared order with their cells grouped by size, and a
// stable engine order and colour so an engine looks the same in every chart and table.
import type { CellResult, RunResults, ScenarioInfo } from '../harness/results.ts';

/** One size (row count) of a scenario and the cells that ran at it, in engine order. */
export interface SizeView {
  readonly rows: number;
  readonly cells: readonly CellResult[];
}

export interface ScenarioView {
  readonly info: ScenarioInfo;
  /** False when cells name a scenario the results' `scenarios` list lacks (still reported, never dropped). */
  readonly described: boolean;
  /** Ascending by rows. */
  readonly sizes: readonly SizeView[];
}

/** Colour-blind-friendly palette (Tableau 10); index wraps. */
export const PALETTE: readonly string[] = [
  '#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac',
];

/**
 * Engines (and custom-scenario variants) in display order: the results' engine list first, then any name that
 * only appears in cells, in first-seen order.
 * @example
 * engineOrder(results); // ['duckdb', 'polars', 'mapreduce', 'duckdb-file/bulk']
 */
export function engineOrder(results: RunResults): readonly string[] {
  const names = results.engines.map((e) => e.name);
  const seen = new Set(names);
  for (const cell of results.cells) {
    if (!seen.has(cell.engine)) {
      seen.add(cell.engine);
      names.push(cell.engine);
    }
  }
  return names;
}

/** A colour per engine name, stable within one report. */
export function engineColours(results: RunResults): ReadonlyMap<string, string> {
  return new Map(engineOrder(results).map((name, i) => [name, colourAt(i)]));
}

/**
 * The i-th colour: the palette first, then hues a golden angle apart with alternating lightness, so that a chart
 * of many variants (cdc-merge has 25) never draws two lines in the same colour.
 */
export function colourAt(i: number): string {
  if (i < PALETTE.length) return PALETTE[i]!;
  const k = i - PALETTE.length;
  const hue = Math.round((k * 137.508 + 20) % 360);
  const lightness = [45, 62, 32][k % 3]!;
  return `hsl(${hue}, 65%, ${lightness}%)`;
}

/**
 * Group cells by scenario (declared order first, then undeclared ones) and size.
 * @example
 * scenarioViews(results)[0].sizes.map((s) => s.rows); // [10000, 100000]
 */
export function scenarioViews(results: RunResults): readonly ScenarioView[] {
  const order = new Map(engineOrder(results).map((name, i) => [name, i]));
  const byScenario = new Map<string, CellResult[]>();
  for (const cell of results.cells) {
    const list = byScenario.get(cell.scenario) ?? [];
    list.push(cell);
    byScenario.set(cell.scenario, list);
  }
  const infos: { info: ScenarioInfo; described: boolean }[] = results.scenarios.map((info) => ({ info, described: true }));
  const declared = new Set(results.scenarios.map((s) => s.name));
  for (const name of byScenario.keys()) {
    if (!declared.has(name)) {
      infos.push({ info: { name, title: name, teaches: '', suite: 'undeclared', kind: 'query' }, described: false });
    }
  }
  return infos.map(({ info, described }) => {
    const bySize = new Map<number, CellResult[]>();
    for (const cell of byScenario.get(info.name) ?? []) {
      const list = bySize.get(cell.rows) ?? [];
      list.push(cell);
      bySize.set(cell.rows, list);
    }
    const sizes = [...bySize.entries()]
      .sort(([a], [b]) => a - b)
      .map(([rows, cells]) => ({
        rows,
        cells: cells.sort((a, b) => (order.get(a.engine) ?? 0) - (order.get(b.engine) ?? 0)),
      }));
    return { info, described, sizes };
  });
}

/** The median of an OK cell, or null when the cell has no rankable time. */
export function okMedian(cell: CellResult): number | null {
  return cell.status.kind === 'ok' && cell.stats !== undefined && Number.isFinite(cell.stats.medianMs)
    ? cell.stats.medianMs
    : null;
}
