// One in-process DuckDB database (in memory) behind the Engine contract: load Arrow tables, translate each plan
// to SQL, run it to a fully materialised result and read that back as Arrow with the plan's exact schema.
import * as arrow from 'apache-arrow';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { outputSchema, PlanError } from '../../plan/schema.ts';
import { childrenOf, exprChildren, exprsOf, walkPlan, type Expr, type PlanNode, type Schema } from '../../plan/types.ts';
import { engineClosed, tableNotLoaded, EngineError, NO_METRICS, type Engine, type EngineContext, type EngineMetrics } from '../engine.ts';
import { ingestTable } from './ingest.ts';
import { resultToArrow } from './result.ts';
import { planToSql, quoteIdent, SQL_TYPE } from './sql.ts';
import { UdfRegistry } from './udf.ts';
import { threadsOf } from './options.ts';

export { threadsOf } from './options.ts';


/** DuckDB's error text → an EngineError with a code the harness can mark the cell with. */
function engineErrorOf(e: unknown, what: string): EngineError {
  if (e instanceof EngineError) return e;
  if (e instanceof PlanError) return new EngineError(`invalid plan: ${e.message}`, 'bad-input');
  const message = String((e as Error)?.message ?? e).split('\n')[0]!;
  return new EngineError(`duckdb ${what} failed: ${message}`, /out of memory/i.test(message) ? 'out-of-memory' : 'task-failed');
}

export class DuckDBEngine implements Engine {
  private readonly tables = new Map<string, { readonly schema: Schema; readonly rows: number }>();
  private readonly udfs: UdfRegistry;
  private lastMetrics: EngineMetrics = NO_METRICS;
  private closed = false;

