// The chained narrow operators (ChainMapper's filter and project) over batches, as Hive's VectorFilterOperator and
// VectorSelectOperator: a filter shrinks the batch's selection vector in place, a project swaps in the vectors
// of its expressions (a plain column reference costs nothing). Same answers as pipeline.ts, a batch at a time.
import { assertNever, type Schema } from '../../plan/types.ts';
import { fromWire } from './expressions.ts';
import { columnsOf, schemaAfter, type WireOp } from './pipeline.ts';
import type { VectorizedRowBatch } from './vector.ts';
import { vectorizeExpr } from './vector-expressions.ts';

export interface VectorPipeline {
  /** Runs the operators over `batch` in place (its selection and columns change). */
  run(batch: VectorizedRowBatch): void;
  /** Schema of the batch's columns afterwards. */
  readonly schema: Schema;
}

/**
 * Compiles wire ops over batches of `schema`, given the columns the consumer reads at the end (null: all); throws
 * NotVectorizable naming the first expression that cannot be. A projected column nobody reads is neither
 * compiled nor evaluated (it stays null in the batch), as the row reader skips columns nobody reads.
 */
export function compileVectorPipeline(schema: Schema, wire: readonly WireOp[], needed: ReadonlySet<string> | null): VectorPipeline {
  // The columns read after each op, walking back from the consumer (as neededInputColumns does).
  const needAfter: (ReadonlySet<string> | null)[] = new Array(wire.length);
  let need: Set<string> | null = needed === null ? null : new Set(needed);
  for (let i = wire.length - 1; i >= 0; i--) {
    needAfter[i] = need === null ? null : new Set(need);
    const op = wire[i]!;
    if (op.kind === 'filter') {
      if (need !== null) columnsOf(fromWire(op.predicate), need);
    } else {
      const next = new Set<string>();
      for (const c of op.columns) if (need === null || need.has(c.name)) columnsOf(fromWire(c.expr), next);
      need = next;
    }
  }
  const steps: ((b: VectorizedRowBatch) => void)[] = [];
  let s = schema;
  for (const [at, w] of wire.entries()) {
    switch (w.kind) {
      case 'filter': {
        const predicate = fromWire(w.predicate);
        const pred = vectorizeExpr(predicate, s);
        steps.push((b) => {
          const v = pred.evaluate(b);
          if (v.type !== 'bool') throw new Error(`filter predicate evaluated to ${v.type}, not bool`);
          const { values, nulls } = v;
          const sel = b.selected;
          let k = 0;
          // Keep rows whose predicate is true (not false, not NULL), in order: k <= j, so in place is safe.
          for (let j = 0; j < b.size; j++) {
            const i = sel[j]!;
            if (values[i] === 1 && (nulls === null || nulls[i] === 0)) sel[k++] = i;
          }
          b.size = k;
        });
        s = schemaAfter(s, [{ kind: 'filter', predicate }]);
        break;
      }
      case 'project': {
        const columns = w.columns.map((c) => ({ name: c.name, expr: fromWire(c.expr) }));
        const used = needAfter[at];
        const exprs = columns.map((c) => (used === null || used.has(c.name) ? vectorizeExpr(c.expr, s) : null));
        steps.push((b) => {
          b.cols = exprs.map((e) => (e === null ? null : e.evaluate(b)));
        });
        s = schemaAfter(s, [{ kind: 'project', columns }]);
        break;
      }
      default:
        assertNever(w, 'narrow operator');
    }
  }
  return {
    run(batch) {
      for (let i = 0; i < steps.length && batch.size > 0; i++) steps[i]!(batch);
    },
    schema: s,
  };
}
