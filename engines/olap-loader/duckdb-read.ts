// Reading from DuckDB into Arrow for the two DuckDB-backed targets (the database file and DuckDB scanning the
// Parquet lake): whole relations for the read-back check, plans for the follow-up query. Timestamps leave DuckDB
// as epoch-millisecond BIGINTs, which is what the DuckDB engine's result reader expects.
import type * as arrow from 'apache-arrow';
import type { DuckDBConnection } from '@duckdb/node-api';
import { outputSchema } from '../../plan/schema.ts';
import type { PlanNode, Schema } from '../../plan/types.ts';
import { planToSql, quoteIdent } from '../duckdb/sql.ts';
import { resultToArrow } from '../duckdb/result.ts';

/** `SELECT` list delivering `schema`'s columns in the result reader's representation. */
function selectList(schema: Schema): string {
  return schema.map((f) => (f.type === 'timestamp' ? `epoch_ms(${quoteIdent(f.name)}) AS ${quoteIdent(f.name)}` : quoteIdent(f.name))).join(', ');
}

/**
 * Every row of `relation` (SQL text: a table name or a table function call) as Arrow with `schema`.
 * @example await readRelation(connection, 'warehouse.main.transactions', schema)
 */
export async function readRelation(connection: DuckDBConnection, relation: string, schema: Schema): Promise<arrow.Table> {
  return resultToArrow(await connection.run(`SELECT ${selectList(schema)} FROM ${relation}`), schema);
}

/**
 * Run a plan on the connection's current catalog, fully materialised, as Arrow with the plan's output schema.
 * @example await runPlan(connection, revenuePerCountry('transactions', schema).plan)
 */
export async function runPlan(connection: DuckDBConnection, plan: PlanNode): Promise<arrow.Table> {
  const schema = outputSchema(plan);
  return resultToArrow(await connection.run(`SELECT ${selectList(schema)} FROM (${planToSql(plan)}) AS q`), schema);
}
