// Vectorised expression evaluation: each expression kind is one loop over typed arrays producing a new vector.
// Semantics are the contract's: three-valued logic, NULL in → NULL out, `/` and `%` by zero → NULL,
// integer `+ - * %` → int64 (exact: falls back to bigint when a product leaves the 2^53 range).
import { isNumeric, typeOf } from '../../plan/schema.ts';
import { assertNever, type DataType, type Expr, type Schema } from '../../plan/types.ts';
import { floatText, readText, timestampText, truncatedInteger } from '../../plan/text.ts';
import {
  alloc,
  allocVec,
  asFloat64,
  constantVec,
  unifyDicts,
  utf8FromStrings,
  valueAt,
  vecFromValues,
  type Batch,
  type BoolVec,
  type Utf8Vec,
  type Vec,
} from './columnar.ts';

/** How UDF calls are executed: in this thread, or precomputed (e.g. by an isolated process) and looked up. */
export interface EvalContext {
  /** Results computed ahead of evaluation for UDF expression nodes (isolated mode), by node identity. */
  readonly precomputed?: ReadonlyMap<Expr, Vec>;
}

/** The schema view of a batch, for type rules. */
export function schemaOfBatch(b: Batch): Schema {
  return b.names.map((name, i) => ({ name, type: b.columns[i]!.type }));
}

/** Evaluate `expr` over every row of `batch`. */
export function evaluate(expr: Expr, batch: Batch, ctx: EvalContext = {}): Vec {
  const n = batch.length;
  switch (expr.kind) {
    case 'column': {
      const i = batch.names.indexOf(expr.name);
      if (i < 0) throw new Error(`internal: column '${expr.name}' missing from batch (${batch.names.join(', ')})`);
      return batch.columns[i]!;
    }
    case 'literal':
      return constantVec(expr.type, expr.value, n);
    case 'arithmetic':
      return arithmetic(expr.op, evaluate(expr.left, batch, ctx), evaluate(expr.right, batch, ctx), n);
    case 'comparison':
      return compare(expr.op, evaluate(expr.left, batch, ctx), evaluate(expr.right, batch, ctx), n);
    case 'logical':
      return logical(expr.op, evaluate(expr.left, batch, ctx) as BoolVec, evaluate(expr.right, batch, ctx) as BoolVec, n);
    case 'not': {
      const v = evaluate(expr.operand, batch, ctx) as BoolVec;
      const out = alloc.uint8(n);
      for (let i = 0; i < n; i++) out[i] = v.values[i]! ^ 1;
      return { type: 'bool', values: out, validity: v.validity };
    }
    case 'isNull': {
      const v = evaluate(expr.operand, batch, ctx);
      const out = alloc.uint8(n);
      const want = expr.negated ? 1 : 0;
      if (v.validity) for (let i = 0; i < n; i++) out[i] = v.validity[i] === want ? 1 : 0;
      else out.fill(expr.negated ? 1 : 0);
      return { type: 'bool', values: out, validity: null };
    }
    case 'cast':
      return cast(evaluate(expr.operand, batch, ctx), expr.to, n);
    case 'case':
      return caseWhen(expr, batch, ctx);
    case 'udf': {
      const pre = ctx.precomputed?.get(expr);
      if (pre) return pre;
      const args = expr.args.map((a) => evaluate(a, batch, ctx));
      const out = new Array<unknown>(n);
      const argv = new Array<unknown>(args.length);
      if (args.length === 1) {
        // The common one-argument UDF is called directly, without spreading an argument array per row.
        const only = args[0]!;
        for (let i = 0; i < n; i++) out[i] = expr.fn(valueAt(only, i));
      } else {
        for (let i = 0; i < n; i++) {
          for (let k = 0; k < args.length; k++) argv[k] = valueAt(args[k]!, i);
          out[i] = expr.fn(...argv);
        }
      }
      return udfResult(expr.returnType, out, expr.name);
    }
    default:
      return assertNever(expr, 'expression');
  }
}

/** A UDF's JS results as a vector, rejecting values of the wrong type with a clear message. */
export function udfResult(type: DataType, values: readonly unknown[], name: string): Vec {
  for (const v of values) {
    if (v === null || v === undefined) continue;
    const ok =
      type === 'utf8' ? typeof v === 'string'
      : type === 'bool' ? typeof v === 'boolean'
      : type === 'int64' ? typeof v === 'bigint' || Number.isInteger(v)
      : type === 'timestamp' ? typeof v === 'number' || v instanceof Date
      : typeof v === 'number';
    if (!ok) throw new Error(`UDF '${name}' returned ${JSON.stringify(typeof v === 'bigint' ? String(v) : v)} but declares ${type}; return a ${type} or null`);
  }
  return vecFromValues(type, values);
}

