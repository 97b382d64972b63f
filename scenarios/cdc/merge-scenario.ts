// The `cdc-merge` custom scenario: every engine that supports a pattern's plans applies the cdc dataset's change
// batches with that pattern, checked after every batch against the DuckDB reference and against the source itself,
// and times merge against truncate-and-reload as the change fraction grows.
import type * as arrow from 'apache-arrow';
import { duckdbEngine } from '../../engines/duckdb/index.ts';
import type { Engine, EngineDescriptor } from '../../engines/engine.ts';
import { ENGINES } from '../../engines/registry.ts';
import { compareResults } from '../../harness/compare.ts';
import { tableFromRows } from '../../plan/arrow.ts';
import { simulateCdc, type CdcSimulation } from '../../datasets/cdc.ts';
import type { CustomCellContext, CustomCellResult, CustomScenario } from '../scenario.ts';
import { CdcApplier, type BatchReport } from './applier.ts';
import { createEngine, patternUnsupported, type CellEnv } from './engine-cell.ts';
import type { CdcPattern, PatternName } from './pattern.ts';
import { PATTERNS } from './patterns.ts';

/** Change fractions of the crossover series (0.1% … 50%). */
export const CHANGE_FRACTIONS: readonly number[] = [0.001, 0.01, 0.05, 0.2, 0.5];
const BATCHES = 4;
const BATCH_FRACTION = 0.01;

const variantName = (engine: string, pattern: PatternName): string => `${engine}/${pattern}`;

function parseVariant(variant: string, engines: readonly EngineDescriptor[]): { engine: EngineDescriptor; pattern: CdcPattern } {
  const [engineName, patternName] = variant.split('/');
  const engine = engines.find((e) => e.name === engineName);
  const pattern = PATTERNS[patternName as PatternName];
  if (!engine || !pattern) throw new Error(`unknown cdc-merge variant '${variant}'; expected <engine>/<pattern> with engines ${engines.map((e) => e.name).join(', ')} and patterns ${Object.keys(PATTERNS).join(', ')}`);
  return { engine, pattern };
}

/** Same rows as the reference (any order); the diff names the pattern and batch. */
function check(expected: arrow.Table, actual: arrow.Table, what: string): string | null {
  const r = compareResults(expected, actual, { kind: 'scan', table: what, schema: [] });
  return r.ok ? null : `${what}: ${r.diff}`;
}

/** Apply one batch (or a reload for truncate-reload) and return the report. */
async function step(applier: CdcApplier, sim: CdcSimulation, batch: number): Promise<BatchReport> {
  const b = sim.batches[batch]!;
  return applier.pattern.mergePlan(applier.entity)
    ? applier.applyBatch(b.events)
    : applier.reload(tableFromRows(sim.entity.schema, b.sourceRows)); // the full extract is part of a reload's cost
}

/**
 * Build the scenario over a list of engines (the registry's by default; tests pass their own).
 * @example cdcMergeScenario(ENGINES).variants({})
 */
export function cdcMergeScenario(engines: readonly EngineDescriptor[] = ENGINES, reference: EngineDescriptor = duckdbEngine): CustomScenario {
  return {
    kind: 'custom',
    name: 'cdc-merge',
    title: 'CDC merges: upsert/merge (hard, soft delete), insert-only history vs truncate-and-reload',
    teaches:
      'A change log (inserts, updates, deletes with log sequence numbers) is applied to a target table in batches. ' +
      'Each pattern is one logical plan: merge = latest change per key wins (a row_number window over target ∪ ' +
      'changes), with tombstones or an is_deleted flag for deletes; insert-only history appends versions; ' +
      'truncate-and-reload rebuilds from a full snapshot. Every batch is checked against DuckDB and the source. ' +
      'The series show time against the change fraction: merge cost grows with the batch while a reload always ' +
      'pays for the full snapshot, so look for the fraction where the two lines cross — and note that here every ' +
      'merge still rewrites the whole table (rewritten rows), as copy-on-write tables without file pruning do.',
    suite: 'cdc',
    sizes: { bench: [10_000], test: 1_000 },
    async variants(options) {
      const out: { name: string; available: boolean; reason?: string }[] = [];
      for (const engine of engines) {
        const up = engine.available ? await engine.available(options) : ({ ok: true } as const);
        for (const pattern of Object.values(PATTERNS)) {
          const name = variantName(engine.name, pattern.name);
          const reason = up.ok ? patternUnsupported(engine, pattern, simulateCdc(1, 0).entity) : up.reason;
          out.push(reason ? { name, available: false, reason } : { name, available: true });
        }
      }
      return out;
    },
    runCell: (variant, rows, ctx) => runCell(variant, rows, ctx, engines, reference),
  };
}

