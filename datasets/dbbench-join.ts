// dbbench_join: the join data of h2oai/db-benchmark (`_data/join-datagen.R`): a left table `x` and right tables
// `small`, `medium`, `big` whose keys are drawn so that about 90% of x's rows find a match on each key.
import type * as arrow from 'apache-arrow';
import type { Schema } from '../plan/index.ts';
import { buildTable, decimalUtf8, fillRoundedFloat, float64Data, int32Data, pooledUtf8, utf8Bytes, Validity } from './columns.ts';
import type { Dataset, DatasetParams } from './dataset.ts';
import { checkRows, checkSeed, intParam, resolveParams } from './params.ts';
import { chooseDistinctList, intOf, Prng, shuffleInPlace } from './prng.ts';
import { startPart, type PartColumns } from './parallel.ts';
import { sortRowsInPlace } from './sort-order.ts';

/** Smallest number of distinct keys of the small/medium key spaces, so tiny N still gives a 90/10 split. */
const MIN_KEYS = 10;

/** Distinct keys per id column for N rows: id1 N/1e6, id2 N/1e3, id3 N (db-benchmark's small/medium/big). */
export function joinKeyCounts(rows: number): { readonly id1: number; readonly id2: number; readonly id3: number } {
  return { id1: Math.max(MIN_KEYS, Math.round(rows / 1e6)), id2: Math.max(MIN_KEYS, Math.round(rows / 1e3)), id3: rows };
}

const doc = {
  id1: (side: string) => `${side} key with N/1e6 distinct values (at least ${MIN_KEYS}); ~90% shared with the other side`,
  id2: (side: string) => `${side} key with N/1e3 distinct values (at least ${MIN_KEYS}); ~90% shared with the other side`,
  id3: (side: string) => `${side} key with N distinct values; ~90% shared with the other side`,
  str: (n: number) => `'id' followed by id${n}, e.g. 'id123' (the string form of the same key); NULL where id${n} is`,
  v: 'uniform in [0, 100), 6 decimals',
};

const X: Schema = [
  { name: 'id1', type: 'int32', doc: doc.id1('LHS') },
  { name: 'id2', type: 'int32', doc: doc.id2('LHS') },
  { name: 'id3', type: 'int32', doc: doc.id3('LHS') },
  { name: 'id4', type: 'utf8', doc: doc.str(1) },
  { name: 'id5', type: 'utf8', doc: doc.str(2) },
  { name: 'id6', type: 'utf8', doc: doc.str(3) },
  { name: 'v1', type: 'float64', doc: doc.v },
];
const SMALL: Schema = [
  { name: 'id1', type: 'int32', doc: 'unique key, ~90% of its values appear in x.id1' },
  { name: 'id4', type: 'utf8', doc: doc.str(1) },
  { name: 'v2', type: 'float64', doc: doc.v },
];
const MEDIUM: Schema = [
  { name: 'id1', type: 'int32', doc: doc.id1('RHS') },
  { name: 'id2', type: 'int32', doc: 'unique key, ~90% of its values appear in x.id2' },
  { name: 'id4', type: 'utf8', doc: doc.str(1) },
  { name: 'id5', type: 'utf8', doc: doc.str(2) },
  { name: 'v2', type: 'float64', doc: doc.v },
];
const BIG: Schema = [
  { name: 'id1', type: 'int32', doc: doc.id1('RHS') },
  { name: 'id2', type: 'int32', doc: doc.id2('RHS') },
  { name: 'id3', type: 'int32', doc: 'unique key, ~90% of its values appear in x.id3' },
  { name: 'id4', type: 'utf8', doc: doc.str(1) },
  { name: 'id5', type: 'utf8', doc: doc.str(2) },
  { name: 'id6', type: 'utf8', doc: doc.str(3) },
  { name: 'v2', type: 'float64', doc: doc.v },
];

/** The keys of one key space: `lhs` appear in x only via (x ∪ l), `rhs` in the right tables via (x ∪ r). */
interface KeySpace {
  readonly lhs: Int32Array;
  readonly rhs: Int32Array;
}

/** Keys of a key space with n keys per side: 1..(n + left-only count). */
function keySpaceSize(n: number): number {
  return n + (n - Math.round(n * 0.9));
}

/** split_xlr: a shuffled 1..1.1n split into common (0.9n), left-only (0.1n) and right-only (0.1n) keys. */
function splitXlr(n: number, rng: Prng): KeySpace {
  const common = Math.round(n * 0.9);
  const only = n - common;
  const keys = new Int32Array(keySpaceSize(n));
  for (let i = 0; i < keys.length; i++) keys[i] = i + 1;
  shuffleInPlace(keys, rng);
  const lhs = keys.slice(0, n); // common then left-only
  const rhs = new Int32Array(n);
  rhs.set(keys.subarray(0, common));
  rhs.set(keys.subarray(n, n + only), common);
  return { lhs, rhs };
}

