// Chart specifications: plain data the report embeds as JSON and reports/browser/charts.js turns into Chart.js
// charts. Deciding what to plot happens here (testable in Node); the browser code only draws.
import type { CellResult } from '../harness/results.ts';
import { okMedian, type ScenarioView, type SizeView } from './model.ts';

export interface Point {
  readonly x: number;
  readonly y: number;
}

export interface Line {
  readonly label: string;
  readonly colour: string;
  readonly points: readonly Point[];
}

/** Median time per engine at one size, whiskers at the 95% CI of the mean. Only OK cells have bars. */
export interface BarsChart {
  readonly kind: 'bars';
  readonly id: string;
  readonly title: string;
  readonly labels: readonly string[];
  readonly medians: readonly number[];
  readonly ciLow: readonly number[];
  readonly ciHigh: readonly number[];
  readonly colours: readonly string[];
  /** A logarithmic time axis: the medians span more than BARS_LOG_SPAN, and linear bars would hide the fast ones. */
  readonly yLog: boolean;
}

/** Largest slowest/fastest ratio of a bar chart drawn on a linear axis (the fastest bar is still ~1% high). */
export const BARS_LOG_SPAN = 100;

/** Median time against rows per engine, both axes logarithmic. */
export interface ScalingChart {
  readonly kind: 'scaling';
  readonly id: string;
  readonly title: string;
  readonly lines: readonly Line[];
}

/** A span on the timeline: `x` is [start, end] in ms since the run started, `y` the slot label. */
export interface TimelineSpan {
  readonly x: readonly [number, number];
  readonly y: string;
  readonly task: string;
  readonly attempt: number;
  readonly status: 'ok' | 'failed' | 'killed';
}

/** Tasks as horizontal bars, one row per worker slot, one colour per group (job, stage or phase). */
export interface TimelineChart {
  readonly kind: 'timeline';
  readonly id: string;
  readonly title: string;
  readonly slots: readonly string[];
  readonly groups: readonly { readonly label: string; readonly colour: string; readonly spans: readonly TimelineSpan[] }[];
}

/** A custom series (e.g. throughput vs batch size) as lines, one per cell that reported it. */
export interface SeriesChart {
  readonly kind: 'series';
  readonly id: string;
  readonly title: string;
  readonly xTitle: string;
  readonly yTitle: string;
  readonly xLog: boolean;
  readonly yLog: boolean;
  readonly lines: readonly Line[];
}

export type ChartSpec = BarsChart | ScalingChart | TimelineChart | SeriesChart;

/** Hands out chart ids in document order; one per report. */
export class ChartIds {
  private next = 0;
  take(): string {
    return `chart-${this.next++}`;
  }
}

/**
 * The bar chart for one size, or null when no cell at that size has a rankable time.
 * @example
 * barsChart(size, colours, ids)?.labels; // ['duckdb', 'polars']
 */
export function barsChart(scenarioTitle: string, size: SizeView, colours: ReadonlyMap<string, string>, ids: ChartIds): BarsChart | null {
  const ok = size.cells.filter((c) => okMedian(c) !== null);
  if (ok.length === 0) return null;
  const medians = ok.map((c) => c.stats!.medianMs);
  // A log axis cannot place 0 (a sub-resolution timer): such a chart stays linear.
  const yLog = Math.min(...medians) > 0 && Math.max(...medians) / Math.min(...medians) > BARS_LOG_SPAN;
  return {
    kind: 'bars',
    id: ids.take(),
    title: `${scenarioTitle}: median time at ${size.rows.toLocaleString('en-US')} rows${yLog ? ' (log scale)' : ''}`,
    labels: ok.map((c) => c.engine),
    medians,
    ciLow: ok.map((c) => c.stats!.ci95Ms[0]),
    ciHigh: ok.map((c) => c.stats!.ci95Ms[1]),
    colours: ok.map((c) => colours.get(c.engine) ?? '#888'),
    yLog,
  };
}

