// Keeps the labs from rotting: every `npm run bench|datasets|dfs` and `npx tsx <script>` command in the labs'
// fenced code blocks is checked against the real argument parsers and registries. The dfs commands are run for
// real, in order, in temporary folders (they are fast); the bench is never spawned.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseCli } from '../../harness/args.ts';
import { loadCatalog } from '../../harness/catalog.ts';
import { readConfig } from '../../engines/mapreduce/config.ts';
import { runCli as runDfs } from '../../engines/mapreduce/cli.ts';
import { ENGINES } from '../../engines/registry.ts';
import { SCENARIOS } from '../../scenarios/registry.ts';
import { findDataset } from '../../datasets/registry.ts';
import { checkRows, checkSeed, parseCount, resolveParams } from '../../datasets/params.ts';
import { cacheKey, ensureDataset } from '../../datasets/cache.ts';
import { PATTERNS } from '../../scenarios/cdc/patterns.ts';
import { SQL_MERGE } from '../../scenarios/cdc/merge-scenario.ts';
import { SQL_MERGE_PATTERNS } from '../../scenarios/cdc/sql-merge.ts';
import { parseLabArgs } from '../../labs/scripts/spark-model.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const LABS = join(ROOT, 'labs');
const SCRIPTS = Object.keys((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts);

/** One command found in a lab: the tool and its arguments after `--` (or after the script path for tsx). */
interface LabCommand {
  readonly where: string;
  readonly tool: string;
  readonly argv: readonly string[];
  /** The line's comment says the command is expected to fail ("expect an error"). */
  readonly expectError: boolean;
}

/** Shell words of one simple command: whitespace-separated, single and double quotes honoured. */
function shellWords(text: string): string[] {
  const words: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) words.push(m[1] ?? m[2] ?? m[3]!);
  return words;
}

/** Split a shell line at `&&`, `||`, `;`, `|` and redirections, and cut its `#` comment, outside quotes. */
function splitLine(line: string): { segments: string[]; comment: string } {
  const segments: string[] = [];
  let cur = '';
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = null;
      cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      cur += c;
    } else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!))) {
      segments.push(cur);
      return { segments, comment: line.slice(i + 1) };
    } else if (c === ';' || c === '|' || c === '>' || (c === '&' && line[i + 1] === '&')) {
      segments.push(cur);
      cur = '';
      if (line[i + 1] === c) i++;
    } else cur += c;
  }
  segments.push(cur);
  return { segments, comment: '' };
}

/** The commands of every fenced code block of a markdown text. */
function labCommands(markdown: string, file: string): LabCommand[] {
  const out: LabCommand[] = [];
  const lines = markdown.split('\n');
  let inBlock = false;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trimStart().startsWith('```')) {
      inBlock = !inBlock;
      continue;
    }
    if (!inBlock) continue;
    const start = i;
    let line = lines[i]!;
    while (line.endsWith('\\') && i + 1 < lines.length) line = `${line.slice(0, -1)} ${lines[++i]!}`;
    const { segments, comment } = splitLine(line);
    const expectError = /expect an error/i.test(comment);
    for (const segment of segments) {
      const w = shellWords(segment);
      const where = `${file}:${start + 1}`;
      const npm = w.findIndex((x, k) => x === 'npm' && w[k + 1] === 'run');
      if (npm >= 0) {
        let k = npm + 2;
        while (w[k]?.startsWith('-') && w[k] !== '--') k++;
        const tool = w[k] ?? '';
        const rest = w.slice(k + 1);
        out.push({ where, tool, argv: rest[0] === '--' ? rest.slice(1) : rest, expectError });
        continue;
      }
      // `npx tsx script.ts …` or `node --import tsx script.ts …`: the first .ts word after `tsx` is the script.
      const tsx = w.indexOf('tsx');
      const script = w.findIndex((x, k) => k > tsx && x.endsWith('.ts'));
      if (tsx >= 0 && script >= 0 && (w[0] === 'npx' || w[0] === 'node')) out.push({ where, tool: 'tsx', argv: w.slice(script), expectError });
    }
  }
  return out;
}

/** Everything one lab's commands share: the catalogs, the files its `generate` commands produce, dfs folders. */
class LabState {
  /** Repository-relative path of a cached dataset file → how to produce it. */
  readonly generated = new Map<string, { dataset: string; rows: number; seed: number; params: Record<string, string> }>();
  private readonly dirs = new Map<string, string>();
  constructor(readonly tmp: string) {}
  /** A private folder standing in for a lab's `--dir` path. */
  dfsDir(labPath: string): string {
    let d = this.dirs.get(labPath);
    if (!d) {
      d = join(this.tmp, `dfs-${this.dirs.size}`);
      this.dirs.set(labPath, d);
    }
    return d;
  }
}

