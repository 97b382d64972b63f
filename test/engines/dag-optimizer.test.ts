// Golden tests of the DAG engine's optimizer rules (the optimized plan text) and of its physical plan with stages.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { table, col, lit, sum, desc, udf, tableFromRows, explain } from '../../plan/index.ts';
import type { Schema } from '../../plan/types.ts';
import { optimize } from '../../engines/dag/optimizer/index.ts';
import { foldConstants } from '../../engines/dag/optimizer/fold-constants.ts';
import { pushDownFilters } from '../../engines/dag/optimizer/push-down-filter.ts';
import { pruneProjections } from '../../engines/dag/optimizer/prune-projections.ts';
import { dagEngine } from '../../engines/dag/index.ts';
import { testContext } from '../support/engine-context.ts';

const TX: Schema = [
  { name: 'invoice', type: 'utf8' },
  { name: 'stock_code', type: 'utf8' },
  { name: 'description', type: 'utf8' },
  { name: 'quantity', type: 'int32' },
  { name: 'price', type: 'float64' },
];
const PR: Schema = [
  { name: 'stock_code', type: 'utf8' },
  { name: 'category', type: 'utf8' },
];
const tx = () => table('transactions', TX);
const pr = () => table('products', PR);

test('constant folding evaluates literal-only expressions and drops always-true filters', () => {
  const df = tx().filter(col('quantity').gt(lit(1).plus(lit(2))).and(lit(true))).select(lit(10).divide(lit(0)).alias('z'), 'invoice');
  assert.equal(
    explain(foldConstants(df.plan)),
    ['Project: NULL::float64 AS z, invoice', '  Filter: (quantity > 3::int64)', '    Scan: transactions [invoice:utf8, stock_code:utf8, description:utf8, quantity:int32, price:float64]'].join('\n'),
  );
  const always = tx().filter(lit(1).lt(lit(2)));
  assert.equal(explain(foldConstants(always.plan)), 'Scan: transactions [invoice:utf8, stock_code:utf8, description:utf8, quantity:int32, price:float64]');
});

test('predicate pushdown moves conjuncts into the join side they read, through projections', () => {
  const df = tx()
    .withColumn('amount', col('price').multiply(col('quantity')))
    .join(pr(), 'stock_code')
    .filter(col('amount').gt(10).and(col('category').eq('toys')).and(col('amount').lt(100)));
  assert.equal(
    explain(pushDownFilters(df.plan)),
    [
      'Join: inner on stock_code = stock_code',
      '  Project: invoice, stock_code, description, quantity, price, (price * quantity) AS amount',
      '    Filter: (((price * quantity) > 10) AND ((price * quantity) < 100))',
      '      Scan: transactions [invoice:utf8, stock_code:utf8, description:utf8, quantity:int32, price:float64]',
      "  Filter: (category = 'toys')",
      '    Scan: products [stock_code:utf8, category:utf8]',
    ].join('\n'),
  );
});

test('predicate pushdown keeps right-side filters of a LEFT join above it, and never crosses a limit or a UDF', () => {
  const left = tx().join(pr(), 'stock_code', 'left').filter(col('category').eq('toys').and(col('quantity').gt(0)));
  assert.equal(
    explain(pushDownFilters(left.plan)),
    [
      "Filter: (category = 'toys')",
      '  Join: left on stock_code = stock_code',
      '    Filter: (quantity > 0)',
      '      Scan: transactions [invoice:utf8, stock_code:utf8, description:utf8, quantity:int32, price:float64]',
      '    Scan: products [stock_code:utf8, category:utf8]',
    ].join('\n'),
  );
  const up = udf((s: string | null) => (s === null ? null : s.toUpperCase()), 'utf8', 'up');
  const limited = tx().limit(5).select(up('invoice').alias('u')).filter(col('u').eq('A'));
  assert.equal(explain(pushDownFilters(limited.plan)), explain(limited.plan));
});