/**
 * sample_all: `size` draws from `keys` in which every key appears at least once, in random order.
 * R shuffles keys ++ (size − n) extra draws; the same distribution, without a cache-hostile shuffle of `size`
 * values, is: the n keys in random order at n random distinct positions, independent draws everywhere else.
 */
function sampleAll(keys: Int32Array, size: number, rng: Prng): Int32Array {
  const n = keys.length;
  if (n > size) throw new Error(`cannot place ${n} distinct keys in ${size} rows`);
  const ordered = new Int32Array(keys);
  shuffleInPlace(ordered, rng);
  if (n === size) return ordered;
  const out = new Int32Array(size);
  const positions = chooseDistinctList(size, n, rng).sort(); // the same rows as chooseDistinct marks, in order
  // One rng.int(n) per other row, in row order, taken in blocks.
  const u = new Uint32Array(1024);
  let taken = 0;
  let left = size - n;
  for (let i = 0, next = 0, k = 0; i < size; i++) {
    if (next < n && i === positions[next]) out[i] = ordered[next++]!;
    else {
      if (k === taken) {
        taken = Math.min(u.length, left);
        left -= taken;
        rng.fill(u, 0, taken);
        k = 0;
      }
      out[i] = keys[intOf(u[k++]!, n)]!;
    }
  }
  return out;
}

// The sorted tables are generated in their final order rather than drawn and then sorted (revision 2). A right
// table is sorted by its unique key, which sample_all only shuffled: sorted, that is the key space's right-hand keys
// in ascending order, and the table's other key columns, exchangeable draws independent of that shuffle, have the
// same distribution in any fixed order, so they are kept as drawn. x is sorted by (id1, id2, id3): id1 and id2 are
// drawn as before and counted per pair, and since id3 is a uniformly random permutation independent of them, cutting
// it in order into one piece per pair and sorting each piece assigns the id3 keys to the pairs as the sort would.

/** The keys of `keys` (distinct, in 1..space) in ascending order: a presence mark per key, then one scan. */
function ascendingKeys(keys: Int32Array, space: number): Int32Array {
  const present = new Uint8Array(space + 1);
  for (let i = 0; i < keys.length; i++) present[keys[i]!] = 1;
  const out = new Int32Array(keys.length);
  for (let k = 1, j = 0; k <= space; k++) if (present[k]) out[j++] = k;
  return out;
}

/**
 * Sort the rows (id1, id2, id3) by id1, then id2, then id3, where id3 is unique and a uniformly random permutation
 * independent of id1 and id2: id1 and id2 are rewritten as runs of their pairs in order, and id3 is cut in order
 * into pieces of those runs' lengths, each sorted (the rows' multiset of (id1, id2) is kept, and the id3 keys go to
 * the pairs in a uniformly random assignment, as sorting the drawn rows would give).
 */
function sortByPairThenUnique(id1: Int32Array, id2: Int32Array, id3: Int32Array, range1: number, range2: number, range3: number): void {
  // A count per pair costs more memory than a column from ~1e9 rows (N/1e6 × N/1e3 pairs): sort the rows instead.
  if (range1 * range2 > id1.length) return sortRowsInPlace([id1, id2, id3], [], [range1, range2, range3]);
  const pairs = new Int32Array(range1 * range2);
  for (let i = 0; i < id1.length; i++) pairs[id1[i]! * range2 + id2[i]!]!++;
  let start = 0;
  for (let pair = 0; pair < pairs.length; pair++) {
    const end = start + pairs[pair]!;
    if (end === start) continue;
    id1.fill(Math.floor(pair / range2), start, end);
    id2.fill(pair % range2, start, end);
    id3.subarray(start, end).sort();
    start = end;
  }
}

function values(rows: number, rng: Prng): Float64Array {
  const v = new Float64Array(rows);
  fillRoundedFloat(v, rng, 100, 6);
  return v;
}

/** A key column's validity: NULL where the code is 0. Only x has NULL keys, and only with naPct > 0. */
function keyValidity(codes: Int32Array, mayHaveNulls: boolean): Validity {
  return mayHaveNulls ? Validity.whereZero(codes) : new Validity(codes.length);
}

/** An integer key column and its string form `'id' + key` (NULL where the key is); `keySpace` is the largest key. */
function keyColumns(codes: Int32Array, keySpace: number, mayHaveNulls: boolean, name: string): { readonly ints: arrow.Data; readonly strings: arrow.Data } {
  const valid = keyValidity(codes, mayHaveNulls);
  if (keySpace <= 1_000_000) {
    // Few distinct keys (id1, id2): format each once and copy (columns.ts: pooledUtf8).
    const pool = Array.from({ length: keySpace + 1 }, (_, k) => utf8Bytes(`id${k}`));
    return { ints: int32Data(codes, valid), strings: pooledUtf8(codes, pool, valid, name) };
  }
  // One key per row (id3): formatted per row.
  return { ints: int32Data(codes, valid), strings: decimalUtf8(codes, 'id', 1, valid, name) };
}

