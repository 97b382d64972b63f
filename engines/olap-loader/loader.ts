// The loader: one variant (target × strategy) end to end. Load the source into a fresh destination (timed),
// read it all back and compare exactly, measure what is on disk, then time the follow-up query and check its
// answer against DuckDB's on the source. Repeats the load into fresh destinations for more timed samples.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type * as arrow from 'apache-arrow';
import { schemaOfTable } from '../../plan/arrow.ts';
import { compareResults } from '../../harness/compare.ts';
import type { CustomCellResult } from '../../scenarios/scenario.ts';
import { duckdbEngine } from '../duckdb/index.ts';
import { EngineError } from '../engine.ts';
import { revenuePerCountry, type FollowUpQuery } from './follow-up-query.ts';
import { multisetEqual } from './multiset-equal.ts';
import { batchSizesOf, rowsPerWrite, strategyName, type LoadStrategy } from './strategy.ts';
import { lakeSettings } from './parquet-lake.ts';
import type { LoadTarget, StorageFacts, TargetContext, TargetSession } from './target.ts';

/**
 * No further load starts once all loads so far (the cold one included) took this long, ms (option
 * `olap.maxLoadMs`): row-at-a-time is slow by design (2.7–4.1 s for 2,000 rows into a DuckDB file or a lake), so
 * those cells keep their one cold load as the sample and micro-batches of 10 stop after two loads. A second
 * 3-second load only tightened a ratio of 100–450× to the bulk load, and cost the default bench ~10 s.
 */
export const DEFAULT_MAX_LOAD_MS = 2_500;
/** Default timed runs of the follow-up query after its cold run (option `olap.queryRuns`). */
export const DEFAULT_QUERY_RUNS = 3;
/** No further timed query run starts once the timed runs took this long, ms (thousands of small files are slow). */
const MAX_QUERY_MS = 3_000;

export interface LoaderCell {
  readonly target: LoadTarget;
  readonly strategy: LoadStrategy;
  /** The rows to load and the name of the table they become. */
  readonly source: arrow.Table;
  readonly table: string;
  /** Scratch space for destinations; each load gets a fresh subdirectory, deleted afterwards. */
  readonly workDir: string;
  /** Timed loads wanted after the first (cold) one; fewer run when they exceed `olap.maxLoadMs`. */
  readonly iterations: number;
  readonly options: TargetContext['options'];
  readonly now: () => number;
}

/** Throws on a bad value of any option the loader or a target reads (the CLI calls it before any cell). */
export function checkLoaderOptions(options: TargetContext['options']): void {
  positiveOption(options, 'olap.maxLoadMs', DEFAULT_MAX_LOAD_MS, 0);
  positiveOption(options, 'olap.queryRuns', DEFAULT_QUERY_RUNS, 1);
  batchSizesOf(options);
  lakeSettings(options);
}

function positiveOption(options: TargetContext['options'], key: string, fallback: number, min: number): number {
  const raw = options[key];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min) throw new EngineError(`${key} must be a number ≥ ${min}, got '${raw}'`, 'bad-input');
  return n;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Raw in-memory size of the source: every Arrow buffer (values, offsets, validity). */
export function arrowBytes(table: arrow.Table): number {
  return table.batches.reduce((n, b) => n + b.data.byteLength, 0);
}

/** A target failure as a one-line EngineError (targets throw driver errors as they come). */
function asEngineError(e: unknown, what: string): EngineError {
  if (e instanceof EngineError) return e;
  const message = String((e as Error)?.message ?? e).split('\n')[0]!;
  return new EngineError(`${what}: ${message}`, /out of memory/i.test(message) ? 'out-of-memory' : 'task-failed');
}

/**
 * The follow-up query's right answer: DuckDB (the project's reference engine, in memory) on the source table.
 * @example const expected = await referenceAnswer(source, 'transactions', q, workDir, performance.now.bind(performance))
 */
