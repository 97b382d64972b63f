// Embedded ClickHouse through chDB: the ClickHouse engine as a library in this process (no server).
// WARNING: chDB allows one active data directory per process, so every engine instance shares one session
// (reference-counted) and isolates itself in its own database instead; the session's UDF directory is shared too.
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as arrow from 'apache-arrow';
import { Session, type ChdbResult } from 'chdb';
import { removeStaleDirs } from '../../harness/stale-dirs.ts';
import type { Schema } from '../../plan/types.ts';
import { resultToArrow, toIpcFile } from './arrow-result.ts';
import type { ClickHouseBackend } from './backend.ts';
import { ExecutableUdfs, UDF_FORMAT_SETTINGS, udfConnectionArgs } from './executable-udf.ts';
import { MODERN_DIALECT, clickhouseType, ident, stringLiteral } from './sql.ts';

/**
 * Settings on every query. join_use_nulls: unmatched LEFT JOIN columns are NULL, not type defaults.
 * join_algorithm='hash': measured ~2× faster than the default here. Arrow output uncompressed, strings as Utf8.
 * The JSON settings are the format executable UDFs read (executable-udf.ts).
 */
export const CHDB_QUERY_SETTINGS =
  "join_use_nulls = 1, join_algorithm = 'hash', output_format_arrow_compression_method = 'none', output_format_arrow_string_as_string = 1, " +
  UDF_FORMAT_SETTINGS;

interface SharedSession {
  readonly session: Session;
  readonly udfs: ExecutableUdfs;
  /** This process's UDF scripts and declarations; removed with the session. */
  readonly udfDir: string;
  users: number;
}

let shared: SharedSession | null = null;

/**
 * Run one statement on the session. WARNING: after a query fails part-way through its output, chDB 3.4 hands
 * that partial output to the next query on the connection, in front of its own result (measured: an Arrow result
 * then parses as the failed query's stream — 0 rows and no error; a TSV one starts with the stale rows). So a
 * failure is followed at once by a throwaway query that takes the stale bytes. Engines run one query at a time
 * on the shared session; a query from another instance racing into that gap could still receive them.
 */
async function queryOn(session: Session, sql: string, format: string): Promise<ChdbResult> {
  try {
    return await session.queryAsync(sql, { format });
  } catch (err) {
    await session.queryAsync('SELECT 1 FORMAT Null', { format: 'TSV' }).catch(() => {});
    throw err;
  }
}

const UDF_DIR_PREFIX = 'enginebench-chdb-udf-';

function acquire(): SharedSession {
  if (!shared) {
    // A process killed mid-cell (a bench budget) cannot remove its UDF folder; a later session does, a day on.
    removeStaleDirs(tmpdir(), UDF_DIR_PREFIX);
    // The UDF paths are engine arguments fixed when the session starts, so they belong to the session (one per
    // process) rather than to an engine instance's work directory, which may be gone while the session lives on.
    const udfDir = mkdtempSync(join(tmpdir(), UDF_DIR_PREFIX));
    const dirs = { scripts: join(udfDir, 'user_scripts'), config: join(udfDir, 'user_defined') };
    mkdirSync(dirs.scripts);
    mkdirSync(dirs.config);
    let session: Session;
    try {
      // Its data lives in a chDB-managed temporary directory, removed when the last user closes it.
      session = new Session(undefined, { connectionArgs: udfConnectionArgs(dirs) });
    } catch (err) {
      rmSync(udfDir, { recursive: true, force: true });
      throw err;
    }
    const udfs = new ExecutableUdfs(dirs, async (sql) => {
      await queryOn(session, sql, 'TSV');
    });
    shared = { session, udfs, udfDir, users: 0 };
  }
  shared.users++;
  return shared;
}

function release(): void {
  if (!shared) return;
  shared.users--;
  if (shared.users === 0) {
    shared.session.close();
    rmSync(shared.udfDir, { recursive: true, force: true });
    shared = null;
  }
}

let fileCounter = 0;

export class ChdbBackend implements ClickHouseBackend {
  readonly kind = 'chdb' as const;
  readonly dialect = MODERN_DIALECT;
  private session: SharedSession | null = acquire();
  readonly udfs = this.session!.udfs;

  private run(sql: string, format: string): Promise<ChdbResult> {
    if (!this.session) return Promise.reject(new Error('chDB session already closed'));
    return queryOn(this.session.session, sql, format);
  }

  async command(sql: string): Promise<void> {
    await this.run(sql, 'TSV');
  }

  async insert(qualifiedName: string, table: arrow.Table, schema: Schema, workDir: string): Promise<void> {
    // Staged as an Arrow IPC file in ~64K-row batches; written under a temporary name, then renamed.
    const path = join(workDir, `load-${process.pid}-${fileCounter++}.arrow`);
    writeFileSync(`${path}.tmp`, toIpcFile(table));
    renameSync(`${path}.tmp`, path);
    const structure = schema.map((f) => `${ident(f.name)} Nullable(${clickhouseType(f.type, this.dialect)})`).join(', ');
    const columns = schema.map((f) => ident(f.name)).join(', ');
    await this.run(
      `INSERT INTO ${qualifiedName} (${columns}) SELECT ${columns} FROM file(${stringLiteral(path)}, 'Arrow', ${stringLiteral(structure)})`,
      'TSV',
    );
  }

  async createTableAs(qualifiedName: string, tableEngine: string, select: string): Promise<void> {
    await this.run(`CREATE TABLE ${qualifiedName} ENGINE = ${tableEngine} AS ${select} SETTINGS ${CHDB_QUERY_SETTINGS}`, 'TSV');
  }

  async query(sql: string, schema: Schema): Promise<arrow.Table> {
    const result = await this.run(`${sql} SETTINGS ${CHDB_QUERY_SETTINGS}`, 'Arrow');
    return resultToArrow(result.bytes(), schema);
  }

  async version(): Promise<string> {
    return (await this.run('SELECT version()', 'TSV')).text().trim();
  }

  async close(): Promise<void> {
    if (!this.session) return;
    this.session = null;
    release();
  }
}
