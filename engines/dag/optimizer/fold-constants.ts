// Constant folding: evaluate sub-expressions that read no column (and call no UDF) once at planning time, with
// the engine's own evaluator so folded and unfolded plans agree; simplify AND/OR with a constant side and drop
// filters that are always TRUE.
import { typeOf } from '../../../plan/schema.ts';
import { exprChildren, type Expr, type PlanNode } from '../../../plan/types.ts';
import { valueAt } from '../columnar.ts';
import { evaluate } from '../expressions.ts';
import { mapExpr, transformUp } from './rewrite.ts';

const ONE_ROW = { length: 1, names: [], columns: [] };

function isLiteral(e: Expr, value?: boolean | null): e is Extract<Expr, { kind: 'literal' }> {
  return e.kind === 'literal' && (value === undefined || e.value === value);
}

function foldOne(e: Expr): Expr {
  switch (e.kind) {
    case 'column':
    case 'literal':
    case 'udf':
      return e;
    case 'logical': {
      const [a, b] = [e.left, e.right];
      // Kleene: FALSE AND x = FALSE, TRUE OR x = TRUE; TRUE AND x = x, FALSE OR x = x.
      if (e.op === 'and') {
        if (isLiteral(a, false) || isLiteral(b, false)) return { kind: 'literal', value: false, type: 'bool' };
        if (isLiteral(a, true)) return b;
        if (isLiteral(b, true)) return a;
      } else {
        if (isLiteral(a, true) || isLiteral(b, true)) return { kind: 'literal', value: true, type: 'bool' };
        if (isLiteral(a, false)) return b;
        if (isLiteral(b, false)) return a;
      }
      break;
    }
    default:
      break;
  }
  const children = exprChildren(e);
  if (children.length === 0 || !children.every((c) => c.kind === 'literal')) return e;
  const type = typeOf(e, []);
  const v = valueAt(evaluate(e, ONE_ROW), 0);
  return { kind: 'literal', value: type === 'int64' && typeof v === 'number' ? BigInt(v) : v, type };
}

export function foldExpr(e: Expr): Expr {
  return mapExpr(e, foldOne);
}

/** The constant-folding rule over a whole plan. */
export function foldConstants(plan: PlanNode): PlanNode {
  return transformUp(plan, (node) => {
    switch (node.kind) {
      case 'filter': {
        const predicate = foldExpr(node.predicate);
        if (isLiteral(predicate, true)) return node.input;
        return predicate === node.predicate ? node : { ...node, predicate };
      }
      case 'project': {
        const columns = node.columns.map((c) => ({ name: c.name, expr: foldExpr(c.expr) }));
        return columns.every((c, i) => c.expr === node.columns[i]!.expr) ? node : { ...node, columns };
      }
      case 'aggregate': {
        const aggregates = node.aggregates.map((a) => ({ ...a, arg: a.arg ? foldExpr(a.arg) : null }));
        return aggregates.every((a, i) => a.arg === node.aggregates[i]!.arg) ? node : { ...node, aggregates };
      }
      default:
        return node;
    }
  });
}
