// Every engine against DuckDB on random tables through sorts with NULL placement, top-N, UNION ALL, CASE with
// widening branches, joins on keys of different integer types and three-valued filters (fast-check). Ties are
// allowed: the comparison accepts tied rows in any order (harness/compare.ts), as the bench's check does.
import fc from 'fast-check';
import { asc, col, desc, lit, table, when, type Schema } from '../../plan/index.ts';
import { oneTable, versusReference } from '../support/versus-reference.ts';

const S: Schema = [
  { name: 'k', type: 'utf8' },
  { name: 'n', type: 'int32' },
  { name: 'i', type: 'int64' },
  { name: 'f', type: 'float64' },
  { name: 'b', type: 'bool' },
  { name: 'id', type: 'int32' },
];
const s = table('s', S);
const plans = {
  sort: s.orderBy(asc('k', false), desc('f', true), asc('b'), asc('id')).select('k', 'f', 'b', 'id'),
  topN: s.orderBy(desc('n', false), asc('id')).limit(3).select('id', 'n'),
  union: s.select(col('n').alias('x'), col('k')).union(s.select(col('n').plus(lit(1)).cast('int32').alias('x'), col('k'))),
  caseW: s.select(
    'id',
    when(col('b'), col('n')).when(col('f').gt(lit(0, 'float64')), col('i')).otherwise(col('f')).alias('c'),
    when(col('k').eq(lit('a')), lit('yes')).otherwise(lit(null, 'utf8')).alias('y'),
  ),
  joinTypes: s.join(s.select(col('i').alias('j'), col('id').alias('id2')), [['n', 'j']]).select('id', 'id2'),
  filterNull: s.filter(col('b').not().or(col('n').isNull())).select('id'),
};

const row = fc.record({
  k: fc.option(fc.constantFrom('a', 'A', 'b', 'é', ''), { nil: null }),
  n: fc.option(fc.integer({ min: -3, max: 3 }), { nil: null }),
  i: fc.option(fc.bigInt({ min: -3n, max: 3n }), { nil: null }),
  f: fc.option(fc.constantFrom(0, -0, 1.5, -2.5, 1e300), { nil: null }),
  b: fc.option(fc.boolean(), { nil: null }),
  id: fc.integer({ min: 0, max: 1000 }),
});

versusReference('rows and order', plans, oneTable('s', S, row), { numRuns: 15, seed: 20261204 });
