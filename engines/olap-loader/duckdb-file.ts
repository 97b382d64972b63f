// Target: a file-backed DuckDB database (a column store with a write-ahead log). Row-at-a-time is one prepared
// INSERT per row, each its own transaction; micro-batches stage each batch in memory through the DuckDB engine's
// data-chunk loader and move it with one INSERT … SELECT; bulk appends the whole table straight into the file
// through the same loader (appender + data chunks). Storage facts come from the files and pragma_storage_info.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { DuckDBInstance, DuckDBTimestampValue, type DuckDBConnection, type DuckDBPreparedStatement } from '@duckdb/node-api';
import { columnValues } from '../../plan/arrow.ts';
import { assertNever, type DataType, type LiteralValue } from '../../plan/types.ts';
import { EngineError } from '../engine.ts';
import { threadsOf } from '../duckdb/duckdb-engine.ts';
import { ingestTable } from '../duckdb/ingest.ts';
import { quoteIdent, quoteString, SQL_TYPE } from '../duckdb/sql.ts';
import { readRelation, runPlan } from './duckdb-read.ts';
import type { FollowUpQuery } from './follow-up-query.ts';
import type { LoadStrategy } from './strategy.ts';
import { writesOf } from './strategy.ts';
import type { LoadTarget, StorageFacts, TargetContext, TargetSession } from './target.ts';

/** The database file's name inside the session dir; DuckDB keeps its WAL beside it as `<name>.wal`. */
export const DATABASE_FILE = 'warehouse.duckdb';
/** Catalog names: the attached file, and the in-memory default database that holds staged micro-batches. */
const WAREHOUSE = 'warehouse';
const MEMORY = 'memory';
const STAGE = 'olap_stage';

function fileBytes(path: string): number {
  return statSync(path, { throwIfNoEntry: false })?.size ?? 0;
}

/** Bind one value to a prepared statement parameter (1-based), by the column's logical type. */
function bindValue(statement: DuckDBPreparedStatement, index: number, type: DataType, v: LiteralValue): void {
  if (v === null) {
    statement.bindNull(index);
    return;
  }
  switch (type) {
    case 'int32':
      statement.bindInteger(index, v as number);
      return;
    case 'int64':
      statement.bindBigInt(index, v as bigint);
      return;
    case 'float64':
      statement.bindDouble(index, v as number);
      return;
    case 'utf8':
      statement.bindVarchar(index, v as string);
      return;
    case 'bool':
      statement.bindBoolean(index, v as boolean);
      return;
    case 'timestamp':
      // Arrow carries epoch ms; the column is DuckDB's microsecond TIMESTAMP.
      statement.bindTimestamp(index, new DuckDBTimestampValue(BigInt(v as number) * 1000n));
      return;
    default:
      assertNever(type, 'data type');
  }
}

class DuckDBFileSession implements TargetSession {
  private closed = false;
  private readonly relation: string;

