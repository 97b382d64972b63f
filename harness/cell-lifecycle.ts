// One cell's life inside its child process: load the tables, create the engine, time `load`, run once cold,
// then let tinybench do warm-up and timed iterations; write the result table and a CellReport.
// WARNING: runs only in the child (harness/cell.ts); it assumes a fresh process (no engine state, clean heap).
import { mkdirSync, rmSync } from 'node:fs';
import { setImmediate as nextTurn } from 'node:timers/promises';
import * as arrow from 'apache-arrow';
import { Bench } from 'tinybench';
import { buildScenarioPlan } from '../scenarios/registry.ts';
import type { CustomScenario, QueryScenario } from '../scenarios/scenario.ts';
import type { EngineEvent, Engine } from '../engines/engine.ts';
import { loadDataset } from '../datasets/cache.ts';
import { peakRssBytes } from './peak-rss.ts';
import { writeFileAtomic } from './atomic-write.ts';
import { iterationsThatFit } from './budget.ts';
import { engineByName, loadCatalog, scenarioByName } from './catalog.ts';
import type { CellReport, CellSpec } from './cell-protocol.ts';
import { summarise } from './stats.ts';
import { statusOfError } from './status.ts';

/** Events kept per cell for the report; engines emitting more (one per task per iteration) are truncated. */
const MAX_EVENTS = 10_000;

/** Ask V8 for a full collection between iterations, when `--expose-gc` is on (the runner always sets it). */
function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/**
 * Run the cell `spec` describes and return its report (also for failures the engine reports as EngineError).
 * `now` is the clock every duration is measured with; `startedAt` is when the process started on that clock.
 * `onTimedWorkDone` is called once nothing timed is left (the result still has to be written).
 */
export async function runCellSpec(spec: CellSpec, now: () => number, startedAt: number, onTimedWorkDone: () => void = () => {}): Promise<CellReport> {
  mkdirSync(spec.workDir, { recursive: true });
  try {
    const catalog = await loadCatalog(spec.extensions);
    const scenario = scenarioByName(catalog, spec.scenario);
    return scenario.kind === 'query'
      ? await runQueryCell(spec, scenario, catalog, now, startedAt, onTimedWorkDone)
      : await runCustomCell(spec, scenario, now, onTimedWorkDone);
  } catch (err) {
    return { status: statusOfError(err), peakRssBytes: peakRssBytes(), wroteResult: false };
  } finally {
    rmSync(spec.workDir, { recursive: true, force: true });
  }
}

