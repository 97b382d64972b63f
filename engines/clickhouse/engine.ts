// One ClickHouse engine instance: its own database on the backend (chDB or a server), tables loaded from Arrow,
// plans run as one SQL query each. Per-run figures are built in local variables and stored when a run completes.
import type * as arrow from 'apache-arrow';
import { schemaOfTable } from '../../plan/arrow.ts';
import { outputSchema } from '../../plan/schema.ts';
import { walkPlan, type PlanNode } from '../../plan/types.ts';
import { EngineError, NO_METRICS, type Engine, type EngineContext, type EngineMetrics } from '../engine.ts';
import type { ClickHouseBackend } from './backend.ts';
import { firstLine } from './server-backend.ts';
import { MODERN_DIALECT, createTableSql, ident, resultQuery, stringLiteral } from './sql.ts';

let instances = 0;

export class ClickHouseEngine implements Engine {
  private readonly rows = new Map<string, number>();
  private readonly database: string;
  private last: EngineMetrics = NO_METRICS;
  private closed = false;
  private atomic: boolean | null = null;

  constructor(
    private readonly ctx: EngineContext,
    private readonly backend: ClickHouseBackend,
    private readonly tableEngine: string,
  ) {
    // Unique per process and instance: several engines share one chDB session or one server.
    this.database = `enginebench_${process.pid}_${instances++}`;
  }

  /** Create this instance's database; called once by the descriptor's create(). */
  async open(): Promise<void> {
    await this.backend.command(`CREATE DATABASE IF NOT EXISTS ${ident(this.database)}`);
  }

  private qualified(table: string): string {
    return `${ident(this.database)}.${ident(table)}`;
  }

  async load(tables: ReadonlyMap<string, arrow.Table>): Promise<void> {
    this.assertOpen();
    for (const [name, table] of tables) {
      let schema;
      try {
        schema = schemaOfTable(table);
      } catch (err) {
        throw new EngineError(`cannot load table '${name}': ${firstLine(err)}`, 'bad-input');
      }
      const started = this.ctx.now();
      try {
        await this.backend.command(`DROP TABLE IF EXISTS ${this.qualified(name)}`);
        await this.backend.command(createTableSql(this.qualified(name), schema, this.backend.dialect, this.tableEngine));
        await this.backend.insert(this.qualified(name), table, schema, this.ctx.workDir);
      } catch (err) {
        throw new EngineError(`clickhouse could not load table '${name}': ${firstLine(err)}`, 'task-failed');
      }
      this.rows.set(name, table.numRows);
      this.ctx.emit({ type: 'log', message: `clickhouse(${this.backend.kind}): loaded ${name} (${table.numRows} rows) in ${(this.ctx.now() - started).toFixed(1)} ms` });
    }
  }

  async run(plan: PlanNode): Promise<arrow.Table> {
    this.assertOpen();
    const schema = outputSchema(plan);
    this.assertLoaded(plan);
    const sql = resultQuery(plan, (t) => this.qualified(t), this.backend.dialect);
    const t0 = this.ctx.now();
    let result: arrow.Table;
    try {
      result = await this.backend.query(sql, schema);
    } catch (err) {
      throw new EngineError(`clickhouse failed: ${firstLine(err)}`, 'task-failed');
    }
    let rowsIn = 0;
    for (const n of walkPlan(plan)) if (n.kind === 'scan') rowsIn += this.rows.get(n.table) ?? 0;
    this.last = { rowsIn, rowsOut: result.numRows, counters: {}, phasesMs: { query: this.ctx.now() - t0 } };
    return result;
  }

