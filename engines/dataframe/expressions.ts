// Column expressions evaluated over a frame's danfo column values, with SQL's NULL rules.
// Why not danfo's own Series.add/lt/...: measured on danfo 1.2, `add` treats NULL as 0 (null + 2.5 = 2.5),
// `div` by zero gives Infinity, and comparisons reject strings — so each operator runs element-wise here on
// the values danfo holds (the pandas analogue is a vectorised numpy expression over `df[col].values`).
import { isInteger } from '../../plan/schema.ts';
import { assertNever, type DataType, type Expr, type LiteralValue, type Schema } from '../../plan/types.ts';
import { floatText, readText, timestampText, truncatedInteger } from '../../plan/text.ts';
import { typeOf } from '../../plan/schema.ts';
import { columnCells, schemaOf, type Cell, type Frame } from './frame.ts';

/**
 * Evaluate `expr` for every row of `frame`, returning one cell per row (null for NULL).
 * @example evaluate(frame, col('price').multiply(col('quantity')).expr)  // → [12.5, null, ...]
 */
export function evaluate(frame: Frame, expr: Expr): Cell[] {
  return evalExpr(frame, schemaOf(frame), expr);
}

/** Rows where `predicate` is TRUE (NULL and FALSE both drop the row), as positions. */
export function truePositions(frame: Frame, predicate: Expr): number[] {
  const mask = evaluate(frame, predicate);
  const out: number[] = [];
  for (let i = 0; i < mask.length; i++) if (mask[i] === true) out.push(i);
  return out;
}

function evalExpr(frame: Frame, schema: Schema, expr: Expr): Cell[] {
  const n = frame.rows;
  switch (expr.kind) {
    case 'column':
      return columnCells(frame, expr.name);
    case 'literal':
      return new Array<Cell>(n).fill(literalCell(expr.value));
    case 'arithmetic': {
      const l = evalExpr(frame, schema, expr.left);
      const r = evalExpr(frame, schema, expr.right);
      const out = new Array<Cell>(n);
      const op = expr.op;
      for (let i = 0; i < n; i++) {
        const a = l[i] as number | null;
        const b = r[i] as number | null;
        if (a === null || b === null) out[i] = null;
        else if (op === '+') out[i] = a + b;
        else if (op === '-') out[i] = a - b;
        else if (op === '*') out[i] = a * b;
        else if (b === 0) out[i] = null; // division and modulo by zero are NULL (Spark's non-ANSI rule)
        else out[i] = op === '/' ? a / b : a % b; // JS % keeps the dividend's sign, as SQL does
      }
      return out;
    }
    case 'comparison': {
      const l = evalExpr(frame, schema, expr.left);
      const r = evalExpr(frame, schema, expr.right);
      const out = new Array<Cell>(n);
      const op = expr.op;
      for (let i = 0; i < n; i++) {
        const a = l[i]!;
        const b = r[i]!;
        if (a === null || b === null) {
          out[i] = null;
          continue;
        }
        const c = compareCells(a, b);
        out[i] = op === '=' ? c === 0 : op === '!=' ? c !== 0 : op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
      }
      return out;
    }
    case 'logical': {
      const l = evalExpr(frame, schema, expr.left);
      const r = evalExpr(frame, schema, expr.right);
      const out = new Array<Cell>(n);
      for (let i = 0; i < n; i++) {
        const a = l[i] as boolean | null;
        const b = r[i] as boolean | null;
        // Kleene logic: FALSE dominates AND, TRUE dominates OR, otherwise NULL is contagious.
        if (expr.op === 'and') out[i] = a === false || b === false ? false : a === null || b === null ? null : true;
        else out[i] = a === true || b === true ? true : a === null || b === null ? null : false;
      }
      return out;
    }
    case 'not':
      return evalExpr(frame, schema, expr.operand).map((v) => (v === null ? null : !v));
    case 'isNull':
      return evalExpr(frame, schema, expr.operand).map((v) => (v === null) !== expr.negated);
    case 'cast': {
      const from = typeOf(expr.operand, schema);
      return evalExpr(frame, schema, expr.operand).map((v) => castCell(v, from, expr.to));
    }
    case 'case': {
      const whens = expr.branches.map((b) => evalExpr(frame, schema, b.when));
      const thens = expr.branches.map((b) => evalExpr(frame, schema, b.then));
      const otherwise = evalExpr(frame, schema, expr.otherwise);
      const out = new Array<Cell>(n);
      for (let i = 0; i < n; i++) {
        let value = otherwise[i]!;
        for (let b = 0; b < whens.length; b++) {
          if (whens[b]![i] === true) {
            value = thens[b]![i]!;
            break;
          }
        }
        out[i] = value;
      }
      return out;
    }
    case 'udf': {
      const argTypes = expr.args.map((a) => typeOf(a, schema));
      const args = expr.args.map((a) => evalExpr(frame, schema, a));
      const out = new Array<Cell>(n);
      const callArgs = new Array<LiteralValue>(args.length);
      for (let i = 0; i < n; i++) {
        for (let a = 0; a < args.length; a++) {
          const v = args[a]![i]!;
          // The UDF contract hands int64 values over as bigint, as Arrow does.
          callArgs[a] = v !== null && argTypes[a] === 'int64' ? BigInt(Math.trunc(v as number)) : v;
        }
        out[i] = udfResult(expr.fn(...callArgs), expr.returnType, expr.name);
      }
      return out;
    }
    default:
      return assertNever(expr, 'expression');
  }
}

