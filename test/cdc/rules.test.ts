// One named test per rule real appliers follow (issue 7), run through the DuckDB engine and checked against the
// independent TypeScript model; plus whole-batch rejection leaving the target exactly as it was.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tableToRows } from '../../plan/arrow.ts';
import type { RawChange } from '../../scenarios/cdc/change.ts';
import { collapseBatch } from '../../scenarios/cdc/collapse.ts';
import { fromDebezium } from '../../scenarios/cdc/debezium.ts';
import { CdcModel } from '../../scenarios/cdc/model.ts';
import type { PatternName } from '../../scenarios/cdc/pattern.ts';
import { CdcBatchError, validateBatch } from '../../scenarios/cdc/validate.ts';
import { assertSameRows, customer, entity, seeded, withEngine } from './support.ts';

const I = (seq: number | bigint | string, id: number, name = `n${seq}`): RawChange => ({ op: 'I', seq, ts: 10_000 + Number(BigInt(seq) % 100000n), row: customer(id, name) });
const U = (seq: number | bigint | string, id: number, name = `n${seq}`): RawChange => ({ op: 'U', seq, ts: 10_000 + Number(BigInt(seq) % 100000n), row: customer(id, name) });
const D = (seq: number | bigint | string, id: number): RawChange => ({ op: 'D', seq, ts: 10_000 + Number(BigInt(seq) % 100000n), row: { id } });
const MERGES: readonly PatternName[] = ['merge-hard-delete', 'merge-soft-delete', 'insert-only-history'];

/** Apply batches with DuckDB and with the model; assert same state after each; return the current rows by id. */
async function run(pattern: PatternName, base: ReturnType<typeof customer>[], batches: RawChange[][]): Promise<Map<number, string | null>> {
  return withEngine(async (engine) => {
    const applier = await seeded(engine, pattern, base, 0n);
    const model = new CdcModel(entity, pattern);
    model.seed(base, 0n, 0);
    for (const [i, b] of batches.entries()) {
      await applier.applyBatch(b);
      model.apply(validateBatch(entity, b));
      assertSameRows(await applier.state(), model.stateTable(), `${pattern} state after batch ${i + 1}`);
    }
    const current = tableToRows(await applier.current());
    assertSameRows(await applier.current(), model.currentTable(), `${pattern} current view`);
    return new Map(current.map((r) => [Number(r['id']), r['name'] as string | null]));
  });
}

test('rule: each batch is collapsed to the last change per key by sequence number (one source row per target row)', async () => {
  const events = validateBatch(entity, [U(5, 1, 'late-in-batch'), U(3, 1, 'first'), U(9, 1, 'last'), I(4, 2)]);
  const collapsed = collapseBatch(entity, events);
  assert.equal(collapsed.length, 2);
  assert.equal(collapsed.find((c) => c.row['id'] === 1)!.row['name'], 'last');
  for (const p of MERGES) assert.equal((await run(p, [customer(1)], [[U(5, 1, 'b'), U(3, 1, 'a'), U(9, 1, 'last')]])).get(1), 'last', p);
});

test('rule: delete then re-insert in one batch ends with the row present', async () => {
  for (const p of MERGES) {
    const current = await run(p, [customer(1), customer(2)], [[D(5, 1), I(6, 1, 'back'), I(7, 3), D(8, 3)]]);
    assert.equal(current.get(1), 'back', p);
    assert.ok(!current.has(3), `${p}: insert then delete ends absent`);
    assert.equal(current.get(2), 'c2', p);
  }
});

test('rule: insert-only history never ends with two current rows for a key, and keeps every version', async () => {
  await withEngine(async (engine) => {
    const applier = await seeded(engine, 'insert-only-history', [customer(1)], 0n);
    await applier.applyBatch([U(2, 1, 'a'), U(3, 1, 'b'), D(4, 1), I(5, 1, 'c'), U(6, 1, 'd')]);
    await applier.applyBatch([U(7, 1, 'e'), U(7, 1, 'e')]);
    const current = tableToRows(await applier.current());
    assert.deepEqual(current.map((r) => r['name']), ['e']);
    assert.equal((await applier.state()).numRows, 1 + 6, 'seed version + 6 distinct changes');
  });
});

