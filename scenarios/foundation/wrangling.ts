// Data wrangling: the PySpark DataFrame demo's cleaning chain, ending in total spent per invoice.
import { col, desc, sum } from '../../plan/index.ts';
import type { QueryScenario } from '../scenario.ts';

export const wrangling: QueryScenario = {
  kind: 'query',
  name: 'wrangling',
  title: 'Clean the retail transactions and total each invoice (wrangling chain)',
  teaches:
    'Add amount = price × quantity, rename invoice to id, drop the description, drop rows with any NULL, keep ' +
    'quantity > 0 (returns have negative quantities), then total the amount per id in descending order. Each step ' +
    'is a new immutable DataFrame; a lazy engine fuses the narrow steps into one pass and only materialises at the ' +
    'shuffle for the group-by, an eager one materialises a full copy after every step. Dropping NULLs after the ' +
    'drop matters: description is often missing, and dropping it first keeps those rows.',
  suite: 'foundation',
  data: { dataset: 'retail' },
  tables: ['transactions'],
  // Invoices grow with rows and danfo's groupby costs groups² (TIMEOUT at 1e5): 1e4 keeps its cell within ~10 s.
  sizes: { bench: [10_000, 1_000_000], test: 5_000, benchCap: { dataframe: 10_000, mapreduce: 10_000 } },
  build: (table) =>
    table('transactions')
      .withColumn('amount', col('price').multiply(col('quantity')))
      .withColumnRenamed('invoice', 'id')
      .drop('description')
      .dropna()
      .filter(col('quantity').gt(0))
      .groupBy('id')
      .agg(sum('amount').alias('total'))
      .orderBy(desc('total'), 'id'),
};
