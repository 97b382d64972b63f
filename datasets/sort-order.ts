// The stable multi-column sort of small non-negative integer codes behind db-benchmark's `sorted` option, done in
// place: one counting pass on a top key spreads the rows over buckets, then each bucket is sorted while in cache.

/**
 * The permutation that sorts rows by `keys[0]`, then `keys[1]`, ...; each key is an Int32Array of codes in
 * [0, max] whose numeric order is the wanted order (generators map NULL to 0 to put NULLs first, as R's setkey does).
 * Stable: rows with equal keys keep their order. The keys are left as they are.
 *
 * @example
 * sortOrder([new Int32Array([2, 1, 2]), new Int32Array([0, 5, 1])]) // Int32Array [1, 0, 2]
 */
export function sortOrder(keys: readonly Int32Array[]): Int32Array {
  const order = new Int32Array(keys[0]?.length ?? 0);
  for (let i = 0; i < order.length; i++) order[i] = i;
  sortRowsInPlace(keys.map((key) => key.slice()), [order]);
  return order;
}

const TWO_POW_53 = 2 ** 53;
/** Most buckets of the counting pass: its counts stay in cache (512 KiB) and buckets stay small. */
const MAX_BUCKETS = 1 << 17;
/** Runs up to this size are sorted by insertion, larger ones by merging such runs. */
const INSERTION_MAX = 16;

/**
 * How the keys split into a top key (the counting pass) and a secondary key (the sort within a bucket): keys
 * 0..whole-1 whole, then the high bits of key `whole` (above `shift`) go to the top; the low bits of key `whole` and
 * every later key form the secondary key, one exact double (below 2^53).
 */
interface SortPlan {
  readonly whole: number;
  readonly shift: number;
  /** Values of keys[whole] >> shift (1 when every key is whole). */
  readonly high: number;
  readonly buckets: number;
  /** Secondary keys lie in [0, secondaryRange). */
  readonly secondaryRange: number;
}

function planSort(ranges: readonly number[], rows: number): SortPlan | null {
  const maxBuckets = Math.max(256, Math.min(MAX_BUCKETS, rows >> 3)); // small inputs: about 8 rows a bucket
  let top = 1;
  let whole = 0;
  while (whole < ranges.length && top * ranges[whole]! <= maxBuckets) top *= ranges[whole++]!;
  if (whole === ranges.length) return { whole, shift: 0, high: 1, buckets: top, secondaryRange: 1 };
  const room = Math.floor(maxBuckets / top);
  const range = ranges[whole]!;
  let shift = 0;
  while (Math.ceil(range / 2 ** shift) > room) shift++;
  let secondaryRange = 2 ** shift;
  for (let k = whole + 1; k < ranges.length; k++) secondaryRange *= ranges[k]!;
  if (secondaryRange > TWO_POW_53) return null;
  const high = Math.ceil(range / 2 ** shift);
  return { whole, shift, high, buckets: top * high, secondaryRange };
}

/**
 * Sort rows by `keys` (as sortOrder) in place: afterwards each key column and each `values` column is in sorted
 * order. Pass an identity column as a value to learn the order. `codeRanges[k]`, if given, is a bound the caller
 * knows (every code of key k is below it: K + 1 for codes 0..K); it saves the pass that finds each key's maximum,
 * and a code outside it is an error.
 *
 * One counting pass on a top key (the leading keys, then the high bits of the next) finds each row's place in its
 * bucket and moves its secondary key (the rest, packed into a double) there; each bucket (tens of rows) is then
 * sorted on its own while in cache; the key columns are decoded from bucket numbers and secondary keys, and each
 * value column is written to the bucket places and read back in bucket order. So every pass over the rows reads
 * sequentially and stores into ~10^5 bucket streams. An LSD sort instead makes one counting pass per key, each
 * storing at random, plus a random scatter per column: for db-benchmark's six group-by keys and three value
 * columns at 5e6 rows that was most of the generator's time. Keys too wide to pack into one exact double fall back
 * to LSD counting passes.
 *
 * @example
 * const id = new Int32Array([2, 1, 2]), v = new Float64Array([0.5, 1.5, 2.5]);
 * sortRowsInPlace([id], [v]); // id = [1, 2, 2], v = [1.5, 0.5, 2.5]
 */
