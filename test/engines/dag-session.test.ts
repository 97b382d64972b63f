// The DAG engine's user API: session, lazy DataFrames and actions, cache(), CSV/Arrow readers, temp views and SQL
// (same physical plan as the DataFrame API), UDFs in-engine and isolated in a child process.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { col, count, desc, sum, tableFromRows } from '../../plan/index.ts';
import type { Schema } from '../../plan/types.ts';
import { Session, udf } from '../../engines/dag/session.ts';

const S: Schema = [
  { name: 'country', type: 'utf8' },
  { name: 'qty', type: 'int32' },
  { name: 'price', type: 'float64' },
];
const ROWS = [
  { country: 'France', qty: 2, price: 1.5 },
  { country: 'Spain', qty: 1, price: 10 },
  { country: 'France', qty: -1, price: 3 },
  { country: null, qty: 4, price: 2 },
  { country: 'Spain', qty: 3, price: null },
];

let spark: Session;
before(async () => {
  spark = await Session.builder().appName('dag-session-test').config('dag.workers', 2).getOrCreate();
});
after(async () => {
  await spark.stop();
});

test('transformations are lazy; actions collect, count, show and describe', async () => {
  const df = spark.createDataFrame(ROWS, S);
  const amounts = df.withColumn('amount', col('price').multiply(col('qty'))).filter(col('qty').gt(0)).dropna();
  assert.deepEqual(amounts.columns, ['country', 'qty', 'price', 'amount']);
  assert.equal(await amounts.count(), 2);
  const totals = await amounts.groupBy('country').agg(sum('amount').alias('total')).orderBy(desc('total')).collect();
  assert.deepEqual(totals, [{ country: 'Spain', total: 10 }, { country: 'France', total: 3 }]);
  const shown = await df.select('country', 'qty').orderBy('qty').show(2, false);
  assert.equal(shown, ['+---------+-----+', '| country | qty |', '+---------+-----+', '| France  | -1  |', '| Spain   | 1   |', '+---------+-----+'].join('\n'));
  const described = await df.describe();
  assert.deepEqual(described.find((r) => r.summary === 'count'), { summary: 'count', qty: 5n, price: 4n });
  assert.deepEqual(described.find((r) => r.summary === 'max'), { summary: 'max', qty: 4, price: 10 });
  assert.match(await amounts.explain(), /== Physical Plan ==\nStage 0 \[result\] 2 tasks\n  Project country, qty, price, \(price \* qty\) AS amount\n    Filter/);
});

test('SQL on a temp view gives the same rows and the same physical plan as the DataFrame API', async () => {
  const df = spark.createDataFrame(ROWS, S);
  df.createOrReplaceTempView('sales');
  const viaSql = spark.sql('SELECT country, COUNT(*) AS n, SUM(qty) AS q FROM sales WHERE qty > 0 GROUP BY country ORDER BY n DESC, country LIMIT 10');
  const viaApi = df.filter(col('qty').gt(0)).groupBy('country').agg(count().alias('n'), sum('qty').alias('q')).orderBy(desc('n'), 'country').limit(10);
  const physical = (text: string) => text.slice(text.indexOf('== Physical Plan =='));
  assert.equal(physical(await viaSql.explain()), physical(await viaApi.explain()));
  assert.deepEqual(await viaSql.collect(), await viaApi.collect());
  assert.deepEqual(await viaSql.collect(), [{ country: 'Spain', n: 2n, q: 4n }, { country: null, n: 1n, q: 4n }, { country: 'France', n: 1n, q: 2n }]);
});

