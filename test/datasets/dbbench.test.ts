// db-benchmark data: group-by cardinalities, value ranges, NA counts and sortedness; join key spaces, unique
// right-hand keys and the ~90% match rate, with and without NAs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as arrow from 'apache-arrow';
import { columnValues } from '../../plan/index.ts';
import { dbbenchGroupby, smallGroups } from '../../datasets/dbbench-groupby.ts';
import { sortedPlan, sortedRows } from '../../datasets/dbbench-groupby-sorted.ts';
import { dbbenchJoin, joinKeyCounts } from '../../datasets/dbbench-join.ts';

const distinct = (t: arrow.Table, c: string) => new Set(columnValues(t, c).filter((v) => v !== null));
const nulls = (t: arrow.Table, c: string) => columnValues(t, c).filter((v) => v === null).length;

test('groupby: id columns have K and N/K distinct values in the documented formats; v1..v3 in range', () => {
  const rows = 20_000;
  const k = 10;
  const x = dbbenchGroupby.generate(rows, 1, { k }).get('x')!;
  const nk = smallGroups(rows, k);
  assert.equal(nk, 2000);
  for (const c of ['id1', 'id2', 'id4', 'id5']) assert.equal(distinct(x, c).size, k, c);
  // With 20000 draws from 2000 values, every value appears (P(miss) ≈ 2000·e^-10 ≈ 0.09 — so allow a couple).
  for (const c of ['id3', 'id6']) assert.ok(distinct(x, c).size >= nk - 3 && distinct(x, c).size <= nk, c);
  for (const v of distinct(x, 'id1')) assert.match(v as string, /^id0(0[1-9]|10)$/);
  for (const v of distinct(x, 'id3')) assert.match(v as string, /^id\d{10}$/);
  const ints = (c: string) => columnValues(x, c) as number[];
  assert.deepEqual([Math.min(...ints('id4')), Math.max(...ints('id4'))], [1, k]);
  assert.deepEqual([Math.min(...ints('id6')), Math.max(...ints('id6'))], [1, nk]);
  assert.deepEqual([...distinct(x, 'v1')].sort((a, b) => (a as number) - (b as number)), [1, 2, 3, 4, 5]);
  assert.deepEqual([...distinct(x, 'v2')].sort((a, b) => (a as number) - (b as number)), Array.from({ length: 15 }, (_, i) => i + 1));
  for (const v of ints('v3')) assert.ok(v >= 0 && v <= 100 && Math.abs(Math.round(v * 1e6) / 1e6 - v) < 1e-9, `v3 ${v}`);
  for (const c of x.schema.fields.map((f) => f.name)) assert.equal(nulls(x, c), 0);
  // 'id%03d' with K above 999 is wider than 3 digits, as in R.
  assert.ok([...distinct(dbbenchGroupby.generate(3000, 1, { k: 1500 }).get('x')!, 'id1')].some((v) => v === 'id1000' || (v as string).length === 6));
});

test('groupby naPct: exactly floor(N·pct/100) NULLs in every column; sorted orders by id1..id6 with NULLs first', () => {
  const rows = 10_001;
  const x = dbbenchGroupby.generate(rows, 2, { k: 1200, naPct: 5, sorted: true }).get('x')!;
  for (const f of x.schema.fields) assert.equal(nulls(x, f.name), Math.floor(rows * 0.05), f.name);
  const cols = ['id1', 'id2', 'id3', 'id4', 'id5', 'id6'].map((c) => columnValues(x, c));
  const cmp = (a: unknown, b: unknown): number => {
    if (a === b) return 0;
    if (a === null) return -1;
    if (b === null) return 1;
    return (a as number | string) < (b as number | string) ? -1 : 1; // strings by code unit = bytes for ASCII
  };
  for (let i = 1; i < rows; i++) {
    let c = 0;
    for (const col of cols) if ((c = cmp(col[i - 1], col[i])) !== 0) break;
    assert.ok(c <= 0, `row ${i} is out of order`);
  }
  // Sorting keeps the key rows: the multiset of (id1..id6) tuples equals the unsorted data's (NAs are drawn before
  // sorting, so the same rows carry them).
  const unsorted = dbbenchGroupby.generate(rows, 2, { k: 1200, naPct: 5 }).get('x')!;
  const tuples = (t: arrow.Table) => {
    const keys = ['id1', 'id2', 'id3', 'id4', 'id5', 'id6'].map((c) => columnValues(t, c));
    return keys[0]!.map((_, i) => keys.map((k) => k[i]).join('|')).sort();
  };
  assert.deepEqual(tuples(x), tuples(unsorted));
  // The measures are independent of the keys, so they are drawn in the final order: the same columns as unsorted.
  for (const v of ['v1', 'v2', 'v3']) assert.deepEqual(columnValues(x, v), columnValues(unsorted, v), v);
});

