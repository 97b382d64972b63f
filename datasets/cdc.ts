// cdc: a simulated source table (customers keyed by id) and the change log it emits in batches — the input of
// the CDC merge scenarios, with the hard cases real pipelines see (several changes to one key in a batch, delete
// then re-insert, updates to keys the target never saw, at-least-once duplicates and redelivered batch tails).
// The simulation runs on typed arrays (one slot per id and per change, no per-row objects), so the dataset is
// generated at millions of rows per second; `simulateCdc` builds the row objects the CDC scenarios consume from it.
import * as arrow from 'apache-arrow';
import type { LiteralValue, Schema } from '../plan/types.ts';
import type { Entity, RawChange, RowImage } from '../scenarios/cdc/change.ts';
import { buildTable, float64Data, int32Data, pooledUtf8, TimestampColumn, Utf8Builder, utf8Bytes, Validity } from './columns.ts';
import { checkRows, checkSeed, DatasetInputError, intParam, numberParam, resolveParams } from './params.ts';
import type { Dataset, DatasetParams } from './dataset.ts';
import { startPart, type PartColumns } from './parallel.ts';
import { intOf, Prng, unitOf } from './prng.ts';

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
const CITY_BYTES = CITIES.map(utf8Bytes);
const NAMES = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Radia', 'Tony'];
/** A name is `<first name> <id>`: the part before the id. */
const NAME_PREFIXES = NAMES.map((n) => `${n} `);
const START_MS = Date.UTC(2024, 0, 1);

const OP_I = 0;
const OP_U = 1;
const OP_D = 2;
const OP_TEXT = ['I', 'U', 'D'] as const;
const OP_BYTES = OP_TEXT.map(utf8Bytes);
/** City index of a NULL city. */
const NO_CITY = -1;

/**
 * A validity bitmap padded as apache-arrow's builders pad theirs (to a multiple of 64 bytes): the tables were first
 * built through them, and the bytes stay as they were.
 */
function builderValidity(length: number): Validity {
  return new Validity(length, Math.max(64, Math.ceil(Math.ceil(length / 8) / 64) * 64));
}

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

interface CdcSettings {
  readonly batches: number;
  readonly fraction: number;
  readonly duplicates: number;
  readonly seqStart: bigint;
}

function settingsOf(rows: number, seed: number, given: DatasetParams): CdcSettings {
  checkRows(rows);
  checkSeed(seed);
  const params = resolveParams('cdc', cdc.params, given);
  const batches = intParam('cdc', params, 'batches', 1, 1000);
  const fraction = numberParam('cdc', params, 'changeFraction', 0, 1);
  const duplicates = numberParam('cdc', params, 'duplicateFraction', 0, 1);
  if (!/^\d+$/.test(String(params['seqStart']))) throw new DatasetInputError(`parameter 'seqStart' of 'cdc' must be a non-negative whole number, got '${params['seqStart']}'`);
  return { batches, fraction, duplicates, seqStart: BigInt(String(params['seqStart'])) };
}

/** `a` if it holds `need` values, else a copy at least twice as long (for logs whose length is drawn). */
function grown<T extends Int32Array | Float64Array | Int8Array | Uint8Array>(a: T, need: number): T {
  if (need <= a.length) return a;
  const next = new (a.constructor as new (n: number) => T)(Math.max(need, a.length * 2));
  next.set(a);
  return next;
}

/**
 * The simulation as columns: every emitted change with the image it wrote (I/U), and the delivered log as indices
 * into the emitted changes. (The base images, ids 1..rows written at START_MS, draw from a stream of their own.)
 */
class CdcLog {
  emitted = 0;
  op = new Uint8Array(64);
  /** seq − seqStart: steps of 1..3, so an exact double however large seqStart is. */
  seqOffset = new Float64Array(64);
  ts = new Float64Array(64);
  id = new Int32Array(64);
  name = new Uint8Array(64);
  city = new Int8Array(64);
  balance = new Float64Array(64);
  delivered = 0;
  delivery = new Int32Array(64);
  /** Deliveries of batch b (0-based) are delivery[batchStart[b] .. batchStart[b + 1]). */
  readonly batchStart: Int32Array;
  /** seq − seqStart after each batch. */
  readonly batchLastSeqOffset: Float64Array;

