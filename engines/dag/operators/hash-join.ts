// Hash join: build a chained hash table on one side's keys, then stream the other side's rows through it.
// NULL keys never match. Normally the right side is built and the left streamed (a left join keeps unmatched
// streamed rows); with broadcast-left the small LEFT side is built and the right side streamed, matched build rows
// are recorded in a bitmap, and the left rows no task matched are emitted once by `unmatchedLeftRows`.
// The built table is immutable, so a worker can reuse it for every task probing the same broadcast.
import { assertNever, type JoinKey, type Schema } from '../../../plan/types.ts';
import { allocVec, asFloat64, column, gather, type Batch, type Dict, type Vec } from '../columnar.ts';
import { hashNumber, mix32 } from '../hashing.ts';

/** How one key pair is compared: as int32 (codes, ints, booleans) or as float64 numbers. */
type KeyKind = 'int' | 'float' | 'string';

function keyKind(stream: Vec, build: Vec): KeyKind {
  if (stream.type === 'utf8' && build.type === 'utf8') return 'string';
  const intLike = (v: Vec) => v.type === 'int32' || v.type === 'bool';
  if (intLike(stream) && intLike(build)) return 'int';
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
  readonly keyVecs: readonly Vec[];
  readonly kinds: readonly KeyKind[];
  readonly keys: readonly NormalisedKey[];
  readonly head: Int32Array;
  /** Next build row in the same hash chain. */
  readonly next: Int32Array;
  /** Single key: next build row with an EQUAL key (-1: none), so a chain of equals is walked without comparing. */
  readonly nextSame: Int32Array | null;
  readonly mask: number;
  /**
   * Single string key: per streamed dictionary, each dictionary entry's build code (-1 when absent). Filled
   * lazily, once per dictionary per worker, so streamed rows never re-encode strings.
   * WARNING: the only mutable part of a built table; it is a pure cache keyed by an immutable Dict.
   */
  readonly translations: WeakMap<Dict, Int32Array>;
}

/**
 * Index `build` on its key columns `buildKeys`; `streamKeys` (the other side's key vectors) decide how keys compare.
 * @example buildHashTable(rightBatch, on.map((k) => column(left, k.left)), on.map((k) => k.right))
 */
export function buildHashTable(build: Batch, streamKeys: readonly Vec[], buildKeys: readonly string[]): BuiltTable {
  const n = build.length;
  const keyVecs = buildKeys.map((k) => column(build, k));
  const kinds = keyVecs.map((b, k) => keyKind(streamKeys[k]!, b));
  const keys = keyVecs.map((b, k) => normaliseBuildKey(kinds[k]!, b));
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
  const nextSame = single ? new Int32Array(n).fill(-1) : null;
  // Insert in reverse so chains list build rows in their original order.
  for (let i = n - 1; i >= 0; i--) {
    if (unusable !== null && unusable[i] === 1) continue;
    const s = (single ? (float ? hashNumber(single[i]!) : mix32(single[i]!)) : hashKeys(kinds, keys, i)) & mask;
    if (single) {
      const x = single[i]!;
      let b = head[s]!;
      while (b !== -1 && single[b] !== x) b = next[b]!;
      nextSame![i] = b; // the next (later) row with this key, or -1
    }
    next[i] = head[s]!;
    head[s] = i;
  }
  return { batch: build, keyVecs, kinds, keys, head, next, nextSame, mask, translations: new WeakMap() };
}

/** Build codes of each entry of a streamed dictionary (-1: the string is not on the build side). */
function translation(built: BuiltTable, streamDict: Dict, buildDict: Dict): Int32Array {
  let t = built.translations.get(streamDict);
  if (!t) {
    const index = new Map<string, number>();
    buildDict.values.forEach((s, code) => index.set(s, code));
    t = new Int32Array(streamDict.values.length);
    for (let code = 0; code < t.length; code++) t[code] = index.get(streamDict.values[code]!) ?? -1;
    built.translations.set(streamDict, t);
  }
  return t;
}

