// The physical plan: operators that run inside one task on one partition, and the stages (pipelines of such
// operators between shuffle boundaries) that the DAG scheduler runs. Plain data so it can be posted to workers.
import type { Aggregate, Expr, JoinKey, NamedExpr, Schema, SortKey } from '../../plan/types.ts';

/** A physical operator. Leaves read a loaded table partition, a shuffle partition, a broadcast or a cached partition. */
export type PhysicalNode =
  | { readonly kind: 'scan'; readonly table: string; readonly schema: Schema }
  | { readonly kind: 'shuffleRead'; readonly shuffleId: number; readonly schema: Schema }
  | { readonly kind: 'broadcastRead'; readonly broadcastId: number; readonly schema: Schema }
  | { readonly kind: 'cachedRead'; readonly cacheId: number; readonly schema: Schema }
  | { readonly kind: 'filter'; readonly input: PhysicalNode; readonly predicate: Expr; readonly schema: Schema }
  | { readonly kind: 'project'; readonly input: PhysicalNode; readonly columns: readonly NamedExpr[]; readonly schema: Schema }
  | {
      readonly kind: 'hashAggregate';
      /** partial: per-partition pre-aggregation before the shuffle (Spark's map-side combine); final: merges states. */
      readonly mode: 'partial' | 'final';
      readonly input: PhysicalNode;
      readonly keys: readonly string[];
      readonly aggregates: readonly Aggregate[];
      readonly schema: Schema;
    }
  | {
      readonly kind: 'hashJoin';
      /**
       * broadcast: the build side is the whole (small) right relation, broadcast; shuffled: both sides are
       * co-partitioned and the right partition is built. broadcast-left: the build side is the whole (small)
       * LEFT relation, broadcast, and `probe` streams partitions of the right side (Spark's BuildLeft). For a left
       * join this node emits matched pairs only and reports which build rows it matched under `matchesId`; an
       * `unmatchedRows` partition emits the rest once.
       */
      readonly strategy: 'broadcast' | 'shuffled' | 'broadcast-left';
      readonly probe: PhysicalNode;
      readonly build: PhysicalNode;
      readonly how: 'inner' | 'left';
      readonly on: readonly JoinKey[];
      /** broadcast-left left joins: the id under which each task reports its matched-build-rows bitmap. */
      readonly matchesId: number | null;
      readonly schema: Schema;
    }
  | {
      /**
       * The left rows of a broadcast-left LEFT join that no probe task matched, padded with NULL right columns.
       * Reads the broadcast and the OR of every probe task's matched bitmap (Spark's BroadcastNestedLoopJoin
       * BuildLeft folds the same bitsets), so it runs after all `probePartitions` tasks of its join.
       */
      readonly kind: 'unmatchedRows';
      readonly broadcastId: number;
      readonly matchesId: number;
      readonly probePartitions: number;
      readonly schema: Schema;
    }
  | { readonly kind: 'sort'; readonly input: PhysicalNode; readonly keys: readonly SortKey[]; readonly limit: number | null; readonly schema: Schema }
  | { readonly kind: 'limit'; readonly input: PhysicalNode; readonly count: number; readonly schema: Schema }
  | {
      readonly kind: 'union';
      /** Partitions of the union are the children's partitions one after another (Spark's UnionRDD). */
      readonly inputs: readonly { readonly node: PhysicalNode; readonly partitions: number }[];
      readonly schema: Schema;
    }
  | {
      readonly kind: 'latestPerKey';
      readonly mode: 'partial' | 'final';
      readonly input: PhysicalNode;
      readonly keys: readonly string[];
      readonly orderBy: string;
      readonly schema: Schema;
    };

export type PhysicalKind = PhysicalNode['kind'];

/** What a stage does with each task's output. */
export type StageOutput =
  /** Hash-partition rows on `keys` into `partitions` buckets (keys [] and 1 partition: gather to one). */
  | { readonly kind: 'shuffle'; readonly shuffleId: number; readonly keys: readonly string[]; readonly partitions: number }
  /** Collect every partition to the driver and ship the whole relation to each task of the consumer. */
  | { readonly kind: 'broadcast'; readonly broadcastId: number }
  /** Keep each partition in the block manager across jobs (`df.cache()`). */
  | { readonly kind: 'cache'; readonly cacheId: number }
  /** The job's result, collected to the driver in partition order. */
  | { readonly kind: 'result' };

