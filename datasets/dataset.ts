// The dataset contract: deterministic, seeded generators producing one or more named Arrow tables.
// Same name + rows + seed + params ⇒ byte-identical tables (and cache files).
import type * as arrow from 'apache-arrow';
import type { Schema } from '../plan/types.ts';
import type { GeneratorPart } from './parallel.ts';

/** A tunable knob of a generator, e.g. key cardinality or Zipf skew. */
export interface DatasetParam {
  readonly name: string;
  readonly doc: string;
  readonly default: number | string | boolean;
}

export type DatasetParams = Readonly<Record<string, number | string | boolean>>;

export interface TableSpec {
  readonly name: string;
  readonly doc: string;
  /** Fields carry a `doc` each: the schema is the dataset's documentation. */
  readonly schema: Schema;
  /** How its row count follows from the requested `rows` (e.g. "rows", "rows / 1e3", "fixed: 1 row per stock code"). */
  readonly rowsRule: string;
}

export interface Dataset {
  /** CLI and cache name, e.g. `user_events`. */
  readonly name: string;
  /** A paragraph: what the data looks like and which lesson it serves. */
  readonly doc: string;
  readonly tables: readonly TableSpec[];
  readonly params: readonly DatasetParam[];
  /**
   * Bumped when the generator deliberately changes what it writes (its golden digests change), so caches written
   * by an earlier version are not taken for the new output. Absent = revision 1.
   */
  readonly revision?: number;
  /**
   * Pieces of `generate` that can run on the helper thread (datasets/parallel.ts `startPart`), by name. Each is a
   * pure function with random streams of its own, so its columns are the same on either thread.
   */
  readonly parts?: Readonly<Record<string, GeneratorPart>>;
  /** Generate every table. Must be a pure function of its arguments. */
  generate(rows: number, seed: number, params: DatasetParams): ReadonlyMap<string, arrow.Table>;
}

/** Which dataset (and parameters) a scenario reads; `rows` comes from the size being run. */
export interface DatasetRef {
  readonly dataset: string;
  readonly params?: DatasetParams;
}

export const DEFAULT_SEED = 42;
