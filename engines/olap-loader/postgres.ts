// Target: a PostgreSQL table, the row-store contrast. Row-at-a-time is one prepared single-row INSERT per row
// (each its own transaction); micro-batches are one multi-row INSERT per batch (INSERT … SELECT FROM unnest of
// one array parameter per column, so any batch size fits in 8 parameters); bulk is COPY … FROM STDIN.
// Each session works in its own schema, dropped on close, so concurrent users of the server never collide.
import * as arrow from 'apache-arrow';
import pg from 'pg';
import { columnValues, tableFromColumns } from '../../plan/arrow.ts';
import { outputSchema } from '../../plan/schema.ts';
import { assertNever, type DataType, type LiteralValue, type Schema } from '../../plan/types.ts';
import { EngineError } from '../engine.ts';
import { copyFromStdin, copyTextField, COPY_NULL } from './copy-from-stdin.ts';
import type { FollowUpQuery } from './follow-up-query.ts';
import { findPostgres } from './postgres-server.ts';
import { writesOf, type LoadStrategy } from './strategy.ts';
import type { LoadTarget, StorageFacts, TargetContext, TargetSession } from './target.ts';

/** The PostgreSQL column type storing each logical type (timestamps: millisecond precision, no time zone, UTC). */
export const PG_TYPE: Readonly<Record<DataType, string>> = {
  int32: 'integer',
  int64: 'bigint',
  float64: 'double precision',
  utf8: 'text',
  bool: 'boolean',
  timestamp: 'timestamp(3)',
};

/**
 * A value as PostgreSQL input text, exactly: floats keep their sign of zero (String(-0) is "0"), timestamps are
 * written as UTC wall-clock time (the column has no time zone), int64 stays a bigint.
 * @example pgText(-1, 'timestamp') // '1969-12-31 23:59:59.999'
 */
export function pgText(v: Exclude<LiteralValue, null>, type: DataType): string {
  switch (type) {
    case 'int32':
    case 'int64':
      return String(v);
    case 'float64':
      return Object.is(v, -0) ? '-0' : String(v);
    case 'utf8':
      return v as string;
    case 'bool':
      return v ? 't' : 'f';
    case 'timestamp': {
      const iso = new Date(v as number).toISOString();
      if (!/^\d{4}-/.test(iso)) throw new EngineError(`timestamp ${v} ms is outside years 0000–9999, which the postgres target does not load`, 'bad-input');
      return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
    }
    default:
      return assertNever(type, 'data type');
  }
}

/** One column of a result row (pg's text parsing) back to the contract's representation. */
function fromPg(v: unknown, type: DataType): LiteralValue {
  if (v === null || v === undefined) return null;
  switch (type) {
    case 'int32':
    case 'float64':
      return Number(v);
    case 'int64':
      return BigInt(v as string);
    case 'timestamp':
      return Number(v as string);
    case 'utf8':
      return String(v);
    case 'bool':
      return Boolean(v);
    default:
      return assertNever(type, 'data type');
  }
}

function ident(name: string): string {
  return pg.escapeIdentifier(name);
}

/** Per process: sessions get distinct schemas even when several run in one test process. */
let sessionCounter = 0;

class PostgresSession implements TargetSession {
  private closed = false;
  private readonly relation: string;

  constructor(
    private readonly ctx: TargetContext,
    private readonly client: pg.Client,
    private readonly schemaName: string,
  ) {
    this.relation = `${ident(schemaName)}.${ident(ctx.table)}`;
  }

  /** The table's columns as PostgreSQL input text (null for NULL), column-major. */
  private texts(table: arrow.Table): (string | null)[][] {
    return this.ctx.schema.map((f) => columnValues(table, f.name).map((v) => (v === null ? null : pgText(v, f.type))));
  }