const README_OF_PREFIX: Readonly<Record<string, string>> = {
  dag: 'engines/dag/README.md',
  mapreduce: 'engines/mapreduce/README.md',
  duckdb: 'engines/duckdb/README.md',
  clickhouse: 'engines/clickhouse/README.md',
  olap: 'engines/olap-loader/README.md',
};

/** An engine option must be documented (in backticks) in the README of the engine its prefix names. */
function checkEngineOption(key: string): string | null {
  const dot = key.indexOf('.');
  const prefix = dot > 0 ? key.slice(0, dot) : null;
  const bare = dot > 0 ? key.slice(dot + 1) : key;
  const readmes = prefix ? [README_OF_PREFIX[prefix]] : Object.values(README_OF_PREFIX);
  if (readmes[0] === undefined) return `engine option '${key}': unknown prefix '${prefix}' (known: ${Object.keys(README_OF_PREFIX).join(', ')})`;
  const documented = readmes.some((r) => {
    const text = readFileSync(join(ROOT, r!), 'utf8');
    return text.includes(`\`${key}\``) || text.includes(`\`${bare}\``);
  });
  return documented ? null : `engine option '${key}' is not documented in ${readmes.join(' or ')}`;
}

async function checkBench(argv: readonly string[]): Promise<string | null> {
  const args = parseCli(argv);
  const catalog = await loadCatalog(args.extensions.map((p) => resolve(ROOT, p)));
  const fromExtension = args.extensions.length > 0;
  for (const name of args.engines ?? []) {
    if (!catalog.engines.some((e) => e.name === name)) return `unknown engine '${name}'`;
    if (!fromExtension && !ENGINES.some((e) => e.name === name)) return `engine '${name}' is not in engines/registry.ts`;
  }
  for (const name of args.scenarios ?? []) {
    if (!catalog.scenarios.some((s) => s.name === name)) return `unknown scenario '${name}'`;
    if (!fromExtension && !SCENARIOS.some((s) => s.name === name)) return `scenario '${name}' is not in scenarios/registry.ts`;
  }
  const suites = new Set(catalog.scenarios.map((s) => s.suite));
  for (const suite of args.suites ?? []) if (!suites.has(suite)) return `unknown suite '${suite}'`;
  for (const key of Object.keys(args.options)) {
    if (key === 'clickhouse-url') continue;
    const problem = checkEngineOption(key);
    if (problem) return problem;
  }
  readConfig(args.options, 2); // mapreduce options: values in range (throws a one-line EngineError otherwise)
  return null;
}

/** Mirrors datasets/cli.ts (its parser is not exported); records the files `generate` writes. */
function checkDatasets(argv: readonly string[], state: LabState): string | null {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === 'help') return null;
  if (command === 'list') return rest.length ? `list takes no arguments, got '${rest.join(' ')}'` : null;
  if (command === 'bench') {
    for (let i = 0; i < rest.length; i++) {
      if (rest[i] === '--rows' || rest[i] === '--repeat') parseCount(rest[++i] ?? '', rest[i - 1]!);
      else if (rest[i]!.startsWith('--')) return `unknown option '${rest[i]}'`;
      else findDataset(rest[i]!);
    }
    return null;
  }
  if (command !== 'generate') return `unknown datasets command '${command}'`;
  let name: string | undefined;
  let rows: number | undefined;
  let seed = 42;
  const params: Record<string, string> = {};
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    const value = (): string => {
      const v = rest[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--rows') rows = parseCount(value(), '--rows');
    else if (a === '--seed') seed = parseCount(value(), '--seed');
    else if (a === '--param') {
      const kv = value();
      const eq = kv.indexOf('=');
      if (eq <= 0) return `--param expects key=value, got '${kv}'`;
      params[kv.slice(0, eq)] = kv.slice(eq + 1);
    } else if (a === '--force') continue;
    else if (a === '--cache-dir') return '--cache-dir would put the files where the lab does not look for them';
    else if (a.startsWith('--')) return `unknown option '${a}'`;
    else if (name === undefined) name = a;
    else return `unexpected argument '${a}'`;
  }
  if (name === undefined || rows === undefined) return 'generate needs a dataset name and --rows';
  const dataset = findDataset(name);
  checkRows(rows);
  checkSeed(seed);
  const resolved = resolveParams(dataset.name, dataset.params, params);
  for (const t of dataset.tables) {
    state.generated.set(join('.cache/datasets', cacheKey(dataset.name, rows, seed, resolved), `${t.name}.arrow`), { dataset: dataset.name, rows, seed, params });
  }
  return null;
}

