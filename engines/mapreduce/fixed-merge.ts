// The reducer's merge for fixed-width jobs (fixed-width.ts): the fetched segments lie back to back in one buffer,
// each run's current record is parsed into typed arrays indexed by run (its key as two 6-byte big-endian numbers,
// where its key and value sit), and a tree of losers merges the runs comparing numbers only. Keys of at most 12 bytes that are prefix-free
// (every key of a job has the same self-delimiting columns) compare as their zero-padded numbers exactly as memcmp
// compares their bytes. Ties go in run (map task) order, as in merge.ts, so the merge is stable.

/** A run: the records [offset, offset + length) of the shared buffer, holding `records` records. */
export interface RunBounds {
  readonly offset: number;
  readonly length: number;
  readonly records: number;
}

/** 6 bytes of `buf` from `at` as a big-endian number, bytes at or past `end` read as zero. */
function sixBytes(buf: Uint8Array, at: number, end: number): number {
  let x = 0;
  for (let i = at; i < at + 6; i++) x = x * 256 + (i < end ? buf[i]! : 0);
  return x;
}

/** Plays the first round of a tree of losers over runs 0..k-1: fills losers[1..k), returns the winner. */
function playTree(k: number, losers: Int32Array, before: (a: number, b: number) => boolean): number {
  const winners = new Int32Array(2 * k);
  for (let s = 0; s < k; s++) winners[k + s] = s;
  for (let node = k - 1; node >= 1; node--) {
    const a = winners[2 * node]!;
    const b = winners[2 * node + 1]!;
    const aFirst = before(a, b);
    winners[node] = aFirst ? a : b;
    losers[node] = aFirst ? b : a;
  }
  return k === 1 ? 0 : winners[1]!;
}

/**
 * A k-way merge of fixed-width runs. Each run's current record sits in typed arrays indexed by run (its key as
 * numbers, where its key and value are), so a comparison reads two numbers from arrays of k entries. An exhausted
 * run's key is +Infinity: the tree needs no end-of-run test, and the merge is over when the winner is exhausted.
 * @example new FixedMerge(buf, [{ offset: 0, length: buf.length, records: 3 }], 5).run((s) => ...)
 */
export class FixedMerge {
  /** Bytes 0..5 of each run's current key, zero-padded, as one number (+Infinity: exhausted). */
  readonly hi: Float64Array;
  /** Bytes 6..11 (zero for keys of at most 6 bytes). */
  readonly lo: Float64Array;
  readonly keyStart: Int32Array;
  readonly keyEnd: Int32Array;
  /** The value is [keyEnd + 1, valueEnd): fixed-width lengths are below 128, one varint byte each. */
  readonly valueEnd: Int32Array;
  /**
   * hi + run number, when hi's zero padding leaves room for the run number (keys of at most 5 bytes, at most
   * 256 runs): one number that orders records by key and then run, so a match is a single comparison.
   */
  private readonly rank: Float64Array | null;
  private readonly left: Float64Array;
  private readonly end: Int32Array;
  private readonly wide: boolean;

  constructor(
    readonly buf: Buffer,
    private readonly runs: readonly RunBounds[],
    private readonly keyBytes: number,
  ) {
    const k = runs.length;
    this.hi = new Float64Array(k);
    this.lo = new Float64Array(k);
    this.keyStart = new Int32Array(k);
    this.keyEnd = new Int32Array(k);
    this.valueEnd = new Int32Array(k);
    this.left = new Float64Array(k);
    this.end = new Int32Array(k);
    this.wide = keyBytes > 6;
    this.rank = keyBytes <= 5 && k <= 256 ? new Float64Array(k) : null;
    for (let s = 0; s < k; s++) {
      this.valueEnd[s] = runs[s]!.offset;
      this.end[s] = runs[s]!.offset + runs[s]!.length;
      this.left[s] = runs[s]!.records;
    }
  }

  /** Moves run s to its next record, or marks it exhausted. */
  private advance(s: number): void {
    const pos = this.valueEnd[s]!;
    const buf = this.buf;
    if (this.left[s] === 0) {
      if (pos !== this.end[s]) throw new Error(`map output segment ${s} holds more than its ${this.runs[s]!.records} records`);
      this.hi[s] = Number.POSITIVE_INFINITY;
      this.lo[s] = 0;
      if (this.rank !== null) this.rank[s] = Number.POSITIVE_INFINITY;
      return;
    }
    this.left[s]!--;
    const ks = pos + 1;
    const ke = ks + buf[pos]!;
    const vl = buf[ke]!;
    if (ke - ks > this.keyBytes || vl >= 0x80 || ke + 1 + vl > this.end[s]!) throw new Error(`map output segment ${s} is not a fixed-width run of ${this.keyBytes}-byte keys`);
    const hi = sixBytes(buf, ks, ke);
    this.hi[s] = hi;
    if (this.rank !== null) this.rank[s] = hi + s;
    if (this.wide) this.lo[s] = sixBytes(buf, ks + 6, ke);
    this.keyStart[s] = ks;
    this.keyEnd[s] = ke;
    this.valueEnd[s] = ke + 1 + vl;
  }

  /**
   * Calls `onRecord(s)` for every record in key order, `s` the run whose current record it is (ties: lower run
   * first). losers[1..k) holds the loser of each match of the tree; the leaf of run s is node k + s.
   */
  run(onRecord: (s: number) => void): void {
    const k = this.runs.length;
    if (k === 0) return;
    for (let s = 0; s < k; s++) this.advance(s);
    if (this.rank !== null) this.runRanked(this.rank, onRecord);
    else this.runGeneral(onRecord);
  }

  /** The merge on ranks: one comparison per match, the candidate's rank kept in a local. */
  private runRanked(rank: Float64Array, onRecord: (s: number) => void): void {
    const k = this.runs.length;
    const losers = new Int32Array(k);
    let top = playTree(k, losers, (a, b) => rank[a]! < rank[b]! || (rank[a] === rank[b] && a < b));
    while (rank[top] !== Number.POSITIVE_INFINITY) {
      onRecord(top);
      this.advance(top);
      let candidate = top;
      let r = rank[top]!;
      for (let node = (k + top) >> 1; node >= 1; node >>= 1) {
        const loser = losers[node]!;
        const lr = rank[loser]!;
        // Exhausted runs tie at +Infinity; whichever wins then, the merge is over.
        const swap = lr < r;
        losers[node] = swap ? candidate : loser;
        candidate = swap ? loser : candidate;
        r = swap ? lr : r;
      }
      top = candidate;
    }
  }

  private runGeneral(onRecord: (s: number) => void): void {
    const k = this.runs.length;
    const { hi, lo, wide } = this;
    const before = (a: number, b: number): boolean => {
      const p = hi[a]!;
      const q = hi[b]!;
      if (p !== q) return p < q;
      if (wide) {
        const p1 = lo[a]!;
        const q1 = lo[b]!;
        if (p1 !== q1) return p1 < q1;
      }
      return a < b;
    };
    const losers = new Int32Array(k);
    let top = playTree(k, losers, before);
    while (hi[top] !== Number.POSITIVE_INFINITY) {
      onRecord(top);
      this.advance(top);
      let candidate = top;
      for (let node = (k + top) >> 1; node >= 1; node >>= 1) {
        const loser = losers[node]!;
        if (before(loser, candidate)) {
          losers[node] = candidate;
          candidate = loser;
        }
      }
      top = candidate;
    }
  }
}