function mergeValidity(a: Vec, b: Vec, n: number): Uint8Array | null {
  if (!a.validity && !b.validity) return null;
  if (!a.validity) return b.validity;
  if (!b.validity) return a.validity;
  const out = alloc.uint8(n);
  for (let i = 0; i < n; i++) out[i] = a.validity[i]! & b.validity[i]!;
  return out;
}

const TWO53 = 9007199254740992;

function arithmetic(op: '+' | '-' | '*' | '/' | '%', a: Vec, b: Vec, n: number): Vec {
  let validity = mergeValidity(a, b, n);
  const isInt = (v: Vec) => v.type === 'int32' || v.type === 'int64';
  if (op !== '/' && isInt(a) && isInt(b)) {
    const out = alloc.int64(n);
    if (a.type === 'int32' && b.type === 'int32') {
      const x = a.values;
      const y = b.values;
      for (let i = 0; i < n; i++) {
        const p = x[i]!;
        const q = y[i]!;
        let r: number;
        if (op === '+') r = p + q;
        else if (op === '-') r = p - q;
        else if (op === '*') {
          r = p * q;
          if (r > TWO53 || r < -TWO53) {
            out[i] = BigInt(p) * BigInt(q);
            continue;
          }
        } else {
          if (q === 0) {
            validity = nullAt(validity, i, n);
            continue;
          }
          r = p % q;
        }
        out[i] = BigInt(r);
      }
    } else {
      const x = a.type === 'int64' ? a.values : BigInt64Array.from(a.values as Int32Array, (v) => BigInt(v));
      const y = b.type === 'int64' ? b.values : BigInt64Array.from(b.values as Int32Array, (v) => BigInt(v));
      for (let i = 0; i < n; i++) {
        const p = x[i]!;
        const q = y[i]!;
        let r: bigint;
        if (op === '+') r = p + q;
        else if (op === '-') r = p - q;
        else if (op === '*') r = p * q;
        else if (q === 0n) {
          validity = nullAt(validity, i, n);
          continue;
        } else r = p % q;
        // A BigInt64Array store would wrap silently; the contract makes int64 overflow an error.
        if (BigInt.asIntN(64, r) !== r && (validity === null || validity[i] === 1)) {
          throw new Error(`integer ${op} overflows int64 (${p} ${op} ${q}); cast an operand to float64 first`);
        }
        out[i] = r;
      }
    }
    return { type: 'int64', values: out, validity };
  }
  const x = asFloat64(a);
  const y = asFloat64(b);
  const out = alloc.float64(n);
  switch (op) {
    case '+':
      for (let i = 0; i < n; i++) out[i] = x[i]! + y[i]!;
      break;
    case '-':
      for (let i = 0; i < n; i++) out[i] = x[i]! - y[i]!;
      break;
    case '*':
      for (let i = 0; i < n; i++) out[i] = x[i]! * y[i]!;
      break;
    case '/':
    case '%':
      for (let i = 0; i < n; i++) {
        const q = y[i]!;
        if (q === 0) validity = nullAt(validity, i, n);
        else out[i] = op === '/' ? x[i]! / q : x[i]! % q;
      }
      break;
    default:
      assertNever(op, 'operator');
  }
  return { type: 'float64', values: out, validity };
}

/** A validity mask owned by this operator with row i set NULL (copying a shared input mask first). */
function nullAt(validity: Uint8Array | null, i: number, n: number): Uint8Array {
  let v = validity;
  if (!v || !ownedMasks.has(v)) {
    const fresh = alloc.uint8(n);
    if (v) fresh.set(v);
    else fresh.fill(1);
    ownedMasks.add(fresh);
    v = fresh;
  }
  v[i] = 0;
  return v;
}
const ownedMasks = new WeakSet<Uint8Array>();