function matchRate(left: arrow.Table, right: arrow.Table, key: string): number {
  const keys = new Set(columnValues(right, key));
  const l = columnValues(left, key);
  return l.filter((v) => v !== null && keys.has(v)).length / l.length;
}

test('join: key spaces, unique right-hand keys and ~90% of x rows matching', () => {
  const rows = 100_000;
  const t = dbbenchJoin.generate(rows, 3, {});
  const [x, small, medium, big] = ['x', 'small', 'medium', 'big'].map((n) => t.get(n)!) as [arrow.Table, arrow.Table, arrow.Table, arrow.Table];
  const counts = joinKeyCounts(rows);
  assert.deepEqual(counts, { id1: 10, id2: 100, id3: rows });
  assert.equal(distinct(x, 'id1').size, counts.id1);
  assert.equal(distinct(x, 'id2').size, counts.id2);
  assert.equal(distinct(x, 'id3').size, counts.id3, 'x.id3 is unique');
  assert.equal(distinct(small, 'id1').size, small.numRows, 'small.id1 is unique');
  assert.equal(distinct(medium, 'id2').size, medium.numRows, 'medium.id2 is unique');
  assert.equal(distinct(big, 'id3').size, big.numRows, 'big.id3 is unique');
  // Keys come from 1..1.1n, and 90% of each key space is shared.
  for (const v of distinct(x, 'id3')) assert.ok((v as number) >= 1 && (v as number) <= 110_000);
  const bigKeys = distinct(big, 'id3');
  const shared = [...distinct(x, 'id3')].filter((v) => bigKeys.has(v)).length;
  assert.equal(shared, 90_000);
  for (const [right, key] of [[small, 'id1'], [medium, 'id2'], [big, 'id3']] as const) {
    const rate = matchRate(x, right, key);
    assert.ok(Math.abs(rate - 0.9) < 0.05, `${key} match rate ${rate}`);
  }
  // Exactly 90% on id3 (one row per key).
  assert.equal(matchRate(x, big, 'id3'), 0.9);
  // id4..id6 are the string twins of id1..id3.
  const id1 = columnValues(x, 'id1');
  const id4 = columnValues(x, 'id4');
  for (let i = 0; i < 100; i++) assert.equal(id4[i], `id${id1[i]}`);
  for (const c of ['v1']) for (const v of columnValues(x, c) as number[]) assert.ok(v >= 0 && v < 100);
});

test('join naPct: NULL keys replace pct% of distinct key values, lowering the match rate; sorted orders the keys', () => {
  const rows = 100_000;
  const t = dbbenchJoin.generate(rows, 4, { naPct: 10, sorted: true });
  const x = t.get('x')!;
  // id3 is unique, so exactly 10% of its rows are NULL; v1 has exactly 10% NULL rows.
  assert.equal(nulls(x, 'id3'), 10_000);
  assert.equal(nulls(x, 'id6'), 10_000, 'the string twin is NULL where the key is');
  assert.equal(nulls(x, 'v1'), 10_000);
  assert.equal(distinct(x, 'id2').size, 90, '10 of the 100 id2 values became NULL');
  assert.ok(Math.abs(matchRate(x, t.get('big')!, 'id3') - 0.81) < 0.01, 'NULL keys never match');
  for (const n of ['small', 'medium', 'big']) for (const f of t.get(n)!.schema.fields) assert.equal(nulls(t.get(n)!, f.name), 0, `${n}.${f.name}`);
  const big = columnValues(t.get('big')!, 'id3') as number[];
  for (let i = 1; i < big.length; i++) assert.ok(big[i - 1]! < big[i]!, 'big sorted by id3');
  // x was sorted by id1, id2, id3 before NAs were placed (as in the R script): id1 is non-decreasing where set.
  const x1 = columnValues(x, 'id1').filter((v) => v !== null) as number[];
  for (let i = 1; i < x1.length; i++) assert.ok(x1[i - 1]! <= x1[i]!);
});

