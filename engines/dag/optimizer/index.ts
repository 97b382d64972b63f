// The rule-based optimizer: constant folding, predicate pushdown and projection pruning, applied in that order
// (folding first so pushdown sees simplified predicates; pruning last so it sees the final filters).
import { explain } from '../../../plan/explain.ts';
import type { PlanNode } from '../../../plan/types.ts';
import { foldConstants } from './fold-constants.ts';
import { pruneProjections } from './prune-projections.ts';
import { pushDownFilters } from './push-down-filter.ts';

export interface OptimizerRule {
  readonly name: string;
  readonly apply: (plan: PlanNode) => PlanNode;
}

export const RULES: readonly OptimizerRule[] = [
  { name: 'fold-constants', apply: foldConstants },
  { name: 'push-down-filter', apply: pushDownFilters },
  { name: 'prune-projections', apply: pruneProjections },
];

/**
 * Optimize a logical plan (the result has the same output schema and rows).
 * @example optimize(df.plan) // then explain(...) shows filters next to scans and narrowed scan schemas
 */
export function optimize(plan: PlanNode, rules: readonly OptimizerRule[] = RULES): PlanNode {
  let current = plan;
  for (let round = 0; round < 3; round++) {
    const before = explain(current);
    for (const rule of rules) current = rule.apply(current);
    if (explain(current) === before) break;
  }
  return current;
}
