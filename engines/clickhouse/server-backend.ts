// A ClickHouse server (or cluster entry point) over HTTP through @clickhouse/client. Modern releases exchange
// Arrow IPC both ways; releases without the Arrow format (Debian's 18.16) exchange TabSeparated text instead,
// with timestamps as Int64 milliseconds and booleans as UInt8 (LEGACY_DIALECT).
import { Readable } from 'node:stream';
import type * as arrow from 'apache-arrow';
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { columnValues, tableFromColumns } from '../../plan/arrow.ts';
import { assertNever, type DataType, type LiteralValue, type Schema } from '../../plan/types.ts';
import { resultToArrow, toIpcFile } from './arrow-result.ts';
import { firstLine, type ClickHouseBackend } from './backend.ts';
import { LEGACY_DIALECT, MODERN_DIALECT, ident, type ClickHouseDialect } from './sql.ts';

/** Releases from 21.12 have DateTime64, Bool, accurateCastOrNull and the Arrow format. */
export function dialectForVersion(version: string): ClickHouseDialect {
  const [major = 0, minor = 0] = version.split('.').map((p) => Number.parseInt(p, 10));
  return major > 21 || (major === 21 && minor >= 12) ? MODERN_DIALECT : LEGACY_DIALECT;
}

/** Connect, check the server answers, and learn its release. Throws with a one-line reason otherwise. */
export async function connectServer(url: string): Promise<ServerBackend> {
  const client = createClient({ url, request_timeout: 600_000, log: { level: ClickHouseLogLevel.OFF } });
  try {
    const ping = await client.ping();
    if (!ping.success) throw ping.error;
    const version = (await (await client.query({ query: 'SELECT version() AS v', format: 'JSONEachRow' })).json<{ v: string }>())[0]!.v;
    return new ServerBackend(client, version);
  } catch (err) {
    await client.close();
    throw new Error(`ClickHouse server at ${url} is unreachable or not ClickHouse: ${firstLine(err)}`);
  }
}


async function readAll(stream: Readable): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export class ServerBackend implements ClickHouseBackend {
  readonly kind = 'server' as const;
  readonly dialect: ClickHouseDialect;
  /** A server executes UDF scripts from its own disk, out of this client's reach (backend.ts). */
  readonly udfs = null;
  private closed = false;

  constructor(
    private readonly client: ClickHouseClient,
    private readonly serverVersion: string,
  ) {
    this.dialect = dialectForVersion(serverVersion);
  }

  private get settings(): Record<string, string | number> {
    const s: Record<string, string | number> = { join_use_nulls: 1 };
    if (this.dialect === MODERN_DIALECT) {
      Object.assign(s, { join_algorithm: 'hash', output_format_arrow_compression_method: 'none', output_format_arrow_string_as_string: 1 });
    }
    return s;
  }

  async command(sql: string): Promise<void> {
    await this.client.command({ query: sql });
  }

  async insert(qualifiedName: string, table: arrow.Table, schema: Schema, _workDir: string): Promise<void> {
    const columns = schema.map((f) => ident(f.name)).join(', ');
    if (this.dialect === MODERN_DIALECT) {
      const body = Readable.from([Buffer.from(toIpcFile(table))]);
      const res = await this.client.exec({ query: `INSERT INTO ${qualifiedName} (${columns}) FORMAT Arrow`, values: body });
      res.stream.destroy();
      return;
    }
    const res = await this.client.exec({
      query: `INSERT INTO ${qualifiedName} (${columns}) FORMAT TabSeparated`,
      values: Readable.from(tsvChunks(table, schema)),
    });
    res.stream.destroy();
  }

  async createTableAs(qualifiedName: string, tableEngine: string, select: string): Promise<void> {
    await this.client.command({ query: `CREATE TABLE ${qualifiedName} ENGINE = ${tableEngine} AS ${select}`, clickhouse_settings: { join_use_nulls: 1 } });
  }

  async query(sql: string, schema: Schema): Promise<arrow.Table> {
    const format = this.dialect === MODERN_DIALECT ? 'Arrow' : 'TabSeparated';
    const res = await this.client.exec({ query: `${sql} FORMAT ${format}`, clickhouse_settings: this.settings });
    const bytes = await readAll(res.stream);
    return format === 'Arrow' ? resultToArrow(bytes, schema) : parseTsv(Buffer.from(bytes).toString('utf8'), schema);
  }

  async version(): Promise<string> {
    return this.serverVersion;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.close();
  }
}

// ---- TabSeparated, for releases without Arrow -------------------------------------------------------------

const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\\0' };
const UNESCAPES: Record<string, string> = { '\\': '\\', t: '\t', n: '\n', r: '\r', '0': '\0', "'": "'", b: '\b', f: '\f', a: '\x07', v: '\v' };

function tsvField(value: LiteralValue, type: DataType): string {
  if (value === null) return '\\N';
  switch (type) {
    case 'utf8':
      return String(value).replace(/[\\\t\n\r\0]/g, (c) => ESCAPES[c]!);
    case 'bool':
      return value ? '1' : '0';
    case 'float64': {
      const n = Number(value);
      // String(-0) is '0': the sign of a negative zero is written out.
      return Number.isNaN(n) ? 'nan' : n === Infinity ? 'inf' : n === -Infinity ? '-inf' : Object.is(n, -0) ? '-0' : String(n);
    }
    case 'int32':
    case 'int64':
    case 'timestamp':
      return String(value);
    default:
      return assertNever(type, 'data type');
  }
}

/** TabSeparated lines in ~64K-row chunks, so a large table is never one giant string. */
function* tsvChunks(table: arrow.Table, schema: Schema): Generator<string> {
  const columns = schema.map((f) => columnValues(table, f.name));
  const step = 65_536;
  for (let start = 0; start < table.numRows; start += step) {
    const lines: string[] = [];
    for (let row = start; row < Math.min(table.numRows, start + step); row++) {
      lines.push(schema.map((f, c) => tsvField(columns[c]![row]!, f.type)).join('\t'));
    }
    yield lines.join('\n') + '\n';
  }
}

function unescapeTsv(field: string): string {
  return field.includes('\\') ? field.replace(/\\(.)/g, (_m, c: string) => UNESCAPES[c] ?? c) : field;
}

function parseTsvValue(field: string, type: DataType): LiteralValue {
  if (field === '\\N') return null;
  switch (type) {
    case 'utf8':
      return unescapeTsv(field);
    case 'int64':
      return BigInt(field);
    case 'int32':
    case 'timestamp':
      return Number(field);
    case 'float64':
      return field === 'nan' || field === '-nan' ? NaN : field === 'inf' ? Infinity : field === '-inf' ? -Infinity : Number(field);
    case 'bool':
      return field === '1' || field === 'true';
    default:
      return assertNever(type, 'data type');
  }
}

function parseTsv(text: string, schema: Schema): arrow.Table {
  const columns: Record<string, LiteralValue[]> = Object.fromEntries(schema.map((f) => [f.name, []]));
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (const line of lines) {
    const fields = line.split('\t');
    if (fields.length !== schema.length) throw new Error(`clickhouse returned a row with ${fields.length} fields, expected ${schema.length}`);
    schema.forEach((f, i) => columns[f.name]!.push(parseTsvValue(fields[i]!, f.type)));
  }
  return tableFromColumns(schema, columns);
}
