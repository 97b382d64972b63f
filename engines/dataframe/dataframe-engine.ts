// The dataframe engine's instance: the whole dataset lives in one process's memory as danfo DataFrames; a plan
// runs eagerly, one materialised frame per step; a memory budget refuses up front.
import type * as arrow from 'apache-arrow';
import { PlanError, outputSchema } from '../../plan/schema.ts';
import { schemaOfTable } from '../../plan/arrow.ts';
import type { PlanNode } from '../../plan/types.ts';
import { engineClosed, EngineError, NO_METRICS, unsupportedReason, type Engine, type EngineContext, type EngineMetrics } from '../engine.ts';
import { dataframeEngine } from './index.ts';
import { explainPipeline } from './explain.ts';
import { UdfTypeError } from './expressions.ts';
import { frameFromArrow, frameToArrow, type Frame } from './frame.ts';
import { assertFits, estimateBytes, formatGiB } from './memory-model.ts';
import { PipelineRun, execute } from './pipeline.ts';

export class DataframeEngine implements Engine {
  private readonly tables = new Map<string, Frame>();
  private readonly arrowTables = new Map<string, arrow.Table>();
  private last: EngineMetrics = NO_METRICS;
  private closed = false;

  constructor(private readonly ctx: EngineContext) {}

  async load(tables: ReadonlyMap<string, arrow.Table>): Promise<void> {
    this.assertOpen();
    // Budget the whole resident set: tables kept from earlier loads plus the new ones (replacing same names).
    const resident = new Map(this.arrowTables);
    for (const [name, t] of tables) resident.set(name, t);
    const needed = estimateBytes(resident.values());
    const rows = [...resident.values()].reduce((s, t) => s + t.numRows, 0);
    const cells = [...resident.values()].reduce((s, t) => s + t.numRows * t.numCols, 0);
    assertFits(needed, this.ctx.memoryBudgetBytes, `${rows} rows (${cells} cells) in ${resident.size} table(s)`);
    const frames = new Map<string, Frame>();
    for (const [name, table] of tables) {
      let schema;
      try {
        schema = schemaOfTable(table);
      } catch (e) {
        throw new EngineError(`table '${name}': ${(e as Error).message}`, 'bad-input');
      }
      frames.set(name, frameFromArrow(table, schema));
    }
    // Only now, with every table converted, do they become visible: a failed load leaves the engine as it was.
    for (const [name, frame] of frames) {
      this.tables.set(name, frame);
      this.arrowTables.set(name, tables.get(name)!);
    }
    this.ctx.emit({ type: 'log', message: `dataframe: loaded ${tables.size} table(s), estimated ${formatGiB(needed)} GiB of ${formatGiB(this.ctx.memoryBudgetBytes)} GiB budget` });
  }

  async run(plan: PlanNode): Promise<arrow.Table> {
    this.assertOpen();
    let schema;
    try {
      schema = outputSchema(plan);
    } catch (e) {
      throw new EngineError(`invalid plan: ${(e as Error).message}`, 'bad-input');
    }
    const reason = unsupportedReason(dataframeEngine, plan);
    if (reason) throw new EngineError(reason, 'unsupported');
    const run = new PipelineRun(this.ctx.now, this.ctx.emit, this.ctx.now());
    try {
      const frame = execute(plan, this.tables, run);
      const result = frameToArrow(frame, schema);
      this.last = {
        rowsIn: run.rowsIn,
        rowsOut: result.numRows,
        counters: { steps: run.steps, cellsMaterialised: run.cellsMaterialised, groups: run.groups },
        phasesMs: run.phasesMs,
        timeline: run.timeline,
        notes: run.notes,
      };
      return result;
    } catch (e) {
      if (e instanceof EngineError) throw e;
      if (e instanceof PlanError || e instanceof UdfTypeError) throw new EngineError((e as Error).message, 'bad-input');
      throw new EngineError(`dataframe engine failed: ${(e as Error).message?.split('\n')[0] ?? String(e)}`, 'task-failed');
    }
  }

  metrics(): EngineMetrics {
    return this.last;
  }

  async explain(plan: PlanNode): Promise<string> {
    return explainPipeline(plan);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.tables.clear();
    this.arrowTables.clear();
  }

  private assertOpen(): void {
    if (this.closed) throw engineClosed('dataframe');
  }
}