function normaliseStreamKey(built: BuiltTable, k: number, v: Vec, n: number): NormalisedKey {
  const build = built.keyVecs[k]!;
  if (built.kinds[k] === 'string' && v.type === 'utf8' && build.type === 'utf8') {
    if (v.dict === build.dict) return { values: v.values, usable: v.validity };
    const translate = translation(built, v.dict, build.dict);
    const values = new Int32Array(n);
    const usable = new Uint8Array(n);
    const codes = v.values;
    const valid = v.validity;
    for (let i = 0; i < n; i++) {
      const t = translate[codes[i]!]!;
      values[i] = t;
      usable[i] = t >= 0 && (valid === null || valid[i] === 1) ? 1 : 0;
    }
    return { values, usable };
  }
  return normaliseBuildKey(built.kinds[k]!, v);
}

/** Matching (stream row, build row) pairs; -1 build rows for unmatched stream rows when `keepUnmatched`. */
interface Pairs {
  readonly stream: Int32Array;
  readonly build: Int32Array;
  readonly count: number;
}

/**
 * Stream `n` rows with key vectors `streamVecs` through `built`. `matched` (optional, one byte per build row) gets 1
 * for every build row that matched. The hot loop has a single-string-key fast path: each streamed dictionary entry
 * is resolved to its chain head once, so a row costs one array read and a short chain walk, no hashing.
 */
function probe(built: BuiltTable, streamVecs: readonly Vec[], n: number, keepUnmatched: boolean, matched: Uint8Array | null): Pairs {
  // WARNING: no closures over these in the hot loops (V8 would keep them in a context, not registers).
  let streamIdx: Int32Array = new Int32Array(Math.max(16, n));
  let buildIdx: Int32Array = new Int32Array(Math.max(16, n));
  let count = 0;
  const { head, next, mask } = built;
  const sv = streamVecs[0];
  const bv = built.keyVecs[0];
  if (streamVecs.length === 1 && sv!.type === 'utf8' && bv!.type === 'utf8') {
    // The first build row equal to each streamed dictionary entry (-1: absent), then equal rows via nextSame.
    const translate = sv!.dict === bv!.dict ? null : translation(built, sv!.dict, bv!.dict);
    const nextSame = built.nextSame!;
    const domain = sv!.dict.values.length;
    const first = new Int32Array(domain).fill(-1);
    const buildCodes = bv!.values;
    for (let d = 0; d < domain; d++) {
      const code = translate === null ? d : translate[d]!;
      if (code < 0) continue;
      let b = head[mix32(code) & mask]!;
      while (b !== -1 && buildCodes[b] !== code) b = next[b]!;
      first[d] = b;
    }
    const codes = sv!.values;
    const valid = sv!.validity;
    for (let i = 0; i < n; i++) {
      let b = valid !== null && valid[i] === 0 ? -1 : first[codes[i]!]!;
      if (b === -1) {
        if (!keepUnmatched) continue;
        if (count === streamIdx.length) [streamIdx, buildIdx] = [grown(streamIdx), grown(buildIdx)];
        streamIdx[count] = i;
        buildIdx[count++] = -1;
        continue;
      }
      do {
        if (count === streamIdx.length) [streamIdx, buildIdx] = [grown(streamIdx), grown(buildIdx)];
        streamIdx[count] = i;
        buildIdx[count++] = b;
        if (matched !== null) matched[b] = 1;
        b = nextSame[b]!;
      } while (b !== -1);
    }
    return { stream: streamIdx, build: buildIdx, count };
  }
  const keys = streamVecs.map((v, k) => normaliseStreamKey(built, k, v, n));
  const single = keys.length === 1 ? keys[0]! : null;
  const singleBuild = single ? built.keys[0]!.values : null;
  for (let i = 0; i < n; i++) {
    let usable = true;
    for (const k of keys) if (k.usable !== null && k.usable[i] === 0) usable = false;
    let hit = false;
    if (usable) {
      let b = head[hashKeys(built.kinds, keys, i) & mask]!;
      while (b !== -1) {
        let eq: boolean;
        if (single) eq = single.values[i] === singleBuild![b];
        else {
          eq = true;
          for (let k = 0; k < keys.length; k++) if (keys[k]!.values[i] !== built.keys[k]!.values[b]) eq = false;
        }
        if (eq) {
          if (count === streamIdx.length) [streamIdx, buildIdx] = [grown(streamIdx), grown(buildIdx)];
          streamIdx[count] = i;
          buildIdx[count] = b;
          count++;
          hit = true;
          if (matched !== null) matched[b] = 1;
        }
        b = next[b]!;
      }
    }
    if (!hit && keepUnmatched) {
      if (count === streamIdx.length) [streamIdx, buildIdx] = [grown(streamIdx), grown(buildIdx)];
      streamIdx[count] = i;
      buildIdx[count] = -1;
      count++;
    }
  }
  return { stream: streamIdx, build: buildIdx, count };
}

