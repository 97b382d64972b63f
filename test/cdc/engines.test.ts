// Every engine in the registry that supports a pattern's plans equals the reference after every batch of the cdc
// dataset (hard cases included): the DuckDB engine, the TypeScript model and the simulated source must all agree,
// and so must the rows each batch reports inserted, updated and deleted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simulateCdc } from '../../datasets/cdc.ts';
import { duckdbEngine } from '../../engines/duckdb/index.ts';
import { ENGINES } from '../../engines/registry.ts';
import { tableFromRows } from '../../plan/arrow.ts';
import { CdcApplier } from '../../scenarios/cdc/applier.ts';
import { countChanges } from '../../scenarios/cdc/change-counts.ts';
import { patternUnsupported } from '../../scenarios/cdc/engine-cell.ts';
import { CdcModel } from '../../scenarios/cdc/model.ts';
import { PATTERNS } from '../../scenarios/cdc/patterns.ts';
import { validateBatch } from '../../scenarios/cdc/validate.ts';
import { assertSameRows, withEngine } from './support.ts';

const sim = simulateCdc(200, 11, { batches: 3, changeFraction: 0.1, duplicateFraction: 0.1 });
const entity = sim.entity;

test('the cdc dataset has the hard cases: several changes per key in a batch, delete then re-insert, upserts of unseen keys, duplicates', () => {
  const events = sim.batches.flatMap((b) => b.events);
  const keyed = (b: (typeof sim.batches)[number]) => b.events.map((e) => `${e.op}${(e.row as { id: number }).id}`);
  assert.ok(sim.batches.some((b) => new Set(b.events.map((e) => (e.row as { id: number }).id)).size < b.events.length), 'several events for one key');
  assert.ok(sim.batches.some((b) => keyed(b).some((k, i, all) => k.startsWith('D') && all.slice(i + 1).includes(`I${k.slice(1)}`))), 'delete then re-insert');
  assert.ok(events.some((e) => e.op === 'U' && (e.row as { id: number }).id > 200 && !events.some((x) => x.op === 'I' && (x.row as { id: number }).id === (e.row as { id: number }).id)), 'update to a key never inserted');
  assert.ok(new Set(events.map((e) => String(e.seq))).size < events.length, 'duplicated events');
  assert.ok(events.some((e) => BigInt(e.seq as string) > 2n ** 63n) && events.some((e) => BigInt(e.seq as string) < 2n ** 63n), 'sequence numbers cross 2^63');
});

for (const descriptor of [duckdbEngine, ...ENGINES.filter((e) => e.name !== duckdbEngine.name)]) {
  for (const pattern of Object.values(PATTERNS)) {
    const reason = patternUnsupported(descriptor, pattern, entity);
    test(`${descriptor.name} / ${pattern.name}: equals the reference after every batch`, { skip: reason ?? false }, async (t) => {
      const up = descriptor.available ? await descriptor.available({}) : { ok: true as const };
      if (!up.ok) return t.skip(up.reason);
      await withEngine(async (engine) => {
        const applier = await CdcApplier.seed(engine, entity, pattern, tableFromRows(entity.schema, sim.base), sim.baseSeq, sim.baseTsMs);
        const model = new CdcModel(entity, pattern.name);
        model.seed(sim.base, sim.baseSeq, sim.baseTsMs);
        for (const [i, batch] of sim.batches.entries()) {
          const source = tableFromRows(entity.schema, batch.sourceRows);
          if (pattern.mergePlan(entity)) {
            const before = model.stateTable();
            const report = await applier.applyBatch(batch.events);
            model.apply(validateBatch(entity, batch.events));
            assertSameRows(await applier.state(), model.stateTable(), `state after batch ${i + 1}`);
            // The applier counts from states it read once and kept; the model's states give the same counts.
            const { inserted, updated, deleted } = report;
            assert.deepEqual({ inserted, updated, deleted }, countChanges(entity, pattern.name, before, model.stateTable()), `counts of batch ${i + 1}`);
          } else await applier.reload(source);
          assertSameRows(await applier.current(), source, `current view after batch ${i + 1} vs the source`);
        }
      }, descriptor);
    });
  }
}