/** Flags each dfs command reads (engines/mapreduce/cli.ts). */
const DFS_FLAGS: Readonly<Record<string, readonly string[]>> = {
  help: ['dir'],
  format: ['dir', 'datanodes', 'replication', 'block-size'],
  put: ['dir'],
  ls: ['dir'],
  cat: ['dir', 'limit'],
  fsck: ['dir'],
  'kill-datanode': ['dir'],
  corrupt: ['dir'],
};

/** Runs the dfs command for real, in the lab's private folders, with `put` reading a freshly generated file. */
async function runDfsCommand(cmd: LabCommand, state: LabState): Promise<string | null> {
  const argv = [...cmd.argv];
  // The dfs CLI accepts any --flag and ignores those it does not read, so a misspelt one must be caught here.
  const flags = DFS_FLAGS[argv[0] ?? ''];
  if (!flags) return `unknown dfs command '${argv[0]}' (known: ${Object.keys(DFS_FLAGS).join(', ')})`;
  for (const a of argv) if (a.startsWith('--') && !flags.includes(a.slice(2))) return `dfs ${argv[0]} reads no flag '${a}' (it reads: ${flags.map((f) => `--${f}`).join(', ')})`;
  const d = argv.indexOf('--dir');
  if (d >= 0 && argv[d + 1] !== undefined) argv[d + 1] = state.dfsDir(argv[d + 1]!);
  if (argv[0] === 'put' && argv[2] !== undefined) {
    const source = state.generated.get(argv[2]);
    if (!source) return `put reads '${argv[2]}', which no 'npm run datasets -- generate' command before it in the lab produces`;
    const entry = await ensureDataset({ dataset: source.dataset, params: source.params }, source.rows, { seed: source.seed, cacheDir: join(state.tmp, 'cache') });
    argv[2] = entry.files.find((f) => argv[2]!.endsWith(`/${f.table}.arrow`))!.path;
  }
  try {
    await runDfs(argv);
    return cmd.expectError ? 'succeeded, but the lab says to expect an error' : null;
  } catch (err) {
    return cmd.expectError ? null : `failed: ${(err as Error).message.split('\n')[0]}`;
  }
}

function checkTsx(argv: readonly string[]): string | null {
  const [script, ...rest] = argv;
  if (!existsSync(join(ROOT, script!))) return `script '${script}' does not exist`;
  if (script === 'labs/scripts/spark-model.ts') parseLabArgs(rest);
  if (script === 'scenarios/cdc/measure-crossover.ts') {
    const at = rest.indexOf('--variants');
    for (const v of at >= 0 ? rest[at + 1]!.split(',') : []) {
      const [engine, pattern] = v.split('/');
      if (!(pattern! in PATTERNS)) return `measure-crossover: unknown pattern in '${v}'`;
      const sqlOk = engine === SQL_MERGE && SQL_MERGE_PATTERNS.includes(pattern as never);
      if (!sqlOk && !ENGINES.some((e) => e.name === engine)) return `measure-crossover: unknown engine in '${v}'`;
    }
  }
  return null;
}

/** A problem with one command, or null when the real parsers accept it. */
async function checkCommand(cmd: LabCommand, state: LabState): Promise<string | null> {
  try {
    if (cmd.tool === 'tsx') return checkTsx(cmd.argv);
    if (!SCRIPTS.includes(cmd.tool)) return `'npm run ${cmd.tool}' is not a script in package.json`;
    if (cmd.tool === 'bench') return await checkBench(cmd.argv);
    if (cmd.tool === 'datasets') return checkDatasets(cmd.argv, state);
    if (cmd.tool === 'dfs') return await runDfsCommand(cmd, state);
    return null;
  } catch (err) {
    return (err as Error).message.split('\n')[0]!;
  }
}

const labFiles = readdirSync(LABS).filter((f) => /^\d\d-.*\.md$/.test(f)).sort();

