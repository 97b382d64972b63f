// What the generated data contains: user_events' skew, retail's dirt in the declared proportions, taxi trips'
// internal consistency. Proportions are checked with tolerances of several standard deviations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { columnValues } from '../../plan/index.ts';
import { userEvents, EVENT_TYPES, EVENTS_FROM_MS, EVENTS_TO_MS } from '../../datasets/user-events.ts';
import { retail, RETAIL_DIRT, NON_PRODUCT_CODES, CATEGORIES } from '../../datasets/retail.ts';
import { taxiTrips, TAXI_DIRT } from '../../datasets/taxi-trips.ts';

function countBy<T>(values: readonly T[]): Map<T, number> {
  const m = new Map<T, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return m;
}

test('user_events uniform: user ids cover 1..users evenly; event types, times and values as documented', () => {
  const t = userEvents.generate(50_000, 1, { users: 100 }).get('user_events')!;
  const users = columnValues(t, 'user_id') as number[];
  const counts = countBy(users);
  assert.equal(counts.size, 100);
  assert.equal(Math.min(...users), 1);
  assert.equal(Math.max(...users), 100);
  assert.ok(Math.max(...counts.values()) / 500 < 1.3, 'no user has 30% more than its fair share');
  const types = countBy(columnValues(t, 'event_type') as string[]);
  for (const e of EVENT_TYPES) assert.ok(Math.abs(types.get(e.name)! / 50_000 - e.share) < 0.01, `${e.name} share`);
  for (const ts of columnValues(t, 'ts') as number[]) assert.ok(ts >= EVENTS_FROM_MS && ts < EVENTS_TO_MS);
  for (const v of columnValues(t, 'value') as number[]) assert.ok(v >= 0 && Math.round(v * 100) / 100 === v);
});

test('user_events zipf: the hottest user owns its Zipf share and the top 1% of users most events', () => {
  const users = 1000;
  const rows = 100_000;
  const t = userEvents.generate(rows, 2, { users, skew: 'zipf', zipfExponent: 1 }).get('user_events')!;
  const counts = countBy(columnValues(t, 'user_id') as number[]);
  let harmonic = 0;
  for (let k = 1; k <= users; k++) harmonic += 1 / k;
  const share1 = counts.get(1)! / rows;
  assert.ok(Math.abs(share1 - 1 / harmonic) < 0.01, `user 1 share ${share1}, Zipf says ${1 / harmonic}`);
  assert.ok(counts.get(1)! > counts.get(2)! && counts.get(2)! > counts.get(10)!, 'counts fall with the rank');
  const sorted = [...counts.values()].sort((a, b) => b - a);
  const top1pct = sorted.slice(0, users / 100).reduce((a, b) => a + b, 0) / rows;
  assert.ok(top1pct > 0.35, `top 1% of users own ${top1pct} of events`);
  // The same parameters with skew=uniform are not skewed.
  const flat = countBy(columnValues(userEvents.generate(rows, 2, { users }).get('user_events')!, 'user_id') as number[]);
  const flatTop = [...flat.values()].sort((a, b) => b - a).slice(0, users / 100).reduce((a, b) => a + b, 0) / rows;
  assert.ok(flatTop < 0.02, `uniform top 1% own ${flatTop}`);
});