/** What every table of one generation shares: the resolved options and the three key spaces. */
interface JoinSetup {
  readonly naPct: number;
  readonly sorted: boolean;
  readonly counts: ReturnType<typeof joinKeyCounts>;
  /** Keys run over 1..n + n/10 per key space. */
  readonly space: { readonly id1: number; readonly id2: number; readonly id3: number };
  readonly key1: KeySpace;
  readonly key2: KeySpace;
  readonly key3: KeySpace;
  readonly rng: (label: string) => Prng;
}

function setup(rows: number, seed: number, given: DatasetParams): JoinSetup {
  checkRows(rows, 100);
  checkSeed(seed);
  const params = resolveParams('dbbench_join', dbbenchJoin.params, given);
  const counts = joinKeyCounts(rows);
  const rng = (label: string) => Prng.stream(seed, `dbbench_join.${label}`);
  return {
    naPct: intParam('dbbench_join', params, 'naPct', 0, 100),
    sorted: params['sorted'] === true,
    counts,
    space: { id1: keySpaceSize(counts.id1), id2: keySpaceSize(counts.id2), id3: keySpaceSize(counts.id3) },
    key1: splitXlr(counts.id1, rng('key1')),
    key2: splitXlr(counts.id2, rng('key2')),
    key3: splitXlr(counts.id3, rng('key3')),
    rng,
  };
}

/**
 * RHS big: unique id3, id1 and id2 drawn from theirs. A part of its own (datasets/parallel.ts): the helper thread
 * writes big while the calling thread writes x, each having drawn the key spaces from their streams.
 */
function bigColumns(rows: number, { sorted, space, key1, key2, key3, rng }: JoinSetup): PartColumns {
  const b1 = sampleAll(key1.rhs, rows, rng('big.id1'));
  const b2 = sampleAll(key2.rhs, rows, rng('big.id2'));
  const b3 = sorted ? ascendingKeys(key3.rhs, space.id3) : sampleAll(key3.rhs, rows, rng('big.id3'));
  const [bk1, bk2, bk3] = [keyColumns(b1, space.id1, false, 'big.id4'), keyColumns(b2, space.id2, false, 'big.id5'), keyColumns(b3, space.id3, false, 'big.id6')];
  const columns = { id1: bk1.ints, id2: bk2.ints, id3: bk3.ints, id4: bk1.strings, id5: bk2.strings, id6: bk3.strings };
  return sorted ? { ...columns, v2: bigValues(rows, rng) } : columns;
}

/**
 * big.v2, from a stream of its own. Unsorted, big costs more than x (a shuffle of N keys for id3), so the thread
 * writing x draws v2; sorted, x costs more (the sort and the NULL passes), so the thread writing big does.
 */
function bigValues(rows: number, rng: (label: string) => Prng): arrow.Data {
  return float64Data(values(rows, rng('big.v2')));
}

