// Row hashing for hash partitioning (shuffle) and hash tables (aggregate, join, distinct).
// WARNING: equal values must hash equally whatever their physical type or dictionary: an int32 5, an int64 5n and a
// float64 5.0 hash the same (join keys may differ in numeric type), and strings hash on their characters, not on
// dictionary codes (two map tasks may hold different dictionaries).
import { assertNever } from '../../plan/types.ts';
import type { Dict, Vec } from './columnar.ts';

export const NULL_HASH = 0x5bd1e995 | 0;

/** MurmurHash3's 32-bit finaliser: a cheap, well-mixing bijection on int32. */
export function mix32(x: number): number {
  let h = x | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

const f64 = new Float64Array(1);
const words = new Int32Array(f64.buffer);

/** Hash of a number, equal for equal numeric values of any type (integral values hash as int32 when they fit). */
export function hashNumber(v: number): number {
  if (v === (v | 0)) return mix32(v);
  f64[0] = v;
  return mix32(words[0]! ^ mix32(words[1]!));
}

export function hashString(s: string): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return mix32(h);
}

const dictHashes = new WeakMap<Dict, Int32Array>();

/** Per-entry hashes of a dictionary, computed once per dictionary per thread. */
export function hashesOfDict(dict: Dict): Int32Array {
  let h = dictHashes.get(dict);
  if (!h) {
    h = new Int32Array(dict.values.length);
    for (let i = 0; i < h.length; i++) h[i] = hashString(dict.values[i]!);
    dictHashes.set(dict, h);
  }
  return h;
}

/** Hash of each row of one vector. */
export function hashVec(v: Vec, n: number, out: Int32Array = new Int32Array(n)): Int32Array {
  const valid = v.validity;
  switch (v.type) {
    case 'int32':
    case 'bool':
      for (let i = 0; i < n; i++) out[i] = mix32(v.values[i]!);
      break;
    case 'float64':
    case 'timestamp':
      for (let i = 0; i < n; i++) out[i] = hashNumber(v.values[i]!);
      break;
    case 'int64':
      for (let i = 0; i < n; i++) out[i] = hashNumber(Number(v.values[i]!));
      break;
    case 'utf8': {
      const dh = hashesOfDict(v.dict);
      for (let i = 0; i < n; i++) out[i] = dh[v.values[i]!]!;
      break;
    }
    default:
      assertNever(v, 'vector');
  }
  if (valid) for (let i = 0; i < n; i++) if (valid[i] === 0) out[i] = NULL_HASH;
  return out;
}

/** Combined hash of several key vectors per row. */
export function hashRows(vecs: readonly Vec[], n: number): Int32Array {
  if (vecs.length === 0) return new Int32Array(n);
  const out = hashVec(vecs[0]!, n);
  if (vecs.length === 1) return out;
  const tmp = new Int32Array(n);
  for (let k = 1; k < vecs.length; k++) {
    hashVec(vecs[k]!, n, tmp);
    for (let i = 0; i < n; i++) out[i] = mix32(Math.imul(out[i]!, 31) + tmp[i]!);
  }
  return out;
}

/** The reduce partition of a row hash. */
export function partitionOf(hash: number, partitions: number): number {
  return (hash >>> 0) % partitions;
}
