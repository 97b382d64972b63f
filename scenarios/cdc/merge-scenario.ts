// The `cdc-merge` custom scenario: every engine that supports a pattern's plans applies the cdc dataset's change
// batches with that pattern, checked after every batch against the DuckDB reference and against the source itself,
// and times merge against truncate-and-reload as the change fraction grows.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { duckdbEngine } from '../../engines/duckdb/index.ts';
import type { EngineDescriptor } from '../../engines/engine.ts';
import { ENGINES } from '../../engines/registry.ts';
import { writeFileAtomic } from '../../harness/atomic-write.ts';
import { compareResults } from '../../harness/compare.ts';
import { simulateCdc, type CdcSimulation } from '../../datasets/cdc.ts';
import type { CustomCellContext, CustomCellResult, CustomScenario } from '../scenario.ts';
import { tableFromRows } from '../../plan/arrow.ts';
import { CdcApplier, type ApplierOptions, type BatchReport, type ChangeApplier } from './applier.ts';
import { createEngine, patternUnsupported, type CellEnv } from './engine-cell.ts';
import { CDC_MERGE_INFO } from './teaches.ts';
import { SQL_MERGE_PATTERNS, type CdcPattern, type PatternName } from './pattern.ts';
import { PATTERNS } from './patterns.ts';

/** Change fractions of the crossover series (0.1% … 50%). */
export const CHANGE_FRACTIONS: readonly number[] = [0.001, 0.01, 0.05, 0.2, 0.5];
/** Batches applied per change fraction; the point is their median (the machine may be shared). */
export const CROSSOVER_SAMPLES = 3;
const BATCHES = 4;
const BATCH_FRACTION = 0.01;
/** The variant name of the in-place MERGE (sql-merge.ts), beside the registry's engines. */
export const SQL_MERGE = 'duckdb-sql';
/** The series every cell adds its own line to, so merge and reload lines of all variants share one chart. */
export const CROSSOVER_SERIES = 'ms per batch vs change %';
export const WRITTEN_SERIES = 'rows written per batch vs change %';
/**
 * The variants whose cells measure the crossover series in the default bench: the in-place MERGEs, a copy-on-write
 * plan merge and the reload they are compared with, all on DuckDB. Measuring every variant's line (5 fractions,
 * a fresh target each) would multiply the scenario's run time; option `cdc.crossover=all` asks for it.
 */
export const CROSSOVER_VARIANTS: readonly string[] = ['duckdb-sql/merge-hard-delete', 'duckdb-sql/merge-soft-delete', 'duckdb/merge-hard-delete', 'duckdb/truncate-reload'];
/**
 * The smallest target the crossover is measured on. Below it fixed per-batch costs (a few statements, ~10 ms)
 * hide the per-row ones the crossover is about: at 10,000 rows merge and reload both cost 10–15 ms a batch
 * (README). Measured at 50,000 rows the four DuckDB lines take about 10 s of the bench.
 */
export const CROSSOVER_MIN_ROWS = 50_000;
/** The reload an in-place MERGE cell also times, to state where the two cross. */
const RELOAD_VARIANT = 'duckdb/truncate-reload';
const CROSSOVER_OPTION = 'cdc.crossover';

/**
 * Which cells measure the crossover series: option `cdc.crossover` = default | all | none. A smoke run (`--quick`)
 * skips it unless the option asks: it is ~30 s of extra loads at 50,000 rows that only draw a chart.
 */
function crossoverWanted(variant: string, options: CustomCellContext['options'], smoke = false): boolean {
  const mode = String(options[CROSSOVER_OPTION] ?? (smoke ? 'none' : 'default'));
  if (mode === 'all') return true;
  if (mode === 'none') return false;
  if (mode === 'default') return CROSSOVER_VARIANTS.includes(variant);
  throw new Error(`option ${CROSSOVER_OPTION} must be default, all or none, got '${mode}'`);
}

const variantName = (engine: string, pattern: PatternName): string => `${engine}/${pattern}`;

type Target = { readonly kind: 'engine'; readonly engine: EngineDescriptor } | { readonly kind: 'sql' };

function parseVariant(variant: string, engines: readonly EngineDescriptor[]): { target: Target; pattern: CdcPattern } {
  const [engineName, patternName] = variant.split('/');
  const engine = engines.find((e) => e.name === engineName);
  const pattern = PATTERNS[patternName as PatternName];
  const sqlOk = engineName === SQL_MERGE && SQL_MERGE_PATTERNS.includes(patternName as PatternName);
  if ((!engine && !sqlOk) || !pattern) {
    throw new Error(`unknown cdc-merge variant '${variant}'; expected <engine>/<pattern> with engines ${engines.map((e) => e.name).join(', ')} and patterns ${Object.keys(PATTERNS).join(', ')}, or ${SQL_MERGE}/${SQL_MERGE_PATTERNS.join('|')}`);
  }
  return { target: engine ? { kind: 'engine', engine } : { kind: 'sql' }, pattern };
}

