// The in-place MERGE INTO (a DuckDB table with a primary key) as an independent oracle: its state equals the
// plan-based pattern and the TypeScript model after every batch (late events, redeliveries, truncates included);
// a batch is one transaction (rejected or crashed batches leave it as it was); it writes only the changed rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { simulateCdc } from '../../datasets/cdc.ts';
import { tableFromRows, tableToRows } from '../../plan/arrow.ts';
import { CdcApplier } from '../../scenarios/cdc/applier.ts';
import type { RawChange, RowImage } from '../../scenarios/cdc/change.ts';
import { CdcModel } from '../../scenarios/cdc/model.ts';
import { PATTERNS } from '../../scenarios/cdc/patterns.ts';
import { DuckDbSqlMerge, SQL_MERGE_PATTERNS } from '../../scenarios/cdc/sql-merge.ts';
import { CdcBatchError, validateBatch } from '../../scenarios/cdc/validate.ts';
import type { ApplierOptions } from '../../scenarios/cdc/applier.ts';
import type { PatternName } from '../../scenarios/cdc/pattern.ts';
import { assertSameRows, customer, entity, seeded, withEngine } from './support.ts';

const sqlSeeded = (pattern: PatternName, rows: readonly RowImage[], options: ApplierOptions = {}): Promise<DuckDbSqlMerge> =>
  DuckDbSqlMerge.seed(entity, pattern, tableFromRows(entity.schema, rows), 0n, 0, { threads: 1 }, options);

const U = (seq: number, id: number, name = `n${seq}`): RawChange => ({ op: 'U', seq, ts: 10_000 + seq, row: customer(id, name) });
const D = (seq: number, id: number): RawChange => ({ op: 'D', seq, ts: 10_000 + seq, row: { id } });

