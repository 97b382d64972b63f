// dbbench_groupby: the group-by data of h2oai/db-benchmark (`_data/groupby-datagen.R`), column for column, so
// results can be set beside the published db-benchmark numbers: K large groups, N/K small groups, NAs, sortedness.
import type * as arrow from 'apache-arrow';
import type { Schema } from '../plan/index.ts';
import { buildTable, decimalUtf8, fillRoundedFloat, float64Data, int32Data, pooledUtf8, streamedUtf8, utf8Bytes, Utf8Pool, Validity } from './columns.ts';
import type { Dataset, DatasetParams } from './dataset.ts';
import { checkRows, checkSeed, intParam, resolveParams } from './params.ts';
import { chooseDistinctList, Prng } from './prng.ts';
import { startPart, type PartColumns } from './parallel.ts';
import { sortRowsInPlace } from './sort-order.ts';
import { sortedInOrder, sortedPlan, sortedRows, type SortedPlan } from './dbbench-groupby-sorted.ts';

const SCHEMA: Schema = [
  { name: 'id1', type: 'utf8', doc: "large groups: 'id%03d' of 1..K, e.g. 'id042'" },
  { name: 'id2', type: 'utf8', doc: "large groups: 'id%03d' of 1..K" },
  { name: 'id3', type: 'utf8', doc: "small groups: 'id%010d' of 1..N/K, e.g. 'id0000001234'" },
  { name: 'id4', type: 'int32', doc: 'large groups: 1..K' },
  { name: 'id5', type: 'int32', doc: 'large groups: 1..K' },
  { name: 'id6', type: 'int32', doc: 'small groups: 1..N/K' },
  { name: 'v1', type: 'int32', doc: 'uniform 1..5' },
  { name: 'v2', type: 'int32', doc: 'uniform 1..15' },
  { name: 'v3', type: 'float64', doc: 'uniform in [0, 100), rounded to 6 decimals' },
];

/** Number of small groups, N/K (at least 1; R's sample(N/K) draws from 1..floor(N/K)). */
export function smallGroups(rows: number, k: number): number {
  return Math.max(1, Math.floor(rows / k));
}

/** Rank of each code 1..k when the codes are printed as 'id%03d' and compared as strings (0 = NULL ranks first). */
function stringRanks(k: number): Int32Array {
  const ranks = new Int32Array(k + 1);
  if (k <= 999) {
    for (let c = 1; c <= k; c++) ranks[c] = c; // equal widths: numeric order is string order
    return ranks;
  }
  // Above 999 'id1000' < 'id999': sort as the bytes compare (C locale, as data.table's setkey does).
  const codes = Array.from({ length: k }, (_, i) => i + 1);
  const label = (c: number) => String(c).padStart(3, '0');
  codes.sort((a, b) => (label(a) < label(b) ? -1 : label(a) > label(b) ? 1 : 0));
  codes.forEach((c, r) => (ranks[c] = r + 1));
  return ranks;
}

/** Codes 0..k in the order their labels sort ('id%03d' compared as bytes; 0 = NULL first): codeOfRank[rank]. */
function codesInStringOrder(k: number): Int32Array {
  const ranks = stringRanks(k);
  const codeOfRank = new Int32Array(k + 1);
  for (let c = 0; c <= k; c++) codeOfRank[ranks[c]!] = c;
  return codeOfRank;
}

