// OLAP loader building blocks without a store: strategy names and write cutting, the exact multiset check that
// guards every load, and the PostgreSQL text encodings (COPY fields, exact floats, UTC timestamps).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as arrow from 'apache-arrow';
import { tableFromRows, tableToRows, type Schema } from '../../plan/index.ts';
import { EngineError } from '../../engines/engine.ts';
import { batchSizesOf, multisetEqual, parseStrategy, parseVariant, rowsPerWrite, strategyName, writesOf, loaderVariants } from '../../engines/olap-loader/index.ts';
import { copyTextField } from '../../engines/olap-loader/copy-from-stdin.ts';
import { pgText } from '../../engines/olap-loader/postgres.ts';
import { findPostgres } from '../../engines/olap-loader/postgres-server.ts';

const SCHEMA: Schema = [
  { name: 'k', type: 'utf8' },
  { name: 'n', type: 'int32' },
  { name: 'x', type: 'float64' },
];

test('strategy names round-trip and bad names are refused with the valid forms', () => {
  for (const name of ['row', 'bulk', 'micro-batch-1', 'micro-batch-10000']) assert.equal(strategyName(parseStrategy(name)), name);
  for (const bad of ['rows', 'micro-batch-0', 'micro-batch-', 'micro-batch-1.5', 'Bulk']) {
    assert.throws(() => parseStrategy(bad), (e: unknown) => e instanceof EngineError && e.code === 'bad-input' && /row, micro-batch-<N>/.test(e.message));
  }
  assert.deepEqual(parseVariant('parquet-lake/micro-batch-100').strategy, { kind: 'micro-batch', batchRows: 100 });
  assert.equal(parseVariant('postgres/bulk').target.name, 'postgres');
  assert.throws(() => parseVariant('sqlite/row'), /target one of duckdb-file, parquet-lake, postgres/);
  assert.throws(() => parseVariant('bulk'), /unknown loader variant/);
});

test('writesOf cuts the table into consecutive slices of the strategy size covering every row once', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 25 }), (rows, n) => {
      const t = tableFromRows(SCHEMA, Array.from({ length: rows }, (_, i) => ({ k: `r${i}`, n: i, x: i / 3 })));
      for (const s of [parseStrategy('row'), parseStrategy(`micro-batch-${n}`), parseStrategy('bulk')]) {
        const writes = writesOf(t, s);
        const size = rowsPerWrite(s, rows);
        assert.equal(writes.length, Math.ceil(rows / size));
        assert.ok(writes.every((w) => w.numRows >= 1 && w.numRows <= size));
        assert.deepEqual(writes.flatMap((w) => tableToRows(w).map((r) => r['n'])), Array.from({ length: rows }, (_, i) => i));
      }
    }),
    { numRuns: 40 },
  );
});

test('batch sizes come from olap.batchSizes, deduplicated and sorted; junk is refused', () => {
  assert.deepEqual(batchSizesOf({}), [10, 100, 1000]);
  assert.deepEqual(batchSizesOf({ 'olap.batchSizes': '500, 50,500' }), [50, 500]);
  assert.deepEqual(batchSizesOf({ 'olap.batchSizes': 25 }), [25]);
  for (const bad of ['', 'ten', '10,0', '1.5']) assert.throws(() => batchSizesOf({ 'olap.batchSizes': bad }), /olap.batchSizes must be/);
});

