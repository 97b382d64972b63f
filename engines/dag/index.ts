// The DAG engine, a model of Apache Spark: the logical plan is optimized, cut into stages at shuffle boundaries
// and run as one task per partition on a pool of worker threads, with in-memory shuffles, broadcast joins and
// lineage-based recovery. This file is the descriptor; dag-engine.ts the Engine adapter; session.ts the PySpark-style API.
// WARNING: every bench cell imports this descriptor through the registry; the engine (~25 modules) is imported only
// when one is created.
import { ALL_EXPRS, ALL_NODES, type EngineContext, type EngineDescriptor } from '../engine.ts';
import type { DagEngine, DagInjections } from './dag-engine.ts';
import { readOptions } from './options.ts';

export type { DagEngine, DagInjections, ExecuteOptions } from './dag-engine.ts';
export type { DagOptions } from './options.ts';

/** Create a DAG engine with injections (fault policy) beyond what EngineContext carries. */
export async function createDagEngine(ctx: EngineContext, injections: DagInjections = {}): Promise<DagEngine> {
  const { DagEngine } = await import('./dag-engine.ts');
  return DagEngine.create(ctx, injections);
}

export const dagEngine: EngineDescriptor = {
  name: 'dag',
  models: 'Apache Spark (DataFrames, DAG scheduler, in-memory shuffle)',
  role: 'teaching',
  summary: 'Spark-style stages cut at shuffles, one task per partition on worker threads, columnar typed-array partitions, broadcast joins and lineage recovery.',
  supports: { nodes: ALL_NODES, exprs: ALL_EXPRS },
  checkOptions: (options) => void readOptions(options),
  async versions() {
    return { node: process.versions.node };
  },
  create: (ctx) => createDagEngine(ctx),
};


