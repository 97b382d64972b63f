// taxi_trips: New York yellow-cab trips of 2020, with the year's real shape (the spring 2020 collapse in volume,
// rush hours), durations consistent with the timestamps and metered fares — data for filter + aggregate by date.
import type * as arrow from 'apache-arrow';
import type { Schema } from '../plan/index.ts';
import { AliasTable, aliasPick } from './alias.ts';
import { buildTable, float64Data, int32Data, roundHalfUp, TimestampColumn, Validity } from './columns.ts';
import type { Dataset, DatasetParams } from './dataset.ts';
import { checkRows, checkSeed, resolveParams } from './params.ts';
import { startPart, type PartColumns } from './parallel.ts';
import { intOf, Prng, unitOf } from './prng.ts';

/** Trips per month of 2020 in millions (NYC TLC yellow taxi totals, rounded): the lockdown shows from March. */
const MONTHLY_TRIPS = [6.4, 6.3, 3.0, 0.24, 0.35, 0.55, 0.8, 1.0, 1.34, 1.68, 1.51, 1.46];
/** Relative pickups per hour of day: a night low, morning and evening peaks. */
const HOURLY = [3.5, 2.5, 1.8, 1.2, 1, 1.2, 2.5, 4, 5, 5, 5, 5.2, 5.5, 5.6, 5.8, 6, 6, 6.5, 7, 6.8, 6.2, 6, 5.5, 4.5];

/** The dirt: how often passenger_count is NULL (the 2020 files lack it for a few percent of trips). */
export const TAXI_DIRT = { nullPassengerCount: 0.03 } as const;
/** Passenger counts 1..6 with their shares of trips. */
const PASSENGER_WEIGHTS = [70, 14, 4, 2, 6, 4];
/** Share of trips at the flat JFK–Manhattan fare. */
const JFK_FLAT_SHARE = 0.02;
const JFK_FLAT_FARE = 52;

const SCHEMA: Schema = [
  { name: 'pickup_datetime', type: 'timestamp', doc: 'pickup time in 2020 (UTC, second precision), volume per month following 2020 (collapse from March), rush-hour peaks; rows not ordered' },
  { name: 'dropoff_datetime', type: 'timestamp', doc: 'pickup_datetime + trip_duration seconds, always later than the pickup' },
  { name: 'trip_duration', type: 'int32', doc: 'seconds, log-normal with a median of about 11 minutes, 60 s to 3 h' },
  { name: 'fare_amount', type: 'float64', doc: 'metered fare in USD in 50-cent steps: $2.50 flag drop + distance and time charges; ~2% flat $52 JFK fares' },
  { name: 'passenger_count', type: 'int32', doc: `1..6, mostly 1; NULL on ~${TAXI_DIRT.nullPassengerCount * 100}% of trips` },
];

function daysInMonth2020(m: number): number {
  return (Date.UTC(2020, m + 1, 1) - Date.UTC(2020, m, 1)) / 86_400_000;
}

const YEAR_START_MS = Date.UTC(2020, 0, 1);
const BLOCK = 1024;

/**
 * Durations and fares, from 'taxi_trips.trip'. Per row: a standard normal (Box–Muller: a pair of draws every other
 * row, whose second value serves the next row, as Prng.normal), the speed, the flat-fare chance.
 */
function writeTrips(rng: Prng, duration: Int32Array, fare: Float64Array): void {
  const rows = duration.length;
  const u = new Uint32Array(BLOCK * 6);
  let spare = 0;
  for (let start = 0; start < rows; start += 2 * BLOCK) {
    const end = Math.min(rows, start + 2 * BLOCK);
    const m = end - start; // start is even
    // Draws for rows start..end-1: 4 on an even row (normal pair, speed, flat), 2 on an odd one.
    rng.fill(u, 0, 3 * m + (m % 2));
    let k = 0;
    for (let i = start; i < end; i++) {
      let z: number;
      if ((i & 1) === 0) {
        const r = Math.sqrt(-2 * Math.log(1 - unitOf(u[k++]!))); // 1 - u is in (0, 1]
        const theta = 2 * Math.PI * unitOf(u[k++]!);
        spare = r * Math.sin(theta);
        z = r * Math.cos(theta);
      } else {
        z = spare;
      }
      // Log-normal duration, median 660 s; kept within 1 minute .. 3 hours.
      const seconds = Math.min(10_800, Math.max(60, roundHalfUp(660 * Math.exp(0.65 * z))));
      // Average speed 6–25 mph; the meter charges $2.50 per mile and 35 cents per minute in slow traffic.
      const mph = 6 + unitOf(u[k++]!) * 19;
      const miles = (seconds / 3600) * mph;
      const metered = 2.5 + 2.5 * miles + 0.35 * (seconds / 60) * (1 - mph / 30);
      const flat = unitOf(u[k++]!) < JFK_FLAT_SHARE;
      duration[i] = seconds;
      fare[i] = flat ? JFK_FLAT_FARE : roundHalfUp(metered * 2) / 2;
    }
  }
}

/**
 * Pickup times (an hour of the year by weight, then a second in it) from 'taxi_trips.pickup', 3 draws a row;
 * dropoff = pickup + duration.
 */
