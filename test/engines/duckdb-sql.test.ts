// Golden tests for the plan → DuckDB SQL translation: the exact text for representative plans, and the
// literal and cast spellings that carry the contract's type rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planToSql } from '../../engines/duckdb/index.ts';
import { castSql, literalSql, quoteIdent } from '../../engines/duckdb/sql.ts';
import { table, col, lit, count, sum, avg, desc, timestamp, when, udf } from '../../plan/index.ts';

const tx = table('transactions', [
  { name: 'invoice', type: 'utf8' },
  { name: 'stock_code', type: 'utf8' },
  { name: 'quantity', type: 'int32' },
  { name: 'price', type: 'float64' },
  { name: 'invoice_date', type: 'timestamp' },
]);
const products = table('products', [
  { name: 'stock_code', type: 'utf8' },
  { name: 'category', type: 'utf8' },
]);
const SCAN_TX = 'SELECT "invoice", "stock_code", "quantity", "price", "invoice_date" FROM "transactions"';

test('wrangling plan: project, filter with a timestamp literal, aggregate, sort NULLS LAST, limit', () => {
  const plan = tx
    .withColumn('amount', col('price').multiply(col('quantity')))
    .filter(col('quantity').gt(0).and(col('invoice_date').ge(timestamp('2011-01-01'))))
    .groupBy('invoice')
    .agg(sum('amount').alias('total'), count())
    .orderBy(desc('total'))
    .limit(5).plan;
  assert.equal(
    planToSql(plan),
    [
      'SELECT *',
      'FROM (',
      '  SELECT *',
      '  FROM (',
      '    SELECT "invoice", sum("amount") AS "total", count(*) AS "count"',
      '    FROM (',
      '      SELECT *',
      '      FROM (',
      '        SELECT "invoice", "stock_code", "quantity", "price", "invoice_date", ("price" * "quantity") AS "amount"',
      '        FROM (',
      `          ${SCAN_TX}`,
      '        ) AS t',
      '      ) AS t',
      `      WHERE (("quantity" > 0) AND ("invoice_date" >= TIMESTAMP '2011-01-01 00:00:00.000'))`,
      '    ) AS t',
      '    GROUP BY "invoice"',
      '  ) AS t',
      '  ORDER BY "total" DESC NULLS LAST',
      ') AS t',
      'LIMIT 5',
    ].join('\n'),
  );
});

test('left join drops the right key; integer sums are cast back from HUGEINT to BIGINT', () => {
  const plan = tx.join(products, 'stock_code', 'left').groupBy('category').agg(avg('price').alias('avg_price'), sum('quantity')).plan;
  assert.equal(
    planToSql(plan),
    [
      'SELECT "category", avg("price") AS "avg_price", CAST(sum("quantity") AS BIGINT) AS "sum(quantity)"',
      'FROM (',
      '  SELECT l."invoice", l."stock_code", l."quantity", l."price", l."invoice_date", r."category"',
      '  FROM (',
      `    ${SCAN_TX}`,
      '  ) AS l',
      '  LEFT JOIN (',
      '    SELECT "stock_code", "category" FROM "products"',
      '  ) AS r',
      '  ON l."stock_code" = r."stock_code"',
      ') AS t',
      'GROUP BY "category"',
    ].join('\n'),
  );
});

test('latestPerKey is a QUALIFY row_number() window with NULLs losing; a global aggregate has no GROUP BY', () => {
  const plan = tx.latestPerKey(['invoice'], 'invoice_date').agg(count()).plan;
  assert.equal(
    planToSql(plan),
    [
      'SELECT count(*) AS "count"',
      'FROM (',
      '  SELECT *',
      '  FROM (',
      `    ${SCAN_TX}`,
      '  ) AS t',
      '  QUALIFY row_number() OVER (PARTITION BY "invoice" ORDER BY "invoice_date" DESC NULLS LAST) = 1',
      ') AS t',
    ].join('\n'),
  );
});

