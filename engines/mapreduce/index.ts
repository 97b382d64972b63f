// The MapReduce engine: Hadoop MapReduce over a small HDFS, on local disk and worker threads. This file is the
// descriptor; mapreduce-engine.ts wires the NameNode, the slots and the JobTracker into the engine contract.
// WARNING: every bench cell imports this descriptor through the registry; the engine (~40 modules) is imported only
// when one is created.
import os from 'node:os';
import { ALL_EXPRS, ALL_NODES, type EngineDescriptor } from '../engine.ts';
import { readConfig } from './config.ts';

/**
 * Hadoop MapReduce + HDFS, modelled.
 * @example const engine = await mapreduceEngine.create(ctx); await engine.load(tables); const t = await engine.run(df.plan);
 */
export const mapreduceEngine: EngineDescriptor = {
  name: 'mapreduce',
  models: 'Apache Hadoop MapReduce + HDFS',
  role: 'teaching',
  summary: 'Chains of MapReduce jobs over a replicated block file system: binary map output sorted, spilled and shuffled through local disk, tasks on worker threads with retries.',
  supports: { nodes: ALL_NODES, exprs: ALL_EXPRS },
  checkOptions: (options) => void readConfig(options, os.availableParallelism()),
  async versions() {
    return { node: process.version };
  },
  async create(ctx) {
    const { MapReduceEngine } = await import('./mapreduce-engine.ts');
    return MapReduceEngine.create(ctx);
  },
};