test('join sorted: generated in sorted order with the same keys and key multisets as the unsorted tables', () => {
  const rows = 50_000;
  const [plain, sorted] = [dbbenchJoin.generate(rows, 6, {}), dbbenchJoin.generate(rows, 6, { sorted: true })];
  const multiset = (t: arrow.Table, cols: readonly string[]) => {
    const columns = cols.map((c) => columnValues(t, c));
    return columns[0]!.map((_, i) => columns.map((c) => c[i]).join('|')).sort();
  };
  // x: the rows are ordered by (id1, id2, id3), keep the drawn (id1, id2) pairs and the id3 keys, and the string twins follow.
  const x = sorted.get('x')!;
  const [x1, x2, x3] = ['id1', 'id2', 'id3'].map((c) => columnValues(x, c) as number[]) as [number[], number[], number[]];
  for (let i = 1; i < rows; i++) {
    const order = x1[i - 1]! - x1[i]! || x2[i - 1]! - x2[i]! || x3[i - 1]! - x3[i]!;
    assert.ok(order < 0, `x row ${i} out of order`);
  }
  assert.deepEqual(multiset(x, ['id1', 'id2']), multiset(plain.get('x')!, ['id1', 'id2']));
  assert.deepEqual(multiset(x, ['id3']), multiset(plain.get('x')!, ['id3']));
  const id6 = columnValues(x, 'id6');
  for (let i = 0; i < rows; i += 997) assert.equal(id6[i], `id${x3[i]}`);
  // id3 is assigned to the pairs at random, not in key order: the first tenth of the rows holds keys from all over.
  const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
  assert.ok(Math.abs(mean(x3.slice(0, rows / 10)) / mean(x3) - 1) < 0.05, 'id3 spread over the pairs');
  // Right tables: ascending unique key, the same keys, and the other key columns' multisets as drawn.
  for (const [table, key, others] of [['small', 'id1', []], ['medium', 'id2', ['id1']], ['big', 'id3', ['id1', 'id2']]] as const) {
    const keys = columnValues(sorted.get(table)!, key) as number[];
    for (let i = 1; i < keys.length; i++) assert.ok(keys[i - 1]! < keys[i]!, `${table}.${key} ascending`);
    assert.deepEqual(multiset(sorted.get(table)!, [key]), multiset(plain.get(table)!, [key]), `${table}.${key}`);
    for (const c of others) assert.deepEqual(multiset(sorted.get(table)!, [c]), multiset(plain.get(table)!, [c]), `${table}.${c}`);
  }
});