/** The resolved options of one generation, and the column helpers every part shares. */
function setup(rows: number, seed: number, given: DatasetParams) {
  checkRows(rows);
  checkSeed(seed);
  const params = resolveParams('dbbench_groupby', dbbenchGroupby.params, given);
  const k = intParam('dbbench_groupby', params, 'k', 1, 1_000_000_000);
  const naPct = intParam('dbbench_groupby', params, 'naPct', 0, 100);
  const sorted = params['sorted'] === true;
  // Integer codes for every column; 0 marks NA (all real codes are ≥ 1). v3 marks NA with NaN.
  const drawInto = (name: string, n: number) => {
    const rng = Prng.stream(seed, `dbbench_groupby.${name}`);
    return (codes: Int32Array) => rng.fillInt(codes, n, 1);
  };
  const draw = (name: string, n: number): Int32Array => {
    const codes = new Int32Array(rows);
    drawInto(name, n)(codes);
    return codes;
  };
  // As in the R script: in each column independently, exactly floor(N * naPct / 100) rows become NA.
  const nNa = Math.floor((rows * naPct) / 100);
  const setNulls = (name: string, codes: Int32Array | Float64Array, nullValue: number): void => {
    if (naPct > 0) for (const i of chooseDistinctList(rows, nNa, Prng.stream(seed, `dbbench_groupby.na.${name}`))) codes[i] = nullValue;
  };
  const ints = (codes: Int32Array): arrow.Data => int32Data(codes, naPct > 0 ? Validity.whereZero(codes) : undefined);
  const nk = smallGroups(rows, k);
  // Pools of the formatted labels for the K large groups (index = code, 0 = NULL); formatted per row otherwise.
  // The N/K small-group labels are pooled too while the pool is small beside the column (K ≥ 2): a pooled copy is
  // about twice as fast as formatting each row. Built on first use (the helper may not write labels).
  const labels = (count: number, width: number): Utf8Pool => {
    const p = new Utf8Pool();
    for (let c = 0; c <= count; c++) p.add(utf8Bytes(`id${String(c).padStart(width, '0')}`));
    return p;
  };
  let pools: { readonly large: Utf8Pool | null; readonly small: Utf8Pool | null } | undefined;
  const labelPools = () => (pools ??= { large: k <= 100_000 ? labels(k, 3) : null, small: k >= 2 && nk <= 4_000_000 ? labels(nk, 10) : null });
  /** A label column from its codes: 'id%03d' (width 3) or 'id%010d' (width 10), NULL where the code is 0. */
  const strings = (name: string, codes: Int32Array, width: number): arrow.Data => {
    const valid = naPct > 0 ? Validity.whereZero(codes) : new Validity(codes.length);
    const values = width === 3 ? labelPools().large : labelPools().small;
    // Labels of one length (K ≤ 999): the column's bytes are known without pooledUtf8's counting pass.
    const length = values?.uniformLength ?? -1;
    if (values) return pooledUtf8(codes, values, valid, `dbbench_groupby.${name}`, length >= 0 ? length * (codes.length - valid.nullCount) : undefined);
    return decimalUtf8(codes, 'id', width, valid, `dbbench_groupby.${name}`);
  };
  // Sorted keys are generated in their final order (dbbench-groupby-sorted.ts) when there are at most as many
  // (id1, id2) pairs as rows, in two ranges of rows: this thread's and the helper's.
  const inOrder = sorted && sortedInOrder(rows, k) ? () => sortedPlan(rows, seed, k, nk, naPct, codesInStringOrder(k)) : null;
  /** The columns of the sorted table's pieces first..end − 1. */
  const sortedRange = (plan: SortedPlan, first: number, end: number): PartColumns => {
    const r = sortedRows(plan, first, end);
    return {
      id1: strings('id1', r.id1, 3), id2: strings('id2', r.id2, 3), id3: strings('id3', r.id3, 10),
      id4: ints(r.id4), id5: ints(r.id5), id6: ints(r.id6), v1: ints(r.v1), v2: ints(r.v2), v3: floats(r.v3),
    };
  };
  return { k, naPct, sorted, nk, drawInto, draw, setNulls, ints, labelPools, strings, inOrder, sortedRange };
}

/** A float64 column whose NULLs are NaN in `values` (written as 0 with a cleared validity bit). */
function floats(values: Float64Array): arrow.Data {
  const valid = new Validity(values.length);
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(values[i])) {
      values[i] = 0;
      valid.setNull(i);
    }
  }
  return float64Data(values, valid);
}

/**
 * The columns the helper thread writes (datasets/parallel.ts): unsorted, the measures v1..v3 and the integer keys
 * id4..id6; sorted in order, every column of the second range of rows; sorted by drawing and sorting, the measures.
 * Each column has its own streams.
 */
function helperColumns(rows: number, seed: number, given: DatasetParams): PartColumns {
  const { k, nk, sorted, draw, setNulls, ints, inOrder, sortedRange } = setup(rows, seed, given);
  if (inOrder) {
    const plan = inOrder();
    return sortedRange(plan, plan.helperFirstPiece, plan.pieceEnds.length);
  }
  const keys: Record<string, arrow.Data> = {};
  if (!sorted) {
    for (const [name, n] of [['id4', k], ['id5', k], ['id6', nk]] as const) {
      const codes = draw(name, n);
      setNulls(name, codes, 0);
      keys[name] = ints(codes);
    }
  }
  return { ...keys, ...measures(rows, seed, given) };
}

/** v1..v3 with their NULLs: independent of the keys, so drawn in the final row order whether sorted or not. */
function measures(rows: number, seed: number, given: DatasetParams): PartColumns {
  const { draw, setNulls, ints } = setup(rows, seed, given);
  const v1 = draw('v1', 5);
  const v2 = draw('v2', 15);
  const v3 = new Float64Array(rows);
  fillRoundedFloat(v3, Prng.stream(seed, 'dbbench_groupby.v3'), 100, 6);
  setNulls('v1', v1, 0);
  setNulls('v2', v2, 0);
  setNulls('v3', v3, NaN);
  return { v1: ints(v1), v2: ints(v2), v3: floats(v3) };
}