  constructor(batches: number) {
    this.batchStart = new Int32Array(batches + 1);
    this.batchLastSeqOffset = new Float64Array(batches);
  }

  reserveEmitted(need: number): void {
    if (need <= this.op.length) return;
    this.op = grown(this.op, need);
    this.seqOffset = grown(this.seqOffset, need);
    this.ts = grown(this.ts, need);
    this.id = grown(this.id, need);
    this.name = grown(this.name, need);
    this.city = grown(this.city, need);
    this.balance = grown(this.balance, need);
  }

  deliver(change: number): void {
    if (this.delivered === this.delivery.length) this.delivery = grown(this.delivery, this.delivered + 1);
    this.delivery[this.delivered++] = change;
  }
}

/**
 * The source table's keys: which ids are live, which change last wrote each (−1: the base image), and their order
 * as a JS Map keeps it (insertion order; an update keeps a key's place, a delete and re-insert moves it to the end),
 * because the keys a batch picks from are drawn by position in that order.
 */
class SourceKeys {
  live: Uint8Array;
  writer: Int32Array;
  /** Ids in insertion order, with stale entries (deleted, or re-inserted later) until `compact`. */
  order: Int32Array;
  orderLength = 0;
  /** Each live id's position in `order`. */
  position: Int32Array;

  /** The base ids 1..rows, live and in order; room for about `expectedNewIds` more ids before growing. */
  constructor(rows: number, expectedNewIds: number) {
    const capacity = rows + 2 + expectedNewIds;
    this.live = new Uint8Array(capacity).fill(1, 1, rows + 1);
    this.writer = new Int32Array(capacity).fill(-1, 1, rows + 1);
    this.position = new Int32Array(capacity);
    this.order = new Int32Array(capacity);
    for (let id = 1; id <= rows; id++) {
      this.position[id] = id - 1;
      this.order[id - 1] = id;
    }
    this.orderLength = rows;
  }

  has(id: number): boolean {
    return id < this.live.length && this.live[id] === 1;
  }

  /** Write id's image (change `change`, or −1 for the base image); a key not live goes to the end of the order. */
  set(id: number, change: number): void {
    if (id >= this.live.length) {
      this.live = grown(this.live, id + 1);
      this.writer = grown(this.writer, id + 1);
      this.position = grown(this.position, id + 1);
    }
    this.writer[id] = change;
    if (this.live[id] === 1) return;
    this.live[id] = 1;
    if (this.orderLength === this.order.length) this.order = grown(this.order, this.orderLength + 1);
    this.position[id] = this.orderLength;
    this.order[this.orderLength++] = id;
  }

  delete(id: number): void {
    if (id < this.live.length) this.live[id] = 0;
  }

  /** Drop stale entries; afterwards order[0 .. returned length) are the live ids in Map order. */
  compact(): number {
    const order = this.order;
    let kept = 0;
    for (let p = 0; p < this.orderLength; p++) {
      const id = order[p]!;
      if (this.live[id] === 1 && this.position[id] === p) {
        order[kept] = id;
        this.position[id] = kept++;
      }
    }
    this.orderLength = kept;
    return kept;
  }
}

/** Draws taken at a time for the base images. */
const BASE_BLOCK = 1024;

// The base images of ids 1..rows (what the source holds before the first change; revision 2 — they were the first
// draws of the changes' stream): each column from a stream of its own, so that the two threads can write different
// columns of the customers table.

/** Each id's first name (an index into NAMES), one draw per row of 'cdc.base.name'. */
function baseNameCodes(rows: number, seed: number): Uint8Array {
  const out = new Uint8Array(rows);
  drawBlocks(rows, Prng.stream(seed, 'cdc.base.name'), 1, (u, at, m) => {
    for (let j = 0; j < m; j++) out[at + j] = intOf(u[j]!, NAMES.length);
  });
  return out;
}