test('retail: the dirt is present in the declared proportions', () => {
  const rows = 100_000;
  const tables = retail.generate(rows, 3, {});
  const t = tables.get('transactions')!;
  const products = new Set(columnValues(tables.get('products')!, 'stock_code') as string[]);
  const invoice = columnValues(t, 'invoice') as string[];
  const code = columnValues(t, 'stock_code') as string[];
  const description = columnValues(t, 'description') as (string | null)[];
  const quantity = columnValues(t, 'quantity') as number[];
  const price = columnValues(t, 'price') as number[];
  const customer = columnValues(t, 'customer_id') as (number | null)[];
  const date = columnValues(t, 'invoice_date') as number[];
  const country = columnValues(t, 'country') as string[];
  const share = (pred: (i: number) => boolean) => {
    let n = 0;
    for (let i = 0; i < rows; i++) if (pred(i)) n++;
    return n / rows;
  };

  const nullCustomer = share((i) => customer[i] === null);
  assert.ok(Math.abs(nullCustomer - RETAIL_DIRT.nullCustomerInvoices) < 0.04, `NULL customer_id share ${nullCustomer}`);
  const negative = share((i) => quantity[i]! < 0);
  assert.ok(negative > 0.005 && negative < 0.045, `negative quantity share ${negative}`);
  // Negative quantities are exactly the cancellation invoices, which always name a customer.
  for (let i = 0; i < rows; i++) {
    assert.equal(quantity[i]! < 0, invoice[i]!.startsWith('C'), `row ${i}: quantity sign and invoice prefix disagree`);
    if (quantity[i]! < 0) assert.notEqual(customer[i], null);
    assert.notEqual(quantity[i], 0);
  }
  const nullDescription = share((i) => description[i] === null);
  assert.ok(Math.abs(nullDescription - RETAIL_DIRT.nullDescriptionLines) < 0.0015, `NULL description share ${nullDescription}`);
  for (let i = 0; i < rows; i++) if (description[i] === null) assert.equal(price[i], 0);
  const unknown = share((i) => !products.has(code[i]!));
  assert.ok(Math.abs(unknown - RETAIL_DIRT.unknownCodeLines) < 0.0025, `unknown stock code share ${unknown}`);
  for (let i = 0; i < rows; i++) if (!products.has(code[i]!)) assert.ok(NON_PRODUCT_CODES.some((n) => n.code === code[i]));
  // Line columns stay aligned over the whole table (its lines are written in two pieces, one per thread): a product
  // has one list price and one description, and that description names a noun of the product's category.
  const categoryOf = new Map(columnValues(tables.get('products')!, 'stock_code').map((c, i) => [c as string, columnValues(tables.get('products')!, 'category')[i] as string]));
  const seen = new Map<string, string>();
  for (let i = 0; i < rows; i++) {
    if (description[i] === null || !products.has(code[i]!)) continue;
    const key = `${description[i]} @ ${price[i]}`;
    assert.equal(seen.get(code[i]!) ?? key, key, `row ${i}: product ${code[i]} has two descriptions or prices`);
    seen.set(code[i]!, key);
    const nouns = CATEGORIES.find((c) => c.name === categoryOf.get(code[i]!))!.nouns;
    assert.ok(nouns.some((noun) => description[i]!.endsWith(` ${noun}`)), `row ${i}: '${description[i]}' is not a ${categoryOf.get(code[i]!)} product`);
  }
  const rowKey = (i: number) => JSON.stringify([invoice[i], code[i], description[i], quantity[i], date[i], price[i], customer[i], country[i]]);
  const duplicates = share((i) => i > 0 && rowKey(i) === rowKey(i - 1));
  assert.ok(Math.abs(duplicates - RETAIL_DIRT.duplicateLines) < 0.004, `exact duplicate share ${duplicates}`);

  // Invoices: numbers and dates grow together; one customer and country per invoice.
  for (let i = 1; i < rows; i++) {
    assert.ok(Number(invoice[i]!.replace('C', '')) >= Number(invoice[i - 1]!.replace('C', '')));
    assert.ok(date[i]! >= date[i - 1]!);
    if (invoice[i] === invoice[i - 1]) assert.equal(customer[i], customer[i - 1]);
  }
  assert.ok(date[0]! >= Date.UTC(2010, 11, 1) && date[rows - 1]! < Date.UTC(2011, 11, 10));
  const uk = share((i) => country[i] === 'United Kingdom');
  assert.ok(uk > 0.8 && uk < 0.97, `United Kingdom share ${uk}`);
  // products: unique codes, one of the declared categories each.
  const cats = new Set(CATEGORIES.map((c) => c.name));
  assert.equal(products.size, 4000);
  for (const c of columnValues(tables.get('products')!, 'category')) assert.ok(cats.has(c as string));
});

test('taxi_trips: 2020 pickups, dropoff = pickup + duration, fares and passengers as documented', () => {
  const rows = 50_000;
  const t = taxiTrips.generate(rows, 4, {}).get('taxi_trips')!;
  const pickup = columnValues(t, 'pickup_datetime') as number[];
  const dropoff = columnValues(t, 'dropoff_datetime') as number[];
  const duration = columnValues(t, 'trip_duration') as number[];
  const fare = columnValues(t, 'fare_amount') as number[];
  const passengers = columnValues(t, 'passenger_count') as (number | null)[];
  let nulls = 0;
  const months = new Array(12).fill(0);
  for (let i = 0; i < rows; i++) {
    assert.ok(pickup[i]! >= Date.UTC(2020, 0, 1) && pickup[i]! < Date.UTC(2021, 0, 1), `pickup ${pickup[i]} outside 2020`);
    assert.ok(dropoff[i]! > pickup[i]!);
    assert.equal(dropoff[i]! - pickup[i]!, duration[i]! * 1000);
    assert.ok(duration[i]! >= 60 && duration[i]! <= 10_800);
    assert.ok(fare[i]! >= 2.5 && fare[i]! * 2 === Math.round(fare[i]! * 2), `fare ${fare[i]}`);
    if (passengers[i] === null) nulls++;
    else assert.ok(passengers[i]! >= 1 && passengers[i]! <= 6);
    months[new Date(pickup[i]!).getUTCMonth()]++;
  }
  assert.ok(Math.abs(nulls / rows - TAXI_DIRT.nullPassengerCount) < 0.005, `NULL passenger_count share ${nulls / rows}`);
  assert.ok(months[0] > 10 * months[3], `January ${months[0]} vs April ${months[3]}: the lockdown collapse`);
  const sortedFares = [...fare].sort((a, b) => a - b);
  const median = sortedFares[rows / 2]!;
  const mean = fare.reduce((a, b) => a + b, 0) / rows;
  assert.ok(median > 7 && median < 20, `median fare ${median}`);
  assert.ok(mean > median, 'fares are right-skewed');
});