test('SQL joins, expressions, DISTINCT, HAVING and registered UDFs', async () => {
  spark.createDataFrame(ROWS, S).createOrReplaceTempView('sales');
  spark.createDataFrame([{ name: 'France', region: 'EU' }, { name: 'Spain', region: 'EU' }], [{ name: 'name', type: 'utf8' }, { name: 'region', type: 'utf8' }]).createOrReplaceTempView('countries');
  spark.udf.register('shout', (s: string | null) => (s === null ? null : `${s.toUpperCase()}!`), 'utf8');
  const rows = await spark.sql("SELECT s.country, c.region, qty * price AS amount, shout(country) AS loud FROM sales s LEFT JOIN countries c ON s.country = c.name WHERE price IS NOT NULL AND NOT (qty < 0) ORDER BY amount DESC").collect();
  assert.deepEqual(rows, [
    { country: 'Spain', region: 'EU', amount: 10, loud: 'SPAIN!' },
    { country: null, region: null, amount: 8, loud: null },
    { country: 'France', region: 'EU', amount: 3, loud: 'FRANCE!' },
  ]);
  assert.deepEqual(await spark.sql('SELECT DISTINCT country FROM sales WHERE country IS NOT NULL ORDER BY country').collect(), [{ country: 'France' }, { country: 'Spain' }]);
  assert.deepEqual(await spark.sql('SELECT country, AVG(price) AS p FROM sales GROUP BY country HAVING COUNT(*) > 1 ORDER BY country').collect(), [{ country: 'France', p: 2.25 }, { country: 'Spain', p: 10 }]);
  assert.throws(() => spark.sql('SELECT nope(country) FROM sales'), /unknown function nope; register it with session.udf.register/);
  assert.throws(() => spark.sql('SELECT * FROM missing'), /table or view 'missing' not found/);
});

test('cache() keeps partitions: the second action skips the cached stage', async () => {
  const df = spark.createDataFrame(ROWS, S).filter(col('qty').gt(0)).cache();
  assert.equal(await df.count(), 4);
  assert.equal(spark.engine.metrics().counters.stagesSkipped, 0);
  assert.equal(await df.count(), 4);
  assert.equal(spark.engine.metrics().counters.stagesSkipped, 1);
  df.unpersist();
});

test('read.csv with header and inferSchema, and read.arrow', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dag-read-'));
  const csv = join(dir, 'sales.csv');
  writeFileSync(csv, 'country,qty,price,day\n"Côte, d\'Ivoire",2,1.5,2020-06-01\nSpain,,10,2020-06-02\n');
  const df = spark.read.csv(csv, { header: true, inferSchema: true });
  assert.deepEqual(df.schema.map((f) => f.type), ['utf8', 'int32', 'float64', 'timestamp']);
  assert.deepEqual(await df.collect(), [
    { country: "Côte, d'Ivoire", qty: 2, price: 1.5, day: Date.UTC(2020, 5, 1) },
    { country: 'Spain', qty: null, price: 10, day: Date.UTC(2020, 5, 2) },
  ]);
  assert.deepEqual(spark.read.csv(csv, { header: true }).schema.map((f) => f.type), ['utf8', 'utf8', 'utf8', 'utf8']);
  const ipc = join(dir, 't.arrow');
  writeFileSync(ipc, arrow.tableToIPC(tableFromRows(S, ROWS), 'file'));
  assert.equal(await spark.read.arrow(ipc).groupBy('country').count().count(), 3);
  assert.throws(() => spark.read.csv(join(dir, 'nope.csv')), /cannot read CSV file '.*nope.csv': ENOENT/);
});

test('UDFs give the same result in-engine and isolated in a child process', async () => {
  const upper = udf((s: string | null) => (s === null ? null : s.toUpperCase()), 'utf8', 'upper');
  const isolated = await Session.builder().config('dag.workers', 2).config('dag.udfMode', 'isolated').getOrCreate();
  try {
    const q = (s: Session) => s.createDataFrame(ROWS, S).select(upper('country').alias('c'), 'qty').orderBy('qty');
    assert.deepEqual(await q(isolated).collect(), await q(spark).collect());
    assert.deepEqual((await q(isolated).collect()).map((r) => r.c), ['FRANCE', 'SPAIN', 'FRANCE', 'SPAIN', null]);
  } finally {
    await isolated.stop();
  }
});
