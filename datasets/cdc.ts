// cdc: a simulated source table (customers keyed by id) and the change log it emits in batches — the input of
// the CDC merge scenarios, with the hard cases real pipelines see (several changes to one key in a batch, delete
// then re-insert, updates to keys the target never saw, at-least-once duplicates and redelivered batch tails).
import type * as arrow from 'apache-arrow';
import { tableFromRows } from '../plan/arrow.ts';
import type { LiteralValue, Schema } from '../plan/types.ts';
import type { Entity, RawChange, RowImage } from '../scenarios/cdc/change.ts';
import { checkRows, checkSeed, DatasetInputError, intParam, numberParam, resolveParams } from './params.ts';
import type { Dataset, DatasetParams } from './dataset.ts';
import { Prng } from './prng.ts';

const CUSTOMER_SCHEMA: Schema = [
  { name: 'id', type: 'int32', doc: 'customer key' },
  { name: 'name', type: 'utf8', doc: 'customer name' },
  { name: 'city', type: 'utf8', doc: 'one of 8 cities; NULL for about 2% of rows' },
  { name: 'balance', type: 'float64', doc: 'account balance, 2 decimals' },
  { name: 'updated_at', type: 'timestamp', doc: 'when the source last wrote the row' },
];

/** The entity the cdc dataset describes. */
export const CUSTOMERS: Entity = { name: 'customers', schema: CUSTOMER_SCHEMA, key: ['id'] };

const CHANGES_SCHEMA: Schema = [
  { name: 'batch', type: 'int32', doc: 'batch number, 1..batches' },
  { name: 'op', type: 'utf8', doc: 'I, U or D' },
  { name: 'seq', type: 'utf8', doc: 'log sequence number as a decimal string (arbitrary size; crosses 2^63 by default)' },
  { name: 'ts', type: 'timestamp', doc: 'when the change happened' },
  ...CUSTOMER_SCHEMA.map((f) => ({ ...f, doc: `new image (I/U); for D only id is set — ${f.doc}` })),
];

const CITIES = ['Lisbon', 'Oslo', 'Lagos', 'Lima', 'Osaka', 'Quito', 'Perth', 'Turin'];
const NAMES = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Radia', 'Tony'];
const START_MS = Date.UTC(2024, 0, 1);

/** One delivered batch and the source as it stands after it. */
export interface CdcBatch {
  readonly events: readonly RawChange[];
  /** The source table after the batch (immutable rows): what a full snapshot would read. */
  readonly sourceRows: readonly RowImage[];
  readonly lastSeq: bigint;
}

export interface CdcSimulation {
  readonly entity: Entity;
  readonly base: readonly RowImage[];
  readonly baseSeq: bigint;
  readonly baseTsMs: number;
  readonly batches: readonly CdcBatch[];
}

/**
 * Simulate the source: `rows` customers, then `batches` batches of about rows × changeFraction changes each.
 * @example simulateCdc(1000, 42, { batches: 3, changeFraction: 0.05 }).batches[0].events.length
 */
