// Unit and property tests for result comparison: multiset vs ordered semantics, ties, limits, tolerance,
// NULL/NaN/-0 rules, numeric width independence, and the readable diff.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compareResults, orderingOf } from '../../harness/compare.ts';
import { table, col, asc, desc, tableFromRows, type Schema } from '../../plan/index.ts';

const SCHEMA: Schema = [
  { name: 'k', type: 'utf8' },
  { name: 'n', type: 'int64' },
  { name: 'x', type: 'float64' },
];
const base = table('t', SCHEMA);
const unordered = base.groupBy('k').count().plan; // any plan without a top Sort
const plain = base.plan;
const rowsOf = (rows: Record<string, unknown>[]) => tableFromRows(SCHEMA, rows);

const A = [
  { k: 'a', n: 1n, x: 0.1 },
  { k: 'b', n: 2n, x: 0.2 },
  { k: null, n: null, x: null },
  { k: 'a', n: 1n, x: 0.1 },
];

test('unordered: same rows in another order are equal; duplicates count', () => {
  assert.deepEqual(compareResults(rowsOf(A), rowsOf([...A].reverse()), plain), { ok: true });
  const r = compareResults(rowsOf(A), rowsOf([A[0]!, A[1]!, A[2]!, A[1]!]), plain);
  assert.equal(r.ok, false);
  assert.match(!r.ok ? r.diff : '', /1 missing, 1 extra/);
});

test('floats compare within relative tolerance; NULL = NULL, NaN = NaN, -0 = 0', () => {
  const e = rowsOf([{ k: 'a', n: 1n, x: 0.1 + 0.2 }, { k: 'b', n: 0n, x: NaN }, { k: 'c', n: 0n, x: -0 }]);
  const a = rowsOf([{ k: 'a', n: 1n, x: 0.3 }, { k: 'b', n: 0n, x: NaN }, { k: 'c', n: 0n, x: 0 }]);
  assert.deepEqual(compareResults(e, a, plain), { ok: true });
  const off = rowsOf([{ k: 'a', n: 1n, x: 0.30001 }, { k: 'b', n: 0n, x: NaN }, { k: 'c', n: 0n, x: 0 }]);
  assert.equal(compareResults(e, off, plain).ok, false);
  assert.equal(compareResults(e, off, plain, { relTolerance: 1e-3 }).ok, true);
});

test('int32, int64 (bigint) and float64 columns compare numerically', () => {
  const ints = tableFromRows([{ name: 'v', type: 'int32' }], [{ v: 5 }, { v: null }]);
  const longs = tableFromRows([{ name: 'v', type: 'int64' }], [{ v: 5n }, { v: null }]);
  const doubles = tableFromRows([{ name: 'v', type: 'float64' }], [{ v: 5 }, { v: null }]);
  const p = table('t', [{ name: 'v', type: 'int32' }]).plan;
  assert.deepEqual(compareResults(ints, longs, p), { ok: true });
  assert.deepEqual(compareResults(longs, doubles, p), { ok: true });
});

test('column names must match, in order', () => {
  const other = tableFromRows([{ name: 'k', type: 'utf8' }, { name: 'm', type: 'int64' }, { name: 'x', type: 'float64' }], []);
  const r = compareResults(rowsOf([]), other, plain);
  assert.equal(r.ok, false);
  assert.match(!r.ok ? r.diff : '', /columns differ: expected \[k, n, x\], got \[k, m, x\]/);
});

test('the diff names row counts, the differing column and sample rows', () => {
  const r = compareResults(rowsOf(A), rowsOf([A[0]!, { k: 'b', n: 2n, x: 0.25 }, A[2]!]), plain);
  assert.equal(r.ok, false);
  const diff = !r.ok ? r.diff : '';
  assert.match(diff, /^row count: expected 4, got 3/);
  assert.match(diff, /closest mismatch: column 'x' expected 0\.2, got 0\.25/);
  assert.match(diff, /missing \(2\): .*\{k: "b", n: 2, x: 0\.2\}/);
  assert.match(diff, /extra \(1\): \{k: "b", n: 2, x: 0\.25\}/);
});

