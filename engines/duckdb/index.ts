// The DuckDB reference engine: the correctness oracle every other engine is compared against.
// Plan → SQL (sql.ts), Arrow in by data chunks (ingest.ts), Arrow out column-wise (result.ts), UDFs as DuckDB
// scalar functions (udf.ts), all behind the Engine contract (duckdb-engine.ts).
// WARNING: every bench cell imports this descriptor through the registry; DuckDB's native library (~0.3-0.6 s to
// load) is imported only when an engine is made or its version asked, so cells of other engines never pay for it.
import { createRequire } from 'node:module';
import { ALL_EXPRS, ALL_NODES, type EngineDescriptor } from '../engine.ts';
import { threadsOf } from './options.ts';

export { planToSql, quoteIdent, SQL_TYPE } from './sql.ts';

const require = createRequire(import.meta.url);

/**
 * DuckDB, in process and in memory, as the reference engine.
 * @example
 *   const engine = await duckdbEngine.create(ctx);
 *   await engine.load(new Map([['user_events', events]]));
 *   const result = await engine.run(table('user_events', schema).groupBy('user_id').count().plan);
 */
export const duckdbEngine: EngineDescriptor = {
  name: 'duckdb',
  models: 'DuckDB (in-process vectorised OLAP database)',
  role: 'reference',
  summary: 'The correctness oracle: each plan becomes one SQL query on an in-memory DuckDB database.',
  supports: { nodes: ALL_NODES, exprs: ALL_EXPRS },
  checkOptions: (options) => void threadsOf(options),
  async versions() {
    const api = require('@duckdb/node-api/package.json') as { version: string };
    const { default: bindings } = await import('@duckdb/node-bindings');
    return { '@duckdb/node-api': api.version, duckdb: bindings.library_version() };
  },
  async create(ctx) {
    const { DuckDBEngine } = await import('./duckdb-engine.ts');
    return DuckDBEngine.create(ctx);
  },
};
