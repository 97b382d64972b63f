// db-benchmark's sorted group-by keys, generated in their final order (dbbench_groupby revision 3) instead of drawn
// and then sorted. The six key columns are independent, each an exchangeable sequence (iid draws with a uniformly
// random set of exactly m NULL rows), so the sorted table's distribution can be built level by level:
//   1. id1 — m NULLs and N − m draws, counted per code: the run lengths of the sorted column. The counts are drawn
//      directly (a multinomial, as binomials: Prng.uniformCounts), not by drawing N − m codes.
//   2. id2 — laid out in id1's sorted order (any fixed order of an exchangeable column will do) and counted per
//      (id1, id2) pair: the pieces of the table, in key order. Per id1 run, its id2 NULLs are counted on the NULL
//      rows and the other rows' counts drawn as a multinomial.
//   3. id3 — its NULL rows placed uniformly over the final positions, so each piece gets its share (jointly
//      hypergeometric, as a sort would give); they go first in the piece, and the rest of the piece is a sorted
//      sample of uniform draws, made directly from exponential spacings (the order statistics of n uniforms are the
//      normalised partial sums of n + 1 exponentials), without sorting.
//   4. id4..id6 — drawn per row in final order, then every run of rows equal on (id1, id2, id3) is sorted by them.
// Each step only assigns independent, exchangeable draws to positions and sorts within runs of equal leading keys,
// which is what a full sort of drawn rows yields in distribution. test/datasets/dbbench.test.ts checks the order,
// the NULL counts and the columns' distributions against unsorted data.
//
// Revision 4 makes steps 3 and 4 (and the measures, drawn in the final order) computable per range of pieces, so
// two threads can each write half of the table: id3 draws from one stream per block of PIECES_PER_STREAM pieces,
// id4..id6 and v1..v3 from one stream per block of ROWS_PER_STREAM rows (a range starting inside a block skips its
// first draws). Steps 1 and 2 and the NULL rows (chosen over the whole table) are computed by both threads.
import { chooseDistinct, chooseDistinctList, Prng, unitOf } from './prng.ts';
import { fillRoundedFloat } from './columns.ts';

/** Pieces whose id3 values draw from one stream: a range of pieces starts at a multiple of it. */
const PIECES_PER_STREAM = 256;
/** Rows whose id4..id6 and v1..v3 values draw from one stream per column. */
const ROWS_PER_STREAM = 65_536;
/** Share of the rows the helper thread writes (5e6 rows: the threads ended 3–175 ms apart, measured). */
const HELPER_ROW_SHARE = 0.5;

/** Steps 1–2: the pieces of the sorted table, one per non-empty (id1, id2) pair, in key order. */
export interface SortedPlan {
  readonly seed: number;
  readonly k: number;
  readonly nk: number;
  /** Piece p holds rows pieceEnds[p − 1]..pieceEnds[p] − 1 (from row 0). */
  readonly pieceEnds: Int32Array;
  /** The id1 and id2 code of each piece (0 = NULL). */
  readonly pieceId1: Int32Array;
  readonly pieceId2: Int32Array;
  /** The first piece of the helper thread's range: a multiple of PIECES_PER_STREAM, or the piece count. */
  readonly helperFirstPiece: number;
  /** id3's NULL rows as a mark per row, and the other columns' NULL rows (null without NULLs). */
  readonly id3Nulls: Uint8Array | null;
  readonly nullRows: Readonly<Record<(typeof NULLABLE)[number], Int32Array>> | null;
}

/** The columns of steps 3–4 and the measures whose NULL rows are chosen as a list. */
const NULLABLE = ['id4', 'id5', 'id6', 'v1', 'v2', 'v3'] as const;

/** Every column of a range of the sorted table, as codes: 0 is NULL for the integer columns, NaN for v3. */
export interface SortedRows {
  readonly id1: Int32Array;
  readonly id2: Int32Array;
  readonly id3: Int32Array;
  readonly id4: Int32Array;
  readonly id5: Int32Array;
  readonly id6: Int32Array;
  readonly v1: Int32Array;
  readonly v2: Int32Array;
  readonly v3: Float64Array;
}

/** Whether the keys can be generated in order: one count per (id1, id2) pair, so at most as many pairs as rows. */
export function sortedInOrder(rows: number, k: number): boolean {
  return (k + 1) ** 2 <= rows;
}

const streamOf = (seed: number, name: string): Prng => Prng.stream(seed, `dbbench_groupby.sorted.${name}`);

/**
 * Steps 1–2 (id1 and id2 in order of `codeOfRank`, their labels' byte order; 0 = NULL first), and where the
 * helper's range starts. Both threads compute it.
 */
