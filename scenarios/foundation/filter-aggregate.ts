// Filter + aggregate: the EMR demo's "average fare between two dates".
import { avg, col, count, timestamp } from '../../plan/index.ts';
import type { QueryScenario } from '../scenario.ts';

export const filterAggregate: QueryScenario = {
  kind: 'query',
  name: 'filter-aggregate',
  title: 'Average taxi fare in June 2020 (filter + global aggregate)',
  teaches:
    'SELECT avg(fare_amount), count(*) FROM taxi_trips WHERE pickup_datetime >= 2020-06-01 AND pickup_datetime < ' +
    '2020-07-01. No shuffle at all: each task filters and pre-aggregates its own partition and only one partial ' +
    'result per task travels. Engines that push the filter down to the scan read less; the half-open interval keeps ' +
    'every ride of 30 June (comparing timestamps with the string "2020-06-30" would silently drop that day).',
  suite: 'foundation',
  data: { dataset: 'taxi_trips' },
  tables: ['taxi_trips'],
  sizes: { bench: [100_000, 1_000_000], test: 5_000, benchCap: { dataframe: 100_000, mapreduce: 100_000 } },
  build: (table) =>
    table('taxi_trips')
      .filter(col('pickup_datetime').ge(timestamp('2020-06-01')).and(col('pickup_datetime').lt(timestamp('2020-07-01'))))
      .agg(avg('fare_amount').alias('average_fare_amount'), count().alias('trips')),
};
