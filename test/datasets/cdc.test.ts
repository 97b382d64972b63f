// The cdc dataset's tables and simulateCdc's row objects come from one columnar simulation: they must describe the
// same base table and the same delivered change log, and the objects must behave as a source table would
// (each batch's source rows = the previous rows with the batch's changes applied in order).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tableToRows } from '../../plan/arrow.ts';
import { cdc, simulateCdc } from '../../datasets/cdc.ts';
import type { RowImage } from '../../scenarios/cdc/change.ts';
import type { DatasetParams } from '../../datasets/dataset.ts';

const CASES: readonly (readonly [number, number, DatasetParams])[] = [
  [500, 42, {}],
  [1, 3, { batches: 30, changeFraction: 1 }],
  [300, 5, { batches: 5, changeFraction: 0.3, duplicateFraction: 0.2, seqStart: '999999999999999990' }],
];

for (const [rows, seed, params] of CASES) {
  test(`cdc ${rows} rows, ${JSON.stringify(params)}: tables and simulateCdc agree`, () => {
    const tables = cdc.generate(rows, seed, params);
    const sim = simulateCdc(rows, seed, params);
    assert.deepEqual(tableToRows(tables.get('customers')!), sim.base.map((r) => ({ ...r })));
    const expected = sim.batches.flatMap((b, i) =>
      b.events.map((e) => {
        const row = e.row as RowImage;
        return { batch: i + 1, op: e.op, seq: e.seq, ts: e.ts, id: row['id'], name: row['name'] ?? null, city: row['city'] ?? null, balance: row['balance'] ?? null, updated_at: row['updated_at'] ?? null };
      }),
    );
    assert.deepEqual(tableToRows(tables.get('customer_changes')!), expected);
  });

  test(`cdc ${rows} rows, ${JSON.stringify(params)}: each batch's source rows are the previous ones with its changes applied`, () => {
    const sim = simulateCdc(rows, seed, params);
    const source = new Map<number, RowImage>(sim.base.map((r) => [r['id'] as number, r]));
    let lastSeq = sim.baseSeq;
    for (const [i, batch] of sim.batches.entries()) {
      for (const e of batch.events) {
        const seq = BigInt(e.seq as string);
        if (seq <= lastSeq) continue; // a redelivered or duplicated event, already applied
        lastSeq = seq;
        const row = e.row as RowImage;
        if (e.op === 'D') source.delete(row['id'] as number);
        else source.set(row['id'] as number, row);
      }
      assert.equal(lastSeq, batch.lastSeq, `batch ${i + 1}: last sequence number`);
      const byId = (rs: Iterable<RowImage>) => [...rs].sort((a, b) => (a['id'] as number) - (b['id'] as number));
      assert.deepEqual(byId(batch.sourceRows), byId(source.values()), `batch ${i + 1}: source rows`);
    }
  });
}
