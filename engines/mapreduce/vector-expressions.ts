// Vector expressions (Hive's VectorExpression): an expression compiled once per task into a loop over a batch's
// selected rows, writing into a result vector owned by the expression. Only expressions that have a vector form
// here compile; anything else throws NotVectorizable with the reason, and the map task runs row at a time
// (Hive's EXPLAIN VECTORIZATION prints the same kind of notVectorizedReason).
import { exprToString } from '../../plan/explain.ts';
import { typeOf } from '../../plan/schema.ts';
import { assertNever, type DataType, type Expr, type Schema } from '../../plan/types.ts';
import { compareBytes } from './bytes.ts';
import { BATCH_SIZE, type ColumnVector, type VectorizedRowBatch } from './vector.ts';

/** Why an expression (or operator, or job) has no vectorized form; the message says which part and why. */
export class NotVectorizable extends Error {
  override name = 'NotVectorizable';
}

/**
 * WARNING: the result is valid only at the batch's selected rows and only until the next `evaluate` of the same
 * expression. Every vector expression here is total (it never throws), so AND and OR may evaluate both sides
 * where the row path short-circuits: the answers agree.
 */
export interface VectorExpression {
  readonly type: DataType;
  evaluate(batch: VectorizedRowBatch): ColumnVector;
}

type BoolVector = Extract<ColumnVector, { type: 'bool' }>;
type Utf8Vector = Extract<ColumnVector, { type: 'utf8' }>;
/** Numeric-like vectors compared and combined through their values (bigint for int64, 0/1 for bool). */
type ValueVector = Exclude<ColumnVector, Utf8Vector>;

function boolResult(withNulls: boolean): BoolVector {
  return { type: 'bool', values: new Uint8Array(BATCH_SIZE), nulls: withNulls ? new Uint8Array(BATCH_SIZE) : null };
}

/** A literal as a constant vector, built once: every row of every batch reads the same value. */
function constantVector(type: DataType, value: unknown): ColumnVector {
  const nulls = value === null ? new Uint8Array(BATCH_SIZE).fill(1) : null;
  switch (type) {
    case 'int32':
      return { type, values: new Int32Array(BATCH_SIZE).fill(value === null ? 0 : Number(value)), nulls };
    case 'int64':
      return { type, values: new BigInt64Array(BATCH_SIZE).fill(value === null ? 0n : BigInt(value as bigint | number)), nulls };
    case 'float64':
    case 'timestamp':
      return { type, values: new Float64Array(BATCH_SIZE).fill(value === null ? 0 : Number(value)), nulls };
    case 'bool':
      return { type, values: new Uint8Array(BATCH_SIZE).fill(value ? 1 : 0), nulls };
    case 'utf8': {
      const bytes = value === null ? Buffer.alloc(0) : Buffer.from(String(value), 'utf8');
      return { type, bytes, starts: new Int32Array(BATCH_SIZE), ends: new Int32Array(BATCH_SIZE).fill(bytes.length), nulls };
    }
    default:
      return assertNever(type, 'data type');
  }
}

/** The comparison's outcome from a three-way compare result, as the row path's comparisonTest. */
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
 * Compiles `e` over batches whose columns follow `schema`; throws NotVectorizable when it has no vector form.
 * @example const pred = vectorizeExpr(col('value').gt(10).expr, schema); const v = pred.evaluate(batch);
 */
