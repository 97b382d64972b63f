// Baseline deltas: how each cell of this run compares with the same (scenario, engine, rows) cell of an earlier run.
// As criterion does, a change counts only when the two 95% confidence intervals do not overlap.
import { beyondNoise, type BaselineComparison } from '../harness/baseline.ts';
import type { CellResult, RunResults } from '../harness/results.ts';

export type BaselineDelta =
  /** Both runs have times: relative change of the median and whether it is beyond the noise. */
  | { readonly kind: 'timed'; readonly before: number; readonly after: number; readonly change: number; readonly verdict: 'faster' | 'slower' | 'within noise' }
  /** The cell's status differs (e.g. was OK, now WRONG). */
  | { readonly kind: 'status'; readonly before: string; readonly after: string }
  /** The baseline has no such cell. */
  | { readonly kind: 'new' };

/** Key of a cell across runs. */
export function cellKey(cell: Pick<CellResult, 'scenario' | 'engine' | 'rows'>): string {
  return JSON.stringify([cell.scenario, cell.engine, cell.rows]);
}

/**
 * Index a baseline run's cells for `baselineDelta`.
 * @example
 * const index = indexBaseline(old); baselineDelta(cell, index);
 */
export function indexBaseline(baseline: RunResults): ReadonlyMap<string, CellResult> {
  return new Map(baseline.cells.map((c) => [cellKey(c), c]));
}

/**
 * Compare a cell with its baseline counterpart; null when neither has a time nor a status change to show.
 * @example
 * baselineDelta(cell, indexBaseline(old)); // { kind: 'timed', change: -0.21, verdict: 'faster', ... }
 */
export function baselineDelta(cell: CellResult, baseline: ReadonlyMap<string, CellResult>): BaselineDelta | null {
  const old = baseline.get(cellKey(cell));
  if (old === undefined) return { kind: 'new' };
  if (cell.status.kind !== old.status.kind) return { kind: 'status', before: old.status.kind, after: cell.status.kind };
  if (cell.status.kind !== 'ok' || cell.stats === undefined || old.stats === undefined) return null;
  const before = old.stats.medianMs;
  const after = cell.stats.medianMs;
  // The runner's rule (harness/baseline.ts): a change counts only when the 95% intervals do not overlap.
  const verdict = !beyondNoise(old.stats, cell.stats) ? 'within noise' : after > before ? 'slower' : 'faster';
  return { kind: 'timed', before, after, change: before > 0 ? (after - before) / before : 0, verdict };
}

/** The comparison the runner embeds in a results file when run with `--baseline` (harness/baseline.ts). */
export type EmbeddedBaseline = BaselineComparison;

/**
 * The embedded comparison of a results file, or null when absent or malformed (the report then shows no deltas).
 * @example
 * embeddedBaseline(JSON.parse(readFileSync('out/latest.json', 'utf8')))?.file; // 'out/old.json'
 */
export function embeddedBaseline(results: RunResults): EmbeddedBaseline | null {
  const v: Partial<BaselineComparison> | undefined = results.baseline;
  if (typeof v !== 'object' || v === null) return null;
  if (!Array.isArray(v.changes) || !Array.isArray(v.statusChanges)) return null;
  const okChange = v.changes.every((c) => typeof c === 'object' && c !== null && typeof c.medianMs === 'number' && typeof c.baselineMedianMs === 'number' && typeof c.changePct === 'number');
  const okStatus = v.statusChanges.every((c) => typeof c === 'object' && c !== null && typeof c.from === 'string' && typeof c.to === 'string');
  return okChange && okStatus ? (v as EmbeddedBaseline) : null;
}

/**
 * Deltas per cell key from an embedded comparison. Cells it does not mention get no delta.
 * @example
 * embeddedDeltas(embeddedBaseline(results)!).get(cellKey(cell));
 */
export function embeddedDeltas(b: EmbeddedBaseline): ReadonlyMap<string, BaselineDelta> {
  const deltas = new Map<string, BaselineDelta>();
  for (const c of b.changes) {
    const verdict = !c.beyondNoise ? 'within noise' : c.changePct < 0 ? 'faster' : 'slower';
    deltas.set(cellKey(c), { kind: 'timed', before: c.baselineMedianMs, after: c.medianMs, change: c.changePct / 100, verdict });
  }
  for (const c of b.statusChanges) deltas.set(cellKey(c), { kind: 'status', before: c.from, after: c.to });
  return deltas;
}
