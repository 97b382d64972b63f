// Projection pruning: read and carry only the columns the query needs. Scans are narrowed to the columns used
// above them, unused projected columns are dropped, and projections that became the identity disappear.
import { outputSchema } from '../../../plan/schema.ts';
import { assertNever, type PlanNode } from '../../../plan/types.ts';
import { columnsOf } from './rewrite.ts';

/** `required` null means every output column is needed (the root, and inputs whose columns matter by position). */
function prune(node: PlanNode, required: ReadonlySet<string> | null): PlanNode {
  switch (node.kind) {
    case 'scan': {
      if (required === null) return node;
      const schema = node.schema.filter((f) => required.has(f.name));
      return schema.length === node.schema.length ? node : { ...node, schema };
    }
    case 'project': {
      const columns = required === null ? node.columns : node.columns.filter((c) => required.has(c.name));
      const need = new Set<string>();
      columns.forEach((c) => columnsOf(c.expr, need));
      const input = prune(node.input, need);
      const inputNames = outputSchema(input).map((f) => f.name);
      const identity = columns.length === inputNames.length && columns.every((c, i) => c.expr.kind === 'column' && c.expr.name === c.name && inputNames[i] === c.name);
      if (identity) return input;
      return { ...node, input, columns };
    }
    case 'filter': {
      const need = required === null ? null : columnsOf(node.predicate, new Set(required));
      return { ...node, input: prune(node.input, need) };
    }
    case 'aggregate': {
      const need = new Set(node.keys);
      node.aggregates.forEach((a) => a.arg && columnsOf(a.arg, need));
      return { ...node, input: prune(node.input, need) };
    }
    case 'join': {
      const leftNames = new Set(outputSchema(node.left).map((f) => f.name));
      const rightNames = new Set(outputSchema(node.right).map((f) => f.name));
      const pick = (names: Set<string>, keys: string[]) => (required === null ? null : new Set([...[...required].filter((n) => names.has(n)), ...keys]));
      return {
        ...node,
        left: prune(node.left, pick(leftNames, node.on.map((k) => k.left))),
        right: prune(node.right, pick(rightNames, node.on.map((k) => k.right))),
      };
    }
    case 'sort':
      return { ...node, input: prune(node.input, required === null ? null : new Set([...required, ...node.keys.map((k) => k.column)])) };
    case 'latestPerKey':
      return { ...node, input: prune(node.input, required === null ? null : new Set([...required, ...node.keys, node.orderBy])) };
    case 'limit':
      return { ...node, input: prune(node.input, required) };
    case 'union':
    case 'distinct':
      // Columns matter by position (union) or all take part in equality (distinct): keep them all.
      return node.kind === 'union' ? { ...node, inputs: node.inputs.map((i) => prune(i, null)) } : { ...node, input: prune(node.input, null) };
    default:
      return assertNever(node, 'plan node');
  }
}

/** The projection-pruning rule over a whole plan. */
export function pruneProjections(plan: PlanNode): PlanNode {
  return prune(plan, null);
}