/** The log-log scaling chart, or null unless at least two sizes have a rankable time. */
export function scalingChart(scenario: ScenarioView, colours: ReadonlyMap<string, string>, ids: ChartIds): ScalingChart | null {
  const sizesWithTimes = scenario.sizes.filter((s) => s.cells.some((c) => okMedian(c) !== null && c.rows > 0));
  if (sizesWithTimes.length < 2) return null;
  const byEngine = new Map<string, Point[]>();
  for (const size of sizesWithTimes) {
    for (const cell of size.cells) {
      const median = okMedian(cell);
      // A log axis cannot place 0; such medians (sub-resolution timers) are left out rather than faked.
      if (median === null || median <= 0 || cell.rows <= 0) continue;
      const points = byEngine.get(cell.engine) ?? [];
      points.push({ x: cell.rows, y: median });
      byEngine.set(cell.engine, points);
    }
  }
  return {
    kind: 'scaling',
    id: ids.take(),
    title: `${scenario.info.title}: median time vs rows (log-log)`,
    lines: [...byEngine.entries()].map(([engine, points]) => ({ label: engine, colour: colours.get(engine) ?? '#888', points })),
  };
}

/** The task timeline of one cell, or null when its metrics carry none. */
export function timelineChart(scenarioTitle: string, cell: CellResult, palette: readonly string[], ids: ChartIds): TimelineChart | null {
  const timeline = cell.metrics?.timeline;
  if (timeline === undefined || timeline.length === 0) return null;
  const slotNumbers = [...new Set(timeline.map((t) => t.slot))].sort((a, b) => a - b);
  const groups = new Map<string, TimelineSpan[]>();
  for (const span of timeline) {
    const spans = groups.get(span.group) ?? [];
    spans.push({ x: [span.startMs, span.endMs], y: `slot ${span.slot}`, task: span.task, attempt: span.attempt, status: span.status });
    groups.set(span.group, spans);
  }
  return {
    kind: 'timeline',
    id: ids.take(),
    title: `${scenarioTitle}: task timeline of ${cell.engine} at ${cell.rows.toLocaleString('en-US')} rows`,
    slots: slotNumbers.map((s) => `slot ${s}`),
    groups: [...groups.entries()].map(([label, spans], i) => ({ label, colour: palette[i % palette.length]!, spans })),
  };
}

/**
 * One chart per series name reported by a scenario's cells. A name of the form "Y vs X" titles the axes.
 * Axes go logarithmic when all values are positive and span at least two decades.
 */
export function seriesCharts(scenario: ScenarioView, colours: ReadonlyMap<string, string>, ids: ChartIds): readonly SeriesChart[] {
  const cells = scenario.sizes.flatMap((s) => s.cells).filter((c) => c.series !== undefined);
  const multipleSizes = new Set(cells.map((c) => c.rows)).size > 1;
  const names = [...new Set(cells.flatMap((c) => Object.keys(c.series!)))];
  const charts: SeriesChart[] = [];
  for (const name of names) {
    const lines = cells
      .filter((c) => (c.series![name]?.length ?? 0) > 0)
      .map((c) => ({
        label: multipleSizes ? `${c.engine} @ ${c.rows.toLocaleString('en-US')} rows` : c.engine,
        colour: colours.get(c.engine) ?? '#888',
        points: [...c.series![name]!].filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y)).sort((a, b) => a.x - b.x),
      }))
      .filter((l) => l.points.length > 0);
    if (lines.length === 0) continue;
    const vs = /^(.+?)\s+vs\.?\s+(.+)$/i.exec(name);
    const xs = lines.flatMap((l) => l.points.map((p) => p.x));
    const ys = lines.flatMap((l) => l.points.map((p) => p.y));
    charts.push({
      kind: 'series',
      id: ids.take(),
      title: `${scenario.info.title}: ${name}`,
      yTitle: vs ? vs[1]! : name,
      xTitle: vs ? vs[2]! : 'x',
      xLog: spansDecades(xs),
      yLog: spansDecades(ys),
      lines,
    });
  }
  return charts;
}

function spansDecades(values: readonly number[]): boolean {
  if (values.length === 0 || values.some((v) => v <= 0)) return false;
  return Math.max(...values) / Math.min(...values) >= 100;
}
