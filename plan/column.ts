// Column expressions with PySpark's names (col, lit, when, udf, and the Column methods), producing plain Expr data.
// TypeScript has no operator overloading, so `price * quantity` is written `col('price').multiply(col('quantity'))`.
import type { AggregateFn, DataType, Expr, LiteralValue } from './types.ts';

export type ColumnLike = Column | string;
export type ValueLike = Column | LiteralValue | Date;

/** An expression being built; `.expr` is the immutable plan data. */
export class Column {
  constructor(
    readonly expr: Expr,
    /** The output name this column gets in a select, unless renamed by alias(). */
    readonly outputName: string,
  ) {}

  /** SQL `expr AS name`. */
  alias(name: string): Column {
    return new Column(this.expr, name);
  }
  plus(other: ValueLike): Column {
    return this.arith('+', other);
  }
  minus(other: ValueLike): Column {
    return this.arith('-', other);
  }
  multiply(other: ValueLike): Column {
    return this.arith('*', other);
  }
  divide(other: ValueLike): Column {
    return this.arith('/', other);
  }
  mod(other: ValueLike): Column {
    return this.arith('%', other);
  }
  eq(other: ValueLike): Column {
    return this.cmp('=', other);
  }
  neq(other: ValueLike): Column {
    return this.cmp('!=', other);
  }
  lt(other: ValueLike): Column {
    return this.cmp('<', other);
  }
  le(other: ValueLike): Column {
    return this.cmp('<=', other);
  }
  gt(other: ValueLike): Column {
    return this.cmp('>', other);
  }
  ge(other: ValueLike): Column {
    return this.cmp('>=', other);
  }
  /** `lo <= this AND this <= hi`, as PySpark's between (inclusive on both ends). */
  between(lo: ValueLike, hi: ValueLike): Column {
    return this.ge(lo).and(this.le(hi));
  }
  and(other: Column): Column {
    return new Column({ kind: 'logical', op: 'and', left: this.expr, right: other.expr }, `(${this.outputName} AND ${other.outputName})`);
  }
  or(other: Column): Column {
    return new Column({ kind: 'logical', op: 'or', left: this.expr, right: other.expr }, `(${this.outputName} OR ${other.outputName})`);
  }
  not(): Column {
    return new Column({ kind: 'not', operand: this.expr }, `(NOT ${this.outputName})`);
  }
  isNull(): Column {
    return new Column({ kind: 'isNull', operand: this.expr, negated: false }, `(${this.outputName} IS NULL)`);
  }
  isNotNull(): Column {
    return new Column({ kind: 'isNull', operand: this.expr, negated: true }, `(${this.outputName} IS NOT NULL)`);
  }
  cast(to: DataType): Column {
    return new Column({ kind: 'cast', operand: this.expr, to }, this.outputName);
  }

  private arith(op: '+' | '-' | '*' | '/' | '%', other: ValueLike): Column {
    const o = toColumn(other);
    return new Column({ kind: 'arithmetic', op, left: this.expr, right: o.expr }, `(${this.outputName} ${op} ${o.outputName})`);
  }
  private cmp(op: '=' | '!=' | '<' | '<=' | '>' | '>=', other: ValueLike): Column {
    const o = toColumn(other);
    return new Column({ kind: 'comparison', op, left: this.expr, right: o.expr }, `(${this.outputName} ${op} ${o.outputName})`);
  }
}

/**
 * A reference to an input column.
 * @example df.filter(col('quantity').gt(0))
 */
export function col(name: string): Column {
  return new Column({ kind: 'column', name }, name);
}

/**
 * A literal. Numbers that are integers become int32 when they fit (else int64 via bigint), other numbers
 * float64, bigint int64, Date a timestamp. Pass `type` to force one, e.g. `lit(0, 'float64')`.
 * @example col('fare_amount').gt(lit(10.5))
 */
export function lit(value: LiteralValue | Date, type?: DataType): Column {
  if (value instanceof Date) return new Column({ kind: 'literal', value: value.getTime(), type: 'timestamp' }, value.toISOString());
  const t = type ?? inferLiteralType(value);
  const v = t === 'int64' && typeof value === 'number' ? BigInt(value) : value;
  return new Column({ kind: 'literal', value: v, type: t }, String(value));
}

/** A timestamp literal from an ISO-8601 string read as UTC, e.g. `timestamp('2020-06-01')`. */
export function timestamp(iso: string): Column {
  const ms = Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(iso) || iso.length <= 10 ? iso : `${iso}Z`);
  if (Number.isNaN(ms)) throw new Error(`'${iso}' is not an ISO-8601 date or timestamp (e.g. 2020-06-01 or 2020-06-01T12:00:00)`);
  return new Column({ kind: 'literal', value: ms, type: 'timestamp' }, iso);
}