export function sortRowsInPlace(keys: readonly Int32Array[], values: readonly (Int32Array | Float64Array)[] = [], codeRanges?: readonly number[]): void {
  const n = keys[0]?.length ?? 0;
  if (codeRanges && codeRanges.length !== keys.length) throw new Error(`${codeRanges.length} code ranges for ${keys.length} sort keys`);
  for (const [k, key] of keys.entries()) if (key.length !== n) throw new Error(`sort key ${k} has ${key.length} rows, expected ${n}`);
  for (const v of values) if (v.length !== n) throw new Error(`value column has ${v.length} rows, expected ${n}`);
  // Given ranges save a pass per key; each code is then checked where the sort reads it.
  const ranges = codeRanges ? codeRanges.map((r) => Math.min(2 ** 31, Math.max(1, Math.ceil(r)))) : keys.map((key, k) => rangeOf(key, k));
  const plan = planSort(ranges, n);
  if (!plan) {
    if (codeRanges) keys.forEach((key, k) => checkCodes(key, k, ranges[k]!));
    const order = countingSortOrder(fuseKeys(keys, ranges));
    for (const c of [...keys, ...values]) {
      if (c instanceof Int32Array) c.set(permute(c, order));
      else c.set(permute(c, order));
    }
    return;
  }
  const { whole, shift, high, buckets } = plan;

  // The top key: keys[0..whole) in mixed radix, then the high bits of keys[whole]; its histogram on the last pass.
  const top = new Int32Array(n);
  const starts = new Int32Array(buckets + 1);
  const split = whole < keys.length ? keys[whole]! : null;
  for (let k = 0; k < whole; k++) {
    const key = keys[k]!;
    const r = ranges[k]!;
    const last = k === whole - 1 && !split;
    for (let i = 0; i < n; i++) {
      const v = key[i]!;
      if (v >>> 0 >= r) throw badCode(k, v, r);
      const t = top[i]! * r + v;
      top[i] = t;
      if (last) starts[t + 1]!++;
    }
  }
  if (split) {
    const r = ranges[whole]!;
    for (let i = 0; i < n; i++) {
      const v = split[i]!;
      if (v >>> 0 >= r) throw badCode(whole, v, r);
      const t = top[i]! * high + (v >> shift);
      top[i] = t;
      starts[t + 1]!++;
    }
  }

  // Bucket starts, then the counting pass: each row's place, and its secondary key moved there.
  for (let b = 1; b <= buckets; b++) starts[b]! += starts[b - 1]!;
  const next = starts.slice(0, buckets);
  const place = new Int32Array(n);
  const secondary = split ? secondaryKeys(keys, ranges, whole, shift) : null;
  const secondaryAt = split ? new Float64Array(n) : null;
  if (secondary && secondaryAt) {
    for (let i = 0; i < n; i++) {
      const at = next[top[i]!]!++;
      place[i] = at;
      secondaryAt[at] = secondary[i]!;
    }
  } else {
    for (let i = 0; i < n; i++) place[i] = next[top[i]!]!++;
  }

  // from[i]: the bucket place whose row ends at position i (none when the buckets are already final).
  let from: Int32Array | null = null;
  if (secondaryAt) {
    from = top; // free now; sortBuckets sets it
    sortBuckets(starts, secondaryAt, from, 1 / plan.secondaryRange);
  }

  // Value columns: to the bucket places in row order, then back in sorted order (both passes read sequentially).
  let int32Scratch: Int32Array | null = null;
  let float64Scratch: Float64Array | null = secondary; // free now
  for (const v of values) {
    if (v instanceof Int32Array) {
      int32Scratch ??= new Int32Array(n);
      moveInt32(v, place, from, int32Scratch);
    } else {
      float64Scratch ??= new Float64Array(n);
      moveFloat64(v, place, from, float64Scratch);
    }
  }

  // Keys, decoded into their own columns: the whole keys and the split key's high bits are the bucket's; the rest is
  // in the secondary key.
  for (let b = 0; b < buckets; b++) {
    const s = starts[b]!;
    const e = starts[b + 1]!;
    if (s === e) continue;
    let rest = b;
    if (split) {
      const highBits = rest % high;
      rest = (rest - highBits) / high;
      split.fill(highBits * 2 ** shift, s, e); // decodeSecondary adds the low bits
    }
    for (let k = whole - 1; k >= 0; k--) {
      const r = ranges[k]!;
      const v = rest % r;
      rest = (rest - v) / r;
      keys[k]!.fill(v, s, e);
    }
  }
  if (secondaryAt) decodeSecondary(secondaryAt, keys, ranges, whole);
}

