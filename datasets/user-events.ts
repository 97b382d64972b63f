// user_events: a clickstream of (user, event type, time, value) with a tunable number of users and a uniform or
// Zipf-skewed user distribution — the data for "events per user" and for seeing what key skew does to a shuffle.
import type * as arrow from 'apache-arrow';
import type { Schema } from '../plan/index.ts';
import { AliasTable, zipfWeights } from './alias.ts';
import { buildTable, float64Data, int32Data, pooledUtf8, roundTo, TimestampColumn, utf8Bytes } from './columns.ts';
import type { Dataset, DatasetParams } from './dataset.ts';
import { checkRows, checkSeed, choiceParam, intParam, numberParam, resolveParams } from './params.ts';
import { startPart, type PartColumns } from './parallel.ts';
import { Prng } from './prng.ts';

/** Event types with their share of events and the mean of `value` (seconds on page, or order amount). */
export const EVENT_TYPES: readonly { readonly name: string; readonly share: number; readonly meanValue: number }[] = [
  { name: 'view', share: 0.5, meanValue: 45 },
  { name: 'click', share: 0.25, meanValue: 5 },
  { name: 'search', share: 0.1, meanValue: 12 },
  { name: 'add_to_cart', share: 0.08, meanValue: 30 },
  { name: 'login', share: 0.05, meanValue: 2 },
  { name: 'purchase', share: 0.02, meanValue: 60 },
];

/** Events span the calendar year 2024 (UTC). */
export const EVENTS_FROM_MS = Date.UTC(2024, 0, 1);
export const EVENTS_TO_MS = Date.UTC(2025, 0, 1);

const SCHEMA: Schema = [
  { name: 'user_id', type: 'int32', doc: 'user key in 1..users; with skew=zipf, user k has weight 1/k^zipfExponent (user 1 is the hottest)' },
  { name: 'event_type', type: 'utf8', doc: `one of ${EVENT_TYPES.map((e) => `${e.name} (${e.share * 100}%)`).join(', ')}` },
  { name: 'ts', type: 'timestamp', doc: 'event time, uniform over 2024 (UTC, millisecond precision); rows are not ordered by time' },
  { name: 'value', type: 'float64', doc: 'a measure of the event, exponential with a per-type mean (seconds on page for views, order amount for purchases), 2 decimals' },
];

function options(given: DatasetParams) {
  const params = resolveParams('user_events', userEvents.params, given);
  return {
    users: intParam('user_events', params, 'users', 1, 100_000_000),
    skew: choiceParam('user_events', params, 'skew', ['uniform', 'zipf'] as const),
    exponent: numberParam('user_events', params, 'zipfExponent', 0, 10),
  };
}

/** The event type of every row (an index into EVENT_TYPES), from its stream. */
function eventTypes(rows: number, seed: number): Int32Array {
  const types = new AliasTable(EVENT_TYPES.map((e) => e.share));
  const typeIdx = new Int32Array(rows);
  const rngType = Prng.stream(seed, 'user_events.event_type');
  for (let i = 0; i < rows; i++) typeIdx[i] = types.sample(rngType);
  return typeIdx;
}

/**
 * The helper thread's columns (datasets/parallel.ts): user_id, ts and event_type, each from its own stream. Both
 * threads draw the event types: the calling thread needs them for `value` (its mean depends on the type), and
 * drawing them again is cheaper than waiting for them.
 */
function helperColumns(rows: number, seed: number, given: DatasetParams, typeIdx = eventTypes(rows, seed)): PartColumns {
  const { users, skew, exponent } = options(given);
  const userIds = new Int32Array(rows);
  const rngUser = Prng.stream(seed, 'user_events.user_id');
  if (skew === 'zipf') {
    const zipf = new AliasTable(zipfWeights(users, exponent));
    for (let i = 0; i < rows; i++) userIds[i] = 1 + zipf.sample(rngUser);
  } else {
    for (let i = 0; i < rows; i++) userIds[i] = 1 + rngUser.int(users);
  }

  const ts = new TimestampColumn(rows);
  const rngTs = Prng.stream(seed, 'user_events.ts');
  const span = EVENTS_TO_MS - EVENTS_FROM_MS;
  for (let i = 0; i < rows; i++) ts.set(i, EVENTS_FROM_MS + rngTs.int(span));
  const typeBytes = EVENT_TYPES.map((e) => utf8Bytes(e.name));
  return {
    user_id: int32Data(userIds),
    ts: ts.finish(),
    event_type: pooledUtf8(typeIdx, typeBytes, undefined, 'user_events.event_type'),
  };
}

function generate(rows: number, seed: number, given: DatasetParams): ReadonlyMap<string, arrow.Table> {
  checkRows(rows);
  checkSeed(seed);
  options(given); // bad arguments fail here, before the helper is asked
  const helperPart = startPart('user_events', 'helper', rows, seed, given);

  const means = EVENT_TYPES.map((e) => e.meanValue);
  const typeIdx = eventTypes(rows, seed);
  const value = new Float64Array(rows);
  const rngValue = Prng.stream(seed, 'user_events.value');
  for (let i = 0; i < rows; i++) value[i] = roundTo(rngValue.exponential(means[typeIdx[i]!]!), 2);

  const table = buildTable(SCHEMA, { value: float64Data(value), ...helperPart.take(() => helperColumns(rows, seed, given, typeIdx)) });
  return new Map([['user_events', table]]);
}

/**
 * The `user_events` dataset.
 *
 * @example
 * const tables = userEvents.generate(1e6, 42, { users: 1000, skew: 'zipf' });
 * tables.get('user_events')!.numRows; // 1000000
 */
export const userEvents: Dataset = {
  name: 'user_events',
  doc:
    'A clickstream: one row per event with the user, the event type, a timestamp in 2024 and a value. ' +
    'The number of distinct users and the skew of their activity are parameters, so the same group-by can be run ' +
    'over evenly spread keys and over Zipf-skewed keys where a few hot users own most events — the case that ' +
    'overloads one reducer in a hash shuffle. Clean data: no NULLs.',
  parts: { helper: (rows, seed, given) => helperColumns(rows, seed, given) },
  tables: [{ name: 'user_events', doc: 'one row per event', schema: SCHEMA, rowsRule: 'rows' }],
  params: [
    { name: 'users', doc: 'number of distinct user ids (key cardinality), 1..1e8', default: 10_000 },
    { name: 'skew', doc: "user_id distribution: 'uniform' or 'zipf'", default: 'uniform' },
    { name: 'zipfExponent', doc: 'Zipf exponent s (weight of user k is 1/k^s) when skew=zipf; 0 = uniform, 1 = classic Zipf', default: 1 },
  ],
  generate,
};
