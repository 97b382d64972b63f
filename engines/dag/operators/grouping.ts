// Grouping rows by key columns with typed-array hash tables: every row gets a dense group id.
// Shared by hash aggregation, distinct and latest-per-key. NULL keys form one group (SQL GROUP BY semantics).
import { assertNever } from '../../../plan/types.ts';
import type { Vec } from '../columnar.ts';
import { hashRows, mix32 } from '../hashing.ts';

export interface Grouping {
  /** Group id of each row, dense from 0. */
  readonly gid: Int32Array;
  readonly groups: number;
  /** A representative row of each group (the first seen), to gather key values from. */
  readonly firstRow: Int32Array;
}

/** Assign group ids to `n` rows keyed by `keys` (no keys: one group, even for zero rows). */
export function groupRows(keys: readonly Vec[], n: number): Grouping {
  if (keys.length === 0) return { gid: new Int32Array(n), groups: 1, firstRow: new Int32Array(1) };
  if (keys.length === 1) {
    const k = keys[0]!;
    if (k.type === 'utf8') return groupByCodes(k.values, k.dict.values.length, k.validity, n);
    if (k.type === 'bool') return groupByCodes(k.values, 2, k.validity, n);
    if (k.type === 'int32') return groupInt32(k.values, k.validity, n);
  }
  return groupGeneric(keys, n);
}

/** Dense small domains (dictionary codes, booleans): a direct-mapped table, no hashing at all. */
function groupByCodes(codes: ArrayLike<number>, domain: number, validity: Uint8Array | null, n: number): Grouping {
  const map = new Int32Array(domain + 1).fill(-1); // slot `domain` is the NULL group
  const gid = new Int32Array(n);
  let firstRow: Int32Array = new Int32Array(Math.min(domain + 1, 1024));
  let groups = 0;
  for (let i = 0; i < n; i++) {
    const c = validity !== null && validity[i] === 0 ? domain : codes[i]!;
    let g = map[c]!;
    if (g === -1) {
      g = groups++;
      map[c] = g;
      if (g >= firstRow.length) firstRow = grow(firstRow);
      firstRow[g] = i;
    }
    gid[i] = g;
  }
  return { gid, groups, firstRow };
}

/** Largest key range grouped through a direct-mapped array (DuckDB's "perfect hash aggregate"). */
const PERFECT_RANGE = 1 << 22;

/**
 * The key range [lo, lo + range) of non-NULL int32 keys when it is small enough to direct-map (range 0: no
 * non-NULL key), or null when a hash table is needed.
 */
