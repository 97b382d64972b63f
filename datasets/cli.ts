// `npm run datasets -- list | generate NAME --rows N [--seed S] [--param key=value ...]`: shows the datasets
// and their documented schemas, and generates (or finds in the cache) Arrow IPC files. Bad input exits 2.
import { ensureDataset, DEFAULT_CACHE_DIR } from './cache.ts';
import { DEFAULT_SEED, type Dataset } from './dataset.ts';
import { helperUsedFor } from './parallel.ts';
import { DatasetInputError, parseCount } from './params.ts';
import { DATASETS, findDataset } from './registry.ts';

const USAGE = `usage:
  npm run datasets -- list
  npm run datasets -- generate NAME --rows N [--seed S] [--param key=value ...] [--cache-dir DIR] [--force]
  npm run datasets -- bench [NAME ...] [--rows N] [--repeat R]

  list       every dataset: its tables, their columns with docs, and its parameters
  generate   write NAME's tables as Arrow IPC files under ${DEFAULT_CACHE_DIR} (reused when already there)
             --rows N    rows of the main table; accepts 1000, 1e6, 2.5e5
             --seed S    generator seed (default ${DEFAULT_SEED}); same seed + rows + params = byte-identical files
             --param k=v a dataset parameter (see list); repeatable
             --force     regenerate even if a valid cached copy exists
  bench      time the generators in memory (no cache, no files): best of R runs (default 5) at N rows
             (default 2e6) per dataset and parameter variant, in million rows per second of wall and CPU time`;

/** Parameter variants timed by \`bench\`: the defaults, plus the costlier options where a dataset has them. */
const BENCH_VARIANTS: Readonly<Record<string, readonly Record<string, string | number | boolean>[]>> = {
  user_events: [{}, { skew: 'zipf', users: 100_000 }],
  dbbench_groupby: [{}, { naPct: 5, sorted: true }],
  dbbench_join: [{}, { naPct: 5, sorted: true }],
};

function bench(args: readonly string[]): void {
  let rows = 2_000_000;
  let repeat = 5;
  const names: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--rows' || a === '--repeat') {
      const v = args[++i];
      if (v === undefined) throw new DatasetInputError(`${a} needs a value`);
      if (a === '--rows') rows = parseCount(v, '--rows');
      else repeat = Math.max(1, parseCount(v, '--repeat'));
    } else if (a.startsWith('--')) throw new DatasetInputError(`unknown option '${a}'; valid options: --rows, --repeat`);
    else names.push(findDataset(a).name);
  }
  for (const d of names.length ? names.map(findDataset) : DATASETS) {
    for (const params of BENCH_VARIANTS[d.name] ?? [{}]) {
      let best = Infinity;
      let first = Infinity;
      let bestCpu = Infinity;
      let total = 0;
      for (let r = 0; r < repeat; r++) {
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        const tables = d.generate(rows, DEFAULT_SEED, params);
        if (r === 0) first = performance.now() - t0;
        best = Math.min(best, performance.now() - t0);
        const cpu = process.cpuUsage(cpu0);
        // CPU time as well as wall time: on a shared, busy machine the wall clock also counts time spent waiting
        // for a core, while CPU time approximates what an idle machine would show (GC threads add a little).
        bestCpu = Math.min(bestCpu, (cpu.user + cpu.system) / 1000);
        total = [...tables.values()].reduce((n, t) => n + t.numRows, 0);
      }
      const label = `${d.name} ${JSON.stringify(params)}`.padEnd(52);
      const rate = (n: number, ms: number) => (n / ms / 1e3).toFixed(2).padStart(6);
      console.log(
        `${label} wall ${best.toFixed(0).padStart(6)} ms: ${rate(rows, best)} M rows/s (main table), ${rate(total, best)} (all tables)` +
          ` | cpu ${bestCpu.toFixed(0).padStart(6)} ms: ${rate(rows, bestCpu)} / ${rate(total, bestCpu)}` +
          // The first generation of a process also starts the helper thread (and compiles it when its sources changed).
          ` | ${d.parts && helperUsedFor(rows) ? '2 threads' : '1 thread'}, first ${first.toFixed(0)} ms`,
      );
    }
  }
}

