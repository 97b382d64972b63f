// The physical planner and stage splitter: the optimized logical plan becomes physical operators, and the tree
// is cut into stages wherever rows must move between partitions (group-by, shuffled join, global sort/limit),
// as Spark's DAGScheduler cuts at ShuffleDependencies. Broadcast joins ship a whole (small) build side instead.
import { tableNotLoaded } from '../engine.ts';
import { outputSchema } from '../../plan/schema.ts';
import { assertNever, type PlanNode, type Schema } from '../../plan/types.ts';
import { partialSchema } from './operators/hash-aggregate.ts';
import { columnsOf } from './optimizer/rewrite.ts';
import type { JoinStrategy } from './options.ts';
import type { Job, PhysicalNode, Stage, StageOutput } from './physical-plan.ts';

export interface LoadedTableInfo {
  readonly rows: number;
  readonly partitions: number;
}

/** A DataFrame marked with cache(): its partitions are kept in the block manager under `cacheId`. */
export interface CacheEntry {
  readonly cacheId: number;
}

export interface PlannerEnv {
  readonly tables: ReadonlyMap<string, LoadedTableInfo>;
  /** Reduce partitions of every hash shuffle (Spark's spark.sql.shuffle.partitions). */
  readonly shufflePartitions: number;
  /** A join's right side estimated at or below this many bytes is broadcast (spark.sql.autoBroadcastJoinThreshold). */
  readonly broadcastThresholdBytes: number;
  /** Cached plan nodes (by identity). */
  readonly cache?: ReadonlyMap<PlanNode, CacheEntry>;
  /** `auto` (default) chooses by size; the others force one strategy for every join (as a Spark join hint). */
  readonly joinStrategy?: JoinStrategy;
}

export { JOIN_STRATEGIES, type JoinStrategy } from './options.ts';

interface Planned {
  readonly node: PhysicalNode;
  readonly partitions: number;
}

const WIDTH: Record<Schema[number]['type'], number> = { int32: 4, int64: 8, float64: 8, timestamp: 8, bool: 1, utf8: 16 };

/** Upper-bound row estimate from loaded table sizes (filters and aggregates never add rows). */
export function estimateRows(node: PlanNode, tables: ReadonlyMap<string, LoadedTableInfo>): number {
  switch (node.kind) {
    case 'scan':
      return tables.get(node.table)?.rows ?? Number.POSITIVE_INFINITY;
    case 'project':
    case 'filter':
    case 'aggregate':
    case 'sort':
    case 'distinct':
    case 'latestPerKey':
      return estimateRows(node.input, tables);
    case 'limit':
      return Math.min(node.count, estimateRows(node.input, tables));
    case 'join':
      return Math.max(estimateRows(node.left, tables), estimateRows(node.right, tables));
    case 'union':
      return node.inputs.reduce((s, i) => s + estimateRows(i, tables), 0);
    default:
      return assertNever(node, 'plan node');
  }
}

export function estimateBytes(node: PlanNode, tables: ReadonlyMap<string, LoadedTableInfo>): number {
  const width = outputSchema(node).reduce((s, f) => s + WIDTH[f.type], 0);
  return estimateRows(node, tables) * width;
}

