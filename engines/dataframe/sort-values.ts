// Sort: the row order is computed here and applied with danfo's positional `iloc`.
// danfo's own sortValues takes a single column, compares strings case-insensitively (toUpperCase), places NULLs
// as if they were 0, and applies the order with a label lookup per row (indexOf: quadratic in rows) — none of
// which meets ORDER BY's contract, so only the reordering itself is danfo's.
import type { SortKey } from '../../plan/types.ts';
import { compareCells } from './expressions.ts';
import { columnCells, type Cell, type Frame } from './frame.ts';
import { takeRows } from './take.ts';

/**
 * Multi-key ORDER BY with explicit NULL placement per key; ties keep input order (a stable sort).
 * @example sortValues(frame, [{ column: 'total', ascending: false, nullsFirst: false }])
 */
export function sortValues(frame: Frame, keys: readonly SortKey[]): Frame {
  const columns = keys.map((k) => columnCells(frame, k.column));
  const order = Array.from({ length: frame.rows }, (_, i) => i);
  order.sort((a, b) => {
    for (let k = 0; k < keys.length; k++) {
      const c = compareWithNulls(columns[k]![a]!, columns[k]![b]!, keys[k]!);
      if (c !== 0) return c;
    }
    return 0;
  });
  return takeRows(frame, order);
}

function compareWithNulls(a: Cell, b: Cell, key: SortKey): number {
  if (a === null || b === null) {
    if (a === b) return 0;
    return (a === null) === key.nullsFirst ? -1 : 1;
  }
  const c = compareCells(a, b);
  return key.ascending ? c : -c;
}