function describe(d: Dataset): string {
  const lines = [`${d.name}`, `  ${d.doc}`];
  for (const t of d.tables) {
    lines.push(`  table ${t.name} — ${t.doc}; rows: ${t.rowsRule}`);
    const width = Math.max(...t.schema.map((f) => f.name.length));
    for (const f of t.schema) lines.push(`    ${f.name.padEnd(width)}  ${f.type.padEnd(9)}  ${f.doc ?? ''}`);
  }
  if (d.params.length === 0) lines.push('  params: none');
  for (const p of d.params) lines.push(`  param ${p.name} (default ${JSON.stringify(p.default)}): ${p.doc}`);
  return lines.join('\n');
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

interface GenerateArgs {
  name: string;
  rows: number;
  seed: number;
  params: Record<string, string>;
  cacheDir?: string;
  force: boolean;
}

function parseGenerate(args: readonly string[]): GenerateArgs {
  let name: string | undefined;
  let rows: number | undefined;
  let seed = DEFAULT_SEED;
  let cacheDir: string | undefined;
  let force = false;
  const params: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const value = (): string => {
      const v = args[++i];
      if (v === undefined || v.startsWith('--')) throw new DatasetInputError(`${a} needs a value; see 'npm run datasets -- --help'`);
      return v;
    };
    if (a === '--rows') rows = parseCount(value(), '--rows');
    else if (a === '--seed') seed = parseCount(value(), '--seed');
    else if (a === '--cache-dir') cacheDir = value();
    else if (a === '--force') force = true;
    else if (a === '--param') {
      const kv = value();
      const eq = kv.indexOf('=');
      if (eq <= 0) throw new DatasetInputError(`--param expects key=value, got '${kv}'`);
      params[kv.slice(0, eq)] = kv.slice(eq + 1);
    } else if (a.startsWith('--')) {
      throw new DatasetInputError(`unknown option '${a}'; valid options: --rows, --seed, --param, --cache-dir, --force`);
    } else if (name === undefined) name = a;
    else throw new DatasetInputError(`unexpected argument '${a}'; generate takes one dataset name`);
  }
  if (name === undefined) throw new DatasetInputError(`generate needs a dataset name; valid datasets: ${DATASETS.map((d) => d.name).join(', ')}`);
  const dataset = findDataset(name); // fail on the name before complaining about --rows
  if (rows === undefined) throw new DatasetInputError(`generate needs --rows N (e.g. --rows 1e6) for dataset '${dataset.name}'`);
  return { name, rows, seed, params, force, ...(cacheDir ? { cacheDir } : {}) };
}

async function main(argv: readonly string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE);
    return;
  }
  if (command === 'list') {
    if (rest.length > 0) throw new DatasetInputError(`list takes no arguments, got '${rest.join(' ')}'`);
    console.log(DATASETS.map(describe).join('\n\n'));
    return;
  }
  if (command === 'bench') return bench(rest);
  if (command !== 'generate') throw new DatasetInputError(`unknown command '${command}'; valid commands: list, generate, bench`);
  const args = parseGenerate(rest);
  const entry = await ensureDataset({ dataset: args.name, params: args.params }, args.rows, {
    seed: args.seed,
    force: args.force,
    ...(args.cacheDir ? { cacheDir: args.cacheDir } : {}),
    onDiscard: (reason) => console.log(`cached copy not trusted (${reason}); regenerating`),
  });
  for (const f of entry.files) console.log(`${f.path}  ${f.rows.toLocaleString('en-US')} rows  ${formatBytes(f.bytes)}`);
  if (entry.generated) {
    const total = entry.files.reduce((n, f) => n + f.rows, 0);
    const rate = (total / entry.generateMs) * 1000;
    console.log(`generated ${total.toLocaleString('en-US')} rows in ${entry.generateMs.toFixed(0)} ms: ${(rate / 1e6).toFixed(2)} million rows/s (seed ${args.seed})`);
  } else {
    console.log(`already cached (seed ${args.seed}); use --force to regenerate`);
  }
}

main(process.argv.slice(2)).catch((e: unknown) => {
  // Input mistakes are the user's to fix: exit code 2. Anything else (disk full, permissions) exits 1. Either way
  // one line, no stack trace; DEBUG=1 shows the stack.
  if (process.env['DEBUG']) console.error(e);
  const message = e instanceof Error ? e.message : String(e);
  console.error(`datasets: ${message}`);
  process.exit(e instanceof DatasetInputError ? 2 : 1);
});