function literalCell(value: LiteralValue): Cell {
  return typeof value === 'bigint' ? Number(value) : value;
}

function udfResult(value: unknown, type: DataType, name: string): Cell {
  if (value === null || value === undefined) return null;
  const ok =
    type === 'utf8' ? typeof value === 'string' : type === 'bool' ? typeof value === 'boolean' : typeof value === 'number' || typeof value === 'bigint';
  if (!ok) throw new UdfTypeError(`udf '${name}' returned ${typeof value} ${JSON.stringify(String(value))}, but it was declared to return ${type}`);
  return typeof value === 'bigint' ? Number(value) : (value as Cell);
}

/** A UDF broke its declared return type; the engine reports it as bad input. */
export class UdfTypeError extends Error {}

/**
 * SQL ordering of two non-NULL cells of comparable types: numbers (and timestamps) numerically, strings by
 * Unicode code point (not UTF-16 unit, which differs for characters above U+FFFF), false < true.
 */
export function compareCells(a: Exclude<Cell, null>, b: Exclude<Cell, null>): number {
  if (typeof a === 'string' && typeof b === 'string') return compareCodePoints(a, b);
  if (typeof a === 'boolean' || typeof b === 'boolean') return Number(a) - Number(b);
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const len = Math.min(a.length, b.length);
  for (let i = 0; i < len; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      // A surrogate (U+D800–DFFF) encodes a code point above U+FFFF, so it sorts after every BMP character.
      const xs = x >= 0xd800 && x <= 0xdfff;
      const ys = y >= 0xd800 && y <= 0xdfff;
      if (xs !== ys) return xs ? 1 : -1;
      return x - y;
    }
  }
  return a.length - b.length;
}

/** SQL CAST of one cell, per the contract in plan/types.ts (unparsable strings become NULL). */
export function castCell(v: Cell, from: DataType, to: DataType): Cell {
  if (v === null) return null;
  // Text follows the contract's reading rules (plan/text.ts); int64 stays a JS number inside danfo.
  if (from === 'utf8') {
    const read = readText(v as string, to);
    return typeof read === 'bigint' ? Number(read) : read;
  }
  switch (to) {
    case 'int32':
    case 'int64': {
      // Out of range (and NaN, ±inf) is NULL, as DuckDB's TRY_CAST; the Arrow boundary would wrap an int32 around.
      return truncatedInteger(Number(v), to);
    }
    case 'float64':
      return Number(v);
    case 'timestamp':
      return isInteger(from) || from === 'timestamp' ? Number(v) : Math.trunc(Number(v));
    case 'utf8':
      if (from === 'timestamp') return timestampText(v as number);
      if (from === 'float64') return floatText(v as number);
      return String(v);
    case 'bool':
      return typeof v === 'boolean' ? v : Number(v) !== 0;
    default:
      return assertNever(to, 'data type');
  }
}