function generate(rows: number, seed: number, given: DatasetParams): ReadonlyMap<string, arrow.Table> {
  const { k, nk, naPct, sorted, drawInto, draw, setNulls, ints, labelPools, strings, inOrder, sortedRange } = setup(rows, seed, given);
  const helperPart = startPart('dbbench_groupby', 'helper', rows, seed, given);

  if (inOrder) {
    // Sorted, in final order: this thread writes the first range of rows, the helper the second; the table keeps
    // them as two record batches (joining them would copy every column).
    const plan = inOrder();
    const head = sortedRange(plan, 0, plan.helperFirstPiece);
    const tail = helperPart.take(() => sortedRange(plan, plan.helperFirstPiece, plan.pieceEnds.length));
    return new Map([['x', buildTable(SCHEMA, [head, tail])]]);
  }

  // Without NULLs or sorting, a pooled label column (labels of one width) is written as its codes are drawn
  // (streamedUtf8) and the codes are not kept; otherwise they are drawn, given NULLs and sorted, then written.
  const { large: pool, small: smallPool } = labelPools();
  const streamed = (name: string, n: number, values: Utf8Pool | null): arrow.Data | undefined =>
    naPct === 0 && !sorted && values !== null && values.uniformLength >= 0 ? streamedUtf8(rows, values, drawInto(name, n), `dbbench_groupby.${name}`) : undefined;
  const id1Labels = streamed('id1', k, pool);
  const id2Labels = streamed('id2', k, pool);
  const id3Labels = streamed('id3', nk, smallPool);
  const unused = new Int32Array(0);
  let id1 = id1Labels ? unused : draw('id1', k);
  let id2 = id2Labels ? unused : draw('id2', k);
  const id3 = id3Labels ? unused : draw('id3', nk);
  const keyColumns: [string, Int32Array][] = [['id1', id1], ['id2', id2], ['id3', id3]];
  // Sorting by drawing and sorting needs every key here; otherwise the helper writes the integer keys.
  const [id4, id5, id6] = sorted ? [draw('id4', k), draw('id5', k), draw('id6', nk)] : [unused, unused, unused];
  if (sorted) keyColumns.push(['id4', id4], ['id5', id5], ['id6', id6]);
  for (const [name, codes] of keyColumns) setNulls(name, codes, 0);

  if (sorted) {
    // setkeyv(DT, id1..id6) when (K + 1)² pairs outnumber the rows: NA first, strings by bytes; the key columns
    // are sorted in place. The measures are drawn in the sorted order (by the helper): they and their NA rows are
    // independent of the keys and of one another, so drawing them after the sort gives the same joint
    // distribution as moving them through it.
    const ranges = [k + 1, k + 1, nk + 1, k + 1, k + 1, nk + 1];
    if (k <= 999) {
      sortRowsInPlace([id1, id2, id3, id4, id5, id6], [], ranges); // equal widths: codes are ranks
    } else {
      const ranks = stringRanks(k);
      const codeOfRank = codesInStringOrder(k);
      const r1 = id1.map((c) => ranks[c]!);
      const r2 = id2.map((c) => ranks[c]!);
      sortRowsInPlace([r1, r2, id3, id4, id5, id6], [], ranges);
      id1 = r1.map((r) => codeOfRank[r]!);
      id2 = r2.map((r) => codeOfRank[r]!);
    }
  }

  const sortedKeys: PartColumns = sorted ? { id4: ints(id4), id5: ints(id5), id6: ints(id6) } : {};
  const table = buildTable(SCHEMA, {
    id1: id1Labels ?? strings('id1', id1, 3),
    id2: id2Labels ?? strings('id2', id2, 3),
    id3: id3Labels ?? strings('id3', id3, 10),
    ...sortedKeys,
    ...helperPart.take(() => helperColumns(rows, seed, given)),
  });
  return new Map([['x', table]]);
}

/**
 * db-benchmark's group-by table `x` (G1_<N>_<K>_<nas>_<sorted>).
 *
 * @example
 * const x = dbbenchGroupby.generate(1e6, 42, { k: 100, naPct: 5 }).get('x')!;
 */
export const dbbenchGroupby: Dataset = {
  name: 'dbbench_groupby',
  doc:
    "The group-by data of h2oai/db-benchmark (`_data/groupby-datagen.R`): three string and three integer id " +
    'columns — id1/id2/id4/id5 with K distinct values (large groups), id3/id6 with N/K (small groups, which stress ' +
    'hash tables) — and measures v1 (1..5), v2 (1..15), v3 (0..100). Optionally naPct percent of every column is ' +
    'NULL and the rows are sorted by id1..id6. Same distributions as the R script, but a different random stream, ' +
    'so values differ row by row from the published files while every statistic matches.',
  tables: [{ name: 'x', doc: 'the group-by input', schema: SCHEMA, rowsRule: 'rows' }],
  // 2: with `sorted`, the measures are drawn after the keys are sorted instead of moved through the sort.
  // 3: with `sorted`, the keys are generated in their final order (dbbench-groupby-sorted.ts) instead of sorted.
  // 4: with `sorted` in order, streams per block of pieces and rows, so two threads write a range of rows each.
  revision: 4,
  parts: { helper: helperColumns },
  params: [
    { name: 'k', doc: 'K: distinct values of the large-group columns; the small-group columns have N/K', default: 100 },
    { name: 'naPct', doc: 'percentage (0..100, whole number) of each column set to NULL, chosen independently per column', default: 0 },
    { name: 'sorted', doc: 'sort the rows by id1..id6 (NULLs first, strings by bytes), as setkey does', default: false },
  ],
  generate,
};
