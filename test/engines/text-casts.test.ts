// Every engine against DuckDB on random text cast to every type and random floats and timestamps cast to text
// (fast-check): the contract's text rules (plan/text.ts) hold in each engine's own language, not only on the
// hand-picked values of the contract suite. Strings are built from the pieces numbers, booleans and timestamps
// are made of, so that most are near-misses of a valid value.
import fc from 'fast-check';
import { col, table, type Schema } from '../../plan/index.ts';
import { oneTable, versusReference } from '../support/versus-reference.ts';

const S: Schema = [
  { name: 's', type: 'utf8' },
  { name: 'f', type: 'float64' },
  { name: 'ts', type: 'timestamp' },
];
const casts = table('s', S).select(
  col('s'),
  col('s').cast('int32').alias('i'),
  col('s').cast('int64').alias('l'),
  col('s').cast('float64').alias('d'),
  col('s').cast('bool').alias('b'),
  col('s').cast('timestamp').alias('t'),
  col('f').cast('utf8').alias('fs'),
  col('ts').cast('utf8').alias('tss'),
);

const piece = fc.constantFrom(' ', '\t', '+', '-', '.', 'e', 'E', '0', '1', '7', '9', '12', '2020', '-01', '-31', '-02-29', ' ', 'T', ':', '05', '.5', 'Z', 'true', 'No', 'y', 'x', '_');
const text = fc.oneof(
  fc.array(piece, { maxLength: 6 }).map((p) => p.join('')),
  fc.double({ noNaN: true }).map((x) => ` ${x} `),
  fc.integer({ min: -3e9, max: 3e9 }).map(String),
  fc.date({ min: new Date('1900-01-01'), max: new Date('2200-01-01'), noInvalidDate: true }).map((d) => d.toISOString().replace(/\.000Z$/, '').replace('T', ' ')),
);
const row = fc.record({
  s: fc.option(text, { freq: 8, nil: null }),
  f: fc.option(fc.double({ noNaN: true, noDefaultInfinity: true }), { freq: 8, nil: null }),
  // The 18.16 ClickHouse server's DateTime covers 1970-2106; these run on chDB, but stay in range anyway.
  ts: fc.option(fc.integer({ min: Date.UTC(1971, 0, 1), max: Date.UTC(2105, 0, 1) }), { freq: 8, nil: null }),
});

versusReference('text casts', { 'random text to every type, random floats and timestamps to text': casts }, oneTable('s', S, row), { numRuns: 25, seed: 20261204 });
