// `explain`: the logical plan as an indented tree, one node per line, children indented below their parent.
// The text is stable on purpose: golden tests compare it verbatim.
import { outputSchema } from './schema.ts';
import { assertNever, childrenOf, type Aggregate, type Expr, type LiteralValue, type PlanNode, type DataType } from './types.ts';

export function literalToString(value: LiteralValue, type: DataType): string {
  if (value === null) return `NULL::${type}`;
  switch (type) {
    case 'utf8':
      return `'${String(value).replace(/'/g, "''")}'`;
    case 'timestamp':
      return `TIMESTAMP '${new Date(Number(value)).toISOString().replace('T', ' ').replace('Z', '')}'`;
    case 'int64':
      return `${value}::int64`;
    case 'int32':
    case 'float64':
    case 'bool':
      return String(value);
    default:
      return assertNever(type, 'data type');
  }
}

/** An expression in SQL-like notation, fully parenthesised so precedence is never in doubt. */
export function exprToString(expr: Expr): string {
  switch (expr.kind) {
    case 'column':
      return expr.name;
    case 'literal':
      return literalToString(expr.value, expr.type);
    case 'arithmetic':
    case 'comparison':
      return `(${exprToString(expr.left)} ${expr.op} ${exprToString(expr.right)})`;
    case 'logical':
      return `(${exprToString(expr.left)} ${expr.op.toUpperCase()} ${exprToString(expr.right)})`;
    case 'not':
      return `(NOT ${exprToString(expr.operand)})`;
    case 'isNull':
      return `(${exprToString(expr.operand)} IS ${expr.negated ? 'NOT ' : ''}NULL)`;
    case 'cast':
      return `CAST(${exprToString(expr.operand)} AS ${expr.to})`;
    case 'case':
      return `CASE ${expr.branches.map((b) => `WHEN ${exprToString(b.when)} THEN ${exprToString(b.then)}`).join(' ')} ELSE ${exprToString(expr.otherwise)} END`;
    case 'udf':
      return `${expr.name}(${expr.args.map(exprToString).join(', ')}) -> ${expr.returnType}`;
    default:
      return assertNever(expr, 'expression');
  }
}

export function aggregateToString(a: Aggregate): string {
  const call = `${a.fn}(${a.arg === null ? '*' : exprToString(a.arg)})`;
  return call === a.name ? call : `${call} AS ${a.name}`;
}

/** One line describing a node, without its children. */
export function nodeToString(node: PlanNode): string {
  switch (node.kind) {
    case 'scan':
      return `Scan: ${node.table} [${node.schema.map((f) => `${f.name}:${f.type}`).join(', ')}]`;
    case 'project':
      return `Project: ${node.columns
        .map((c) => {
          const e = exprToString(c.expr);
          return e === c.name ? e : `${e} AS ${c.name}`;
        })
        .join(', ')}`;
    case 'filter':
      return `Filter: ${exprToString(node.predicate)}`;
    case 'aggregate':
      return `Aggregate: groupBy=[${node.keys.join(', ')}], aggs=[${node.aggregates.map(aggregateToString).join(', ')}]`;
    case 'join':
      return `Join: ${node.how} on ${node.on.map((k) => `${k.left} = ${k.right}`).join(' AND ')}`;
    case 'sort':
      return `Sort: ${node.keys
        .map((k) => `${k.column} ${k.ascending ? 'ASC' : 'DESC'} NULLS ${k.nullsFirst ? 'FIRST' : 'LAST'}`)
        .join(', ')}`;
    case 'limit':
      return `Limit: ${node.count}`;
    case 'union':
      return `Union: all (${node.inputs.length} inputs)`;
    case 'distinct':
      return 'Distinct';
    case 'latestPerKey':
      return `LatestPerKey: keys=[${node.keys.join(', ')}], orderBy=${node.orderBy} DESC`;
    default:
      return assertNever(node, 'plan node');
  }
}

/**
 * The plan as an indented tree. With `schemas`, each line ends with the node's output columns.
 * @example
 *   explain(plan)
 *   // Aggregate: groupBy=[user_id], aggs=[count(*) AS events]
 *   //   Scan: user_events [user_id:int32, event_type:utf8, ts:timestamp, value:float64]
 */
export function explain(plan: PlanNode, options: { schemas?: boolean } = {}): string {
  const lines: string[] = [];
  const visit = (node: PlanNode, depth: number): void => {
    const suffix = options.schemas ? `  => [${outputSchema(node).map((f) => `${f.name}:${f.type}`).join(', ')}]` : '';
    lines.push(`${'  '.repeat(depth)}${nodeToString(node)}${suffix}`);
    for (const child of childrenOf(node)) visit(child, depth + 1);
  };
  visit(plan, 0);
  return lines.join('\n');
}