test('rule: highest sequence per key wins across batches — a late, older change is discarded', async () => {
  for (const p of MERGES) {
    const current = await run(p, [customer(1)], [[U(10, 1, 'new')], [U(7, 1, 'old-late')]]);
    assert.equal(current.get(1), 'new', p);
  }
});

test('rule: deleted keys keep a tombstone, so a late update cannot resurrect a hard-deleted row', async () => {
  for (const p of MERGES) {
    const current = await run(p, [customer(1)], [[D(10, 1)], [U(8, 1, 'zombie')], [I(9, 1, 'zombie2')]]);
    assert.ok(!current.has(1), `${p}: resurrected`);
  }
  await withEngine(async (engine) => {
    const applier = await seeded(engine, 'merge-hard-delete', [customer(1)], 0n);
    await applier.applyBatch([D(10, 1)]);
    const rows = tableToRows(await applier.state());
    assert.deepEqual(rows, [{ id: 1, name: null, city: null, balance: null, updated_at: null, _seq: '0002:10', _deleted: true }]);
  });
});

test('rule: soft delete keeps the row with is_deleted and deleted_at and its last image; the current view filters it', async () => {
  await withEngine(async (engine) => {
    const applier = await seeded(engine, 'merge-soft-delete', [customer(1), customer(2)], 0n);
    await applier.applyBatch([D(10, 1), I(11, 3, 'short-lived'), D(12, 3)]);
    const rows = new Map(tableToRows(await applier.state()).map((r) => [r['id'], r]));
    assert.equal(rows.get(1)!['is_deleted'], true);
    assert.equal(rows.get(1)!['deleted_at'], 10_010);
    assert.equal(rows.get(1)!['name'], 'c1', 'keeps the stored image');
    assert.equal(rows.get(3)!['name'], 'short-lived', 'keeps the image from earlier in the batch');
    assert.equal(rows.get(2)!['is_deleted'], false);
    assert.deepEqual(tableToRows(await applier.current()).map((r) => r['id']), [2]);
  });
});

test('rule: updates to keys that do not exist yet are upserts', async () => {
  for (const p of MERGES) assert.equal((await run(p, [], [[U(3, 42, 'new')]])).get(42), 'new', p);
});

test('rule: exact duplicate events (at-least-once delivery) are dropped; a different event with the same sequence number rejects the batch', async () => {
  assert.equal(validateBatch(entity, [U(3, 1), U(3, 1), I(4, 2)]).length, 2);
  assert.throws(() => validateBatch(entity, [U(3, 1, 'a'), U(3, 1, 'b')]), /record 1 has sequence number 3 like record 0 but different content/);
});

test('rule: snapshot reads (Debezium r) act as upserts', async () => {
  const raw = fromDebezium(entity, [
    { op: 'r', after: customer(1, 'snap'), source: { ts_ms: 5, lsn: 1 } },
    { op: 'r', after: customer(2, 'snap2'), source: { ts_ms: 5, lsn: 2 } },
  ]);
  for (const p of MERGES) {
    const current = await run(p, [customer(1, 'stale')], [raw]);
    assert.equal(current.get(1), 'snap', p);
    assert.equal(current.get(2), 'snap2', p);
  }
});

test('rule: truncate events are rejected loudly by default (naming the record), never ignored', async () => {
  await withEngine(async (engine) => {
    const applier = await seeded(engine, 'merge-hard-delete', [customer(1)], 0n);
    const before = await applier.state();
    await assert.rejects(applier.applyBatch([U(2, 1), { op: 'T', seq: 3, ts: 0 }]), (e: Error) => e instanceof CdcBatchError && /record 1 is a truncate of customers/.test(e.message));
    assertSameRows(await applier.state(), before, 'state unchanged');
    assertSameRows(await applier.current(), before.select(entity.schema.map((f) => f.name)), 'target unchanged');
  });
});

