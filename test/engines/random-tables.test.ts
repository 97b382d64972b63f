// The real engines without property tests of their own (Polars, ClickHouse on embedded chDB) against the DuckDB
// reference on random small tables with NULLs (fast-check), through plans that exercise NULL keys, joins, sorts
// and arithmetic. Every query scenario at its test size is compared in test/conformance/matrix.test.ts, and the
// hand-computed contract in contract.test.ts; the engines we built have their own property tests with their options.
import fc from 'fast-check';
import { asc, avg, col, count, desc, lit, max, min, sum, table, tableFromRows, when, type DataFrame, type Schema } from '../../plan/index.ts';
import { polarsEngine } from '../../engines/polars/index.ts';
import { clickhouseEngine } from '../../engines/clickhouse/index.ts';
import { versusReference } from '../support/versus-reference.ts';

const S: Schema = [
  { name: 'k', type: 'utf8' },
  { name: 'g', type: 'int32' },
  { name: 'a', type: 'int32' },
  { name: 'f', type: 'float64' },
  { name: 'ts', type: 'timestamp' },
];
const D: Schema = [
  { name: 'dk', type: 'utf8' },
  { name: 'label', type: 'utf8' },
];
const s = table('s', S);
const d = table('d', D);

const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { freq: 4, nil: null });
const rowArb = fc.record({
  k: maybe(fc.constantFrom('a', 'b', 'c', 'Z', 'é')),
  g: maybe(fc.integer({ min: -3, max: 3 })),
  a: maybe(fc.integer({ min: -1000, max: 1000 })),
  f: maybe(fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }).map((x) => Math.round(x * 100) / 100)),
  ts: maybe(fc.integer({ min: 0, max: 2_000_000_000_000 })),
});
const dimArb = fc.record({ dk: maybe(fc.constantFrom('a', 'b', 'c', 'd')), label: maybe(fc.string({ maxLength: 3 })) });

/** Plans whose results are fully determined (no ties under Sort + Limit), so any difference is a bug. */
const PLANS: Record<string, DataFrame> = {
  'group by with NULL keys, every aggregate': s.groupBy('k', 'g').agg(count().alias('n'), count('a').alias('na'), sum('a').alias('sa'), sum('f').alias('sf'), avg('a').alias('m'), min('ts').alias('lo'), max('k').alias('hi')),
  'global aggregate (maybe over nothing)': s.filter(col('a').gt(900)).agg(count().alias('n'), sum('a').alias('s'), avg('f').alias('m'), min('k').alias('lo')),
  'arithmetic with NULLs and zero divisors': s.select(col('a').plus(col('g')).alias('p'), col('a').minus(col('g')).alias('mi'), col('a').multiply(col('g')).alias('x'), col('a').divide(col('g')).alias('q'), col('a').mod(col('g')).alias('r'), col('f').divide(col('a')).alias('fq'), col('ts').cast('int64').alias('ms'), col('f').cast('int32').alias('fi')),
  'three-valued filters and CASE': s.filter(col('a').gt(0).or(col('f').lt(0)).and(col('k').neq('b').not().not())).select('k', 'a', when(col('g').gt(0), lit('pos')).when(col('g').lt(0), lit('neg')).otherwise(lit(null, 'utf8')).alias('sign')),
  'inner join: NULL keys never match': s.join(d, [['k', 'dk']]),
  'left join: unmatched rows keep NULLs': s.join(d, [['k', 'dk']], 'left'),
  'sort with NULL placement': s.select('k', 'a').orderBy(asc('k', false), desc('a', true)),
  'distinct': s.select('k', 'g').distinct(),
  'union all': s.select('k').union(d.select('dk')),
  'latest per key by a unique order column': s.withColumn('o', col('a').multiply(1000).plus(col('g'))).filter(col('o').isNotNull()).groupBy('k', 'o').agg(count().alias('n')).latestPerKey(['k'], 'o'),
};

const tables = fc
  .tuple(fc.array(rowArb, { maxLength: 25 }), fc.array(dimArb, { maxLength: 6 }))
  .map(([rows, dims]) => new Map([['s', tableFromRows(S, rows)], ['d', tableFromRows(D, dims)]]));

versusReference('random tables with NULLs', PLANS, tables, { numRuns: 20, seed: 20240611, engines: [polarsEngine] });
versusReference('random tables with NULLs', PLANS, tables, { numRuns: 15, seed: 20240611, engines: [clickhouseEngine] });
