// Engine.materialize on the engines that offer it (DuckDB, Polars, ClickHouse): the resident table equals what
// run() returns, a plan may read the table it replaces, and a failing plan leaves the old table as it was.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { col, lit, table, tableFromRows, tableToRows, udf, when, type Schema } from '../../plan/index.ts';
import type { Engine, EngineDescriptor } from '../../engines/engine.ts';
import { duckdbEngine } from '../../engines/duckdb/index.ts';
import { polarsEngine } from '../../engines/polars/index.ts';
import { clickhouseEngine } from '../../engines/clickhouse/index.ts';
import { compareResults } from '../../harness/compare.ts';
import { testContext } from '../support/engine-context.ts';

const S: Schema = [
  { name: 'id', type: 'int32' },
  { name: 'name', type: 'utf8' },
  { name: 'amount', type: 'float64' },
  { name: 'at', type: 'timestamp' },
  { name: 'flag', type: 'bool' },
  { name: 'big', type: 'int64' },
];
const rows = [
  { id: 1, name: 'a', amount: 1.5, at: 1_000, flag: true, big: 2n ** 62n },
  { id: 2, name: null, amount: null, at: null, flag: null, big: null },
  { id: 3, name: 'ccccccccccccccccccccc', amount: -0.25, at: Date.UTC(2024, 0, 1), flag: false, big: -5n },
];
const base = tableFromRows(S, rows);

async function withEngine(descriptor: EngineDescriptor, fn: (engine: Engine) => Promise<void>): Promise<void> {
  const ctx = testContext({ threads: 1 });
  const engine = await descriptor.create(ctx);
  try {
    await fn(engine);
  } finally {
    await engine.close();
    ctx.cleanup();
  }
}

const scan = (name: string) => table(name, S);
const same = async (engine: Engine, name: string, expected: ReturnType<typeof tableFromRows>, what: string): Promise<void> => {
  const actual = await engine.run(scan(name).plan);
  const r = compareResults(expected, actual, scan(name).plan);
  assert.ok(r.ok, `${what}: ${r.ok ? '' : r.diff}`);
};

for (const descriptor of [duckdbEngine, polarsEngine, clickhouseEngine]) {
  test(`${descriptor.name}: materialize keeps the plan's result resident; it equals run() and reports the row count`, async () => {
    await withEngine(descriptor, async (engine) => {
      assert.ok(engine.materialize, `${descriptor.name} offers materialize`);
      await engine.load(new Map([['src', base]]));
      const plan = scan('src')
        .filter(col('id').gt(1).or(col('flag')))
        .select(col('id'), col('name'), when(col('amount').isNull(), lit(0)).otherwise(col('amount')).alias('amount'), col('at'), col('flag').not().alias('flag'), col('big'))
        .plan;
      const expected = await engine.run(plan);
      assert.equal(await engine.materialize!(plan, 'kept'), 3);
      await same(engine, 'kept', expected, 'materialized table vs run()');
      // A new table name can be read by later plans like a loaded one.
      assert.deepEqual(tableToRows(await engine.run(scan('kept').filter(col('id').eq(1)).select(col('name')).plan)), [{ name: 'a' }]);
    });
  });

  test(`${descriptor.name}: materialize may replace the table its plan reads (the old version is read)`, async () => {
    await withEngine(descriptor, async (engine) => {
      await engine.load(new Map([['t', base]]));
      const grow = scan('t').union(scan('t').filter(col('id').eq(3))).plan;
      assert.equal(await engine.materialize!(grow, 't'), 4);
      assert.equal(await engine.materialize!(grow, 't'), 6, 'the second run reads the 4-row version: 4 + its two id-3 rows');
      assert.equal(tableToRows(await engine.run(scan('t').plan)).filter((r) => r['id'] === 3).length, 4);
    });
  });

  test(`${descriptor.name}: a failing materialize leaves the old table exactly as it was`, async () => {
    await withEngine(descriptor, async (engine) => {
      await engine.load(new Map([['t', base]]));
      // Every engine fails while executing: a UDF throws on a row (on ClickHouse, inside its executable UDF).
      const boom = udf((x: number | null) => {
        if (x === 3) throw new Error('boom on row 3');
        return x;
      }, 'int32', 'boom');
      const failing = scan('t').select(boom(col('id')).alias('id'), col('name'), col('amount'), col('at'), col('flag'), col('big')).plan;
      await assert.rejects(engine.materialize!(failing, 't'));
      await same(engine, 't', base, 'old table after a failed materialize');
      // And the engine still works: a good materialize afterwards replaces it.
      assert.equal(await engine.materialize!(scan('t').filter(col('id').lt(3)).plan, 't'), 2);
      await same(engine, 't', tableFromRows(S, rows.slice(0, 2)), 'table after a later good materialize');
    });
  });
}
