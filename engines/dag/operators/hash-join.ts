// Hash join: build a chained hash table on the build (right) side's keys, probe it with every probe (left) row.
// NULL keys never match. A left join keeps unmatched probe rows with NULLs for the build columns.
// The built table is immutable, so a worker can reuse it for every task probing the same broadcast.
import { assertNever, type JoinKey } from '../../../plan/types.ts';
import { asFloat64, column, gather, type Batch, type Vec } from '../columnar.ts';
import { hashNumber, mix32 } from '../hashing.ts';

/** How one key pair is compared: as int32 (codes, ints, booleans) or as float64 numbers. */
type KeyKind = 'int' | 'float' | 'string';

function keyKind(probe: Vec, build: Vec): KeyKind {
  if (probe.type === 'utf8' && build.type === 'utf8') return 'string';
  const intLike = (v: Vec) => v.type === 'int32' || v.type === 'bool';
  if (intLike(probe) && intLike(build)) return 'int';
  return 'float';
}

interface NormalisedKey {
  readonly values: Int32Array | Float64Array | Uint8Array;
  /** 0 where the row can never match (NULL key, or a string absent from the build side). */
  readonly usable: Uint8Array | null;
}

function normaliseBuildKey(kind: KeyKind, v: Vec): NormalisedKey {
  switch (kind) {
    case 'int':
    case 'string':
      return { values: v.values as Int32Array, usable: v.validity };
    case 'float':
      return { values: asFloat64(v), usable: v.validity };
    default:
      return assertNever(kind, 'key kind');
  }
}

function normaliseProbeKey(kind: KeyKind, v: Vec, build: Vec, n: number): NormalisedKey {
  if (kind === 'string' && v.type === 'utf8' && build.type === 'utf8') {
    if (v.dict === build.dict) return { values: v.values, usable: v.validity };
    // Translate probe codes into the build dictionary once per entry; absent strings can never match.
    const index = new Map<string, number>();
    build.dict.values.forEach((s, code) => index.set(s, code));
    const translate = new Int32Array(v.dict.values.length);
    v.dict.values.forEach((s, code) => (translate[code] = index.get(s) ?? -1));
    const values = new Int32Array(n);
    const usable = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const t = translate[v.values[i]!]!;
      values[i] = t;
      usable[i] = t >= 0 && (v.validity === null || v.validity[i] === 1) ? 1 : 0;
    }
    return { values, usable };
  }
  return normaliseBuildKey(kind, v);
}

function hashKeys(kinds: readonly KeyKind[], keys: readonly NormalisedKey[], i: number): number {
  let h = 0;
  for (let k = 0; k < keys.length; k++) {
    const x = keys[k]!.values[i]!;
    const hk = kinds[k] === 'float' ? hashNumber(x) : mix32(x);
    h = k === 0 ? hk : mix32(Math.imul(h, 31) + hk);
  }
  return h;
}

/** The build side, indexed. */
export interface BuiltTable {
  readonly batch: Batch;
  readonly kinds: readonly KeyKind[];
  readonly keys: readonly NormalisedKey[];
  readonly head: Int32Array;
  readonly next: Int32Array;
  readonly mask: number;
}

export function buildHashTable(build: Batch, probeTypes: readonly Vec[], on: readonly JoinKey[]): BuiltTable {
  const n = build.length;
  const buildVecs = on.map((k) => column(build, k.right));
  const kinds = buildVecs.map((b, k) => keyKind(probeTypes[k]!, b));
  const keys = buildVecs.map((b, k) => normaliseBuildKey(kinds[k]!, b));
  let cap = 16;
  while (cap < n * 2) cap *= 2;
  const mask = cap - 1;
  const head = new Int32Array(cap).fill(-1);
  const next = new Int32Array(n);
  // Rows with a NULL key never match: mark them once instead of testing every key per row.
  let unusable: Uint8Array | null = null;
  for (const k of keys) {
    if (k.usable === null) continue;
    unusable ??= new Uint8Array(n);
    for (let i = 0; i < n; i++) unusable[i]! |= k.usable[i]! ^ 1;
  }
  const single = keys.length === 1 ? keys[0]!.values : null;
  const float = kinds[0] === 'float';
  // Insert in reverse so chains list build rows in their original order.
  for (let i = n - 1; i >= 0; i--) {
    if (unusable !== null && unusable[i] === 1) continue;
    const s = (single ? (float ? hashNumber(single[i]!) : mix32(single[i]!)) : hashKeys(kinds, keys, i)) & mask;
    next[i] = head[s]!;
    head[s] = i;
  }
  return { batch: build, kinds, keys, head, next, mask };
}

/** Join one probe partition against a built table. Output: probe columns, then build columns except its keys. */
export function hashJoinProbe(probe: Batch, built: BuiltTable, on: readonly JoinKey[], how: 'inner' | 'left', outNames: readonly string[]): Batch {
  const n = probe.length;
  const buildBatch = built.batch;
  const probeVecs = on.map((k) => column(probe, k.left));
  const keys = probeVecs.map((v, k) => normaliseProbeKey(built.kinds[k]!, v, column(buildBatch, on[k]!.right), n));
  let probeIdx = new Int32Array(Math.max(16, n));
  let buildIdx = new Int32Array(Math.max(16, n));
  let count = 0;
  const push = (p: number, b: number): void => {
    if (count === probeIdx.length) {
      const np = new Int32Array(count * 2);
      np.set(probeIdx);
      probeIdx = np;
      const nb = new Int32Array(count * 2);
      nb.set(buildIdx);
      buildIdx = nb;
    }
    probeIdx[count] = p;
    buildIdx[count] = b;
    count++;
  };
  const single = keys.length === 1 ? keys[0]! : null;
  const singleBuild = single ? built.keys[0]!.values : null;
  for (let i = 0; i < n; i++) {
    let usable = true;
    for (const k of keys) if (k.usable !== null && k.usable[i] === 0) usable = false;
    let matched = false;
    if (usable) {
      let b = built.head[hashKeys(built.kinds, keys, i) & built.mask]!;
      while (b !== -1) {
        let eq: boolean;
        if (single) eq = single.values[i] === singleBuild![b];
        else {
          eq = true;
          for (let k = 0; k < keys.length; k++) if (keys[k]!.values[i] !== built.keys[k]!.values[b]) eq = false;
        }
        if (eq) {
          push(i, b);
          matched = true;
        }
        b = built.next[b]!;
      }
    }
    if (!matched && how === 'left') push(i, -1);
  }
  const rightKeys = new Set(on.map((k) => k.right));
  const columns: Vec[] = probe.columns.map((c) => gather(c, probeIdx, count));
  buildBatch.names.forEach((name, c) => {
    if (!rightKeys.has(name)) columns.push(gather(buildBatch.columns[c]!, buildIdx, count));
  });
  return { length: count, names: outNames, columns };
}
