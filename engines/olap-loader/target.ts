// The load target contract: a real store (a DuckDB file, a Parquet folder, a PostgreSQL table) that receives the
// same rows under each strategy, reports what the load left on disk, reads everything back and answers the
// follow-up query. The loader (loader.ts) times and checks; targets only do the work.
import type * as arrow from 'apache-arrow';
import type { Schema } from '../../plan/types.ts';
import type { FollowUpQuery } from './follow-up-query.ts';
import type { LoadStrategy } from './strategy.ts';

export type TargetName = 'duckdb-file' | 'parquet-lake' | 'postgres';

/** What one target session needs; all of it injected. */
export interface TargetContext {
  /** A fresh, empty directory the session owns (database file, lake folder). */
  readonly dir: string;
  /** The destination table's name and schema (the source table's). */
  readonly table: string;
  readonly schema: Schema;
  /** `--engine-option` values (keys documented in README.md). */
  readonly options: Readonly<Record<string, string | number | boolean>>;
}

/** What the load left behind, read back from the store itself (file sizes, Parquet footers, catalog views). */
export interface StorageFacts {
  /** Files holding the data (lake: Parquet files; DuckDB: database + WAL; PostgreSQL: relation segment files). */
  readonly files: number;
  /** Row groups (Parquet, DuckDB); null where the store has none (PostgreSQL heap pages). */
  readonly rowGroups: number | null;
  /** Bytes the data occupies on disk right after the load. */
  readonly bytesOnDisk: number;
  /** Further target-specific figures, names ending in their unit (e.g. `walBytes`, `heapPages`). */
  readonly counters: Readonly<Record<string, number>>;
  readonly notes: readonly string[];
}

/** One empty destination, loaded once. */
export interface TargetSession {
  /**
   * Write every row of `table` into the destination, cut into writes as `strategy` says.
   * Resolves when the rows are durable as far as the store promises (committed, file renamed into place).
   * Returns the number of writes made (statements, COPYs, appender flushes or files).
   */
  load(table: arrow.Table, strategy: LoadStrategy): Promise<{ readonly writes: number }>;
  storage(): Promise<StorageFacts>;
  /** Every row in the destination, with the source's schema (order not meaningful). */
  readBack(): Promise<arrow.Table>;
  /** Run the analytical follow-up query on the loaded data. */
  query(q: FollowUpQuery): Promise<arrow.Table>;
  /** Drop what the session created outside `dir` (server-side tables) and free native resources. Idempotent. */
  close(): Promise<void>;
}

export interface LoadTarget {
  readonly name: TargetName;
  /** The real system and its write paths, one line for variant listings. */
  readonly models: string;
  /** Whether the target can run here; the reason is shown as the cell's `unavailable` status. */
  available(options: TargetContext['options']): Promise<{ readonly ok: true } | { readonly ok: false; readonly reason: string }>;
  open(ctx: TargetContext): Promise<TargetSession>;
}
