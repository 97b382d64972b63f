// The scenario contract. A query scenario is written once as a logical plan and run by every engine; a custom
// scenario (OLAP loading, CDC) drives its own variants through the same cell lifecycle and checks itself.
import type * as arrow from 'apache-arrow';
import type { DataFrame } from '../plan/dataframe.ts';
import type { DatasetRef } from '../datasets/dataset.ts';
import type { EngineMetrics } from '../engines/engine.ts';

/** Row counts a scenario runs at. */
export interface ScenarioSizes {
  /** Sizes when the scenario is chosen by name or suite, and (unless `defaultSuite` narrows them) by default. */
  readonly bench: readonly number[];
  /**
   * Sizes in the default suite (`npm run bench` without --scenarios or --suite) when only some of `bench`, so the
   * whole default suite finishes in minutes on 2 cores. `--quick` still takes the smallest of `bench`.
   */
  readonly defaultSuite?: readonly number[];
  /** A small size for tests and the conformance matrix. */
  readonly test: number;
  /** Optional per-engine caps for the default bench (e.g. the dataframe engine at 1e5), by engine name. */
  readonly benchCap?: Readonly<Record<string, number>>;
}

interface ScenarioBase {
  /** CLI name, kebab-case, e.g. `groupby-count`. */
  readonly name: string;
  readonly title: string;
  /** One paragraph: what the scenario teaches and what to look for in the numbers. */
  readonly teaches: string;
  /** Grouping in the CLI and report: `foundation`, `db-benchmark`, `cdc`, `olap-load`, ... */
  readonly suite: string;
  readonly sizes: ScenarioSizes;
}

/** Returns a DataFrame scanning one of the scenario's dataset tables. */
export type TableLookup = (table: string) => DataFrame;

export interface QueryScenario extends ScenarioBase {
  readonly kind: 'query';
  readonly data: DatasetRef;
  /** The tables the plan scans (names from the dataset); the harness loads only these. */
  readonly tables: readonly string[];
  /** Build the plan. Pure: called once per cell. */
  build(table: TableLookup): DataFrame;
}

/** What a custom scenario's cell measured. Times are ms. */
export interface CustomCellResult {
  /** Timed samples of the operation the scenario is about (e.g. one whole load, or applying all batches). */
  readonly samplesMs: readonly number[];
  readonly coldMs?: number;
  readonly loadMs?: number;
  readonly metrics: EngineMetrics;
  /** The scenario checks its own correctness (loaded data equals source, merged table equals reference...). */
  readonly check: { readonly ok: true } | { readonly ok: false; readonly detail: string };
  /** Extra series for the report, e.g. throughput vs batch size: name → points. */
  readonly series?: Readonly<Record<string, readonly { readonly x: number; readonly y: number }[]>>;
}

export interface CustomCellContext {
  readonly workDir: string;
  readonly seed: number;
  readonly iterations: number;
  readonly options: Readonly<Record<string, string | number | boolean>>;
  readonly now: () => number;
  /** A smoke run (`--quick`): skip extra measurements that only add charts (the checks still run in full). */
  readonly smoke?: boolean;
  /**
   * A folder shared by the run's cells (one at a time), for what several cells would otherwise each compute the
   * same way (cdc-merge's reference states); deleted with the run's scratch. Absent outside a bench run.
   */
  readonly sharedDir?: string;
  /** Load (from cache or by generating) a dataset's tables at a size. */
  readonly loadDataset: (ref: DatasetRef, rows: number) => Promise<ReadonlyMap<string, arrow.Table>>;
}

export interface CustomScenario extends ScenarioBase {
  readonly kind: 'custom';
  /** The variants this scenario runs, shown where engines are for query scenarios (e.g. `duckdb-file/bulk`). */
  variants(options: CustomCellContext['options']): Promise<readonly { name: string; available: boolean; reason?: string }[]>;
  runCell(variant: string, rows: number, ctx: CustomCellContext): Promise<CustomCellResult>;
  /** Throw on an option value the scenario's cells cannot run with (see EngineDescriptor.checkOptions). */
  checkOptions?(options: CustomCellContext['options']): Promise<void> | void;
}

export type Scenario = QueryScenario | CustomScenario;
