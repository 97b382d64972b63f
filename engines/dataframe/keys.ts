// Composite-key encoding shared by group-by, merge and de-duplication.
// danfo builds its own keys with `values.join('-')` (groupby) and `join('_')` (merge), under which NULL and ''
// collide and ('a-b','c') equals ('a','b-c'). Encoding each key tuple ourselves into one string column makes
// danfo group and match exactly SQL's way; NULL is spelled `null`, distinct from the string "null"; -0 and 0,
// and int 1 and float 1.0, print alike, as SQL compares them.
import type { Cell } from './frame.ts';

/** Prefix keeping encoded keys non-numeric: danfo's valueCounts runs parseInt over its index labels. */
const PREFIX = 'k';

/**
 * One string per row identifying its key tuple; equal tuples (SQL `IS NOT DISTINCT FROM`) give equal strings.
 * @example encodeKeys([[1, null], ['a', 'a']]) // → ['k[1,"a"]', 'k[null,"a"]']
 */
export function encodeKeys(columns: readonly (readonly Cell[])[], rows: number): string[] {
  const out = new Array<string>(rows);
  if (columns.length === 1) {
    const c = columns[0]!;
    for (let i = 0; i < rows; i++) out[i] = PREFIX + JSON.stringify(c[i]!);
    return out;
  }
  const tuple = new Array<Cell>(columns.length);
  for (let i = 0; i < rows; i++) {
    for (let k = 0; k < columns.length; k++) tuple[k] = columns[k]![i]!;
    out[i] = PREFIX + JSON.stringify(tuple);
  }
  return out;
}

/** Whether any key column of row `i` is NULL (such rows never match in a join). */
export function hasNullKey(columns: readonly (readonly Cell[])[], i: number): boolean {
  for (const c of columns) if (c[i] === null) return true;
  return false;
}

