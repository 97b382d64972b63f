// A quick performance check of the DAG engine against DuckDB on the same data in one process (not a test;
// the real numbers come from `npm run bench`). Usage:
//   node --import tsx engines/dag/perf-check.ts <scenario> <rows> [repeats]
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDataset } from '../../datasets/cache.ts';
import { buildScenarioPlan, findScenario } from '../../scenarios/registry.ts';
import { duckdbEngine } from '../duckdb/index.ts';
import type { EngineContext } from '../engine.ts';
import { dagEngine } from './index.ts';

const [name = 'groupby-count', rowsArg = '1e7', repeatsArg = '5', ...opts] = process.argv.slice(2);
const scenario = findScenario(name);
if (scenario.kind !== 'query') throw new Error(`${name} is not a query scenario`);
const rows = Number(rowsArg);
const options = Object.fromEntries(opts.map((o) => o.split('=')).map(([k, v]) => [k!, Number.isNaN(Number(v)) ? v! : Number(v)]));
const ctx = (): EngineContext => ({ workDir: mkdtempSync(join(tmpdir(), 'dag-perf-')), seed: 1, now: () => performance.now(), emit: () => {}, options, memoryBudgetBytes: 16 * 1024 ** 3 });
const all = await loadDataset(scenario.data, rows);
const tables = new Map(scenario.tables.map((t) => [t, all.get(t)!]));
const plan = buildScenarioPlan(scenario).plan;
for (const d of [duckdbEngine, dagEngine]) {
  const engine = await d.create(ctx());
  const l0 = performance.now();
  await engine.load(tables);
  const loadMs = performance.now() - l0;
  const times: number[] = [];
  for (let i = 0; i < Number(repeatsArg); i++) {
    const t0 = performance.now();
    await engine.run(plan);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  console.log(`${d.name.padEnd(7)} ${name} rows=${rows} load=${loadMs.toFixed(0)}ms median=${times[times.length >> 1]!.toFixed(1)}ms min=${times[0]!.toFixed(1)}ms`);
  if (d.name === 'dag') console.log(JSON.stringify(engine.metrics().phasesMs), JSON.stringify(engine.metrics().counters));
  await engine.close();
}
