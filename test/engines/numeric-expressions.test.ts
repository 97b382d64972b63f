// Every engine against DuckDB on random int32, int64 and float64 values through arithmetic across the three types,
// comparisons between them and numeric casts (fast-check): widening, truncation, division and modulo by zero,
// int64 against float64 as doubles. Floats stay within ±1e15: beyond 2^53 a float % is exact in DuckDB (fmod) but
// not in Polars or ClickHouse (1e300 % 7 is 1 there as 0), a difference left to those engines' READMEs.
import fc from 'fast-check';
import { col, table, type Schema } from '../../plan/index.ts';
import { oneTable, versusReference } from '../support/versus-reference.ts';

const S: Schema = [
  { name: 'a', type: 'int32' },
  { name: 'b', type: 'int64' },
  { name: 'c', type: 'float64' },
  { name: 'd', type: 'int32' },
];
const [a, b, c, d] = [col('a'), col('b'), col('c'), col('d')];
const expressions = table('s', S).select(
  a.plus(d).alias('ad'), a.minus(b).alias('ab'), a.multiply(d).alias('am'), a.divide(d).alias('aq'), a.mod(d).alias('ar'),
  b.mod(a).alias('br'), c.mod(a).alias('cr'), b.divide(c).alias('bq'), c.multiply(b).alias('cb'),
  a.lt(c).alias('l1'), b.ge(c).alias('l2'), a.eq(b).alias('l3'),
  c.cast('int32').alias('c32'), c.cast('int64').alias('c64'), b.cast('int32').alias('b32'),
  a.cast('float64').alias('af'), b.cast('float64').alias('bf'), c.cast('bool').alias('cbool'), a.cast('bool').alias('abool'),
);

const row = fc.record({
  a: fc.option(fc.oneof(fc.integer({ min: -5, max: 5 }), fc.integer()), { nil: null }),
  b: fc.option(fc.oneof(fc.bigInt({ min: -10n, max: 10n }), fc.bigInt({ min: -(2n ** 53n), max: 2n ** 53n })), { nil: null }),
  c: fc.option(fc.oneof(fc.constantFrom(0, -0, 0.5, -2.5, -1e-300, 2147483647.5, -2147483648.9, 3e9), fc.double({ noNaN: true, min: -1e15, max: 1e15 })), { nil: null }),
  d: fc.option(fc.oneof(fc.integer({ min: -3, max: 3 }), fc.integer()), { nil: null }),
});

versusReference('numeric expressions', { 'arithmetic, comparisons and casts across int32, int64 and float64': expressions }, oneTable('s', S, row), { numRuns: 30, seed: 20261204 });
