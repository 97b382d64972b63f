// Loading Arrow into DuckDB and reading it back: a fast-check property that random tables of every type
// round-trip exactly through `scan`, plus the layouts the fast path must not get wrong (sliced bitmaps,
// several batches, more than one data chunk, non-canonical Arrow types).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as arrow from 'apache-arrow';
import { duckdbEngine } from '../../engines/duckdb/index.ts';
import { EngineError, type Engine } from '../../engines/engine.ts';
import { table, tableFromColumns, tableToRows, type DataType, type LiteralValue, type Schema } from '../../plan/index.ts';

let engine: Engine;
before(async () => {
  engine = await duckdbEngine.create({ workDir: '', seed: 1, now: () => performance.now(), emit: () => {}, options: { threads: 2 }, memoryBudgetBytes: 1 << 30 });
});
after(async () => {
  await engine.close();
});

async function roundTrip(name: string, schema: Schema, input: arrow.Table): Promise<arrow.Table> {
  await engine.load(new Map([[name, input]]));
  return engine.run(table(name, schema).plan);
}

const TYPES: readonly DataType[] = ['int32', 'int64', 'float64', 'utf8', 'bool', 'timestamp'];

function valueOf(type: DataType): fc.Arbitrary<LiteralValue> {
  switch (type) {
    case 'int32':
      return fc.integer({ min: -2147483648, max: 2147483647 });
    case 'int64':
      return fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
    case 'float64':
      return fc.double();
    case 'utf8':
      // Short (inline) and long (heap) DuckDB strings, with non-ASCII text.
      return fc.oneof(fc.string({ maxLength: 12 }), fc.string({ unit: 'grapheme', minLength: 5, maxLength: 40 }));
    case 'bool':
      return fc.boolean();
    case 'timestamp':
      // Years 1900..2200 in ms, including before the epoch.
      return fc.integer({ min: -2208988800000, max: 7258118400000 });
  }
}

test('property: random tables of every type, with NULLs, load and scan back exactly', async () => {
  const tableArb = fc
    .uniqueArray(fc.constantFrom(...TYPES), { minLength: 1, maxLength: 6 })
    .chain((types) =>
      fc.record({
        types: fc.constant(types),
        rows: fc.array(fc.tuple(...types.map((t) => fc.option(valueOf(t), { freq: 4 }))), { maxLength: 300 }),
      }),
    );
  await fc.assert(
    fc.asyncProperty(tableArb, async ({ types, rows }) => {
      const schema: Schema = types.map((type, i) => ({ name: `c${i}_${type}`, type }));
      const columns = Object.fromEntries(schema.map((f, i) => [f.name, rows.map((r) => r[i] ?? null)]));
      const input = tableFromColumns(schema, columns);
      const output = await roundTrip('prop', schema, input);
      assert.equal(output.numRows, rows.length);
      assert.deepStrictEqual(tableToRows(output), tableToRows(input));
    }),
    { numRuns: 60, seed: 20240601 },
  );
});

test('more rows than one data chunk, several batches and sliced (unaligned) bitmaps round-trip', async () => {
  const schema: Schema = [
    { name: 'i', type: 'int32' },
    { name: 'b', type: 'bool' },
    { name: 's', type: 'utf8' },
    { name: 't', type: 'timestamp' },
  ];
  const n = 5000;
  const make = (offset: number) =>
    tableFromColumns(schema, {
      i: Array.from({ length: n }, (_, k) => (k % 7 === 0 ? null : k + offset)),
      b: Array.from({ length: n }, (_, k) => (k % 5 === 0 ? null : k % 3 === 0)),
      s: Array.from({ length: n }, (_, k) => (k % 11 === 0 ? null : k % 2 ? `s${k}` : `a longer string number ${k}`)),
      t: Array.from({ length: n }, (_, k) => (k % 13 === 0 ? null : 1591000000000 + k * 1001 - offset)),
    });
  // slice(3, ...) leaves every column with a bit offset of 3, concat gives two batches.
  const input = make(0).slice(3, 4100).concat(make(100000));
  assert.equal(input.batches.length, 2);
  const output = await roundTrip('chunks', schema, input);
  assert.deepStrictEqual(tableToRows(output), tableToRows(input));
});

test('non-canonical Arrow types (Int16, Float32, dictionary strings, microsecond timestamps) load by value', async () => {
  const input = new arrow.Table({
    small: arrow.vectorFromArray([1, null, -3], new arrow.Int16()),
    single: arrow.vectorFromArray([1.5, 2.25, null], new arrow.Float32()),
    dict: arrow.vectorFromArray(['x', null, 'x'], new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32())),
    micros: arrow.vectorFromArray([1591000000123, null, 0], new arrow.TimestampMicrosecond()),
  });
  const schema: Schema = [
    { name: 'small', type: 'int32' },
    { name: 'single', type: 'float64' },
    { name: 'dict', type: 'utf8' },
    { name: 'micros', type: 'timestamp' },
  ];
  const output = await roundTrip('odd', schema, input);
  assert.deepStrictEqual(tableToRows(output), [
    { small: 1, single: 1.5, dict: 'x', micros: 1591000000123 },
    { small: null, single: 2.25, dict: null, micros: null },
    { small: -3, single: null, dict: 'x', micros: 0 },
  ]);
});

test('an Arrow type the plan cannot represent is refused as bad input, and no table is left behind', async () => {
  const input = new arrow.Table({ l: arrow.vectorFromArray([[1], [2]], new arrow.List(new arrow.Field('x', new arrow.Int32()))) });
  await assert.rejects(engine.load(new Map([['lists', input]])), (e: unknown) => e instanceof EngineError && e.code === 'bad-input' && /column 'l'/.test(e.message));
  await assert.rejects(engine.run(table('lists', [{ name: 'l', type: 'int32' }]).plan), /not loaded/);
});
