// Guarantees as fast-check properties, model-based: a batch applied twice equals once; shuffling a batch changes
// nothing; micro-batches equal one batch; the merged table equals a reload of the source as of the last sequence
// number; and DuckDB equals the independent TypeScript model after every batch, redeliveries and late events included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type * as arrow from 'apache-arrow';
import type { Engine } from '../../engines/engine.ts';
import { tableFromRows } from '../../plan/arrow.ts';
import type { RawChange, RowImage } from '../../scenarios/cdc/change.ts';
import { CdcModel } from '../../scenarios/cdc/model.ts';
import type { PatternName } from '../../scenarios/cdc/pattern.ts';
import { validateBatch } from '../../scenarios/cdc/validate.ts';
import { assertSameRows, customer, entity, seeded, withEngine } from './support.ts';

const PATTERNS: readonly PatternName[] = ['merge-hard-delete', 'merge-soft-delete', 'insert-only-history'];
const RUNS = 10;

interface Log {
  readonly base: RowImage[];
  /** Events in log order (strictly increasing sequence numbers). */
  readonly events: RawChange[];
}

/** A change log over ids 1..5 with sequence numbers starting anywhere up to 2^70 (crossing 2^63 and 2^64 often). */
const logArb: fc.Arbitrary<Log> = fc
  .record({
    baseIds: fc.uniqueArray(fc.integer({ min: 1, max: 5 }), { maxLength: 5 }),
    start: fc.oneof(fc.bigInt({ min: 1n, max: 100n }), fc.constantFrom(2n ** 63n - 5n, 2n ** 64n - 3n), fc.bigInt({ min: 0n, max: 2n ** 70n })),
    steps: fc.array(fc.record({ op: fc.constantFrom('I', 'U', 'D'), id: fc.integer({ min: 1, max: 5 }), gap: fc.bigInt({ min: 1n, max: 3n }), name: fc.constantFrom('a', 'b', null), balance: fc.double({ noNaN: true, min: -1e6, max: 1e6 }) }), { minLength: 1, maxLength: 14 }),
  })
  .map(({ baseIds, start, steps }) => {
    let seq = start;
    const events = steps.map((s, i): RawChange => {
      seq += s.gap;
      const ts = 1_000_000 + i * 1000;
      return s.op === 'D' ? { op: 'D', seq, ts, row: { id: s.id } } : { op: s.op, seq, ts, row: { ...customer(s.id, s.name as string), balance: s.balance, updated_at: ts } };
    });
    return { base: baseIds.map((id) => customer(id)), events };
  });

/** The source itself: I/U set the row, D removes it, in log order. */
function sourceAfter(log: Log): arrow.Table {
  const rows = new Map(log.base.map((r) => [r['id'], r]));
  for (const e of log.events) {
    const row = e.row as RowImage;
    if (e.op === 'D') rows.delete(row['id']!);
    else rows.set(row['id']!, row);
  }
  return tableFromRows(entity.schema, [...rows.values()]);
}

async function applyAll(engine: Engine, pattern: PatternName, log: Log, batches: readonly (readonly RawChange[])[]): Promise<arrow.Table> {
  const applier = await seeded(engine, pattern, log.base, 0n);
  for (const b of batches) await applier.applyBatch(b);
  return applier.state();
}

/** Cut points → contiguous micro-batches of the log. */
const splitArb = (log: Log): fc.Arbitrary<RawChange[][]> =>
  fc.uniqueArray(fc.integer({ min: 1, max: Math.max(1, log.events.length - 1) }), { maxLength: 4 }).map((cuts) => {
    const points = [0, ...cuts.filter((c) => c < log.events.length).sort((a, b) => a - b), log.events.length];
    return points.slice(1).map((p, i) => log.events.slice(points[i], p)).filter((b) => b.length > 0);
  });

for (const pattern of PATTERNS) {
  test(`${pattern}: applying a batch twice equals applying it once (property)`, async () => {
    await withEngine(async (engine) => {
      await fc.assert(
        fc.asyncProperty(logArb, async (log) => {
          assertSameRows(await applyAll(engine, pattern, log, [log.events, log.events]), await applyAll(engine, pattern, log, [log.events]), 'twice vs once');
        }),
        { numRuns: RUNS },
      );
    });
  });

  test(`${pattern}: shuffling the events inside a batch changes nothing (property)`, async () => {
    await withEngine(async (engine) => {
      await fc.assert(
        fc.asyncProperty(logArb.chain((log) => fc.tuple(fc.constant(log), fc.shuffledSubarray(log.events, { minLength: log.events.length }))), async ([log, shuffled]) => {
          assertSameRows(await applyAll(engine, pattern, log, [shuffled]), await applyAll(engine, pattern, log, [log.events]), 'shuffled vs in order');
        }),
        { numRuns: RUNS },
      );
    });
  });

  test(`${pattern}: splitting a batch into micro-batches changes nothing, and the table equals a reload of the source (property)`, async () => {
    await withEngine(async (engine) => {
      await fc.assert(
        fc.asyncProperty(logArb.chain((log) => fc.tuple(fc.constant(log), splitArb(log))), async ([log, micro]) => {
          const whole = await applyAll(engine, pattern, log, [log.events]);
          assertSameRows(await applyAll(engine, pattern, log, micro), whole, `${micro.length} micro-batches vs one batch`);
          const applier = await seeded(engine, pattern, log.base, 0n);
          for (const b of micro) await applier.applyBatch(b);
          assertSameRows(await applier.current(), sourceAfter(log), 'current view vs truncate-and-reload of the source');
        }),
        { numRuns: RUNS },
      );
    });
  });

  test(`${pattern}: DuckDB equals the TypeScript model after every batch, with redeliveries and late events (model-based)`, async () => {
    await withEngine(async (engine) => {
      const deliveries = logArb.chain((log) =>
        fc.tuple(
          fc.constant(log),
          // batches that replay random earlier events (late or duplicate) next to new ones
          fc.array(fc.array(fc.nat({ max: log.events.length - 1 }), { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 4 }),
        ),
      );
      await fc.assert(
        fc.asyncProperty(deliveries, async ([log, picks]) => {
          const applier = await seeded(engine, pattern, log.base, 0n);
          const model = new CdcModel(entity, pattern);
          model.seed(log.base, 0n, 0);
          for (const [i, pick] of picks.entries()) {
            const batch = [...new Set(pick)].map((j) => log.events[j]!);
            await applier.applyBatch(batch);
            model.apply(validateBatch(entity, batch));
            assertSameRows(await applier.state(), model.stateTable(), `state after batch ${i + 1}`);
          }
          assertSameRows(await applier.current(), model.currentTable(), 'current view');
        }),
        { numRuns: RUNS },
      );
    });
  });
}

test('the source model used above is itself right on a hand-written log', () => {
  const log: Log = { base: [customer(1)], events: [{ op: 'D', seq: 1n, ts: 0, row: { id: 1 } }, { op: 'I', seq: 2n, ts: 0, row: customer(2) }] };
  assert.deepEqual(sourceAfter(log).getChild('id')!.toArray(), Int32Array.from([2]));
});