test('rule: truncate events are applied when the policy says so — every older row deleted, later changes kept', async () => {
  for (const p of MERGES) {
    await withEngine(async (engine) => {
      const applier = await seeded(engine, p, [customer(1), customer(2)], 0n, { truncate: 'apply' });
      const model = new CdcModel(entity, p);
      model.seed([customer(1), customer(2)], 0n, 0);
      const batch: RawChange[] = [U(2, 1, 'x'), { op: 'T', seq: 3, ts: 50 }, I(4, 3, 'after')];
      const report = await applier.applyBatch(batch);
      model.apply(validateBatch(entity, batch, 'apply'));
      assert.equal(report.truncates, 1);
      assertSameRows(await applier.state(), model.stateTable(), `${p} state`);
      assert.deepEqual(tableToRows(await applier.current()).map((r) => r['id']), [3], p);
      await applier.applyBatch([U(2, 1, 'late-before-truncate')]);
      assert.deepEqual(tableToRows(await applier.current()).map((r) => r['id']), [3], `${p}: a change older than the truncate must lose`);
    });
  }
});

test('a batch that breaks its own rules is rejected as a whole, naming the record, and the target is left exactly as it was', async () => {
  const bad: [RawChange, RegExp][] = [
    [{ op: 'X', seq: 5, ts: 0, row: customer(9) }, /record 2 has unknown op "X"/],
    [{ op: 'U', seq: 5, ts: 0, row: { ...customer(9), id: null } }, /record 2 \(op U\) is missing key column 'id'/],
    [{ op: 'D', seq: 5, ts: 0, row: {} }, /record 2 \(op D\) is missing key column 'id'/],
    [{ op: 'U', seq: 'five', ts: 0, row: customer(9) }, /record 2 has a malformed sequence number "five"/],
    [{ op: 'U', seq: 5, ts: 0, row: { id: 9, name: 'x' } }, /record 2 \(op U\) is missing column 'city'/],
    [{ op: 'U', seq: 5, ts: 0, row: { ...customer(9), balance: 'lots' } }, /record 2 \(op U\) has "lots" in column 'balance', which is not a float64/],
    [{ op: 'U', seq: 5, ts: 0, row: { ...customer(9), extra: 1 } }, /record 2 \(op U\) has unknown column 'extra'/],
    [{ op: 'I', seq: 5, ts: 'noon', row: customer(9) }, /record 2 has a malformed timestamp "noon"/],
    [{ op: 'I', seq: 5, ts: 0 }, /record 2 \(op I\) has no row image/],
  ];
  for (const p of MERGES) {
    await withEngine(async (engine) => {
      const applier = await seeded(engine, p, [customer(1), customer(2)], 0n);
      await applier.applyBatch([U(3, 1, 'kept')]);
      const before = await applier.state();
      const currentBefore = await applier.current();
      for (const [record, message] of bad) {
        await assert.rejects(applier.applyBatch([U(6, 1, 'lost'), D(7, 2), record]), (e: Error) => e instanceof CdcBatchError && message.test(e.message) && !e.message.includes('\n'), `${p}: ${message}`);
        assertSameRows(await applier.state(), before, 'state unchanged');
        assertSameRows(await applier.current(), currentBefore, `${p}: current view after a rejected batch`);
      }
    });
  }
});

