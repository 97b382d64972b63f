// The bench runner: expands the chosen scenarios × sizes × engines into cells, runs each in its own child process
// (reference engine first per scenario and size), checks every result against the reference, ranks the engines
// and writes the dated results JSON, latest.json and the HTML report.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as arrow from 'apache-arrow';
import { unsupportedReason, type EngineDescriptor } from '../engines/engine.ts';
import { ensureDataset, type FileStamp } from '../datasets/cache.ts';
import type { PlanNode } from '../plan/types.ts';
import { renderReport } from '../reports/html.ts';
import { buildScenarioPlan } from '../scenarios/registry.ts';
import type { CustomScenario, QueryScenario, Scenario } from '../scenarios/scenario.ts';
import { UsageError } from './args.ts';
import { writeFileAtomic } from './atomic-write.ts';
import { compareWithBaseline, loadBaseline, type BaselineComparison } from './baseline.ts';
import { defaultBudgetMs } from './budget.ts';
import { buildCellBundle, type CellBundle } from './cell-bundle.ts';
import type { Catalog } from './catalog.ts';
import type { CellReport, CellSpec } from './cell-protocol.ts';
import { compareResults } from './compare.ts';
import { environment } from './environment.ts';
import type { Progress } from './progress.ts';
import { rankEngines } from './ranking.ts';
import { RESULTS_VERSION, type CellResult, type CellStatus, type EngineInfo, type RunResults, type ScenarioInfo } from './results.ts';
import { oneLine } from './status.ts';
import { CellProcess, killGroup } from './supervisor.ts';
import { formatMs, formatRows } from './units.ts';

/** The correctness oracle: every other engine's result is compared with its result. */
export const REFERENCE_ENGINE = 'duckdb';

export interface BenchSettings {
  readonly catalog: Catalog;
  /** Selected scenarios, in run order. */
  readonly scenarios: readonly Scenario[];
  /** Selected engines for query scenarios; the reference engine is added when missing. */
  readonly engines: readonly EngineDescriptor[];
  /**
   * Engines named with --engines, or null/absent when none were: a custom scenario whose variants are named
   * engine/pattern (cdc-merge) then runs only those engines' variants; one whose variants are not engines
   * (olap-load's targets) runs them all.
   */
  readonly chosenEngines?: readonly string[] | null;
  /** Substrings selecting custom scenarios' variants (`--variants`), or null/absent for all of them. */
  readonly variants?: readonly string[] | null;
  /** Sizes chosen on the command line (override every scenario's own), or null for the scenarios' sizes. */
  readonly sizes: readonly number[] | null;
  /** Smallest bench size of each scenario instead of all of them. */
  readonly quick: boolean;
  /** The scenarios are the default suite (neither --scenarios nor --suite): `sizes.defaultSuite` applies. */
  readonly defaultSuite?: boolean;
  readonly iterations: number;
  readonly warmup: number;
  /** About this much timed work per cell (slow cells run fewer iterations), or null/absent: exactly `iterations`. */
  readonly timedWorkTargetMs?: number | null;
  /** Fixed per-cell budget in ms, or null to scale it with the size (see budget.ts). */
  readonly budgetMs: number | null;
  readonly seed: number;
  readonly options: Readonly<Record<string, string | number | boolean>>;
  /** --max-old-space-size of every cell's child process, MB; also the engines' memory budget. */
  readonly maxOldSpaceMb: number;
  readonly outDir: string;
  readonly cacheDir?: string;
  readonly baselinePath?: string;
  /**
   * Keep every cell's result table under runs/<stamp>/results/. By default only WRONG cells' tables (and their
   * group's reference) are kept: results can be large (a 1m-row join result is ~80 MB per engine).
   */
  readonly keepResults?: boolean;
}

export interface BenchDeps {
  readonly progress: Progress;
  /** Wall clock for the dated file names and start/finish stamps. */
  readonly clock: () => Date;
}

