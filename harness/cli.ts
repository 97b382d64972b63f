// `npm run bench`: choose scenarios, engines and sizes from the flags, run every cell, print the summary and write
// the results JSON and HTML. Mistakes on the command line print one line and exit 2; a failing run exits 1.
import { performance } from 'node:perf_hooks';
import { relative } from 'node:path';
import type { EngineDescriptor } from '../engines/engine.ts';
import type { Scenario } from '../scenarios/scenario.ts';
import { helpText, parseCli, UsageError, type CliArgs } from './args.ts';
import { loadCatalog, type Catalog } from './catalog.ts';
import { Progress } from './progress.ts';
import { REFERENCE_ENGINE, runBench } from './runner.ts';
import { formatBaseline, formatSummary } from './summary.ts';
import { formatRows } from './units.ts';
import { checkEngineOptions, checkEngineOptionValues, ENGINE_OPTIONS } from './engine-options.ts';
import { DEFAULT_TIMED_WORK_MS } from './budget.ts';

/** Neither --scenarios nor --suite: the default suite runs, at its narrower sizes where a scenario has them. */
function isDefaultSuite(args: Pick<CliArgs, 'scenarios' | 'suites'>): boolean {
  return !args.scenarios && !args.suites;
}

/** The scenarios the flags select: named ones plus whole suites, or the default suite when neither is given. */
export function selectScenarios(catalog: Catalog, args: Pick<CliArgs, 'scenarios' | 'suites'>): Scenario[] {
  if (isDefaultSuite(args)) return catalog.scenarios.filter((s) => catalog.defaultScenarios.includes(s.name));
  const chosen = new Set<string>();
  for (const name of args.scenarios ?? []) {
    if (!catalog.scenarios.some((s) => s.name === name)) {
      throw new UsageError(`unknown scenario '${name}'; valid scenarios: ${catalog.scenarios.map((s) => s.name).join(', ')}`);
    }
    chosen.add(name);
  }
  const suites = [...new Set(catalog.scenarios.map((s) => s.suite))];
  for (const suite of args.suites ?? []) {
    if (!suites.includes(suite)) throw new UsageError(`unknown suite '${suite}'; valid suites: ${suites.join(', ')}`);
    catalog.scenarios.filter((s) => s.suite === suite).forEach((s) => chosen.add(s.name));
  }
  if (chosen.size === 0) throw new UsageError('no scenario selected; name some with --scenarios or --suite (see --list)');
  return catalog.scenarios.filter((s) => chosen.has(s.name));
}

/** The engines the flags select (the runner adds the reference engine for query scenarios). */
export function selectEngines(catalog: Catalog, names: readonly string[] | null): EngineDescriptor[] {
  if (!names) return catalog.engines.filter((e) => catalog.defaultEngines.includes(e.name));
  if (names.length === 0) throw new UsageError(`--engines needs at least one name; valid engines: ${catalog.engines.map((e) => e.name).join(', ')}`);
  return [...new Set(names)].map((name) => {
    const e = catalog.engines.find((x) => x.name === name);
    if (!e) throw new UsageError(`unknown engine '${name}'; valid engines: ${catalog.engines.map((x) => x.name).join(', ')}`);
    return e;
  });
}

/** The --list text: engines with what they model, then scenarios grouped by suite with their sizes. */
export function listText(catalog: Catalog): string {
  const out = ['Engines:'];
  const w = Math.max(...catalog.engines.map((e) => e.name.length));
  for (const e of catalog.engines) {
    const tag = e.name === REFERENCE_ENGINE ? 'reference' : e.role;
    const extra = catalog.defaultEngines.includes(e.name) ? '' : ' [extension]';
    out.push(`  ${e.name.padEnd(w)}  ${tag.padEnd(9)}  models ${e.models}${extra}`, `  ${''.padEnd(w)}  ${''.padEnd(9)}  ${e.summary}`);
  }
  const suites = [...new Set(catalog.scenarios.map((s) => s.suite))];
  const sw = Math.max(...catalog.scenarios.map((s) => s.name.length));
  for (const suite of suites) {
    out.push('', `Suite ${suite}:`);
    for (const s of catalog.scenarios.filter((x) => x.suite === suite)) {
      const narrowed = s.sizes.defaultSuite ? ` (by default ${s.sizes.defaultSuite.map(formatRows).join(', ')})` : '';
      const sizes = s.sizes.bench.map(formatRows).join(', ') + narrowed;
      const extra = catalog.defaultScenarios.includes(s.name) ? '' : ' [extension]';
      out.push(`  ${s.name.padEnd(sw)}  ${s.kind.padEnd(6)}  sizes ${sizes} (test ${formatRows(s.sizes.test)})  ${s.title}${extra}`);
    }
  }
  out.push('', 'Engine options (--engine-option KEY=VALUE):');
  const ow = Math.max(...Object.keys(ENGINE_OPTIONS).map((k) => k.length));
  for (const [key, help] of Object.entries(ENGINE_OPTIONS)) out.push(`  ${key.padEnd(ow)}  ${help}`);
  return `${out.join('\n')}\n`;
}

/** Relative to the working directory when inside it, absolute otherwise. */
function shortPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel;
}

async function main(argv: readonly string[]): Promise<number> {
  const args = parseCli(argv);
  if (args.help) {
    process.stdout.write(helpText());
    return 0;
  }
  const catalog = await loadCatalog(args.extensions);
  if (args.list) {
    process.stdout.write(listText(catalog));
    return 0;
  }
  checkEngineOptions(args.options, catalog.engines.filter((e) => !catalog.defaultEngines.includes(e.name)).map((e) => e.name));
  await checkEngineOptionValues(args.options, [...catalog.engines, ...catalog.scenarios.filter((s) => s.kind === 'custom')]);
  const scenarios = selectScenarios(catalog, args);
  const engines = selectEngines(catalog, args.engines);
  const { results, jsonPath, htmlPath } = await runBench(
    {
      catalog,
      scenarios,
      engines,
      chosenEngines: args.engines,
      defaultSuite: isDefaultSuite(args),
      sizes: args.sizes,
      variants: args.variants,
      quick: args.quick,
      iterations: args.iterations,
      timedWorkTargetMs: args.iterationsGiven ? null : DEFAULT_TIMED_WORK_MS,
      warmup: args.warmup,
      budgetMs: args.budgetMs,
      seed: args.seed,
      options: args.options,
      maxOldSpaceMb: args.maxHeapMb,
      outDir: args.outDir,
      keepResults: args.keepResults,
      ...(args.baselinePath ? { baselinePath: args.baselinePath } : {}),
    },
    { progress: new Progress(process.stderr, () => performance.now()), clock: () => new Date() },
  );
  process.stdout.write(`\n${formatSummary(results)}`);
  if (results.baseline) process.stdout.write(`\n${formatBaseline(results.baseline)}`);
  process.stdout.write(`\nResults: ${shortPath(jsonPath)}\nReport:  ${shortPath(htmlPath)}\n`);
  // An interrupted run still says so to scripts: 128 + the signal's number, as the shell reports it.
  if (results.interrupted) return results.interrupted.signal === 'SIGINT' ? 130 : 143;
  return 0;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
  process.stderr.write(`bench: ${message}\n`);
  process.exitCode = err instanceof UsageError ? 2 : 1;
}