export function vectorizeExpr(e: Expr, schema: Schema): VectorExpression {
  switch (e.kind) {
    case 'column': {
      const idx = schema.findIndex((f) => f.name === e.name);
      if (idx < 0) throw new Error(`column '${e.name}' not found`);
      return { type: schema[idx]!.type, evaluate: (b) => b.cols[idx]! };
    }
    case 'literal': {
      const v = constantVector(e.type, e.value);
      return { type: e.type, evaluate: () => v };
    }
    case 'comparison': {
      const l = vectorizeExpr(e.left, schema);
      const r = vectorizeExpr(e.right, schema);
      const test = comparisonTest(e.op);
      const out = boolResult(true);
      const values = out.values;
      const nulls = out.nulls!;
      if (l.type === 'utf8') {
        // UTF-8 bytes order strings by code point, which is the row path's compareCodePoints order.
        return {
          type: 'bool',
          evaluate(b) {
            const x = l.evaluate(b) as Utf8Vector;
            const y = r.evaluate(b) as Utf8Vector;
            const sel = b.selected;
            for (let j = 0; j < b.size; j++) {
              const i = sel[j]!;
              if ((x.nulls !== null && x.nulls[i] === 1) || (y.nulls !== null && y.nulls[i] === 1)) {
                nulls[i] = 1;
                continue;
              }
              nulls[i] = 0;
              values[i] = test(compareBytes(x.bytes, x.starts[i]!, x.ends[i]!, y.bytes, y.starts[i]!, y.ends[i]!)) ? 1 : 0;
            }
            return out;
          },
        };
      }
      // An int64 against a float64 compares as doubles, as SQL does (DuckDB casts the BIGINT): 2^53 + 1 = 2^53.0.
      const asDoubles = (l.type === 'int64' && r.type === 'float64') || (l.type === 'float64' && r.type === 'int64');
      return {
        type: 'bool',
        evaluate(b) {
          const x = l.evaluate(b) as ValueVector;
          const y = r.evaluate(b) as ValueVector;
          const xv = x.values;
          const yv = y.values;
          const sel = b.selected;
          for (let j = 0; j < b.size; j++) {
            const i = sel[j]!;
            if ((x.nulls !== null && x.nulls[i] === 1) || (y.nulls !== null && y.nulls[i] === 1)) {
              nulls[i] = 1;
              continue;
            }
            nulls[i] = 0;
            const a = asDoubles ? Number(xv[i]!) : xv[i]!;
            const c = asDoubles ? Number(yv[i]!) : yv[i]!;
            // compareValues: NaN equals NaN and sorts above every number.
            const cmp = a < c ? -1 : a > c ? 1 : a !== a ? (c !== c ? 0 : 1) : c !== c ? -1 : 0;
            values[i] = test(cmp) ? 1 : 0;
          }
          return out;
        },
      };
    }
    case 'logical': {
      const l = vectorizeExpr(e.left, schema);
      const r = vectorizeExpr(e.right, schema);
      const out = boolResult(true);
      const values = out.values;
      const nulls = out.nulls!;
      // SQL's three-valued logic: AND is false if either side is false, OR true if either is true; else NULL
      // wins over the other value.
      const dominant = e.op === 'and' ? 0 : 1;
      return {
        type: 'bool',
        evaluate(b) {
          const x = l.evaluate(b) as BoolVector;
          const y = r.evaluate(b) as BoolVector;
          const sel = b.selected;
          for (let j = 0; j < b.size; j++) {
            const i = sel[j]!;
            const xn = x.nulls !== null && x.nulls[i] === 1;
            const yn = y.nulls !== null && y.nulls[i] === 1;
            if ((!xn && x.values[i] === dominant) || (!yn && y.values[i] === dominant)) {
              nulls[i] = 0;
              values[i] = dominant;
            } else if (xn || yn) {
              nulls[i] = 1;
            } else {
              nulls[i] = 0;
              values[i] = 1 - dominant;
            }
          }
          return out;
        },
      };
    }
    case 'not': {
      const o = vectorizeExpr(e.operand, schema);
      const out = boolResult(true);
      return {
        type: 'bool',
        evaluate(b) {
          const x = o.evaluate(b) as BoolVector;
          const sel = b.selected;
          for (let j = 0; j < b.size; j++) {
            const i = sel[j]!;
            out.nulls![i] = x.nulls !== null ? x.nulls[i]! : 0;
            out.values[i] = 1 - x.values[i]!;
          }
          return out;
        },
      };
    }
    case 'isNull': {
      const o = vectorizeExpr(e.operand, schema);
      const out = boolResult(false);
      const whenNull = e.negated ? 0 : 1;
      return {
        type: 'bool',
        evaluate(b) {
          const x = o.evaluate(b);
          const sel = b.selected;
          for (let j = 0; j < b.size; j++) {
            const i = sel[j]!;
            out.values[i] = x.nulls !== null && x.nulls[i] === 1 ? whenNull : 1 - whenNull;
          }
          return out;
        },
      };
    }
    case 'arithmetic': {
      const t = typeOf(e, schema);
      if (t !== 'float64') throw new NotVectorizable(`${exprToString(e)} is int64 arithmetic (a bigint per value)`);
      const l = vectorizeExpr(e.left, schema);
      const r = vectorizeExpr(e.right, schema);
      const out = { type: 'float64' as const, values: new Float64Array(BATCH_SIZE), nulls: new Uint8Array(BATCH_SIZE) };
      const values = out.values;
      const nulls = out.nulls;
      const op = e.op;
      // Division and modulo by zero give NULL, as the row path does; the rest is IEEE double arithmetic.
      const apply =
        op === '+' ? (x: number, y: number) => x + y
        : op === '-' ? (x: number, y: number) => x - y
        : op === '*' ? (x: number, y: number) => x * y
        : op === '/' ? (x: number, y: number) => (y === 0 ? null : x / y)
        : (x: number, y: number) => (y === 0 ? null : x % y);
      return {
        type: 'float64',
        evaluate(b) {
          const x = l.evaluate(b) as ValueVector;
          const y = r.evaluate(b) as ValueVector;
          const sel = b.selected;
          for (let j = 0; j < b.size; j++) {
            const i = sel[j]!;
            if ((x.nulls !== null && x.nulls[i] === 1) || (y.nulls !== null && y.nulls[i] === 1)) {
              nulls[i] = 1;
              continue;
            }
            const v = apply(Number(x.values[i]), Number(y.values[i]));
            if (v === null) nulls[i] = 1;
            else {
              nulls[i] = 0;
              values[i] = v;
            }
          }
          return out;
        },
      };
    }
    case 'cast':
      throw new NotVectorizable(`${exprToString(e)}: CAST has no vector form here`);
    case 'case':
      throw new NotVectorizable(`${exprToString(e)}: CASE has no vector form here`);
    case 'udf':
      throw new NotVectorizable(`UDF ${e.name} runs one row at a time`);
    default:
      return assertNever(e, 'expression');
  }
}