/** Results as written: the contract's RunResults plus the runner's additions documented in RESULTS.md. */
export type WrittenResults = Omit<RunResults, 'cells'> & {
  readonly cells: readonly (CellResult & { readonly budgetMs: number })[];
  readonly baseline?: BaselineComparison;
};

export interface BenchOutput {
  readonly results: WrittenResults;
  readonly jsonPath: string;
  readonly htmlPath: string;
}

/** One cell to run: which scenario, engine (or variant) and size, and how it is decided before running. */
export interface PlannedCell {
  readonly scenario: Scenario;
  readonly engine: string;
  readonly rows: number;
  readonly budgetMs: number;
  /** Set when the cell is decided without running (unsupported, unavailable). */
  readonly decided?: CellStatus;
}

/** A group that shares one dataset and one reference: a scenario at one size. */
export interface CellGroup {
  readonly scenario: Scenario;
  readonly rows: number;
  readonly plan: PlanNode | null;
  readonly cells: readonly PlannedCell[];
}

/** The file-name form of a name (variants may contain `/`). */
const safe = (name: string): string => name.replace(/[^\w.-]+/g, '_');

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** `YYYYMMDD-HHMMSS` in local time, as the dated results files are named. */
export function runStamp(d: Date): string {
  return `${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}-${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}`;
}

/** The sizes a scenario runs at in this run. */
export function sizesFor(scenario: Scenario, settings: Pick<BenchSettings, 'sizes' | 'quick' | 'defaultSuite'>): number[] {
  if (settings.sizes) return [...settings.sizes];
  const ascending = (sizes: readonly number[]): number[] => [...sizes].sort((a, b) => a - b);
  if (settings.quick) return ascending(scenario.sizes.bench).slice(0, 1);
  return ascending((settings.defaultSuite ? scenario.sizes.defaultSuite : undefined) ?? scenario.sizes.bench);
}

async function availability(engines: readonly EngineDescriptor[], options: BenchSettings['options']): Promise<Map<string, string | null>> {
  const out = new Map<string, string | null>();
  for (const e of engines) {
    try {
      const a = (await e.available?.(options)) ?? { ok: true as const };
      out.set(e.name, a.ok ? null : a.reason);
    } catch (err) {
      out.set(e.name, oneLine(err instanceof Error ? err.message : String(err)));
    }
  }
  return out;
}

/** Expand the settings into groups of cells, deciding up front the cells that cannot run (unavailable, unsupported). */
export async function planGroups(settings: BenchSettings, engines: readonly EngineDescriptor[]): Promise<CellGroup[]> {
  const unavailable = await availability(engines, settings.options);
  const budgetFor = (rows: number): number => settings.budgetMs ?? defaultBudgetMs(rows);
  const groups: CellGroup[] = [];
  for (const scenario of settings.scenarios) {
    if (scenario.kind === 'query') {
      const plan = buildScenarioPlan(scenario).plan;
      for (const rows of sizesFor(scenario, settings)) {
        const cells: PlannedCell[] = [];
        for (const e of engines) {
          const cap = scenario.sizes.benchCap?.[e.name];
          // Per-engine caps trim only the default sizes; sizes asked for explicitly always run.
          if (!settings.sizes && cap !== undefined && rows > cap && e.name !== REFERENCE_ENGINE) continue;
          const down = unavailable.get(e.name);
          const reason = unsupportedReason(e, plan);
          const decided: CellStatus | undefined = down
            ? { kind: 'unavailable', reason: down }
            : reason
              ? { kind: 'unsupported', reason }
              : undefined;
          cells.push({ scenario, engine: e.name, rows, budgetMs: budgetFor(rows), decided });
        }
        groups.push({ scenario, rows, plan, cells });
      }
    } else {
      const all = variantsOfChosenEngines(await customVariants(scenario, settings.options), settings);
      if (all.length === 0) continue;
      const wanted = settings.variants;
      const variants = wanted ? all.filter((v) => wanted.some((w) => v.name.includes(w))) : all;
      if (variants.length === 0) {
        throw new UsageError(`--variants ${wanted!.join(',')} selects none of ${scenario.name}'s variants: ${all.map((v) => v.name).join(', ')}`);
      }
      for (const rows of sizesFor(scenario, settings)) {
        const cells = variants.map((v) => ({
          scenario,
          engine: v.name,
          rows,
          budgetMs: budgetFor(rows),
          decided: v.available ? undefined : ({ kind: 'unavailable', reason: v.reason ?? 'not available here' } as const),
        }));
        groups.push({ scenario, rows, plan: null, cells });
      }
    }
  }
  return groups;
}

