// The Polars engine descriptor: a real columnar engine (Rust, multi-threaded, lazy query optimizer) driven
// through nodejs-polars' LazyFrame API. See README.md for what the adapter does and where it differs.
// The native library loads in versions()/create() only, so bench cells of other engines do not pay for it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { MARKER } from '../../scripts/patch-nodejs-polars.mjs';
import { ALL_EXPRS, ALL_NODES, type EngineDescriptor } from '../engine.ts';

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
    const { default: pl } = await import('nodejs-polars');
    // Results say whether the wrapper patch was in place: it changes the plan phase by up to ~100 ms a run.
    const patched = readFileSync(require.resolve('nodejs-polars/bin/lazy/expr/index.js'), 'utf8').includes(MARKER);
    return { 'nodejs-polars': `${pkg.version}${patched ? '+wrapper-patch' : ''}`, polars: String(pl.version) };
  },
  async create(ctx) {
    const { PolarsEngine } = await import('./engine.ts');
    return new PolarsEngine(ctx);
  },
};
