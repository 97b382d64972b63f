// Project: evaluate each output expression over the partition (a column reference costs nothing: the
// vector is shared, not copied).
import type { NamedExpr } from '../../../plan/types.ts';
import type { Batch } from '../columnar.ts';
import { evaluate, type EvalContext } from '../expressions.ts';

export function project(columns: readonly NamedExpr[], batch: Batch, ctx: EvalContext): Batch {
  return {
    length: batch.length,
    names: columns.map((c) => c.name),
    columns: columns.map((c) => evaluate(c.expr, batch, ctx)),
  };
}
