// User-defined functions: the PySpark demo's upper-casing of country names, row by row in user code.
import { count, udf } from '../../plan/index.ts';
import type { QueryScenario } from '../scenario.ts';

/** Upper-cases a country name; self-contained so engines can ship it to workers or another process. */
export const toUpper = udf((s: string | null) => (s === null ? null : s.toUpperCase()), 'utf8', 'to_upper');

export const udfUpper: QueryScenario = {
  kind: 'query',
  name: 'udf-upper',
  title: 'Upper-case country names with a UDF, then count per country',
  teaches:
    'SELECT to_upper(country), count(*) FROM transactions GROUP BY 1, where to_upper is user code the engine ' +
    'cannot see into: it cannot be optimised, vectorised or pushed down, and runs once per row. In Spark a Python ' +
    'UDF also pays to serialise every row to a separate Python process and back; compare the engines that run the ' +
    'function in-process with the ones that isolate it, and with a built-in upper() where one exists.',
  suite: 'foundation',
  data: { dataset: 'retail' },
  tables: ['transactions'],
  sizes: { bench: [100_000, 1_000_000], test: 5_000, benchCap: { dataframe: 100_000, mapreduce: 100_000 } },
  build: (table) =>
    table('transactions').withColumn('country', toUpper('country')).groupBy('country').agg(count().alias('transactions')),
};