function generate(rows: number, seed: number, given: DatasetParams): ReadonlyMap<string, arrow.Table> {
  checkRows(rows, 100);
  checkSeed(seed);
  // Bad arguments fail here, before the helper is asked.
  intParam('dbbench_join', resolveParams('dbbench_join', dbbenchJoin.params, given), 'naPct', 0, 100);
  const bigPart = startPart('dbbench_join', 'big', rows, seed, given);
  const shared = setup(rows, seed, given);
  const { naPct, sorted, counts, space, key1, key2, key3, rng } = shared;

  // LHS x.
  const x1 = sampleAll(key1.lhs, rows, rng('x.id1'));
  const x2 = sampleAll(key2.lhs, rows, rng('x.id2'));
  // key3.lhs is already a uniformly shuffled permutation of x's id3 keys (and big.id3 is reshuffled on its own),
  // so it is used as is: the same distribution as R's sample_all, without another shuffle of N values.
  const x3 = new Int32Array(key3.lhs);
  if (sorted) sortByPairThenUnique(x1, x2, x3, space.id1 + 1, space.id2 + 1, space.id3 + 1);
  const v1 = values(rows, rng('x.v1'));
  const v1Valid = new Validity(rows);
  if (naPct > 0) {
    // As the R script: naPct% of the distinct values of each key become NA (every row holding them), and
    // naPct% of v1's rows. NULL keys never match in a join, so the match rate drops accordingly.
    const keyed: [Int32Array, KeySpace, string][] = [[x1, key1, 'id1'], [x2, key2, 'id2'], [x3, key3, 'id3']];
    for (const [column, space, name] of keyed) {
      const nna = Math.floor((space.lhs.length * naPct) / 100);
      const isNa = new Uint8Array(space.lhs.length + space.rhs.length + 1);
      for (const i of chooseDistinctList(space.lhs.length, nna, rng(`na.${name}`))) isNa[space.lhs[i]!] = 1;
      for (let i = 0; i < rows; i++) if (isNa[column[i]!]) column[i] = 0;
    }
    for (const i of chooseDistinctList(rows, Math.floor((rows * naPct) / 100), rng('na.v1'))) {
      v1[i] = 0;
      v1Valid.setNull(i);
    }
  }
  const [xk1, xk2, xk3] = [keyColumns(x1, space.id1, naPct > 0, 'x.id4'), keyColumns(x2, space.id2, naPct > 0, 'x.id5'), keyColumns(x3, space.id3, naPct > 0, 'x.id6')];
  const x = buildTable(X, {
    id1: xk1.ints, id2: xk2.ints, id3: xk3.ints, id4: xk1.strings, id5: xk2.strings, id6: xk3.strings,
    v1: float64Data(v1, v1Valid),
  });

  // RHS small: every key of (x ∪ r) exactly once.
  const s1 = sorted ? ascendingKeys(key1.rhs, space.id1) : sampleAll(key1.rhs, counts.id1, rng('small.id1'));
  const sk1 = keyColumns(s1, space.id1, false, 'small.id4');
  const small = buildTable(SMALL, { id1: sk1.ints, id4: sk1.strings, v2: float64Data(values(counts.id1, rng('small.v2'))) });

  // RHS medium: unique id2, id1 drawn from its key space.
  const m1 = sampleAll(key1.rhs, counts.id2, rng('medium.id1'));
  const m2 = sorted ? ascendingKeys(key2.rhs, space.id2) : sampleAll(key2.rhs, counts.id2, rng('medium.id2'));
  const [mk1, mk2] = [keyColumns(m1, space.id1, false, 'medium.id4'), keyColumns(m2, space.id2, false, 'medium.id5')];
  const medium = buildTable(MEDIUM, {
    id1: mk1.ints, id2: mk2.ints, id4: mk1.strings, id5: mk2.strings,
    v2: float64Data(values(counts.id2, rng('medium.v2'))),
  });

  const v2: PartColumns = sorted ? {} : { v2: bigValues(rows, rng) };
  const big = buildTable(BIG, { ...bigPart.take(() => bigColumns(rows, shared)), ...v2 });
  return new Map([['x', x], ['small', small], ['medium', medium], ['big', big]]);
}

/**
 * db-benchmark's join tables (J1_<N>_NA_<nas>_<sorted> and its small/medium/big right-hand sides).
 *
 * @example
 * const t = dbbenchJoin.generate(1e6, 42, {});
 * t.get('small')!.numRows; // 10 (N/1e6 = 1, raised to the minimum of 10 keys)
 */
export const dbbenchJoin: Dataset = {
  name: 'dbbench_join',
  doc:
    'The join data of h2oai/db-benchmark (`_data/join-datagen.R`): a left table x of N rows and right tables small ' +
    '(N/1e6 rows), medium (N/1e3) and big (N). Each key space is split into 90% common keys, 10% only on the left ' +
    'and 10% only on the right, so about 90% of x\'s rows match on each key and inner and outer joins differ. ' +
    'Integer keys id1..id3 have string twins id4..id6 (\'id\' + key) to compare joins on ints and strings.',
  tables: [
    { name: 'x', doc: 'left-hand side', schema: X, rowsRule: 'rows' },
    { name: 'small', doc: 'right-hand side joined on id1', schema: SMALL, rowsRule: `max(${MIN_KEYS}, round(rows / 1e6))` },
    { name: 'medium', doc: 'right-hand side joined on id2 (or id1, id2)', schema: MEDIUM, rowsRule: `max(${MIN_KEYS}, round(rows / 1e3))` },
    { name: 'big', doc: 'right-hand side joined on id3 (or id1, id2, id3)', schema: BIG, rowsRule: 'rows' },
  ],
  params: [
    { name: 'naPct', doc: 'percentage (0..100, whole number) of distinct key values of x set to NULL per key column, and of x.v1 rows', default: 0 },
    { name: 'sorted', doc: 'sort x by id1, id2, id3 and each right table by its unique key (NULLs first)', default: false },
  ],
  // 2: the sorted tables are generated in their final order (same distribution, different rows).
  revision: 2,
  parts: { big: (rows, seed, given) => bigColumns(rows, setup(rows, seed, given)) },
  generate,
};
