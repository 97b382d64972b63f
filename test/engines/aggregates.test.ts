// Every engine against DuckDB on random tables through grouping, DISTINCT and joins over every type of key
// (fast-check): look-alike Unicode keys, -0 and 0, NULLs, timestamps both sides of 1970, int64 sums near 2^53.
// Each engine is reused across runs, as in the bench, so a plan runs many times: ClickHouse's JIT-compiled min/max
// on DateTime64 only went wrong from a query's third run (ClickHouse issue 113942). latestPerKey is left out: the
// generator's ties would make its answer arbitrary.
import fc from 'fast-check';
import { avg, col, count, max, min, sum, table, type Schema } from '../../plan/index.ts';
import { oneTable, versusReference } from '../support/versus-reference.ts';

const S: Schema = [
  { name: 'k', type: 'utf8' },
  { name: 'b', type: 'bool' },
  { name: 'i', type: 'int64' },
  { name: 'f', type: 'float64' },
  { name: 't', type: 'timestamp' },
  { name: 'n', type: 'int32' },
];
const s = table('s', S);
const plans = {
  byK: s.groupBy('k').agg(
    count().alias('c'), count('f').alias('cf'), sum('i').alias('si'), sum('f').alias('sf'), avg('n').alias('an'),
    min('t').alias('mt'), max('k').alias('mk'), min('b').alias('mb'), max('f').alias('xf'),
  ),
  byBF: s.groupBy('b', 'f').agg(count().alias('c'), max('n').alias('mn'), sum('n').alias('sn')),
  byT: s.groupBy('t', 'i').agg(count().alias('c'), min('k').alias('lo')),
  distinctAll: s.distinct(),
  joinSelf: s.join(s.select(col('k').alias('k2'), col('n').alias('n2')), [['k', 'k2']], 'left').groupBy('k').agg(count().alias('c'), sum('n2').alias('s2')),
};


const row = fc.record({
  k: fc.option(fc.constantFrom('a', 'A', 'é', 'e\u0301', '😀', '', ' ', 'z', '\uFF01'), { nil: null }),
  b: fc.option(fc.boolean(), { nil: null }),
  i: fc.option(fc.bigInt({ min: -(2n ** 53n), max: 2n ** 53n }), { nil: null }),
  f: fc.option(fc.constantFrom(0, -0, 1.5, -2.25, 1e300, -1e-300, 0.1, 0.2, 0.30000000000000004), { nil: null }),
  t: fc.option(fc.constantFrom(0, -1, 1000, 1_700_000_000_000), { nil: null }),
  n: fc.option(fc.oneof(fc.integer({ min: -3, max: 3 }), fc.integer()), { nil: null }),
});

versusReference('aggregates', plans, oneTable('s', S, row), { numRuns: 15, seed: 20261204 });
