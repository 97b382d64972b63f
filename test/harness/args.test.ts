// Parsing the bench flags (in-process); the CLI's own error output is tested by spawning it in cli.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readdirSync, readFileSync } from 'node:fs';
import { checkEngineOptions, ENGINE_OPTIONS } from '../../harness/engine-options.ts';
import { helpText, parseCli, parseEngineOption, QUICK_ITERATIONS, UsageError } from '../../harness/args.ts';

test('flags parse into settings; lists may be comma-separated or repeated', () => {
  const a = parseCli(['--engines', 'duckdb,polars', '--engines', 'dag', '--sizes', '1e5,1m', '--budget', '90s', '--iterations', '3', '--warmup', '0', '--seed', '7']);
  assert.deepEqual(a.engines, ['duckdb', 'polars', 'dag']);
  assert.deepEqual(a.sizes, [100_000, 1_000_000]);
  assert.equal(a.budgetMs, 90_000);
  assert.equal(a.iterations, 3);
  assert.equal(a.warmup, 0);
  assert.equal(a.seed, 7);
  assert.equal(a.outDir, 'out');
  assert.equal(a.scenarios, null);
});

test('--engine-option and --clickhouse-url become typed engine options', () => {
  const a = parseCli(['--engine-option', 'mapreduce.blockSize=4194304', '--engine-option', 'dag.speculation=true', '--engine-option', 'x.name=abc', '--clickhouse-url', 'http://h:8123']);
  assert.deepEqual(a.options, { 'mapreduce.blockSize': 4194304, 'dag.speculation': true, 'x.name': 'abc', 'clickhouse-url': 'http://h:8123' });
  assert.throws(() => parseEngineOption('novalue'), UsageError);
});

test('--sizes are deduplicated and run smallest first', () => {
  assert.deepEqual(parseCli(['--sizes', '1m,100k', '--sizes', '1e6']).sizes, [100_000, 1_000_000]);
});

test('--quick lowers iterations unless given', () => {
  assert.equal(parseCli(['--quick']).iterations, QUICK_ITERATIONS);
  assert.equal(parseCli(['--quick', '--iterations', '4']).iterations, 4);
});

test('bad flags and values are UsageErrors naming the problem', () => {
  assert.throws(() => parseCli(['--enignes', 'duckdb']), /unknown flag '--enignes'; valid flags: .*--engines/);
  assert.throws(() => parseCli(['--sizes', 'lots']), /invalid size 'lots'/);
  assert.throws(() => parseCli(['--iterations', '0']), /--iterations must be a whole number ≥ 1/);
  assert.throws(() => parseCli(['--budget', 'never']), /--budget: invalid duration/);
  assert.throws(() => parseCli(['stray']), /unexpected argument 'stray'/);
});

test('--help documents every flag', () => {
  const help = helpText();
  for (const flag of ['engines', 'scenarios', 'suite', 'sizes', 'iterations', 'warmup', 'budget', 'out', 'baseline', 'seed', 'engine-option', 'clickhouse-url', 'max-heap', 'extension', 'keep-results', 'quick', 'list', 'help']) {
    assert.match(help, new RegExp(`--${flag}\\b`), flag);
  }
});

test('engine options: known keys pass, misspelt ones are refused naming the close key, extension engines own their prefix', () => {
  checkEngineOptions({ 'dag.partitions': 8, 'clickhouse-url': 'http://x', 'mapreduce.faults.crashRate': 0.1 }, []);
  assert.throws(() => checkEngineOptions({ 'dag.partitons': 8 }, []), /unknown engine option 'dag.partitons'; did you mean dag.partitions\?/);
  assert.throws(() => checkEngineOptions({ 'dag.colour': 1 }, []), /its engine has dag.workers, .*dag.udfMode/);
  assert.throws(() => checkEngineOptions({ speed: 1 }, []), /unknown engine option 'speed'; known options are duckdb.threads/);
  checkEngineOptions({ 'gpu.cards': 2 }, ['gpu']);
  // Every key in the table is read somewhere in the engines or scenarios, so the table cannot list fiction.
  const sources = readdirSync('.', { recursive: true })
    .map(String)
    .filter((f) => /^(engines|scenarios)\/.*\.ts$/.test(f))
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');
  for (const key of Object.keys(ENGINE_OPTIONS)) {
    const [prefix, ...rest] = key.split('.');
    const leaf = rest.length > 0 ? rest.join('.') : prefix!;
    assert.ok(sources.includes(`'${key}'`) || sources.includes(`'${leaf}'`), `option ${key} is read nowhere`);
  }
});
