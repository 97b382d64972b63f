// Group-by count: the MapReduce lecture's running example (events per user), the simplest shuffle there is.
import { count } from '../../plan/index.ts';
import type { QueryScenario } from '../scenario.ts';

export const groupbyCount: QueryScenario = {
  kind: 'query',
  name: 'groupby-count',
  title: 'Events per user (group-by count)',
  teaches:
    'SELECT user_id, count(*) FROM user_events GROUP BY user_id. Every engine must bring all rows of a user ' +
    'together: MapReduce does it with map tasks per block, a hash shuffle through disk and reducers; the DAG engine ' +
    'with a partial aggregate per partition and an in-memory shuffle; DuckDB and Polars with parallel hash tables. ' +
    'With 100 000 users the hash tables no longer fit in cache, so compare how each engine copes as rows grow: the ' +
    'disk-based shuffle pays per byte written, the dataframe engine pays per group.',
  suite: 'foundation',
  data: { dataset: 'user_events', params: { users: 100_000, skew: 'zipf' } },
  tables: ['user_events'],
  sizes: { bench: [100_000, 1_000_000, 10_000_000], test: 5_000, benchCap: { dataframe: 100_000 } },
  build: (table) => table('user_events').groupBy('user_id').agg(count().alias('events')),
};