  async load(table: arrow.Table, strategy: LoadStrategy): Promise<{ writes: number }> {
    const schema = this.ctx.schema;
    switch (strategy.kind) {
      case 'row': {
        const columns = this.texts(table);
        const text = `INSERT INTO ${this.relation} VALUES (${schema.map((f, i) => `$${i + 1}::${PG_TYPE[f.type]}`).join(', ')})`;
        // A named statement is parsed and planned once, then only bound and executed per row: the best case
        // for single-row inserts. Auto-commit: one transaction per row.
        const name = `olap_row_${this.schemaName}`;
        for (let r = 0; r < table.numRows; r++) {
          await this.client.query({ name, text, values: columns.map((c) => c[r]) });
        }
        return { writes: table.numRows };
      }
      case 'micro-batch': {
        const writes = writesOf(table, strategy);
        const text =
          `INSERT INTO ${this.relation} SELECT * FROM unnest(` +
          `${schema.map((f, i) => `$${i + 1}::${PG_TYPE[f.type]}[]`).join(', ')})`;
        for (const batch of writes) await this.client.query(text, this.texts(batch));
        return { writes: writes.length };
      }
      case 'bulk': {
        const columns = this.texts(table);
        const lines = function* (): Generator<string> {
          for (let r = 0; r < table.numRows; r++) {
            yield columns.map((c) => (c[r] === null ? COPY_NULL : copyTextField(c[r]!))).join('\t');
          }
        };
        const copied = await copyFromStdin(this.client, `COPY ${this.relation} FROM STDIN`, lines());
        if (copied !== table.numRows) throw new EngineError(`COPY reported ${copied} rows, sent ${table.numRows}`, 'task-failed');
        return { writes: table.numRows > 0 ? 1 : 0 };
      }
      default:
        return assertNever(strategy, 'load strategy');
    }
  }

  async storage(): Promise<StorageFacts> {
    const t = pg.escapeLiteral(this.relation);
    const { rows } = await this.client.query(
      `SELECT pg_total_relation_size(${t})::int8::text AS total, pg_relation_size(${t})::int8::text AS heap,
              current_setting('block_size')::int AS block,
              (SELECT count(*) FROM unnest(ARRAY['main', 'fsm', 'vm']) AS f WHERE pg_relation_size(${t}, f) > 0)::int AS forks`,
    );
    const r = rows[0] as { total: string; heap: string; block: number; forks: number };
    const heapPages = Number(r.heap) / r.block;
    return {
      files: r.forks,
      rowGroups: null,
      bytesOnDisk: Number(r.total),
      counters: { heapPages, heapBytes: Number(r.heap) },
      notes: [`heap of ${heapPages} pages of ${r.block} bytes; ${r.forks} relation fork file(s) (main, free-space map, visibility map)`],
    };
  }

  async readBack(): Promise<arrow.Table> {
    const select = this.ctx.schema
      .map((f) => (f.type === 'timestamp' ? `(extract(epoch FROM ${ident(f.name)}) * 1000)::int8::text` : f.type === 'int64' ? `${ident(f.name)}::text` : ident(f.name)))
      .join(', ');
    return this.toArrow(await this.client.query({ text: `SELECT ${select} FROM ${this.relation}`, rowMode: 'array' }), this.ctx.schema);
  }

  async query(q: FollowUpQuery): Promise<arrow.Table> {
    return this.toArrow(await this.client.query({ text: q.postgresSql(this.relation), rowMode: 'array' }), outputSchema(q.plan));
  }

  private toArrow(result: pg.QueryResult<unknown[]>, schema: Schema): arrow.Table {
    const columns: Record<string, LiteralValue[]> = {};
    schema.forEach((f, i) => (columns[f.name] = result.rows.map((row) => fromPg(row[i], f.type))));
    return tableFromColumns(schema, columns);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.client.query(`DROP SCHEMA IF EXISTS ${ident(this.schemaName)} CASCADE`);
    } finally {
      await this.client.end().catch(() => {});
    }
  }
}

/**
 * A table in a PostgreSQL server (found or started by postgres-server.ts).
 * @example const session = await postgresTarget.open({ dir, table: 'transactions', schema, options: {} })
 */
export const postgresTarget: LoadTarget = {
  name: 'postgres',
  models: 'PostgreSQL heap table (row store): single-row INSERTs vs multi-row INSERT batches vs COPY FROM STDIN',
  async available(options) {
    const server = await findPostgres(options);
    return server.ok ? { ok: true } : { ok: false, reason: server.reason };
  },
  async open(ctx) {
    const server = await findPostgres(ctx.options);
    if (!server.ok) throw new EngineError(server.reason, 'unavailable');
    const client = new pg.Client({ connectionString: server.url });
    client.on('error', () => {}); // a server going away surfaces as the next query's error instead
    const schemaName = `olap_${process.pid}_${++sessionCounter}`;
    try {
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${ident(schemaName)} CASCADE`);
      await client.query(`CREATE SCHEMA ${ident(schemaName)}`);
      const columns = ctx.schema.map((f) => `${ident(f.name)} ${PG_TYPE[f.type]}`).join(', ');
      await client.query(`CREATE TABLE ${ident(schemaName)}.${ident(ctx.table)} (${columns})`);
    } catch (e) {
      await client.end().catch(() => {});
      throw new EngineError(`cannot prepare the PostgreSQL table at ${server.url}: ${String((e as Error).message).split('\n')[0]}`, 'unavailable');
    }
    return new PostgresSession(ctx, client, schemaName);
  },
};
