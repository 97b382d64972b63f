// Logical expressions and aggregates → Polars expressions. Polars' own rules differ from the contract in a few
// places (floored `%`, integer `/`, Int32 sums, sum of nothing = 0, UInt32 counts); each is corrected here so
// that every translated expression yields exactly the contract's type and NULL behaviour.
import pl from 'nodejs-polars';
import { aggregateType, commonType, isInteger, typeOf } from '../../plan/schema.ts';
import { assertNever, type Aggregate, type DataType, type Expr, type LiteralValue, type Schema, type ScalarUdf } from '../../plan/types.ts';
import { BLANKS, FALSE_WORDS, INTEGER_PATTERN, NUMBER_PATTERN, TIMESTAMP_PATTERN, TRUE_WORDS } from '../../plan/text.ts';
import { polarsType } from './arrow-bridge.ts';

/** Where each UDF call's values were computed (a column of the current frame); see udf.ts. */
export type UdfColumns = ReadonlyMap<ScalarUdf, string>;

const NO_UDFS: UdfColumns = new Map();

/** A typed NULL, or a typed constant. */
export function literal(value: LiteralValue, type: DataType): pl.Expr {
  if (value === null) return pl.lit(null).cast(polarsType(type));
  switch (type) {
    case 'int64':
      return pl.lit(BigInt(value as number | bigint)).cast(pl.Int64);
    case 'timestamp':
      // WARNING: via Int64, since a JS number literal may arrive as Float64, which does not cast to Datetime.
      return pl.lit(BigInt(Math.trunc(Number(value)))).cast(pl.Int64).cast(pl.Datetime('ms'));
    case 'int32':
    case 'float64':
    case 'utf8':
    case 'bool':
      return pl.lit(value).cast(polarsType(type));
    default:
      return assertNever(type, 'data type');
  }
}

/**
 * Translate `expr`, evaluated over rows of `schema`, to a Polars expression of exactly typeOf(expr, schema).
 * @example toPolarsExpr(col('price').multiply(col('quantity')).expr, schema) // Int64 or Float64 product
 */
export function toPolarsExpr(expr: Expr, schema: Schema, udfs: UdfColumns = NO_UDFS): pl.Expr {
  const rec = (e: Expr): pl.Expr => toPolarsExpr(e, schema, udfs);
  switch (expr.kind) {
    case 'column':
      return pl.col(expr.name);
    case 'literal':
      return literal(expr.value, expr.type);
    case 'arithmetic': {
      const t = typeOf(expr, schema);
      const pt = polarsType(t);
      const l = rec(expr.left).cast(pt);
      const r = rec(expr.right).cast(pt);
      const op = expr.op;
      switch (op) {
        case '+':
          return l.plus(r);
        case '-':
          return l.minus(r);
        case '*':
          return l.multiplyBy(r);
        case '/':
          // Division by zero is NULL (contract), not ±inf/NaN (IEEE, Polars' choice).
          return pl.when(r.eq(pl.lit(0))).then(literal(null, t)).otherwise(l.divideBy(r));
        case '%': {
          // Polars' % is floored (sign of the divisor); the contract's is truncated (sign of the dividend).
          const magnitude = l.abs().modulo(r.abs());
          return pl
            .when(r.eq(pl.lit(0)))
            .then(literal(null, t))
            .when(l.lt(pl.lit(0)))
            .then(literal(0, t).minus(magnitude))
            .otherwise(magnitude);
        }
        default:
          return assertNever(op, 'arithmetic operator');
      }
    }
    case 'comparison': {
      const lt = typeOf(expr.left, schema);
      const rt = typeOf(expr.right, schema);
      let l = rec(expr.left);
      let r = rec(expr.right);
      if (lt !== rt) {
        const common = polarsType(commonType([lt, rt]));
        l = l.cast(common);
        r = r.cast(common);
      }
      const op = expr.op;
      switch (op) {
        case '=':
          return l.eq(r);
        case '!=':
          return l.neq(r);
        case '<':
          return l.lt(r);
        case '<=':
          return l.ltEq(r);
        case '>':
          return l.gt(r);
        case '>=':
          return l.gtEq(r);
        default:
          return assertNever(op, 'comparison operator');
      }
    }
    case 'logical':
      // Polars' and/or on booleans follow Kleene logic, as SQL does.
      return expr.op === 'and' ? rec(expr.left).and(rec(expr.right)) : rec(expr.left).or(rec(expr.right));
    case 'not':
      return rec(expr.operand).not();
    case 'isNull':
      return expr.negated ? rec(expr.operand).isNotNull() : rec(expr.operand).isNull();
    case 'cast':
      return castTo(rec(expr.operand), typeOf(expr.operand, schema), expr.to);
    case 'case': {
      const t = polarsType(typeOf(expr, schema));
      const [first, ...rest] = expr.branches;
      // A NULL condition is not TRUE, so Polars falls through to the next branch, as SQL's CASE does.
      let chain = pl.when(rec(first!.when)).then(rec(first!.then).cast(t));
      for (const b of rest) chain = chain.when(rec(b.when)).then(rec(b.then).cast(t));
      return chain.otherwise(rec(expr.otherwise).cast(t));
    }
    case 'udf': {
      const column = udfs.get(expr);
      if (!column) throw new Error(`internal: UDF '${expr.name}' was not evaluated before translation`);
      return pl.col(column);
    }
    default:
      return assertNever(expr, 'expression');
  }
}

const NULL = pl.lit(null);

