// The seeded pseudo-random number generator every generator draws from: xoshiro128** over 32-bit integers,
// seeded through splitmix32. One independent stream per (seed, label), so each column has its own sequence and
// changing how one column is drawn never shifts the values of another.

/** FNV-1a over the UTF-16 code units of a label: a stable 32-bit name for a stream. */
function fnv1a32(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** splitmix32: one step of a counter-based mixer, used only to spread a seed over xoshiro's 128 bits of state. */
function splitmix32(state: number): number {
  let t = (state + 0x9e3779b9) | 0;
  t = Math.imul(t ^ (t >>> 16), 0x21f0aaad);
  t = Math.imul(t ^ (t >>> 15), 0x735a2d97);
  return (t ^ (t >>> 15)) >>> 0;
}

const TWO_POW_32 = 4294967296;
const INV_TWO_POW_32 = 1 / TWO_POW_32;

/**
 * xoshiro128** (Blackman & Vigna): fast, 2^128 − 1 period, good statistical quality for simulation.
 * WARNING: never use Math.random anywhere in a generator; every random draw must come from a Prng so that the same
 * seed gives byte-identical data.
 *
 * @example
 * const rng = Prng.stream(42, 'user_events.user_id');
 * const userId = 1 + rng.int(10_000); // uniform in 1..10000
 */
export class Prng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare = 0;
  private hasSpare = false;

  private constructor(s0: number, s1: number, s2: number, s3: number) {
    this.s0 = s0 | 0;
    this.s1 = s1 | 0;
    this.s2 = s2 | 0;
    this.s3 = s3 | 0;
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // the all-zero state is a fixed point
  }

  /** The stream named `label` of the run seeded with `seed` (a non-negative integer up to 2^53). */
  static stream(seed: number, label: string): Prng {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`seed must be a non-negative integer, got ${seed}`);
    const lo = seed % TWO_POW_32;
    const hi = Math.floor(seed / TWO_POW_32);
    let x = splitmix32(lo ^ splitmix32(hi ^ fnv1a32(label)));
    const s: number[] = [];
    for (let i = 0; i < 4; i++) {
      x = splitmix32(x + i);
      s.push(x);
    }
    return new Prng(s[0]!, s[1]!, s[2]!, s[3]!);
  }

  /** The next 32 random bits as an unsigned integer in [0, 2^32). */
  nextU32(): number {
    const s1 = this.s1;
    const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return r >>> 0;
  }

  /** Uniform in [0, 1) with 32 bits of resolution (enough for every distribution the generators draw). */
  float(): number {
    return this.nextU32() * INV_TWO_POW_32;
  }

  /** Uniform integer in [0, n) for 1 ≤ n ≤ 2^32 (multiply-shift; the bias is below 2^-32 · n, negligible here). */
  int(n: number): number {
    const r = Math.floor(this.nextU32() * INV_TWO_POW_32 * n);
    return r < n ? r : n - 1;
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.nextU32() * INV_TWO_POW_32 < p;
  }

  /**
   * Standard normal variate (Box–Muller; the pair's second value is kept for the next call, halving the cost).
   * V8's Math.log/sin/cos are fdlibm ports, so the values are the same on every platform.
   */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    const r = Math.sqrt(-2 * Math.log(1 - this.float())); // 1 - u is in (0, 1]: log(0) would be -Infinity
    const theta = 2 * Math.PI * this.float();
    this.spare = r * Math.sin(theta);
    this.hasSpare = true;
    return r * Math.cos(theta);
  }

  /** Exponential variate with the given mean. */
  exponential(mean: number): number {
    return -Math.log(1 - this.float()) * mean;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Shuffle `a` in place (Fisher–Yates), drawing from `rng`. */
export function shuffleInPlace(a: Int32Array, rng: Prng): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
}

/**
 * Mark exactly `k` distinct indices of [0, n) (Floyd's algorithm): O(k) draws, one byte of scratch per index.
 * Returns a Uint8Array with 1 at the chosen indices.
 */
export function chooseDistinct(n: number, k: number, rng: Prng): Uint8Array {
  if (k > n) throw new Error(`cannot choose ${k} distinct indices out of ${n}`);
  const chosen = new Uint8Array(n);
  for (let j = n - k; j < n; j++) {
    const t = rng.int(j + 1);
    if (chosen[t]) chosen[j] = 1;
    else chosen[t] = 1;
  }
  return chosen;
}
