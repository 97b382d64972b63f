// One Polars engine instance: holds the loaded tables as Polars DataFrames and runs plans as LazyFrames.
// Per-run figures live in a fresh RunState object; the instance only swaps the last one in when a run completes.
import type * as arrow from 'apache-arrow';
import pl from 'nodejs-polars';
import { outputSchema } from '../../plan/schema.ts';
import { walkExprs, walkPlan, type PlanNode } from '../../plan/types.ts';
import { engineClosed, EngineError, NO_METRICS, type Engine, type EngineContext, type EngineMetrics } from '../engine.ts';
import { arrowToPolars, polarsToArrow, polarsType } from './arrow-bridge.ts';
import { toLazyFrame } from './lazy-plan.ts';
import { evaluateUdfs, placeholderUdfs } from './udf.ts';

/** Figures of one run, built up while it runs. */
interface RunState {
  readonly startMs: number;
  readonly phasesMs: Record<string, number>;
}

export class PolarsEngine implements Engine {
  private readonly tables = new Map<string, pl.DataFrame>();
  private last: EngineMetrics = NO_METRICS;
  private closed = false;

  constructor(private readonly ctx: EngineContext) {}

  async load(tables: ReadonlyMap<string, arrow.Table>): Promise<void> {
    this.assertOpen();
    for (const [name, table] of tables) {
      const started = this.ctx.now();
      this.tables.set(name, arrowToPolars(table));
      this.ctx.emit({ type: 'log', message: `polars: loaded ${name} (${table.numRows} rows) in ${(this.ctx.now() - started).toFixed(1)} ms` });
    }
  }

  async run(plan: PlanNode): Promise<arrow.Table> {
    this.assertOpen();
    const schema = outputSchema(plan);
    const state: RunState = { startMs: this.ctx.now(), phasesMs: {} };
    const phase = <T>(name: string, work: () => T): T => {
      const t0 = this.ctx.now();
      try {
        return work();
      } finally {
        state.phasesMs[name] = (state.phasesMs[name] ?? 0) + (this.ctx.now() - t0);
      }
    };
    try {
      const lazy = phase('plan', () => toLazyFrame(plan, { tables: this.tables, udfs: evaluateUdfs }));
      const t0 = this.ctx.now();
      // collect() runs on Polars' own thread pool without blocking the event loop; the result is fully in memory.
      const collected = await lazy.collect();
      state.phasesMs.collect = this.ctx.now() - t0;
      const result = phase('toArrow', () => polarsToArrow(collected, schema));
      this.last = {
        rowsIn: this.rowsScanned(plan),
        rowsOut: result.numRows,
        counters: {},
        phasesMs: { ...state.phasesMs },
      };
      return result;
    } catch (err) {
      throw asEngineError(err);
    }
  }

  /**
   * Keep the plan's collected result as the DataFrame `name`: the state never leaves Polars' memory. The map entry
   * is replaced only after collect() succeeded, so a failure leaves the old frame. Columns are cast to the plan's
   * types, as a load would store them.
   * @example await engine.materialize(df.plan, 'target') // row count
   */
  async materialize(plan: PlanNode, name: string): Promise<number> {
    this.assertOpen();
    const started = this.ctx.now();
    try {
      const schema = outputSchema(plan);
      const collected = await toLazyFrame(plan, { tables: this.tables, udfs: evaluateUdfs }).collect();
      const typed = collected.select(...schema.map((f) => pl.col(f.name).cast(polarsType(f.type))));
      const rowsIn = this.rowsScanned(plan);
      this.tables.set(name, typed);
      this.last = { rowsIn, rowsOut: typed.height, counters: {}, phasesMs: { collect: this.ctx.now() - started } };
      return typed.height;
    } catch (err) {
      throw asEngineError(err);
    }
  }

  metrics(): EngineMetrics {
    return this.last;
  }

  async explain(plan: PlanNode): Promise<string> {
    this.assertOpen();
    try {
      const lazy = toLazyFrame(plan, { tables: this.tables, udfs: placeholderUdfs });
      const udfNote = walkExprs(plan).some((e) => e.kind === 'udf')
        ? '\n-- __udf_N columns: UDF results, computed eagerly in JS before the rest of the plan runs (see udf.ts)'
        : '';
      return `${lazy.describeOptimizedPlan()}${udfNote}`;
    } catch (err) {
      throw asEngineError(err);
    }
  }

  async close(): Promise<void> {
    // Polars frees a DataFrame's Rust memory when its JS handle is garbage collected; dropping them is all we can do.
    this.tables.clear();
    this.closed = true;
  }

  private rowsScanned(plan: PlanNode): number {
    let rows = 0;
    for (const n of walkPlan(plan)) if (n.kind === 'scan') rows += this.tables.get(n.table)?.height ?? 0;
    return rows;
  }

  private assertOpen(): void {
    if (this.closed) throw engineClosed('polars');
  }
}

/** Polars reports failures as plain Errors with multi-line text; the harness wants one line. */
function asEngineError(err: unknown): EngineError {
  if (err instanceof EngineError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new EngineError(`polars failed: ${message.split('\n').find((l) => l.trim() !== '') ?? message}`, 'task-failed');
}
