// The in-place merge a warehouse runs: the target is a DuckDB table with a PRIMARY KEY, and each batch is one
// transaction of `MERGE INTO target USING changes` (and `UPDATE` for truncates) that touches only the keys in the
// batch. It keeps exactly the state of the plan-based pattern (tombstones, or is_deleted/deleted_at), so it is
// both an independent oracle for the plans and the measured "real MERGE" beside truncate-and-reload.
import type * as arrow from 'apache-arrow';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { threadsOf } from '../../engines/duckdb/options.ts';
import { ingestTable } from '../../engines/duckdb/ingest.ts';
import { resultToArrow } from '../../engines/duckdb/result.ts';
import { quoteIdent, SQL_TYPE } from '../../engines/duckdb/sql.ts';
import { EngineError, type EngineContext } from '../../engines/engine.ts';
import type { Schema } from '../../plan/types.ts';
import type { ApplierOptions, BatchReport, ChangeApplier } from './applier.ts';
import { prepareBatch } from './batch-steps.ts';
import type { Entity, RawChange } from './change.ts';
import { ChangeCounter } from './change-counts.ts';
import { SQL_MERGE_PATTERNS, type CdcPattern, type PatternName } from './pattern.ts';
import { PATTERNS } from './patterns.ts';
import { seqKey } from './sequence.ts';

export { SQL_MERGE_PATTERNS } from './pattern.ts';

const q = quoteIdent;
const str = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** `SELECT` list reading a table back as the plan types: timestamps as epoch-ms (what resultToArrow reads). */
const readList = (schema: Schema, alias = ''): string => schema.map((f) => (f.type === 'timestamp' ? `epoch_ms(${alias}${q(f.name)}) AS ${q(f.name)}` : `${alias}${q(f.name)}`)).join(', ');

/** The MERGE statement of a pattern: the same outcome per key as its plan, written as WHEN clauses. */
function mergeSql(entity: Entity, pattern: PatternName, changes: string): string {
  const keys = entity.key;
  const others = entity.schema.filter((f) => !keys.includes(f.name));
  const on = keys.map((k) => `t.${q(k)} = c.${q(k)}`).join(' AND ');
  const isDelete = `c."_op" = 'D'`;
  let set: string[];
  let insert: string[];
  if (pattern === 'merge-hard-delete') {
    // A delete becomes a tombstone: key and _seq kept, other columns NULL.
    const image = (f: Schema[number]): string => `CASE WHEN ${isDelete} THEN CAST(NULL AS ${SQL_TYPE[f.type]}) ELSE c.${q(f.name)} END`;
    set = [...others.map((f) => `${q(f.name)} = ${image(f)}`), `"_seq" = c."_seq"`, `"_deleted" = ${isDelete}`];
    insert = [...entity.schema.map((f) => (keys.includes(f.name) ? `c.${q(f.name)}` : image(f))), `c."_seq"`, isDelete];
  } else if (pattern === 'merge-soft-delete') {
    // A delete keeps the newest image known: the batch's own (at _img_seq) unless the stored row is newer.
    const keepStored = `${isDelete} AND (c."_img_seq" IS NULL OR t."_seq" > c."_img_seq")`;
    const deletedAt = `CASE WHEN ${isDelete} THEN c."_ts" ELSE CAST(NULL AS TIMESTAMP) END`;
    set = [...others.map((f) => `${q(f.name)} = CASE WHEN ${keepStored} THEN t.${q(f.name)} ELSE c.${q(f.name)} END`), `"is_deleted" = ${isDelete}`, `"deleted_at" = ${deletedAt}`, `"_seq" = c."_seq"`];
    insert = [...entity.schema.map((f) => `c.${q(f.name)}`), isDelete, deletedAt, `c."_seq"`];
  } else throw new Error(`the in-place SQL merge implements ${SQL_MERGE_PATTERNS.join(', ')}, not ${pattern}`);
  const columns = PATTERNS[pattern].stateSchema(entity).map((f) => q(f.name)).join(', ');
  // WARNING: `_seq` compares as text; sequence.ts's encoding makes text order numeric order (DuckDB compares
  // VARCHAR by byte, the plan contract's code point order). Older or equal changes match no WHEN clause.
  return (
    `MERGE INTO "target" AS t USING ${q(changes)} AS c ON ${on}\n` +
    `WHEN MATCHED AND c."_seq" > t."_seq" THEN UPDATE SET ${set.join(', ')}\n` +
    `WHEN NOT MATCHED THEN INSERT (${columns}) VALUES (${insert.join(', ')})`
  );
}

