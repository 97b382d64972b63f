// `explain` for the MapReduce engine: the job chain with, per job, its inputs and map-side operators, its map
// tasks (one per block, with the DataNodes holding the block and the slots that would read it locally), the
// shuffle, and the reduce side. Stable text: golden tests compare it.
import { aggregateToString, exprToString } from '../../plan/explain.ts';
import { assertNever } from '../../plan/types.ts';
import type { MapReduceConfig } from './config.ts';
import type { JobKind, JobSpec } from './job.ts';
import type { NameNode } from './namenode.ts';
import { wireJob } from './job-tracker.ts';
import { opToWire, type NarrowOp } from './pipeline.ts';
import type { PlannedRun } from './planner.ts';
import { taskId } from './task.ts';
import { BATCH_SIZE } from './vector.ts';
import { vectorizeMap } from './vectorization.ts';

function mib(bytes: number): string {
  return bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

export function opToString(op: NarrowOp): string {
  switch (op.kind) {
    case 'filter':
      return `Filter ${exprToString(op.predicate)}`;
    case 'project':
      return `Project ${op.columns.map((c) => (c.expr.kind === 'column' && c.expr.name === c.name ? c.name : `${exprToString(c.expr)} AS ${c.name}`)).join(', ')}`;
    default:
      return assertNever(op, 'narrow operator');
  }
}

export function jobKindToString(k: JobKind): string {
  switch (k.kind) {
    case 'aggregate':
      return `aggregate groupBy=[${k.keys.join(', ')}] aggs=[${k.aggregates.map(aggregateToString).join(', ')}]`;
    case 'join':
      return `reduce-side ${k.how} join on ${k.on.map((o) => `${o.left} = ${o.right}`).join(' AND ')}`;
    case 'sort':
      return `total-order sort by ${k.keys.map((s) => `${s.column} ${s.ascending ? 'ASC' : 'DESC'} NULLS ${s.nullsFirst ? 'FIRST' : 'LAST'}`).join(', ')}`;
    case 'distinct':
      return 'distinct';
    case 'latestPerKey':
      return `latest row per [${k.keys.join(', ')}] by ${k.orderBy}`;
    case 'limit':
      return `limit ${k.count}`;
    case 'mapOnly':
      return 'map-only';
    default:
      return assertNever(k, 'job kind');
  }
}

function hasCombiner(k: JobKind): boolean {
  return k.kind === 'aggregate' || k.kind === 'distinct' || k.kind === 'latestPerKey' || k.kind === 'limit';
}

/** Hive's "Execution mode": vectorized when every input's map side is, else the first reason it is not. */
function executionMode(job: JobSpec): string {
  const wire = wireJob(job);
  for (const [i, parts] of job.inputs.entries()) {
    for (const part of parts) {
      const v = vectorizeMap(wire, i, part.fileSchema, part.ops.map(opToWire));
      if (typeof v === 'string') return `row at a time: ${v}`;
    }
  }
  return `vectorized (batches of ${BATCH_SIZE} rows over column vectors)`;
}

/** The job chain as text. `nn` supplies blocks and replicas of loaded tables. */
export function explainJobs(planned: PlannedRun, config: MapReduceConfig, nn: NameNode, slots: number): string {
  const live = nn.liveDataNodes();
  const lines = [
    `MapReduce: ${planned.jobs.length} job${planned.jobs.length === 1 ? '' : 's'} | DFS: ${live.length} DataNodes, replication ${config.replication}, block ${mib(config.blockSize)} | ${slots} slots | sort buffer ${mib(config.sortBufferBytes)} | combiner ${config.combiner ? 'on' : 'off'}`,
  ];
  for (const job of planned.jobs) lines.push(...explainJob(job, config, nn, slots, live));
  lines.push(`result: ${planned.resultDir}`);
  return lines.join('\n');
}

function explainJob(job: JobSpec, config: MapReduceConfig, nn: NameNode, slots: number, live: readonly number[]): string[] {
  const lines = [`job ${job.id}: ${jobKindToString(job.kind)} -> ${job.outputDir}`];
  let m = 0;
  const taskLines: string[] = [];
  job.inputs.forEach((parts, i) => {
    for (const part of parts) {
      for (const f of part.files) {
        const ops = part.ops.length ? ` | map: ${part.ops.map(opToString).join(' -> ')}` : '';
        const label = job.inputs.length === 2 ? (i === 0 ? 'left ' : 'right ') : '';
        if (f.endsWith('/')) {
          lines.push(`  input ${label}${f} (output of an earlier job)${ops}`);
          continue;
        }
        const info = nn.file(f);
        if (!info) {
          lines.push(`  input ${label}${f} (not loaded)${ops}`);
          continue;
        }
        lines.push(`  input ${label}${f} (${info.blocks.length} block${info.blocks.length === 1 ? '' : 's'}, ${info.rows} rows, ${mib(info.bytes)})${ops}`);
        for (const b of info.blocks) {
          const localSlots = Array.from({ length: slots }, (_, s) => s).filter((s) => b.replicas.includes(live[s % live.length]!));
          taskLines.push(
            `    ${taskId('m', m++)} blk_${b.id} replicas ${b.replicas.map((d) => `dn-${d}`).join(',')} -> ${localSlots.length ? `data-local on slot ${localSlots.join('/')}` : 'no local slot'}`,
          );
        }
      }
    }
  });
  if (taskLines.length) lines.push(`  map tasks (one per block):`, ...taskLines);
  lines.push(`  execution mode: ${executionMode(job)}`);
  if (job.kind.kind === 'mapOnly') {
    lines.push(`  no shuffle, no reduce: each map task writes a part-m file`);
    return lines;
  }
  const partitioner =
    job.reducers === 1
      ? 'a single partition'
      : job.kind.kind === 'sort'
        ? `sampled key ranges into ${job.reducers} partitions (TeraSort)`
        : `hash(key) into ${job.reducers} partitions`;
  lines.push(`  shuffle: sort by key, spill at ${mib(config.sortBufferBytes)}, ${partitioner}; combiner ${job.combiner && hasCombiner(job.kind) ? 'on' : 'none'}`);
  const after = job.reduceOps.length ? ` -> ${job.reduceOps.map(opToString).join(' -> ')}` : '';
  const limit = job.outputLimit !== null ? ` -> first ${job.outputLimit} rows` : '';
  lines.push(`  reduce: ${job.reducers} task${job.reducers === 1 ? '' : 's'}, merge-sort fetched segments, ${job.kind.kind}${after}${limit}`);
  return lines;
}
