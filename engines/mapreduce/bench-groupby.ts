// A quick measurement, not a test: the `groupby-count` scenario (user_events) at a given size through this engine
// (and the DAG engine for the ratio), printing wall time, throughput, bytes written and the phase split.
//   node --import tsx engines/mapreduce/bench-groupby.ts 1000000 [--combiner false] [--vectorized false] [--cpu-prof]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadDataset } from '../../datasets/cache.ts';
import { findScenario, buildScenarioPlan } from '../../scenarios/registry.ts';
import type { EngineDescriptor } from '../engine.ts';
import { mapreduceEngine } from './index.ts';

const rows = Number(process.argv[2] ?? 1e6);
const flag = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const engines = (flag('engines') ?? 'mapreduce,dag').split(',');
const scenario = findScenario(flag('scenario') ?? 'groupby-count');
if (scenario.kind !== 'query') throw new Error('query scenarios only');
const tables = await loadDataset(scenario.data, rows);
const loaded = new Map(scenario.tables.map((t) => [t, tables.get(t)!]));
const plan = buildScenarioPlan(scenario).plan;
const options: Record<string, string | number | boolean> = {};
for (const key of ['combiner', 'vectorized', 'blockSize', 'sortBufferBytes', 'reducers', 'slots']) if (flag(key) !== undefined) options[key] = flag(key)!;

/**
 * On-CPU time and time spent runnable but waiting for a CPU (run queue), summed over every thread of this process,
 * in ms, from Linux's /proc/self/task/<tid>/schedstat; null where that does not exist. The run-queue wait is the
 * wall time a shared machine takes away: other processes had the cores.
 */
function schedTimes(): { cpu: number; waiting: number } | null {
  try {
    let cpu = 0;
    let waiting = 0;
    for (const tid of fs.readdirSync('/proc/self/task')) {
      const [onCpu, queued] = fs.readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ').map(Number);
      cpu += onCpu!;
      waiting += queued!;
    }
    return { cpu: cpu / 1e6, waiting: waiting / 1e6 };
  } catch {
    return null;
  }
}

for (const name of engines) {
  const descriptor: EngineDescriptor = name === 'mapreduce' ? mapreduceEngine : (await import(`../${name}/index.ts`))[`${name}Engine`];
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-${name}-`));
  const engine = await descriptor.create({ workDir, seed: 42, now: () => performance.now(), emit: () => {}, options, memoryBudgetBytes: 16 * 1024 ** 3 });
  try {
    const t0 = performance.now();
    const l0 = process.cpuUsage();
    await engine.load(loaded);
    const tLoad = performance.now() - t0;
    const lc = process.cpuUsage(l0);
    const samples: number[] = [];
    const cpu: number[] = [];
    const queued: string[] = [];
    for (let i = 0; i < 2; i++) {
      const t1 = performance.now();
      const c1 = process.cpuUsage(); // all threads of the process, so it includes the worker slots
      const s1 = schedTimes();
      const out = await engine.run(plan);
      samples.push(performance.now() - t1);
      const c = process.cpuUsage(c1);
      cpu.push((c.user + c.system) / 1000);
      const s2 = schedTimes();
      if (s1 !== null && s2 !== null) queued.push((s2.waiting - s1.waiting).toFixed(0));
      if (i === 0) console.log(`${name}: ${out.numRows} result rows`);
    }
    const best = Math.min(...samples);
    const m = engine.metrics();
    const c = m.counters;
    console.log(`${name} ${scenario.name} @ ${rows}: load ${tLoad.toFixed(0)} ms (cpu ${((lc.user + lc.system) / 1000).toFixed(0)} ms), run ${samples.map((s) => s.toFixed(0)).join(' / ')} ms (cpu ${cpu.map((s) => s.toFixed(0)).join(' / ')} ms${queued.length ? `, waiting for a core ${queued.join(' / ')} ms` : ''}), ${(rows / best * 1000 / 1e6).toFixed(2)} M rows/s`);
    if (name === 'mapreduce') {
      const mib = (b: number | undefined): string => `${((b ?? 0) / 2 ** 20).toFixed(1)} MiB`;
      console.log(`  bytes read ${mib(c.bytesRead)}, map output ${mib(c.mapOutputBytes)}, spilled ${mib(c.bytesSpilled)} in ${c.spillFiles} files, shuffled ${mib(c.bytesShuffled)}, written to disk ${mib(c.bytesWrittenToDisk)}`);
      console.log(`  tasks: ${c.mapTasks} map (${c.vectorizedMapTasks ?? 0} vectorized), ${c.reduceTasks} reduce on ${c.slots} slots; phases ${JSON.stringify(Object.fromEntries(Object.entries(m.phasesMs ?? {}).map(([k, v]) => [k, Math.round(v)])))}`);
    }
  } finally {
    await engine.close();
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}
