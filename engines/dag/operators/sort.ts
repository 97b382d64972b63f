// Sort: order one partition by its sort keys with explicit NULL placement per key. A global ORDER BY is a local
// sort in each map task, a gather to one partition, then a final sort (the planner adds the exchange).
import type { SortKey } from '../../../plan/types.ts';
import { column, gatherBatch, type Batch, type Vec } from '../columnar.ts';
import { compareStrings } from '../expressions.ts';

/** Comparable per-row values of a vector: string codes become ranks in code-point order. */
export function sortableValues(v: Vec): ArrayLike<number | bigint> {
  if (v.type !== 'utf8') return v.values as ArrayLike<number | bigint>;
  const order = v.dict.values.map((_, i) => i).sort((a, b) => compareStrings(v.dict.values[a]!, v.dict.values[b]!));
  const rank = new Int32Array(order.length);
  order.forEach((code, r) => (rank[code] = r));
  const out = new Int32Array(v.values.length);
  for (let i = 0; i < out.length; i++) out[i] = rank[v.values[i]!]!;
  return out;
}

/** Row order of a batch under `keys`, optionally only the first `limit` rows. */
export function sortIndices(batch: Batch, keys: readonly SortKey[]): Int32Array {
  const cols = keys.map((k) => {
    const v = column(batch, k.column);
    return { values: sortableValues(v), validity: v.validity, dir: k.ascending ? 1 : -1, nullsFirst: k.nullsFirst };
  });
  const idx = new Int32Array(batch.length);
  for (let i = 0; i < idx.length; i++) idx[i] = i;
  idx.sort((a, b) => {
    for (const c of cols) {
      const va = c.validity === null || c.validity[a] === 1;
      const vb = c.validity === null || c.validity[b] === 1;
      if (!va || !vb) {
        if (va === vb) continue;
        return !va === c.nullsFirst ? -1 : 1;
      }
      const x = c.values[a]!;
      const y = c.values[b]!;
      if (x < y) return -c.dir;
      if (x > y) return c.dir;
    }
    return a - b;
  });
  return idx;
}

export function sort(keys: readonly SortKey[], limit: number | null, batch: Batch): Batch {
  const idx = sortIndices(batch, keys);
  return gatherBatch(batch, idx, limit === null ? idx.length : Math.min(limit, idx.length));
}