export async function referenceAnswer(source: arrow.Table, table: string, q: FollowUpQuery, workDir: string, now: () => number): Promise<arrow.Table> {
  const dir = join(workDir, 'reference');
  mkdirSync(dir, { recursive: true });
  const engine = await duckdbEngine.create({ workDir: dir, seed: 0, now, emit: () => {}, options: { 'duckdb.threads': 1 }, memoryBudgetBytes: 2 ** 31 });
  try {
    await engine.load(new Map([[table, source]]));
    return await engine.run(q.plan);
  } finally {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

interface FirstLoad {
  readonly storage: StorageFacts;
  readonly readBackMs: number;
  readonly queryColdMs: number;
  readonly queryMs: readonly number[];
  readonly queryCheck: CustomCellResult['check'];
}

/**
 * Run one loader variant and report it as a custom scenario cell.
 * @example
 *   const result = await runLoaderCell({ target: parquetLakeTarget, strategy: { kind: 'row' }, source, table: 'transactions',
 *     workDir, iterations: 3, options: {}, now: () => performance.now() });
 *   result.metrics.counters.files // = source.numRows
 */
export async function runLoaderCell(cell: LoaderCell): Promise<CustomCellResult> {
  const { target, strategy, source, now } = cell;
  const variant = `${target.name}/${strategyName(strategy)}`;
  const schema = schemaOfTable(source);
  const q = revenuePerCountry(cell.table, schema);
  const maxLoadMs = positiveOption(cell.options, 'olap.maxLoadMs', DEFAULT_MAX_LOAD_MS, 0);
  const queryRuns = Math.floor(positiveOption(cell.options, 'olap.queryRuns', DEFAULT_QUERY_RUNS, 1));
  const expected = await referenceAnswer(source, cell.table, q, cell.workDir, now);

  const loadsMs: number[] = [];
  let writes = 0;
  let first: FirstLoad | null = null;
  let loadCheck: CustomCellResult['check'] = { ok: true };
  let totalLoadMs = 0;
  let rowsReadBack = 0;
  for (let i = 0; i <= cell.iterations && (i === 0 || totalLoadMs < maxLoadMs); i++) {
    const dir = join(cell.workDir, `${target.name}-${i}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    let session: TargetSession | null = null;
    let failed = false;
    try {
      session = await target.open({ dir, table: cell.table, schema, options: cell.options });
      const t0 = now();
      try {
        writes = (await session.load(source, strategy)).writes;
      } catch (e) {
        throw asEngineError(e, `${variant}: load failed`);
      }
      const ms = now() - t0;
      loadsMs.push(ms);
      totalLoadMs += ms;
      const r0 = now();
      const back = await session.readBack();
      const readBackMs = now() - r0;
      rowsReadBack = back.numRows;
      const check = multisetEqual(source, back);
      if (!check.ok && loadCheck.ok) loadCheck = { ok: false, detail: `${variant} load ${i + 1}: ${check.detail}` };
      if (i === 0) first = await measureFirst(session, q, expected, queryRuns, readBackMs, now, variant);
    } catch (e) {
      failed = true;
      throw asEngineError(e, variant);
    } finally {
      // A failing close must not hide the error that got us here.
      await session?.close().catch((e: unknown) => {
        if (!failed) throw asEngineError(e, `${variant}: close failed`);
      });
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const f = first!;
  const coldMs = loadsMs[0]!;
  const samplesMs = loadsMs.length > 1 ? loadsMs.slice(1) : loadsMs;
  const loadMedianMs = median(samplesMs);
  const rows = source.numRows;
  const perWrite = rowsPerWrite(strategy, rows);
  const rowsPerSecond = loadMedianMs > 0 ? rows / (loadMedianMs / 1000) : 0;
  const rawBytes = arrowBytes(source);
  const queryMedianMs = median(f.queryMs);
  const check = !loadCheck.ok ? loadCheck : f.queryCheck;
  const notes = [
    target.models,
    ...f.storage.notes,
    `${rows} rows in ${writes} write(s) of up to ${perWrite} row(s); ${loadsMs.length} load(s) into fresh destinations ` +
      (loadsMs.length > 1 ? '(samples exclude the first, cold one)' : '(only the cold one: its time is the sample)') +
      (loadsMs.length - 1 < cell.iterations ? `; fewer than ${cell.iterations + 1} because loads passed olap.maxLoadMs = ${maxLoadMs}` : ''),
  ];
  // One chart per target for throughput (its strategies side by side); one for bytes across all targets; the
  // small-files penalty for the lake. Each cell contributes its one point to each.
  const series: Record<string, { x: number; y: number }[]> = {
    [`${target.name}: load throughput (rows/s) vs rows per write`]: [{ x: perWrite, y: rowsPerSecond }],
    'bytes on disk vs rows per write': [{ x: perWrite, y: f.storage.bytesOnDisk }],
  };
  if (target.name === 'parquet-lake') series['follow-up query on the lake (ms) vs files'] = [{ x: f.storage.files, y: queryMedianMs }];
  return {
    samplesMs,
    coldMs,
    check,
    series,
    metrics: {
      rowsIn: rows,
      rowsOut: rowsReadBack,
      counters: {
        writes,
        rowsPerWrite: perWrite,
        loadRowsPerSecond: rowsPerSecond,
        files: f.storage.files,
        ...(f.storage.rowGroups !== null ? { rowGroups: f.storage.rowGroups } : {}),
        bytesOnDisk: f.storage.bytesOnDisk,
        rawArrowBytes: rawBytes,
        compressionRatio: f.storage.bytesOnDisk > 0 ? rawBytes / f.storage.bytesOnDisk : 0,
        followUpQueryMs: queryMedianMs,
        followUpQueryColdMs: f.queryColdMs,
        ...f.storage.counters,
      },
      phasesMs: { load: loadMedianMs, readBack: f.readBackMs, followUpQuery: queryMedianMs },
      notes,
    },
  };
}

/** On the first destination only: storage facts, then the follow-up query (cold + timed runs) and its check. */
async function measureFirst(
  session: TargetSession,
  q: FollowUpQuery,
  expected: arrow.Table,
  runs: number,
  readBackMs: number,
  now: () => number,
  variant: string,
): Promise<FirstLoad> {
  const storage = await session.storage();
  const c0 = now();
  let answer = await session.query(q);
  const queryColdMs = now() - c0;
  const queryMs: number[] = [];
  let timed = 0;
  for (let r = 0; r < runs && timed < MAX_QUERY_MS; r++) {
    const t0 = now();
    answer = await session.query(q);
    queryMs.push(now() - t0);
    timed += queryMs.at(-1)!;
  }
  const cmp = compareResults(expected, answer, q.plan);
  const queryCheck: CustomCellResult['check'] = cmp.ok ? { ok: true } : { ok: false, detail: `${variant} follow-up query differs from DuckDB on the source: ${cmp.diff}` };
  return { storage, readBackMs, queryColdMs, queryMs, queryCheck };
}
