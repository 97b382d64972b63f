// The PySpark-style user API of the DAG engine: a session, lazy DataFrames wrapping the shared plan builder,
// actions that run jobs, cache(), temp views and SQL, and UDF registration. What a student writes in a lab.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { schemaOfTable, tableFromRows, tableToRows } from '../../plan/arrow.ts';
import { avg, count, max, min, udf as makeUdf, type AggregateColumn, type Column, type ColumnLike, type UserDefinedFunction } from '../../plan/column.ts';
import { DataFrame as PlanFrame, type JoinOn, type SortSpec } from '../../plan/dataframe.ts';
import { isNumeric } from '../../plan/schema.ts';
import type { DataType, LiteralValue, PlanNode, Schema } from '../../plan/types.ts';
import type { EngineContext, EngineEvent } from '../engine.ts';
import { csvToTable } from './csv.ts';
import { createDagEngine, type DagEngine } from './index.ts';
import { sqlToDataFrame } from './sql.ts';

/**
 * Builds a Session, as SparkSession.builder does.
 * @example const spark = await Session.builder().appName('lab1').config('dag.workers', 2).getOrCreate();
 */
export class SessionBuilder {
  private name = 'enginebench';
  private readonly conf: Record<string, string | number | boolean> = {};
  private events: ((e: EngineEvent) => void) | undefined;

  appName(name: string): this {
    this.name = name;
    return this;
  }
  /** An engine option, e.g. `config('dag.workers', 2)` or `config('dag.udfMode', 'isolated')`. */
  config(key: string, value: string | number | boolean): this {
    this.conf[key] = value;
    return this;
  }
  /** Receive scheduler events (task start/end, shuffles, logs). */
  onEvent(listener: (e: EngineEvent) => void): this {
    this.events = listener;
    return this;
  }
  /** Start the executors (worker threads) and return the session. */
  async getOrCreate(): Promise<Session> {
    const ctx: EngineContext = {
      workDir: mkdtempSync(join(tmpdir(), 'dag-session-')),
      seed: 0,
      now: () => performance.now(),
      emit: this.events ?? (() => {}),
      options: this.conf,
      memoryBudgetBytes: 4 * 1024 ** 3,
    };
    return new Session(this.name, await createDagEngine(ctx));
  }
}

/** UDFs callable from SQL (PySpark's spark.udf). */
export class UdfRegistry {
  private readonly fns = new Map<string, UserDefinedFunction>();
  /**
   * @example spark.udf.register('shout', (s: string | null) => s === null ? null : s.toUpperCase() + '!', 'utf8')
   */
  register(name: string, fn: (...args: any[]) => LiteralValue, returnType: DataType): UserDefinedFunction {
    const u = makeUdf(fn, returnType, name);
    this.fns.set(name.toLowerCase(), u);
    return u;
  }
  get(name: string): UserDefinedFunction | undefined {
    return this.fns.get(name.toLowerCase());
  }
}