/** A truncate at `seq`: every row older than it is deleted as of it (the pattern's truncatePlan, in place). */
function truncateSql(entity: Entity, pattern: PatternName, seq: bigint, tsMs: number): string {
  const s = str(seqKey(seq));
  if (pattern === 'merge-hard-delete') {
    const nulls = entity.schema.filter((f) => !entity.key.includes(f.name)).map((f) => `${q(f.name)} = NULL`);
    return `UPDATE "target" SET ${[...nulls, `"_seq" = ${s}`, `"_deleted" = true`].join(', ')} WHERE "_seq" < ${s}`;
  }
  return `UPDATE "target" SET "is_deleted" = true, "deleted_at" = CASE WHEN NOT "is_deleted" THEN make_timestamp(${Math.trunc(tsMs)}::BIGINT * 1000) ELSE "deleted_at" END, "_seq" = ${s} WHERE "_seq" < ${s}`;
}

/**
 * A target kept in its own DuckDB database and merged in place.
 * @example
 *   const m = await DuckDbSqlMerge.seed(customers, 'merge-hard-delete', base, 0n, 0, {});
 *   await m.applyBatch(raw); // one MERGE INTO, touching only the batch's keys
 *   const rows = await m.current();
 */
export class DuckDbSqlMerge implements ChangeApplier {
  private rows: number;
  private closed = false;
  /** The state's last read, kept until the next batch changes it: the counts and the checks read it once. */
  private stateRead: arrow.Table | null = null;
  private readonly counter: ChangeCounter;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    readonly entity: Entity,
    readonly pattern: CdcPattern,
    rows: number,
    private readonly options: ApplierOptions,
  ) {
    this.rows = rows;
    this.counter = new ChangeCounter(entity, pattern.name);
  }

  get stateRows(): number {
    return this.rows;
  }

  /**
   * Create the database, the target table with its primary key, and fill it from the snapshot taken at `seq`.
   * Engine options: `duckdb.threads` / `threads`, `duckdb.memoryLimit` (as the DuckDB engine reads them).
   */
  static async seed(entity: Entity, pattern: PatternName, snapshot: arrow.Table, seq: bigint, tsMs: number, engineOptions: EngineContext['options'], options: ApplierOptions = {}): Promise<DuckDbSqlMerge> {
    if (!SQL_MERGE_PATTERNS.includes(pattern)) throw new Error(`the in-place SQL merge implements ${SQL_MERGE_PATTERNS.join(', ')}, not ${pattern}`);
    const config: Record<string, string> = { threads: String(threadsOf(engineOptions)) };
    const limit = engineOptions['duckdb.memoryLimit'];
    if (limit !== undefined) config['memory_limit'] = String(limit);
    const instance = await DuckDBInstance.create(':memory:', config);
    const connection = await instance.connect();
    const p = PATTERNS[pattern];
    const merge = new DuckDbSqlMerge(instance, connection, entity, p, 0, options);
    try {
      const state = p.stateSchema(entity);
      const columns = state.map((f) => `${q(f.name)} ${SQL_TYPE[f.type]}${entity.key.includes(f.name) ? ' NOT NULL' : ''}`);
      await connection.run(`CREATE TABLE "target" (${columns.join(', ')}, PRIMARY KEY (${entity.key.map(q).join(', ')}))`);
      await ingestTable(connection, 'snapshot', snapshot);
      const s = str(seqKey(seq));
      const extra = pattern === 'merge-hard-delete' ? `${s}, false` : `false, CAST(NULL AS TIMESTAMP), ${s}`;
      void tsMs; // the seed's change time is not stored by the merge patterns (history's valid_from would use it)
      const r = await connection.runAndReadAll(`INSERT INTO "target" SELECT ${entity.schema.map((f) => q(f.name)).join(', ')}, ${extra} FROM "snapshot"`);
      merge.rows = Number(r.getRows()[0]![0]);
      await connection.run(`DROP TABLE "snapshot"`);
    } catch (e) {
      await merge.close();
      throw new EngineError(`duckdb-sql could not seed the target: ${String((e as Error).message).split('\n')[0]}`, 'task-failed');
    }
    return merge;
  }

  /**
   * One transaction per batch: every segment's MERGE (and truncate UPDATE), then COMMIT; any failure rolls the
   * whole batch back. `rewritten` counts the rows the MERGE statements wrote (inserted or updated), not the table.
   */
  async applyBatch(raw: readonly RawChange[]): Promise<BatchReport> {
    const now = this.options.now ?? (() => performance.now());
    const before = this.options.skipCounts ? null : await this.state();
    const t0 = now();
    const { steps, distinct, changeRows } = prepareBatch(this.entity, this.pattern, raw, this.options.truncate ?? 'reject');
    const t1 = now();
    const name = this.pattern.name;
    let written = 0;
    try {
      // Changes tables are loaded before the transaction: they are inputs, not state.
      for (const [i, step] of steps.entries()) if (step.kind === 'merge') await ingestTable(this.connection, `changes_${i}`, step.changes);
      this.stateRead = null; // from here the target may change (a rolled-back batch leaves it as it was)
      await this.exec('BEGIN TRANSACTION');
      try {
        for (const [i, step] of steps.entries()) {
          if (i > 0) this.options.fault?.('segment');
          const sql = step.kind === 'merge' ? mergeSql(this.entity, name, `changes_${i}`) : truncateSql(this.entity, name, step.seq, step.tsMs);
          written += await this.exec(sql);
        }
        this.options.fault?.('staged');
        await this.exec('COMMIT');
      } catch (e) {
        await this.exec('ROLLBACK');
        throw e;
      }
    } finally {
      for (const [i, step] of steps.entries()) if (step.kind === 'merge') await this.exec(`DROP TABLE IF EXISTS ${q(`changes_${i}`)}`);
    }
    const t2 = now();
    const count = await this.connection.runAndReadAll(`SELECT count(*) FROM "target"`);
    this.rows = Number(count.getRows()[0]![0]);
    const counts = before ? this.counter.next(before, await this.state()) : { inserted: 0, updated: 0, deleted: 0 };
    return { ...counts, delivered: raw.length, distinct, changeRows, rewritten: written, truncates: steps.filter((s) => s.kind === 'truncate').length, prepareMs: t1 - t0, engineMs: t2 - t1 };
  }

  async reload(): Promise<BatchReport> {
    throw new Error('the in-place SQL merge has no reload; use the truncate-reload pattern on an engine');
  }

  async state(): Promise<arrow.Table> {
    return (this.stateRead ??= await this.read(this.pattern.stateSchema(this.entity), ''));
  }

  async current(): Promise<arrow.Table> {
    return this.read(this.entity.schema, this.pattern.name === 'merge-hard-delete' ? 'WHERE NOT "_deleted"' : 'WHERE NOT "is_deleted"');
  }

  /** Free the database. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.connection.closeSync();
    this.instance.closeSync();
  }

  /** Run one statement; DuckDB's error becomes a one-line EngineError. Resolves to the rows it changed. */
  private async exec(sql: string): Promise<number> {
    try {
      const r = await this.connection.runAndReadAll(sql);
      return Number(r.getRows()[0]?.[0] ?? 0);
    } catch (e) {
      throw new EngineError(`duckdb-sql failed: ${String((e as Error).message).split('\n')[0]}`, 'task-failed');
    }
  }

  private async read(schema: Schema, where: string): Promise<arrow.Table> {
    return resultToArrow(await this.connection.run(`SELECT ${readList(schema)} FROM "target" ${where}`), schema);
  }
}
