// Comparing a run with an earlier one (`--baseline old.json`), as criterion does: per matching cell the change in
// median and whether it is beyond the noise, i.e. the two 95% confidence intervals of the mean do not overlap.
import { readFileSync } from 'node:fs';
import { RESULTS_VERSION, type CellResult, type CellStatus, type RunResults, type SampleStats } from './results.ts';

/** One cell that succeeded in both runs. */
export interface BaselineChange {
  readonly scenario: string;
  readonly engine: string;
  readonly rows: number;
  readonly baselineMedianMs: number;
  readonly medianMs: number;
  /** (median / baselineMedian − 1) × 100: negative is faster. */
  readonly changePct: number;
  /** True when both runs have ≥ 2 samples and their 95% CIs of the mean do not overlap. */
  readonly beyondNoise: boolean;
}

/** A cell whose status kind differs between the runs (e.g. ok → wrong). */
export interface BaselineStatusChange {
  readonly scenario: string;
  readonly engine: string;
  readonly rows: number;
  readonly from: CellStatus['kind'];
  readonly to: CellStatus['kind'];
}

/** Stored in the results JSON as the top-level field `baseline` (see RESULTS.md). */
export interface BaselineComparison {
  readonly file: string;
  readonly baselineStartedAt: string;
  readonly changes: readonly BaselineChange[];
  readonly statusChanges: readonly BaselineStatusChange[];
  /** Cells of this run with no counterpart in the baseline. */
  readonly unmatched: number;
}

/**
 * Whether two timings differ beyond noise: their 95% confidence intervals do not overlap. With fewer than two
 * samples on either side there is no interval, so nothing is ever called beyond noise.
 * @example beyondNoise(summarise([10, 11, 10]), summarise([20, 21, 20])) // true
 */
export function beyondNoise(a: SampleStats, b: SampleStats): boolean {
  if (a.samplesMs.length < 2 || b.samplesMs.length < 2) return false;
  return a.ci95Ms[1] < b.ci95Ms[0] || b.ci95Ms[1] < a.ci95Ms[0];
}

/** Read an earlier results file, with one-line errors for a missing, unparsable or incompatible file. */
export function loadBaseline(path: string): RunResults {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new Error(`cannot read baseline file '${path}'; pass a results JSON written by an earlier run (e.g. out/latest.json)`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`baseline file '${path}' is not valid JSON; pass a results JSON written by an earlier run`);
  }
  const r = parsed as Partial<RunResults>;
  if (typeof r !== 'object' || r === null || !Array.isArray(r.cells)) {
    throw new Error(`baseline file '${path}' is not an enginebench results file (no 'cells' array)`);
  }
  if (r.version !== RESULTS_VERSION) {
    throw new Error(`baseline file '${path}' has results version ${String(r.version)}, this runner writes version ${RESULTS_VERSION}; re-run the baseline`);
  }
  return parsed as RunResults;
}

const keyOf = (c: Pick<CellResult, 'scenario' | 'engine' | 'rows'>): string => `${c.scenario}\u0000${c.engine}\u0000${c.rows}`;

/**
 * Match this run's cells with the baseline's by (scenario, engine, rows).
 * @example compareWithBaseline(results.cells, loadBaseline('out/latest.json'), 'out/latest.json')
 */
export function compareWithBaseline(cells: readonly CellResult[], baseline: RunResults, file: string): BaselineComparison {
  const old = new Map(baseline.cells.map((c) => [keyOf(c), c]));
  const changes: BaselineChange[] = [];
  const statusChanges: BaselineStatusChange[] = [];
  let unmatched = 0;
  for (const c of cells) {
    const b = old.get(keyOf(c));
    if (!b) {
      unmatched++;
      continue;
    }
    if (b.status.kind !== c.status.kind) {
      statusChanges.push({ scenario: c.scenario, engine: c.engine, rows: c.rows, from: b.status.kind, to: c.status.kind });
      continue;
    }
    if (c.status.kind !== 'ok' || !c.stats || !b.stats) continue;
    changes.push({
      scenario: c.scenario,
      engine: c.engine,
      rows: c.rows,
      baselineMedianMs: b.stats.medianMs,
      medianMs: c.stats.medianMs,
      changePct: (c.stats.medianMs / b.stats.medianMs - 1) * 100,
      beyondNoise: beyondNoise(b.stats, c.stats),
    });
  }
  return { file, baselineStartedAt: baseline.startedAt, changes, statusChanges, unmatched };
}
