// Latest per key: keep, per key, the row with the greatest `orderBy` (NULL loses to any value; ties: any one).
// Idempotent, so it runs map-side before the shuffle (partial) and again after it (final), like a combiner.
import { column, gatherBatch, type Batch } from '../columnar.ts';
import { groupRows } from './grouping.ts';
import { sortableValues } from './sort.ts';

export function latestPerKey(keys: readonly string[], orderBy: string, batch: Batch): Batch {
  const n = batch.length;
  const { gid, groups } = groupRows(keys.map((k) => column(batch, k)), n);
  const ov = column(batch, orderBy);
  const values = sortableValues(ov);
  const valid = ov.validity;
  const best = new Int32Array(groups).fill(-1);
  for (let i = 0; i < n; i++) {
    const g = gid[i]!;
    const b = best[g]!;
    if (b === -1) {
      best[g] = i;
      continue;
    }
    const vi = valid === null || valid[i] === 1;
    const vb = valid === null || valid[b] === 1;
    if (vi && (!vb || values[i]! > values[b]!)) best[g] = i;
  }
  return gatherBatch(batch, best, groups);
}