/** session.read: CSV and Arrow IPC files. */
export class DataFrameReader {
  constructor(private readonly session: Session) {}
  /** @example spark.read.csv('data/retail.csv', { header: true, inferSchema: true }) */
  csv(path: string, options: { header?: boolean; inferSchema?: boolean } = {}): DataFrame {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new Error(`cannot read CSV file '${path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    try {
      return this.session.fromArrow(csvToTable(text, options));
    } catch (e) {
      throw new Error(`cannot parse CSV file '${path}': ${(e as Error).message}`);
    }
  }
  /** An Arrow IPC file (stream or file format). */
  arrow(path: string): DataFrame {
    let table: arrow.Table;
    try {
      table = arrow.tableFromIPC(readFileSync(path));
    } catch (e) {
      throw new Error(`cannot read Arrow IPC file '${path}': ${(e as Error).message}`);
    }
    return this.session.fromArrow(table);
  }
}

/**
 * A Spark-like session over the DAG engine.
 * @example
 *   const spark = await Session.builder().appName('example').getOrCreate();
 *   const df = spark.createDataFrame([{ k: 'a', v: 1 }], [{ name: 'k', type: 'utf8' }, { name: 'v', type: 'int32' }]);
 *   df.createOrReplaceTempView('t');
 *   console.log(await spark.sql('SELECT k, SUM(v) AS s FROM t GROUP BY k').show());
 *   await spark.stop();
 */
export class Session {
  readonly read = new DataFrameReader(this);
  readonly udf = new UdfRegistry();
  private readonly views = new Map<string, PlanFrame>();
  private readonly pending = new Map<string, arrow.Table>();
  /** cache() marks: plan node → cache id (partitions kept by the engine's block manager). */
  readonly cached = new Map<PlanNode, { cacheId: number }>();
  private nextTable = 0;

  constructor(
    readonly appName: string,
    readonly engine: DagEngine,
  ) {}

  static builder(): SessionBuilder {
    return new SessionBuilder();
  }

  /** A DataFrame from row objects with an explicit schema (values as ARROW_TYPE_OF documents; Dates allowed). */
  createDataFrame(rows: readonly Readonly<Record<string, unknown>>[], schema: Schema): DataFrame {
    return this.fromArrow(tableFromRows(schema, rows));
  }

  /** Register an in-memory table; it is shipped to the executors before the next action. */
  fromArrow(table: arrow.Table): DataFrame {
    const name = `__df${this.nextTable++}`;
    this.pending.set(name, table);
    return new DataFrame(this, new PlanFrame({ kind: 'scan', table: name, schema: schemaOfTable(table) }));
  }

  registerView(name: string, df: PlanFrame): void {
    this.views.set(name, df);
  }

  /** A temp view as a DataFrame. */
  table(name: string): DataFrame {
    return new DataFrame(this, this.view(name));
  }

  private view(name: string): PlanFrame {
    const v = this.views.get(name);
    if (!v) throw new Error(`table or view '${name}' not found; create it with df.createOrReplaceTempView('${name}') (views: ${[...this.views.keys()].join(', ') || 'none'})`);
    return v;
  }

  /** Run SQL over temp views; the result is a lazy DataFrame like any other. */
  sql(query: string): DataFrame {
    return new DataFrame(this, sqlToDataFrame(query, { view: (n) => this.view(n), udf: (n) => this.udf.get(n) }));
  }

  /** Run a plan (shipping pending tables first), honouring cache() marks. */
  async execute(plan: PlanNode): Promise<arrow.Table> {
    await this.shipPending();
    return (await this.engine.execute(plan, { cache: this.cached })).table;
  }

  /** Ship tables created since the last action to the executors. */
  async shipPending(): Promise<void> {
    if (this.pending.size === 0) return;
    const tables = new Map(this.pending);
    this.pending.clear();
    await this.engine.load(tables);
  }

  async stop(): Promise<void> {
    await this.engine.close();
  }
}

/** groupBy() on a session DataFrame. */
export class GroupedData {
  constructor(
    private readonly session: Session,
    private readonly inner: ReturnType<PlanFrame['groupBy']>,
  ) {}
  agg(...aggs: AggregateColumn[]): DataFrame {
    return new DataFrame(this.session, this.inner.agg(...aggs));
  }
  count(): DataFrame {
    return new DataFrame(this.session, this.inner.count());
  }
  sum(...cols: string[]): DataFrame {
    return new DataFrame(this.session, this.inner.sum(...cols));
  }
  avg(...cols: string[]): DataFrame {
    return new DataFrame(this.session, this.inner.avg(...cols));
  }
  min(...cols: string[]): DataFrame {
    return new DataFrame(this.session, this.inner.min(...cols));
  }
  max(...cols: string[]): DataFrame {
    return new DataFrame(this.session, this.inner.max(...cols));
  }
}

/**
 * A lazy DataFrame bound to a session: transformations wrap the shared plan builder (plan/dataframe.ts);
 * actions (show, collect, count, describe) run a job.
 */
export class DataFrame {
  constructor(
    readonly session: Session,
    readonly df: PlanFrame,
  ) {}

  get plan(): PlanNode {
    return this.df.plan;
  }
  get schema(): Schema {
    return this.df.schema;
  }
  get columns(): string[] {
    return this.df.columns;
  }
  private wrap(df: PlanFrame): DataFrame {
    return new DataFrame(this.session, df);
  }

  select(...cols: ColumnLike[]): DataFrame {
    return this.wrap(this.df.select(...cols));
  }
  filter(condition: Column): DataFrame {
    return this.wrap(this.df.filter(condition));
  }
  where(condition: Column): DataFrame {
    return this.filter(condition);
  }
  withColumn(name: string, value: Column): DataFrame {
    return this.wrap(this.df.withColumn(name, value));
  }
  withColumnRenamed(existing: string, renamed: string): DataFrame {
    return this.wrap(this.df.withColumnRenamed(existing, renamed));
  }
  drop(...cols: string[]): DataFrame {
    return this.wrap(this.df.drop(...cols));
  }
  dropna(subset?: readonly string[]): DataFrame {
    return this.wrap(this.df.dropna(subset));
  }
  groupBy(...keys: string[]): GroupedData {
    return new GroupedData(this.session, this.df.groupBy(...keys));
  }
  agg(...aggs: AggregateColumn[]): DataFrame {
    return this.wrap(this.df.agg(...aggs));
  }
  join(other: DataFrame, on: JoinOn, how: 'inner' | 'left' = 'inner'): DataFrame {
    return this.wrap(this.df.join(other.df, on, how));
  }
  orderBy(...keys: SortSpec[]): DataFrame {
    return this.wrap(this.df.orderBy(...keys));
  }
  sort(...keys: SortSpec[]): DataFrame {
    return this.orderBy(...keys);
  }
  limit(n: number): DataFrame {
    return this.wrap(this.df.limit(n));
  }
  union(...others: DataFrame[]): DataFrame {
    return this.wrap(this.df.union(...others.map((o) => o.df)));
  }
  distinct(): DataFrame {
    return this.wrap(this.df.distinct());
  }

  /** Keep this DataFrame's partitions in memory after the first action that computes them. */
  cache(): DataFrame {
    if (!this.session.cached.has(this.plan)) this.session.cached.set(this.plan, { cacheId: this.session.cached.size });
    return this;
  }
  persist(): DataFrame {
    return this.cache();
  }
  /** Forget the cached partitions. */
  unpersist(): DataFrame {
    const entry = this.session.cached.get(this.plan);
    if (entry) {
      this.session.engine.uncache(entry.cacheId);
      this.session.cached.delete(this.plan);
    }
    return this;
  }

  createOrReplaceTempView(name: string): void {
    this.session.registerView(name, this.df);
  }

  /** Action: the whole result as an Arrow table. */
  toArrow(): Promise<arrow.Table> {
    return this.session.execute(this.plan);
  }
  /** Action: the rows as plain objects. */
  async collect(): Promise<Record<string, LiteralValue>[]> {
    return tableToRows(await this.toArrow());
  }
  /** Action: the number of rows. */
  async count(): Promise<number> {
    const rows = await this.wrap(this.df.agg(count().alias('count'))).collect();
    return Number(rows[0]!.count);
  }
  /** Action: the first n rows as a text table (also printed unless `print` is false). */
  async show(n = 20, print = true): Promise<string> {
    const rows = await this.wrap(this.df.limit(n)).collect();
    const text = formatTable(this.columns, rows);
    if (print) console.log(text);
    return text;
  }
  /** Action: count, mean, min and max of each numeric column (Spark's describe), as a DataFrame's rows. */
  async describe(): Promise<Record<string, LiteralValue>[]> {
    const numeric = this.schema.filter((f) => isNumeric(f.type)).map((f) => f.name);
    const aggs = numeric.flatMap((c) => [count(c).alias(`count:${c}`), avg(c).alias(`mean:${c}`), min(c).alias(`min:${c}`), max(c).alias(`max:${c}`)]);
    if (aggs.length === 0) return [];
    const [stats] = await this.wrap(this.df.agg(...aggs)).collect();
    return ['count', 'mean', 'min', 'max'].map((s) => ({ summary: s, ...Object.fromEntries(numeric.map((c) => [c, stats![`${s}:${c}`]!])) }));
  }
  /** The logical, optimized and physical plans (with stages). */
  async explain(): Promise<string> {
    await this.session.shipPending();
    return this.session.engine.explain(this.plan);
  }
}

function formatTable(columns: readonly string[], rows: readonly Record<string, LiteralValue>[]): string {
  const cell = (v: LiteralValue) => (v === null ? 'NULL' : String(v));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]!).length)));
  const line = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+`;
  const fmt = (vals: string[]) => `| ${vals.map((v, i) => v.padEnd(widths[i]!)).join(' | ')} |`;
  return [line, fmt([...columns]), line, ...rows.map((r) => fmt(columns.map((c) => cell(r[c]!)))), line].join('\n');
}

export { makeUdf as udf };
