// The contract's text conversions (plan/text.ts): what they read and write round-trips, and what they write is
// DuckDB's own text for the same values (DuckDB is the reference every engine is compared with).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DuckDBInstance } from '@duckdb/node-api';
import { floatText, readBool, readFloat, readInt32, readInt64, readTimestamp, timestampText } from '../../plan/text.ts';

const FIRST_MS = new Date(0).setUTCFullYear(1, 0, 1); // DuckDB writes year 0 as '0001-01-01 (BC)'
const LAST_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const finiteDouble = fc.double({ noNaN: true, noDefaultInfinity: true });
const timestamp = fc.integer({ min: FIRST_MS, max: LAST_MS });

test('a float written as text reads back as the same double; a timestamp too', () => {
  fc.assert(fc.property(finiteDouble, (x) => Object.is(readFloat(floatText(x)), x)), { numRuns: 2000 });
  fc.assert(fc.property(timestamp, (ms) => readTimestamp(timestampText(ms)) === ms), { numRuns: 2000 });
});

test('the text written for floats and timestamps is DuckDB\'s, for random values and the edges', async () => {
  const connection = await (await DuckDBInstance.create(':memory:')).connect();
  const doubles = [...fc.sample(finiteDouble, { numRuns: 300, seed: 7 }), 0, -0, 1e16, 1e-4, 1e-5, 9.999999999999999e15, 2 ** 53, 0.1];
  const stamps = [...fc.sample(timestamp, { numRuns: 300, seed: 7 }), 0, -1, 10, 100, FIRST_MS, LAST_MS];
  // Each double crosses as the text of its exact bits, so DuckDB reads the same value.
  const values = doubles.map((x, i) => `(${i}, CAST('${Object.is(x, -0) ? '-0.0' : x.toExponential()}' AS DOUBLE))`);
  const floats = await connection.runAndReadAll(`SELECT CAST(v AS VARCHAR) FROM (VALUES ${values.join(', ')}) t(i, v) ORDER BY i`);
  assert.deepEqual(floats.getRows().map((r) => r[0]), doubles.map(floatText));
  const times = await connection.runAndReadAll(`SELECT CAST(epoch_ms(v) AS VARCHAR) FROM (VALUES ${stamps.map((ms, i) => `(${i}, ${ms}::BIGINT)`).join(', ')}) t(i, v) ORDER BY i`);
  assert.deepEqual(times.getRows().map((r) => r[0]), stamps.map(timestampText));
});

test('reading text: blanks around a value, integer literals exactly, ranges, and what is not a value', () => {
  assert.equal(readInt32(' \t12\n'), 12);
  assert.equal(readInt32('-12.9'), -12);
  assert.ok(Object.is(readInt32('-0.5'), 0), 'truncation toward zero gives 0, not -0');
  assert.equal(readInt32('2147483648'), null);
  assert.equal(readInt64('9007199254740993'), 9007199254740993n);
  assert.equal(readInt64('9223372036854775808'), null);
  assert.equal(readInt64('-9223372036854775808'), -(2n ** 63n));
  for (const bad of ['', ' ', '0x10', '1_000', 'Infinity', 'NaN', '1e999', '1.2.3', '--1', '1e', 'e1', '.']) {
    assert.equal(readFloat(bad), null, JSON.stringify(bad));
  }
  assert.deepEqual(['TRUE', ' y ', '1', 'No', 'f', 'on', 'yes please'].map(readBool), [true, true, true, false, false, null, null]);
  assert.equal(readTimestamp('2020-02-29 23:59:59.9999'), Date.UTC(2020, 1, 29, 23, 59, 59, 999));
  assert.equal(readTimestamp('0099-01-01'), new Date(0).setUTCFullYear(99, 0, 1), 'years below 100 are not moved to the 1900s');
  for (const bad of ['2021-02-29', '2020-13-01', '2020-01-02 24:00', '2020-01-02 12:60', '2020-1-2', '2020-01-02 03:04:05.1234567', '2020-01-02+01:00']) {
    assert.equal(readTimestamp(bad), null, bad);
  }
});