/** Each id's city (an index into CITIES, NO_CITY for ~2%), two draws per row of 'cdc.base.city': NULL?, city. */
function baseCityCodes(rows: number, seed: number): Int8Array {
  const out = new Int8Array(rows);
  drawBlocks(rows, Prng.stream(seed, 'cdc.base.city'), 2, (u, at, m) => {
    for (let j = 0; j < m; j++) out[at + j] = unitOf(u[2 * j]!) < 0.02 ? NO_CITY : intOf(u[2 * j + 1]!, CITIES.length);
  });
  return out;
}

/** Each id's balance (2 decimals below 10,000), one draw per row of 'cdc.base.balance'. */
function baseBalances(rows: number, seed: number): Float64Array {
  const out = new Float64Array(rows);
  drawBlocks(rows, Prng.stream(seed, 'cdc.base.balance'), 1, (u, at, m) => {
    for (let j = 0; j < m; j++) out[at + j] = Math.round(unitOf(u[j]!) * 1e6) / 100;
  });
  return out;
}

/** Hand `use` the draws of rows at..at + m − 1 (`perRow` each, in row order), a block of rows at a time. */
function drawBlocks(rows: number, rng: Prng, perRow: number, use: (u: Uint32Array, at: number, m: number) => void): void {
  const u = new Uint32Array(perRow * BASE_BLOCK);
  for (let at = 0; at < rows; at += BASE_BLOCK) {
    const m = Math.min(BASE_BLOCK, rows - at);
    rng.fill(u, 0, perRow * m);
    use(u, at, m);
  }
}

/** The helper thread's part (datasets/parallel.ts): the customers table's name and city columns. */
function customersPart(rows: number, seed: number): PartColumns {
  return { name: nameColumn(baseNameCodes(rows, seed)), city: cityColumn(baseCityCodes(rows, seed)) };
}

/** The customers table's other columns: id, balance, updated_at. */
function customersRest(rows: number, seed: number): PartColumns {
  const ids = new Int32Array(rows);
  for (let i = 0; i < rows; i++) ids[i] = i + 1;
  const updatedAt = new TimestampColumn(rows);
  updatedAt.fill(0, rows, START_MS);
  return { id: int32Data(ids), balance: float64Data(baseBalances(rows, seed)), updated_at: updatedAt.finish() };
}

/**
 * Run the simulation: `rows` customers, then `batches` batches of about rows × changeFraction changes each.
 * `afterBatch(b, keys)` sees the source after batch b (0-based), its deliveries already in the log.
 */