  private constructor(
    private readonly ctx: EngineContext,
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {
    this.udfs = new UdfRegistry(connection);
  }

  static async create(ctx: EngineContext): Promise<DuckDBEngine> {
    const config: Record<string, string> = { threads: String(threadsOf(ctx.options)) };
    if (ctx.workDir) config['temp_directory'] = ctx.workDir;
    const limit = ctx.options['duckdb.memoryLimit'];
    if (limit !== undefined) config['memory_limit'] = String(limit);
    try {
      const instance = await DuckDBInstance.create(':memory:', config);
      return new DuckDBEngine(ctx, instance, await instance.connect());
    } catch (e) {
      throw new EngineError(`cannot start DuckDB: ${String((e as Error).message).split('\n')[0]}`, 'unavailable');
    }
  }

  async load(tables: ReadonlyMap<string, arrow.Table>): Promise<void> {
    this.assertOpen();
    for (const [name, table] of tables) {
      const schema = await ingestTable(this.connection, name, table);
      this.tables.set(name, { schema, rows: table.numRows });
    }
  }

  async run(plan: PlanNode): Promise<arrow.Table> {
    const { sql, schema } = this.prepare(plan);
    const started = this.ctx.now();
    let result;
    try {
      result = await this.connection.run(sql);
    } catch (e) {
      throw engineErrorOf(e, 'query');
    }
    const executed = this.ctx.now();
    const table = resultToArrow(result, schema);
    const done = this.ctx.now();
    const rowsIn = walkPlan(plan).reduce((n, node) => n + (node.kind === 'scan' ? this.tables.get(node.table)!.rows : 0), 0);
    this.lastMetrics = {
      rowsIn,
      rowsOut: table.numRows,
      counters: { resultChunks: result.chunkCount },
      phasesMs: { execute: executed - started, toArrow: done - executed },
    };
    return table;
  }

  /**
   * Run the plan into a resident table: one `CREATE OR REPLACE TABLE name AS SELECT ...` statement. DuckDB runs
   * it as one transaction, so on failure the old table (if any) is still there, and the plan may read `name`
   * itself (the old version is read, then replaced). Columns are cast to the plan's exact types.
   * @example await engine.materialize(table('target', s).union(table('changes', s)).plan, 'target') // row count
   */
  async materialize(plan: PlanNode, name: string): Promise<number> {
    const { inner, schema } = this.prepareInner(plan);
    const cols = schema.map((f) => `CAST(${quoteIdent(f.name)} AS ${SQL_TYPE[f.type]}) AS ${quoteIdent(f.name)}`);
    const started = this.ctx.now();
    let rows: number;
    try {
      const reader = await this.connection.runAndReadAll(`CREATE OR REPLACE TABLE ${quoteIdent(name)} AS SELECT ${cols.join(', ')} FROM (\n${inner}\n) AS result`);
      rows = Number(reader.getRows()[0]?.[0] ?? 0);
    } catch (e) {
      throw engineErrorOf(e, 'materialize');
    }
    const rowsIn = walkPlan(plan).reduce((n, node) => n + (node.kind === 'scan' ? this.tables.get(node.table)!.rows : 0), 0);
    this.tables.set(name, { schema, rows });
    this.lastMetrics = { rowsIn, rowsOut: rows, counters: {}, phasesMs: { execute: this.ctx.now() - started } };
    return rows;
  }

  metrics(): EngineMetrics {
    return this.lastMetrics;
  }

  async explain(plan: PlanNode): Promise<string> {
    const { sql } = this.prepare(plan);
    try {
      const reader = await this.connection.runAndReadAll(`EXPLAIN ${sql}`);
      return reader
        .getRows()
        .map((row) => String(row[1]))
        .join('\n');
    } catch (e) {
      throw engineErrorOf(e, 'explain');
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.connection.closeSync();
    this.instance.closeSync();
  }

  /**
   * Validate the plan against the loaded tables, register its UDFs and build the SQL to run. The outer SELECT
   * turns timestamps into epoch-ms BIGINTs so the result reader copies them without per-value conversion.
   */
  private prepare(plan: PlanNode): { sql: string; schema: Schema } {
    const { inner, schema } = this.prepareInner(plan);
    // WARNING: a projection over an ordered subquery keeps its order in DuckDB (insertion order is preserved by
    // projections); the ordered-result tests guard this.
    const cols = schema.map((f) => (f.type === 'timestamp' ? `epoch_ms(${quoteIdent(f.name)}) AS ${quoteIdent(f.name)}` : quoteIdent(f.name)));
    const indented = inner
      .split('\n')
      .map((l) => `  ${l}`)
      .join('\n');
    return { sql: `SELECT ${cols.join(', ')}\nFROM (\n${indented}\n) AS result`, schema };
  }

  /** Validate the plan against the loaded tables, register its UDFs and translate it to SQL. */
  private prepareInner(plan: PlanNode): { inner: string; schema: Schema } {
    this.assertOpen();
    let schema: Schema;
    try {
      schema = outputSchema(plan);
    } catch (e) {
      throw engineErrorOf(e, 'plan');
    }
    for (const node of walkPlan(plan)) {
      if (node.kind !== 'scan') continue;
      const loaded = this.tables.get(node.table);
      if (!loaded) throw tableNotLoaded(node.table, this.tables.keys());
      for (const f of node.schema) {
        const actual = loaded.schema.find((g) => g.name === f.name);
        if (!actual || actual.type !== f.type) {
          throw new EngineError(
            `table '${node.table}' has ${actual ? `column '${f.name}' of type ${actual.type}` : `no column '${f.name}'`}, the plan expects ${f.name}: ${f.type}`,
            'bad-input',
          );
        }
      }
    }
    this.registerUdfs(plan);
    return { inner: planToSql(plan, { udfName: (u) => this.udfs.nameOf(u) }), schema };
  }

  /** Every UDF is registered with its argument types over the input of the node that holds it. */
  private registerUdfs(plan: PlanNode): void {
    for (const node of walkPlan(plan)) {
      const direct = exprsOf(node);
      if (direct.length === 0) continue;
      const input = outputSchema(childrenOf(node)[0]!);
      const visit = (e: Expr): void => {
        if (e.kind === 'udf') this.udfs.register(e, input);
        exprChildren(e).forEach(visit);
      };
      direct.forEach(visit);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw engineClosed('duckdb');
  }
}
