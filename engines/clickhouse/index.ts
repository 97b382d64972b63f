// The ClickHouse engine descriptor: embedded chDB by default; a ClickHouse server when a URL is given
// (engine option `clickhouse-url`, CLI --clickhouse-url, or env ENGINEBENCH_CLICKHOUSE_URL).
// WARNING: every bench cell imports this descriptor; the engine, chDB and @clickhouse/client are imported only when used.
import { createRequire } from 'node:module';
import { ALL_EXPRS, ALL_NODES, EngineError, type EngineContext, type EngineDescriptor } from '../engine.ts';
import { firstLine, type ClickHouseBackend } from './backend.ts';

const require = createRequire(import.meta.url);

/** The server URL from the options, else the environment, else null (embedded chDB). */
export function clickhouseUrl(options: EngineContext['options']): string | null {
  const fromOption = options['clickhouse-url'];
  if (typeof fromOption === 'string' && fromOption !== '') return fromOption;
  const fromEnv = process.env.ENGINEBENCH_CLICKHOUSE_URL;
  return fromEnv && fromEnv !== '' ? fromEnv : null;
}

/** `clickhouse.tableEngine` → the ENGINE clause for loaded tables; anything else is a usage error, never SQL. */
const TABLE_ENGINES: Readonly<Record<string, string>> = { Memory: 'Memory', MergeTree: 'MergeTree ORDER BY tuple()' };

function tableEngineOf(options: EngineContext['options']): string {
  const name = String(options['clickhouse.tableEngine'] ?? 'Memory');
  const clause = TABLE_ENGINES[name];
  if (!clause) throw new EngineError(`option clickhouse.tableEngine must be ${Object.keys(TABLE_ENGINES).join(' or ')}, got '${name}'`, 'bad-input');
  return clause;
}

async function connect(options: EngineContext['options']): Promise<ClickHouseBackend> {
  const url = clickhouseUrl(options);
  if (url) return (await import('./server-backend.ts')).connectServer(url);
  // chDB's native library loads only when an embedded engine is made, not when the registry is imported.
  const { ChdbBackend } = await import('./chdb-backend.ts');
  return new ChdbBackend();
}

/**
 * ClickHouse: every plan node and every expression. JavaScript UDFs run as ClickHouse executable UDFs on
 * embedded chDB only; a server engine refuses a plan with a UDF as unsupported when it is run (engine.ts), since
 * `supports` is fixed before the options (and so the backend) are known.
 * @example
 *   const engine = await clickhouseEngine.create(ctx); // ctx.options['clickhouse-url'] for a server
 *   await engine.load(tables);
 *   const result = await engine.run(df.plan);
 */
export const clickhouseEngine: EngineDescriptor = {
  name: 'clickhouse',
  models: 'ClickHouse (columnar OLAP DBMS): embedded via chDB, or a server/cluster via @clickhouse/client',
  role: 'real',
  summary: 'ClickHouse: a vectorised columnar SQL engine; in-process via chDB, or the same SQL on a ClickHouse server.',
  supports: {
    nodes: ALL_NODES,
    exprs: ALL_EXPRS,
  },
  checkOptions: (options) => void tableEngineOf(options),
  async available(options) {
    const url = clickhouseUrl(options);
    if (!url) return { ok: true };
    try {
      const backend = await (await import('./server-backend.ts')).connectServer(url);
      await backend.close();
      return { ok: true };
    } catch (err) {
      return { ok: false, reason: firstLine(err) };
    }
  },
  async versions(options = {}) {
    const pkg = require('chdb/package.json') as { version: string };
    const out: Record<string, string> = { chdb: pkg.version };
    let backend: ClickHouseBackend | undefined;
    try {
      // The release that runs the queries: the server's when a URL is given, else the one inside chDB.
      backend = await connect(options);
      out[backend.kind === 'chdb' ? 'clickhouse (chdb)' : 'clickhouse (server)'] = await backend.version();
    } catch (err) {
      out.clickhouse = `unknown (${firstLine(err)})`;
    } finally {
      await backend?.close();
    }
    return out;
  },
  async create(ctx) {
    const tableEngine = tableEngineOf(ctx.options);
    let backend: ClickHouseBackend;
    try {
      backend = await connect(ctx.options);
    } catch (err) {
      throw new EngineError(firstLine(err), 'unavailable');
    }
    const { ClickHouseEngine } = await import('./engine.ts');
    const engine = new ClickHouseEngine(ctx, backend, tableEngine);
    try {
      await engine.open();
    } catch (err) {
      await backend.close();
      throw new EngineError(`clickhouse could not create its database: ${firstLine(err)}`, 'unavailable');
    }
    return engine;
  },
};