/** Change logs over ids 1..5 with sequence numbers crossing 2^63, sometimes a truncate, replayed out of order. */
const deliveriesArb = fc
  .record({
    baseIds: fc.uniqueArray(fc.integer({ min: 1, max: 5 }), { maxLength: 5 }),
    start: fc.oneof(fc.bigInt({ min: 1n, max: 100n }), fc.constant(2n ** 63n - 5n)),
    steps: fc.array(fc.record({ op: fc.constantFrom('I', 'U', 'U', 'D', 'D', 'T'), id: fc.integer({ min: 1, max: 5 }), name: fc.constantFrom('a', 'b', null) }), { minLength: 1, maxLength: 14 }),
  })
  .chain(({ baseIds, start, steps }) => {
    let seq = start;
    const events = steps.map((s, i): RawChange => {
      seq += 1n + BigInt(i % 2);
      const ts = 1_000_000 + i * 1000;
      if (s.op === 'T') return { op: 'T', seq, ts };
      return s.op === 'D' ? { op: 'D', seq, ts, row: { id: s.id } } : { op: s.op, seq, ts, row: { ...customer(s.id, s.name as string), updated_at: ts } };
    });
    const picks = fc.array(fc.array(fc.nat({ max: events.length - 1 }), { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 4 });
    return fc.tuple(fc.constant(baseIds.map((id) => customer(id))), fc.constant(events), picks);
  });

for (const pattern of SQL_MERGE_PATTERNS) {
  test(`${pattern}: MERGE INTO equals the plan-based merge and the model after every batch (model-based, truncates applied)`, async () => {
    await withEngine(async (engine) => {
      await fc.assert(
        fc.asyncProperty(deliveriesArb, async ([base, events, picks]) => {
          const sql = await sqlSeeded(pattern, base, { truncate: 'apply' });
          try {
            const plan = await seeded(engine, pattern, base, 0n, { truncate: 'apply' });
            const model = new CdcModel(entity, pattern);
            model.seed(base, 0n, 0);
            for (const [i, pick] of picks.entries()) {
              const batch = [...new Set(pick)].map((j) => events[j]!);
              await sql.applyBatch(batch);
              await plan.applyBatch(batch);
              model.apply(validateBatch(entity, batch, 'apply'));
              assertSameRows(await sql.state(), await plan.state(), `in-place vs plan state after batch ${i + 1}`);
              assertSameRows(await sql.state(), model.stateTable(), `in-place vs model state after batch ${i + 1}`);
            }
            assertSameRows(await sql.current(), await plan.current(), 'current view');
          } finally {
            await sql.close();
          }
        }),
        { numRuns: 12 },
      );
    });
  });

  test(`${pattern}: MERGE INTO equals the plan-based merge after every batch of the cdc dataset, and the source`, async () => {
    const sim = simulateCdc(300, 5, { batches: 3, changeFraction: 0.2, duplicateFraction: 0.1 });
    const snapshot = tableFromRows(entity.schema, sim.base);
    const sql = await DuckDbSqlMerge.seed(entity, pattern, snapshot, sim.baseSeq, sim.baseTsMs, { threads: 1 });
    try {
      await withEngine(async (engine) => {
        const plan = await CdcApplier.seed(engine, entity, PATTERNS[pattern], snapshot, sim.baseSeq, sim.baseTsMs);
        for (const [i, b] of sim.batches.entries()) {
          const r = await sql.applyBatch(b.events);
          await plan.applyBatch(b.events);
          assertSameRows(await sql.state(), await plan.state(), `state after batch ${i + 1}`);
          assertSameRows(await sql.current(), tableFromRows(entity.schema, b.sourceRows), `current view after batch ${i + 1} vs the source`);
          assert.ok(r.rewritten <= r.changeRows && r.rewritten > 0, `MERGE writes at most one row per changed key: ${r.rewritten} of ${r.changeRows}`);
          assert.ok(r.inserted > 0 && r.updated > 0 && r.deleted > 0, JSON.stringify(r));
        }
        assert.equal(sql.stateRows, plan.stateRows);
      });
    } finally {
      await sql.close();
    }
  });
}

test('in-place MERGE writes only the rows that change: stale and redelivered changes write nothing', async () => {
  const sql = await sqlSeeded('merge-hard-delete', [customer(1), customer(2), customer(3)]);
  try {
    const first = await sql.applyBatch([U(5, 1, 'x'), D(6, 2), U(7, 9)]);
    assert.deepEqual([first.rewritten, first.inserted, first.updated, first.deleted], [3, 1, 1, 1]);
    const again = await sql.applyBatch([U(5, 1, 'x'), D(6, 2), U(4, 1, 'late')]);
    assert.deepEqual([again.rewritten, again.inserted, again.updated, again.deleted], [0, 0, 0, 0]);
    const late = await sql.applyBatch([U(3, 2, 'resurrect?')]);
    assert.equal(late.rewritten, 0, 'the tombstone at 6 keeps the late update at 3 out');
    assert.deepEqual(tableToRows(await sql.current()).map((r) => [r['id'], r['name']]).sort(), [[1, 'x'], [3, 'c3'], [9, 'n7']]);
  } finally {
    await sql.close();
  }
});

test('in-place MERGE: a rejected batch, or a crash inside the transaction, leaves the table exactly as it was', async () => {
  for (const point of ['staged', 'segment'] as const) {
    let crash = false;
    const sql = await sqlSeeded('merge-soft-delete', [customer(1), customer(2)], {
      truncate: 'apply',
      fault: (p) => {
        if (crash && p === point) throw new Error(`injected crash at ${p}`);
      },
    });
    try {
      await sql.applyBatch([U(3, 1, 'kept')]);
      const before = await sql.state();
      await assert.rejects(sql.applyBatch([U(6, 1, 'lost'), D(7, 2), { op: 'X', seq: 8, ts: 0, row: { id: 1 } }]), (e: Error) => e instanceof CdcBatchError && !e.message.includes('\n'));
      assertSameRows(await sql.state(), before, 'after a rejected batch');
      crash = true;
      await assert.rejects(sql.applyBatch([U(6, 1, 'lost'), { op: 'T', seq: 7, ts: 0 }, U(8, 2, 'lost too')]), /injected crash/);
      assertSameRows(await sql.state(), before, `after a crash at ${point}`);
      crash = false;
      await sql.applyBatch([U(9, 2, 'later')]);
      assert.equal(tableToRows(await sql.current()).find((r) => r['id'] === 2)!['name'], 'later', 'the database still works after the rollback');
    } finally {
      await sql.close();
    }
  }
});

test('in-place soft delete keeps the newest image: the stored row when it is newer than the batch\'s last image', async () => {
  const sql = await sqlSeeded('merge-soft-delete', [customer(1)]);
  try {
    await sql.applyBatch([U(5, 1, 'stored at 5')]);
    // A redelivered old update (3) and a new delete (7) in one batch: the delete wins, the image stays the one at 5.
    await sql.applyBatch([U(3, 1, 'old image at 3'), D(7, 1)]);
    const row = tableToRows(await sql.state())[0]!;
    assert.deepEqual([row['name'], row['is_deleted'], row['_seq']], ['stored at 5', true, '0001:7']);
    await withEngine(async (engine) => {
      const plan = await seeded(engine, 'merge-soft-delete', [customer(1)], 0n);
      await plan.applyBatch([U(5, 1, 'stored at 5')]);
      await plan.applyBatch([U(3, 1, 'old image at 3'), D(7, 1)]);
      assertSameRows(await sql.state(), await plan.state(), 'in-place vs plan');
    });
  } finally {
    await sql.close();
  }
});
