// Walker's alias method (Vose's construction): O(n) set-up, then O(1) draws from any discrete distribution.
// Used for Zipf-skewed keys and for every weighted choice (event types, quantities, countries, hours of the day).
import { intOf, type Prng } from './prng.ts';

/**
 * A discrete distribution over 0..n-1 with the given (unnormalised, non-negative) weights.
 * Immutable after construction; draws take the caller's Prng.
 *
 * @example
 * const coin = new AliasTable([3, 1]);   // 0 with probability 0.75, 1 with 0.25
 * const side = coin.sample(rng);
 */
export class AliasTable {
  readonly size: number;
  /** Per slot: the probability of keeping the slot's own index (else its alias); read by hot loops that inline sample. */
  readonly prob: Float64Array;
  readonly alias: Int32Array;
  /** prob × 2^32: a raw 32-bit coin draw u keeps the slot iff u < threshold (exactly unitOf(u) < prob). */
  readonly threshold: Float64Array;

  constructor(weights: ArrayLike<number>) {
    const n = weights.length;
    if (n === 0) throw new Error('an alias table needs at least one weight');
    let total = 0;
    for (let i = 0; i < n; i++) {
      const w = weights[i]!;
      if (!(w >= 0) || !Number.isFinite(w)) throw new Error(`weight ${i} is ${w}; weights must be finite and >= 0`);
      total += w;
    }
    if (!(total > 0)) throw new Error('alias table weights sum to zero');
    this.size = n;
    this.prob = new Float64Array(n);
    this.alias = new Int32Array(n);
    const scaled = new Float64Array(n);
    const small = new Int32Array(n);
    const large = new Int32Array(n);
    let ns = 0;
    let nl = 0;
    for (let i = 0; i < n; i++) {
      scaled[i] = (weights[i]! * n) / total;
      if (scaled[i]! < 1) small[ns++] = i;
      else large[nl++] = i;
    }
    while (ns > 0 && nl > 0) {
      const s = small[--ns]!;
      const l = large[--nl]!;
      this.prob[s] = scaled[s]!;
      this.alias[s] = l;
      scaled[l] = scaled[l]! + scaled[s]! - 1;
      if (scaled[l]! < 1) small[ns++] = l;
      else large[nl++] = l;
    }
    // Leftovers are 1 up to rounding error.
    while (nl > 0) this.prob[large[--nl]!] = 1;
    while (ns > 0) this.prob[small[--ns]!] = 1;
    // Scaling by 2^32 is exact, so comparing u with prob · 2^32 is comparing u · 2^-32 with prob.
    this.threshold = this.prob.map((p) => p * 4294967296);
  }

  /** One draw: an index in [0, size). */
  sample(rng: Prng): number {
    const i = rng.int(this.size);
    return rng.float() < this.prob[i]! ? i : this.alias[i]!;
  }
}

/**
 * What `sample` returns for its two draws, given raw (Prng.fill): the slot intOf(uSlot, size), then the slot or its
 * alias by the coin uCoin. For hot loops that take draws in bulk; written without a branch, because the coin is
 * close to a fair flip for many slots and a mispredicted branch cost a third of the draw.
 *
 * @example
 * rng.fill(u, 0, 2); const index = aliasPick(table, u[0]!, u[1]!); // = table.sample(rng) on the same stream
 */
export function aliasPick(table: AliasTable, uSlot: number, uCoin: number): number {
  const slot = intOf(uSlot, table.size);
  const other = table.alias[slot]!;
  return slot + ((other - slot) & -Number(uCoin >= table.threshold[slot]!));
}

/** Weights of a Zipf distribution over ranks 1..n: rank k has weight 1 / k^exponent. */
export function zipfWeights(n: number, exponent: number): Float64Array {
  const w = new Float64Array(n);
  for (let k = 0; k < n; k++) w[k] = 1 / Math.pow(k + 1, exponent);
  return w;
}
