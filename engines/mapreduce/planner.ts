// Plan → a chain of MapReduce jobs. One exhaustive switch over plan nodes: narrow nodes (filter, project, union)
// become operators chained into the map side of the next job (or the reduce side of the previous one); every
// node that needs rows of one key together (aggregate, join, sort, distinct, latestPerKey, limit) is a job whose
// output directory on the DFS feeds the next job.
import { outputSchema } from '../../plan/schema.ts';
import { assertNever, type PlanNode, type Schema } from '../../plan/types.ts';
import { EngineError } from '../engine.ts';
import type { MapReduceConfig } from './config.ts';
import type { InputPart, JobKind, JobSpec } from './job.ts';
import { schemaAfter, type NarrowOp } from './pipeline.ts';

/** Rows flowing between nodes at plan time: DFS inputs plus the narrow ops still to apply to them. */
interface Source {
  readonly parts: readonly InputPart[];
  readonly schema: Schema;
  /** The job whose output these parts read, when there is exactly one such job and nothing else. */
  readonly producer: JobSpec | null;
}

export interface PlannedRun {
  readonly jobs: readonly JobSpec[];
  /** DFS directory of the final result (the last job's output). */
  readonly resultDir: string;
}

/** The path a loaded table lives at. */
export function tablePath(table: string): string {
  return `/tables/${table}`;
}

/**
 * Compiles a plan into jobs writing under `runDir` (e.g. `/runs/3/`). `tableSchema` reports a loaded table's
 * stored schema (undefined when not loaded: explain still works, run fails earlier).
 * @example planJobs(df.plan, config, '/runs/1/', (t) => nn.file(tablePath(t))?.schema)
 */