/** The variants of the engines chosen with --engines (duckdb-sql counts as duckdb's); all when none were chosen. */
function variantsOfChosenEngines<V extends { readonly name: string }>(variants: readonly V[], settings: BenchSettings): readonly V[] {
  const chosen = settings.chosenEngines;
  if (!chosen) return variants;
  const registered = settings.catalog.engines.map((e) => e.name);
  const ownerOf = (variant: string): string | undefined => {
    const prefix = variant.split('/')[0]!;
    return registered.find((e) => prefix === e || prefix.startsWith(`${e}-`));
  };
  // Engine-based when some variant is named after an engine exactly (cdc-merge's dag/merge-hard-delete); olap-load's
  // duckdb-file/bulk names a load target, not the duckdb engine.
  if (!variants.some((v) => v.name.includes('/') && registered.includes(v.name.split('/')[0]!))) return variants;
  return variants.filter((v) => {
    const owner = ownerOf(v.name);
    return owner !== undefined && chosen.includes(owner);
  });
}

async function customVariants(scenario: CustomScenario, options: BenchSettings['options']): Promise<{ name: string; available: boolean; reason?: string }[]> {
  try {
    return [...(await scenario.variants(options))];
  } catch (err) {
    return [{ name: 'variants', available: false, reason: `listing variants failed: ${oneLine(err instanceof Error ? err.message : String(err))}` }];
  }
}

function scenarioInfo(s: Scenario): ScenarioInfo {
  const base = { name: s.name, title: s.title, teaches: s.teaches, suite: s.suite, kind: s.kind };
  return s.kind === 'query' ? { ...base, plan: buildScenarioPlan(s as QueryScenario).explain() } : base;
}

/**
 * Run the bench: every cell in its own child process, results checked against the reference engine.
 * @example
 *   const { jsonPath } = await runBench(settings, { progress: new Progress(process.stderr, () => performance.now()), clock: () => new Date() });
 */
