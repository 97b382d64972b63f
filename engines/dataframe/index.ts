// The dataframe engine: the pandas model on danfojs-node. This module holds only the descriptor; the instance
// (and danfojs, which takes ~1.1 s to import: danfo.ts) loads in create(), so listing engines or running another
// engine's bench cell does not pay for it.
import { createRequire } from 'node:module';
import { ALL_EXPRS, ALL_NODES, type Engine, type EngineContext, type EngineDescriptor } from '../engine.ts';

const require = createRequire(import.meta.url);

/**
 * The pandas model: eager, single process, everything in memory, on danfojs-node.
 * @example
 *   const engine = await dataframeEngine.create(ctx);
 *   await engine.load(tables);
 *   const result = await engine.run(table('user_events', schema).groupBy('user_id').count().plan);
 */
export const dataframeEngine: EngineDescriptor = {
  name: 'dataframe',
  models: 'pandas (single-node, eager, in-memory dataframes) on danfojs-node',
  role: 'teaching',
  summary: 'Eager in-memory dataframes the pandas way on danfojs-node: fine while the data fits in one process, refuses above its memory budget.',
  supports: { nodes: ALL_NODES, exprs: ALL_EXPRS },
  async versions() {
    // From its package.json: importing danfojs to ask it would cost the runner ~1.6 s.
    const pkg = require('danfojs-node/package.json') as { version: string };
    return { 'danfojs-node': pkg.version };
  },
  async create(ctx: EngineContext): Promise<Engine> {
    const { DataframeEngine } = await import('./dataframe-engine.ts');
    return new DataframeEngine(ctx);
  },
};
