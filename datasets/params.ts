// Checking what callers pass to a generator: row counts, seeds and parameters. Every problem becomes one
// DatasetInputError whose message names the bad value and lists the valid choices.
import type { DatasetParam, DatasetParams } from './dataset.ts';

/** Bad input to a dataset generator or the datasets CLI (unknown name or parameter, malformed number). */
export class DatasetInputError extends Error {
  override name = 'DatasetInputError';
}

/**
 * Parse a count such as `1000`, `1e6`, `2.5e5` or `1_000_000` into a positive safe integer.
 *
 * @example parseCount('1e6', '--rows') // 1000000
 */
export function parseCount(text: string, what: string): number {
  const n = Number(text.replace(/_/g, ''));
  if (text.trim() === '' || !Number.isFinite(n) || !Number.isInteger(n) || n < 0 || !Number.isSafeInteger(n)) {
    throw new DatasetInputError(`${what} must be a non-negative whole number such as 1000 or 1e6, got '${text}'`);
  }
  return n;
}

/** The largest row count a generator accepts: Arrow offsets and JS typed arrays are indexed by int32. */
export const MAX_ROWS = 2 ** 31 - 1;

export function checkRows(rows: number, min = 1): void {
  if (!Number.isSafeInteger(rows) || rows < min || rows > MAX_ROWS) {
    throw new DatasetInputError(`rows must be a whole number from ${min} to ${MAX_ROWS}, got ${rows}`);
  }
}

export function checkSeed(seed: number): void {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new DatasetInputError(`seed must be a non-negative whole number, got ${seed}`);
  }
}

/**
 * Fill in defaults and check names and types against the declared params. Numbers and booleans may arrive as
 * strings (from the CLI) and are converted here, so `{k: '10'}` and `{k: 10}` mean the same dataset.
 */
export function resolveParams(dataset: string, declared: readonly DatasetParam[], given: DatasetParams = {}): Record<string, number | string | boolean> {
  const out: Record<string, number | string | boolean> = {};
  for (const p of declared) out[p.name] = p.default;
  for (const [name, raw] of Object.entries(given)) {
    const p = declared.find((d) => d.name === name);
    if (!p) {
      const valid = declared.length ? declared.map((d) => d.name).join(', ') : '(none)';
      throw new DatasetInputError(`dataset '${dataset}' has no parameter '${name}'; valid parameters: ${valid}`);
    }
    out[name] = coerce(dataset, p, raw);
  }
  return out;
}

function coerce(dataset: string, p: DatasetParam, raw: number | string | boolean): number | string | boolean {
  switch (typeof p.default) {
    case 'number': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw.replace(/_/g, '')) : NaN;
      if (!Number.isFinite(n)) throw new DatasetInputError(`parameter '${p.name}' of '${dataset}' must be a number, got '${String(raw)}'`);
      return n;
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return raw;
      if (raw === 'true' || raw === '1' || raw === 1) return true;
      if (raw === 'false' || raw === '0' || raw === 0) return false;
      throw new DatasetInputError(`parameter '${p.name}' of '${dataset}' must be true or false, got '${String(raw)}'`);
    }
    default:
      return String(raw);
  }
}

/** A number parameter that must be an integer in [min, max]. */
export function intParam(dataset: string, params: Record<string, unknown>, name: string, min: number, max: number): number {
  const v = params[name] as number;
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new DatasetInputError(`parameter '${name}' of '${dataset}' must be a whole number from ${min} to ${max}, got ${v}`);
  }
  return v;
}

/** A number parameter in [min, max]. */
export function numberParam(dataset: string, params: Record<string, unknown>, name: string, min: number, max: number): number {
  const v = params[name] as number;
  if (!(v >= min && v <= max)) {
    throw new DatasetInputError(`parameter '${name}' of '${dataset}' must be between ${min} and ${max}, got ${v}`);
  }
  return v;
}

/** A string parameter restricted to a set of choices. */
export function choiceParam<T extends string>(dataset: string, params: Record<string, unknown>, name: string, choices: readonly T[]): T {
  const v = params[name] as string;
  if (!choices.includes(v as T)) {
    throw new DatasetInputError(`parameter '${name}' of '${dataset}' must be one of ${choices.join(', ')}, got '${v}'`);
  }
  return v as T;
}