  constructor(
    private readonly ctx: TargetContext,
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {
    this.relation = `${WAREHOUSE}.main.${quoteIdent(ctx.table)}`;
  }

  get path(): string {
    return join(this.ctx.dir, DATABASE_FILE);
  }

  async load(table: arrow.Table, strategy: LoadStrategy): Promise<{ writes: number }> {
    const c = this.connection;
    switch (strategy.kind) {
      case 'row': {
        const schema = this.ctx.schema;
        const columns = schema.map((f) => columnValues(table, f.name));
        const params = schema.map((_, i) => `$${i + 1}`).join(', ');
        const statement = await c.prepare(`INSERT INTO ${this.relation} VALUES (${params})`);
        try {
          for (let r = 0; r < table.numRows; r++) {
            schema.forEach((f, i) => bindValue(statement, i + 1, f.type, columns[i]![r]!));
            // Auto-commit: every row is its own transaction and WAL commit, as an OLTP client would do it.
            await statement.run();
          }
        } finally {
          statement.destroySync();
        }
        return { writes: table.numRows };
      }
      case 'micro-batch': {
        const writes = writesOf(table, strategy);
        // WARNING: ingestTable creates its table in the current catalog, so switch to the in-memory one first:
        // staged batches must never touch the database file.
        await c.run(`USE ${MEMORY}`);
        try {
          for (const batch of writes) {
            await ingestTable(c, STAGE, batch);
            await c.run(`INSERT INTO ${this.relation} SELECT * FROM ${MEMORY}.main.${quoteIdent(STAGE)}`);
          }
          await c.run(`DROP TABLE IF EXISTS ${MEMORY}.main.${quoteIdent(STAGE)}`);
        } finally {
          await c.run(`USE ${WAREHOUSE}`);
        }
        return { writes: writes.length };
      }
      case 'bulk':
        // Re-creates the (empty) table and appends every row through one appender: DuckDB's bulk path.
        await ingestTable(c, this.ctx.table, table);
        return { writes: table.numRows > 0 ? 1 : 0 };
      default:
        return assertNever(strategy, 'load strategy');
    }
  }

  async storage(): Promise<StorageFacts> {
    const wal = `${this.path}.wal`;
    const walBytes = fileBytes(wal);
    const asLoaded = fileBytes(this.path) + walBytes;
    const files = (fileBytes(this.path) > 0 ? 1 : 0) + (walBytes > 0 ? 1 : 0);
    // A checkpoint folds the WAL into compressed row groups in the database file, as DuckDB does on its own
    // once the WAL passes checkpoint_threshold (16 MB) or the database closes.
    await this.connection.run(`CHECKPOINT ${WAREHOUSE}`);
    const afterCheckpoint = fileBytes(this.path) + fileBytes(wal);
    const info = await this.connection.run(
      `SELECT count(DISTINCT row_group_id)::INTEGER, count(*)::INTEGER FROM pragma_storage_info(${quoteString(`${WAREHOUSE}.main.${this.ctx.table}`)})`,
    );
    const [rowGroups, segments] = (await info.getRows())[0]! as [number, number];
    return {
      files,
      rowGroups,
      bytesOnDisk: asLoaded,
      counters: { walBytes, bytesOnDiskAfterCheckpoint: afterCheckpoint, storageSegments: segments },
      notes: [`as loaded: ${asLoaded} bytes (WAL ${walBytes}); after CHECKPOINT: ${afterCheckpoint} bytes in ${rowGroups} row group(s)`],
    };
  }

  readBack(): Promise<arrow.Table> {
    return readRelation(this.connection, this.relation, this.ctx.schema);
  }

  query(q: FollowUpQuery): Promise<arrow.Table> {
    return runPlan(this.connection, q.plan);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

/**
 * A DuckDB database file in the session directory.
 * @example const session = await duckdbFileTarget.open({ dir, table: 'transactions', schema, options: {} })
 */
export const duckdbFileTarget: LoadTarget = {
  name: 'duckdb-file',
  models: 'DuckDB database file: single-row INSERTs vs staged INSERT … SELECT batches vs the appender (data chunks)',
  available: async () => ({ ok: true }),
  async open(ctx) {
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(':memory:', { threads: String(threadsOf(ctx.options)) });
    } catch (e) {
      throw new EngineError(`cannot start DuckDB: ${String((e as Error).message).split('\n')[0]}`, 'unavailable');
    }
    const connection = await instance.connect();
    try {
      await connection.run(`ATTACH ${quoteString(join(ctx.dir, DATABASE_FILE))} AS ${WAREHOUSE}`);
      await connection.run(`USE ${WAREHOUSE}`);
      const columns = ctx.schema.map((f) => `${quoteIdent(f.name)} ${SQL_TYPE[f.type]}`).join(', ');
      await connection.run(`CREATE TABLE ${quoteIdent(ctx.table)} (${columns})`);
    } catch (e) {
      connection.closeSync();
      instance.closeSync();
      throw new EngineError(`cannot create the DuckDB database in ${ctx.dir}: ${String((e as Error).message).split('\n')[0]}`, 'task-failed');
    }
    return new DuckDBFileSession(ctx, instance, connection);
  },
};