function moveInt32(v: Int32Array, place: Int32Array, from: Int32Array | null, scratch: Int32Array): void {
  for (let i = 0; i < v.length; i++) scratch[place[i]!] = v[i]!;
  if (!from) v.set(scratch);
  else for (let i = 0; i < v.length; i++) v[i] = scratch[from[i]!]!;
}

function moveFloat64(v: Float64Array, place: Int32Array, from: Int32Array | null, scratch: Float64Array): void {
  for (let i = 0; i < v.length; i++) scratch[place[i]!] = v[i]!;
  if (!from) v.set(scratch);
  else for (let i = 0; i < v.length; i++) v[i] = scratch[from[i]!]!;
}

/** max + 1 of a key column, after checking that no code is negative. */
function rangeOf(key: Int32Array, k: number): number {
  let max = 0;
  for (let i = 0; i < key.length; i++) {
    const v = key[i]!;
    if (v < 0) throw badCode(k, v, Infinity);
    if (v > max) max = v;
  }
  return max + 1;
}

function checkCodes(key: Int32Array, k: number, range: number): void {
  for (let i = 0; i < key.length; i++) if (key[i]! >>> 0 >= range) throw badCode(k, key[i]!, range);
}

function badCode(k: number, code: number, range: number): Error {
  return new Error(code < 0 ? `sort key ${k} has negative code ${code}` : `sort key ${k} has code ${code}, outside its declared range 0..${range - 1}`);
}

/** Per row, the secondary key: the low `shift` bits of keys[whole], then keys[whole+1..] in mixed radix. */
function secondaryKeys(keys: readonly Int32Array[], ranges: readonly number[], whole: number, shift: number): Float64Array {
  const n = keys[0]!.length;
  const low = new Float64Array(n);
  const split = keys[whole]!;
  const mask = 2 ** shift - 1;
  for (let i = 0; i < n; i++) low[i] = split[i]! & mask; // codes checked on the top key's pass
  for (let k = whole + 1; k < keys.length; k++) {
    const key = keys[k]!;
    const r = ranges[k]!;
    for (let i = 0; i < n; i++) {
      const v = key[i]!;
      if (v >>> 0 >= r) throw badCode(k, v, r);
      low[i] = low[i]! * r + v;
    }
  }
  return low;
}

/**
 * Sort each bucket's secondary keys stably (within a bucket rows arrive in increasing order, so a tie keeps the
 * earlier row first), setting from[i] to the place the key at i came from. `scale` is 1 / (the keys' range).
 */
function sortBuckets(starts: Int32Array, secondary: Float64Array, from: Int32Array, scale: number): void {
  const buckets = starts.length - 1;
  let scratch = new SortScratch(64);
  for (let b = 0; b < buckets; b++) {
    const s = starts[b]!;
    const e = starts[b + 1]!;
    for (let i = s; i < e; i++) from[i] = i;
    const len = e - s;
    if (len <= 1) continue;
    if (len <= INSERTION_MAX) {
      insertionSort(secondary, from, s, e);
      continue;
    }
    if (len > scratch.keys.length) scratch = new SortScratch(Math.max(len, scratch.keys.length * 2));
    if (!spreadSort(secondary, from, s, e, scale, scratch)) mergeSort(secondary, from, s, e, scratch.keys, scratch.from);
  }
}

/** Per-bucket working arrays, reused from bucket to bucket. */
class SortScratch {
  readonly keys: Float64Array;
  readonly from: Int32Array;
  readonly slot: Int32Array;
  readonly counts: Int32Array;
  constructor(size: number) {
    this.keys = new Float64Array(size);
    this.from = new Int32Array(size);
    this.slot = new Int32Array(size);
    this.counts = new Int32Array(size + 1);
  }
}

/** A slot holding more keys than this sends the bucket to mergeSort: insertion within slots stays O(len). */
const CROWDED_SLOT = 32;

/**
 * Sort keys[s..e) (with `from`) by spreading them over `len` slots by value (slot = ⌊key · scale · len⌋, monotone
 * in the key), stably, then insertion-sorting what is left out of order within slots. Secondary keys of generated
 * data are spread evenly, so a slot holds about one key and the whole bucket costs a few passes over it; if some
 * slot is crowded (clustered keys), returns false having changed nothing.
 */
