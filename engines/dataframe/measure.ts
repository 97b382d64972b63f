// Reproduces the figures in this folder's README: heap per loaded cell, and group-by timings by rows and groups.
// One measurement per process (so heap and JIT state do not leak between them); wrap it in `timeout` for the
// slow cells. Run:  node --expose-gc --import tsx engines/dataframe/measure.ts memory 100000 [taxi_trips]
//                   node --expose-gc --import tsx engines/dataframe/measure.ts groupby 100000 1000 sum
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { count, sum, table, tableFromColumns } from '../../plan/index.ts';
import type { Schema } from '../../plan/types.ts';
import { findDataset } from '../../datasets/registry.ts';
import { DEFAULT_SEED } from '../../datasets/dataset.ts';
import { dataframeEngine } from './index.ts';

const gc = (globalThis as { gc?: () => void }).gc;

async function engine() {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dataframe-measure-'));
  return dataframeEngine.create({ workDir, seed: DEFAULT_SEED, now: () => performance.now(), emit: () => {}, options: {}, memoryBudgetBytes: 64 * 1024 ** 3 });
}

/** Heap bytes per cell of a dataset's tables (default user_events) once loaded into danfo. */
async function memory(rows: number, name = 'user_events'): Promise<void> {
  if (!gc) throw new Error('run with node --expose-gc');
  const dataset = findDataset(name);
  const params = Object.fromEntries(dataset.params.map((p) => [p.name, p.default]));
  const tables = dataset.generate(rows, DEFAULT_SEED, params);
  const e = await engine();
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  await e.load(tables);
  const loadMs = performance.now() - t0;
  gc();
  gc();
  const after = process.memoryUsage().heapUsed;
  const cells = [...tables.values()].reduce((s, t) => s + t.numRows * t.numCols, 0);
  console.log(JSON.stringify({ mode: 'memory', dataset: name, rows, cells, loadMs: Math.round(loadMs), heapBytes: after - before, bytesPerCell: +((after - before) / cells).toFixed(1) }));
}

/** SELECT g, count(*) | sum(v) FROM t GROUP BY g with `groups` distinct int32 keys, timed inside `run`. */
async function groupby(rows: number, groups: number, agg: 'count' | 'sum'): Promise<void> {
  const schema: Schema = [{ name: 'g', type: 'int32' }, { name: 'v', type: 'float64' }];
  const g = new Int32Array(rows);
  const v = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    g[i] = (i * 2654435761) % groups; // spreads keys without a PRNG; every key in [0, groups) occurs
    v[i] = (i % 97) / 7;
  }
  const e = await engine();
  const t0 = performance.now();
  await e.load(new Map([['t', tableFromColumns(schema, { g, v })]]));
  const loadMs = performance.now() - t0;
  const df = table('t', schema).groupBy('g');
  const plan = (agg === 'count' ? df.agg(count().alias('c')) : df.agg(sum('v').alias('s'))).plan;
  const t1 = performance.now();
  const cpu = process.cpuUsage();
  const out = await e.run(plan);
  const runMs = performance.now() - t1;
  // CPU time of this single-threaded run: on a busy machine it is the figure that does not depend on neighbours.
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  console.log(JSON.stringify({ mode: 'groupby', rows, groups, agg, outRows: out.numRows, loadMs: Math.round(loadMs), runMs: Math.round(runMs), cpuMs: Math.round(cpuMs) }));
}

const [mode, a, b, c] = process.argv.slice(2);
if (mode === 'memory') await memory(Number(a), b);
else if (mode === 'groupby') await groupby(Number(a), Number(b), c === 'count' ? 'count' : 'sum');
else console.error('usage: measure.ts memory <rows> [dataset] | groupby <rows> <groups> count|sum');
