// One ClickHouse engine instance: its own database on the backend (chDB or a server), tables loaded from Arrow,
// plans run as one SQL query each, JavaScript UDFs installed first as executable UDFs (chDB only).
// Per-run figures are built in local variables and stored when a run completes.
import type * as arrow from 'apache-arrow';
import { schemaOfTable } from '../../plan/arrow.ts';
import { outputSchema, typeOf } from '../../plan/schema.ts';
import { childrenOf, exprChildren, exprsOf, walkPlan, type Expr, type PlanNode, type ScalarUdf } from '../../plan/types.ts';
import { engineClosed, tableNotLoaded, EngineError, NO_METRICS, type Engine, type EngineContext, type EngineMetrics } from '../engine.ts';
import type { ClickHouseBackend } from './backend.ts';
import { UdfSourceError } from './executable-udf.ts';
import { firstLine } from './backend.ts';
import { MODERN_DIALECT, createTableSql, ident, resultQuery, stringLiteral, type UdfNames } from './sql.ts';

let instances = 0;

/**
 * The first line of ClickHouse's error; when a UDF script failed, the script's own message (which ClickHouse
 * quotes after `Stderr:`, e.g. "UDF 'f' threw: …") comes first, as it says what went wrong.
 */
function queryFailure(err: unknown): string {
  const line = firstLine(err);
  const udf = /User defined function '([^']+)' failed\..*?Stderr: (.+?)\s*$/.exec(line);
  return udf ? `${udf[2]} (in ClickHouse executable UDF ${udf[1]})` : line;
}

/** A UDF expression and the plan node holding it. */
interface FoundUdf {
  readonly udf: ScalarUdf;
  readonly node: PlanNode;
}

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
    const udfs = this.udfsOf(plan);
    this.assertLoaded(plan);
    const sql = resultQuery(plan, (t) => this.qualified(t), this.backend.dialect, await this.installUdfs(udfs));
    const t0 = this.ctx.now();
    let result: arrow.Table;
    try {
      result = await this.backend.query(sql, schema);
    } catch (err) {
      throw new EngineError(`clickhouse failed: ${queryFailure(err)}`, 'task-failed');
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
    const found = this.udfsOf(plan);
    this.assertLoaded(plan);
    const udfs = await this.installUdfs(found);
    const staging = this.qualified(`${name}__staging`);
    const t0 = this.ctx.now();
    try {
      await this.backend.command(`DROP TABLE IF EXISTS ${staging}`);
      await this.backend.createTableAs(staging, this.tableEngine, resultQuery(plan, (t) => this.qualified(t), this.backend.dialect, udfs));
    } catch (err) {
      await this.backend.command(`DROP TABLE IF EXISTS ${staging}`).catch(() => {});
      throw new EngineError(`clickhouse failed: ${queryFailure(err)}`, 'task-failed');
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

  /**
   * The plan's UDFs, each with the plan node that holds it (its arguments are typed over that node's input).
   * A backend that cannot run them refuses the plan here, before anything is sent to ClickHouse.
   */
  private udfsOf(plan: PlanNode): FoundUdf[] {
    const found: FoundUdf[] = [];
    for (const node of walkPlan(plan)) {
      const visit = (e: Expr): void => {
        if (e.kind === 'udf') found.push({ udf: e, node });
        exprChildren(e).forEach(visit);
      };
      exprsOf(node).forEach(visit);
    }
    if (found.length > 0 && !this.backend.udfs) {
      throw new EngineError(
        `clickhouse on a server cannot run the JavaScript UDF '${found[0]!.udf.name}': ClickHouse executes UDFs from the server's own user_scripts_path, which this client cannot write to; run it on embedded chDB (no --clickhouse-url)`,
        'unsupported',
      );
    }
    return found;
  }

  /** Install the UDFs as executable UDFs and name them for the SQL translation; undefined when there are none. */
  private async installUdfs(found: readonly FoundUdf[]): Promise<UdfNames | undefined> {
    const installer = this.backend.udfs;
    if (found.length === 0 || !installer) return undefined;
    const names = new Map<ScalarUdf, string>();
    for (const { udf, node } of found) {
      const input = outputSchema(childrenOf(node)[0]!);
      try {
        names.set(udf, await installer.register(udf, udf.args.map((a) => typeOf(a, input))));
      } catch (err) {
        throw new EngineError(`clickhouse could not install the UDF '${udf.name}': ${firstLine(err)}`, err instanceof UdfSourceError ? 'bad-input' : 'task-failed');
      }
    }
    return (udf) => {
      const name = names.get(udf);
      if (!name) throw new Error(`internal: UDF '${udf.name}' was not installed`);
      return name;
    };
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
    const sql = resultQuery(plan, (t) => this.qualified(t), this.backend.dialect, await this.installUdfs(this.udfsOf(plan)));
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
        throw tableNotLoaded(n.table, this.rows.keys());
      }
    }
  }

  private assertOpen(): void {
    if (this.closed) throw engineClosed('clickhouse');
  }
}
