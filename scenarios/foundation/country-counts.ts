// Count per country in descending order: the demo's groupBy().count().orderBy(desc) pattern.
import { count, desc } from '../../plan/index.ts';
import type { QueryScenario } from '../scenario.ts';

export const countryCounts: QueryScenario = {
  kind: 'query',
  name: 'country-counts',
  title: 'Transactions per country, most first (group-by + order-by)',
  teaches:
    'SELECT country, count(*) FROM transactions GROUP BY country ORDER BY 2 DESC. A low-cardinality group-by ' +
    'followed by a global sort of a tiny result: the sort is a separate stage (a shuffle to one partition) in the ' +
    'distributed engines even though it handles a few dozen rows, which is why small results favour single-node ' +
    'engines.',
  suite: 'foundation',
  data: { dataset: 'retail' },
  tables: ['transactions'],
  sizes: { bench: [100_000, 1_000_000], test: 5_000, benchCap: { dataframe: 100_000, mapreduce: 100_000 } },
  build: (table) => table('transactions').groupBy('country').agg(count().alias('transactions')).orderBy(desc('transactions'), 'country'),
};