  /**
   * Run the plan into a resident table: `CREATE TABLE name__staging ENGINE = <table engine> AS <query>`, then swap
   * it in — `EXCHANGE TABLES` in an Atomic database (chDB, modern servers: one atomic step), else
   * `RENAME TABLE name TO name__old, name__staging TO name` (Ordinary databases of old servers). A failing query
   * leaves the old table untouched and no staging table behind.
   * @example await engine.materialize(df.plan, 'target') // row count
   */
  async materialize(plan: PlanNode, name: string): Promise<number> {
    this.assertOpen();
    outputSchema(plan);
    this.assertLoaded(plan);
    const staging = this.qualified(`${name}__staging`);
    const t0 = this.ctx.now();
    try {
      await this.backend.command(`DROP TABLE IF EXISTS ${staging}`);
      await this.backend.createTableAs(staging, this.tableEngine, resultQuery(plan, (t) => this.qualified(t), this.backend.dialect));
    } catch (err) {
      await this.backend.command(`DROP TABLE IF EXISTS ${staging}`).catch(() => {});
      throw new EngineError(`clickhouse failed: ${firstLine(err)}`, 'task-failed');
    }
    let rows: number;
    try {
      const counted = await this.backend.query(`SELECT CAST(count() AS Int64) AS n FROM ${staging}`, [{ name: 'n', type: 'int64' }]);
      rows = Number(counted.getChild('n')!.get(0));
      if (!this.rows.has(name)) await this.backend.command(`RENAME TABLE ${staging} TO ${this.qualified(name)}`);
      else if (await this.atomicDatabase()) {
        await this.backend.command(`EXCHANGE TABLES ${staging} AND ${this.qualified(name)}`);
        await this.backend.command(`DROP TABLE ${staging}`);
      } else {
        const old = this.qualified(`${name}__old`);
        await this.backend.command(`DROP TABLE IF EXISTS ${old}`);
        await this.backend.command(`RENAME TABLE ${this.qualified(name)} TO ${old}, ${staging} TO ${this.qualified(name)}`);
        await this.backend.command(`DROP TABLE ${old}`);
      }
    } catch (err) {
      throw new EngineError(`clickhouse could not swap in table '${name}': ${firstLine(err)}`, 'task-failed');
    }
    let rowsIn = 0;
    for (const n of walkPlan(plan)) if (n.kind === 'scan') rowsIn += this.rows.get(n.table) ?? 0;
    this.rows.set(name, rows);
    this.last = { rowsIn, rowsOut: rows, counters: {}, phasesMs: { query: this.ctx.now() - t0 } };
    return rows;
  }

  /** Whether this instance's database is Atomic (EXCHANGE TABLES works); asked once. */
  private async atomicDatabase(): Promise<boolean> {
    if (this.atomic === null) {
      const r = await this.backend.query(`SELECT engine FROM system.databases WHERE name = ${stringLiteral(this.database)}`, [{ name: 'engine', type: 'utf8' }]);
      this.atomic = r.numRows > 0 && String(r.getChild('engine')!.get(0)) === 'Atomic';
    }
    return this.atomic;
  }

  metrics(): EngineMetrics {
    return this.last;
  }

  async explain(plan: PlanNode): Promise<string> {
    this.assertOpen();
    const sql = resultQuery(plan, (t) => this.qualified(t), this.backend.dialect);
    if (this.backend.dialect !== MODERN_DIALECT) return sql;
    try {
      const text = await this.backend.query(`EXPLAIN PLAN ${sql}`, [{ name: 'explain', type: 'utf8' }]);
      const lines = [...text.getChild('explain')!].map(String);
      return `${sql}\n\n${lines.join('\n')}`;
    } catch (err) {
      throw new EngineError(`clickhouse could not explain: ${firstLine(err)}`, 'task-failed');
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.backend.command(`DROP DATABASE IF EXISTS ${ident(this.database)}`);
    } finally {
      await this.backend.close();
    }
  }

  private assertLoaded(plan: PlanNode): void {
    for (const n of walkPlan(plan)) {
      if (n.kind === 'scan' && !this.rows.has(n.table)) {
        throw new EngineError(
          `table '${n.table}' is not loaded; loaded tables: ${[...this.rows.keys()].join(', ') || '(none)'}`,
          'bad-input',
        );
      }
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new EngineError('this clickhouse engine instance is closed; create a new one', 'bad-input');
  }
}