export interface Stage {
  readonly id: number;
  readonly root: PhysicalNode;
  readonly partitions: number;
  readonly output: StageOutput;
  /** Stages whose output this stage reads (shuffle, broadcast or cache dependencies). */
  readonly parents: readonly number[];
}

/** A job: the stages of one action, the last being the result stage. */
export interface Job {
  readonly stages: readonly Stage[];
  readonly resultStage: number;
  readonly schema: Schema;
  /** Remarks for the report, e.g. which join strategy was chosen and why. */
  readonly notes: readonly string[];
}

/** Direct physical children. */
export function physicalChildren(node: PhysicalNode): readonly PhysicalNode[] {
  switch (node.kind) {
    case 'scan':
    case 'shuffleRead':
    case 'broadcastRead':
    case 'cachedRead':
    case 'unmatchedRows':
      return [];
    case 'filter':
    case 'project':
    case 'hashAggregate':
    case 'sort':
    case 'limit':
    case 'latestPerKey':
      return [node.input];
    case 'hashJoin':
      return [node.probe, node.build];
    case 'union':
      return node.inputs.map((i) => i.node);
    default: {
      const never: never = node;
      throw new Error(`unhandled physical node ${JSON.stringify(never)}`);
    }
  }
}

/** A leaf read by the task of partition `p`, with the partition it reads. */
export type LeafRead =
  | { readonly kind: 'scan'; readonly table: string; readonly partition: number }
  | { readonly kind: 'shuffleRead'; readonly shuffleId: number; readonly partition: number }
  | { readonly kind: 'broadcastRead'; readonly broadcastId: number }
  | { readonly kind: 'cachedRead'; readonly cacheId: number; readonly partition: number }
  /** Every probe task's matched bitmap of a broadcast-left join (produced by tasks of the same stage). */
  | { readonly kind: 'joinMatches'; readonly matchesId: number; readonly probePartitions: number };

/**
 * The leaves the task of partition `p` reads: a union routes p to one child, a broadcast is read whole.
 * WARNING: the driver (to ship inputs) and the worker (to read them) must agree; both call this function.
 */
export function leafReads(node: PhysicalNode, p: number): LeafRead[] {
  switch (node.kind) {
    case 'scan':
      return [{ kind: 'scan', table: node.table, partition: p }];
    case 'shuffleRead':
      return [{ kind: 'shuffleRead', shuffleId: node.shuffleId, partition: p }];
    case 'broadcastRead':
      return [{ kind: 'broadcastRead', broadcastId: node.broadcastId }];
    case 'cachedRead':
      return [{ kind: 'cachedRead', cacheId: node.cacheId, partition: p }];
    case 'unmatchedRows':
      return [
        { kind: 'broadcastRead', broadcastId: node.broadcastId },
        { kind: 'joinMatches', matchesId: node.matchesId, probePartitions: node.probePartitions },
      ];
    case 'union': {
      const { index, partition } = unionChild(node, p);
      return leafReads(node.inputs[index]!.node, partition);
    }
    case 'hashJoin':
      return [...leafReads(node.probe, p), ...leafReads(node.build, p)];
    case 'filter':
    case 'project':
    case 'hashAggregate':
    case 'sort':
    case 'limit':
    case 'latestPerKey':
      return leafReads(node.input, p);
    default: {
      const never: never = node;
      throw new Error(`unhandled physical node ${JSON.stringify(never)}`);
    }
  }
}

/** Which child of a union, and which of its partitions, partition p of the union is. */
export function unionChild(node: Extract<PhysicalNode, { kind: 'union' }>, p: number): { index: number; partition: number } {
  let rest = p;
  for (let i = 0; i < node.inputs.length; i++) {
    const parts = node.inputs[i]!.partitions;
    if (rest < parts) return { index: i, partition: rest };
    rest -= parts;
  }
  throw new Error(`internal: union has no partition ${p}`);
}