export function simulateCdc(rows: number, seed: number, given: DatasetParams = {}): CdcSimulation {
  checkRows(rows);
  checkSeed(seed);
  const params = resolveParams('cdc', cdc.params, given);
  const batches = intParam('cdc', params, 'batches', 1, 1000);
  const fraction = numberParam('cdc', params, 'changeFraction', 0, 1);
  const duplicates = numberParam('cdc', params, 'duplicateFraction', 0, 1);
  if (!/^\d+$/.test(String(params['seqStart']))) throw new DatasetInputError(`parameter 'seqStart' of 'cdc' must be a non-negative whole number, got '${params['seqStart']}'`);
  let seq = BigInt(String(params['seqStart']));
  const rng = Prng.stream(seed, 'cdc.changes');
  let clock = START_MS;
  const image = (id: number): RowImage => ({
    id,
    name: `${NAMES[rng.int(NAMES.length)]} ${id}`,
    city: rng.chance(0.02) ? null : CITIES[rng.int(CITIES.length)]!,
    balance: Math.round(rng.float() * 1e6) / 100,
    updated_at: clock,
  });
  const source = new Map<number, RowImage>();
  for (let id = 1; id <= rows; id++) source.set(id, image(id));
  const base = [...source.values()];
  const baseSeq = seq;
  const baseTsMs = clock;
  let nextId = rows + 1;
  const out: CdcBatch[] = [];
  let previous: RawChange[] = [];
  const liveIds = (): number[] => [...source.keys()];
  for (let b = 1; b <= batches; b++) {
    const events: RawChange[] = [];
    const emit = (op: 'I' | 'U' | 'D', id: number): void => {
      seq += BigInt(1 + rng.int(3)); // LSN-like gaps
      clock += 1 + rng.int(1000);
      let row: Record<string, LiteralValue>;
      if (op === 'D') {
        source.delete(id);
        row = { id };
      } else {
        row = { ...image(id) };
        source.set(id, row);
      }
      events.push({ op, seq: seq.toString(), ts: clock, row });
    };
    const target = Math.max(1, Math.round(rows * fraction));
    let ids = liveIds();
    while (events.length < target) {
      if (ids.length === 0) ids = [nextId];
      const pick = (): number => ids[rng.int(ids.length)]!;
      const r = rng.float();
      if (r < 0.55) {
        const id = pick();
        emit(source.has(id) ? 'U' : 'I', id);
      }
      else if (r < 0.7) emit('I', nextId++);
      else if (r < 0.8) {
        const id = pick();
        if (source.has(id)) emit('D', id);
      } else if (r < 0.87) {
        const id = pick(); // delete then re-insert in the same batch
        if (source.has(id)) {
          emit('D', id);
          emit('I', id);
        }
      } else if (r < 0.95) {
        const id = pick(); // several updates to one key
        const n = 2 + rng.int(2);
        for (let i = 0; i < n; i++) emit(source.has(id) ? 'U' : 'I', id);
      } else emit('U', nextId++); // an update to a key the target never saw (its insert predates the capture)
    }
    // At-least-once delivery: some events twice, and the tail of the previous batch again after a "restart".
    const delivered: RawChange[] = previous.slice(previous.length - Math.round(previous.length * duplicates));
    for (const e of events) {
      delivered.push(e);
      if (rng.chance(duplicates)) delivered.push({ ...e });
    }
    out.push({ events: delivered, sourceRows: [...source.values()], lastSeq: seq });
    previous = events;
  }
  return { entity: CUSTOMERS, base, baseSeq, baseTsMs, batches: out };
}

function generate(rows: number, seed: number, params: DatasetParams): ReadonlyMap<string, arrow.Table> {
  const sim = simulateCdc(rows, seed, params);
  const changes = sim.batches.flatMap((b, i) =>
    b.events.map((e) => ({ ...(e.row as RowImage), batch: i + 1, op: e.op, seq: e.seq, ts: e.ts })),
  );
  return new Map([
    ['customers', tableFromRows(CUSTOMER_SCHEMA, sim.base)],
    ['customer_changes', tableFromRows(CHANGES_SCHEMA, changes)],
  ]);
}

/**
 * The `cdc` dataset: the base table and the delivered change log.
 * @example cdc.generate(1000, 42, { changeFraction: 0.01 }).get('customer_changes')!.numRows
 */
export const cdc: Dataset = {
  name: 'cdc',
  doc:
    'A source table of customers keyed by id and the change log it emits (op I/U/D, new row image, timestamp, ' +
    'strictly increasing log sequence number that by default starts just below 2^63 and crosses it), delivered ' +
    'in batches with the hard cases real CDC pipelines see: several changes to one key inside a batch, delete then ' +
    're-insert, updates to keys that do not exist in the target yet, duplicated events and redelivered batch tails.',
  tables: [
    { name: 'customers', doc: 'the source table at the start (the target is seeded from it)', schema: CUSTOMER_SCHEMA, rowsRule: 'rows' },
    { name: 'customer_changes', doc: 'the change log, in delivery order (duplicates included)', schema: CHANGES_SCHEMA, rowsRule: 'about rows × changeFraction × batches × (1 + duplicateFraction)' },
  ],
  params: [
    { name: 'batches', doc: 'number of change batches, 1..1000', default: 4 },
    { name: 'changeFraction', doc: 'changes per batch as a fraction of rows (0.001 = 0.1% … 0.5 = 50%)', default: 0.01 },
    { name: 'duplicateFraction', doc: 'share of events delivered twice, and of the previous batch redelivered', default: 0.03 },
    { name: 'seqStart', doc: 'first log sequence number (decimal; any size)', default: '9223372036854775707' },
  ],
  generate,
};