test('predicate pushdown goes below an aggregate only for conjuncts on grouping keys', () => {
  const df = tx().groupBy('invoice').agg(sum('price').alias('total')).filter(col('invoice').neq('X').and(col('total').gt(5)));
  assert.equal(
    explain(pushDownFilters(df.plan)),
    [
      'Filter: (total > 5)',
      '  Aggregate: groupBy=[invoice], aggs=[sum(price) AS total]',
      "    Filter: (invoice != 'X')",
      '      Scan: transactions [invoice:utf8, stock_code:utf8, description:utf8, quantity:int32, price:float64]',
    ].join('\n'),
  );
});

test('projection pruning narrows scans and removes identity projections', () => {
  const df = tx().drop('description').withColumnRenamed('invoice', 'id').groupBy('id').agg(sum('price').alias('total'));
  assert.equal(
    explain(pruneProjections(df.plan)),
    ['Aggregate: groupBy=[id], aggs=[sum(price) AS total]', '  Project: invoice AS id, price', '    Scan: transactions [invoice:utf8, price:float64]'].join('\n'),
  );
  const identity = tx().select('invoice', 'stock_code', 'description', 'quantity', 'price');
  assert.equal(explain(pruneProjections(identity.plan)), 'Scan: transactions [invoice:utf8, stock_code:utf8, description:utf8, quantity:int32, price:float64]');
});

test('the optimizer pipeline: fold, push down, prune (golden text)', () => {
  const df = tx().select('invoice', col('price').multiply(lit(2)).alias('p2')).filter(col('p2').gt(10).and(lit(true))).orderBy(desc('p2')).limit(3);
  assert.equal(
    explain(optimize(df.plan)),
    [
      'Limit: 3',
      '  Sort: p2 DESC NULLS LAST',
      '    Project: invoice, (price * 2) AS p2',
      '      Filter: ((price * 2) > 10)',
      '        Scan: transactions [invoice:utf8, price:float64]',
    ].join('\n'),
  );
});

test('explain prints the logical, optimized and physical plans with stages cut at the shuffle', async () => {
  const ctx = testContext({ 'dag.workers': 2 });
  const engine = await dagEngine.create(ctx);
  try {
    await engine.load(new Map([['transactions', tableFromRows(TX, [])], ['products', tableFromRows(PR, [])]]));
    const df = tx()
      .withColumn('amount', col('price').multiply(col('quantity')))
      .join(pr(), 'stock_code')
      .filter(col('quantity').gt(lit(1).plus(lit(2))).and(col('category').eq('toys')))
      .groupBy('category')
      .agg(sum('amount').alias('total'));
    const text = await engine.explain(df.plan);
    const physical = text.slice(text.indexOf('== Physical Plan =='));
    assert.equal(
      physical,
      [
        '== Physical Plan ==',
        'Stage 0 [broadcast 0] 2 tasks',
        "  Filter (category = 'toys')",
        '    Scan products [stock_code, category]',
        'Stage 1 [shuffle 0: hash(category) -> 2 partitions] 2 tasks <- stage 0',
        '  HashAggregate(partial) keys=[category] aggs=[sum(amount) AS total]',
        '    BroadcastHashJoin inner on stock_code = stock_code [amount, category]',
        '      Project stock_code, (price * quantity) AS amount',
        '        Filter (quantity > 3::int64)',
        '          Scan transactions [stock_code, quantity, price]',
        '      BroadcastRead broadcast=0 [stock_code, category]',
        'Stage 2 [result] 2 tasks <- stage 1',
        '  HashAggregate(final) keys=[category] aggs=[sum(amount) AS total]',
        '    ShuffleRead shuffle=0 [category, total#sum]',
        '== Notes ==',
        'broadcast hash join: right side estimated 0 B ≤ threshold 10.0 MiB',
      ].join('\n'),
    );
    assert.ok(text.startsWith('== Logical Plan ==\nAggregate: groupBy=[category]'));
    assert.ok(text.includes('== Optimized Logical Plan ==\nAggregate: groupBy=[category], aggs=[sum(amount) AS total]\n  Join: inner'));
  } finally {
    await engine.close();
    ctx.cleanup();
  }
});