test('orderingOf follows a top Sort through Limit and renaming Project nodes', () => {
  assert.deepEqual(orderingOf(base.orderBy(desc('n'), asc('k')).limit(3).plan), { kind: 'ordered', keys: ['n', 'k'], limited: true });
  assert.deepEqual(orderingOf(base.orderBy('n', 'k').select(col('n').alias('m'), 'x').plan), { kind: 'ordered', keys: ['m'], limited: false });
  assert.deepEqual(orderingOf(base.orderBy('n').filter(col('n').gt(0)).plan), { kind: 'unordered' });
  assert.deepEqual(orderingOf(base.limit(3).plan), { kind: 'arbitrary-subset' });
});

test('ordered: sort keys must appear in order, ties may come in any order', () => {
  const plan = base.orderBy(asc('n')).plan;
  const e = rowsOf([{ k: 'a', n: 1n, x: 1 }, { k: 'b', n: 1n, x: 2 }, { k: 'c', n: 2n, x: 3 }]);
  const tiesSwapped = rowsOf([{ k: 'b', n: 1n, x: 2 }, { k: 'a', n: 1n, x: 1 }, { k: 'c', n: 2n, x: 3 }]);
  assert.deepEqual(compareResults(e, tiesSwapped, plan), { ok: true });
  const wrongOrder = rowsOf([{ k: 'c', n: 2n, x: 3 }, { k: 'a', n: 1n, x: 1 }, { k: 'b', n: 1n, x: 2 }]);
  const r = compareResults(e, wrongOrder, plan);
  assert.equal(r.ok, false);
  assert.match(!r.ok ? r.diff : '', /order differs at row 0 \(sorted by n\): expected n=1, got n=2/);
  // Same keys in order, but a tied row's other value is wrong.
  const wrongTie = rowsOf([{ k: 'a', n: 1n, x: 1 }, { k: 'b', n: 1n, x: 9 }, { k: 'c', n: 2n, x: 3 }]);
  assert.match((compareResults(e, wrongTie, plan) as { diff: string }).diff, /rows 0\.\.1 \(tied on n\) differ/);
});

test('ordered under a Limit: the last tie run may be a different subset of the tied rows', () => {
  const plan = base.orderBy(asc('n')).limit(2).plan;
  const e = rowsOf([{ k: 'a', n: 1n, x: 1 }, { k: 'b', n: 2n, x: 2 }]);
  const otherTie = rowsOf([{ k: 'a', n: 1n, x: 1 }, { k: 'z', n: 2n, x: 7 }]);
  assert.deepEqual(compareResults(e, otherTie, plan), { ok: true });
  const wrongFirst = rowsOf([{ k: 'q', n: 1n, x: 1 }, { k: 'b', n: 2n, x: 2 }]);
  assert.equal(compareResults(e, wrongFirst, plan).ok, false);
  assert.equal(compareResults(e, rowsOf([{ k: 'a', n: 1n, x: 1 }]), plan).ok, false);
});

const rowArb = fc.record({
  k: fc.option(fc.constantFrom('a', 'b', 'c', 'long string value'), { freq: 5 }),
  n: fc.option(fc.bigInt({ min: -1000n, max: 1000n }), { freq: 5 }),
  x: fc.option(fc.oneof(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.constant(NaN)), { freq: 5 }),
});

test('property: shuffling the rows of an unordered result still compares equal', () => {
  fc.assert(
    fc.property(fc.array(rowArb, { maxLength: 60 }), fc.infiniteStream(fc.nat()), (rows, rand) => {
      const shuffled = [...rows];
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = rand.next().value % (i + 1);
        [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
      }
      assert.deepEqual(compareResults(rowsOf(rows), rowsOf(shuffled), unordered), { ok: true });
    }),
    { numRuns: 200, seed: 7 },
  );
});

test('property: changing one value makes the comparison fail', () => {
  fc.assert(
    fc.property(fc.array(rowArb, { minLength: 1, maxLength: 40 }), fc.nat(), fc.constantFrom('k', 'n', 'x'), (rows, at, column) => {
      const i = at % rows.length;
      const row: { k: string | null; n: bigint | null; x: number | null } = { ...rows[i]! };
      // A change that no tolerance or NULL rule can hide.
      if (column === 'k') row.k = row.k === null ? 'changed' : null;
      if (column === 'n') row.n = row.n === null ? 0n : row.n + 1n;
      if (column === 'x') row.x = row.x === null || Number.isNaN(row.x) ? 1 : row.x + 1;
      const changed = rows.map((r, j) => (j === i ? row : r));
      const verdict = compareResults(rowsOf(rows), rowsOf(changed), unordered);
      assert.equal(verdict.ok, false);
      assert.ok(!verdict.ok && verdict.diff.length > 0 && verdict.diff.length < 2000);
    }),
    { numRuns: 200, seed: 11 },
  );
});

