// The k-way merge of sorted segments (spills inside a map task, map outputs inside a reducer), as Hadoop's
// Merger, ordered by key bytes with ties broken by segment number, so the merge is stable and a record's position
// in the output does not depend on how many spills happened. A tournament tree of losers replays one leaf-to-root
// path per record (log2 k comparisons, a binary heap's sift-down takes up to twice that), and each segment's key
// prefix sits in a typed array, so most comparisons are one number against another.
import { compareBytes } from './bytes.ts';
import type { SegmentReader } from './segment.ts';

/**
 * Calls `onRecord` for every record of every segment in key order.
 * @example mergeSegments([new SegmentReader(a, 0, a.length), new SegmentReader(b, 0, b.length)], (r) => ...)
 */
export function mergeSegments(readers: readonly SegmentReader[], onRecord: (r: SegmentReader) => void): void {
  const k = readers.length;
  if (k === 0) return;
  // Current key prefix of each segment (Infinity once it is exhausted) and key length, cached from its reader.
  const prefix = new Float64Array(k);
  const length = new Int32Array(k);
  const advance = (s: number): void => {
    const r = readers[s]!;
    if (r.next()) {
      prefix[s] = r.prefix;
      length[s] = r.ke - r.ks;
    } else {
      prefix[s] = Number.POSITIVE_INFINITY;
    }
  };
  /** Whether segment a's current record goes before segment b's (exhausted segments go last). */
  const before = (a: number, b: number): boolean => {
    const pa = prefix[a]!;
    const pb = prefix[b]!;
    if (pa !== pb) return pa < pb;
    if (pa === Number.POSITIVE_INFINITY) return a < b;
    const la = length[a]!;
    const lb = length[b]!;
    // Equal prefixes of keys no longer than the prefix: the shorter key is the smaller.
    if (la <= 6 && lb <= 6) return la < lb || (la === lb && a < b);
    const ra = readers[a]!;
    const rb = readers[b]!;
    const c = compareBytes(ra.buf, ra.ks, ra.ke, rb.buf, rb.ks, rb.ke);
    return c < 0 || (c === 0 && a < b);
  };
  for (let s = 0; s < k; s++) advance(s);
  // tree[1..k) holds the loser of each match (leaves are segments k..2k-1 in a complete tree); tree[0] the winner.
  const tree = new Int32Array(Math.max(1, k));
  const winners = new Int32Array(2 * k);
  for (let s = 0; s < k; s++) winners[k + s] = s;
  for (let node = k - 1; node >= 1; node--) {
    const a = winners[2 * node]!;
    const b = winners[2 * node + 1]!;
    if (before(a, b)) {
      winners[node] = a;
      tree[node] = b;
    } else {
      winners[node] = b;
      tree[node] = a;
    }
  }
  let top = k === 1 ? 0 : winners[1]!;
  while (prefix[top] !== Number.POSITIVE_INFINITY) {
    onRecord(readers[top]!);
    advance(top);
    // Replay the path from the leaf of `top` to the root: at each match the stored loser may beat the candidate.
    let candidate = top;
    for (let node = (k + top) >> 1; node >= 1; node >>= 1) {
      const loser = tree[node]!;
      if (before(loser, candidate)) {
        tree[node] = candidate;
        candidate = loser;
      }
    }
    top = candidate;
  }
}
