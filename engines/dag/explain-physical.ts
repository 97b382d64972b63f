// The physical plan as text: each stage with its output (shuffle, broadcast, cache, result), its task count and
// parents, then its operator tree. Stable text so tests can compare it verbatim.
import { aggregateToString, exprToString } from '../../plan/explain.ts';
import { assertNever } from '../../plan/types.ts';
import { physicalChildren, type Job, type PhysicalNode, type Stage } from './physical-plan.ts';

function cols(node: PhysicalNode): string {
  return node.schema.map((f) => f.name).join(', ');
}

const JOIN_NAMES = { broadcast: 'BroadcastHashJoin', shuffled: 'ShuffledHashJoin', 'broadcast-left': 'BroadcastHashJoin(build left)' } as const;

export function physicalNodeToString(node: PhysicalNode): string {
  switch (node.kind) {
    case 'scan':
      return `Scan ${node.table} [${cols(node)}]`;
    case 'shuffleRead':
      return `ShuffleRead shuffle=${node.shuffleId} [${cols(node)}]`;
    case 'broadcastRead':
      return `BroadcastRead broadcast=${node.broadcastId} [${cols(node)}]`;
    case 'cachedRead':
      return `CachedRead cache=${node.cacheId} [${cols(node)}]`;
    case 'filter':
      return `Filter ${exprToString(node.predicate)}`;
    case 'project':
      return `Project ${node.columns.map((c) => { const e = exprToString(c.expr); return e === c.name ? e : `${e} AS ${c.name}`; }).join(', ')}`;
    case 'hashAggregate':
      return `HashAggregate(${node.mode}) keys=[${node.keys.join(', ')}] aggs=[${node.aggregates.map(aggregateToString).join(', ')}]`;
    case 'hashJoin':
      return `${JOIN_NAMES[node.strategy]} ${node.how} on ${node.on.map((k) => `${k.left} = ${k.right}`).join(' AND ')}${node.matchesId === null ? '' : ` (reports matches=${node.matchesId})`} [${cols(node)}]`;
    case 'unmatchedRows':
      return `UnmatchedLeftRows broadcast=${node.broadcastId} matches=${node.matchesId} of ${node.probePartitions} task${node.probePartitions === 1 ? '' : 's'} [${cols(node)}]`;
    case 'sort':
      return `Sort ${node.keys.map((k) => `${k.column} ${k.ascending ? 'ASC' : 'DESC'} NULLS ${k.nullsFirst ? 'FIRST' : 'LAST'}`).join(', ')}${node.limit === null ? '' : ` limit=${node.limit}`}`;
    case 'limit':
      return `Limit ${node.count}`;
    case 'union':
      return `Union (${node.inputs.length} inputs)`;
    case 'latestPerKey':
      return `LatestPerKey(${node.mode}) keys=[${node.keys.join(', ')}] orderBy=${node.orderBy} DESC`;
    default:
      return assertNever(node, 'physical node');
  }
}

function stageHeader(stage: Stage): string {
  const out = stage.output;
  let what: string;
  switch (out.kind) {
    case 'shuffle':
      what = out.keys.length ? `shuffle ${out.shuffleId}: hash(${out.keys.join(', ')}) -> ${out.partitions} partitions` : `shuffle ${out.shuffleId}: gather -> 1 partition`;
      break;
    case 'broadcast':
      what = `broadcast ${out.broadcastId}`;
      break;
    case 'cache':
      what = `cache ${out.cacheId}`;
      break;
    case 'result':
      what = 'result';
      break;
    default:
      return assertNever(out, 'stage output');
  }
  const parents = stage.parents.length ? ` <- stage ${stage.parents.join(', ')}` : '';
  return `Stage ${stage.id} [${what}] ${stage.partitions} task${stage.partitions === 1 ? '' : 's'}${parents}`;
}

/** Every stage, parents first, with its operator tree indented below its header. */
export function explainJob(job: Job): string {
  const lines: string[] = [];
  for (const stage of job.stages) {
    lines.push(stageHeader(stage));
    const visit = (n: PhysicalNode, depth: number): void => {
      lines.push(`${'  '.repeat(depth)}${physicalNodeToString(n)}`);
      physicalChildren(n).forEach((c) => visit(c, depth + 1));
    };
    visit(stage.root, 1);
  }
  return lines.join('\n');
}