/** Same rows as the reference (any order); the diff names the pattern and batch. */
function check(expected: arrow.Table, actual: arrow.Table, what: string): string | null {
  const r = compareResults(expected, actual, { kind: 'scan', table: what, schema: [] });
  return r.ok ? null : `${what}: ${r.diff}`;
}

/**
 * Apply one batch, or for truncate-and-reload rebuild from the full snapshot; a reload's prepareMs is the extract
 * (building the snapshot from the source's rows), part of its cost as a merge's validation and collapse are.
 */
async function step(applier: ChangeApplier, sim: CdcSimulation, batch: number, now: () => number): Promise<BatchReport> {
  const b = sim.batches[batch]!;
  if (applier.pattern.mergePlan(applier.entity)) return applier.applyBatch(b.events);
  const t0 = now();
  const snapshot = tableFromRows(sim.entity.schema, b.sourceRows);
  const extractMs = now() - t0;
  return { ...(await applier.reload(snapshot)), prepareMs: extractMs };
}

/** Opens appliers for one cell and closes everything it opened. */
class CellResources {
  private readonly closers: (() => Promise<void>)[] = [];
  constructor(private readonly env: CellEnv) {}

  async applier(target: Target, pattern: CdcPattern, sim: CdcSimulation, label: string, options: ApplierOptions): Promise<ChangeApplier & { close(): Promise<void> }> {
    const base = tableFromRows(sim.entity.schema, sim.base);
    if (target.kind === 'sql') {
      // Imported here: it loads DuckDB's native library, which cells of other variants never need.
      const { DuckDbSqlMerge } = await import('./sql-merge.ts');
      const m = await DuckDbSqlMerge.seed(sim.entity, pattern.name, base, sim.baseSeq, sim.baseTsMs, this.env.options, options);
      this.closers.push(() => m.close());
      return m;
    }
    const engine = await createEngine(target.engine, this.env, label);
    this.closers.push(() => engine.close());
    const a = await CdcApplier.seed(engine, sim.entity, pattern, base, sim.baseSeq, sim.baseTsMs, options);
    return Object.assign(a, { close: () => engine.close() });
  }

  async closeAll(): Promise<void> {
    for (const c of this.closers.splice(0)) await c();
  }
}

/**
 * Build the scenario over a list of engines (the registry's by default; tests pass their own).
 * @example cdcMergeScenario(ENGINES).variants({})
 */
export function cdcMergeScenario(engines: readonly EngineDescriptor[] = ENGINES, reference: EngineDescriptor = duckdbEngine, sizes: CustomScenario['sizes'] = CDC_MERGE_INFO.sizes, crossoverMinRows = CROSSOVER_MIN_ROWS): CustomScenario {
  return {
    ...CDC_MERGE_INFO,
    sizes,
    async variants(options) {
      const out: { name: string; available: boolean; reason?: string }[] = [];
      const entity = simulateCdc(1, 0).entity;
      for (const engine of engines) {
        const up = engine.available ? await engine.available(options) : ({ ok: true } as const);
        for (const pattern of Object.values(PATTERNS)) {
          const name = variantName(engine.name, pattern.name);
          const reason = up.ok ? patternUnsupported(engine, pattern, entity) : up.reason;
          out.push(reason ? { name, available: false, reason } : { name, available: true });
        }
      }
      for (const p of SQL_MERGE_PATTERNS) out.push({ name: variantName(SQL_MERGE, p), available: true });
      return out;
    },
    checkOptions: (options) => void crossoverWanted('', options),
    runCell: (variant, rows, ctx) => runCell(variant, rows, ctx, engines, reference, Math.max(rows, crossoverMinRows)),
  };
}

