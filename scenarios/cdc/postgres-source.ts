// A real change source: a PostgreSQL table read through logical decoding with wal2json (format version 2). The
// server comes from scripts/postgres.sh (loopback, trust auth, wal_level=logical).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type * as arrow from 'apache-arrow';
import pg from 'pg';
import { tableFromRows } from '../../plan/arrow.ts';
import type { Entity, RawChange } from './change.ts';
import { fromWal2Json } from './wal2json.ts';

const SCRIPT = fileURLToPath(new URL('../../scripts/postgres.sh', import.meta.url));

/** Start (or find) the project's PostgreSQL server; the URL, or why it cannot run here. */
export async function startPostgres(): Promise<{ ok: true; url: string } | { ok: false; reason: string }> {
  try {
    const { stdout } = await promisify(execFile)('bash', [SCRIPT, 'start'], { timeout: 300_000 });
    const url = stdout.trim().split('\n').pop() ?? '';
    if (!url.startsWith('postgres://')) return { ok: false, reason: `scripts/postgres.sh start printed no URL (got '${url}')` };
    return { ok: true, url };
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    return { ok: false, reason: `scripts/postgres.sh start failed: ${(err.stderr || err.message).trim().split('\n').pop()}` };
  }
}

const PG_TYPES: Readonly<Record<string, string>> = {
  int32: 'integer',
  int64: 'bigint',
  float64: 'double precision',
  utf8: 'text',
  bool: 'boolean',
  timestamp: 'timestamp(3)',
};

/**
 * One table in PostgreSQL and a wal2json replication slot on it.
 * @example
 *   const src = await PostgresChangeSource.open(url, customers, 'cdc_slot');
 *   await src.client.query('INSERT ...');
 *   const batch = await src.readChanges();
 */
export class PostgresChangeSource {
  private constructor(
    readonly client: pg.Client,
    readonly entity: Entity,
    readonly slot: string,
  ) {}

  /** (Re)create the table (empty) and the slot, so every change from now on is captured. */
  static async open(url: string, entity: Entity, slot: string): Promise<PostgresChangeSource> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    // WARNING: decoding reads only WAL already flushed; scripts/postgres.sh turns synchronous_commit off, so a commit
    // on this session would reach the slot only after the WAL writer's next flush. Workloads run on this session.
    await client.query('SET synchronous_commit = on');
    const cols = entity.schema.map((f) => `${f.name} ${PG_TYPES[f.type]}`).join(', ');
    await client.query(`SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1`, [slot]);
    await client.query(`DROP TABLE IF EXISTS ${entity.name}; CREATE TABLE ${entity.name} (${cols}, PRIMARY KEY (${entity.key.join(', ')}))`);
    await client.query(`SELECT pg_create_logical_replication_slot($1, 'wal2json')`, [slot]);
    return new PostgresChangeSource(client, entity, slot);
  }

  /** Consume every change since the last call (the slot advances: at-most-once per call, like a committed offset). */
  async readChanges(): Promise<RawChange[]> {
    const r = await this.client.query<{ data: string }>(
      `SELECT data FROM pg_logical_slot_get_changes($1, NULL, NULL, 'format-version', '2', 'include-lsn', '1', 'include-timestamp', '1', 'add-tables', $2)`,
      [this.slot, `public.${this.entity.name}`],
    );
    return fromWal2Json(this.entity, 'public', this.entity.name, r.rows.map((row) => row.data));
  }

  /** `SELECT * FROM table` as Arrow (timestamps read as UTC ms). */
  async snapshot(): Promise<arrow.Table> {
    const select = this.entity.schema.map((f) => (f.type === 'timestamp' ? `(extract(epoch from ${f.name}) * 1000)::float8 AS ${f.name}` : f.name)).join(', ');
    const r = await this.client.query(`SELECT ${select} FROM ${this.entity.name}`);
    return tableFromRows(this.entity.schema, r.rows as Record<string, unknown>[]);
  }

  async close(): Promise<void> {
    try {
      await this.client.query(`SELECT pg_drop_replication_slot($1)`, [this.slot]);
    } finally {
      await this.client.end();
    }
  }
}
