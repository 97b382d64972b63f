// The bench CLI's flags: parsing, validation with one-line errors (UsageError → exit 2), and the --help text.
import os from 'node:os';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DEFAULT_SEED } from '../datasets/dataset.ts';
import { parseDuration, parseRows } from './units.ts';

/** A mistake on the command line: printed as one line, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const DEFAULT_ITERATIONS = 5;
export const DEFAULT_WARMUP = 1;
export const QUICK_ITERATIONS = 2;
export const QUICK_WARMUP = 0;

/** Children's heap cap: half the machine's memory, at most 8 GiB. */
export function defaultMaxHeapMb(): number {
  return Math.min(8192, Math.floor(os.totalmem() / 2 ** 20 / 2));
}

const FLAGS = {
  engines: { type: 'string', multiple: true, doc: 'NAMES', help: 'engines to run, comma-separated (default: all registered). The reference engine (duckdb) always runs for query scenarios; custom scenarios whose variants are engines (cdc-merge) run only these engines\' variants.' },
  variants: { type: 'string', multiple: true, doc: 'TEXT', help: 'custom scenarios (cdc-merge, olap-load): run only the variants whose name contains one of these, comma-separated (e.g. duckdb/,duckdb-sql/)' },
  scenarios: { type: 'string', multiple: true, doc: 'NAMES', help: 'scenarios to run, comma-separated (default: all registered)' },
  suite: { type: 'string', multiple: true, doc: 'NAMES', help: 'run the scenarios of these suites, e.g. foundation, db-benchmark (adds to --scenarios)' },
  sizes: { type: 'string', multiple: true, doc: 'ROWS', help: 'row counts, comma-separated: 100000, 1e5, 100k, 1m (default: each scenario\'s bench sizes)' },
  iterations: { type: 'string', doc: 'N', help: `timed iterations per cell after the cold run (default ${DEFAULT_ITERATIONS}, fewer but at least 3 for cells slower than ~2 s a run; trimmed if they would not fit the budget)` },
  warmup: { type: 'string', doc: 'N', help: `untimed warm-up iterations after the cold run (default ${DEFAULT_WARMUP})` },
  budget: { type: 'string', doc: 'TIME', help: 'time budget per cell, e.g. 60s, 2m (default: 30 s, or 60 s per million rows above 500k); a cell over it is killed and marked TIMEOUT' },
  out: { type: 'string', doc: 'DIR', help: 'output folder for results-YYYYMMDD-HHMMSS.json/.html, latest.json/.html and runs/ (default out/)' },
  baseline: { type: 'string', doc: 'FILE', help: 'an earlier results JSON: print and store each cell\'s change and whether it is beyond noise' },
  seed: { type: 'string', doc: 'N', help: `dataset and engine seed (default ${DEFAULT_SEED})` },
  'engine-option': { type: 'string', multiple: true, doc: 'KEY=VALUE', help: 'an option for engines, repeatable, e.g. mapreduce.blockSize=4194304 (see each engine\'s README)' },
  'clickhouse-url': { type: 'string', doc: 'URL', help: 'ClickHouse server for the clickhouse engine (same as --engine-option clickhouse-url=URL; read by engines/clickhouse)' },
  'max-heap': { type: 'string', doc: 'MB', help: `--max-old-space-size of each cell process and the engines' memory budget (default ${defaultMaxHeapMb()})` },
  extension: { type: 'string', multiple: true, doc: 'FILE', help: 'a .ts module exporting benchExtension { scenarios?, engines? }; its entries are selectable by name, never in the default suite' },
  'keep-results': { type: 'boolean', help: 'keep every cell\'s result table (Arrow IPC) under OUT/runs/; by default only WRONG cells\' tables and their reference are kept' },
  quick: { type: 'boolean', help: `smallest size of each scenario, ${QUICK_ITERATIONS} iterations, no warm-up (a smoke run)` },
  list: { type: 'boolean', help: 'list engines (what they model), suites and scenarios (with sizes), then exit' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
} as const;

export interface CliArgs {
  readonly engines: readonly string[] | null;
  readonly scenarios: readonly string[] | null;
  /** Substrings selecting custom scenarios' variants, or null for all. */
  readonly variants: readonly string[] | null;
  readonly suites: readonly string[] | null;
  readonly sizes: readonly number[] | null;
  readonly iterations: number;
  /** Whether --iterations was given: then every cell runs exactly that many (budget permitting). */
  readonly iterationsGiven: boolean;
  readonly warmup: number;
  readonly budgetMs: number | null;
  readonly outDir: string;
  readonly baselinePath?: string;
  readonly seed: number;
  readonly options: Readonly<Record<string, string | number | boolean>>;
  readonly maxHeapMb: number;
  readonly extensions: readonly string[];
  readonly quick: boolean;
  readonly keepResults: boolean;
  readonly list: boolean;
  readonly help: boolean;
}

function list(values: readonly string[] | undefined): string[] | null {
  if (!values) return null;
  const out = values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
  return out;
}

function positiveInt(flag: string, text: string, min: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${flag} must be a whole number ≥ ${min}, got '${text}'`);
  return n;
}

/** `key=value` into an option; values that look like numbers or booleans become them. */
export function parseEngineOption(text: string): [string, string | number | boolean] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new UsageError(`--engine-option needs KEY=VALUE, got '${text}'`);
  const key = text.slice(0, eq).trim();
  const raw = text.slice(eq + 1).trim();
  if (raw === 'true' || raw === 'false') return [key, raw === 'true'];
  if (raw !== '' && Number.isFinite(Number(raw))) return [key, Number(raw)];
  return [key, raw];
}

/**
 * Parse the bench's command line (without `node` and the script).
 * @example parseCli(['--engines', 'duckdb', '--sizes', '1e5,1m']).sizes // [100000, 1000000]
 */
export function parseCli(argv: readonly string[]): CliArgs {
  let values: Record<string, string | string[] | boolean | undefined>;
  try {
    const options: NonNullable<ParseArgsConfig['options']> = Object.fromEntries(
      Object.entries(FLAGS).map(([name, f]) => [name, { type: f.type, multiple: 'multiple' in f ? f.multiple : false, ...('short' in f ? { short: f.short } : {}) }]),
    );
    ({ values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }) as { values: typeof values });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const unknown = /Unknown option '([^']+)'/.exec(message);
    const valid = Object.keys(FLAGS).map((f) => `--${f}`).join(', ');
    if (unknown) throw new UsageError(`unknown flag '${unknown[1]}'; valid flags: ${valid}`);
    const positional = /Unexpected argument '([^']+)'/.exec(message);
    if (positional) throw new UsageError(`unexpected argument '${positional[1]}'; flags take the form --name value (see --help)`);
    throw new UsageError(`${message.split('\n')[0]} (see --help)`);
  }
  const str = (k: string): string | undefined => values[k] as string | undefined;
  const strs = (k: string): string[] | undefined => values[k] as string[] | undefined;
  const quick = values.quick === true;
  let sizes: number[] | null = null;
  try {
    const parsed = list(strs('sizes'))?.map(parseRows);
    sizes = parsed ? [...new Set(parsed)].sort((a, b) => a - b) : null;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (sizes && sizes.length === 0) throw new UsageError('--sizes needs at least one row count, e.g. --sizes 100k');
  let budgetMs: number | null = null;
  if (str('budget') !== undefined) {
    try {
      budgetMs = parseDuration(str('budget')!);
    } catch (err) {
      throw new UsageError(`--budget: ${(err as Error).message}`);
    }
  }
  const options: Record<string, string | number | boolean> = {};
  for (const o of strs('engine-option') ?? []) {
    const [k, v] = parseEngineOption(o);
    options[k] = v;
  }
  if (str('clickhouse-url') !== undefined) options['clickhouse-url'] = str('clickhouse-url')!;
  return {
    engines: list(strs('engines')),
    scenarios: list(strs('scenarios')),
    variants: list(strs('variants')),
    suites: list(strs('suite')),
    sizes,
    iterations: str('iterations') !== undefined ? positiveInt('iterations', str('iterations')!, 1) : quick ? QUICK_ITERATIONS : DEFAULT_ITERATIONS,
    iterationsGiven: str('iterations') !== undefined,
    warmup: str('warmup') !== undefined ? positiveInt('warmup', str('warmup')!, 0) : quick ? QUICK_WARMUP : DEFAULT_WARMUP,
    budgetMs,
    outDir: str('out') ?? 'out',
    ...(str('baseline') !== undefined ? { baselinePath: str('baseline')! } : {}),
    seed: str('seed') !== undefined ? positiveInt('seed', str('seed')!, 0) : DEFAULT_SEED,
    options,
    maxHeapMb: str('max-heap') !== undefined ? positiveInt('max-heap', str('max-heap')!, 64) : defaultMaxHeapMb(),
    extensions: strs('extension') ?? [],
    quick,
    keepResults: values['keep-results'] === true,
    list: values.list === true,
    help: values.help === true,
  };
}

/** The --help text: every flag with its argument and meaning. */
export function helpText(): string {
  const rows = Object.entries(FLAGS).map(([name, f]) => {
    const arg = 'doc' in f ? ` ${f.doc}` : '';
    const short = 'short' in f ? `-${f.short}, ` : '';
    return [`  ${short}--${name}${arg}`, f.help] as const;
  });
  const width = Math.max(...rows.map(([l]) => l.length)) + 2;
  return [
    'enginebench: run scenarios on data processing engines, check every result against DuckDB, and rank them.',
    '',
    'usage: npm run bench -- [flags]',
    '',
    ...rows.map(([l, h]) => `${l.padEnd(width)}${h}`),
    '',
    'Each (engine, scenario, size) cell runs in its own process. Results go to OUT/results-YYYYMMDD-HHMMSS.json',
    'and .html, copied to OUT/latest.json and OUT/latest.html. See harness/README.md for how to read them.',
    '',
    'examples:',
    '  npm run bench -- --quick',
    '  npm run bench -- --scenarios groupby-count --sizes 100k,1m --engines duckdb,polars',
    '  npm run bench -- --suite db-benchmark --budget 2m --baseline out/latest.json',
    '',
  ].join('\n');
}