export function perfectInt32Range(values: Int32Array, validity: Uint8Array | null, n: number): { lo: number; range: number } | null {
  let lo = 2147483647;
  let hi = -2147483648;
  for (let i = 0; i < n; i++) {
    if (validity !== null && validity[i] === 0) continue;
    const v = values[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (hi < lo) return { lo: 0, range: 0 };
  const range = hi - lo + 1;
  return range <= PERFECT_RANGE && range <= 4 * n + 1024 ? { lo, range } : null;
}

/** int32 keys: a direct-mapped array when the key range is small, else open addressing with linear probing. */
function groupInt32(values: Int32Array, validity: Uint8Array | null, n: number): Grouping {
  const perfect = perfectInt32Range(values, validity, n);
  if (perfect !== null) return groupPerfect(values, perfect.lo, perfect.range, validity, n);
  return groupInt32Hashed(values, validity, n);
}

function groupPerfect(values: Int32Array, lo: number, range: number, validity: Uint8Array | null, n: number): Grouping {
  const map = new Int32Array(range + 1).fill(-1); // slot `range` is the NULL group
  const gid = new Int32Array(n);
  let firstRow: Int32Array = new Int32Array(1024);
  let groups = 0;
  for (let i = 0; i < n; i++) {
    const c = validity !== null && validity[i] === 0 ? range : values[i]! - lo;
    let g = map[c]!;
    if (g === -1) {
      g = groups++;
      map[c] = g;
      if (g >= firstRow.length) firstRow = grow(firstRow);
      firstRow[g] = i;
    }
    gid[i] = g;
  }
  return { gid, groups, firstRow };
}

function groupInt32Hashed(values: Int32Array, validity: Uint8Array | null, n: number): Grouping {
  let cap = 1024;
  let mask = cap - 1;
  let slotKey = new Int32Array(cap);
  let slotGid = new Int32Array(cap).fill(-1);
  const gid = new Int32Array(n);
  let firstRow: Int32Array = new Int32Array(256);
  let groups = 0;
  let nullGroup = -1;
  for (let i = 0; i < n; i++) {
    if (validity !== null && validity[i] === 0) {
      if (nullGroup === -1) {
        nullGroup = groups++;
        if (nullGroup >= firstRow.length) firstRow = grow(firstRow);
        firstRow[nullGroup] = i;
      }
      gid[i] = nullGroup;
      continue;
    }
    const k = values[i]!;
    let s = mix32(k) & mask;
    let g: number;
    for (;;) {
      g = slotGid[s]!;
      if (g === -1) {
        g = groups++;
        slotGid[s] = g;
        slotKey[s] = k;
        if (g >= firstRow.length) firstRow = grow(firstRow);
        firstRow[g] = i;
        if (groups * 2 > cap) {
          // Rehash into a table twice the size.
          cap *= 2;
          mask = cap - 1;
          const oldKey = slotKey;
          const oldGid = slotGid;
          slotKey = new Int32Array(cap);
          slotGid = new Int32Array(cap).fill(-1);
          for (let o = 0; o < oldGid.length; o++) {
            const og = oldGid[o]!;
            if (og === -1) continue;
            let t = mix32(oldKey[o]!) & mask;
            while (slotGid[t] !== -1) t = (t + 1) & mask;
            slotGid[t] = og;
            slotKey[t] = oldKey[o]!;
          }
        }
        break;
      }
      if (slotKey[s] === k) break;
      s = (s + 1) & mask;
    }
    gid[i] = g;
  }
  return { gid, groups, firstRow };
}

/** Rows i and j have equal keys (NULL equals NULL here, as GROUP BY and DISTINCT require). */
export function keysEqual(keys: readonly Vec[], i: number, j: number): boolean {
  for (const k of keys) {
    const vi = k.validity === null || k.validity[i] === 1;
    const vj = k.validity === null || k.validity[j] === 1;
    if (vi !== vj) return false;
    if (!vi) continue;
    switch (k.type) {
      case 'int32':
      case 'float64':
      case 'timestamp':
      case 'bool':
      case 'utf8':
      case 'int64':
        if (k.values[i] !== k.values[j]) return false;
        break;
      default:
        assertNever(k, 'vector');
    }
  }
  return true;
}

/** Any key types: combined row hashes, then key comparison against each group's first row. */
function groupGeneric(keys: readonly Vec[], n: number): Grouping {
  const hashes = hashRows(keys, n);
  let cap = 1024;
  let mask = cap - 1;
  let slotGid = new Int32Array(cap).fill(-1);
  let groupHash: Int32Array = new Int32Array(256);
  let firstRow: Int32Array = new Int32Array(256);
  const gid = new Int32Array(n);
  let groups = 0;
  for (let i = 0; i < n; i++) {
    const h = hashes[i]!;
    let s = h & mask;
    let g: number;
    for (;;) {
      g = slotGid[s]!;
      if (g === -1) {
        g = groups++;
        slotGid[s] = g;
        if (g >= firstRow.length) {
          firstRow = grow(firstRow);
          groupHash = grow(groupHash);
        }
        firstRow[g] = i;
        groupHash[g] = h;
        if (groups * 2 > cap) {
          cap *= 2;
          mask = cap - 1;
          slotGid = new Int32Array(cap).fill(-1);
          for (let q = 0; q < groups; q++) {
            let t = groupHash[q]! & mask;
            while (slotGid[t] !== -1) t = (t + 1) & mask;
            slotGid[t] = q;
          }
        }
        break;
      }
      if (groupHash[g] === h && keysEqual(keys, i, firstRow[g]!)) break;
      s = (s + 1) & mask;
    }
    gid[i] = g;
  }
  return { gid, groups, firstRow };
}

function grow(a: Int32Array): Int32Array {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}
