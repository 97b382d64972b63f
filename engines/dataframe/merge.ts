// Join: pandas' `left.merge(right, how='left', indicator=True)`, done with danfo's `merge` on one encoded key.
// danfo's merge matches NULL keys (and '' with NULL), keys its composite keys with join('_'), and intersects the
// key sets of an inner merge with Array.includes — quadratic in distinct keys. So both inner and left run as
// danfo's left merge with a match indicator column on the right; an inner join keeps only indicated rows.
import * as dfd from './danfo.ts';
import type { Join, Schema } from '../../plan/types.ts';
import { columnCells, danfoColumn, frameFromColumns, normaliseCells, type Cell, type Frame } from './frame.ts';
import { encodeKeys, hasNullKey } from './keys.ts';

/**
 * Join two frames per the plan's semantics: NULL keys never match; output is every left column, then the right
 * columns minus the right join keys.
 * @example merge(customers, orders, joinNode, outputSchema(joinNode))
 */
export function merge(left: Frame, right: Frame, node: Join, outSchema: Schema): Frame {
  const leftKeys = node.on.map((k) => columnCells(left, k.left));
  const rightKeys = node.on.map((k) => columnCells(right, k.right));
  const rightKeyNames = new Set(node.on.map((k) => k.right));
  const rightKept = right.fields.filter((f) => !rightKeyNames.has(f.name));
  const leftColumns = left.fields.map((f) => columnCells(left, f.name));
  const rightColumns = rightKept.map((f) => columnCells(right, f.name));

  // Rows with a NULL key take no part in danfo's merge: on the right they can never match, on the left they
  // reappear below (left join) padded with NULLs.
  const leftRows: number[] = [];
  const leftNullRows: number[] = [];
  for (let i = 0; i < left.rows; i++) (hasNullKey(leftKeys, i) ? leftNullRows : leftRows).push(i);
  const rightRows: number[] = [];
  for (let i = 0; i < right.rows; i++) if (!hasNullKey(rightKeys, i)) rightRows.push(i);

  const out: Cell[][] = outSchema.map(() => []);
  const pushRow = (leftValues: readonly Cell[], rightValues: readonly Cell[] | null): void => {
    leftValues.forEach((v, c) => out[c]!.push(v));
    rightKept.forEach((_, c) => out[leftValues.length + c]!.push(rightValues ? rightValues[c]! : null));
  };

  if (leftRows.length > 0 && rightRows.length > 0) {
    const pick = (cells: readonly Cell[], rows: readonly number[]): Cell[] => rows.map((r) => cells[r]!);
    const leftData: Record<string, readonly Cell[]> = { j: pick(encodeKeys(leftKeys, left.rows), leftRows) };
    leftColumns.forEach((c, i) => (leftData[`l${i}`] = pick(c, leftRows)));
    const rightData: Record<string, readonly Cell[]> = { j: pick(encodeKeys(rightKeys, right.rows), rightRows) };
    rightColumns.forEach((c, i) => (rightData[`r${i}`] = pick(c, rightRows)));
    rightData.m = rightRows.map(() => 1);
    const merged = dfd.merge({ left: new dfd.DataFrame(leftData), right: new dfd.DataFrame(rightData), on: ['j'], how: 'left' });
    const matched = danfoColumn(merged, 'm');
    const mergedLeft = left.fields.map((f, i) => normaliseCells(danfoColumn(merged, `l${i}`), f.type));
    const mergedRight = rightKept.map((f, i) => normaliseCells(danfoColumn(merged, `r${i}`), f.type));
    for (let r = 0; r < matched.length; r++) {
      const hit = matched[r] === 1;
      if (!hit && node.how === 'inner') continue;
      pushRow(
        mergedLeft.map((c) => c[r]!),
        hit ? mergedRight.map((c) => c[r]!) : null,
      );
    }
  } else if (node.how === 'left') {
    for (const r of leftRows) pushRow(leftColumns.map((c) => c[r]!), null);
  }
  if (node.how === 'left') for (const r of leftNullRows) pushRow(leftColumns.map((c) => c[r]!), null);
  return frameFromColumns(outSchema, out);
}
