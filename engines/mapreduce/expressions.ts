// A small compiled evaluator: each expression becomes a closure over column positions, built once per task in
// the worker. Values use the engine's representation (int64 as bigint, timestamp as ms number, NULL as null).
// UDFs cross into the worker as source text (the contract requires them to be self-contained).
import { typeOf } from '../../plan/schema.ts';
import { assertNever, type DataType, type Expr, type LiteralValue, type Schema } from '../../plan/types.ts';
import { floatText, readText, timestampText } from '../../plan/text.ts';

export type Evaluator = (row: readonly unknown[]) => unknown;

/** An expression in a form postMessage can clone: UDFs carry `source` instead of a function. */
export type WireExpr =
  | Exclude<Expr, { kind: 'udf' | 'arithmetic' | 'comparison' | 'logical' | 'not' | 'isNull' | 'cast' | 'case' }>
  | { readonly kind: 'arithmetic'; readonly op: Extract<Expr, { kind: 'arithmetic' }>['op']; readonly left: WireExpr; readonly right: WireExpr }
  | { readonly kind: 'comparison'; readonly op: Extract<Expr, { kind: 'comparison' }>['op']; readonly left: WireExpr; readonly right: WireExpr }
  | { readonly kind: 'logical'; readonly op: 'and' | 'or'; readonly left: WireExpr; readonly right: WireExpr }
  | { readonly kind: 'not'; readonly operand: WireExpr }
  | { readonly kind: 'isNull'; readonly operand: WireExpr; readonly negated: boolean }
  | { readonly kind: 'cast'; readonly operand: WireExpr; readonly to: DataType }
  | { readonly kind: 'case'; readonly branches: readonly { readonly when: WireExpr; readonly then: WireExpr }[]; readonly otherwise: WireExpr }
  | { readonly kind: 'udf'; readonly name: string; readonly source: string; readonly returnType: DataType; readonly args: readonly WireExpr[] };

/** Expr → WireExpr (main thread, before shipping a task). */
export function toWire(e: Expr): WireExpr {
  switch (e.kind) {
    case 'column':
    case 'literal':
      return e;
    case 'arithmetic':
    case 'comparison':
    case 'logical':
      return { ...e, left: toWire(e.left), right: toWire(e.right) } as WireExpr;
    case 'not':
    case 'isNull':
    case 'cast':
      return { ...e, operand: toWire(e.operand) } as WireExpr;
    case 'case':
      return { kind: 'case', branches: e.branches.map((b) => ({ when: toWire(b.when), then: toWire(b.then) })), otherwise: toWire(e.otherwise) };
    case 'udf':
      return { kind: 'udf', name: e.name, source: e.fn.toString(), returnType: e.returnType, args: e.args.map(toWire) };
    default:
      return assertNever(e, 'expression');
  }
}

/** WireExpr → Expr (worker side), compiling UDF source back into a function. */
export function fromWire(e: WireExpr): Expr {
  switch (e.kind) {
    case 'column':
    case 'literal':
      return e;
    case 'arithmetic':
    case 'comparison':
    case 'logical':
      return { ...e, left: fromWire(e.left), right: fromWire(e.right) } as Expr;
    case 'not':
    case 'isNull':
    case 'cast':
      return { ...e, operand: fromWire(e.operand) } as Expr;
    case 'case':
      return { kind: 'case', branches: e.branches.map((b) => ({ when: fromWire(b.when), then: fromWire(b.then) })), otherwise: fromWire(e.otherwise) };
    case 'udf': {
      let fn: (...args: unknown[]) => LiteralValue;
      try {
        fn = new Function(`return (${e.source});`)() as typeof fn;
      } catch (err) {
        throw new Error(`UDF '${e.name}' could not be shipped to a worker (its source does not compile on its own: ${(err as Error).message}); define it without captured variables`);
      }
      return { kind: 'udf', name: e.name, fn, returnType: e.returnType, args: e.args.map(fromWire) };
    }
    default:
      return assertNever(e, 'expression');
  }
}