/**
 * For a build side whose single key is unique: the build row each streamed row matches (-1: none), marking matched
 * build rows in `matched`. Null when the build side has a repeated key (a streamed row could match several rows)
 * or several key columns; the caller then materialises the join instead.
 */
export function matchUnique(built: BuiltTable, streamKey: Vec, n: number, matched: Uint8Array | null): Int32Array | null {
  if (!uniqueSingleKey(built)) return null;
  const out = new Int32Array(n);
  const bv = built.keyVecs[0]!;
  if (streamKey.type === 'utf8' && bv.type === 'utf8') {
    const first = firstBuildRowPerCode(built, streamKey, bv);
    const codes = streamKey.values;
    const valid = streamKey.validity;
    for (let i = 0; i < n; i++) {
      const b = valid !== null && valid[i] === 0 ? -1 : first[codes[i]!]!;
      out[i] = b;
      if (b >= 0 && matched !== null) matched[b] = 1;
    }
    return out;
  }
  const pairs = probe(built, [streamKey], n, true, matched);
  // keepUnmatched and unique build keys: exactly one pair per streamed row, in order.
  out.set(pairs.build.subarray(0, n));
  return out;
}

/** The build side has one key column and no key value twice. */
function uniqueSingleKey(built: BuiltTable): boolean {
  const nextSame = built.nextSame;
  if (nextSame === null) return false;
  for (let b = 0; b < nextSame.length; b++) if (nextSame[b] !== -1) return false;
  return true;
}

/** For each entry of a streamed string key's dictionary, the first build row with that string (-1: none). */
function firstBuildRowPerCode(built: BuiltTable, streamKey: Vec & { type: 'utf8' }, bv: Vec & { type: 'utf8' }): Int32Array {
  const translate = streamKey.dict === bv.dict ? null : translation(built, streamKey.dict, bv.dict);
  const domain = streamKey.dict.values.length;
  const first = new Int32Array(domain).fill(-1);
  const buildCodes = bv.values;
  for (let d = 0; d < domain; d++) {
    const code = translate === null ? d : translate[d]!;
    if (code < 0) continue;
    let b = built.head[mix32(code) & built.mask]!;
    while (b !== -1 && buildCodes[b] !== code) b = built.next[b]!;
    first[d] = b;
  }
  return first;
}

/**
 * For a build side whose single key is unique: the group of each streamed row, the group of its matching build row
 * (`buildGid`) or `discard` when it matches none, marking matched build rows in `matched`. A string key resolves
 * each dictionary entry to its group once, so a row costs one array read (no per-row build row, no second pass).
 * Null when the build side has a repeated key or several key columns (nothing is marked then).
 */
