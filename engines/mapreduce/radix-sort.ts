// The map-side sort: records are ordered by (partition, key bytes, arrival) without a JS comparator. Each record
// becomes one 64-bit word (partition | first key bytes | record number) sorted natively; records whose words tie
// on partition and prefix are finished by a stable MSD radix sort over the remaining key bytes (small buckets by
// insertion sort). Keys compare as memcmp, shorter-is-smaller on a tie.

const SMALL = 48;

/**
 * Sorts `order` (record numbers) in place. `meta` holds 4 ints per record: start, key length, value length,
 * partition; keys live in `kv`.
 * @example const order = Uint32Array.from({ length: n }, (_, i) => i); sortRecords(order, meta, kv, partitions);
 */
export function sortRecords(order: Uint32Array, meta: Int32Array, kv: Uint8Array, partitions: number): void {
  const n = order.length;
  if (n < 2) return;
  const pBits = partitions <= 1 ? 0 : 32 - Math.clz32(partitions - 1);
  const iBits = 32 - Math.clz32(n - 1);
  const prefixBytes = Math.min(6, Math.floor((64 - pBits - iBits) / 8));
  if (prefixBytes >= 1) {
    sortByPrefix(order, meta, kv, pBits, iBits, prefixBytes);
    return;
  }
  radixOnly(order, meta, kv, partitions);
}

/**
 * WARNING: relies on the keys of one job being prefix-free (every key has the same self-delimiting columns),
 * so padding a short key with zero bytes never reorders it against a longer one.
 */
function sortByPrefix(order: Uint32Array, meta: Int32Array, kv: Uint8Array, pBits: number, iBits: number, prefixBytes: number): void {
  const n = order.length;
  const words = new Uint32Array(n * 2);
  const big = new BigUint64Array(words.buffer);
  const pad = 64 - pBits - prefixBytes * 8 - iBits;
  for (let i = 0; i < n; i++) {
    const rec = order[i]!;
    const m = rec * 4;
    const start = meta[m]!;
    const len = meta[m + 1]!;
    // Shift fields into a 64-bit accumulator held as (hi, lo).
    let hi = 0;
    let lo = meta[m + 3]!; // partition (pBits <= 31, so it fits the low word to start with)
    for (let b = 0; b < prefixBytes; b++) {
      const byte = b < len ? kv[start + b]! : 0;
      hi = ((hi << 8) | (lo >>> 24)) >>> 0;
      lo = ((lo << 8) | byte) >>> 0;
    }
    for (let k = 0; k < pad + iBits; k += 16) {
      const bits = Math.min(16, pad + iBits - k);
      hi = ((hi << bits) | (lo >>> (32 - bits))) >>> 0;
      lo = (lo << bits) >>> 0;
    }
    words[2 * i] = (lo | i) >>> 0; // record position in the low iBits (little-endian: low word first)
    words[2 * i + 1] = hi;
  }
  big.sort();
  const mask = iBits >= 32 ? 0xffffffff : (1 << iBits) - 1;
  const sorted = new Uint32Array(n);
  for (let i = 0; i < n; i++) sorted[i] = order[(words[2 * i]! & mask) >>> 0]!;
  order.set(sorted);
  // Finish runs that tie on (partition, prefix) with the radix sort from the first byte after the prefix.
  const tmp = new Uint32Array(n);
  const counts = new Int32Array(257);
  const pool: Int32Array[] = [];
  const lowMask = ~mask >>> 0;
  let runStart = 0;
  for (let i = 1; i <= n; i++) {
    const same = i < n && words[2 * i + 1] === words[2 * i - 1] && ((words[2 * i]! & lowMask) >>> 0) === ((words[2 * i - 2]! & lowMask) >>> 0);
    if (same) continue;
    if (i - runStart > 1) msd(order, tmp, meta, kv, runStart, i, prefixBytes, counts, pool);
    runStart = i;
  }
}