const toBig = (v: unknown): bigint => (typeof v === 'bigint' ? v : BigInt(v as number));

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** The contract: int64 overflow is an error, never a silent wrap-around. */
export function checkInt64(v: bigint, what: string): bigint {
  if (v < INT64_MIN || v > INT64_MAX) throw new Error(`int64 overflow in ${what}: the result ${v} does not fit in 64 bits`);
  return v;
}

/** Compile `e` over rows of `schema`. */
export function compileExpr(e: Expr, schema: Schema): Evaluator {
  switch (e.kind) {
    case 'column': {
      const idx = schema.findIndex((f) => f.name === e.name);
      if (idx < 0) throw new Error(`column '${e.name}' not found`);
      return (r) => r[idx];
    }
    case 'literal': {
      const v = e.value;
      return () => v;
    }
    case 'arithmetic': {
      const l = compileExpr(e.left, schema);
      const r = compileExpr(e.right, schema);
      const t = typeOf(e, schema);
      const op = e.op;
      if (op === '/') {
        return (row) => {
          const a = l(row);
          const b = r(row);
          if (a === null || b === null) return null;
          const d = Number(b);
          return d === 0 ? null : Number(a) / d;
        };
      }
      if (t === 'int64') {
        return (row) => {
          const a = l(row);
          const b = r(row);
          if (a === null || b === null) return null;
          const x = toBig(a);
          const y = toBig(b);
          switch (op) {
            case '+':
              return checkInt64(x + y, 'addition');
            case '-':
              return checkInt64(x - y, 'subtraction');
            case '*':
              return checkInt64(x * y, 'multiplication');
            case '%':
              return y === 0n ? null : x % y;
          }
        };
      }
      return (row) => {
        const a = l(row);
        const b = r(row);
        if (a === null || b === null) return null;
        const x = Number(a);
        const y = Number(b);
        switch (op) {
          case '+':
            return x + y;
          case '-':
            return x - y;
          case '*':
            return x * y;
          case '%':
            return y === 0 ? null : x % y;
        }
      };
    }
    case 'comparison': {
      const l = compileExpr(e.left, schema);
      const r = compileExpr(e.right, schema);
      const [lt, rt] = [typeOf(e.left, schema), typeOf(e.right, schema)];
      // An int64 against a float64 compares as doubles, as SQL does (DuckDB casts the BIGINT): 2^53 + 1 = 2^53.0.
      const asDoubles = (lt === 'int64' && rt === 'float64') || (lt === 'float64' && rt === 'int64');
      const cmp = lt === 'utf8' ? compareCodePoints : asDoubles ? (a: unknown, b: unknown) => compareValues(Number(a), Number(b)) : compareValues;
      const test = comparisonTest(e.op);
      return (row) => {
        const a = l(row);
        const b = r(row);
        if (a === null || b === null) return null;
        return test(cmp(a, b));
      };
    }
    case 'logical': {
      const l = compileExpr(e.left, schema);
      const r = compileExpr(e.right, schema);
      if (e.op === 'and') {
        return (row) => {
          const a = l(row);
          if (a === false) return false;
          const b = r(row);
          if (b === false) return false;
          return a === null || b === null ? null : true;
        };
      }
      return (row) => {
        const a = l(row);
        if (a === true) return true;
        const b = r(row);
        if (b === true) return true;
        return a === null || b === null ? null : false;
      };
    }
    case 'not': {
      const o = compileExpr(e.operand, schema);
      return (row) => {
        const v = o(row);
        return v === null ? null : !v;
      };
    }
    case 'isNull': {
      const o = compileExpr(e.operand, schema);
      return e.negated ? (row) => o(row) !== null : (row) => o(row) === null;
    }
    case 'cast': {
      const o = compileExpr(e.operand, schema);
      const from = typeOf(e.operand, schema);
      const to = e.to;
      return (row) => castValue(o(row), from, to);
    }
    case 'case': {
      const result = typeOf(e, schema);
      const branches = e.branches.map((b) => {
        const thenType = typeOf(b.then, schema);
        const then = compileExpr(b.then, schema);
        return { when: compileExpr(b.when, schema), then: (row: readonly unknown[]) => castValue(then(row), thenType, result) };
      });
      const otherwiseType = typeOf(e.otherwise, schema);
      const otherwise = compileExpr(e.otherwise, schema);
      return (row) => {
        for (const b of branches) if (b.when(row) === true) return b.then(row);
        return castValue(otherwise(row), otherwiseType, result);
      };
    }
    case 'udf': {
      const args = e.args.map((a) => compileExpr(a, schema));
      const fn = e.fn;
      const t = e.returnType;
      const name = e.name;
      return (row) => {
        const v = fn(...args.map((a) => a(row)));
        if (v === null || v === undefined) return null;
        return castValue(v, jsTypeOf(v, t), t, name);
      };
    }
    default:
      return assertNever(e, 'expression');
  }
}

