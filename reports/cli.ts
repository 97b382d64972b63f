// `npm run report -- results.json [--out report.html] [--baseline old.json]`: rebuild the HTML report of a run.
// Exit codes: 0 written, 2 bad arguments or an unusable results file (one-line message), 1 an unexpected failure.
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { renderReport } from './html.ts';
import { readResultsFile, ResultsFileError } from './results-file.ts';

const USAGE = `usage: npm run report -- <results.json> [--out <report.html>] [--baseline <old-results.json>]

Rebuilds the self-contained HTML report of a bench run from its results JSON.
  --out <file>        where to write the HTML (default: the results path with .html instead of .json)
  --baseline <file>   an earlier results JSON; each cell shows its change and whether it is beyond the noise
  --help              show this help`;

class UsageError extends Error {}

function main(argv: readonly string[]): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: { out: { type: 'string' }, baseline: { type: 'string' }, help: { type: 'boolean' } },
    });
  } catch (err) {
    const unknown = /Unknown option '([^']+)'/.exec((err as Error).message);
    throw new UsageError(unknown ? `unknown option '${unknown[1]}' (valid: --out, --baseline, --help)` : (err as Error).message.split('\n')[0]!);
  }
  if (parsed.values.help) {
    console.log(USAGE);
    return 0;
  }
  const positionals = parsed.positionals;
  if (positionals.length !== 1) {
    throw new UsageError(positionals.length === 0 ? 'missing the results JSON path' : `expected one results file, got ${positionals.length}: ${positionals.join(' ')}`);
  }
  const input = positionals[0]!;
  const results = readResultsFile(input);
  const baseline = parsed.values.baseline !== undefined ? readResultsFile(parsed.values.baseline) : undefined;
  const out = resolve(parsed.values.out ?? defaultOut(input));
  const html = renderReport(results, baseline ? { baseline } : {});
  writeAtomically(out, html);
  console.log(`report: wrote ${out} (${Math.round(Buffer.byteLength(html) / 1024)} KiB, ${results.cells.length} cells)`);
  return 0;
}

function defaultOut(input: string): string {
  const ext = extname(input);
  return join(dirname(input), `${basename(input, ext === '.json' ? ext : '')}.html`);
}

/** WARNING: readers (a browser, a CI upload) must never see a half-written report: write aside, then rename. */
function writeAtomically(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new UsageError(`cannot write '${path}': ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (err) {
  if (err instanceof UsageError) {
    console.error(`report: ${err.message}; ${USAGE.split('\n')[0]}`);
    process.exitCode = 2;
  } else if (err instanceof ResultsFileError) {
    console.error(`report: ${err.message}`);
    process.exitCode = 2;
  } else {
    console.error(`report: unexpected failure: ${(err as Error).message ?? String(err)}`);
    process.exitCode = 1;
  }
}