async function runCell(variant: string, rows: number, ctx: CustomCellContext, engines: readonly EngineDescriptor[], reference: EngineDescriptor, crossoverRows: number): Promise<CustomCellResult> {
  const { target, pattern } = parseVariant(variant, engines);
  const wantCrossover = crossoverWanted(variant, ctx.options, ctx.smoke);
  const env: CellEnv = { workDir: ctx.workDir, seed: ctx.seed, now: ctx.now, options: ctx.options };
  const sim = simulateCdc(rows, ctx.seed, { batches: BATCHES, changeFraction: BATCH_FRACTION });
  const resources = new CellResources(env);
  try {
    const entity = sim.entity;
    const t0 = ctx.now();
    const applier = await resources.applier(target, pattern, sim, 'engine', { now: ctx.now });
    const loadMs = ctx.now() - t0;
    const expected = await referenceStates(reference, pattern, sim, rows, ctx, resources);
    const samplesMs: number[] = [];
    const totals = { inserted: 0, updated: 0, deleted: 0, rewritten: 0, changeRows: 0, delivered: 0 };
    const series: Record<string, { x: number; y: number }[]> = { 'rows inserted per batch': [], 'rows updated per batch': [], 'rows deleted per batch': [], 'rows rewritten per batch': [] };
    let failure: string | null = null;
    for (let b = 0; b < sim.batches.length && !failure; b++) {
      const report = await step(applier, sim, b, ctx.now);
      samplesMs.push(report.prepareMs + report.engineMs);
      for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += report[k];
      series['rows inserted per batch']!.push({ x: b + 1, y: report.inserted });
      series['rows updated per batch']!.push({ x: b + 1, y: report.updated });
      series['rows deleted per batch']!.push({ x: b + 1, y: report.deleted });
      series['rows rewritten per batch']!.push({ x: b + 1, y: report.rewritten });
      failure =
        check(expected[b]!, await applier.state(), `${pattern.name} state after batch ${b + 1} vs ${reference.name}`) ??
        check(tableFromRows(entity.schema, sim.batches[b]!.sourceRows), await applier.current(), `${pattern.name} current view after batch ${b + 1} vs the source table`);
    }
    const stateRows = applier.stateRows;
    await resources.closeAll();
    const crossoverNotes: string[] = [];
    if (!failure && wantCrossover) {
      const points = await measureCrossover(variant, crossoverRows, env, CROSSOVER_SAMPLES, CHANGE_FRACTIONS, engines);
      series[CROSSOVER_SERIES] = points.map((p) => ({ x: p.percent, y: p.medianMs }));
      series[WRITTEN_SERIES] = points.map((p) => ({ x: p.percent, y: p.medianWritten }));
      crossoverNotes.push(`'${CROSSOVER_SERIES}': a freshly seeded ${crossoverRows.toLocaleString('en-US')}-row target per change fraction, median of ${CROSSOVER_SAMPLES} consecutive batches`);
      if (target.kind === 'sql') {
        const reload = await measureCrossover(RELOAD_VARIANT, crossoverRows, env, CROSSOVER_SAMPLES, CHANGE_FRACTIONS, engines);
        crossoverNotes.push(`vs ${RELOAD_VARIANT} timed in this cell: ${describeCrossover(points, reload)}`);
      }
    } else if (!failure && ctx.smoke && ctx.options[CROSSOVER_OPTION] === undefined) {
      crossoverNotes.push(`the crossover series is not measured in a --quick run; --engine-option ${CROSSOVER_OPTION}=default measures it`);
    } else if (!failure) {
      crossoverNotes.push(`the crossover series is measured by ${CROSSOVER_VARIANTS.join(', ')} in the default bench; --engine-option ${CROSSOVER_OPTION}=all measures every variant, scenarios/cdc/measure-crossover.ts any size`);
    }
    const how = target.kind === 'sql' ? 'one MERGE INTO transaction on a DuckDB table with a primary key' : applier instanceof CdcApplier && applier.resident ? 'state resident in the engine (materialize)' : 'state round-trips through Arrow (run + load)';
    return {
      samplesMs,
      loadMs,
      metrics: {
        rowsIn: totals.delivered,
        rowsOut: stateRows,
        counters: { ...totals, batches: sim.batches.length },
        notes: [
          // Two notes: the variant's own, and how every variant was measured (the report shows that one once).
          `${pattern.title}: ${how}`,
          `${sim.batches.length} batches of about ${BATCH_FRACTION * 100}% of ${rows.toLocaleString('en-US')} rows; samples are per-batch apply times (validate + collapse + load changes + merge + swap; a reload: extract + load + build + swap)`,
          ...crossoverNotes,
        ],
      },
      check: failure ? { ok: false, detail: failure } : { ok: true },
      series,
    };
  } finally {
    await resources.closeAll();
  }
}

/**
 * The reference engine's state after each batch. Every engine's cell of a pattern checks against the same
 * states, so the first cell of the run computes them and leaves them in the run's shared folder as Arrow files
 * (keyed by everything that determines them); the others read them (~0.5 s of DuckDB work saved a cell).
 */
