// The real change source: a workload inserts, updates and deletes on a PostgreSQL table; the CDC reader applies the
// wal2json (format version 2) changes batch by batch and the result must equal `SELECT * FROM table` each time.
// Skips with the reason when the server cannot start, unless ENGINEBENCH_REQUIRE_POSTGRES=1 (CI), then fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Prng } from '../../datasets/prng.ts';
import { PATTERNS } from '../../scenarios/cdc/patterns.ts';
import { CdcApplier } from '../../scenarios/cdc/applier.ts';
import { PostgresChangeSource, startPostgres } from '../../scenarios/cdc/postgres-source.ts';
import { CdcBatchError } from '../../scenarios/cdc/validate.ts';
import { emptyTable } from '../../plan/arrow.ts';
import { assertSameRows, entity, withEngine } from './support.ts';

const server = await startPostgres();
const skip = server.ok || process.env['ENGINEBENCH_REQUIRE_POSTGRES'] === '1' ? false : `PostgreSQL unavailable: ${server.ok ? '' : server.reason}`;

/** Random single-row writes in a few transactions, with a key-changing update now and then. */
async function workload(src: PostgresChangeSource, rng: Prng, statements: number): Promise<void> {
  const c = src.client;
  await c.query('BEGIN');
  for (let i = 0; i < statements; i++) {
    const id = 1 + rng.int(40);
    const r = rng.float();
    const ts = `'2024-01-01'::timestamp + interval '${rng.int(1e9)} milliseconds'`;
    if (r < 0.45) await c.query(`INSERT INTO customers VALUES ($1, $2, $3, $4, ${ts}) ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, balance = EXCLUDED.balance`, [id, `n${rng.int(100)}`, rng.chance(0.2) ? null : 'Oslo', rng.int(100000) / 100]);
    else if (r < 0.75) await c.query(`UPDATE customers SET balance = balance + 1.25, name = $2, updated_at = ${ts} WHERE id = $1`, [id, `u${rng.int(100)}`]);
    else if (r < 0.95) await c.query(`DELETE FROM customers WHERE id = $1`, [id]);
    else await c.query(`UPDATE customers SET id = $2 WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM customers WHERE id = $2)`, [id, 100 + rng.int(40)]);
    if (rng.chance(0.1)) {
      await c.query('COMMIT');
      await c.query('BEGIN');
    }
  }
  await c.query('COMMIT');
}

for (const pattern of ['merge-hard-delete', 'merge-soft-delete', 'insert-only-history'] as const) {
  test(`postgres wal2json → ${pattern} on DuckDB equals SELECT * FROM the table after every batch`, { skip }, async () => {
    assert.ok(server.ok, `PostgreSQL is required (ENGINEBENCH_REQUIRE_POSTGRES=1) but: ${server.ok ? '' : server.reason}`);
    const src = await PostgresChangeSource.open(server.url, entity, `enginebench_cdc_${pattern.replace(/-/g, '_')}`);
    try {
      await withEngine(async (engine) => {
        const applier = await CdcApplier.seed(engine, entity, PATTERNS[pattern], emptyTable(entity.schema), 0n, 0);
        const rng = Prng.stream(7, pattern);
        for (let b = 0; b < 4; b++) {
          await workload(src, rng, 60);
          const changes = await src.readChanges();
          assert.ok(changes.length > 0);
          await applier.applyBatch(changes);
          assertSameRows(await applier.current(), await src.snapshot(), `batch ${b + 1}`);
        }
        // Redelivery after a consumer crash: applying the last batch again changes nothing.
        await workload(src, rng, 30);
        const last = await src.readChanges();
        await applier.applyBatch(last);
        await applier.applyBatch(last);
        assertSameRows(await applier.current(), await src.snapshot(), 'after a redelivered batch');
      });
    } finally {
      await src.close();
    }
  });
}

test('postgres TRUNCATE reaches the reader as a truncate event and is rejected loudly, leaving the target', { skip }, async () => {
  assert.ok(server.ok, `PostgreSQL is required (ENGINEBENCH_REQUIRE_POSTGRES=1) but: ${server.ok ? '' : server.reason}`);
  const src = await PostgresChangeSource.open(server.url, entity, 'enginebench_cdc_truncate');
  try {
    await withEngine(async (engine) => {
      const applier = await CdcApplier.seed(engine, entity, PATTERNS['merge-hard-delete'], emptyTable(entity.schema), 0n, 0);
      await src.client.query(`INSERT INTO customers VALUES (1, 'a', 'Oslo', 1.5, '2024-01-01 00:00:00.123')`);
      await applier.applyBatch(await src.readChanges());
      const before = await applier.current();
      await src.client.query(`INSERT INTO customers VALUES (2, 'b', NULL, 2, '2024-01-02'); TRUNCATE customers`);
      await assert.rejects(applier.applyBatch(await src.readChanges()), (e: Error) => e instanceof CdcBatchError && /record 1 is a truncate of customers/.test(e.message));
      assertSameRows(await applier.current(), before, 'target unchanged');
      assert.equal(before.numRows, 1);
    });
  } finally {
    await src.close();
  }
});
