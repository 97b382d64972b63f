import { test } from 'node:test';
import assert from 'node:assert/strict';
import { table, col, lit, sum, count, desc, avg, max, timestamp, udf, when, PlanError, explain, tableFromRows, tableToRows } from '../../plan/index.ts';
import type { Schema } from '../../plan/index.ts';

const TX: Schema = [
  { name: 'invoice', type: 'utf8' },
  { name: 'stock_code', type: 'utf8' },
  { name: 'description', type: 'utf8' },
  { name: 'quantity', type: 'int32' },
  { name: 'price', type: 'float64' },
];

test('wrangling chain lowers to project/filter/aggregate/sort with the expected explain text', () => {
  const df = table('transactions', TX)
    .withColumn('amount', col('price').multiply(col('quantity')))
    .withColumnRenamed('invoice', 'id')
    .drop('description')
    .dropna()
    .filter(col('quantity').gt(0))
    .groupBy('id')
    .agg(sum('amount').alias('total'))
    .orderBy(desc('total'));
  assert.deepEqual(df.columns, ['id', 'total']);
  assert.deepEqual(df.schema.map((f) => f.type), ['utf8', 'float64']);
  assert.equal(
    df.explain(),
    [
      'Sort: total DESC NULLS LAST',
      '  Aggregate: groupBy=[id], aggs=[sum(amount) AS total]',
      '    Filter: (quantity > 0)',
      '      Filter: (((((id IS NOT NULL) AND (stock_code IS NOT NULL)) AND (quantity IS NOT NULL)) AND (price IS NOT NULL)) AND (amount IS NOT NULL))',
      '        Project: id, stock_code, quantity, price, amount',
      '          Project: invoice AS id, stock_code, description, quantity, price, amount',
      '            Project: invoice, stock_code, description, quantity, price, (price * quantity) AS amount',
      '              Scan: transactions [invoice:utf8, stock_code:utf8, description:utf8, quantity:int32, price:float64]',
    ].join('\n'),
  );
});

test('unknown columns fail where they are written, naming the available ones', () => {
  assert.throws(() => table('transactions', TX).select('nope'), (e: unknown) => e instanceof PlanError && /column 'nope' not found; available columns: invoice/.test(e.message));
  assert.throws(() => table('transactions', TX).groupBy('x'), PlanError);
  assert.throws(() => table('transactions', TX).filter(col('invoice').gt(1)), /cannot compare utf8 with int32/);
});

test('type rules: integer arithmetic widens to int64, division is float64, aggregates follow the documented types', () => {
  const df = table('t', TX)
    .select(col('quantity').plus(1).alias('q1'), col('quantity').divide(2).alias('half'), col('price').plus(col('quantity')).alias('p'))
    .agg(sum('q1').alias('s'), avg('q1').alias('a'), count().alias('n'), count('half').alias('nh'));
  assert.deepEqual(df.schema.map((f) => `${f.name}:${f.type}`), ['s:int64', 'a:float64', 'n:int64', 'nh:int64']);
});

test('join output keeps left columns and right non-key columns, and rejects name collisions', () => {
  const products = table('products', [{ name: 'stock_code', type: 'utf8' }, { name: 'category', type: 'utf8' }]);
  const j = table('transactions', TX).join(products, 'stock_code', 'left');
  assert.deepEqual(j.columns, ['invoice', 'stock_code', 'description', 'quantity', 'price', 'category']);
  const items = table('items', [{ name: 'item_id', type: 'utf8' }, { name: 'category', type: 'utf8' }]);
  assert.deepEqual(items.join(table('transactions', TX), [['item_id', 'stock_code']], 'left').columns[0], 'item_id');
  assert.throws(() => j.join(products, 'stock_code'), /produces column 'category' twice/);
});

test('output names that differ only in case are rejected: SQL engines would read them as one column', () => {
  const t = table('t', [{ name: 'k', type: 'utf8' }, { name: 'a', type: 'int32' }]);
  assert.throws(() => t.groupBy('k').agg(max('a').alias('K')), /groupBy\(\)\.agg\(\) produces columns 'k' and 'K', which differ only in case .*; rename one of them/);
  assert.throws(() => t.withColumn('A', col('a')), /produces columns 'a' and 'A', which differ only in case/);
  assert.throws(() => t.join(table('u', [{ name: 'ua', type: 'int32' }, { name: 'K', type: 'int32' }]), [['a', 'ua']]), /join produces columns 'k' and 'K'/);
  assert.throws(() => table('u', [{ name: 'Id', type: 'int32' }, { name: 'id', type: 'int32' }]), /table 'u' produces columns 'Id' and 'id'/);
  assert.deepEqual(t.withColumnRenamed('k', 'K').columns, ['K', 'a'], 'a rename to another case of the same name is no collision');
});

test('timestamps, case and udf nodes print in explain', () => {
  const trips = table('trips', [{ name: 'pickup', type: 'timestamp' }, { name: 'fare', type: 'float64' }]);
  const upper = udf((s: string | null) => (s === null ? null : s.toUpperCase()), 'utf8', 'to_upper');
  const df = trips
    .filter(col('pickup').between(timestamp('2020-06-01'), timestamp('2020-06-30')))
    .select(when(col('fare').gt(10), lit('high')).otherwise(lit('low')).alias('band'))
    .select(upper('band').alias('b'));
  assert.match(explain(df.plan), /Filter: \(\(pickup >= TIMESTAMP '2020-06-01 00:00:00.000'\) AND \(pickup <= TIMESTAMP '2020-06-30 00:00:00.000'\)\)/);
  assert.match(explain(df.plan), /CASE WHEN \(fare > 10\) THEN 'high' ELSE 'low' END AS band/);
  assert.match(explain(df.plan), /to_upper\(band\) -> utf8 AS b/);
});

test('arrow round trip keeps logical types and nulls', () => {
  const schema: Schema = [
    { name: 'a', type: 'int32' }, { name: 'b', type: 'int64' }, { name: 'c', type: 'float64' },
    { name: 'd', type: 'utf8' }, { name: 'e', type: 'bool' }, { name: 'f', type: 'timestamp' },
  ];
  const rows = [
    { a: 1, b: 2n, c: 1.5, d: 'x', e: true, f: 1_600_000_000_000 },
    { a: null, b: null, c: null, d: null, e: null, f: null },
  ];
  const t = tableFromRows(schema, rows);
  assert.deepEqual(tableToRows(t), rows);
  assert.deepEqual(t.schema.fields.map((f) => String(f.type)), ['Int32', 'Int64', 'Float64', 'Utf8', 'Bool', 'Timestamp<MILLISECOND>']);
});