async function runQueryCell(
  spec: CellSpec,
  scenario: QueryScenario,
  catalog: Awaited<ReturnType<typeof loadCatalog>>,
  now: () => number,
  startedAt: number,
  onTimedWorkDone: () => void,
): Promise<CellReport> {
  const descriptor = engineByName(catalog, spec.engine);
  const plan = buildScenarioPlan(scenario).plan;

  const events: EngineEvent[] = [];
  let droppedEvents = 0;
  // The engine starts while the dataset is read: worker threads boot on their own threads meanwhile (a DAG or
  // MapReduce pool took 0.1-0.3 s to come up). Both are done before anything is timed.
  const creating = descriptor.create({
    workDir: spec.workDir,
    seed: spec.seed,
    now,
    emit: (e) => (events.length < MAX_EVENTS ? events.push(e) : droppedEvents++),
    options: spec.options,
    memoryBudgetBytes: spec.memoryBudgetBytes,
  });
  creating.catch(() => {}); // its failure is reported where it is awaited, not as an unhandled rejection
  let tables: Map<string, arrow.Table>;
  try {
    tables = await scenarioTables(spec, scenario);
  } catch (e) {
    await (await creating.catch(() => null))?.close();
    throw e;
  }
  const engine: Engine = await creating;
  try {
    const loadStart = now();
    await engine.load(tables);
    const loadMs = now() - loadStart;
    tables.clear(); // drop the harness's references: from here on only the engine holds data
    collectGarbage();
    await nextTurn();

    const coldStart = now();
    await engine.run(plan);
    const coldMs = now() - coldStart;

    const iterations = iterationsThatFit({
      requested: spec.iterations,
      warmup: spec.warmup,
      coldMs,
      remainingMs: spec.budgetMs - (now() - startedAt),
      targetMs: spec.timedWorkTargetMs ?? null,
    });
    const samplesMs: number[] = [];
    let phase: 'warmup' | 'run' = 'warmup';
    // Only the final iteration's result is kept (to be written and compared): holding an earlier one would keep
    // it alive through the next timed run, billing that run for a collection it should not pay.
    let last: arrow.Table | null = null;
    const bench = new Bench({
      iterations,
      time: 0,
      warmup: spec.warmup > 0,
      warmupIterations: spec.warmup,
      warmupTime: 0,
      throws: true,
      now,
    });
    bench.add(
      'run',
      async () => {
        // Timed here rather than by tinybench so samples keep their order (tinybench retains them sorted)
        // and exclude its bookkeeping; tinybench still drives warm-up and iteration counts.
        const t0 = now();
        const result = await engine.run(plan);
        const ms = now() - t0;
        if (phase === 'run') {
          samplesMs.push(ms);
          if (samplesMs.length === iterations) last = result;
        }
        return { overriddenDuration: ms };
      },
      {
        async: true,
        beforeAll: (mode) => {
          phase = mode === 'run' ? 'run' : 'warmup';
        },
        // Between iterations: free the previous result's memory (native engines free in finalizers, which need
        // a collection and a turn of the event loop to run) so one iteration's garbage does not bill the next.
        beforeEach: async () => {
          collectGarbage();
          await nextTurn();
        },
      },
    );
    await bench.run();
    onTimedWorkDone();
    const task = bench.tasks[0]!;
    if (task.result.state === 'errored') throw task.result.error;
    if (samplesMs.length !== iterations || last === null) {
      throw new Error(`expected ${iterations} timed iterations, tinybench ran ${samplesMs.length}`);
    }
    const result: arrow.Table = last;

    const metrics = engine.metrics();
    writeFileAtomic(spec.resultPath, arrow.tableToIPC(result, 'file'));
    if (droppedEvents > 0) events.push({ type: 'log', message: `${droppedEvents} further events dropped` });
    writeFileAtomic(spec.eventsPath, JSON.stringify(events, (_k, v) => (typeof v === 'bigint' ? Number(v) : v)));
    return {
      status: { kind: 'ok' },
      coldMs,
      loadMs,
      stats: summarise(samplesMs),
      peakRssBytes: peakRssBytes(),
      metrics,
      resultRows: result.numRows,
      wroteResult: true,
    };
  } finally {
    await engine.close();
  }
}

/** The tables the scenario scans, from the dataset cache (the parent generated them before spawning us). */
async function scenarioTables(spec: CellSpec, scenario: QueryScenario): Promise<Map<string, arrow.Table>> {
  const all = await loadDataset(scenario.data, spec.rows, { seed: spec.seed, cacheDir: spec.cacheDir, verified: spec.verifiedFiles ?? [] });
  const tables = new Map<string, arrow.Table>();
  for (const name of scenario.tables) {
    const t = all.get(name);
    if (!t) throw new Error(`dataset '${scenario.data.dataset}' produced no table '${name}'`);
    tables.set(name, t);
  }
  return tables;
}

async function runCustomCell(spec: CellSpec, scenario: CustomScenario, now: () => number, onTimedWorkDone: () => void): Promise<CellReport> {
  const result = await scenario.runCell(spec.engine, spec.rows, {
    workDir: spec.workDir,
    seed: spec.seed,
    iterations: spec.iterations,
    options: spec.options,
    now,
    smoke: spec.smoke ?? false,
    ...(spec.sharedDir ? { sharedDir: spec.sharedDir } : {}),
    loadDataset: (ref, rows) => loadDataset(ref, rows, { seed: spec.seed, cacheDir: spec.cacheDir }),
  });
  onTimedWorkDone();
  return {
    status: result.check.ok ? { kind: 'ok' } : { kind: 'wrong', diff: result.check.detail },
    coldMs: result.coldMs,
    loadMs: result.loadMs,
    stats: result.samplesMs.length > 0 ? summarise(result.samplesMs) : undefined,
    peakRssBytes: peakRssBytes(),
    metrics: result.metrics,
    series: result.series,
    wroteResult: false,
  };
}
