// The options the DuckDB engine reads, parsed without loading DuckDB (the CLI checks them before any cell starts).
import os from 'node:os';
import { EngineError, type EngineContext } from '../engine.ts';

/** Options this engine reads from `EngineContext.options` (documented in README.md). */
export function threadsOf(options: EngineContext['options']): number {
  const raw = options['duckdb.threads'] ?? options['threads'];
  if (raw === undefined) return os.availableParallelism();
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new EngineError(`duckdb.threads must be a positive integer, got '${raw}'`, 'bad-input');
  return n;
}
