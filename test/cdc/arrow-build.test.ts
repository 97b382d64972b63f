// The CDC hot-path table builder must give exactly the tables plan/arrow.ts builds (schema and values), so the
// faster `changes` tables and reload snapshots change no result: property-tested over every plan type with NULLs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { tableFromColumns, tableFromRows, tableToRows } from '../../plan/arrow.ts';
import type { LiteralValue, Schema } from '../../plan/types.ts';
import { columnsTable, rowsTable } from '../../scenarios/cdc/arrow-build.ts';
import { withEngine } from './support.ts';

const schema: Schema = [
  { name: 'i', type: 'int32' },
  { name: 'b', type: 'int64' },
  { name: 'f', type: 'float64' },
  { name: 's', type: 'utf8' },
  { name: 'ok', type: 'bool' },
  { name: 't', type: 'timestamp' },
];

const rowArb = fc.record({
  i: fc.option(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })),
  b: fc.option(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })),
  f: fc.option(fc.double({ noNaN: true })),
  s: fc.option(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constant(''))),
  ok: fc.option(fc.boolean()),
  t: fc.option(fc.integer({ min: -1e13, max: 1e13 })),
});

test('columnsTable and rowsTable equal tableFromColumns / tableFromRows for every type, NULLs and any UTF-8 (property)', () => {
  fc.assert(
    fc.property(fc.array(rowArb, { maxLength: 40 }), (rows) => {
      const expected = tableFromRows(schema, rows);
      const fromRows = rowsTable(schema, rows);
      const columns = Object.fromEntries(schema.map((f) => [f.name, rows.map((r) => (r as Record<string, LiteralValue>)[f.name]!)]));
      const fromColumns = columnsTable(schema, columns);
      for (const actual of [fromRows, fromColumns]) {
        assert.equal(String(actual.schema), String(expected.schema));
        assert.equal(actual.numRows, rows.length);
        assert.deepEqual(tableToRows(actual), tableToRows(expected));
        for (const f of schema) assert.equal(actual.getChild(f.name)!.nullCount, expected.getChild(f.name)!.nullCount, f.name);
      }
      assert.deepEqual(tableToRows(columnsTable(schema, columns)), tableToRows(tableFromColumns(schema, columns)));
    }),
    { numRuns: 200 },
  );
});

test('columnsTable output loads into DuckDB unchanged (strings with multi-byte characters, NULLs, bools)', async () => {
  const rows = [
    { i: 1, b: 2n ** 62n, f: 1.5, s: 'Zürich ☃ 𝄞', ok: true, t: 1_700_000_000_123 },
    { i: null, b: null, f: null, s: null, ok: null, t: null },
    { i: -7, b: -1n, f: -0.25, s: '', ok: false, t: 0 },
  ];
  await withEngine(async (engine) => {
    await engine.load(new Map([['x', rowsTable(schema, rows)]]));
    const { table } = await import('../../plan/index.ts');
    const back = tableToRows(await engine.run(table('x', schema).plan));
    assert.deepEqual(back, rows);
  });
});

test('columnsTable rejects columns of different lengths and a missing column, naming it', () => {
  assert.throws(() => columnsTable(schema.slice(0, 2), { i: [1, 2], b: [1n] }), /column 'b' has 1 values, expected 2/);
  assert.throws(() => columnsTable(schema.slice(0, 2), { i: [1] }), /missing column 'b'/);
});
