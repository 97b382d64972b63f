// Unit tests for the report's number formatting and counter-unit inference.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { colourAt, PALETTE } from '../../reports/model.ts';
import { counterUnit, formatBytes, formatCount, formatCounter, formatMs, formatMsRange } from '../../reports/format.ts';

test('formatMs keeps 3 significant digits and switches units', () => {
  assert.equal(formatMs(0.4213), '0.421 ms');
  assert.equal(formatMs(0.0012345), '0.00123 ms');
  assert.equal(formatMs(12.345), '12.3 ms');
  assert.equal(formatMs(123.4), '123 ms');
  assert.equal(formatMs(1234), '1.23 s');
  assert.equal(formatMs(60_000), '60.0 s');
  assert.equal(formatMs(900_000), '15.0 min');
  assert.equal(formatMs(0), '0 ms');
});

test('formatMsRange shares the unit when it can', () => {
  assert.equal(formatMsRange(1.97, 2.17), '1.97–2.17 ms');
  assert.equal(formatMsRange(900, 1100), '900 ms – 1.10 s');
});

test('formatBytes uses binary units', () => {
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(1536), '1.50 KiB');
  assert.equal(formatBytes(3 * 1024 ** 3), '3.00 GiB');
});

test('counter units are inferred from names (bytes*, *Bytes, *Ms, else counts)', () => {
  assert.equal(counterUnit('bytesShuffled'), 'bytes');
  assert.equal(counterUnit('bytesWrittenToDisk'), 'bytes');
  assert.equal(counterUnit('peakHeapBytes'), 'bytes');
  assert.equal(counterUnit('gcMs'), 'ms');
  assert.equal(counterUnit('tasks'), 'count');
  assert.equal(counterUnit('bytesy'), 'count');
  assert.equal(counterUnit('spillFiles'), 'count');
  assert.equal(formatCounter('bytesSpilled', 2 * 1024 * 1024), '2.00 MiB');
  assert.equal(formatCounter('shuffleMs', 1500), '1.50 s');
  assert.equal(formatCounter('tasks', 1234567), '1,234,567');
  assert.equal(formatCount(0.5), '0.5');
});

test('colourAt gives 60 distinct colours: the palette first, then golden-angle hues', () => {
  const colours = Array.from({ length: 60 }, (_, i) => colourAt(i));
  assert.equal(new Set(colours).size, 60);
  assert.deepEqual(colours.slice(0, PALETTE.length), PALETTE);
  assert.match(colours[PALETTE.length]!, /^hsl\(\d+, 65%, \d+%\)$/);
});
