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
/** Draws taken per block by the bulk loops: small enough to stay in L1, large enough to amortise a fill. */
const BLOCK = 1024;

/** The float() of one 32-bit draw `u`: uniform in [0, 1). */
export function unitOf(u: number): number {
  return u * INV_TWO_POW_32;
}

/**
 * The int(n) of one 32-bit draw `u`: uniform in [0, n). Hot loops that take their draws in bulk (`Prng.fill`)
 * turn them into values with this and `unitOf`, so a value is the same whichever way its draw was taken.
 *
 * WARNING: every form of this must give the same double as ⌊u · 2^-32 · n⌋ (n may exceed 2^32: user_events draws
 * millisecond offsets in a year). Scaling by 2^-32 is exact, so (u · 2^-32) · n and u · (n · 2^-32) are the same
 * exact product rounded once, the same value; the second lets a loop hoist n · 2^-32.
 */
export function intOf(u: number, n: number): number {
  const r = Math.floor(u * (n * INV_TWO_POW_32));
  return r < n ? r : n - 1;
}

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
  /** Scratch for the bulk draws (fillInt, fillFloat), kept: callers that draw a block at a time allocate nothing. */
  private block: Uint32Array | null = null;

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

  /**
   * The next `to - from` draws of nextU32 into out[from..to), in order. The state stays in local variables for the
   * whole loop (a call per draw keeps it in the object's fields): several times faster per draw.
   */
  fill(out: Uint32Array, from = 0, to = out.length): void {
    let s0 = this.s0;
    let s1 = this.s1;
    let s2 = this.s2;
    let s3 = this.s3;
    for (let i = from; i < to; i++) {
      const m = Math.imul(s1, 5);
      out[i] = Math.imul((m << 7) | (m >>> 25), 9); // a Uint32Array keeps the bit pattern: nextU32's r >>> 0
      const t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
    }
    this.s0 = s0;
    this.s1 = s1;
    this.s2 = s2;
    this.s3 = s3;
  }

  private scratch(): Uint32Array {
    return (this.block ??= new Uint32Array(BLOCK));
  }

  /** out[i] = offset + int(n) for every i in order: the same draws as a loop over int(n), taken in bulk. */
  fillInt(out: Int32Array, n: number, offset = 0): void {
    // Raw draws a block at a time, then converted: two tight loops run faster than one doing both.
    const u = this.scratch();
    const scale = n * INV_TWO_POW_32; // intOf, hoisted
    for (let start = 0; start < out.length; start += BLOCK) {
      const m = Math.min(BLOCK, out.length - start);
      this.fill(u, 0, m);
      for (let k = 0; k < m; k++) {
        const r = Math.floor(u[k]! * scale);
        out[start + k] = offset + (r < n ? r : n - 1);
      }
    }
  }

  /** out[i] = float() for every i in order, taken in bulk. */
  fillFloat(out: Float64Array): void {
    const u = this.scratch();
    for (let start = 0; start < out.length; start += BLOCK) {
      const m = Math.min(BLOCK, out.length - start);
      this.fill(u, 0, m);
      for (let k = 0; k < m; k++) out[start + k] = u[k]! * INV_TWO_POW_32;
    }
  }

  /** Uniform in [0, 1) with 32 bits of resolution (enough for every distribution the generators draw). */
  float(): number {
    return this.nextU32() * INV_TWO_POW_32;
  }

  /** Uniform integer in [0, n) for 1 ≤ n ≤ 2^32 (multiply-shift; the bias is below 2^-32 · n, negligible here). */
  int(n: number): number {
    const r = Math.floor(this.nextU32() * INV_TWO_POW_32 * n); // intOf's value (see there), one call less per draw
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

  /**
   * Gamma variate of shape `a` ≥ 1 and scale 1 (Marsaglia & Tsang 2000: a squeezed rejection from a cubed normal;
   * exact, about 1.05 normals per variate).
   */
  gamma(a: number): number {
    const d = a - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      const x = this.normal();
      const t = 1 + c * x;
      if (t <= 0) continue;
      const v = t * t * t;
      const u = 1 - this.float(); // (0, 1]: log(0) would be -Infinity
      const x2 = x * x;
      if (u < 1 - 0.0331 * x2 * x2 || Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) return d * v;
    }
  }

  /**
   * Binomial variate: successes in n trials of probability p, in O(log n) draws rather than n (Devroye 1986,
   * X.4): the i-th smallest of n uniforms is Beta(i, n + 1 − i); if it is below p, those i trials succeed and the
   * n − i above it are uniform on (x, 1), else the i − 1 below it are uniform on (0, x). Halving n each step, the
   * last few trials are drawn one by one.
   */
  binomial(n: number, p: number): number {
    let count = 0;
    let q = p;
    while (n > 16) {
      if (q <= 0) return count;
      if (q >= 1) return count + n;
      const i = (n + 1) >> 1;
      const a = this.gamma(i);
      const x = a / (a + this.gamma(n + 1 - i)); // Beta(i, n + 1 − i)
      if (x <= q) {
        count += i;
        n -= i;
        q = (q - x) / (1 - x);
      } else {
        n = i - 1;
        q /= x;
      }
    }
    for (let j = 0; j < n; j++) if (this.float() < q) count++;
    return count;
  }

  /** Counts of n draws spread uniformly over `cells` cells (a multinomial), in cell order, via binomials. */
  uniformCounts(n: number, cells: number, out = new Int32Array(cells)): Int32Array {
    let left = n;
    for (let c = 0; c < cells - 1; c++) {
      const x = this.binomial(left, 1 / (cells - c));
      out[c] = x;
      left -= x;
    }
    if (cells > 0) out[cells - 1] = left;
    return out;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Shuffle `a` in place (Fisher–Yates), drawing from `rng`: j = rng.int(i + 1) for i = length − 1 down to 1. */
export function shuffleInPlace(a: Int32Array, rng: Prng): void {
  // Draws are taken in blocks of exactly as many as the remaining swaps use, so the stream ends where a loop of
  // rng.int calls would leave it (callers keep drawing from it).
  const u = new Uint32Array(BLOCK);
  for (let i = a.length - 1; i > 0; ) {
    const m = i < BLOCK ? i : BLOCK;
    rng.fill(u, 0, m);
    for (let k = 0; k < m; k++, i--) {
      const j = intOf(u[k]!, i + 1);
      const t = a[i]!;
      a[i] = a[j]!;
      a[j] = t;
    }
  }
}

/**
 * Mark exactly `k` distinct indices of [0, n) (Floyd's algorithm): O(k) draws.
 * Returns a Uint8Array with 1 at the chosen indices.
 */
export function chooseDistinct(n: number, k: number, rng: Prng): Uint8Array {
  const chosen = new Uint8Array(n);
  const list = chooseDistinctList(n, k, rng);
  for (let i = 0; i < list.length; i++) chosen[list[i]!] = 1;
  return chosen;
}

/**
 * The k indices chooseDistinct marks (the same draws), as a list in the order they are chosen: for callers that
 * act on the chosen rows only, which then cost O(k) instead of a pass over all n. Scratch: one bit per index.
 */
export function chooseDistinctList(n: number, k: number, rng: Prng): Int32Array {
  if (k > n) throw new Error(`cannot choose ${k} distinct indices out of ${n}`);
  const seen = new Uint8Array((n + 7) >> 3); // a bit per index
  const list = new Int32Array(k);
  let count = 0;
  const u = new Uint32Array(BLOCK);
  for (let j = n - k; j < n; ) {
    const m = n - j < BLOCK ? n - j : BLOCK;
    rng.fill(u, 0, m);
    for (let q = 0; q < m; q++, j++) {
      const t = intOf(u[q]!, j + 1);
      // Floyd: t if it is new, else j (never chosen before: earlier steps chose indices below j).
      const pick = seen[t >> 3]! & (1 << (t & 7)) ? j : t;
      seen[pick >> 3]! |= 1 << (pick & 7);
      list[count++] = pick;
    }
  }
  return list;
}
