// Filter: keep the rows whose predicate is TRUE (NULL and FALSE both drop the row), as a selection vector
// followed by one gather per column.
import type { Expr } from '../../../plan/types.ts';
import { gatherBatch, type Batch, type BoolVec } from '../columnar.ts';
import { evaluate, type EvalContext } from '../expressions.ts';

/** Indices of rows where a boolean vector is TRUE. */
export function selectTrue(v: BoolVec, n: number): { indices: Int32Array; count: number } {
  const indices = new Int32Array(n);
  let count = 0;
  const values = v.values;
  const valid = v.validity;
  if (valid === null) {
    for (let i = 0; i < n; i++) if (values[i] === 1) indices[count++] = i;
  } else {
    for (let i = 0; i < n; i++) if ((values[i]! & valid[i]!) === 1) indices[count++] = i;
  }
  return { indices, count };
}

export function filter(predicate: Expr, batch: Batch, ctx: EvalContext): Batch {
  const { indices, count } = selectTrue(evaluate(predicate, batch, ctx) as BoolVec, batch.length);
  if (count === batch.length) return batch;
  return gatherBatch(batch, indices, count);
}