function spreadSort(keys: Float64Array, from: Int32Array, s: number, e: number, scale: number, scratch: SortScratch): boolean {
  const len = e - s;
  const { counts, slot } = scratch;
  const f = scale * len;
  for (let q = 0; q <= len; q++) counts[q] = 0;
  let crowded = 0;
  for (let i = s; i < e; i++) {
    let q = Math.floor(keys[i]! * f);
    if (q >= len) q = len - 1; // rounding at the top of the range
    slot[i - s] = q;
    const c = ++counts[q + 1]!;
    if (c > crowded) crowded = c;
  }
  if (crowded > CROWDED_SLOT) return false;
  for (let q = 1; q <= len; q++) counts[q]! += counts[q - 1]!;
  const tmpKeys = scratch.keys;
  const tmpFrom = scratch.from;
  for (let i = s; i < e; i++) {
    const at = counts[slot[i - s]!]!++;
    tmpKeys[at] = keys[i]!;
    tmpFrom[at] = from[i]!;
  }
  // Back into place, inserting each key after the last smaller-or-equal one (stable).
  for (let j = 0; j < len; j++) {
    const key = tmpKeys[j]!;
    const fr = tmpFrom[j]!;
    let p = s + j - 1;
    while (p >= s && keys[p]! > key) {
      keys[p + 1] = keys[p]!;
      from[p + 1] = from[p]!;
      p--;
    }
    keys[p + 1] = key;
    from[p + 1] = fr;
  }
  return true;
}

function insertionSort(keys: Float64Array, rows: Int32Array, s: number, e: number): void {
  for (let i = s + 1; i < e; i++) {
    const key = keys[i]!;
    const row = rows[i]!;
    let j = i - 1;
    while (j >= s && keys[j]! > key) {
      keys[j + 1] = keys[j]!;
      rows[j + 1] = rows[j]!;
      j--;
    }
    keys[j + 1] = key;
    rows[j + 1] = row;
  }
}

/** Stable bottom-up merge sort of keys[s..e) with their rows: insertion-sorted runs, then merges. */
function mergeSort(keys: Float64Array, rows: Int32Array, s: number, e: number, tmpKeys: Float64Array, tmpRows: Int32Array): void {
  const len = e - s;
  for (let r = s; r < e; r += INSERTION_MAX) insertionSort(keys, rows, r, Math.min(e, r + INSERTION_MAX));
  let srcKeys = keys;
  let srcRows = rows;
  let srcBase = s;
  let dstKeys = tmpKeys;
  let dstRows = tmpRows;
  let dstBase = 0;
  for (let width = INSERTION_MAX; width < len; width *= 2) {
    for (let lo = 0; lo < len; lo += 2 * width) {
      const mid = Math.min(len, lo + width);
      const hi = Math.min(len, lo + 2 * width);
      let a = lo;
      let b = mid;
      let out = lo;
      while (a < mid && b < hi) {
        // <= takes the left run first on ties: stable.
        if (srcKeys[srcBase + a]! <= srcKeys[srcBase + b]!) {
          dstKeys[dstBase + out] = srcKeys[srcBase + a]!;
          dstRows[dstBase + out++] = srcRows[srcBase + a++]!;
        } else {
          dstKeys[dstBase + out] = srcKeys[srcBase + b]!;
          dstRows[dstBase + out++] = srcRows[srcBase + b++]!;
        }
      }
      while (a < mid) {
        dstKeys[dstBase + out] = srcKeys[srcBase + a]!;
        dstRows[dstBase + out++] = srcRows[srcBase + a++]!;
      }
      while (b < hi) {
        dstKeys[dstBase + out] = srcKeys[srcBase + b]!;
        dstRows[dstBase + out++] = srcRows[srcBase + b++]!;
      }
    }
    [srcKeys, dstKeys] = [dstKeys, srcKeys];
    [srcRows, dstRows] = [dstRows, srcRows];
    [srcBase, dstBase] = [dstBase, srcBase];
  }
  if (srcKeys !== keys) {
    keys.set(srcKeys.subarray(0, len), s);
    rows.set(srcRows.subarray(0, len), s);
  }
}

