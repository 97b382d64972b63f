// The Polars engine descriptor: a real columnar engine (Rust, multi-threaded, lazy query optimizer) driven
// through nodejs-polars' LazyFrame API. See README.md for what the adapter does and where it differs.
import { createRequire } from 'node:module';
import pl from 'nodejs-polars';
import { ALL_EXPRS, ALL_NODES, type EngineDescriptor } from '../engine.ts';
import { PolarsEngine } from './engine.ts';

const require = createRequire(import.meta.url);

/**
 * Polars via nodejs-polars: every plan node and expression, UDFs included (evaluated eagerly in JS).
 * @example
 *   const engine = await polarsEngine.create(ctx);
 *   await engine.load(tables);
 *   const result = await engine.run(df.plan);
 */
export const polarsEngine: EngineDescriptor = {
  name: 'polars',
  models: 'Polars (Rust DataFrame engine, lazy API) via nodejs-polars',
  role: 'real',
  summary: 'Polars: a multi-threaded, vectorised, in-memory DataFrame engine; the plan becomes one optimised LazyFrame.',
  supports: { nodes: ALL_NODES, exprs: ALL_EXPRS },
  async versions() {
    const pkg = require('nodejs-polars/package.json') as { version: string };
    return { 'nodejs-polars': pkg.version, polars: String(pl.version) };
  },
  async create(ctx) {
    return new PolarsEngine(ctx);
  },
};