function writePickups(rng: Prng, hours: AliasTable, pickup: TimestampColumn): void {
  const rows = pickup.length;
  const u = new Uint32Array(BLOCK * 3);
  for (let start = 0; start < rows; start += BLOCK) {
    const end = Math.min(rows, start + BLOCK);
    rng.fill(u, 0, 3 * (end - start));
    for (let i = start, k = 0; i < end; i++, k += 3) {
      const second = aliasPick(hours, u[k]!, u[k + 1]!) * 3600 + intOf(u[k + 2]!, 3600);
      pickup.set(i, YEAR_START_MS + second * 1000);
    }
  }
}

/** dropoff = pickup + duration seconds, from the pickup column's two 32-bit words per row. */
function dropoffsOf(pickup: arrow.Data, duration: Int32Array): arrow.Data {
  const values = pickup.values as BigInt64Array;
  const words = new Int32Array(values.buffer, values.byteOffset, 2 * duration.length);
  const dropoff = new TimestampColumn(duration.length);
  for (let i = 0; i < duration.length; i++) dropoff.set(i, words[2 * i + 1]! * 4294967296 + (words[2 * i]! >>> 0) + duration[i]! * 1000);
  return dropoff.finish();
}

/** Passenger counts from 'taxi_trips.passenger_count': NULL by chance, else an alias draw (1 or 3 draws a row). */
function writePassengers(rng: Prng, table: AliasTable, passengers: Int32Array, valid: Validity): void {
  const rows = passengers.length;
  const u = new Uint32Array(BLOCK);
  let k = BLOCK;
  // The stream is this loop's alone, so drawing a block ahead of use changes no value.
  for (let i = 0; i < rows; i++) {
    if (k > BLOCK - 3) {
      u.copyWithin(0, k);
      rng.fill(u, BLOCK - k);
      k = 0;
    }
    if (unitOf(u[k++]!) < TAXI_DIRT.nullPassengerCount) valid.setNull(i);
    else {
      passengers[i] = 1 + aliasPick(table, u[k]!, u[k + 1]!);
      k += 2;
    }
  }
}

/** The helper thread's columns (datasets/parallel.ts): pickup_datetime and passenger_count, each its own stream. */
function helperColumns(rows: number, seed: number): PartColumns {
  // One weight per hour of 2020: the month's share of the year's trips spread over its days, times the hour-of-day
  // profile. A single table keeps pickups at one alias draw per row.
  const hourWeights: number[] = [];
  const hourTotal = HOURLY.reduce((a, b) => a + b, 0);
  for (let m = 0; m < 12; m++) {
    const days = daysInMonth2020(m);
    for (let d = 0; d < days; d++) for (const h of HOURLY) hourWeights.push(((MONTHLY_TRIPS[m]! / days) * h) / hourTotal);
  }
  const pickup = new TimestampColumn(rows);
  const passengers = new Int32Array(rows);
  const passengersValid = new Validity(rows);
  // One loop per stream, each taking its draws in blocks (Prng.fill) in the order per-row calls took them.
  writePickups(Prng.stream(seed, 'taxi_trips.pickup'), new AliasTable(hourWeights), pickup);
  writePassengers(Prng.stream(seed, 'taxi_trips.passenger_count'), new AliasTable(PASSENGER_WEIGHTS), passengers, passengersValid);
  return { pickup_datetime: pickup.finish(), passenger_count: int32Data(passengers, passengersValid) };
}

function generate(rows: number, seed: number, given: DatasetParams): ReadonlyMap<string, arrow.Table> {
  checkRows(rows);
  checkSeed(seed);
  resolveParams('taxi_trips', taxiTrips.params, given);
  const helperPart = startPart('taxi_trips', 'helper', rows, seed, given);
  const duration = new Int32Array(rows);
  const fare = new Float64Array(rows);
  writeTrips(Prng.stream(seed, 'taxi_trips.trip'), duration, fare);
  const fromHelper = helperPart.take(() => helperColumns(rows, seed));
  const table = buildTable(SCHEMA, {
    ...fromHelper,
    dropoff_datetime: dropoffsOf(fromHelper['pickup_datetime']!, duration),
    trip_duration: int32Data(duration),
    fare_amount: float64Data(fare),
  });
  return new Map([['taxi_trips', table]]);
}

/**
 * The `taxi_trips` dataset.
 *
 * @example
 * const trips = taxiTrips.generate(1e6, 42, {}).get('taxi_trips')!;
 */
export const taxiTrips: Dataset = {
  name: 'taxi_trips',
  doc:
    'New York yellow-cab trips of 2020: pickup and dropoff times, duration, fare and passenger count. Monthly ' +
    'volumes follow 2020 (January and February busy, a collapse from the March lockdown), so "average fare between ' +
    'two dates" selects very different row counts depending on the dates — the case for filter push-down and ' +
    'partition pruning. Dirt: a few percent of trips lack a passenger count.',
  tables: [{ name: 'taxi_trips', doc: 'one row per trip', schema: SCHEMA, rowsRule: 'rows' }],
  params: [],
  parts: { helper: helperColumns },
  generate,
};