export function groupsOfStreamRows(built: BuiltTable, streamKey: Vec, n: number, buildGid: Int32Array, discard: number, matched: Uint8Array | null): Int32Array | null {
  const bv = built.keyVecs[0]!;
  if (streamKey.type !== 'utf8' || bv.type !== 'utf8') {
    const buildRowOf = matchUnique(built, streamKey, n, matched);
    if (buildRowOf === null) return null;
    for (let i = 0; i < n; i++) {
      const b = buildRowOf[i]!;
      buildRowOf[i] = b < 0 ? discard : buildGid[b]!;
    }
    return buildRowOf;
  }
  if (!uniqueSingleKey(built)) return null;
  const first = firstBuildRowPerCode(built, streamKey, bv);
  const domain = first.length;
  const codeGid = new Int32Array(domain);
  for (let d = 0; d < domain; d++) codeGid[d] = first[d]! < 0 ? discard : buildGid[first[d]!]!;
  const gid = new Int32Array(n);
  const codes = streamKey.values;
  const valid = streamKey.validity;
  if (valid === null) for (let i = 0; i < n; i++) gid[i] = codeGid[codes[i]!]!;
  else for (let i = 0; i < n; i++) gid[i] = valid[i] === 0 ? discard : codeGid[codes[i]!]!;
  if (matched !== null) {
    // A build row matched iff some valid streamed row carries its string.
    const used = new Uint8Array(domain);
    for (let i = 0; i < n; i++) if (valid === null || valid[i] === 1) used[codes[i]!] = 1;
    for (let d = 0; d < domain; d++) if (used[d] === 1 && first[d]! >= 0) matched[first[d]!] = 1;
  }
  return gid;
}

function grown(a: Int32Array): Int32Array {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

/**
 * The output columns `outNames` (the join's output, possibly pruned to what its parent reads): a name the left side
 * has comes from the left, any other from the right (the contract drops right keys, so names never collide).
 */
function assemble(outNames: readonly string[], left: Batch, leftIdx: Int32Array, right: Batch, rightIdx: Int32Array, count: number): Batch {
  const columns = outNames.map((name) => {
    const l = left.names.indexOf(name);
    return l >= 0 ? gather(left.columns[l]!, leftIdx, count) : gather(column(right, name), rightIdx, count);
  });
  return { length: count, names: outNames, columns };
}

/** Join one probe (left) partition against a table built on the right side. */
export function hashJoinProbe(left: Batch, built: BuiltTable, on: readonly JoinKey[], how: 'inner' | 'left', outNames: readonly string[]): Batch {
  const pairs = probe(built, on.map((k) => column(left, k.left)), left.length, how === 'left', null);
  return assemble(outNames, left, pairs.stream, built.batch, pairs.build, pairs.count);
}

/**
 * Join one streamed RIGHT partition against a table built on the (broadcast) LEFT side: matched pairs only, in
 * the contract's column order (left columns, then right columns minus the right keys). Marks matched left rows
 * in `matched` (one byte per left row) when given, for the left join's unmatched rows.
 * @example hashJoinStreamRight(rightPart, buildHashTable(left, rightKeyVecs, ['k']), on, names, alloc.uint8(left.length))
 */
export function hashJoinStreamRight(right: Batch, built: BuiltTable, on: readonly JoinKey[], outNames: readonly string[], matched: Uint8Array | null): Batch {
  const pairs = probe(built, on.map((k) => column(right, k.right)), right.length, false, matched);
  return assemble(outNames, built.batch, pairs.build, right, pairs.stream, pairs.count);
}

/**
 * The left rows whose byte in `matched` is 0 (NULL-keyed rows included: they never match), with every right
 * column NULL. `schema` is the join's (possibly pruned) output schema.
 */
export function unmatchedLeftRows(left: Batch, matched: Uint8Array, schema: Schema): Batch {
  // A bitmap shorter than the left side (no probe tasks at all) leaves the rows past its end unmatched.
  const isMatched = (i: number): boolean => i < matched.length && matched[i] === 1;
  let count = 0;
  for (let i = 0; i < left.length; i++) if (!isMatched(i)) count++;
  const idx = new Int32Array(count);
  for (let i = 0, k = 0; i < left.length; i++) if (!isMatched(i)) idx[k++] = i;
  const columns: Vec[] = schema.map((f) => {
    const l = left.names.indexOf(f.name);
    return l >= 0 ? gather(left.columns[l]!, idx, count) : allocVec(f.type, count, true);
  });
  return { length: count, names: schema.map((f) => f.name), columns };
}
