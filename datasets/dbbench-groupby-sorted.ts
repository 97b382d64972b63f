// db-benchmark's sorted group-by keys, generated in their final order (dbbench_groupby revision 3) instead of drawn
// and then sorted. The six key columns are independent, each an exchangeable sequence (iid draws with a uniformly
// random set of exactly m NULL rows), so the sorted table's distribution can be built level by level:
//   1. id1 — m NULLs and N − m draws, counted per code: the run lengths of the sorted column.
//   2. id2 — laid out in id1's sorted order (any fixed order of an exchangeable column will do) and counted per
//      (id1, id2) pair: the pieces of the table, in key order.
//   3. id3 — its NULL rows placed uniformly over the final positions, so each piece gets its share (jointly
//      hypergeometric, as a sort would give); they go first in the piece, and the rest of the piece is a sorted
//      sample of uniform draws, made directly from exponential spacings (the order statistics of n uniforms are the
//      normalised partial sums of n + 1 exponentials), without sorting.
//   4. id4..id6 — drawn per row in final order, then every run of rows equal on (id1, id2, id3) is sorted by them.
// Each step only assigns independent, exchangeable draws to positions and sorts within runs of equal leading keys,
// which is what a full sort of drawn rows yields in distribution. test/datasets/dbbench.test.ts checks the order,
// the NULL counts and the columns' distributions against unsorted data.
import { chooseDistinct, chooseDistinctList, intOf, Prng, unitOf } from './prng.ts';

/** id1..id3 in sorted order, and where each (id1, id2) piece ends. */
export interface LeadingKeys {
  readonly id1: Int32Array;
  readonly id2: Int32Array;
  readonly id3: Int32Array;
  /** Piece p holds rows pieceEnds[p - 1]..pieceEnds[p] - 1 (one piece per non-empty pair, in key order). */
  readonly pieceEnds: readonly number[];
}

/** Whether the keys can be generated in order: one count per (id1, id2) pair, so at most as many pairs as rows. */
export function sortedInOrder(rows: number, k: number): boolean {
  return (k + 1) ** 2 <= rows;
}

/**
 * Steps 1–3: id1..id3 in sorted order (0 = NULL; id1 and id2 in the order of `codeOfRank`, their labels' byte
 * order). Both threads run it (the helper writes their strings, this thread sorts id4..id6 by the pieces).
 */
export function sortedLeadingKeys(rows: number, seed: number, k: number, nk: number, naPct: number, codeOfRank: Int32Array): LeadingKeys {
  const width = k + 1;
  const nNa = Math.floor((rows * naPct) / 100);
  const stream = (name: string) => Prng.stream(seed, `dbbench_groupby.sorted.${name}`);
  const nullRows = (name: string): Uint8Array | null => (nNa > 0 ? chooseDistinct(rows, nNa, stream(`na.${name}`)) : null);
  const draws = new Uint32Array(1024);

  // 1. id1: NULLs first, then each code's count, in string order (codeOfRank).
  const count1 = new Int32Array(width);
  count1[0] = nNa;
  {
    const rng = stream('id1');
    for (let left = rows - nNa; left > 0; ) {
      const m = Math.min(draws.length, left);
      rng.fill(draws, 0, m);
      for (let i = 0; i < m; i++) count1[1 + intOf(draws[i]!, k)]!++;
      left -= m;
    }
  }

  // 2. id2 over id1's runs: pair counts, indexed [rank of id1][code of id2].
  const pairs = new Int32Array(width * width);
  {
    // Per id1 run: its id2 NULLs, then one draw per other row, taken in row order (so the stream is consumed as a
    // draw per non-NULL row would consume it; which row gets which code does not matter, only the counts).
    const rng = stream('id2');
    const isNull = nullRows('id2');
    let taken = draws.length;
    for (let r1 = 0, row = 0; r1 < width; r1++) {
      const end = row + count1[codeOfRank[r1]!]!;
      let nulls = 0;
      if (isNull) for (let r = row; r < end; r++) nulls += isNull[r]!;
      const base = r1 * width;
      pairs[base] = pairs[base]! + nulls;
      for (let left = end - row - nulls; left > 0; ) {
        if (taken === draws.length) {
          rng.fill(draws);
          taken = 0;
        }
        const m = Math.min(left, draws.length - taken);
        for (let i = taken; i < taken + m; i++) pairs[base + 1 + intOf(draws[i]!, k)]!++;
        taken += m;
        left -= m;
      }
      row = end;
    }
  }
  const [id1, id2, id3] = [new Int32Array(rows), new Int32Array(rows), new Int32Array(rows)];
  // Piece p holds rows pieceEnds[p - 1]..pieceEnds[p] - 1 (one piece per non-empty pair, in key order).
  const pieceEnds: number[] = [];
  let largest = 0;
  for (let r1 = 0, row = 0; r1 < width; r1++) {
    for (let r2 = 0; r2 < width; r2++) {
      const size = pairs[r1 * width + codeOfRank[r2]!]!;
      if (size === 0) continue;
      id1.fill(codeOfRank[r1]!, row, row + size);
      id2.fill(codeOfRank[r2]!, row, row + size);
      row += size;
      pieceEnds.push(row);
      largest = Math.max(largest, size);
    }
  }

  // 3. id3 per piece: its NULL rows first, then a sorted uniform sample of 1..nk.
  {
    const rng = stream('id3');
    const isNull = nullRows('id3');
    const [raw, sums] = [new Uint32Array(largest + 1), new Float64Array(largest + 1)];
    let start = 0;
    for (const end of pieceEnds) {
      let nulls = 0;
      if (isNull) for (let row = start; row < end; row++) nulls += isNull[row]!;
      sortedUniformSample(id3, start + nulls, end, nk, rng, raw, sums);
      start = end;
    }
  }

  return { id1, id2, id3, pieceEnds };
}

/** Step 4: id4..id6 drawn in place with their NULL rows, then each run equal on id1..id3 sorted by them. */
export function sortedTrailingKeys(lead: LeadingKeys, seed: number, k: number, nk: number, naPct: number): [Int32Array, Int32Array, Int32Array] {
  const rows = lead.id1.length;
  const nNa = Math.floor((rows * naPct) / 100);
  const stream = (name: string) => Prng.stream(seed, `dbbench_groupby.sorted.${name}`);
  const rest = ([[k, 'id4'], [k, 'id5'], [nk, 'id6']] as const).map(([n, name]) => {
    const codes = new Int32Array(rows);
    stream(name).fillInt(codes, n, 1);
    if (nNa > 0) for (const row of chooseDistinctList(rows, nNa, stream(`na.${name}`))) codes[row] = 0;
    return codes;
  }) as [Int32Array, Int32Array, Int32Array];
  sortTies(lead.id3, lead.pieceEnds, rest, k, nk);
  return rest;
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
function sortTies(id3: Int32Array, pieceEnds: readonly number[], rest: readonly [Int32Array, Int32Array, Int32Array], k: number, nk: number): void {
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