test('ordered: keys after the first float key do not split ties (float noise may swap near-equal totals)', () => {
  const plan = base.orderBy(desc('x'), asc('k')).plan;
  const e = rowsOf([{ k: 'a', n: 1n, x: 0.3 }, { k: 'b', n: 2n, x: 0.1 + 0.2 }, { k: 'c', n: 3n, x: 0.1 }]);
  const swapped = rowsOf([{ k: 'b', n: 2n, x: 0.3 }, { k: 'a', n: 1n, x: 0.1 + 0.2 }, { k: 'c', n: 3n, x: 0.1 }]);
  assert.deepEqual(compareResults(e, swapped, plan), { ok: true });
  // Still a real order check: a clearly smaller total first is wrong.
  const wrong = rowsOf([{ k: 'c', n: 3n, x: 0.1 }, { k: 'a', n: 1n, x: 0.3 }, { k: 'b', n: 2n, x: 0.3 }]);
  assert.match((compareResults(e, wrong, plan) as { diff: string }).diff, /order differs at row 0/);
  // And the tied rows' other values are still compared.
  const badTie = rowsOf([{ k: 'b', n: 9n, x: 0.3 }, { k: 'a', n: 1n, x: 0.3 }, { k: 'c', n: 3n, x: 0.1 }]);
  assert.match((compareResults(e, badTie, plan) as { diff: string }).diff, /rows 0\.\.1 \(tied on x\) differ/);
});

test('non-ASCII and empty strings compare by value; NULL differs from the empty string', () => {
  const s = [{ name: 'k', type: 'utf8' as const }];
  const p = table('t', s).plan;
  const e = tableFromRows(s, [{ k: 'Ærøskøbing' }, { k: '' }, { k: null }, { k: '東京' }]);
  const a = tableFromRows(s, [{ k: '東京' }, { k: null }, { k: 'Ærøskøbing' }, { k: '' }]);
  assert.deepEqual(compareResults(e, a, p), { ok: true });
  const r = compareResults(e, tableFromRows(s, [{ k: '東京' }, { k: '' }, { k: 'Ærøskøbing' }, { k: '' }]), p);
  assert.match(!r.ok ? r.diff : '', /1 missing, 1 extra/);
  assert.match(!r.ok ? r.diff : '', /missing \(1\): \{k: NULL\}/);
});

test('int64 beyond 2^53 compares exactly; booleans never equal numbers', () => {
  const s = [{ name: 'v', type: 'int64' as const }];
  const p = table('t', s).plan;
  const big = 2n ** 60n;
  assert.deepEqual(compareResults(tableFromRows(s, [{ v: big }, { v: 1n }]), tableFromRows(s, [{ v: 1n }, { v: big }]), p), { ok: true });
  assert.equal(compareResults(tableFromRows(s, [{ v: big }]), tableFromRows(s, [{ v: big + 1n }]), p).ok, false);
  const bools = tableFromRows([{ name: 'v', type: 'bool' }], [{ v: true }]);
  const ints = tableFromRows([{ name: 'v', type: 'int32' }], [{ v: 1 }]);
  assert.equal(compareResults(bools, ints, p).ok, false);
});

test('property: a large shuffled result with float noise compares equal, and one changed string is found', () => {
  const n = 20_000;
  const rows = Array.from({ length: n }, (_, i) => ({ k: `key-${i % 997}`, n: BigInt(i), x: i / 7 }));
  const shuffled = [...rows].reverse().map((r) => ({ ...r, x: r.x * (1 + 1e-12) }));
  assert.deepEqual(compareResults(rowsOf(rows), rowsOf(shuffled), unordered), { ok: true });
  shuffled[123] = { ...shuffled[123]!, k: 'key-x' };
  const r = compareResults(rowsOf(rows), rowsOf(shuffled), unordered);
  assert.match(!r.ok ? r.diff : '', /1 missing, 1 extra of 20000/);
  assert.match(!r.ok ? r.diff : '', /closest mismatch: column 'k'/);
});