/** Compare two code points orders, as SQL and Spark do (JS `<` compares UTF-16 units). */
export function compareStrings(a: string, b: string): number {
  const len = Math.min(a.length, b.length);
  for (let i = 0; i < len; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x !== y) {
      x = x >= 0xe000 ? x - 0x800 : x >= 0xd800 ? x + 0x2000 : x;
      y = y >= 0xe000 ? y - 0x800 : y >= 0xd800 ? y + 0x2000 : y;
      return x - y;
    }
  }
  return a.length - b.length;
}

/** For utf8 vectors: per-entry ranks over the union of both dictionaries, so rows compare as integers. */
function stringRanks(a: Utf8Vec, b: Utf8Vec): [Int32Array, Int32Array] {
  const { dict, remaps } = unifyDicts([a, b]);
  const order = dict.values.map((_, i) => i).sort((i, j) => compareStrings(dict.values[i]!, dict.values[j]!));
  const rankOf = new Int32Array(dict.values.length);
  order.forEach((code, r) => (rankOf[code] = r));
  const ranks = (v: Utf8Vec, remap: Int32Array | null): Int32Array => {
    const out = new Int32Array(v.dict.values.length);
    for (let c = 0; c < out.length; c++) out[c] = rankOf[remap ? remap[c]! : c]!;
    return out;
  };
  return [ranks(a, remaps[0]!), ranks(b, remaps[1]!)];
}

function compare(op: '=' | '!=' | '<' | '<=' | '>' | '>=', a: Vec, b: Vec, n: number): Vec {
  const validity = mergeValidity(a, b, n);
  const out = alloc.uint8(n);
  let x: ArrayLike<number> | BigInt64Array;
  let y: ArrayLike<number> | BigInt64Array;
  if (a.type === 'utf8' && b.type === 'utf8') {
    const [ra, rb] = stringRanks(a, b);
    const ca = a.values;
    const cb = b.values;
    const xa = new Int32Array(n);
    const yb = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      xa[i] = ra[ca[i]!]!;
      yb[i] = rb[cb[i]!]!;
    }
    x = xa;
    y = yb;
  } else if (a.type === 'int64' && b.type === 'int64') {
    x = a.values;
    y = b.values;
  } else {
    x = asFloat64(a);
    y = asFloat64(b);
  }
  const X = x as Float64Array;
  const Y = y as Float64Array;
  switch (op) {
    case '=':
      for (let i = 0; i < n; i++) out[i] = X[i] === Y[i] ? 1 : 0;
      break;
    case '!=':
      for (let i = 0; i < n; i++) out[i] = X[i] !== Y[i] ? 1 : 0;
      break;
    case '<':
      for (let i = 0; i < n; i++) out[i] = X[i]! < Y[i]! ? 1 : 0;
      break;
    case '<=':
      for (let i = 0; i < n; i++) out[i] = X[i]! <= Y[i]! ? 1 : 0;
      break;
    case '>':
      for (let i = 0; i < n; i++) out[i] = X[i]! > Y[i]! ? 1 : 0;
      break;
    case '>=':
      for (let i = 0; i < n; i++) out[i] = X[i]! >= Y[i]! ? 1 : 0;
      break;
    default:
      assertNever(op, 'operator');
  }
  return { type: 'bool', values: out, validity };
}

function logical(op: 'and' | 'or', a: BoolVec, b: BoolVec, n: number): Vec {
  const out = alloc.uint8(n);
  const x = a.values;
  const y = b.values;
  if (!a.validity && !b.validity) {
    if (op === 'and') for (let i = 0; i < n; i++) out[i] = x[i]! & y[i]!;
    else for (let i = 0; i < n; i++) out[i] = x[i]! | y[i]!;
    return { type: 'bool', values: out, validity: null };
  }
  const va = a.validity;
  const vb = b.validity;
  const validity = alloc.uint8(n);
  for (let i = 0; i < n; i++) {
    const pa = va ? va[i]! : 1;
    const pb = vb ? vb[i]! : 1;
    const p = x[i]! & pa; // definitely true
    const q = y[i]! & pb;
    if (op === 'and') {
      const falseA = pa & (x[i]! ^ 1);
      const falseB = pb & (y[i]! ^ 1);
      if (falseA | falseB) {
        out[i] = 0;
        validity[i] = 1;
      } else {
        out[i] = p & q;
        validity[i] = pa & pb;
      }
    } else if (p | q) {
      out[i] = 1;
      validity[i] = 1;
    } else {
      out[i] = 0;
      validity[i] = pa & pb;
    }
  }
  return { type: 'bool', values: out, validity };
}