for (const mode of ['resident', 'round-trip'] as const) {
  test(`rule (${mode}): truncate-and-reload builds a staging table and swaps it in; a failure midway leaves the old table`, async () => {
    await withEngine(async (engine) => {
      const { tableFromRows } = await import('../../plan/arrow.ts');
      let failNext = true;
      const applier = await seeded(engine, 'truncate-reload', [customer(1), customer(2)], 0n, {
        mode,
        fault: (point) => {
          if (point === 'staged' && failNext) throw new Error('injected crash before the swap');
        },
      });
      assert.equal(applier.resident, mode === 'resident');
      const old = await applier.state();
      await assert.rejects(applier.reload(tableFromRows(entity.schema, [customer(3)])), /injected crash/);
      assertSameRows(await applier.state(), old, 'state unchanged');
      assertSameRows(await applier.current(), old, 'old table after the failed reload');
      failNext = false;
      const report = await applier.reload(tableFromRows(entity.schema, [customer(3)]));
      assert.deepEqual(tableToRows(await applier.current()).map((r) => r['id']), [3]);
      assert.deepEqual([report.inserted, report.deleted, report.rewritten], [1, 2, 1]);
    });
  });

  for (const point of ['segment', 'staged'] as const) {
    test(`a merge that fails midway (${mode}, crash at '${point}') leaves the old target, and the next batch applies cleanly`, async () => {
      await withEngine(async (engine) => {
        let crash = true;
        const applier = await seeded(engine, 'merge-hard-delete', [customer(1)], 0n, {
          mode,
          truncate: 'apply',
          fault: (p) => {
            if (crash && p === point) throw new Error(`injected crash at ${p}`);
          },
        });
        const before = await applier.state();
        await assert.rejects(applier.applyBatch([U(2, 1, 'x'), { op: 'T', seq: 3, ts: 0 }, I(4, 5)]), /injected crash/);
        assertSameRows(await applier.state(), before, 'state unchanged');
        assertSameRows(await applier.current(), before.select(entity.schema.map((f) => f.name)), 'engine target restored');
        crash = false;
        await applier.applyBatch([U(2, 1, 'x'), { op: 'T', seq: 3, ts: 0 }, I(4, 5), U(5, 1, 'y')]);
        assert.deepEqual(tableToRows(await applier.current()).map((r) => [r['id'], r['name']]).sort(), [[1, 'y'], [5, 'n4']]);
      });
    });
  }
}

test('resident state: each batch loads only its small changes table; round-trip loads the whole target back', async () => {
  const loads = { resident: [] as string[], 'round-trip': [] as string[] };
  const states: Record<string, unknown> = {};
  for (const mode of ['resident', 'round-trip'] as const) {
    await withEngine(async (inner) => {
      const spy = Object.assign(Object.create(inner) as typeof inner, {
        load: async (tables: ReadonlyMap<string, import('apache-arrow').Table>) => {
          for (const [name, t] of tables) loads[mode].push(`${name}:${t.numRows}`);
          return inner.load(tables);
        },
      });
      const applier = await seeded(spy, 'merge-hard-delete', [customer(1), customer(2), customer(3)], 0n, { mode });
      loads[mode].length = 0;
      await applier.applyBatch([U(5, 1, 'x'), D(6, 2)]);
      states[mode] = tableToRows(await applier.state()).sort((a, b) => Number(a['id']) - Number(b['id']));
    });
  }
  assert.deepEqual(loads.resident, ['changes:2']);
  assert.deepEqual(loads['round-trip'], ['changes:2', 'target:3']);
  assert.deepEqual(states['resident'], states['round-trip']);
});

test('row counts per batch: inserted, updated, deleted, rewritten', async () => {
  await withEngine(async (engine) => {
    const applier = await seeded(engine, 'merge-hard-delete', [customer(1), customer(2), customer(3)], 0n);
    const r = await applier.applyBatch([U(5, 1, 'x'), D(6, 2), I(7, 4), U(8, 9), D(9, 77)]);
    assert.deepEqual([r.inserted, r.updated, r.deleted], [2, 1, 1]);
    assert.equal(r.rewritten, 6, '3 live + tombstones for 2 and 77 + new 4 and 9 = 6 rows written');
  });
});
