// Helpers shared by the optimizer rules: rebuilding nodes with new children and expressions, column references.
import { assertNever, exprChildren, type Expr, type PlanNode } from '../../../plan/types.ts';

/** A node with its children replaced (same order as childrenOf). */
export function withChildren(node: PlanNode, children: readonly PlanNode[]): PlanNode {
  switch (node.kind) {
    case 'scan':
      return node;
    case 'project':
    case 'filter':
    case 'aggregate':
    case 'sort':
    case 'limit':
    case 'distinct':
    case 'latestPerKey':
      return children[0] === node.input ? node : { ...node, input: children[0]! };
    case 'join':
      return children[0] === node.left && children[1] === node.right ? node : { ...node, left: children[0]!, right: children[1]! };
    case 'union':
      return children.every((c, i) => c === node.inputs[i]) ? node : { ...node, inputs: children };
    default:
      return assertNever(node, 'plan node');
  }
}

/** An expression with every sub-expression mapped bottom-up by `f`. */
export function mapExpr(expr: Expr, f: (e: Expr) => Expr): Expr {
  let e: Expr;
  switch (expr.kind) {
    case 'column':
    case 'literal':
      e = expr;
      break;
    case 'arithmetic':
    case 'comparison':
    case 'logical': {
      const left = mapExpr(expr.left, f);
      const right = mapExpr(expr.right, f);
      e = left === expr.left && right === expr.right ? expr : ({ ...expr, left, right } as Expr);
      break;
    }
    case 'not':
    case 'isNull':
    case 'cast': {
      const operand = mapExpr(expr.operand, f);
      e = operand === expr.operand ? expr : ({ ...expr, operand } as Expr);
      break;
    }
    case 'case': {
      const branches = expr.branches.map((b) => ({ when: mapExpr(b.when, f), then: mapExpr(b.then, f) }));
      const otherwise = mapExpr(expr.otherwise, f);
      const same = otherwise === expr.otherwise && branches.every((b, i) => b.when === expr.branches[i]!.when && b.then === expr.branches[i]!.then);
      e = same ? expr : { ...expr, branches, otherwise };
      break;
    }
    case 'udf': {
      const args = expr.args.map((a) => mapExpr(a, f));
      e = args.every((a, i) => a === expr.args[i]) ? expr : { ...expr, args };
      break;
    }
    default:
      return assertNever(expr, 'expression');
  }
  return f(e);
}

/** Column names an expression reads. */
export function columnsOf(expr: Expr, out: Set<string> = new Set()): Set<string> {
  if (expr.kind === 'column') out.add(expr.name);
  for (const c of exprChildren(expr)) columnsOf(c, out);
  return out;
}

export function containsUdf(expr: Expr): boolean {
  return expr.kind === 'udf' || exprChildren(expr).some(containsUdf);
}

/** Split `a AND b AND c` into its conjuncts. */
export function conjuncts(expr: Expr): Expr[] {
  return expr.kind === 'logical' && expr.op === 'and' ? [...conjuncts(expr.left), ...conjuncts(expr.right)] : [expr];
}

export function and(exprs: readonly Expr[]): Expr {
  return exprs.slice(1).reduce<Expr>((acc, e) => ({ kind: 'logical', op: 'and', left: acc, right: e }), exprs[0]!);
}

/** Apply `rule` to every node bottom-up (children first). */
export function transformUp(node: PlanNode, rule: (n: PlanNode) => PlanNode): PlanNode {
  const children = (node.kind === 'scan' ? [] : childrenOfNode(node)).map((c) => transformUp(c, rule));
  return rule(withChildren(node, children));
}

function childrenOfNode(node: PlanNode): readonly PlanNode[] {
  switch (node.kind) {
    case 'scan':
      return [];
    case 'join':
      return [node.left, node.right];
    case 'union':
      return node.inputs;
    default:
      return [node.input];
  }
}
