// Predicate pushdown: move filters towards the scans so fewer rows flow into projections, shuffles and joins.
// A conjunct moves below a node only when that cannot change the result: through projections (substituting
// the projected expressions, unless a UDF would be re-evaluated), sorts and distinct; into the side of a join
// whose columns it reads (the right side only for inner joins); below an aggregate or latest-per-key when it
// reads only grouping keys; into every input of a union. Never below a limit.
import { outputSchema } from '../../../plan/schema.ts';
import type { Expr, PlanNode } from '../../../plan/types.ts';
import { and, columnsOf, conjuncts, containsUdf, mapExpr, transformUp } from './rewrite.ts';

const subsetOf = (cols: Set<string>, allowed: ReadonlySet<string>) => [...cols].every((c) => allowed.has(c));

function filterOver(input: PlanNode, preds: readonly Expr[]): PlanNode {
  return preds.length === 0 ? input : pushFilter({ kind: 'filter', input, predicate: and(preds) });
}

/** Push one filter node as far down as it can go. */
function pushFilter(node: Extract<PlanNode, { kind: 'filter' }>): PlanNode {
  const child = node.input;
  const preds = conjuncts(node.predicate);
  switch (child.kind) {
    case 'filter':
      return pushFilter({ kind: 'filter', input: child.input, predicate: and([...conjuncts(child.predicate), ...preds]) });
    case 'project': {
      const byName = new Map(child.columns.map((c) => [c.name, c.expr]));
      const movable: Expr[] = [];
      const kept: Expr[] = [];
      for (const p of preds) {
        const cols = columnsOf(p);
        if ([...cols].some((c) => containsUdf(byName.get(c)!))) kept.push(p);
        else movable.push(mapExpr(p, (e) => (e.kind === 'column' ? byName.get(e.name)! : e)));
      }
      if (movable.length === 0) return node;
      const project: PlanNode = { ...child, input: filterOver(child.input, movable) };
      return kept.length ? { kind: 'filter', input: project, predicate: and(kept) } : project;
    }
    case 'sort':
    case 'distinct':
      return { ...child, input: filterOver(child.input, preds) };
    case 'aggregate':
    case 'latestPerKey': {
      const keys = new Set(child.keys);
      const movable = preds.filter((p) => subsetOf(columnsOf(p), keys));
      if (movable.length === 0) return node;
      const kept = preds.filter((p) => !movable.includes(p));
      const pushed: PlanNode = { ...child, input: filterOver(child.input, movable) };
      return kept.length ? { kind: 'filter', input: pushed, predicate: and(kept) } : pushed;
    }
    case 'join': {
      const leftCols = new Set(outputSchema(child.left).map((f) => f.name));
      const rightKeys = new Set(child.on.map((k) => k.right));
      const rightCols = new Set(outputSchema(child.right).map((f) => f.name).filter((n) => !rightKeys.has(n)));
      const toLeft: Expr[] = [];
      const toRight: Expr[] = [];
      const kept: Expr[] = [];
      for (const p of preds) {
        const cols = columnsOf(p);
        if (cols.size > 0 && subsetOf(cols, leftCols)) toLeft.push(p);
        // Pushing into the right side of a LEFT join would turn filtered-out matches into NULL rows.
        else if (child.how === 'inner' && cols.size > 0 && subsetOf(cols, rightCols)) toRight.push(p);
        else kept.push(p);
      }
      if (toLeft.length === 0 && toRight.length === 0) return node;
      const join: PlanNode = { ...child, left: filterOver(child.left, toLeft), right: filterOver(child.right, toRight) };
      return kept.length ? { kind: 'filter', input: join, predicate: and(kept) } : join;
    }
    case 'union': {
      const names = outputSchema(child).map((f) => f.name);
      const inputs = child.inputs.map((input) => {
        const own = outputSchema(input).map((f) => f.name);
        const rename = new Map(names.map((n, i) => [n, own[i]!]));
        return filterOver(input, preds.map((p) => mapExpr(p, (e) => (e.kind === 'column' ? { kind: 'column', name: rename.get(e.name)! } : e))));
      });
      return { ...child, inputs };
    }
    case 'scan':
    case 'limit':
      return node;
    default: {
      const never: never = child;
      throw new Error(`unhandled plan node ${JSON.stringify(never)}`);
    }
  }
}

/** The predicate-pushdown rule over a whole plan. */
export function pushDownFilters(plan: PlanNode): PlanNode {
  return transformUp(plan, (node) => (node.kind === 'filter' ? pushFilter(node) : node));
}
