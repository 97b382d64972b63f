// Reading a results JSON file for the report: every way it can be unusable (missing, not JSON, another results
// version, not a results file at all) becomes one ResultsFileError with a one-line message saying what to do.
import { readFileSync } from 'node:fs';
import { RESULTS_VERSION, type RunResults } from '../harness/results.ts';

/** A results file the report cannot use; `message` is one line meant for the user. */
export class ResultsFileError extends Error {
  override name = 'ResultsFileError';
}

/**
 * Read and check a results file written by `npm run bench`.
 * @example
 * const results = readResultsFile('out/results-2026-03-14.json');
 */
export function readResultsFile(path: string): RunResults {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code ?? String(err);
    throw new ResultsFileError(`cannot read results file '${path}': ${why}; pass the JSON file written by \`npm run bench\``);
  }
  return parseResults(text, path);
}

/**
 * Parse and check the text of a results file; `source` names it in errors.
 * @example
 * parseResults('{"version":1, ...}', 'results.json');
 */
export function parseResults(text: string, source: string): RunResults {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ResultsFileError(`'${source}' is not valid JSON (${oneLine((err as Error).message)}); pass the JSON file written by \`npm run bench\``);
  }
  if (!isObject(value) || !('version' in value)) {
    throw new ResultsFileError(`'${source}' is not an enginebench results file (no 'version' field); pass the JSON file written by \`npm run bench\``);
  }
  if (value.version !== RESULTS_VERSION) {
    throw new ResultsFileError(
      `'${source}' is results version ${JSON.stringify(value.version)}, but this report builder reads version ${RESULTS_VERSION}; rebuild it with the enginebench version that wrote it, or re-run \`npm run bench\``,
    );
  }
  const problem = shapeProblem(value);
  if (problem !== null) {
    throw new ResultsFileError(`'${source}' is not a valid results file: ${problem}; re-run \`npm run bench\` to write a new one`);
  }
  return value as unknown as RunResults;
}

/** The first structural problem the renderer would trip over, or null. Checks what the report reads. */
function shapeProblem(v: Record<string, unknown>): string | null {
  for (const key of ['startedAt', 'finishedAt'] as const) if (typeof v[key] !== 'string') return `'${key}' is not a string`;
  if (!isObject(v.environment)) return "'environment' is missing";
  if (!isObject(v.settings)) return "'settings' is missing";
  for (const key of ['scenarios', 'engines', 'cells', 'ranking'] as const) if (!Array.isArray(v[key])) return `'${key}' is not an array`;
  const scenarios = v.scenarios as unknown[];
  for (const [i, s] of scenarios.entries()) {
    if (!isObject(s) || typeof s.name !== 'string' || typeof s.title !== 'string') return `scenarios[${i}] lacks a name or title`;
  }
  for (const [i, en] of (v.engines as unknown[]).entries()) {
    if (!isObject(en) || typeof en.name !== 'string') return `engines[${i}] lacks a name`;
  }
  for (const [i, c] of (v.cells as unknown[]).entries()) {
    if (!isObject(c) || typeof c.scenario !== 'string' || typeof c.engine !== 'string' || typeof c.rows !== 'number') {
      return `cells[${i}] lacks scenario, engine or rows`;
    }
    if (!isObject(c.status) || typeof c.status.kind !== 'string' || !STATUS_KINDS.has(c.status.kind)) return `cells[${i}] has an unknown status`;
    if (c.stats !== undefined && (!isObject(c.stats) || !Array.isArray(c.stats.ci95Ms) || typeof c.stats.medianMs !== 'number')) {
      return `cells[${i}].stats is malformed`;
    }
  }
  for (const [i, r] of (v.ranking as unknown[]).entries()) {
    if (!isObject(r) || typeof r.engine !== 'string' || typeof r.score !== 'number') return `ranking[${i}] lacks engine or score`;
  }
  if (v.interrupted !== undefined && (!isObject(v.interrupted) || typeof v.interrupted.signal !== 'string' || typeof v.interrupted.cellsPlanned !== 'number')) {
    return "'interrupted' lacks signal or cellsPlanned";
  }
  return null;
}

const STATUS_KINDS = new Set(['ok', 'wrong', 'unsupported', 'timeout', 'oom', 'unavailable', 'error']);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}