function runSimulation(rows: number, seed: number, s: CdcSettings, afterBatch?: (batch: number, log: CdcLog, keys: SourceKeys) => void): CdcLog {
  const rng = Prng.stream(seed, 'cdc.changes');
  const log = new CdcLog(s.batches);
  const target = Math.max(1, Math.round(rows * s.fraction));
  // About a fifth of the changes insert a new id (a guess for the first allocation; growing is still correct).
  const keys = new SourceKeys(rows, Math.min(2 ** 28, Math.ceil(s.batches * target * 0.25)));
  let seqOffset = 0;
  let clock = START_MS;
  let nextId = rows + 1;
  let previousStart = 0;
  let previousEnd = 0;
  const emit = (op: number, id: number): void => {
    seqOffset += 1 + rng.int(3); // LSN-like gaps
    clock += 1 + rng.int(1000);
    const e = log.emitted;
    log.reserveEmitted(e + 1);
    log.op[e] = op;
    log.seqOffset[e] = seqOffset;
    log.ts[e] = clock;
    log.id[e] = id;
    if (op === OP_D) keys.delete(id);
    else {
      log.name[e] = rng.int(NAMES.length);
      log.city[e] = rng.chance(0.02) ? NO_CITY : rng.int(CITIES.length);
      log.balance[e] = Math.round(rng.float() * 1e6) / 100;
      keys.set(id, e);
    }
    log.emitted = e + 1;
  };
  for (let b = 0; b < s.batches; b++) {
    const batchStart = log.emitted;
    // The keys live at the start of the batch are the ones it picks from; with none, the next new id.
    const liveCount = keys.compact();
    const order = keys.order; // appends during the batch go past liveCount (or to a copy), leaving the picks intact
    const fallback = nextId;
    const pick = (): number => (liveCount > 0 ? order[rng.int(liveCount)]! : (rng.int(1), fallback));
    while (log.emitted - batchStart < target) {
      const r = rng.float();
      if (r < 0.55) {
        const id = pick();
        emit(keys.has(id) ? OP_U : OP_I, id);
      } else if (r < 0.7) emit(OP_I, nextId++);
      else if (r < 0.8) {
        const id = pick();
        if (keys.has(id)) emit(OP_D, id);
      } else if (r < 0.87) {
        const id = pick(); // delete then re-insert in the same batch
        if (keys.has(id)) {
          emit(OP_D, id);
          emit(OP_I, id);
        }
      } else if (r < 0.95) {
        const id = pick(); // several updates to one key
        const n = 2 + rng.int(2);
        for (let i = 0; i < n; i++) emit(keys.has(id) ? OP_U : OP_I, id);
      } else emit(OP_U, nextId++); // an update to a key the target never saw (its insert predates the capture)
    }
    const batchEnd = log.emitted;
    // At-least-once delivery: the tail of the previous batch again after a "restart", then some events twice.
    const previousLength = previousEnd - previousStart;
    for (let e = previousEnd - Math.round(previousLength * s.duplicates); e < previousEnd; e++) log.deliver(e);
    for (let e = batchStart; e < batchEnd; e++) {
      log.deliver(e);
      if (rng.chance(s.duplicates)) log.deliver(e);
    }
    log.batchStart[b + 1] = log.delivered;
    log.batchLastSeqOffset[b] = seqOffset;
    afterBatch?.(b, log, keys);
    previousStart = batchStart;
    previousEnd = batchEnd;
  }
  return log;
}

/** Decimal text of seqStart + offset, written into a Utf8 column without a BigInt per row. */
class SeqWriter {
  private static readonly LOW = 1e15;
  private readonly high: bigint;
  private readonly low: number;
  private readonly highText: string[] = [];

  constructor(seqStart: bigint) {
    this.high = seqStart / BigInt(SeqWriter.LOW);
    this.low = Number(seqStart % BigInt(SeqWriter.LOW));
  }

  push(out: Utf8Builder, offset: number): void {
    const sum = this.low + offset; // below 2^53: offsets grow by at most 3 per change
    const carry = Math.floor(sum / SeqWriter.LOW);
    const rest = sum - carry * SeqWriter.LOW;
    let high = this.highText[carry];
    if (high === undefined) {
      const h = this.high + BigInt(carry);
      high = this.highText[carry] = h === 0n ? '' : String(h);
    }
    if (high === '') out.pushNumber('', rest, 1);
    else out.pushNumber(high, rest, 15);
  }

  text(offset: number): string {
    return String(this.high * BigInt(SeqWriter.LOW) + BigInt(this.low) + BigInt(offset));
  }
}