function jsTypeOf(v: unknown, declared: DataType): DataType {
  if (typeof v === 'bigint') return 'int64';
  if (typeof v === 'string') return 'utf8';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return declared === 'timestamp' || declared === 'int32' ? declared : 'float64';
  return declared;
}

function comparisonTest(op: Extract<Expr, { kind: 'comparison' }>['op']): (c: number) => boolean {
  switch (op) {
    case '=':
      return (c) => c === 0;
    case '!=':
      return (c) => c !== 0;
    case '<':
      return (c) => c < 0;
    case '<=':
      return (c) => c <= 0;
    case '>':
      return (c) => c > 0;
    case '>=':
      return (c) => c >= 0;
    default:
      return assertNever(op, 'comparison');
  }
}

/**
 * Numbers, bigints and booleans (JS relational operators mix number and bigint exactly). NaN equals NaN and
 * sorts above every other number, as the contract (and DuckDB, PostgreSQL, Spark) has it.
 */
export function compareValues(a: unknown, b: unknown): number {
  if ((a as number) < (b as number)) return -1;
  if ((a as number) > (b as number)) return 1;
  if (a !== a) return b !== b ? 0 : 1;
  if (b !== b) return -1;
  return 0;
}

/** Strings by Unicode code point (as UTF-8 bytes compare), not by UTF-16 code unit. */
export function compareCodePoints(a: unknown, b: unknown): number {
  const s = a as string;
  const t = b as string;
  const n = Math.min(s.length, t.length);
  for (let i = 0; i < n; i++) {
    const x = s.charCodeAt(i);
    const y = t.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (0xD800–0xDFFF) encode code points above every BMP character.
    const xs = x >= 0xd800 && x <= 0xdfff ? x + 0x10000 : x;
    const ys = y >= 0xd800 && y <= 0xdfff ? y + 0x10000 : y;
    return xs - ys;
  }
  return s.length - t.length;
}

/** SQL CAST between the plan's types, following the contract (truncate toward zero; unparsable → NULL). */
export function castValue(v: unknown, from: DataType, to: DataType, udfName?: string): unknown {
  if (v === null || v === undefined) return null;
  if (from === to && !(to === 'int64' && typeof v !== 'bigint')) return v;
  if (typeof v === 'string') return readText(v, to);
  switch (to) {
    case 'int32':
    case 'int64': {
      let n: number | bigint;
      if (typeof v === 'bigint') n = v;
      else if (typeof v === 'boolean') n = v ? 1 : 0;
      else {
        if (!Number.isFinite(v as number)) return null;
        n = Math.trunc(v as number);
      }
      // Out of the target's range is NULL (the contract), never a wrapped value.
      if (to === 'int64') {
        const big = typeof n === 'bigint' ? n : BigInt(n);
        return big < INT64_MIN || big > INT64_MAX ? null : big;
      }
      const num = Number(n);
      return num < -2147483648 || num > 2147483647 ? null : num;
    }
    case 'float64':
    case 'timestamp': {
      if (typeof v === 'boolean') return v ? 1 : 0;
      return Number(v);
    }
    case 'utf8':
      if (from === 'timestamp') return timestampText(Number(v));
      if (from === 'float64') return floatText(Number(v));
      return String(v);
    case 'bool':
      if (typeof v === 'boolean') return v;
      if (udfName !== undefined && typeof v !== 'number' && typeof v !== 'bigint') return null;
      return Number(v) !== 0;
    default:
      return assertNever(to, 'data type');
  }
}
