// Distinct and latest-per-key: pandas' `drop_duplicates()` and `sort_values(t).drop_duplicates(keys, keep='last')`.
// danfo 1.2 has no drop_duplicates (and its sortValues cannot be trusted, see sort-values.ts), so the rows to
// keep are chosen here over danfo's column values and taken with danfo's iloc.
import { compareCells } from './expressions.ts';
import { columnCells, type Frame } from './frame.ts';
import { encodeKeys } from './keys.ts';
import { takeRows } from './take.ts';

/**
 * SELECT DISTINCT *: the first row of each set of identical rows (NULLs equal each other), in input order.
 * @example dropDuplicates(frame)
 */
export function dropDuplicates(frame: Frame): Frame {
  const keys = encodeKeys(frame.fields.map((f) => columnCells(frame, f.name)), frame.rows);
  const seen = new Set<string>();
  const keep: number[] = [];
  for (let i = 0; i < keys.length; i++) {
    if (!seen.has(keys[i]!)) {
      seen.add(keys[i]!);
      keep.push(i);
    }
  }
  return takeRows(frame, keep);
}

/**
 * One row per key: the one with the greatest `orderBy` (NULL loses to any value; ties keep the first seen).
 * @example latestPerKey(changes, ['id'], 'ts')
 */
export function latestPerKey(frame: Frame, keys: readonly string[], orderBy: string): Frame {
  const encoded = encodeKeys(keys.map((k) => columnCells(frame, k)), frame.rows);
  const order = columnCells(frame, orderBy);
  const best = new Map<string, number>();
  for (let i = 0; i < encoded.length; i++) {
    const current = best.get(encoded[i]!);
    if (current === undefined) {
      best.set(encoded[i]!, i);
      continue;
    }
    const a = order[i]!;
    const b = order[current]!;
    if (a !== null && (b === null || compareCells(a, b) > 0)) best.set(encoded[i]!, i);
  }
  return takeRows(frame, [...best.values()].sort((x, y) => x - y));
}
