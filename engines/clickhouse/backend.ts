// Where the SQL runs: embedded chDB in this process, or a ClickHouse server over HTTP. The engine talks to either
// through this one interface, so the same scenarios run on a laptop and on a server or cluster.
import type * as arrow from 'apache-arrow';
import type { DataType, ScalarUdf, Schema } from '../../plan/types.ts';
import type { ClickHouseDialect } from './sql.ts';

/** Installs JavaScript UDFs as ClickHouse executable UDFs (executable-udf.ts). */
export interface UdfInstaller {
  /** Make `udf` callable with arguments of `argTypes`; resolves to its SQL name. */
  register(udf: ScalarUdf, argTypes: readonly DataType[]): Promise<string>;
}

export interface ClickHouseBackend {
  /** `chdb` (embedded) or `server` (HTTP). */
  readonly kind: 'chdb' | 'server';
  /** What the connected release supports; fixed once connected. */
  readonly dialect: ClickHouseDialect;
  /**
   * Where JavaScript UDFs can be installed, or null: ClickHouse runs a UDF as an executable that must sit in the
   * server's own user_scripts_path, which only the embedded chDB in this process shares a disk with.
   */
  readonly udfs: UdfInstaller | null;
  /** Run a statement that returns nothing (DDL). */
  command(sql: string): Promise<void>;
  /** Load `table` into the existing `qualifiedName`, whose columns are `schema`. `workDir` is for staging files. */
  insert(qualifiedName: string, table: arrow.Table, schema: Schema, workDir: string): Promise<void>;
  /** `CREATE TABLE qualifiedName ENGINE = tableEngine AS select`, with the same query settings as `query`. */
  createTableAs(qualifiedName: string, tableEngine: string, select: string): Promise<void>;
  /** Run a SELECT and return its full result with exactly `schema`. */
  query(sql: string, schema: Schema): Promise<arrow.Table>;
  /** ClickHouse's `version()`. */
  version(): Promise<string>;
  /** Release the connection or session. Idempotent. */
  close(): Promise<void>;
}

/** The first non-empty line of an error: drivers and servers append stack traces and query text after it. */
export function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n').find((l) => l.trim() !== '') ?? message;
}
