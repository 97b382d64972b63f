// Load strategies: how the same rows are cut into writes. One row per write, micro-batches of N rows, or the
// whole table in one write through the target's bulk path. Each target maps a strategy onto its own write API.
import type * as arrow from 'apache-arrow';
import { assertNever } from '../../plan/types.ts';
import { EngineError } from '../engine.ts';

/** How rows are grouped into writes (each write is one statement, appender flush, COPY or file). */
export type LoadStrategy =
  /** One write per row: the OLTP habit applied to an analytical store. */
  | { readonly kind: 'row' }
  /** Writes of `batchRows` rows each (the last one may be shorter), as a streaming ingester would emit. */
  | { readonly kind: 'micro-batch'; readonly batchRows: number }
  /** Everything in one write through the target's bulk path. */
  | { readonly kind: 'bulk' };

/** Micro-batch sizes swept by default (rows per write). */
export const DEFAULT_BATCH_SIZES: readonly number[] = [10, 100, 1000];

/**
 * The strategy a variant suffix names: `row`, `micro-batch-<N>` or `bulk`.
 * @example parseStrategy('micro-batch-100') // { kind: 'micro-batch', batchRows: 100 }
 */
export function parseStrategy(name: string): LoadStrategy {
  if (name === 'row') return { kind: 'row' };
  if (name === 'bulk') return { kind: 'bulk' };
  const m = /^micro-batch-(\d+)$/.exec(name);
  if (m) {
    const batchRows = Number(m[1]);
    if (Number.isSafeInteger(batchRows) && batchRows >= 1) return { kind: 'micro-batch', batchRows };
  }
  throw new EngineError(`unknown load strategy '${name}'; use row, micro-batch-<N> (N ≥ 1) or bulk`, 'bad-input');
}

/**
 * The variant suffix of a strategy (inverse of parseStrategy).
 * @example strategyName({ kind: 'micro-batch', batchRows: 10 }) // 'micro-batch-10'
 */
export function strategyName(s: LoadStrategy): string {
  switch (s.kind) {
    case 'row':
      return 'row';
    case 'micro-batch':
      return `micro-batch-${s.batchRows}`;
    case 'bulk':
      return 'bulk';
    default:
      return assertNever(s, 'load strategy');
  }
}

/**
 * Rows per write under `s` for a table of `rows` rows (the x axis of the throughput curve).
 * @example rowsPerWrite({ kind: 'bulk' }, 2000) // 2000
 */
export function rowsPerWrite(s: LoadStrategy, rows: number): number {
  switch (s.kind) {
    case 'row':
      return 1;
    case 'micro-batch':
      return Math.min(s.batchRows, Math.max(rows, 1));
    case 'bulk':
      return Math.max(rows, 1);
    default:
      return assertNever(s, 'load strategy');
  }
}

/**
 * The table cut into the writes `s` makes, in order; zero-copy slices. An empty table makes no writes.
 * @example writesOf(table, { kind: 'micro-batch', batchRows: 100 }).length // ceil(rows / 100)
 */
export function writesOf(table: arrow.Table, s: LoadStrategy): arrow.Table[] {
  const size = rowsPerWrite(s, table.numRows);
  const out: arrow.Table[] = [];
  for (let start = 0; start < table.numRows; start += size) out.push(table.slice(start, start + size));
  return out;
}

/**
 * The batch sizes of the micro-batch sweep, from the `olap.batchSizes` option ("10,100,1000").
 * @example batchSizesOf({ 'olap.batchSizes': '50,500' }) // [50, 500]
 */
export function batchSizesOf(options: Readonly<Record<string, string | number | boolean>>): readonly number[] {
  const raw = options['olap.batchSizes'];
  if (raw === undefined) return DEFAULT_BATCH_SIZES;
  const sizes = String(raw)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  if (sizes.length === 0 || sizes.some((n) => !Number.isSafeInteger(n) || n < 1)) {
    throw new EngineError(`olap.batchSizes must be a comma-separated list of positive integers, got '${raw}'`, 'bad-input');
  }
  return [...new Set(sizes)].sort((a, b) => a - b);
}
