// Join + aggregate: the Spark SQL demo's "average amount per product category" with items LEFT JOIN orders.
import { avg, col } from '../../plan/index.ts';
import type { QueryScenario } from '../scenario.ts';

export const joinAggregate: QueryScenario = {
  kind: 'query',
  name: 'join-aggregate',
  title: 'Average order amount per product category (left join + group-by)',
  teaches:
    'SELECT category, AVG(price * quantity) FROM products LEFT JOIN transactions USING (stock_code) GROUP BY ' +
    'category. A small dimension table joined with a large fact table: a shuffle join moves both sides across the ' +
    'network (or disk), a broadcast join ships the small table to every task and moves nothing else. Categories ' +
    'whose products never sold still appear, with a NULL average, because the join keeps every product.',
  suite: 'foundation',
  data: { dataset: 'retail' },
  tables: ['transactions', 'products'],
  // The dataframe engine (danfo) needs ~1.2 s per run at 1e5 rows: 5e4 keeps its cell within ~10 s.
  sizes: { bench: [50_000, 1_000_000], test: 5_000, benchCap: { dataframe: 50_000, mapreduce: 50_000 } },
  build: (table) =>
    table('products')
      .join(table('transactions').withColumn('amount', col('price').multiply(col('quantity'))), 'stock_code', 'left')
      .groupBy('category')
      .agg(avg('amount').alias('avg_amount')),
};