export async function runBench(settings: BenchSettings, deps: BenchDeps): Promise<BenchOutput> {
  const started = deps.clock();
  const baseline = settings.baselinePath ? loadBaseline(settings.baselinePath) : null;
  const outDir = resolve(settings.outDir);
  let stamp = runStamp(started);
  for (let i = 2; existsSync(join(outDir, `results-${stamp}.json`)) || existsSync(join(outDir, 'runs', stamp)); i++) {
    stamp = `${runStamp(started)}-${i}`;
  }
  const runDir = join(outDir, 'runs', stamp);
  try {
    mkdirSync(runDir, { recursive: true });
  } catch (err) {
    // Found before any cell runs, not after minutes of measurements that then could not be written.
    const code = (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
    throw new UsageError(`cannot create the output folder '${outDir}' (${code}); pass --out with a folder you can write to`);
  }

  const hasQuery = settings.scenarios.some((s) => s.kind === 'query');
  const reference = settings.catalog.engines.find((e) => e.name === REFERENCE_ENGINE);
  if (hasQuery && !reference) throw new Error(`the reference engine '${REFERENCE_ENGINE}' is not registered`);
  const engines = hasQuery ? [reference!, ...settings.engines.filter((e) => e.name !== REFERENCE_ENGINE)] : [];

  const groups = await planGroups(settings, engines);
  const total = groups.reduce((n, g) => n + g.cells.length, 0);
  const cells: (CellResult & { budgetMs: number })[] = [];
  const memoryBudgetBytes = settings.maxOldSpaceMb * 2 ** 20;

  let activePid: number | null = null;
  // The process the next cell will run in, started while the current one finishes (supervisor.ts CellProcess).
  const next: { standby: CellProcess | null } = { standby: null };
  // Set by the first Ctrl-C (or SIGTERM) once some cells have finished: the run stops and writes their results.
  const stop: { signal: NodeJS.Signals | null } = { signal: null };
  // WARNING: cells run in their own process groups (so budgets can kill their workers), which also means a
  // Ctrl-C or kill of the runner does not reach them: forward it, or they would run on as orphans.
  const onSignal = (signal: NodeJS.Signals): void => {
    if (activePid !== null) killGroup(activePid);
    next.standby?.dispose();
    next.standby = null;
    deps.progress.stop();
    if (stop.signal === null && cells.length > 0) {
      // Minutes of finished measurements are worth keeping: stop after the killed cell and write them.
      stop.signal = signal;
      process.stderr.write(`\ninterrupted (${signal}): the running cell was killed; writing the results of the ${cells.length} finished cell${cells.length === 1 ? '' : 's'} (press Ctrl-C again to quit without them)\n`);
      return;
    }
    process.stderr.write(`\ninterrupted (${signal}): the running cell was killed; no results written\n`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Extensions are TypeScript the bundle does not contain (and must share the project's module instances): tsx.
  let bundle: CellBundle | null = null;
  if (settings.catalog.extensions.length === 0 && process.env.ENGINEBENCH_CELL_LOADER !== 'tsx') {
    const built = await buildCellBundle(stamp + '-' + process.pid);
    if ('failed' in built) deps.progress.note(`cells start through tsx (compiling the cell entry failed: ${built.failed})`);
    else bundle = built;
  }
  deps.progress.start(total, groups.flatMap((g) => g.cells.map((c) => ({ engine: c.engine, scenario: c.scenario.name, rows: c.rows }))));
  let index = 0;
  // The group the run stopped in when interrupted: its cells are kept but not ranked (not every engine ran it).
  let unfinishedGroup: CellGroup | null = null;
  try {
    groups: for (const group of groups) {
      if (stop.signal) break;
      const toRun = group.cells.filter((c) => !c.decided);
      let datasetError: string | null = null;
      let verifiedFiles: readonly FileStamp[] = [];
      if (toRun.length > 0 && group.scenario.kind === 'query') {
        const prepared = await prepareDataset(group.scenario, group.rows, settings, deps);
        if ('error' in prepared) datasetError = prepared.error;
        else verifiedFiles = prepared.verified;
      }
      let referencePath: string | null = null;
      const written: { path: string; keep: boolean }[] = [];
      let referenceFailure: string | null = null;
      const dropResults = (): void => {
        if (settings.keepResults) return;
        // Keep what explains a WRONG cell (its table and the reference's), drop the rest.
        const anyKept = written.some((w) => w.keep);
        for (const w of written) if (!w.keep && !(anyKept && w.path === referencePath)) rmSync(w.path, { force: true });
      };
      for (const planned of group.cells) {
        if (stop.signal) {
          unfinishedGroup = group;
          dropResults();
          break groups;
        }
        const label = { engine: planned.engine, scenario: planned.scenario.name, rows: planned.rows };
        deps.progress.cellStarted(index, label);
        const cellStartedAt = Date.now();
        let wallMs: number | undefined;
        const resultPath = join(runDir, 'results', `${safe(planned.scenario.name)}.${planned.rows}.${safe(planned.engine)}.arrow`);
        const isReference = group.plan !== null && planned.engine === REFERENCE_ENGINE;
        let report: CellReport;
        if (planned.decided) report = { status: planned.decided, wroteResult: false };
        else if (datasetError) report = { status: { kind: 'error', message: datasetError }, wroteResult: false };
        else if (group.plan !== null && !isReference && referencePath === null) {
          report = { status: { kind: 'error', message: `no reference result (${REFERENCE_ENGINE}: ${referenceFailure ?? 'did not run'})` }, wroteResult: false };
        } else {
          const spec: CellSpec = {
            scenario: planned.scenario.name,
            engine: planned.engine,
            rows: planned.rows,
            seed: settings.seed,
            iterations: settings.iterations,
            warmup: settings.warmup,
            timedWorkTargetMs: settings.timedWorkTargetMs ?? null,
            budgetMs: planned.budgetMs,
            options: settings.options,
            memoryBudgetBytes,
            extensions: settings.catalog.extensions,
            cacheDir: settings.cacheDir ? resolve(settings.cacheDir) : undefined,
            verifiedFiles,
            smoke: settings.quick,
            workDir: join(runDir, 'scratch', `${index}-${safe(planned.engine)}`),
            sharedDir: join(runDir, 'scratch', 'shared'),
            resultPath,
            reportPath: join(runDir, 'cells', `${index}.report.json`),
            eventsPath: join(runDir, 'events', `${safe(planned.scenario.name)}.${planned.rows}.${safe(planned.engine)}.json`),
          };
          const processOptions = { maxOldSpaceMb: settings.maxOldSpaceMb, label: runDir, ...(bundle ? { bundledEntry: bundle.entry } : {}) };
          const cellProcess = next.standby ?? CellProcess.start(processOptions);
          next.standby = null;
          report = await cellProcess.run(spec, {
            specPath: join(runDir, 'cells', `${index}.spec.json`),
            onSpawn: (pid) => (activePid = pid),
            // Boot the next cell's process while this one writes its result and we check it (untimed work).
            onTimedWorkDone: () => (next.standby ??= CellProcess.start(processOptions)),
          });
          activePid = null;
          if (stop.signal) {
            // Killed by the interrupt: neither a result nor a failure of the engine.
            unfinishedGroup = group;
            dropResults();
            break groups;
          }
          if (group.plan !== null && report.status.kind === 'ok' && report.wroteResult) {
            if (isReference) referencePath = resultPath;
            else report = { ...report, status: checkAgainstReference(referencePath!, resultPath, group.plan) };
          }
          if (report.wroteResult) written.push({ path: resultPath, keep: report.status.kind !== 'ok' });
          wallMs = Date.now() - cellStartedAt;
        }
        if (isReference && referencePath === null) referenceFailure = report.status.kind;
        const cell = toCellResult(planned, report, wallMs);
        cells.push(cell);
        deps.progress.cellFinished(index, label, cell);
        index++;
      }
      dropResults();
    }
  } finally {
    next.standby?.dispose();
    deps.progress.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    rmSync(join(runDir, 'scratch'), { recursive: true, force: true });
    bundle?.dispose();
  }

  const queryNames = new Set(settings.scenarios.filter((s) => s.kind === 'query').map((s) => s.name));
  const engineInfos: EngineInfo[] = engines.map((e) => ({ name: e.name, models: e.models, role: e.role, summary: e.summary }));
  for (const g of groups) {
    if (g.scenario.kind !== 'custom') continue;
    for (const c of g.cells) {
      if (!engineInfos.some((x) => x.name === c.engine)) {
        engineInfos.push({ name: c.engine, models: g.scenario.title, role: 'variant', summary: `a variant of the ${g.scenario.name} scenario` });
      }
    }
  }
  const results: WrittenResults = {
    version: RESULTS_VERSION,
    startedAt: started.toISOString(),
    finishedAt: deps.clock().toISOString(),
    environment: await environment(engines, settings.seed, settings.options),
    settings: {
      iterations: settings.iterations,
      warmupIterations: settings.warmup,
      budgetMs: settings.budgetMs ?? 0,
      referenceEngine: REFERENCE_ENGINE,
    },
    scenarios: settings.scenarios.map(scenarioInfo),
    engines: engineInfos,
    cells,
    ranking: rankEngines(cells.filter((c) => queryNames.has(c.scenario) && !(c.scenario === unfinishedGroup?.scenario.name && c.rows === unfinishedGroup.rows))),
    ...(stop.signal ? { interrupted: { signal: stop.signal, cellsPlanned: total } } : {}),
    ...(baseline ? { baseline: compareWithBaseline(cells, baseline, settings.baselinePath!) } : {}),
  };
  const jsonPath = join(outDir, `results-${stamp}.json`);
  const htmlPath = join(outDir, `results-${stamp}.html`);
  const json = `${JSON.stringify(results, null, 1)}\n`;
  const html = renderReport(results, baseline ? { baseline } : {});
  writeFileAtomic(jsonPath, json);
  writeFileAtomic(htmlPath, html);
  writeFileAtomic(join(outDir, 'latest.json'), json);
  writeFileAtomic(join(outDir, 'latest.html'), html);
  return { results, jsonPath, htmlPath };
}

/**
 * Generate (or find cached and verify) the scenario's dataset once in the parent, so cell processes only read the
 * cache; its files' stamps let them skip verifying it again.
 */
async function prepareDataset(scenario: QueryScenario, rows: number, settings: BenchSettings, deps: BenchDeps): Promise<{ verified: FileStamp[] } | { error: string }> {
  const t0 = Date.now();
  try {
    // The cells get the resolved folder; the stamps name files the same way.
    const entry = await ensureDataset(scenario.data, rows, { seed: settings.seed, cacheDir: settings.cacheDir ? resolve(settings.cacheDir) : undefined });
    const ms = Date.now() - t0;
    if (ms > 1000) deps.progress.note(`dataset ${scenario.data.dataset} ${formatRows(rows)} ready in ${formatMs(ms)}`);
    return { verified: entry.files.map((f) => f.stamp) };
  } catch (err) {
    return { error: `dataset ${scenario.data.dataset} at ${formatRows(rows)} rows: ${oneLine(err instanceof Error ? err.message : String(err))}` };
  }
}

/** ok, or wrong with the comparison's diff; a comparison that throws is an error, never a pass. */
function checkAgainstReference(referencePath: string, resultPath: string, plan: PlanNode): CellStatus {
  try {
    const expected = arrow.tableFromIPC(readFileSync(referencePath));
    const actual = arrow.tableFromIPC(readFileSync(resultPath));
    const verdict = compareResults(expected, actual, plan);
    return verdict.ok ? { kind: 'ok' } : { kind: 'wrong', diff: verdict.diff };
  } catch (err) {
    return { kind: 'error', message: `comparing with the reference failed: ${oneLine(err instanceof Error ? err.message : String(err))}` };
  }
}

function toCellResult(planned: PlannedCell, r: CellReport, wallMs: number | undefined): CellResult & { budgetMs: number } {
  return {
    scenario: planned.scenario.name,
    engine: planned.engine,
    rows: planned.rows,
    budgetMs: planned.budgetMs,
    status: r.status,
    ...(r.coldMs !== undefined ? { coldMs: r.coldMs } : {}),
    ...(r.loadMs !== undefined ? { loadMs: r.loadMs } : {}),
    ...(r.stats ? { stats: r.stats } : {}),
    ...(r.peakRssBytes ? { peakRssBytes: r.peakRssBytes } : {}),
    ...(wallMs !== undefined ? { wallMs } : {}),
    ...(r.metrics ? { metrics: r.metrics } : {}),
    ...(r.resultRows !== undefined ? { resultRows: r.resultRows } : {}),
    ...(r.series ? { series: r.series } : {}),
  };
}