async function referenceStates(reference: EngineDescriptor, pattern: CdcPattern, sim: CdcSimulation, rows: number, ctx: CustomCellContext, resources: CellResources): Promise<arrow.Table[]> {
  const dir = ctx.sharedDir ? join(ctx.sharedDir, 'cdc-reference', `${reference.name}.${pattern.name}.${rows}.${ctx.seed}.${sim.batches.length}x${BATCH_FRACTION}`) : null;
  const complete = dir ? join(dir, 'complete') : null;
  if (dir && existsSync(complete!)) return sim.batches.map((_, b) => arrow.tableFromIPC(readFileSync(join(dir, `${b}.arrow`))));
  const ref = await resources.applier({ kind: 'engine', engine: reference }, pattern, sim, 'reference', { now: ctx.now, skipCounts: true });
  const states: arrow.Table[] = [];
  for (let b = 0; b < sim.batches.length; b++) {
    await step(ref, sim, b, ctx.now);
    states.push(await ref.state());
  }
  if (dir) {
    mkdirSync(dir, { recursive: true });
    states.forEach((t, b) => writeFileAtomic(join(dir, `${b}.arrow`), arrow.tableToIPC(t, 'file')));
    writeFileAtomic(complete!, ''); // last: a folder without it is never read
  }
  return states;
}

/** Median of a non-empty list. */
function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** One crossover point: median ms per batch and median rows written at a change fraction (%), with the samples. */
export interface CrossoverPoint {
  readonly percent: number;
  readonly medianMs: number;
  readonly samplesMs: readonly number[];
  readonly medianWritten: number;
}

/**
 * Time `variant` at each change fraction: CROSSOVER_SAMPLES (or `samples`) consecutive batches on one freshly
 * seeded target, median per point. Used by the scenario (its chart line) and measure-crossover.ts (the README).
 * @example await measureCrossover('duckdb-sql/merge-hard-delete', 100_000, env) // [{ percent: 0.1, medianMs: 9.8, ... }, ...]
 */
export async function measureCrossover(variant: string, rows: number, env: CellEnv, samples = CROSSOVER_SAMPLES, fractions = CHANGE_FRACTIONS, engines: readonly EngineDescriptor[] = ENGINES): Promise<CrossoverPoint[]> {
  const { target, pattern } = parseVariant(variant, engines);
  const resources = new CellResources(env);
  const out: CrossoverPoint[] = [];
  try {
    for (const fraction of fractions) {
      const sim = simulateCdc(rows, env.seed + 1, { batches: samples, changeFraction: fraction });
      const a = await resources.applier(target, pattern, sim, `crossover-${fraction}`, { now: env.now, skipCounts: true });
      const times: number[] = [];
      const rewrites: number[] = [];
      for (let b = 0; b < sim.batches.length; b++) {
        const r = await step(a, sim, b, env.now);
        times.push(r.prepareMs + r.engineMs);
        rewrites.push(r.rewritten);
      }
      await resources.closeAll();
      out.push({ percent: fraction * 100, medianMs: median(times), samplesMs: times, medianWritten: median(rewrites) });
    }
    return out;
  } finally {
    await resources.closeAll();
  }
}

/**
 * Where a merge line crosses a reload line measured at the same fractions: the change % at which they cost the
 * same, interpolated linearly in log(change %) between the two measured points around it.
 * @example describeCrossover(merge, reload) // 'merge cheaper up to about 12% changed per batch (measured ...)'
 */
export function describeCrossover(merge: readonly CrossoverPoint[], reload: readonly CrossoverPoint[]): string {
  const ratios = merge.map((m, i) => `${m.percent}%: ${m.medianMs.toFixed(1)} vs ${reload[i]!.medianMs.toFixed(1)} ms`).join(', ');
  const at = crossoverPercent(merge, reload);
  if (at === null) return `merge cheaper at every change fraction measured (${ratios})`;
  if (at === 0) return `reload cheaper at every change fraction measured (${ratios})`;
  return `merge cheaper up to about ${at < 1 ? at.toPrecision(1) : Math.round(at)}% changed per batch, reload cheaper above (${ratios})`;
}

/** The interpolated crossover (change %), 0 when reload wins from the start, null when merge never loses. */
export function crossoverPercent(merge: readonly CrossoverPoint[], reload: readonly CrossoverPoint[]): number | null {
  const gap = (i: number): number => merge[i]!.medianMs - reload[i]!.medianMs;
  if (merge.length === 0 || gap(0) >= 0) return merge.length === 0 ? null : 0;
  for (let i = 1; i < merge.length; i++) {
    if (gap(i) < 0) continue;
    const [x0, x1] = [Math.log(merge[i - 1]!.percent), Math.log(merge[i]!.percent)];
    const t = -gap(i - 1) / (gap(i) - gap(i - 1));
    return Math.exp(x0 + t * (x1 - x0));
  }
  return null;
}
