// The map-side sort: records are ordered by (partition, key bytes, arrival) with a stable MSD radix sort over the
// raw key bytes — no comparator calls, so sorting costs a few array passes per key byte instead of n log n JS
// calls. Small buckets finish with an insertion sort. Keys compare as memcmp, shorter-is-smaller on a tie.

const SMALL = 24;

/**
 * Sorts `order` (record numbers) in place. `meta` holds 4 ints per record: start, key length, value length,
 * partition; keys live in `kv`.
 * @example const order = Uint32Array.from({ length: n }, (_, i) => i); sortRecords(order, meta, kv, partitions);
 */
export function sortRecords(order: Uint32Array, meta: Int32Array, kv: Uint8Array, partitions: number): void {
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
  for (let p = 0; p < partitions; p++) msd(order, tmp, meta, kv, starts[p]!, starts[p + 1]!, 0, counts);
}

/** Byte `depth` of a record's key, +1; 0 when the key has ended (ended keys sort first). */
function byteAt(meta: Int32Array, kv: Uint8Array, rec: number, depth: number): number {
  return depth < meta[rec * 4 + 1]! ? kv[meta[rec * 4]! + depth]! + 1 : 0;
}

function msd(order: Uint32Array, tmp: Uint32Array, meta: Int32Array, kv: Uint8Array, lo: number, hi: number, depth: number, counts: Int32Array): void {
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
    const bounds = new Int32Array(258);
    for (let b = 0; b < 257; b++) bounds[b + 1] = bounds[b]! + counts[b]!;
    const fill = bounds.slice(0, 257);
    for (let i = lo; i < hi; i++) {
      const rec = order[i]!;
      tmp[lo + fill[byteAt(meta, kv, rec, depth)]!++] = rec;
    }
    order.set(tmp.subarray(lo, hi), lo);
    // Bucket 0 holds keys that ended here: equal, already stable. Recurse into the others.
    for (let b = 1; b < 257; b++) {
      const s = lo + bounds[b]!;
      const e = lo + bounds[b + 1]!;
      if (e - s > 1) msd(order, tmp, meta, kv, s, e, depth + 1, counts);
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