/** The name column of ids 1..n (`<first name> <id>`), counting the id up in decimal instead of formatting it. */
function nameColumn(firstName: Uint8Array): arrow.Data {
  const n = firstName.length;
  const prefixes = NAME_PREFIXES.map(utf8Bytes);
  let total = 0;
  for (let i = 0; i < n; i++) total += prefixes[firstName[i]!]!.length;
  for (let width = 1, from = 1; from <= n; width++, from *= 10) total += width * (Math.min(n, from * 10 - 1) - from + 1);
  if (total > 2 ** 31 - 1) throw new Error("customers.name would exceed Arrow Utf8's 2 GiB per column; generate fewer rows");
  if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) throw new Error('the cdc generator needs a little-endian platform');
  // Written 4 bytes per step (as pooledUtf8 does): each part's zero padding spills into the next part's bytes and
  // is overwritten by them; 12 spare bytes take the last row's spill.
  const buffer = new ArrayBuffer(total + 12);
  const view = new DataView(buffer);
  const offsets = new Int32Array(n + 1);
  const prefixWords = prefixes.map((p) => new Uint32Array(Uint8Array.from({ length: 8 }, (_, k) => p[k] ?? 0).buffer));
  const prefixLength = Int32Array.from(prefixes, (p) => p.length);
  // The current id's digits, left-aligned, zero-padded to three words.
  const digits = new Uint8Array(12);
  const digitWords = new Uint32Array(digits.buffer);
  let width = 1;
  digits[0] = 48;
  let pos = 0;
  for (let i = 0; i < n; i++) {
    let d = width - 1;
    while (d >= 0 && digits[d] === 57) digits[d--] = 48; // carry past the 9s
    if (d < 0) {
      digits[width++] = 48; // 9…9 + 1 = 10…0
      digits[0] = 49;
    } else digits[d]!++;
    const f = firstName[i]!;
    const words = prefixWords[f]!;
    view.setUint32(pos, words[0]!, true);
    view.setUint32(pos + 4, words[1]!, true);
    pos += prefixLength[f]!;
    view.setUint32(pos, digitWords[0]!, true);
    if (width > 4) view.setUint32(pos + 4, digitWords[1]!, true);
    if (width > 8) view.setUint32(pos + 8, digitWords[2]!, true);
    pos += width;
    offsets[i + 1] = pos;
  }
  return arrow.makeData({ type: new arrow.Utf8(), length: n, valueOffsets: offsets, data: new Uint8Array(buffer, 0, total), nullCount: 0 });
}

/** The city column from the cities' codes (NULL where NO_CITY). */
function cityColumn(codes: Int8Array): arrow.Data {
  const rows = codes.length;
  const cities = new Int32Array(rows);
  const cityValid = builderValidity(rows);
  for (let i = 0; i < rows; i++) {
    const city = codes[i]!;
    if (city === NO_CITY) cityValid.setNull(i);
    else cities[i] = city;
  }
  return pooledUtf8(cities, CITY_BYTES, cityValid, 'customers.city');
}

function changesTable(log: CdcLog, seqStart: bigint, batches: number): arrow.Table {
  const n = log.delivered;
  const batch = new Int32Array(n);
  const ops = new Int32Array(n);
  const seqs = new Utf8Builder(n, 19, 'customer_changes.seq');
  const ts = new TimestampColumn(n);
  const ids = new Int32Array(n);
  const names = new Utf8Builder(n, 16, 'customer_changes.name');
  const cities = new Int32Array(n);
  const balances = new Float64Array(n);
  const updatedAt = new TimestampColumn(n);
  const imageValid = builderValidity(n); // name, balance and updated_at: NULL exactly on deletes
  const cityValid = builderValidity(n);
  const seqWriter = new SeqWriter(seqStart);
  for (let b = 0; b < batches; b++) batch.fill(b + 1, log.batchStart[b]!, log.batchStart[b + 1]!);
  for (let i = 0; i < n; i++) {
    const e = log.delivery[i]!;
    const op = log.op[e]!;
    ops[i] = op;
    seqWriter.push(seqs, log.seqOffset[e]!);
    const when = log.ts[e]!;
    ts.set(i, when);
    const id = log.id[e]!;
    ids[i] = id;
    if (op === OP_D) {
      names.pushNull();
      imageValid.setNull(i);
      cityValid.setNull(i);
      continue;
    }
    names.pushNumber(NAME_PREFIXES[log.name[e]!]!, id);
    const city = log.city[e]!;
    if (city === NO_CITY) cityValid.setNull(i);
    else cities[i] = city;
    balances[i] = log.balance[e]!;
    updatedAt.set(i, when);
  }
  return buildTable(CHANGES_SCHEMA, {
    batch: int32Data(batch),
    op: pooledUtf8(ops, OP_BYTES, undefined, 'customer_changes.op'),
    seq: seqs.finish(),
    ts: ts.finish(),
    id: int32Data(ids),
    name: names.finish(imageValid),
    city: pooledUtf8(cities, CITY_BYTES, cityValid, 'customer_changes.city'),
    balance: float64Data(balances, imageValid),
    updated_at: updatedAt.finish(imageValid),
  });
}

