// `explain`: the plan as the pandas-style script this engine runs — one danfo statement per node, innermost first.
import { aggregateToString, exprToString } from '../../plan/explain.ts';
import { assertNever, type PlanNode } from '../../plan/types.ts';
import { groupbyStrategy } from './groupby.ts';

/**
 * The danfo calls (and the parts done on top of danfo) for `plan`, as numbered statements.
 * @example explainPipeline(df.plan) // "df0 = frames['user_events']\ndf1 = df0['user_id'].valueCounts() ..."
 */
export function explainPipeline(plan: PlanNode): string {
  const lines: string[] = [];
  const visit = (node: PlanNode): string => {
    const line = (text: string): string => {
      const name = `df${lines.length}`;
      lines.push(`${name} = ${text}`);
      return name;
    };
    switch (node.kind) {
      case 'scan':
        return line(`frames['${node.table}']  # loaded once: new dfd.DataFrame(...) from Arrow`);
      case 'project': {
        const input = visit(node.input);
        const plain = node.columns.every((c) => c.expr.kind === 'column');
        return line(
          plain
            ? `${input}.iloc({ columns: [${node.columns.map((c) => c.name).join(', ')}] })  # select/rename/drop`
            : `new dfd.DataFrame({ ${node.columns.map((c) => `${c.name}: ${exprToString(c.expr)}`).join(', ')} })  # expressions evaluated with SQL NULL rules on ${input}'s values`,
        );
      }
      case 'filter':
        return line(`${visit(node.input)}.iloc({ rows: positions where ${exprToString(node.predicate)} IS TRUE })`);
      case 'aggregate': {
        const input = visit(node.input);
        const aggs = node.aggregates.map(aggregateToString).join(', ');
        const strategy = groupbyStrategy(node);
        switch (strategy) {
          case 'series-reductions':
            return line(`[${aggs}] via dfd.Series(...).sum()/min()/max() on NULL-filled columns of ${input}`);
          case 'valueCounts':
            return line(`${input}[key(${node.keys.join(', ')})].valueCounts()  # ${aggs}`);
          case 'groupby.agg':
            return line(`${input}.groupby([key(${node.keys.join(', ')})]).agg({...})  # ${aggs}; NULLs filled, non-NULL counts summed`);
          default:
            return assertNever(strategy, 'groupby strategy');
        }
      }
      case 'join': {
        const left = visit(node.left);
        const right = visit(node.right);
        const on = node.on.map((k) => `${k.left} = ${k.right}`).join(' AND ');
        return line(`dfd.merge({ left: ${left}, right: ${right}, on: [key(${on})], how: 'left' })${node.how === 'inner' ? '  # keep indicated matches only (inner)' : ''}; NULL keys set aside`);
      }
      case 'sort':
        return line(`${visit(node.input)}.iloc({ rows: order by ${node.keys.map((k) => `${k.column} ${k.ascending ? 'ASC' : 'DESC'} NULLS ${k.nullsFirst ? 'FIRST' : 'LAST'}`).join(', ')} })`);
      case 'limit':
        return line(`${visit(node.input)}.head(${node.count})`);
      case 'union':
        return line(`dfd.concat({ dfList: [${node.inputs.map(visit).join(', ')}], axis: 0 })`);
      case 'distinct':
        return line(`${visit(node.input)}.iloc({ rows: first of each distinct row })  # drop_duplicates()`);
      case 'latestPerKey':
        return line(`${visit(node.input)}.iloc({ rows: greatest ${node.orderBy} per (${node.keys.join(', ')}) })  # sort_values().drop_duplicates(keep='last')`);
      default:
        return assertNever(node, 'plan node');
    }
  };
  visit(plan);
  return lines.join('\n');
}