test('multisetEqual accepts any row order and rejects any changed bit, lost duplicate or NULL confusion', () => {
  const rowArb = fc.record({
    k: fc.option(fc.constantFrom('a', 'b', '', 'NULL'), { nil: null }),
    n: fc.option(fc.integer({ min: -5, max: 5 }), { nil: null }),
    x: fc.option(fc.constantFrom(0, -0, 0.1, 0.30000000000000004, Number.NaN, -Infinity), { nil: null }),
  });
  fc.assert(
    fc.property(fc.array(rowArb, { minLength: 1, maxLength: 30 }), fc.nat(), (rows, seed) => {
      const source = tableFromRows(SCHEMA, rows);
      const shuffled = [...rows].map((r, i) => ({ r, key: (i * 7919 + seed) % 104729 })).sort((a, b) => a.key - b.key).map((x) => x.r);
      assert.deepEqual(multisetEqual(source, tableFromRows(SCHEMA, shuffled)), { ok: true });
      const dropped = multisetEqual(source, tableFromRows(SCHEMA, rows.slice(1)));
      assert.equal(dropped.ok, false);
      const doubled = multisetEqual(source, tableFromRows(SCHEMA, [...rows, rows[0]!]));
      assert.equal(doubled.ok, false);
    }),
    { numRuns: 60 },
  );
  const base = tableFromRows(SCHEMA, [{ k: 'a', n: 1, x: 0.1 }]);
  for (const changed of [{ k: 'a', n: 1, x: 0.1 + Number.EPSILON }, { k: 'a', n: 1, x: null }, { k: '', n: 1, x: 0.1 }, { k: null, n: 1, x: 0.1 }]) {
    const r = multisetEqual(base, tableFromRows(SCHEMA, [changed]));
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.detail, /1 missing, e\.g\. \{k: "a", n: 1, x: 0\.1\}; 1 unexpected/);
  }
  assert.equal(multisetEqual(tableFromRows(SCHEMA, [{ k: 'a', n: 1, x: 0 }]), tableFromRows(SCHEMA, [{ k: 'a', n: 1, x: -0 }])).ok, false);
  const renamed = multisetEqual(base, tableFromRows([{ name: 'key', type: 'utf8' }, SCHEMA[1]!, SCHEMA[2]!], [{ key: 'a', n: 1, x: 0.1 }]));
  assert.ok(!renamed.ok && /schema differs/.test(renamed.detail));
  assert.ok(multisetEqual(base, new arrow.Table(base.schema)).ok === false);
});

test('PostgreSQL text encodings are exact: -0 keeps its sign, timestamps are UTC with milliseconds, COPY escapes', () => {
  assert.equal(pgText(-0, 'float64'), '-0');
  assert.equal(pgText(0.1, 'float64'), '0.1');
  assert.equal(pgText(Number.NaN, 'float64'), 'NaN');
  assert.equal(pgText(-1, 'timestamp'), '1969-12-31 23:59:59.999');
  assert.equal(pgText(Date.UTC(2011, 11, 9, 12, 50, 0, 7), 'timestamp'), '2011-12-09 12:50:00.007');
  assert.equal(pgText(-(2n ** 63n), 'int64'), '-9223372036854775808');
  assert.throws(() => pgText(Date.UTC(10000, 0, 1), 'timestamp'), /outside years 0000–9999/);
  assert.equal(copyTextField('a\tb\nc\rd\\e "f"'), 'a\\tb\\nc\\rd\\\\e "f"');
});

test('an unreachable PostgreSQL makes its variants unavailable with the exact reason, the others stay available', async () => {
  const options = { 'postgres.url': 'postgres://postgres@127.0.0.1:1/nowhere', 'olap.batchSizes': '10' };
  const server = await findPostgres(options);
  assert.equal(server.ok, false);
  if (!server.ok) assert.match(server.reason, /^cannot connect to PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:1\/nowhere: .*ECONNREFUSED/);
  const variants = await loaderVariants(options);
  assert.deepEqual(
    variants.map((v) => v.name),
    ['duckdb-file', 'parquet-lake', 'postgres'].flatMap((t) => ['row', 'micro-batch-10', 'bulk'].map((s) => `${t}/${s}`)),
  );
  for (const v of variants) {
    assert.equal(v.available, !v.name.startsWith('postgres/'), v.name);
    if (!v.available) assert.equal(v.reason, (server as { reason: string }).reason);
  }
});