function radixOnly(order: Uint32Array, meta: Int32Array, kv: Uint8Array, partitions: number): void {
  const n = order.length;
  const tmp = new Uint32Array(n);
  // Stable counting sort by partition.
  const starts = new Int32Array(partitions + 1);
  for (let i = 0; i < n; i++) starts[meta[order[i]! * 4 + 3]! + 1]!++;
  for (let p = 0; p < partitions; p++) starts[p + 1]! += starts[p]!;
  const fill = starts.slice(0, partitions);
  for (let i = 0; i < n; i++) tmp[fill[meta[order[i]! * 4 + 3]!]!++] = order[i]!;
  order.set(tmp);
  const counts = new Int32Array(257);
  const pool: Int32Array[] = [];
  for (let p = 0; p < partitions; p++) msd(order, tmp, meta, kv, starts[p]!, starts[p + 1]!, 0, counts, pool);
}

/** Byte `depth` of a record's key, +1; 0 when the key has ended (ended keys sort first). */
function byteAt(meta: Int32Array, kv: Uint8Array, rec: number, depth: number): number {
  return depth < meta[rec * 4 + 1]! ? kv[meta[rec * 4]! + depth]! + 1 : 0;
}

/** `pool[d]` holds the bucket bounds of recursion level d (reused: one allocation per level, not per call). */
function msd(order: Uint32Array, tmp: Uint32Array, meta: Int32Array, kv: Uint8Array, lo: number, hi: number, depth: number, counts: Int32Array, pool: Int32Array[]): void {
  for (;;) {
    const n = hi - lo;
    if (n < 2) return;
    if (n <= SMALL) {
      insertion(order, meta, kv, lo, hi, depth);
      return;
    }
    counts.fill(0);
    for (let i = lo; i < hi; i++) counts[byteAt(meta, kv, order[i]!, depth)]!++;
    // All records share this byte: go one byte deeper without moving anything (common for key prefixes).
    const first = byteAt(meta, kv, order[lo]!, depth);
    if (counts[first] === n) {
      if (first === 0) return; // every key ended: all equal, arrival order stands
      depth++;
      continue;
    }
    while (pool.length <= depth) pool.push(new Int32Array(258 * 2));
    const bounds = pool[depth]!; // [0, 258): bucket starts; [258, 515): fill cursors
    bounds[0] = 0;
    for (let b = 0; b < 257; b++) {
      bounds[b + 1] = bounds[b]! + counts[b]!;
      bounds[258 + b] = bounds[b]!;
    }
    for (let i = lo; i < hi; i++) {
      const rec = order[i]!;
      tmp[lo + bounds[258 + byteAt(meta, kv, rec, depth)]!++] = rec;
    }
    for (let i = lo; i < hi; i++) order[i] = tmp[i]!;
    // Bucket 0 holds keys that ended here: equal, already stable. Recurse into the others.
    for (let b = 1; b < 257; b++) {
      const s = lo + bounds[b]!;
      const e = lo + bounds[b + 1]!;
      if (e - s > 1) msd(order, tmp, meta, kv, s, e, depth + 1, counts, pool);
    }
    return;
  }
}

/** Stable insertion sort comparing keys from byte `depth` on (earlier bytes are equal within a bucket). */
function insertion(order: Uint32Array, meta: Int32Array, kv: Uint8Array, lo: number, hi: number, depth: number): void {
  for (let i = lo + 1; i < hi; i++) {
    const rec = order[i]!;
    let j = i - 1;
    while (j >= lo && greater(meta, kv, order[j]!, rec, depth)) {
      order[j + 1] = order[j]!;
      j--;
    }
    order[j + 1] = rec;
  }
}

/** Whether record a's key is strictly greater than record b's, comparing from byte `depth`. */
function greater(meta: Int32Array, kv: Uint8Array, a: number, b: number, depth: number): boolean {
  const as = meta[a * 4]!;
  const al = meta[a * 4 + 1]!;
  const bs = meta[b * 4]!;
  const bl = meta[b * 4 + 1]!;
  const n = al < bl ? al : bl;
  for (let i = depth; i < n; i++) {
    const d = kv[as + i]! - kv[bs + i]!;
    if (d !== 0) return d > 0;
  }
  return al > bl;
}