test('groupby sorted in order (revision 3): sorted, exact NULLs, and the distributions of drawn-then-sorted data', () => {
  const [rows, k, naPct] = [40_000, 20, 5];
  const x = dbbenchGroupby.generate(rows, 8, { k, naPct, sorted: true }).get('x')!;
  const keyNames = ['id1', 'id2', 'id3', 'id4', 'id5', 'id6'];
  const cols = keyNames.map((c) => columnValues(x, c));
  const nullsWanted = Math.floor((rows * naPct) / 100);
  for (const f of x.schema.fields) assert.equal(nulls(x, f.name), nullsWanted, f.name);
  const cmp = (a: unknown, b: unknown): number => (a === b ? 0 : a === null ? -1 : b === null ? 1 : (a as number | string) < (b as number | string) ? -1 : 1);
  for (let i = 1; i < rows; i++) {
    let c = 0;
    for (const col of cols) if ((c = cmp(col[i - 1], col[i])) !== 0) break;
    assert.ok(c <= 0, `row ${i} is out of order`);
  }
  // Each key is uniform over its values whatever the other keys are: counts within 6 standard deviations.
  const within = (count: number, n: number, p: number, what: string) => {
    const sd = Math.sqrt(n * p * (1 - p));
    assert.ok(Math.abs(count - n * p) <= 6 * sd, `${what}: ${count} vs ${(n * p).toFixed(1)} expected`);
  };
  const nk = smallGroups(rows, k);
  const set = rows - nullsWanted;
  for (const [c, values] of [['id1', k], ['id2', k], ['id4', k], ['id5', k]] as const) {
    const counts = new Map<unknown, number>();
    for (const v of columnValues(x, c)) if (v !== null) counts.set(v, (counts.get(v) ?? 0) + 1);
    assert.equal(counts.size, values, `${c} has every value`);
    for (const [v, n] of counts) within(n, set, 1 / values, `${c} = ${v}`);
  }
  // (id1, id2) pairs: independent, so each pair of values holds ~1/k² of the rows with both set.
  const pairCounts = new Map<string, number>();
  for (let i = 0; i < rows; i++) if (cols[0]![i] !== null && cols[1]![i] !== null) pairCounts.set(`${cols[0]![i]}|${cols[1]![i]}`, (pairCounts.get(`${cols[0]![i]}|${cols[1]![i]}`) ?? 0) + 1);
  const bothSet = [...pairCounts.values()].reduce((a, b) => a + b, 0);
  for (const [pair, n] of pairCounts) within(n, bothSet, 1 / (k * k), `pair ${pair}`);
  // id3 and id6 (1..N/K) are uniform: halves and quarters of their range hold their share, overall and within the
  // rows of one id1 value (a sample that ignored the pieces, or sorted id3 globally, would fail this).
  for (const c of ['id3', 'id6']) {
    const codes = c === 'id3' ? (columnValues(x, c).map((v) => (v === null ? null : Number((v as string).slice(2))))) : columnValues(x, c);
    const present = codes.filter((v) => v !== null) as number[];
    assert.ok(Math.min(...present) >= 1 && Math.max(...present) <= nk, `${c} in 1..${nk}`);
    for (const q of [0.25, 0.5, 0.75]) within(present.filter((v) => v <= q * nk).length, present.length, q, `${c} ≤ ${q} N/K`);
    const inFirstGroup = codes.filter((v, i) => v !== null && cols[0]![i] === 'id001') as number[];
    within(inFirstGroup.filter((v) => v <= nk / 2).length, inFirstGroup.length, 0.5, `${c} ≤ N/2K where id1 = id001`);
  }
});

test('groupby sorted in order (revision 4): the rows of a range of pieces are the same however the table is cut', () => {
  // 41 × 41 pairs: 1,681 pieces, so ranges may start at pieces 256, 512, ... (each a block of id3's streams), and
  // rows inside and across the blocks of id4..id6's and v1..v3's streams (65,536 rows), whose earlier draws a range
  // skips.
  const rows = 140_000;
  const plan = sortedPlan(rows, 11, 40, smallGroups(rows, 40), 4, Int32Array.from({ length: 41 }, (_, c) => c));
  const pieces = plan.pieceEnds.length;
  assert.ok(plan.helperFirstPiece > 0 && plan.helperFirstPiece < pieces, 'the default cut splits the table');
  const bytes = (columns: readonly (Int32Array | Float64Array)[]): Buffer => Buffer.concat(columns.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength)));
  const whole = sortedRows(plan, 0, pieces) as unknown as Record<string, Int32Array | Float64Array>;
  for (const cuts of [[256], [plan.helperFirstPiece], [512, 1536], [256, 768, 1280]]) {
    const bounds = [0, ...cuts, pieces];
    const parts = bounds.slice(1).map((end, i) => sortedRows(plan, bounds[i]!, end) as unknown as Record<string, Int32Array | Float64Array>);
    for (const [name, column] of Object.entries(whole)) {
      assert.ok(bytes(parts.map((part) => part[name]!)).equals(bytes([column])), `${name} cut at ${cuts.join(', ')}`);
    }
  }
  assert.throws(() => sortedRows(plan, 100, pieces), /starts at a multiple of 256, not 100/);
});