function inferLiteralType(value: LiteralValue): DataType {
  switch (typeof value) {
    case 'number':
      return Number.isInteger(value) && Math.abs(value) <= 2147483647 ? 'int32' : Number.isInteger(value) ? 'int64' : 'float64';
    case 'bigint':
      return 'int64';
    case 'string':
      return 'utf8';
    case 'boolean':
      return 'bool';
    default:
      throw new Error('lit(null) needs a type, e.g. lit(null, "utf8")');
  }
}

export function toColumn(v: ValueLike): Column {
  return v instanceof Column ? v : lit(v);
}

export function toColumnRef(v: ColumnLike): Column {
  return typeof v === 'string' ? col(v) : v;
}

/** `CASE WHEN` builder: `when(cond, value).when(cond2, value2).otherwise(other)`. */
export class CaseBuilder {
  constructor(private readonly branches: readonly { when: Expr; then: Expr }[]) {}
  when(condition: Column, value: ValueLike): CaseBuilder {
    return new CaseBuilder([...this.branches, { when: condition.expr, then: toColumn(value).expr }]);
  }
  otherwise(value: ValueLike): Column {
    return new Column({ kind: 'case', branches: this.branches, otherwise: toColumn(value).expr }, 'CASE');
  }
}

/**
 * PySpark's `F.when`. Finish with `.otherwise(value)` (use `lit(null, type)` for no value).
 * @example when(col('op').eq('D'), col('ts')).otherwise(lit(null, 'timestamp')).alias('deleted_at')
 */
export function when(condition: Column, value: ValueLike): CaseBuilder {
  return new CaseBuilder([]).when(condition, value);
}

/** An aggregate being built: `sum('amount').alias('total')`. */
export class AggregateColumn {
  constructor(
    readonly fn: AggregateFn,
    readonly arg: Expr | null,
    readonly outputName: string,
  ) {}
  alias(name: string): AggregateColumn {
    return new AggregateColumn(this.fn, this.arg, name);
  }
}

function aggregate(fn: AggregateFn, c: ColumnLike): AggregateColumn {
  const column = toColumnRef(c);
  return new AggregateColumn(fn, column.expr, `${fn}(${column.outputName})`);
}

/** `count()` is COUNT(*); `count('x')` counts non-null x. */
export function count(c?: ColumnLike): AggregateColumn {
  return c === undefined ? new AggregateColumn('count', null, 'count') : aggregate('count', c);
}
export function sum(c: ColumnLike): AggregateColumn {
  return aggregate('sum', c);
}
export function avg(c: ColumnLike): AggregateColumn {
  return aggregate('avg', c);
}
export function min(c: ColumnLike): AggregateColumn {
  return aggregate('min', c);
}
export function max(c: ColumnLike): AggregateColumn {
  return aggregate('max', c);
}

/** A registered user-defined function; call it on columns to build an expression. */
export interface UserDefinedFunction {
  (...args: ColumnLike[]): Column;
  readonly udfName: string;
  readonly returnType: DataType;
  readonly fn: (...args: any[]) => LiteralValue;
}

/**
 * PySpark's `udf(f, returnType)`. The function must be self-contained (no captured variables): engines may
 * ship its source to worker threads or another process.
 * @example const toUpper = udf((s: string | null) => s?.toUpperCase() ?? null, 'utf8', 'to_upper');
 *          df.withColumn('country', toUpper('country'))
 */
export function udf(fn: (...args: any[]) => LiteralValue, returnType: DataType, name = fn.name || 'udf'): UserDefinedFunction {
  const call = (...args: ColumnLike[]): Column => {
    const cols = args.map(toColumnRef);
    return new Column(
      { kind: 'udf', name, fn, returnType, args: cols.map((c) => c.expr) },
      `${name}(${cols.map((c) => c.outputName).join(', ')})`,
    );
  };
  return Object.assign(call, { udfName: name, returnType, fn });
}

/**
 * `fn` applied to row `row` of its argument columns (arrays of values, one per argument), for engines that hold a
 * UDF's arguments that way. One- and two-argument functions, the common ones, are called without building an
 * argument array per row (that array was a quarter of Polars' udf-upper time at 1e6 rows).
 * @example const call = udfRowCaller(udf.fn, [names]); for (let row = 0; row < n; row++) out[row] = call(row);
 */
export function udfRowCaller(fn: (...args: any[]) => LiteralValue, columns: readonly ArrayLike<unknown>[]): (row: number) => LiteralValue {
  const [a0, a1] = columns;
  if (columns.length === 1) return (row) => fn(a0![row]);
  if (columns.length === 2) return (row) => fn(a0![row], a1![row]);
  const argv = new Array<unknown>(columns.length);
  return (row) => {
    for (let c = 0; c < columns.length; c++) argv[c] = columns[c]![row];
    return fn(...argv);
  };
}