export function sortedPlan(rows: number, seed: number, k: number, nk: number, naPct: number, codeOfRank: Int32Array): SortedPlan {
  const width = k + 1;
  const nNa = Math.floor((rows * naPct) / 100);

  // 1. id1: NULLs first, then each code's count (a multinomial over the k codes), in string order (codeOfRank).
  const count1 = new Int32Array(width);
  count1[0] = nNa;
  count1.set(streamOf(seed, 'id1').uniformCounts(rows - nNa, k), 1);

  // 2. id2 over id1's runs: pair counts, indexed [rank of id1][code of id2]. Per run: its id2 NULLs (the NULL rows
  // are chosen over the whole table), then its other rows spread over the k codes.
  const pairs = new Int32Array(width * width);
  {
    const rng = streamOf(seed, 'id2');
    const isNull = nNa > 0 ? chooseDistinct(rows, nNa, streamOf(seed, 'na.id2')) : null;
    const counts = new Int32Array(k);
    for (let r1 = 0, row = 0; r1 < width; r1++) {
      const end = row + count1[codeOfRank[r1]!]!;
      let nulls = 0;
      if (isNull) for (let r = row; r < end; r++) nulls += isNull[r]!;
      pairs[r1 * width] = nulls;
      pairs.set(rng.uniformCounts(end - row - nulls, k, counts), r1 * width + 1);
      row = end;
    }
  }

  let pieces = 0;
  for (let i = 0; i < pairs.length; i++) if (pairs[i]! > 0) pieces++;
  const [pieceEnds, pieceId1, pieceId2] = [new Int32Array(pieces), new Int32Array(pieces), new Int32Array(pieces)];
  for (let r1 = 0, p = 0, row = 0; r1 < width; r1++) {
    for (let r2 = 0; r2 < width; r2++) {
      const size = pairs[r1 * width + codeOfRank[r2]!]!;
      if (size === 0) continue;
      row += size;
      [pieceEnds[p], pieceId1[p], pieceId2[p]] = [row, codeOfRank[r1]!, codeOfRank[r2]!];
      p++;
    }
  }
  // The helper's range starts at the stream boundary whose first row is nearest its share of the rows.
  let helperFirstPiece = pieces;
  let best = Infinity;
  for (let p = 0; p <= pieces; p += PIECES_PER_STREAM) {
    const gap = Math.abs((p === 0 ? 0 : pieceEnds[p - 1]!) - rows * (1 - HELPER_ROW_SHARE));
    if (gap < best) [best, helperFirstPiece] = [gap, p];
  }
  // The NULL rows of the other columns, chosen over the whole table once, for every range computed here.
  const id3Nulls = nNa > 0 ? chooseDistinct(rows, nNa, streamOf(seed, 'na.id3')) : null;
  const nullRows = nNa > 0 ? (Object.fromEntries(NULLABLE.map((name) => [name, chooseDistinctList(rows, nNa, streamOf(seed, `na.${name}`))])) as Record<(typeof NULLABLE)[number], Int32Array>) : null;
  return { seed, k, nk, pieceEnds, pieceId1, pieceId2, helperFirstPiece, id3Nulls, nullRows };
}

/** The first row of piece p (the row count when p is the piece count). */
function rowOfPiece(plan: SortedPlan, p: number): number {
  return p === 0 ? 0 : plan.pieceEnds[p - 1]!;
}

/** Steps 3–4 and the measures for pieces first..end − 1 (first a multiple of PIECES_PER_STREAM): their rows only. */
export function sortedRows(plan: SortedPlan, first: number, end: number): SortedRows {
  if (first % PIECES_PER_STREAM !== 0 && first !== end) throw new Error(`a range of sorted pieces starts at a multiple of ${PIECES_PER_STREAM}, not ${first}`);
  const { seed, k, nk, pieceEnds, nullRows } = plan;
  const from = rowOfPiece(plan, first);
  const n = rowOfPiece(plan, end) - from;
  // The range's piece ends, counted from its first row.
  const ends = pieceEnds.subarray(first, end).map((e) => e - from);

  const [id1, id2] = [new Int32Array(n), new Int32Array(n)];
  for (let p = first, start = 0; p < end; p++) {
    const stop = ends[p - first]!;
    id1.fill(plan.pieceId1[p]!, start, stop);
    id2.fill(plan.pieceId2[p]!, start, stop);
    start = stop;
  }

  // 3. id3 per piece: its NULL rows first, then a sorted uniform sample of 1..nk.
  const id3 = new Int32Array(n);
  {
    const isNull = plan.id3Nulls;
    let largest = 0;
    for (let i = 0; i < ends.length; i++) largest = Math.max(largest, ends[i]! - (i === 0 ? 0 : ends[i - 1]!));
    const [raw, sums] = [new Uint32Array(largest + 1), new Float64Array(largest + 1)];
    let rng: Prng | null = null;
    for (let p = first, start = 0; p < end; p++) {
      if (p % PIECES_PER_STREAM === 0) rng = streamOf(seed, `id3.${p / PIECES_PER_STREAM}`);
      const stop = ends[p - first]!;
      let nulls = 0;
      if (isNull) for (let row = from + start; row < from + stop; row++) nulls += isNull[row]!;
      sortedUniformSample(id3, start + nulls, stop, nk, rng!, raw, sums);
      start = stop;
    }
  }

  // 4. id4..id6 drawn in place with their NULL rows, then each run equal on id1..id3 sorted by them.
  const ints = (name: (typeof NULLABLE)[number], values: number): Int32Array => {
    const codes = new Int32Array(n);
    fillRows(codes, from, seed, name, (rng, out) => rng.fillInt(out, values, 1));
    if (nullRows) setNullRows(codes, from, nullRows[name], 0);
    return codes;
  };
  const [id4, id5, id6] = [ints('id4', k), ints('id5', k), ints('id6', nk)];
  sortTies(id3, ends, [id4, id5, id6], k, nk);

  // The measures: independent of the keys, so drawn in the final order.
  const v3 = new Float64Array(n);
  fillRows(v3, from, seed, 'v3', (rng, out) => fillRoundedFloat(out, rng, 100, 6));
  if (nullRows) setNullRows(v3, from, nullRows.v3, NaN);
  return { id1, id2, id3, id4, id5, id6, v1: ints('v1', 5), v2: ints('v2', 15), v3 };
}