/** CAST following the contract: float → int truncates, unparsable strings → NULL, timestamp ↔ int64 in ms. */
export function cast(v: Vec, to: DataType, n: number): Vec {
  if (v.type === to) return v;
  // String sources: convert each dictionary entry once, then map codes.
  if (v.type === 'utf8') {
    const converted = v.dict.values.map((s) => readText(s, to));
    const values = new Array<unknown>(n);
    for (let i = 0; i < n; i++) values[i] = v.validity && !v.validity[i] ? null : converted[v.values[i]!];
    return vecFromValues(to, values);
  }
  if (to === 'utf8') {
    const strings = new Array<string | null>(n);
    for (let i = 0; i < n; i++) {
      const x = valueAt(v, i);
      strings[i] =
        x === null ? null
        : v.type === 'timestamp' ? timestampText(x as number)
        : v.type === 'float64' ? floatText(x as number)
        : String(x);
    }
    return utf8FromStrings(strings);
  }
  const src = asFloat64(v);
  let validity = v.validity;
  switch (to) {
    case 'int32': {
      const out = alloc.int32(n);
      for (let i = 0; i < n; i++) {
        // Out of range is NULL, as DuckDB's TRY_CAST (a plain `| 0` would wrap around).
        const t = truncatedInteger(src[i]!, 'int32');
        if (t === null) validity = nullAt(validity, i, n);
        else out[i] = t;
      }
      return { type: 'int32', values: out, validity };
    }
    case 'int64': {
      const out = alloc.int64(n);
      if (v.type === 'int32' || v.type === 'bool') for (let i = 0; i < n; i++) out[i] = BigInt(src[i]!);
      else
        for (let i = 0; i < n; i++) {
          const t = truncatedInteger(src[i]!, 'int64');
          if (t === null) validity = nullAt(validity, i, n);
          else out[i] = BigInt(t);
        }
      return { type: 'int64', values: out, validity };
    }
    case 'float64':
    case 'timestamp': {
      const out = alloc.float64(n);
      for (let i = 0; i < n; i++) out[i] = to === 'timestamp' ? Math.trunc(src[i]!) : src[i]!;
      return { type: to, values: out, validity };
    }
    case 'bool': {
      const out = alloc.uint8(n);
      for (let i = 0; i < n; i++) out[i] = src[i] !== 0 ? 1 : 0;
      return { type: 'bool', values: out, validity };
    }
    default:
      return assertNever(to, 'data type');
  }
}

/** Widen a vector to the CASE result type (numeric widening only; typeOf has checked the rest). */
function widen(v: Vec, to: DataType, n: number): Vec {
  return v.type === to ? v : cast(v, to, n);
}

function caseWhen(expr: Extract<Expr, { kind: 'case' }>, batch: Batch, ctx: EvalContext): Vec {
  const n = batch.length;
  const type = typeOf(expr, schemaOfBatch(batch));
  const decided = new Uint8Array(n);
  const pick = new Int32Array(n).fill(expr.branches.length); // branch index per row; length = otherwise
  expr.branches.forEach((b, k) => {
    const cond = evaluate(b.when, batch, ctx) as BoolVec;
    for (let i = 0; i < n; i++) {
      if (!decided[i] && cond.values[i] === 1 && (!cond.validity || cond.validity[i] === 1)) {
        decided[i] = 1;
        pick[i] = k;
      }
    }
  });
  const sources = [...expr.branches.map((b) => b.then), expr.otherwise].map((e) => widen(evaluate(e, batch, ctx), type, n));
  if (type === 'utf8') {
    const { dict, remaps } = unifyDicts(sources as Utf8Vec[]);
    const out = allocVec('utf8', n, true, dict);
    for (let i = 0; i < n; i++) {
      const s = sources[pick[i]!]! as Utf8Vec;
      const remap = remaps[pick[i]!];
      out.validity![i] = s.validity ? s.validity[i]! : 1;
      (out.values as Int32Array)[i] = remap ? remap[s.values[i]!]! : s.values[i]!;
    }
    return out;
  }
  const out = allocVec(type, n, true);
  for (let i = 0; i < n; i++) {
    const s = sources[pick[i]!]!;
    out.validity![i] = s.validity ? s.validity[i]! : 1;
    (out.values as Float64Array)[i] = (s.values as Float64Array)[i]!;
  }
  return out;
}

/** True when `t` is numeric (re-exported for operators). */
export { isNumeric };
