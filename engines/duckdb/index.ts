// The DuckDB reference engine: the correctness oracle every other engine is compared against.
// Plan → SQL (sql.ts), Arrow in by data chunks (ingest.ts), Arrow out column-wise (result.ts), UDFs as DuckDB
// scalar functions (udf.ts), all behind the Engine contract (duckdb-engine.ts).
import { createRequire } from 'node:module';
import duckdb from '@duckdb/node-bindings';
import { ALL_EXPRS, ALL_NODES, type EngineDescriptor } from '../engine.ts';
import { DuckDBEngine } from './duckdb-engine.ts';

export { planToSql } from './sql.ts';
export { DuckDBEngine, threadsOf } from './duckdb-engine.ts';
// For code that speaks SQL to its own DuckDB database (the in-place CDC MERGE): the same load and read paths.
export { ingestTable } from './ingest.ts';
export { resultToArrow } from './result.ts';
export { quoteIdent, SQL_TYPE } from './sql.ts';

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
  async versions() {
    const api = require('@duckdb/node-api/package.json') as { version: string };
    return { '@duckdb/node-api': api.version, duckdb: duckdb.library_version() };
  },
  create: (ctx) => DuckDBEngine.create(ctx),
};
