// Exact per-group integer sums (sum of int32/int64 → int64) without bigint arithmetic in the hot loop: each
// int64 is split into its signed high and unsigned low 32-bit halves, each half is summed in float64 (exact below
// 2^53) and a half that grows past 2^52 spills into a bigint. The result is exact for any input; a sum outside
// the int64 range is an error (the contract forbids silent wrap-around).
import { alloc, type Int64Vec, type Vec } from '../columnar.ts';

const SPILL = 4503599627370496; // 2^52: a float64 accumulator this large spills before it can lose a unit
const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

/** Thrown when an exact integer sum does not fit int64. */
export class SumOverflowError extends Error {
  constructor(what: string) {
    super(`sum(${what}) overflows int64; cast the column to float64 first to sum it approximately`);
  }
}

/**
 * Exact sums of an int32 or int64 vector per group; NULL for groups with no non-NULL values. Only the first
 * `kept` groups are returned.
 * @example sumIntegers(vecFromValues('int64', [2n ** 62n, 2n ** 62n, -1n]), new Int32Array(3), 1, 3, 'x') // int64 2^63-1
 */
export function sumIntegers(arg: Vec, gid: Int32Array, groups: number, n: number, what: string, kept = groups): Int64Vec {
  if (arg.type !== 'int32' && arg.type !== 'int64') throw new Error(`internal: integer sum over ${arg.type}`);
  const lo = new Float64Array(groups);
  const hi = new Float64Array(groups);
  const seen = alloc.uint8(groups);
  let spilled: bigint[] | null = null;
  const spill = (g: number): void => {
    spilled ??= new Array<bigint>(groups).fill(0n);
    spilled[g]! += BigInt(hi[g]!) * 4294967296n + BigInt(lo[g]!);
    hi[g] = 0;
    lo[g] = 0;
  };
  const valid = arg.validity;
  if (arg.type === 'int32') {
    // |int32| < 2^31, so lo stays exact (< 2^52 + 2^31) between spills; hi is unused.
    const v = arg.values;
    for (let i = 0; i < n; i++) {
      if (valid !== null && valid[i] === 0) continue;
      const g = gid[i]!;
      const s = lo[g]! + v[i]!;
      lo[g] = s;
      seen[g] = 1;
      if (s > SPILL || s < -SPILL) spill(g);
    }
  } else {
    // WARNING: assumes a little-endian platform (every platform Node supports today).
    // Little-endian halves of each int64: words[2i] is the low (unsigned) word, words[2i+1] the high (signed) word.
    const words = new Int32Array(arg.values.buffer, arg.values.byteOffset, n * 2);
    for (let i = 0; i < n; i++) {
      if (valid !== null && valid[i] === 0) continue;
      const g = gid[i]!;
      const l = lo[g]! + (words[2 * i]! >>> 0);
      const h = hi[g]! + words[2 * i + 1]!;
      lo[g] = l;
      hi[g] = h;
      seen[g] = 1;
      if (l > SPILL || h > SPILL || h < -SPILL) spill(g);
    }
  }
  // Only the first `kept` groups are results (a trailing discard accumulator is never checked for overflow).
  const out = alloc.int64(kept);
  for (let g = 0; g < kept; g++) {
    if (seen[g] === 0) continue;
    const total = (spilled === null ? 0n : (spilled as bigint[])[g]!) + BigInt(hi[g]!) * 4294967296n + BigInt(lo[g]!);
    if (total > INT64_MAX || total < INT64_MIN) throw new SumOverflowError(what);
    out[g] = total;
  }
  let validity = seen;
  if (kept !== groups) {
    validity = alloc.uint8(kept);
    validity.set(seen.subarray(0, kept));
  }
  return { type: 'int64', values: out, validity };
}
