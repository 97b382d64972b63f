// One task: run a stage's operator tree over one partition and shape the output for the stage's consumer
// (shuffle blocks, a broadcast piece, a cached partition or result rows). Runs inside a worker thread.
// WARNING: operators are pure functions of their inputs; all per-task state lives in this call.
import { assertNever, exprChildren, type Expr } from '../../plan/types.ts';
import { alloc, column, concatBatches, type Batch, type Vec } from './columnar.ts';
import { evaluate, type EvalContext } from './expressions.ts';
import { filter } from './operators/filter.ts';
import { hashAggregate, hashAggregateJoined } from './operators/hash-aggregate.ts';
import { buildHashTable, groupsOfStreamRows, hashJoinProbe, hashJoinStreamRight, unmatchedLeftRows, type BuiltTable } from './operators/hash-join.ts';
import { latestPerKey } from './operators/latest-per-key.ts';
import { limit } from './operators/limit.ts';
import { project } from './operators/project.ts';
import { partitionBatch } from './operators/shuffle-write.ts';
import { sort } from './operators/sort.ts';
import { unionChild, type PhysicalNode, type Stage } from './physical-plan.ts';

/** Runs a UDF over argument vectors somewhere else (a separate process), returning its result vector. */
export type IsolatedUdfRunner = (udf: Extract<Expr, { kind: 'udf' }>, args: readonly Vec[], n: number) => Promise<Vec>;

/** Everything a task reads, resolved by the driver for this partition. */
export interface TaskInputs {
  /** Loaded table partitions held by this worker (shipped once, at load). */
  readonly tables: ReadonlyMap<string, readonly Batch[]>;
  /** Blocks of each shuffle for this task's reduce partition, one per map task. Key: `${shuffleId}:${partition}`. */
  readonly shuffle: ReadonlyMap<string, readonly Batch[]>;
  readonly broadcast: ReadonlyMap<number, Batch>;
  /** Cached partitions. Key: `${cacheId}:${partition}`. */
  readonly cached: ReadonlyMap<string, Batch>;
  /** Broadcast-left joins: the OR of every probe task's matched-left-rows bitmap, by matchesId. */
  readonly matches: ReadonlyMap<number, Uint8Array>;
  /** Per-worker cache of hash tables built on broadcasts, keyed by job and broadcast (Spark builds once per executor). */
  readonly builtTables: Map<string, BuiltTable>;
  readonly jobId: number;
  readonly isolatedUdfs: IsolatedUdfRunner | null;
}

export interface TaskResult {
  /** shuffle: one block per reduce partition; otherwise one batch. */
  readonly blocks: Batch[];
  readonly rowsIn: number;
  /** Side output of broadcast-left LEFT joins: [matchesId, probe partition, matched-left-rows bitmap]. */
  readonly matches: [number, number, Uint8Array][];
}

/** Per-task counters and side outputs, threaded through one task's operator tree. */
interface TaskState {
  rowsIn: number;
  readonly matches: [number, number, Uint8Array][];
}

export async function runTask(stage: Stage, partition: number, inputs: TaskInputs): Promise<TaskResult> {
  const counters: TaskState = { rowsIn: 0, matches: [] };
  const out = await execute(stage.root, partition, inputs, counters);
  const blocks = stage.output.kind === 'shuffle' ? partitionBatch(out, stage.output.keys, stage.output.partitions) : [out];
  return { blocks, rowsIn: counters.rowsIn, matches: counters.matches };
}

async function evalContext(exprs: readonly Expr[], batch: Batch, inputs: TaskInputs): Promise<EvalContext> {
  if (!inputs.isolatedUdfs) return {};
  const precomputed = new Map<Expr, Vec>();
  const visit = async (e: Expr): Promise<void> => {
    for (const c of exprChildren(e)) await visit(c);
    if (e.kind === 'udf' && !precomputed.has(e)) {
      const args = e.args.map((a) => evaluate(a, batch, { precomputed }));
      precomputed.set(e, await inputs.isolatedUdfs!(e, args, batch.length));
    }
  };
  for (const e of exprs) await visit(e);
  return { precomputed };
}

type JoinNode = Extract<PhysicalNode, { kind: 'hashJoin' }>;

/** The streamed side of a join for this partition and the built table (cached per worker when broadcast). */
async function joinSides(node: JoinNode, p: number, inputs: TaskInputs, counters: TaskState): Promise<{ stream: Batch; built: BuiltTable }> {
  const stream = await execute(node.probe, p, inputs, counters);
  const buildLeft = node.strategy === 'broadcast-left';
  const streamKeys = node.on.map((k) => column(stream, buildLeft ? k.right : k.left));
  const cacheKey = node.build.kind === 'broadcastRead' ? `${inputs.jobId}:${node.build.broadcastId}` : null;
  let built = cacheKey ? inputs.builtTables.get(cacheKey) : undefined;
  if (!built) {
    built = buildHashTable(await execute(node.build, p, inputs, counters), streamKeys, node.on.map((k) => (buildLeft ? k.left : k.right)));
    if (cacheKey) inputs.builtTables.set(cacheKey, built);
  }
  return { stream, built };
}

/**
 * The build-left join a partial aggregate can consume without materialising joined rows (looking through the union
 * that adds a left join's unmatched rows): one join key, group keys all from the build (left) side, aggregate
 * arguments all from the streamed (right) side. Null when the aggregate must run over the materialised join.
 */