export function planJobs(plan: PlanNode, config: MapReduceConfig, runDir: string, tableSchema: (table: string) => Schema | undefined): PlannedRun {
  const jobs: JobSpec[] = [];

  const addJob = (kind: JobKind, inputs: readonly Source[], reduceSchema: Schema, reducers: number): Source => {
    const id = jobs.length + 1;
    const job: JobSpec = {
      id,
      kind,
      inputs: inputs.map((s) => s.parts),
      inputSchemas: inputs.map((s) => s.schema),
      reduceSchema,
      reduceOps: [],
      outputSchema: reduceSchema,
      outputLimit: null,
      reducers,
      combiner: config.combiner,
      vectorized: config.vectorized,
      fixedWidth: config.fixedWidth,
      outputDir: `${runDir}job-${id}/`,
    };
    jobs.push(job);
    return { parts: [{ files: [job.outputDir], fileSchema: reduceSchema, ops: [] }], schema: reduceSchema, producer: job };
  };

  const withOp = (src: Source, op: NarrowOp, schema: Schema): Source => ({
    parts: src.parts.map((p) => ({ ...p, ops: [...p.ops, op] })),
    schema,
    producer: src.producer,
  });

  /** Moves a source's pending ops into its producer's reduce side (ChainReducer); returns the producer. */
  const foldIntoProducer = (src: Source): JobSpec | null => {
    const job = src.producer;
    if (job === null || src.parts.length !== 1) return null;
    const ops = src.parts[0]!.ops;
    if (job.outputLimit !== null && ops.some((o) => o.kind === 'filter')) return null; // a filter after a limit must stay after it
    job.reduceOps.push(...ops);
    (job as { outputSchema: Schema }).outputSchema = schemaAfter(job.reduceSchema, job.reduceOps);
    return job;
  };

  const compile = (node: PlanNode): Source => {
    switch (node.kind) {
      case 'scan': {
        const stored = tableSchema(node.table) ?? node.schema;
        const parts: InputPart[] = [{ files: [tablePath(node.table)], fileSchema: stored, ops: [] }];
        const same = stored.length === node.schema.length && stored.every((f, i) => f.name === node.schema[i]!.name && f.type === node.schema[i]!.type);
        if (same) return { parts, schema: node.schema, producer: null };
        for (const f of node.schema) {
          const s = stored.find((x) => x.name === f.name);
          if (!s || s.type !== f.type) {
            throw new EngineError(
              `table '${node.table}' was loaded with columns (${stored.map((x) => `${x.name} ${x.type}`).join(', ')}) but the plan reads ${f.name} ${f.type}; load the table the scenario expects`,
              'bad-input',
            );
          }
        }
        const src: Source = { parts, schema: stored, producer: null };
        return withOp(src, { kind: 'project', columns: node.schema.map((f) => ({ name: f.name, expr: { kind: 'column', name: f.name } })) }, node.schema);
      }
      case 'filter':
        return withOp(compile(node.input), { kind: 'filter', predicate: node.predicate }, outputSchema(node));
      case 'project':
        return withOp(compile(node.input), { kind: 'project', columns: node.columns }, outputSchema(node));
      case 'union': {
        const first = outputSchema(node);
        const parts = node.inputs.flatMap((input) => {
          const src = compile(input);
          const renamed = src.schema.some((f, i) => f.name !== first[i]!.name)
            ? withOp(src, { kind: 'project', columns: src.schema.map((f, i) => ({ name: first[i]!.name, expr: { kind: 'column', name: f.name } })) }, first)
            : src;
          return renamed.parts;
        });
        return { parts, schema: first, producer: null };
      }
      case 'aggregate':
        return addJob({ kind: 'aggregate', keys: node.keys, aggregates: node.aggregates }, [compile(node.input)], outputSchema(node), node.keys.length === 0 ? 1 : config.reducers);
      case 'join':
        return addJob({ kind: 'join', how: node.how, on: node.on }, [compile(node.left), compile(node.right)], outputSchema(node), config.reducers);
      case 'sort':
        // A total-order job: sampled key ranges, one per reducer (TeraSort); one reducer when a LIMIT folds in.
        return addJob({ kind: 'sort', keys: node.keys }, [compile(node.input)], outputSchema(node), config.reducers);
      case 'distinct':
        return addJob({ kind: 'distinct' }, [compile(node.input)], outputSchema(node), config.reducers);
      case 'latestPerKey':
        return addJob({ kind: 'latestPerKey', keys: node.keys, orderBy: node.orderBy }, [compile(node.input)], outputSchema(node), config.reducers);
      case 'limit': {
        const src = compile(node.input);
        // Limit over a sort (or another one-reducer job): one reducer stops after N rows; no extra job.
        if (src.producer !== null && (src.producer.reducers === 1 || src.producer.kind.kind === 'sort')) {
          const job = foldIntoProducer(src);
          if (job !== null) {
            job.reducers = 1;
            job.outputLimit = job.outputLimit === null ? node.count : Math.min(job.outputLimit, node.count);
            return { parts: [{ files: [job.outputDir], fileSchema: job.outputSchema, ops: [] }], schema: job.outputSchema, producer: job };
          }
        }
        return addJob({ kind: 'limit', count: node.count }, [src], outputSchema(node), 1);
      }
      default:
        return assertNever(node, 'plan node');
    }
  };

  const top = compile(plan);
  const producer = foldIntoProducer(top);
  if (producer !== null) return { jobs, resultDir: producer.outputDir };
  // Only narrow work left (a scan, filter, project or union): a map-only job writes it out.
  const id = jobs.length + 1;
  const job: JobSpec = {
    id,
    kind: { kind: 'mapOnly' },
    inputs: [top.parts],
    inputSchemas: [top.schema],
    reduceSchema: top.schema,
    reduceOps: [],
    outputSchema: top.schema,
    outputLimit: null,
    reducers: 0,
    combiner: false,
    vectorized: false,
    fixedWidth: false,
    outputDir: `${runDir}job-${id}/`,
  };
  jobs.push(job);
  return { jobs, resultDir: job.outputDir };
}