/** Split the sorted secondary keys back into the low bits of the split key and the later keys, one column a pass. */
function decodeSecondary(secondary: Float64Array, sorted: readonly Int32Array[], ranges: readonly number[], whole: number): void {
  const n = secondary.length;
  for (let k = sorted.length - 1; k > whole; k--) {
    const out = sorted[k]!;
    const r = ranges[k]!;
    for (let i = 0; i < n; i++) {
      const x = secondary[i]!;
      const q = Math.floor(x / r); // exact: x < 2^53
      out[i] = x - q * r;
      secondary[i] = q;
    }
  }
  // What is left is the split key's low bits; sortRowsInPlace wrote its high bits per bucket.
  const out = sorted[whole]!;
  for (let i = 0; i < n; i++) out[i] = out[i]! + secondary[i]!;
}

/** The largest code range a fused key may have in the LSD fallback: its counts array stays small (4 MiB). */
const MAX_FUSED_RANGE = 1 << 20;

/**
 * Fuse adjacent keys with small ranges into one (a·(maxB+1) + b sorts like (a, b)), saving whole passes of the
 * LSD fallback.
 */
function fuseKeys(keys: readonly Int32Array[], ranges: readonly number[]): Int32Array[] {
  const out: Int32Array[] = [];
  let current: Int32Array | null = null;
  let currentRange = 0;
  keys.forEach((key, k) => {
    const range = ranges[k]!;
    if (current && currentRange * range <= MAX_FUSED_RANGE) {
      const fused = new Int32Array(key.length);
      for (let i = 0; i < key.length; i++) fused[i] = current[i]! * range + key[i]!;
      current = fused;
      currentRange *= range;
    } else {
      if (current) out.push(current);
      current = key;
      currentRange = range;
    }
  });
  if (current) out.push(current);
  return out;
}

/** Stable LSD counting sort, one pass per (fused) key: the fallback for keys too wide for sortRowsInPlace's packing. */
function countingSortOrder(keys: readonly Int32Array[]): Int32Array {
  const n = keys[0]?.length ?? 0;
  let order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let next = new Int32Array(n);
  // position[row] = where the row stands in `order`. Each pass reads its key in the current order, built by
  // scattering the key to the rows' positions: scattered stores, where reading key[order[i]] would be scattered
  // loads (several times slower on large arrays, since a load stalls and a store does not).
  const position = new Int32Array(n);
  for (let i = 0; i < n; i++) position[i] = i;
  const keyInOrder = new Int32Array(n);
  for (let k = keys.length - 1; k >= 0; k--) {
    const key = keys[k]!;
    let max = 0;
    for (let i = 0; i < n; i++) {
      const v = key[i]!;
      if (v > max) max = v;
      keyInOrder[position[i]!] = v;
    }
    const counts = new Int32Array(max + 2);
    for (let i = 0; i < n; i++) counts[key[i]! + 1]!++;
    for (let c = 1; c < counts.length; c++) counts[c]! += counts[c - 1]!;
    for (let i = 0; i < n; i++) {
      const row = order[i]!;
      const to = counts[keyInOrder[i]!]!++;
      next[to] = row;
      position[row] = to;
    }
    const t = order;
    order = next;
    next = t;
  }
  return order;
}

/** Where each row goes under `order` (its inverse), kept per order: every column of a table moves by the same one. */
const destinations = new WeakMap<Int32Array, Int32Array>();

function destinationsOf(order: Int32Array): Int32Array {
  let to = destinations.get(order);
  if (!to) {
    to = new Int32Array(order.length);
    for (let i = 0; i < order.length; i++) to[order[i]!] = i;
    destinations.set(order, to);
  }
  return to;
}

/**
 * `values` reordered by `order` (or `values` itself when there is no order). Values are written to their
 * destinations in row order (scattered stores) rather than read in sorted order (scattered loads): a CPU does not
 * wait on a store, so with a random order this runs about 4× faster than the gather.
 */
export function permute(values: Int32Array, order: Int32Array | null): Int32Array;
export function permute(values: Float64Array, order: Int32Array | null): Float64Array;
export function permute(values: Int32Array | Float64Array, order: Int32Array | null): Int32Array | Float64Array {
  if (!order) return values;
  if (values.length !== order.length) throw new Error(`column has ${values.length} rows, order has ${order.length}`);
  const to = destinationsOf(order);
  // Separate monomorphic loops: one generic loop over both array kinds runs several times slower in V8.
  return values instanceof Int32Array ? scatterInt32(values, to) : scatterFloat64(values, to);
}

function scatterInt32(values: Int32Array, to: Int32Array): Int32Array {
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) out[to[i]!] = values[i]!;
  return out;
}

function scatterFloat64(values: Float64Array, to: Int32Array): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[to[i]!] = values[i]!;
  return out;
}