/** Cut a plan into a job of stages. */
export function splitStages(plan: PlanNode, env: PlannerEnv): Job {
  const stages: Stage[] = [];
  const notes: string[] = [];
  const producer = new Map<string, number>(); // `shuffle:1` / `broadcast:0` / `cache:3` → stage id
  let shuffles = 0;
  let broadcasts = 0;
  let matchesIds = 0;

  const parentsOf = (node: PhysicalNode): number[] => {
    const out = new Set<number>();
    const visit = (n: PhysicalNode): void => {
      switch (n.kind) {
        case 'shuffleRead':
          out.add(producer.get(`shuffle:${n.shuffleId}`)!);
          return;
        case 'broadcastRead':
        case 'unmatchedRows':
          out.add(producer.get(`broadcast:${n.broadcastId}`)!);
          return;
        case 'cachedRead':
          out.add(producer.get(`cache:${n.cacheId}`)!);
          return;
        case 'scan':
          return;
        case 'filter':
        case 'project':
        case 'hashAggregate':
        case 'sort':
        case 'limit':
        case 'latestPerKey':
          visit(n.input);
          return;
        case 'hashJoin':
          visit(n.probe);
          visit(n.build);
          return;
        case 'union':
          n.inputs.forEach((i) => visit(i.node));
          return;
        default:
          assertNever(n, 'physical node');
      }
    };
    visit(node);
    return [...out].sort((a, b) => a - b);
  };

  const addStage = (planned: Planned, output: StageOutput): number => {
    const id = stages.length;
    stages.push({ id, root: planned.node, partitions: planned.partitions, output, parents: parentsOf(planned.node) });
    return id;
  };

  const exchange = (planned: Planned, keys: readonly string[], partitions: number): Planned => {
    const shuffleId = shuffles++;
    producer.set(`shuffle:${shuffleId}`, addStage(planned, { kind: 'shuffle', shuffleId, keys, partitions }));
    return { node: { kind: 'shuffleRead', shuffleId, schema: planned.node.schema }, partitions };
  };

  /** `needed`: the only columns the parent reads (a join then materialises just those), or null for all. */
  const toPhysical = (node: PlanNode, limitHint: number | null = null, needed: ReadonlySet<string> | null = null): Planned => {
    const cached = env.cache?.get(node);
    if (cached) {
      if (!producer.has(`cache:${cached.cacheId}`)) {
        const inner = planUncached(node, null);
        producer.set(`cache:${cached.cacheId}`, addStage(inner, { kind: 'cache', cacheId: cached.cacheId }));
        const partitions = inner.partitions;
        cachePartitions.set(cached.cacheId, partitions);
      }
      return { node: { kind: 'cachedRead', cacheId: cached.cacheId, schema: outputSchema(node) }, partitions: cachePartitions.get(cached.cacheId)! };
    }
    return planUncached(node, limitHint, needed);
  };
  const cachePartitions = new Map<number, number>();

  const planUncached = (node: PlanNode, limitHint: number | null, needed: ReadonlySet<string> | null = null): Planned => {
    const schema = outputSchema(node);
    switch (node.kind) {
      case 'scan': {
        const info = env.tables.get(node.table);
        if (!info) {
          throw tableNotLoaded(node.table, env.tables.keys());
        }
        return { node: { kind: 'scan', table: node.table, schema: node.schema }, partitions: info.partitions };
      }
      case 'filter': {
        const child = toPhysical(node.input);
        return { node: { kind: 'filter', input: child.node, predicate: node.predicate, schema }, partitions: child.partitions };
      }
      case 'project': {
        const child = toPhysical(node.input, null, node.columns.reduce((need, c) => columnsOf(c.expr, need), new Set<string>()));
        return { node: { kind: 'project', input: child.node, columns: node.columns, schema }, partitions: child.partitions };
      }
      case 'aggregate':
      case 'distinct': {
        const reads = node.kind === 'aggregate' ? node.aggregates.reduce((need, a) => (a.arg ? columnsOf(a.arg, need) : need), new Set(node.keys)) : null;
        const child = toPhysical(node.input, null, reads);
        const inSchema = outputSchema(node.input);
        const keys = node.kind === 'aggregate' ? node.keys : inSchema.map((f) => f.name);
        const aggregates = node.kind === 'aggregate' ? node.aggregates : [];
        const partial: PhysicalNode = { kind: 'hashAggregate', mode: 'partial', input: child.node, keys, aggregates, schema: partialSchema(inSchema, keys, aggregates) };
        const read = exchange({ node: partial, partitions: child.partitions }, keys, keys.length > 0 ? env.shufflePartitions : 1);
        return { node: { kind: 'hashAggregate', mode: 'final', input: read.node, keys, aggregates, schema }, partitions: read.partitions };
      }
      case 'join': {
        const left = toPhysical(node.left);
        const right = toPhysical(node.right);
        // Materialise only the columns the parent reads (at least one, so batches keep a row count), as Spark's
        // whole-stage codegen never builds the joined rows' unused columns.
        const kept = needed === null ? schema : schema.filter((f) => needed.has(f.name));
        const outSchema = kept.length > 0 ? kept : schema.slice(0, 1);
        const rightBytes = estimateBytes(node.right, env.tables);
        const leftBytes = estimateBytes(node.left, env.tables);
        const threshold = env.broadcastThresholdBytes;
        const forced = env.joinStrategy ?? 'auto';
        const strategy: Exclude<JoinStrategy, 'auto'> =
          forced !== 'auto' ? forced : rightBytes <= threshold ? 'broadcast-right' : leftBytes <= threshold ? 'broadcast-left' : 'shuffled';
        const why = (side: string, bytes: number, cmp: string) => (forced !== 'auto' ? 'forced by the joinStrategy option' : `${side} side estimated ${fmtBytes(bytes)} ${cmp} threshold ${fmtBytes(threshold)}`);
        switch (strategy) {
          case 'broadcast-right': {
            const broadcastId = broadcasts++;
            producer.set(`broadcast:${broadcastId}`, addStage(right, { kind: 'broadcast', broadcastId }));
            notes.push(`broadcast hash join: ${why('right', rightBytes, '≤')}`);
            const build: PhysicalNode = { kind: 'broadcastRead', broadcastId, schema: right.node.schema };
            return { node: { kind: 'hashJoin', strategy: 'broadcast', probe: left.node, build, how: node.how, on: node.on, matchesId: null, schema: outSchema }, partitions: left.partitions };
          }
          case 'broadcast-left': {
            // Build on the small left side once per executor; tasks stream the big right side's partitions, so the
            // big side is never shuffled. A LEFT join must still keep every left row exactly once: each task reports
            // which left rows it matched, and one extra partition emits the rows no task matched.
            const broadcastId = broadcasts++;
            producer.set(`broadcast:${broadcastId}`, addStage(left, { kind: 'broadcast', broadcastId }));
            notes.push(`broadcast hash join (build left): ${why('left', leftBytes, '≤')}${forced === 'auto' ? `, right side ${fmtBytes(rightBytes)} is not` : ''}`);
            const build: PhysicalNode = { kind: 'broadcastRead', broadcastId, schema: left.node.schema };
            const matchesId = node.how === 'left' ? matchesIds++ : null;
            const join: PhysicalNode = { kind: 'hashJoin', strategy: 'broadcast-left', probe: right.node, build, how: node.how, on: node.on, matchesId, schema: outSchema };
            if (matchesId === null) return { node: join, partitions: right.partitions };
            const unmatched: PhysicalNode = { kind: 'unmatchedRows', broadcastId, matchesId, probePartitions: right.partitions, schema: outSchema };
            return {
              node: { kind: 'union', inputs: [{ node: join, partitions: right.partitions }, { node: unmatched, partitions: 1 }], schema: outSchema },
              partitions: right.partitions + 1,
            };
          }
          case 'shuffled': {
            notes.push(`shuffled hash join: ${forced !== 'auto' ? 'forced by the joinStrategy option' : `both sides estimated above the broadcast threshold ${fmtBytes(threshold)} (left ${fmtBytes(leftBytes)}, right ${fmtBytes(rightBytes)})`}`);
            const l = exchange(left, node.on.map((k) => k.left), env.shufflePartitions);
            const r = exchange(right, node.on.map((k) => k.right), env.shufflePartitions);
            return { node: { kind: 'hashJoin', strategy: 'shuffled', probe: l.node, build: r.node, how: node.how, on: node.on, matchesId: null, schema: outSchema }, partitions: env.shufflePartitions };
          }
          default:
            return assertNever(strategy, 'join strategy');
        }
      }
      case 'sort': {
        const child = toPhysical(node.input);
        if (child.partitions === 1) return { node: { kind: 'sort', input: child.node, keys: node.keys, limit: limitHint, schema }, partitions: 1 };
        const local: PhysicalNode = { kind: 'sort', input: child.node, keys: node.keys, limit: limitHint, schema };
        const read = exchange({ node: local, partitions: child.partitions }, [], 1);
        return { node: { kind: 'sort', input: read.node, keys: node.keys, limit: limitHint, schema }, partitions: 1 };
      }
      case 'limit': {
        const child = node.input.kind === 'sort' && !env.cache?.has(node.input) ? toPhysical(node.input, node.count) : toPhysical(node.input);
        if (child.partitions === 1) return { node: { kind: 'limit', input: child.node, count: node.count, schema }, partitions: 1 };
        const local: PhysicalNode = { kind: 'limit', input: child.node, count: node.count, schema };
        const read = exchange({ node: local, partitions: child.partitions }, [], 1);
        return { node: { kind: 'limit', input: read.node, count: node.count, schema }, partitions: 1 };
      }
      case 'union': {
        const inputs = node.inputs.map((i) => toPhysical(i));
        return { node: { kind: 'union', inputs: inputs.map((i) => ({ node: i.node, partitions: i.partitions })), schema }, partitions: inputs.reduce((s, i) => s + i.partitions, 0) };
      }
      case 'latestPerKey': {
        const child = toPhysical(node.input);
        const partial: PhysicalNode = { kind: 'latestPerKey', mode: 'partial', input: child.node, keys: node.keys, orderBy: node.orderBy, schema };
        const read = exchange({ node: partial, partitions: child.partitions }, node.keys, node.keys.length > 0 ? env.shufflePartitions : 1);
        return { node: { kind: 'latestPerKey', mode: 'final', input: read.node, keys: node.keys, orderBy: node.orderBy, schema }, partitions: read.partitions };
      }
      default:
        return assertNever(node, 'plan node');
    }
  };

  const top = toPhysical(plan);
  const resultStage = addStage(top, { kind: 'result' });
  return { stages, resultStage, schema: outputSchema(plan), notes };
}

function fmtBytes(b: number): string {
  if (!Number.isFinite(b)) return 'unknown size';
  if (b >= 1 << 20) return `${(b / (1 << 20)).toFixed(1)} MiB`;
  if (b >= 1024) return `${(b / 1024).toFixed(1)} KiB`;
  return `${b} B`;
}