function fusableJoin(agg: Extract<PhysicalNode, { kind: 'hashAggregate' }>, p: number): { join: JoinNode; partition: number } | null {
  let target = agg.input;
  let partition = p;
  if (target.kind === 'union') {
    const { index, partition: q } = unionChild(target, p);
    const child = target.inputs[index]!.node;
    if (child.schema.map((f) => f.name).join('\0') !== target.schema.map((f) => f.name).join('\0')) return null;
    target = child;
    partition = q;
  }
  if (target.kind !== 'hashJoin' || target.strategy !== 'broadcast-left' || target.on.length !== 1) return null;
  const buildNames = new Set(target.build.schema.map((f) => f.name));
  const streamNames = new Set(target.probe.schema.map((f) => f.name));
  if (!agg.keys.every((k) => buildNames.has(k))) return null;
  // Arguments are evaluated over every streamed row, matched or not: no UDFs (one could throw on a row the join drops).
  const argColumns = new Set<string>();
  let udfs = false;
  const collect = (e: Expr): void => {
    if (e.kind === 'column') argColumns.add(e.name);
    if (e.kind === 'udf') udfs = true;
    exprChildren(e).forEach(collect);
  };
  agg.aggregates.forEach((a) => a.arg && collect(a.arg));
  if (udfs) return null;
  for (const c of argColumns) if (buildNames.has(c) || !streamNames.has(c)) return null;
  return { join: target, partition };
}

async function execute(node: PhysicalNode, p: number, inputs: TaskInputs, counters: TaskState): Promise<Batch> {
  switch (node.kind) {
    case 'scan': {
      const parts = inputs.tables.get(node.table);
      const part = parts?.[p];
      if (!part) throw new Error(`internal: table '${node.table}' has no partition ${p} in this worker`);
      counters.rowsIn += part.length;
      const names = node.schema.map((f) => f.name);
      return { length: part.length, names, columns: names.map((n) => part.columns[part.names.indexOf(n)]!) };
    }
    case 'shuffleRead': {
      const blocks = inputs.shuffle.get(`${node.shuffleId}:${p}`);
      if (!blocks) throw new Error(`internal: shuffle ${node.shuffleId} partition ${p} was not shipped to this task`);
      return concatBatches(node.schema.map((f) => f.name), node.schema.map((f) => f.type), blocks);
    }
    case 'broadcastRead': {
      const b = inputs.broadcast.get(node.broadcastId);
      if (!b) throw new Error(`internal: broadcast ${node.broadcastId} was not shipped to this task`);
      return b;
    }
    case 'cachedRead': {
      const b = inputs.cached.get(`${node.cacheId}:${p}`);
      if (!b) throw new Error(`internal: cached partition ${node.cacheId}:${p} was not shipped to this task`);
      return b;
    }
    case 'filter': {
      const input = await execute(node.input, p, inputs, counters);
      return filter(node.predicate, input, await evalContext([node.predicate], input, inputs));
    }
    case 'project': {
      const input = await execute(node.input, p, inputs, counters);
      return project(node.columns, input, await evalContext(node.columns.map((c) => c.expr), input, inputs));
    }
    case 'hashAggregate': {
      const args = node.mode === 'partial' ? node.aggregates.flatMap((a) => (a.arg ? [a.arg] : [])) : [];
      const fusable = node.mode === 'partial' ? fusableJoin(node, p) : null;
      if (fusable) {
        const { join, partition } = fusable;
        const { stream, built } = await joinSides(join, partition, inputs, counters);
        const matched = join.matchesId === null ? null : alloc.uint8(built.batch.length);
        const streamKey = column(stream, join.on[0]!.right);
        const groupsOf = (buildGid: Int32Array, discard: number) => groupsOfStreamRows(built, streamKey, stream.length, buildGid, discard, matched);
        const out = hashAggregateJoined(node, built.batch, groupsOf, stream, await evalContext(args, stream, inputs));
        if (out !== null) {
          if (matched !== null) counters.matches.push([join.matchesId!, partition, matched]);
          return out;
        }
        // A repeated build key: materialise the join after all (the matches bitmap is recomputed there).
      }
      const input = await execute(node.input, p, inputs, counters);
      return hashAggregate(node, input, await evalContext(args, input, inputs));
    }
    case 'hashJoin': {
      const { stream, built } = await joinSides(node, p, inputs, counters);
      const names = node.schema.map((f) => f.name);
      if (node.strategy !== 'broadcast-left') return hashJoinProbe(stream, built, node.on, node.how, names);
      const matched = node.matchesId === null ? null : alloc.uint8(built.batch.length);
      const out = hashJoinStreamRight(stream, built, node.on, names, matched);
      if (matched !== null) counters.matches.push([node.matchesId!, p, matched]);
      return out;
    }
    case 'unmatchedRows': {
      const left = inputs.broadcast.get(node.broadcastId);
      const matched = inputs.matches.get(node.matchesId);
      if (!left || !matched) throw new Error(`internal: broadcast ${node.broadcastId} or matches ${node.matchesId} was not shipped to this task`);
      return unmatchedLeftRows(left, matched, node.schema);
    }
    case 'sort':
      return sort(node.keys, node.limit, await execute(node.input, p, inputs, counters));
    case 'limit':
      return limit(node.count, await execute(node.input, p, inputs, counters));
    case 'union': {
      const { index, partition } = unionChild(node, p);
      const b = await execute(node.inputs[index]!.node, partition, inputs, counters);
      return { ...b, names: node.schema.map((f) => f.name) };
    }
    case 'latestPerKey':
      return latestPerKey(node.keys, node.orderBy, await execute(node.input, p, inputs, counters));
    default:
      return assertNever(node, 'physical node');
  }
}