/**
 * Fill `out` (rows from..from + out.length − 1 of the table) from the streams '<name>.<block>', one per block of
 * ROWS_PER_STREAM rows, one draw per row: a range starting inside a block skips the block's earlier draws.
 */
function fillRows<T extends Int32Array | Float64Array>(out: T, from: number, seed: number, name: string, fill: (rng: Prng, out: T) => void): void {
  const skipped = new Uint32Array(1024);
  for (let at = 0; at < out.length; ) {
    const row = from + at;
    const block = Math.floor(row / ROWS_PER_STREAM);
    const rng = streamOf(seed, `${name}.${block}`);
    for (let skip = row - block * ROWS_PER_STREAM; skip > 0; skip -= skipped.length) rng.fill(skipped, 0, Math.min(skip, skipped.length));
    const m = Math.min(out.length - at, (block + 1) * ROWS_PER_STREAM - row);
    fill(rng, out.subarray(at, at + m) as T);
    at += m;
  }
}

/** Set `value` at the column's NULL rows (rows of the whole table) that fall in out's range. */
function setNullRows(out: Int32Array | Float64Array, from: number, nullRows: Int32Array, value: number): void {
  const to = from + out.length;
  for (const row of nullRows) if (row >= from && row < to) out[row - from] = value;
}

/**
 * out[from..to) = a sorted sample of (to − from) uniform draws from 1..n: with E_1..E_{s+1} exponential, the
 * partial sums over their total are the order statistics of s uniforms on (0, 1), and ⌊n·U⌋ + 1 keeps their order.
 */
function sortedUniformSample(out: Int32Array, from: number, to: number, n: number, rng: Prng, raw: Uint32Array, sums: Float64Array): void {
  const size = to - from;
  if (size === 0) return;
  rng.fill(raw, 0, size + 1);
  let total = 0;
  for (let i = 0; i <= size; i++) {
    total += -Math.log(1 - unitOf(raw[i]!));
    sums[i] = total;
  }
  for (let i = 0; i < size; i++) out[from + i] = Math.min(n, 1 + Math.floor((sums[i]! / total) * n));
}

/** Sort every run of rows equal on (id1, id2, id3) — within a piece, equal id3 — by (id4, id5, id6), NULLs first. */
function sortTies(id3: Int32Array, pieceEnds: Int32Array, rest: readonly [Int32Array, Int32Array, Int32Array], k: number, nk: number): void {
  const [id4, id5, id6] = rest;
  const [w5, w6] = [k + 1, nk + 1];
  let packed = new Float64Array(64);
  let pieceStart = 0;
  for (const pieceEnd of pieceEnds) {
    for (let start = pieceStart; start < pieceEnd; ) {
      let end = start + 1;
      while (end < pieceEnd && id3[end] === id3[start]) end++;
      const size = end - start;
      if (size > 1) {
        if (packed.length < size) packed = new Float64Array(size * 2);
        const run = packed.subarray(0, size);
        for (let i = 0; i < size; i++) run[i] = (id4[start + i]! * w5 + id5[start + i]!) * w6 + id6[start + i]!;
        run.sort();
        for (let i = 0; i < size; i++) {
          const v = run[i]!;
          const high = Math.floor(v / w6);
          id6[start + i] = v - high * w6;
          id5[start + i] = high % w5;
          id4[start + i] = Math.floor(high / w5);
        }
      }
      start = end;
    }
    pieceStart = pieceEnd;
  }
}