/**
 * Text read by the contract's rules (plan/text.ts), each parse guarded by the contract's pattern: Polars' own casts
 * read ' 12 ' as NULL and text as a boolean not at all.
 */
function castText(value: pl.Expr, to: DataType): pl.Expr {
  const text = value.str.stripChars(BLANKS);
  const double = text.cast(pl.Float64, false);
  const number = pl.when(text.str.contains(NUMBER_PATTERN).and(double.isFinite())).then(double).otherwise(NULL);
  switch (to) {
    case 'float64':
      return number;
    case 'int32':
    case 'int64':
      // An integer literal exactly (through Int64, then range-checked); other numbers as a double, truncated.
      return pl.when(text.str.contains(INTEGER_PATTERN)).then(text.cast(pl.Int64, false).cast(polarsType(to), false)).otherwise(number.cast(polarsType(to), false));
    case 'bool': {
      const word = text.str.toLowerCase();
      return pl.when(word.isIn(TRUE_WORDS)).then(pl.lit(true)).when(word.isIn(FALSE_WORDS)).then(pl.lit(false)).otherwise(NULL).cast(pl.Bool);
    }
    case 'timestamp': {
      // One layout for strptime: T as a space, no Z, seconds and a fraction always present.
      const uniform = text.str.replace('T', ' ').str.replace('Z$', '').str.replace('^([0-9-]{10})$', '${1} 00:00').str.replace(' ([0-9]{2}:[0-9]{2})$', ' ${1}:00');
      const withFraction = pl.when(uniform.str.contains('[.]')).then(uniform).otherwise(uniform.add(pl.lit('.0')));
      const parsed = withFraction.str.replace('([.][0-9]{3})[0-9]+$', '${1}').str.strptime(pl.Datetime('ms'), '%Y-%m-%d %H:%M:%S%.f');
      return pl.when(text.str.contains(TIMESTAMP_PATTERN)).then(parsed).otherwise(NULL);
    }
    case 'utf8':
      return value;
    default:
      return assertNever(to, 'data type');
  }
}

/** A timestamp as the contract writes it: YYYY-MM-DD HH:MM:SS, then .fff without trailing zeros when not .000. */
function timestampText(value: pl.Expr): pl.Expr {
  const ms = value.cast(pl.Int64);
  const whole = value.date.strftime('%Y-%m-%d %H:%M:%S');
  const withMillis = value.date.strftime('%Y-%m-%d %H:%M:%S%.3f').str.replace('0+$', '');
  return pl.when(ms.modulo(1000).eq(0)).then(whole).otherwise(withMillis);
}

/**
 * A float as the contract writes it. Polars already writes the shortest digits, with '.0' on whole numbers and
 * scientific notation outside 1e-5 ≤ |x| < 1e16; the contract (DuckDB's text) also writes 1e-5 ≤ |x| < 1e-4 in
 * scientific notation and pads the exponent to two digits.
 */
function floatText(value: pl.Expr): pl.Expr {
  const text = value.cast(pl.String);
  const padded = text.str.replace('e([+-])([0-9])$', 'e${1}0${2}');
  const small = text.str.replace('^(-?)0[.]0000([0-9])([0-9]*)$', '${1}${2}.${3}e-05').str.replace('[.]e', 'e');
  const abs = value.abs();
  return pl.when(abs.gtEq(1e-5).and(abs.lt(1e-4))).then(small).otherwise(padded);
}

/**
 * CAST with the contract's rules: float → int truncates, unparsable strings and out-of-range values become NULL
 * (non-strict casts), timestamp ↔ integer is milliseconds since the epoch.
 */
function castTo(value: pl.Expr, from: DataType, to: DataType): pl.Expr {
  if (from === to) return value;
  if (from === 'utf8') return castText(value, to);
  if (to === 'utf8' && from === 'timestamp') return timestampText(value);
  if (to === 'utf8' && from === 'float64') return floatText(value);
  if (to === 'timestamp') {
    return value.cast(pl.Int64, false).cast(pl.Datetime('ms'), false);
  }
  if (from === 'timestamp' && to !== 'utf8') {
    return value.cast(pl.Int64, false).cast(polarsType(to), false);
  }
  return value.cast(polarsType(to), false);
}

/** One aggregate as a Polars aggregation expression named `agg.name`, of exactly aggregateType(agg). */
export function toPolarsAggregate(agg: Aggregate, schema: Schema, udfs: UdfColumns = NO_UDFS): pl.Expr {
  const t = aggregateType(agg, schema);
  if (agg.arg === null) return pl.len().cast(pl.Int64).alias(agg.name);
  const arg = toPolarsExpr(agg.arg, schema, udfs);
  const argType = typeOf(agg.arg, schema);
  switch (agg.fn) {
    case 'count':
      return arg.count().cast(pl.Int64).alias(agg.name);
    case 'sum': {
      // Widen before summing (Polars sums Int32 as Int32 and can overflow); sum of no values is NULL, not 0.
      const widened = isInteger(argType) ? arg.cast(pl.Int64) : arg;
      return pl.when(arg.count().eq(pl.lit(0))).then(literal(null, t)).otherwise(widened.sum()).alias(agg.name);
    }
    case 'avg':
      return arg.cast(pl.Float64).mean().alias(agg.name);
    case 'min':
      return arg.min().cast(polarsType(t)).alias(agg.name);
    case 'max':
      return arg.max().cast(polarsType(t)).alias(agg.name);
    default:
      return assertNever(agg.fn, 'aggregate function');
  }
}