test('expressions: BIGINT integer arithmetic, DOUBLE division and modulo guarded by NULLIF, truncating cast, typed CASE, union, distinct', () => {
  const plan = tx
    .select(
      col('quantity').divide(col('quantity')).alias('r'),
      col('quantity').mod(lit(3)).alias('m'),
      col('price').cast('int32').alias('p'),
      when(col('quantity').lt(0), lit(-1)).otherwise(col('quantity')).alias('c'),
    )
    .union(tx.select(lit(1.5).alias('r'), lit(2n).alias('m'), lit(-7).alias('p'), lit(0).alias('c')))
    .distinct().plan;
  assert.equal(
    planToSql(plan),
    [
      'SELECT DISTINCT *',
      'FROM (',
      '  SELECT *',
      '  FROM (',
      `    SELECT (CAST("quantity" AS DOUBLE) / NULLIF(CAST("quantity" AS DOUBLE), 0)) AS "r", (CAST("quantity" AS BIGINT) % NULLIF(CAST(3 AS BIGINT), 0)) AS "m", TRY_CAST(trunc("price") AS INTEGER) AS "p", CASE WHEN ("quantity" < 0) THEN CAST(-1 AS INTEGER) ELSE "quantity" END AS "c"`,
      '    FROM (',
      `      ${SCAN_TX}`,
      '    ) AS t',
      '  ) AS u0',
      '  UNION ALL',
      '  SELECT *',
      '  FROM (',
      `    SELECT CAST('1.5' AS DOUBLE) AS "r", CAST(2 AS BIGINT) AS "m", CAST(-7 AS INTEGER) AS "p", 0 AS "c"`,
      '    FROM (',
      `      ${SCAN_TX}`,
      '    ) AS t',
      '  ) AS u1',
      ') AS t',
    ].join('\n'),
  );
});

test('UDF calls use the name the engine registered, or the UDF name quoted', () => {
  const upper = udf((s: string | null) => s?.toUpperCase() ?? null, 'utf8', 'to_upper');
  const plan = tx.select(upper('invoice').alias('u')).plan;
  assert.match(planToSql(plan), /^SELECT "to_upper"\("invoice"\) AS "u"\n/);
  assert.match(planToSql(plan, { udfName: () => '"eb_udf_1"' }), /^SELECT "eb_udf_1"\("invoice"\) AS "u"\n/);
});

test('identifiers and strings are quoted safely', () => {
  assert.equal(quoteIdent('we"ird'), '"we""ird"');
  assert.equal(literalSql("it's", 'utf8'), "'it''s'");
});

test('literals carry their exact type', () => {
  assert.equal(literalSql(5, 'int32'), '5');
  assert.equal(literalSql(-2147483648, 'int32'), 'CAST(-2147483648 AS INTEGER)');
  assert.equal(literalSql(9007199254740993n, 'int64'), 'CAST(9007199254740993 AS BIGINT)');
  assert.equal(literalSql(0.1, 'float64'), "CAST('0.1' AS DOUBLE)");
  assert.equal(literalSql(-0, 'float64'), "CAST('-0.0' AS DOUBLE)");
  assert.equal(literalSql(NaN, 'float64'), "CAST('NaN' AS DOUBLE)");
  assert.equal(literalSql(true, 'bool'), 'TRUE');
  assert.equal(literalSql(null, 'timestamp'), 'CAST(NULL AS TIMESTAMP)');
  assert.equal(literalSql(Date.UTC(2020, 5, 1, 12, 30, 0, 250), 'timestamp'), "TIMESTAMP '2020-06-01 12:30:00.250'");
  assert.equal(literalSql(Date.UTC(12000, 0, 1), 'timestamp'), `epoch_ms(CAST(${Date.UTC(12000, 0, 1)} AS BIGINT))`);
});

test('casts follow the contract: truncation, NULL for unparsable text, epoch milliseconds', () => {
  assert.equal(castSql('x', 'float64', 'int64'), 'TRY_CAST(trunc(x) AS BIGINT)');
  assert.equal(castSql('x', 'timestamp', 'int64'), 'TRY_CAST(epoch_ms(x) AS BIGINT)');
  assert.equal(castSql('x', 'int64', 'timestamp'), 'epoch_ms(CAST(x AS BIGINT))');
  // Text: trimmed of the contract's blanks, matched against its number pattern, finite (plan/text.ts).
  const trimmed = "trim(x, ' ' || chr(9) || chr(10) || chr(13))";
  assert.equal(
    castSql('x', 'utf8', 'float64'),
    `(CASE WHEN regexp_full_match(${trimmed}, '^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?$') AND isfinite(TRY_CAST(${trimmed} AS DOUBLE)) THEN TRY_CAST(${trimmed} AS DOUBLE) END)`,
  );
  assert.equal(castSql('x', 'int32', 'int32'), 'x');
  assert.throws(() => castSql('x', 'timestamp', 'bool'), /cast from timestamp to bool is not defined/);
});