async function withState<T>(body: (state: LabState) => Promise<T>): Promise<T> {
  const tmp = mkdtempSync(join(tmpdir(), 'labs-test-'));
  try {
    return await body(new LabState(tmp));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

test('there are five or six labs and the index links every one of them', () => {
  assert.ok(labFiles.length >= 5 && labFiles.length <= 6, `labs: ${labFiles.join(', ')}`);
  const index = readFileSync(join(LABS, 'README.md'), 'utf8');
  for (const f of labFiles) assert.ok(index.includes(`](${f})`), `labs/README.md does not link ${f}`);
  for (const [, target] of index.matchAll(/\]\(([^)#]+)\)/g)) assert.ok(existsSync(join(LABS, target!)), `labs/README.md links missing ${target}`);
});

for (const file of labFiles) {
  test(`${file}: has every section and each command is accepted by the real parsers`, async () => {
    const text = readFileSync(join(LABS, file), 'utf8');
    for (const section of ['## Goal', '## Concepts', '## Steps', '## What to look at', '## Questions', '## Stretch tasks']) {
      assert.ok(text.includes(`\n${section}\n`), `${file} lacks the section '${section}'`);
    }
    const commands = labCommands(text, `labs/${file}`);
    assert.ok(commands.length > 0, `${file} has no runnable command`);
    const problems = await withState(async (state) => {
      const out: string[] = [];
      for (const c of commands) {
        const p = await checkCommand(c, state);
        if (p) out.push(`${c.where}: ${c.tool} ${c.argv.join(' ')}: ${p}`);
      }
      return out;
    });
    assert.deepEqual(problems, []);
  });
}

test('the extractor finds commands behind flock, across continuation lines and beside comments', () => {
  const md = [
    'text `npm run bench -- --engines nowhere` outside a block is ignored',
    '```sh',
    'flock /tmp/x.lock npm run bench -- --engines dag \\',
    '  --sizes 1e4   # a comment --engines ignored',
    'npm run dfs -- cat /t --dir /tmp/d   # expect an error: lost',
    'npx tsx labs/scripts/spark-model.ts --rows 10 && npm run -s datasets -- list',
    '```',
  ].join('\n');
  const cmds = labCommands(md, 'x.md');
  assert.deepEqual(
    cmds.map((c) => [c.tool, c.argv.join(' '), c.expectError]),
    [
      ['bench', '--engines dag --sizes 1e4', false],
      ['dfs', 'cat /t --dir /tmp/d', true],
      ['tsx', 'labs/scripts/spark-model.ts --rows 10', false],
      ['datasets', 'list', false],
    ],
  );
});

test('the checker rejects commands that would rot: unknown names, flags, parameters, options and inputs', async () => {
  const bad: [string, RegExp][] = [
    ['npm run bench -- --engines sparkle --sizes 1e4', /unknown engine 'sparkle'/],
    ['npm run bench -- --scenarios groupby-cont', /unknown scenario 'groupby-cont'/],
    ['npm run bench -- --suite nope', /unknown suite 'nope'/],
    ['npm run bench -- --sizez 1e4', /unknown flag '--sizez'/],
    ['npm run bench -- --sizes lots', /./],
    ['npm run bench -- --engines dag --engine-option dag.turbo=true', /not documented/],
    ['npm run bench -- --engines mapreduce --engine-option mapreduce.replication=0', /mapreduce\.replication/],
    ['npm run datasets -- generate retail --rows 1e4 --param skew=zipf', /no parameter 'skew'/],
    ['npm run datasets -- generate nosuch --rows 10', /unknown dataset 'nosuch'/],
    ['npm run dfs -- put events .cache/datasets/elsewhere.arrow --dir /tmp/x', /no 'npm run datasets -- generate'/],
    ['npm run dfs -- frobnicate --dir /tmp/x', /unknown dfs command 'frobnicate'/],
    ['npm run dfs -- format --dir /tmp/x --blocksize 1024', /reads no flag '--blocksize'/],
    ['npm run benchmark -- --quick', /not a script/],
    ['npx tsx labs/scripts/missing.ts', /does not exist/],
    ['npx tsx labs/scripts/spark-model.ts --join sideways', /--join must be one of/],
    ['npx tsx scenarios/cdc/measure-crossover.ts --variants duckdb/merge-everything', /unknown pattern/],
  ];
  await withState(async (state) => {
    for (const [line, expected] of bad) {
      const [cmd] = labCommands(`\`\`\`sh\n${line}\n\`\`\``, 'x.md');
      assert.ok(cmd, `no command found in: ${line}`);
      const problem = await checkCommand(cmd, state);
      assert.ok(problem !== null && expected.test(problem), `${line} → ${problem}`);
    }
  });
});

test('dfs commands run for real: a kill with one replica loses data, and a wrongly expected error is reported', async () => {
  const md = [
    '```sh',
    'npm run datasets -- generate user_events --rows 2000',
    'npm run dfs -- format --dir /lab/a --block-size 16384 --replication 1',
    `npm run dfs -- put events ${join('.cache/datasets', cacheKey('user_events', 2000, 42, resolveParams('user_events', findDataset('user_events').params)), 'user_events.arrow')} --dir /lab/a`,
    'npm run dfs -- kill-datanode 0 --dir /lab/a',
    'npm run dfs -- cat /tables/events --dir /lab/a   # expect an error',
    'npm run dfs -- ls --dir /lab/a   # expect an error (wrongly: ls works)',
    '```',
  ].join('\n');
  const problems = await withState(async (state) => {
    const out: (string | null)[] = [];
    for (const c of labCommands(md, 'x.md')) out.push(await checkCommand(c, state));
    return out;
  });
  assert.deepEqual(problems.slice(0, 5), [null, null, null, null, null]);
  assert.match(problems[5]!, /expect an error/);
});
