// The eager pipeline: walks the plan bottom-up and materialises one danfo frame per node, the way a pandas
// script runs one statement after another. Per-run counters live in a PipelineRun, never in the operators.
import { outputSchema } from '../../plan/schema.ts';
import { assertNever, type PlanNode, type Schema } from '../../plan/types.ts';
import { tableNotLoaded, EngineError, type EngineEvent, type TaskSpan } from '../engine.ts';
import { concat } from './concat.ts';
import { dropDuplicates, latestPerKey } from './drop-duplicates.ts';
import { evaluate, truePositions } from './expressions.ts';
import { frameFromColumns, frameFromDanfo, type Frame, type FrameField } from './frame.ts';
import { aggregate, groupbyStrategy } from './groupby.ts';
import { merge } from './merge.ts';
import { sortValues } from './sort-values.ts';
import { head, takeRows } from './take.ts';

/** Mutable state of one `run`: what the metrics and the timeline report afterwards. */
export class PipelineRun {
  rowsIn = 0;
  steps = 0;
  /** Cells (rows × columns) of every frame materialised, a proxy for the copying pandas-style code does. */
  cellsMaterialised = 0;
  groups = 0;
  readonly phasesMs: Record<string, number> = {};
  readonly timeline: TaskSpan[] = [];
  readonly notes: string[] = [];
  constructor(
    readonly now: () => number,
    readonly emit: (event: EngineEvent) => void,
    readonly startMs: number,
  ) {}
}

/**
 * Execute `node` over the loaded frames, returning the materialised result frame.
 * @example execute(df.plan, loadedFrames, new PipelineRun(performance.now, () => {}, performance.now()))
 */
export function execute(node: PlanNode, tables: ReadonlyMap<string, Frame>, run: PipelineRun): Frame {
  const inputs = inputsOf(node, tables, run);
  const step = run.steps++;
  const task = `${step}:${node.kind}`;
  const start = run.now() - run.startMs;
  run.emit({ type: 'task-start', group: 'pipeline', task, slot: 0, attempt: 1, atMs: start });
  const out = runStep(node, inputs, tables, run);
  const end = run.now() - run.startMs;
  run.emit({ type: 'task-end', group: 'pipeline', task, slot: 0, attempt: 1, atMs: end, status: 'ok' });
  run.timeline.push({ group: 'pipeline', task, slot: 0, attempt: 1, startMs: start, endMs: end, status: 'ok' });
  run.phasesMs[node.kind] = (run.phasesMs[node.kind] ?? 0) + (end - start);
  run.cellsMaterialised += out.rows * out.fields.length;
  return out;
}

function inputsOf(node: PlanNode, tables: ReadonlyMap<string, Frame>, run: PipelineRun): Frame[] {
  switch (node.kind) {
    case 'scan':
      return [];
    case 'project':
    case 'filter':
    case 'aggregate':
    case 'sort':
    case 'limit':
    case 'distinct':
    case 'latestPerKey':
      return [execute(node.input, tables, run)];
    case 'join':
      return [execute(node.left, tables, run), execute(node.right, tables, run)];
    case 'union':
      return node.inputs.map((i) => execute(i, tables, run));
    default:
      return assertNever(node, 'plan node');
  }
}

function runStep(node: PlanNode, inputs: readonly Frame[], tables: ReadonlyMap<string, Frame>, run: PipelineRun): Frame {
  const input = inputs[0]!;
  switch (node.kind) {
    case 'scan':
      return scan(node.table, node.schema, tables, run);
    case 'project': {
      const schema = outputSchema(node);
      const sources = node.columns.map((c) => (c.expr.kind === 'column' ? c.expr.name : null));
      const plain = sources.every((s) => s !== null) && new Set(sources).size === sources.length;
      if (plain && input.df) {
        // select/rename/drop only: `df[[...]]` — danfo's positional column selection, names kept in our fields.
        const danfoColumns = input.df.columns as string[];
        const picked = sources.map((s) => input.fields.find((f) => f.name === s)!);
        const df = input.df.iloc({ columns: picked.map((f) => danfoColumns.indexOf(f.internal)) });
        const fields: FrameField[] = picked.map((f, i) => ({ name: node.columns[i]!.name, type: schema[i]!.type, internal: f.internal }));
        return frameFromDanfo(fields, df);
      }
      return frameFromColumns(schema, node.columns.map((c) => evaluate(input, c.expr)));
    }
    case 'filter': {
      const keep = truePositions(input, node.predicate);
      return keep.length === input.rows ? input : takeRows(input, keep);
    }
    case 'aggregate': {
      const { frame, groups } = aggregate(input, node, outputSchema(node));
      run.groups += groups;
      run.notes.push(`aggregate over ${input.rows} rows into ${groups} groups via danfo ${groupbyStrategy(node)}`);
      return frame;
    }
    case 'join':
      return merge(input, inputs[1]!, node, outputSchema(node));
    case 'sort':
      return sortValues(input, node.keys);
    case 'limit':
      return head(input, node.count);
    case 'union':
      return concat(inputs, outputSchema(node));
    case 'distinct':
      return dropDuplicates(input);
    case 'latestPerKey':
      return latestPerKey(input, node.keys, node.orderBy);
    default:
      return assertNever(node, 'plan node');
  }
}

function scan(table: string, schema: Schema, tables: ReadonlyMap<string, Frame>, run: PipelineRun): Frame {
  const frame = tables.get(table);
  if (!frame) {
    throw tableNotLoaded(table, tables.keys());
  }
  // The scan's schema picks and orders the columns; danfo data stays where it is.
  const fields = schema.map((f) => {
    const loaded = frame.fields.find((x) => x.name === f.name);
    if (!loaded) throw new EngineError(`table '${table}' has no column '${f.name}'; it has ${frame.fields.map((x) => x.name).join(', ')}`, 'bad-input');
    if (loaded.type !== f.type) {
      throw new EngineError(`column '${table}.${f.name}' was loaded as ${loaded.type} but the plan reads it as ${f.type}`, 'bad-input');
    }
    return loaded;
  });
  run.rowsIn += frame.rows;
  return { fields, rows: frame.rows, df: frame.df };
}
