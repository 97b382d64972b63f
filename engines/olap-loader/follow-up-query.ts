// The analytical query run on the loaded data, the same for every target: revenue per country,
// SELECT country, sum(quantity * price) AS amount FROM transactions GROUP BY country.
// Written once as a plan (DuckDB targets run planToSql of it; the oracle runs it on the source) and once in
// PostgreSQL's dialect, which the tests hold equal to the plan's result.
import { col, sum, table } from '../../plan/index.ts';
import type { PlanNode, Schema } from '../../plan/types.ts';

export interface FollowUpQuery {
  /** The query as a logical plan scanning the loaded table. */
  readonly plan: PlanNode;
  /** The same query for PostgreSQL, reading `relation` (a quoted, schema-qualified name). */
  postgresSql(relation: string): string;
}

/**
 * Revenue per country over the loaded `transactions` rows: a full scan of three columns plus a group-by, the
 * shape of query a column store is built for (and the one that pays for many small files).
 * @example const q = revenuePerCountry('transactions', schemaOfTable(source)); await session.query(q)
 */
export function revenuePerCountry(tableName: string, schema: Schema): FollowUpQuery {
  const plan = table(tableName, schema)
    .groupBy('country')
    .agg(sum(col('quantity').multiply(col('price'))).alias('amount')).plan;
  return {
    plan,
    // integer * double precision is double precision; sum of double is double: the plan's float64.
    postgresSql: (relation) => `SELECT country, sum(quantity * price) AS amount FROM ${relation} GROUP BY country`,
  };
}