/**
 * Simulate the source: `rows` customers, then `batches` batches of about rows × changeFraction changes each, as
 * the row objects the CDC scenarios apply (the same values as the `cdc` dataset's tables).
 * @example simulateCdc(1000, 42, { batches: 3, changeFraction: 0.05 }).batches[0].events.length
 */
export function simulateCdc(rows: number, seed: number, given: DatasetParams = {}): CdcSimulation {
  const s = settingsOf(rows, seed, given);
  const seqText = new SeqWriter(s.seqStart);
  const image = (id: number, name: number, city: number, balance: number, updatedAt: number): RowImage => ({
    id,
    name: `${NAMES[name]} ${id}`,
    city: city === NO_CITY ? null : CITIES[city]!,
    balance,
    updated_at: updatedAt,
  });
  const base: RowImage[] = [];
  // Objects shared as the original simulation shares them: an event's row is the source row it wrote, and a
  // redelivered event is the same object again.
  const events: RawChange[] = [];
  const eventOf = (log: CdcLog, e: number): RawChange => {
    let event = events[e];
    if (event === undefined) {
      const id = log.id[e]!;
      const op = log.op[e]!;
      const row: Record<string, LiteralValue> = op === OP_D ? { id } : image(id, log.name[e]!, log.city[e]!, log.balance[e]!, log.ts[e]!);
      event = events[e] = { op: OP_TEXT[op], seq: seqText.text(log.seqOffset[e]!), ts: log.ts[e]!, row };
    }
    return event;
  };
  const batches: CdcBatch[] = [];
  const [names, cities, balances] = [baseNameCodes(rows, seed), baseCityCodes(rows, seed), baseBalances(rows, seed)];
  for (let i = 0; i < rows; i++) base.push(image(i + 1, names[i]!, cities[i]!, balances[i]!, START_MS));
  runSimulation(rows, seed, s, (b, log, keys) => {
    const delivered: RawChange[] = [];
    for (let i = log.batchStart[b]!; i < log.batchStart[b + 1]!; i++) {
      const e = log.delivery[i]!;
      // The second of two adjacent deliveries of one change is its at-least-once duplicate: a copy.
      delivered.push(i > log.batchStart[b]! && log.delivery[i - 1] === e ? { ...eventOf(log, e) } : eventOf(log, e));
    }
    const sourceRows: RowImage[] = [];
    const live = keys.compact();
    for (let p = 0; p < live; p++) {
      const id = keys.order[p]!;
      const w = keys.writer[id]!;
      sourceRows.push(w < 0 ? base[id - 1]! : (eventOf(log, w).row as RowImage));
    }
    batches.push({ events: delivered, sourceRows, lastSeq: s.seqStart + BigInt(log.batchLastSeqOffset[b]!) });
  });
  return { entity: CUSTOMERS, base, baseSeq: s.seqStart, baseTsMs: START_MS, batches };
}

function generate(rows: number, seed: number, params: DatasetParams): ReadonlyMap<string, arrow.Table> {
  const s = settingsOf(rows, seed, params);
  const customers = startPart('cdc', 'customers', rows, seed, params);
  const log = runSimulation(rows, seed, s);
  const changes = changesTable(log, s.seqStart, s.batches);
  return new Map([
    ['customers', buildTable(CUSTOMER_SCHEMA, { ...customersRest(rows, seed), ...customers.take(() => customersPart(rows, seed)) })],
    ['customer_changes', changes],
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
  // 2: the base images draw from streams of their own ('cdc.base.<column>'); the changes no longer draw them
  // first, so the calling thread does not repeat the helper's base draws.
  revision: 2,
  parts: { customers: customersPart },
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