async function runCell(variant: string, rows: number, ctx: CustomCellContext, engines: readonly EngineDescriptor[], reference: EngineDescriptor): Promise<CustomCellResult> {
  const { engine: descriptor, pattern } = parseVariant(variant, engines);
  const env: CellEnv = { workDir: ctx.workDir, seed: ctx.seed, now: ctx.now, options: ctx.options };
  const sim = simulateCdc(rows, ctx.seed, { batches: BATCHES, changeFraction: BATCH_FRACTION });
  const engines_: Engine[] = [];
  const open = async (d: EngineDescriptor, label: string): Promise<Engine> => {
    const e = await createEngine(d, env, label);
    engines_.push(e);
    return e;
  };
  try {
    const entity = sim.entity;
    const base = tableFromRows(entity.schema, sim.base);
    const t0 = ctx.now();
    const applier = await CdcApplier.seed(await open(descriptor, 'engine'), entity, pattern, base, sim.baseSeq, sim.baseTsMs, { now: ctx.now });
    const loadMs = ctx.now() - t0;
    const ref = await CdcApplier.seed(await open(reference, 'reference'), entity, pattern, base, sim.baseSeq, sim.baseTsMs, { now: ctx.now, skipCounts: true });
    const samplesMs: number[] = [];
    const totals = { inserted: 0, updated: 0, deleted: 0, rewritten: 0, changeRows: 0, delivered: 0 };
    const series: Record<string, { x: number; y: number }[]> = { 'rows inserted per batch': [], 'rows updated per batch': [], 'rows deleted per batch': [], 'rows rewritten per batch': [] };
    let failure: string | null = null;
    for (let b = 0; b < sim.batches.length && !failure; b++) {
      const report = await step(applier, sim, b);
      await step(ref, sim, b);
      samplesMs.push(report.prepareMs + report.engineMs);
      for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += report[k];
      series['rows inserted per batch']!.push({ x: b + 1, y: report.inserted });
      series['rows updated per batch']!.push({ x: b + 1, y: report.updated });
      series['rows deleted per batch']!.push({ x: b + 1, y: report.deleted });
      series['rows rewritten per batch']!.push({ x: b + 1, y: report.rewritten });
      failure =
        check(ref.state, applier.state, `${pattern.name} state after batch ${b + 1} vs ${reference.name}`) ??
        check(tableFromRows(entity.schema, sim.batches[b]!.sourceRows), await applier.current(), `${pattern.name} current view after batch ${b + 1} vs the source table`);
    }
    if (!failure) Object.assign(series, await crossover(descriptor, pattern, rows, ctx, env, open));
    return {
      samplesMs,
      loadMs,
      metrics: {
        rowsIn: totals.delivered,
        rowsOut: applier.state.numRows,
        counters: { ...totals, batches: sim.batches.length },
        notes: [`${pattern.title}: ${sim.batches.length} batches of about ${BATCH_FRACTION * 100}% of ${rows} rows; samples are per-batch apply times (validate + collapse + load + plan + swap)`],
      },
      check: failure ? { ok: false, detail: failure } : { ok: true },
      series,
    };
  } finally {
    for (const e of engines_) await e.close();
  }
}

/** ms per batch vs change fraction (%), for this pattern and for truncate-and-reload on the same engine. */
async function crossover(
  descriptor: EngineDescriptor,
  pattern: CdcPattern,
  rows: number,
  ctx: CustomCellContext,
  env: CellEnv,
  open: (d: EngineDescriptor, label: string) => Promise<Engine>,
): Promise<Record<string, { x: number; y: number }[]>> {
  const merge: { x: number; y: number }[] = [];
  const reload: { x: number; y: number }[] = [];
  const reloadPattern = PATTERNS['truncate-reload'];
  for (const fraction of CHANGE_FRACTIONS) {
    const sim = simulateCdc(rows, ctx.seed + 1, { batches: 1, changeFraction: fraction });
    const base = tableFromRows(sim.entity.schema, sim.base);
    if (pattern.mergePlan(sim.entity)) {
      const a = await CdcApplier.seed(await open(descriptor, `merge-${fraction}`), sim.entity, pattern, base, sim.baseSeq, sim.baseTsMs, { now: env.now, skipCounts: true });
      const r = await step(a, sim, 0);
      merge.push({ x: fraction * 100, y: r.prepareMs + r.engineMs });
    }
    const b = await CdcApplier.seed(await open(descriptor, `reload-${fraction}`), sim.entity, reloadPattern, base, sim.baseSeq, sim.baseTsMs, { now: env.now, skipCounts: true });
    const t0 = env.now();
    await step(b, sim, 0);
    reload.push({ x: fraction * 100, y: env.now() - t0 });
  }
  const out: Record<string, { x: number; y: number }[]> = { 'truncate-reload ms vs change %': reload };
  if (merge.length > 0) out[`${pattern.name} ms vs change %`] = merge;
  return out;
}
