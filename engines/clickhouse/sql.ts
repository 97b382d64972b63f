// The logical plan → ClickHouse SQL, one nested SELECT per plan node. ClickHouse's own defaults differ from the
// contract (UInt8 comparisons, NaN averages of nothing, exceptions on integer division by zero, Int32 + Int32
// overflow rules), so every expression is written to yield exactly the contract's type and NULL behaviour.
import { aggregateType, commonType, fieldOf, isInteger, outputSchema, typeOf } from '../../plan/schema.ts';
import { assertNever, exprChildren, type Aggregate, type DataType, type Expr, type LiteralValue, type PlanNode, type ScalarUdf, type Schema, type SortKey } from '../../plan/types.ts';
import { FALSE_WORDS, INTEGER_PATTERN, NUMBER_PATTERN, TIMESTAMP_PATTERN, TRUE_WORDS } from '../../plan/text.ts';

/**
 * What the target ClickHouse release can do. Modern releases (chDB, servers ≥ 21.x) have DateTime64, Bool and
 * accurateCastOrNull; the 18.16 server Debian ships has none of them, so there timestamps are stored as Int64
 * milliseconds and booleans as UInt8 (the plan has no date functions, so ms integers order and compare the same).
 */
export interface ClickHouseDialect {
  readonly dateTime64: boolean;
  readonly boolType: boolean;
  readonly accurateCast: boolean;
  readonly kleeneLogic: boolean;
}

export const MODERN_DIALECT: ClickHouseDialect = { dateTime64: true, boolType: true, accurateCast: true, kleeneLogic: true };
export const LEGACY_DIALECT: ClickHouseDialect = { dateTime64: false, boolType: false, accurateCast: false, kleeneLogic: false };

/**
 * The SQL name of each JavaScript UDF of a plan, installed beforehand as a ClickHouse executable UDF
 * (executable-udf.ts). Absent where the backend cannot run them.
 */
export type UdfNames = (udf: ScalarUdf) => string;

/** Quote an identifier (backticks; backslash and backtick escaped). */
export function ident(name: string): string {
  return '`' + name.replace(/\\/g, '\\\\').replace(/`/g, '\\`') + '`';
}

/** A ClickHouse string literal. */
export function stringLiteral(value: string): string {
  return "'" + value.replace(/\\/g, '\\\\').replace(/'/g, "\\'") + "'";
}

/** The (non-Nullable) ClickHouse type a logical type is stored as. */
export function clickhouseType(t: DataType, dialect: ClickHouseDialect): string {
  switch (t) {
    case 'int32':
      return 'Int32';
    case 'int64':
      return 'Int64';
    case 'float64':
      return 'Float64';
    case 'utf8':
      return 'String';
    case 'bool':
      return dialect.boolType ? 'Bool' : 'UInt8';
    case 'timestamp':
      return dialect.dateTime64 ? "DateTime64(3, 'UTC')" : 'Int64';
    default:
      return assertNever(t, 'data type');
  }
}

function nullable(t: DataType, dialect: ClickHouseDialect): string {
  return `Nullable(${clickhouseType(t, dialect)})`;
}

function castAs(sql: string, t: DataType, dialect: ClickHouseDialect): string {
  return `CAST(${sql} AS ${nullable(t, dialect)})`;
}

/** A typed constant (typed NULL for null). */
export function literalSql(value: LiteralValue, type: DataType, dialect: ClickHouseDialect): string {
  if (value === null) return `CAST(NULL AS ${nullable(type, dialect)})`;
  switch (type) {
    case 'int32':
      return `toInt32(${Number(value)})`;
    case 'int64':
      return `toInt64(${BigInt(value as number | bigint).toString()})`;
    case 'float64': {
      const n = Number(value);
      if (Number.isNaN(n)) return 'nan';
      if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
      return `toFloat64(${String(n)})`;
    }
    case 'utf8':
      return stringLiteral(String(value));
    case 'bool':
      return dialect.boolType ? (value ? 'true' : 'false') : value ? 'toUInt8(1)' : 'toUInt8(0)';
    case 'timestamp': {
      const ms = BigInt(Math.trunc(Number(value))).toString();
      return dialect.dateTime64 ? `fromUnixTimestamp64Milli(toInt64(${ms}), 'UTC')` : `toInt64(${ms})`;
    }
    default:
      return assertNever(type, 'data type');
  }
}

/**
 * Translate `expr`, evaluated over rows of `schema`, to ClickHouse SQL of exactly typeOf(expr, schema).
 * @example exprToSql(col('a').divide(col('b')).expr, schema, MODERN_DIALECT) // a / nullIf(b, 0) as Float64
 */
export function exprToSql(expr: Expr, schema: Schema, dialect: ClickHouseDialect, udfs?: UdfNames): string {
  const rec = (e: Expr): string => exprToSql(e, schema, dialect, udfs);
  switch (expr.kind) {
    case 'column':
      return ident(expr.name);
    case 'literal':
      return literalSql(expr.value, expr.type, dialect);
    case 'arithmetic': {
      const t = typeOf(expr, schema);
      const l = castAs(rec(expr.left), t, dialect);
      const r = castAs(rec(expr.right), t, dialect);
      const op = expr.op;
      switch (op) {
        case '+':
        case '-':
        case '*':
          return `(${l} ${op} ${r})`;
        case '/':
          // nullIf turns a zero divisor into NULL, so x / 0 is NULL (contract) rather than inf or an exception.
          return castAs(`(${l} / nullIf(${r}, 0))`, t, dialect);
        case '%':
          // ClickHouse's % is truncated (sign of the dividend), as the contract wants. WARNING: the divisor must
          // never be 0 even under NULL: older releases evaluate integer % on NULL rows' default values and throw.
          return castAs(`if(ifNull(${r}, 0) = 0, NULL, ${l} % ifNull(nullIf(${r}, 0), 1))`, t, dialect);
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
        const common = commonType([lt, rt]);
        l = castAs(l, common, dialect);
        r = castAs(r, common, dialect);
      }
      const op = expr.op;
      switch (op) {
        case '=':
        case '!=':
        case '<':
        case '<=':
        case '>':
        case '>=':
          return boolOf(`(${l} ${op} ${r})`, dialect);
        default:
          return assertNever(op, 'comparison operator');
      }
    }
    case 'logical': {
      const l = rec(expr.left);
      const r = rec(expr.right);
      // Modern ClickHouse's and/or on Nullable follow Kleene logic (NULL AND false = false, NULL OR true = true).
      if (dialect.kleeneLogic) return boolOf(`(${l} ${expr.op === 'and' ? 'AND' : 'OR'} ${r})`, dialect);
      // 18.16 gives NULL AND false = NULL and NULL OR NULL = false, so Kleene logic is spelled out.
      const decisive = expr.op === 'and' ? 0 : 1;
      const isDecisive = (x: string): string => `(ifNull(${x}, ${1 - decisive}) ${decisive === 0 ? '=' : '!='} 0)`;
      return `multiIf(${isDecisive(l)} OR ${isDecisive(r)}, toUInt8(${decisive}), isNull(${l}) OR isNull(${r}), CAST(NULL AS Nullable(UInt8)), toUInt8(${1 - decisive}))`;
    }
    case 'not':
      return boolOf(`(NOT ${rec(expr.operand)})`, dialect);
    case 'isNull':
      return boolOf(`${expr.negated ? 'isNotNull' : 'isNull'}(${rec(expr.operand)})`, dialect);
    case 'cast':
      return castSql(rec(expr.operand), typeOf(expr.operand, schema), expr.to, dialect);
    case 'case': {
      const t = typeOf(expr, schema);
      const branches = expr.branches.map((b) => `WHEN ${rec(b.when)} THEN ${castAs(rec(b.then), t, dialect)}`).join(' ');
      return `(CASE ${branches} ELSE ${castAs(rec(expr.otherwise), t, dialect)} END)`;
    }
    case 'udf': {
      // An executable UDF: arguments and result cross as the wire types the script's declaration names.
      if (!udfs) throw new Error(`the JavaScript UDF '${expr.name}' was not installed as a ClickHouse executable UDF before translating the plan`);
      const args = expr.args.map((a) => udfArgSql(rec(a), typeOf(a, schema), dialect));
      const call = `${ident(udfs(expr))}(${args.join(', ')})`;
      return expr.returnType === 'timestamp' ? `fromUnixTimestamp64Milli(${call}, 'UTC')` : call;
    }
    default:
      return assertNever(expr, 'expression');
  }
}

/**
 * The (non-Nullable) ClickHouse type a value has between ClickHouse and a UDF script: timestamps travel as Int64
 * milliseconds since the epoch — the number the function receives — rather than DateTime64 text.
 */
export function udfWireType(t: DataType): string {
  return t === 'timestamp' ? 'Int64' : clickhouseType(t, MODERN_DIALECT);
}

function udfArgSql(sql: string, t: DataType, dialect: ClickHouseDialect): string {
  return t === 'timestamp' ? `toUnixTimestamp64Milli(${sql})` : castAs(sql, t, dialect);
}

/** Comparisons and logic yield UInt8 in ClickHouse; the contract's bool is Bool where the release has it. */
function boolOf(sql: string, dialect: ClickHouseDialect): string {
  return dialect.boolType ? castAs(sql, 'bool', dialect) : sql;
}

/**
 * Text read by the contract's rules (plan/text.ts), each parse guarded by the contract's pattern: ClickHouse's own
 * parsers read ' 12 ' and '12.7' as NULL integers and take more as dates than the contract does. (Blanks are cut with
 * replaceRegexpAll, as the 18.16 server has no trimBoth.)
 */
function castText(sql: string, to: DataType, dialect: ClickHouseDialect): string {
  const text = `replaceRegexpAll(${sql}, '^[ \\t\\r\\n]+|[ \\t\\r\\n]+$', '')`;
  const matches = (pattern: string): string => `match(${text}, ${stringLiteral(pattern)})`;
  // Read only where a guard matched: non-Nullable; numbers without the '+' 18.16's toFloat64 rejects.
  const plain = `assumeNotNull(${text})`;
  const bare = `replaceRegexpOne(${plain}, '^[+]', '')`;
  const double = guard(`${matches(NUMBER_PATTERN)} AND isFinite(toFloat64OrZero(${bare}))`, `toFloat64OrZero(${bare})`);
  switch (to) {
    case 'float64':
      return double;
    case 'int32':
    case 'int64': {
      // An integer literal exactly, if its digits fit Int64 (toInt64 would wrap around); other numbers as a double,
      // truncated. Digits are compared as text: as a double, 2^63 - 1 and 2^63 are one value.
      const digits = `replaceRegexpOne(replaceRegexpOne(${bare}, '^-', ''), '^0+([0-9])', ${stringLiteral('\\1')})`;
      const limit = `if(startsWith(${bare}, '-'), '9223372036854775808', '9223372036854775807')`;
      const fits = `(length(${digits}) < 19 OR (length(${digits}) = 19 AND ${digits} <= ${limit}))`;
      const int64 = `toInt64OrZero(${bare})`;
      const literal = to === 'int64'
        ? guard(`${matches(INTEGER_PATTERN)} AND ${fits}`, int64)
        : guard(`${matches(INTEGER_PATTERN)} AND ${fits} AND ${int64} >= -2147483648 AND ${int64} <= 2147483647`, `toInt32(${int64})`);
      return `if(ifNull(${matches(INTEGER_PATTERN)}, 0), ${literal}, ${castSql(double, 'float64', to, dialect)})`;
    }
    case 'bool': {
      const word = `lower(${plain})`;
      const list = (words: readonly string[]) => words.map(stringLiteral).join(', ');
      return castAs(`multiIf(${text} IS NULL, NULL, ${word} IN (${list(TRUE_WORDS)}), 1, ${word} IN (${list(FALSE_WORDS)}), 0, NULL)`, 'bool', dialect);
    }
    case 'timestamp': {
      if (dialect.dateTime64) return guard(matches(TIMESTAMP_PATTERN), `parseDateTime64BestEffortOrNull(${plain}, 3, 'UTC')`);
      // 18.16 has no DateTime64: whole seconds from its parser, the milliseconds from the text's fraction.
      const parsed = `parseDateTimeBestEffortOrNull(${plain}, 'UTC')`;
      const millis = `toInt64OrZero(substring(concat(extract(${plain}, '[.]([0-9]+)'), '000'), 1, 3))`;
      // Its parser rolls a day past the month's end over (2021-02-30 is 2 March): the day must read back.
      const sameDay = `toDayOfMonth(assumeNotNull(${parsed})) = toUInt8OrZero(substring(${plain}, 9, 2))`;
      return guard(`${matches(TIMESTAMP_PATTERN)} AND isNotNull(${parsed}) AND ${sameDay}`, `toInt64(toUnixTimestamp(assumeNotNull(${parsed}))) * 1000 + ${millis}`);
    }
    case 'utf8':
      return sql;
    default:
      return assertNever(to, 'data type');
  }
}

/** `value` where `condition` is true, else NULL; a NULL condition counts as false (18.16's if() refuses one). */
function guard(condition: string, value: string): string {
  return `if(ifNull(${condition}, 0), ${value}, NULL)`;
}

/**
 * A float as the contract writes it (plan/text.ts: DuckDB's text). ClickHouse writes the same shortest digits, but
 * in fixed notation for 1e-6 ≤ |x| < 1e21, without '.0' on whole numbers, and with exponents such as 'e21'; the
 * digits are moved into the contract's notation with string functions the 18.16 server has too.
 */
function floatText(sql: string): string {
  const s = `toString(${sql})`;
  const sign = `if(${sql} < 0, '-', '')`;
  const unsigned = `replaceRegexpOne(${s}, '^-', '')`;
  /** d, or d.ddd from the significant digits `digits`. */
  const mantissa = (digits: string): string => `if(length(${digits}) = 1, ${digits}, concat(substring(${digits}, 1, 1), '.', substring(${digits}, 2)))`;
  // 1e16 ≤ |x| < 1e21: a whole number, all digits before the point.
  const bigDigits = `replaceRegexpOne(${unsigned}, '0+$', '')`;
  const big = `concat(${sign}, ${mantissa(bigDigits)}, 'e+', toString(length(${unsigned}) - 1))`;
  // 1e-6 ≤ |x| < 1e-4: '0.0000ddd', the exponent from the zeros after the point.
  const fraction = `substring(${unsigned}, 3)`;
  const smallDigits = `replaceRegexpOne(${fraction}, '^0+', '')`;
  const small = `concat(${sign}, ${mantissa(smallDigits)}, 'e-0', toString(length(${fraction}) - length(${smallDigits}) + 1))`;
  // ClickHouse's own exponent, 'e21' or 'e-7', as 'e+21' and 'e-07'.
  const exponent = `replaceRegexpOne(replaceRegexpOne(${s}, 'e([0-9]+)$', ${stringLiteral('e+\\1')}), 'e([+-])([0-9])$', ${stringLiteral('e\\10\\2')})`;
  return `multiIf(${sql} IS NULL, NULL, NOT isFinite(${sql}), ${s}, position(${s}, 'e') > 0, ${exponent}, abs(${sql}) >= 1e16, ${big}, ${sql} != 0 AND abs(${sql}) < 1e-4, ${small}, position(${s}, '.') > 0, ${s}, concat(${s}, '.0'))`;
}

/** A timestamp as the contract writes it: YYYY-MM-DD HH:MM:SS, then .fff without trailing zeros when not .000. */
function timestampText(sql: string, dialect: ClickHouseDialect): string {
  // DateTime64(3) writes .fff always; 18.16 keeps timestamps as Int64 ms (its DateTime holds 1970-2106 only).
  const text = dialect.dateTime64 ? `toString(${sql})` : legacyTimestampText(sql);
  return `replaceRegexpOne(replaceRegexpOne(${text}, '0+$', ''), '[.]$', '')`;
}

/**
 * 'YYYY-MM-DD HH:MM:SS.fff' from ms since the epoch by integer arithmetic (the days-to-civil-date algorithm of
 * Howard Hinnant's date library), for any year 0-9999, where 18.16's DateTime would wrap around.
 */
function legacyTimestampText(ms: string): string {
  const floorDiv = (a: string, b: number): string => `toInt64(floor((${a}) / ${b}))`;
  const days = floorDiv(ms, 86_400_000);
  const z = `(${days} + 719468)`;
  const era = floorDiv(z, 146_097);
  const doe = `(${z} - ${era} * 146097)`;
  const yoe = `intDiv(${doe} - intDiv(${doe}, 1460) + intDiv(${doe}, 36524) - intDiv(${doe}, 146096), 365)`;
  const doy = `(${doe} - (365 * ${yoe} + intDiv(${yoe}, 4) - intDiv(${yoe}, 100)))`;
  const mp = `intDiv(5 * ${doy} + 2, 153)`;
  const day = `(${doy} - intDiv(153 * ${mp} + 2, 5) + 1)`;
  const month = `if(${mp} < 10, ${mp} + 3, ${mp} - 9)`;
  const year = `(${yoe} + ${era} * 400 + if(${month} <= 2, 1, 0))`;
  const inDay = `(${ms} - ${days} * 86400000)`;
  const padded = (value: string, width: number): string => `substring(toString(${10 ** width} + ${value}), 2)`;
  return `concat(${padded(year, 4)}, '-', ${padded(month, 2)}, '-', ${padded(day, 2)}, ' ', ${padded(`intDiv(${inDay}, 3600000)`, 2)}, ':', ${padded(`intDiv(${inDay}, 60000) % 60`, 2)}, ':', ${padded(`intDiv(${inDay}, 1000) % 60`, 2)}, '.', ${padded(`${inDay} % 1000`, 3)})`;
}

/** CAST with the contract's rules: float → int truncates; unparsable or out-of-range values are NULL. */
function castSql(sql: string, from: DataType, to: DataType, dialect: ClickHouseDialect): string {
  if (from === to) return sql;
  if (from === 'utf8') return castText(sql, to, dialect);
  if (to === 'utf8' && from === 'float64') return floatText(sql);
  if (to === 'utf8' && from === 'timestamp') return timestampText(sql, dialect);
  const target = clickhouseType(to, dialect);
  const safe = (value: string, type: string): string =>
    dialect.accurateCast ? `accurateCastOrNull(${value}, ${stringLiteral(type)})` : `CAST(${value} AS Nullable(${type}))`;
  if (from === 'timestamp' && dialect.dateTime64) {
    const ms = `toUnixTimestamp64Milli(${sql})`;
    if (to === 'utf8') return castAs(sql, 'utf8', dialect);
    return castSql(ms, 'int64', to, dialect);
  }
  if (to === 'timestamp') {
    const ms = castSql(sql, from, 'int64', dialect);
    return dialect.dateTime64 ? `fromUnixTimestamp64Milli(${ms}, 'UTC')` : ms;
  }
  if (from === 'float64' && isInteger(to) && dialect.accurateCast) return safe(`trunc(${sql})`, target);
  if (!dialect.accurateCast && isInteger(to) && (from === 'float64' || (from === 'int64' && to === 'int32'))) {
    // Without accurateCastOrNull a CAST wraps around: out of range is NULL by an explicit check (bounds as floats).
    const value = from === 'float64' ? `trunc(${sql})` : sql;
    const [lo, hi] = to === 'int32' ? ['-2147483648', '2147483647'] : ['-9.223372036854775808e18', '9.223372036854775807e18'];
    // (18.16 rejects a Nullable branch in if(); NULL values fail the check and take the NULL branch anyway.)
    return guard(`${value} >= ${lo} AND ${value} ${to === 'int32' ? '<=' : '<'} ${hi}`, `CAST(assumeNotNull(${value}) AS ${target})`);
  }
  if (to === 'utf8') return castAs(sql, 'utf8', dialect);
  return safe(sql, target);
}

/** One aggregate; sum/avg/min/max of no non-NULL values are NULL (ClickHouse would give 0, nan or defaults). */
export function aggregateSql(agg: Aggregate, schema: Schema, dialect: ClickHouseDialect, udfs?: UdfNames): string {
  const t = aggregateType(agg, schema);
  if (agg.arg === null) return castAs('count()', 'int64', dialect);
  const arg = exprToSql(agg.arg, schema, dialect, udfs);
  const guarded = (inner: string): string => `if(count(${arg}) = 0, ${literalSql(null, t, dialect)}, ${castAs(inner, t, dialect)})`;
  switch (agg.fn) {
    case 'count':
      return castAs(`count(${arg})`, 'int64', dialect);
    case 'sum':
      return guarded(`sum(${castAs(arg, t, dialect)})`);
    case 'avg':
      return guarded(`avg(${arg})`);
    case 'min':
    case 'max':
      // DateTime64's min/max go through its Int64 milliseconds: once JIT-compiled (from a query's third run)
      // they compared ticks as unsigned, so a time before 1970 lost min and won max (ClickHouse issue 113942).
      if (t === 'timestamp' && dialect.dateTime64) return guarded(`fromUnixTimestamp64Milli(${agg.fn}(toUnixTimestamp64Milli(${arg})), 'UTC')`);
      return guarded(`${agg.fn}(${arg})`);
    default:
      return assertNever(agg.fn, 'aggregate function');
  }
}

/** One output column of a SELECT: its SQL, its name, the input columns it reads, whether it is input column `name` as is. */
interface OutputColumn {
  readonly sql: string;
  readonly name: string;
  readonly reads: ReadonlySet<string>;
  readonly passthrough: boolean;
}

function columnsRead(e: Expr, into = new Set<string>()): Set<string> {
  if (e.kind === 'column') into.add(e.name);
  for (const c of exprChildren(e)) columnsRead(c, into);
  return into;
}

/**
 * `SELECT c1 AS n1, … FROM from [rest]`, safe from alias capture. ClickHouse resolves a name to an alias of the
 * same SELECT before an input column — `SELECT j AS i, i AS j` returns the columns unswapped, and 18.16 does it
 * even to qualified names — so when an output name that is not its own input column is read by another column,
 * the columns are computed under private aliases in an inner SELECT and renamed outside it.
 */
function selectColumns(columns: readonly OutputColumn[], from: string, rest = ''): string {
  const captured = columns.some((c, i) => !c.passthrough && columns.some((d, j) => j !== i && d.reads.has(c.name)));
  if (!captured) return `SELECT ${columns.map((c) => `${c.sql} AS ${ident(c.name)}`).join(', ')} FROM ${from}${rest}`;
  const inner = columns.map((c, i) => `${c.sql} AS __eb_c${i}`).join(', ');
  return `SELECT ${columns.map((c, i) => `__eb_c${i} AS ${ident(c.name)}`).join(', ')} FROM (SELECT ${inner} FROM ${from}${rest})`;
}

/**
 * `from` with those of `keys` that are float64 columns of `input` turned from -0 into 0. ClickHouse hashes floats
 * by their bits, so GROUP BY, DISTINCT, LIMIT BY and hash joins would keep -0 and 0 apart (ClickHouse issues 605
 * and 51513), where SQL and the contract have them equal; adding 0 maps -0 to 0 and leaves every other value.
 */
function positiveZeroKeys(input: Schema, keys: readonly string[], from: string): string {
  const floats = new Set(keys.filter((k) => fieldOf(input, k).type === 'float64'));
  if (floats.size === 0) return from;
  const cols = input.map((f) => ({
    sql: floats.has(f.name) ? `(${ident(f.name)} + 0)` : ident(f.name),
    name: f.name,
    reads: new Set([f.name]),
    passthrough: !floats.has(f.name),
  }));
  return `(${selectColumns(cols, from)})`;
}

function orderBy(keys: readonly SortKey[]): string {
  return keys
    .map((k) => `${ident(k.column)} ${k.ascending ? 'ASC' : 'DESC'} NULLS ${k.nullsFirst ? 'FIRST' : 'LAST'}`)
    .join(', ');
}

/**
 * A SELECT computing `node`, with exactly outputSchema(node)'s column names and order. `tableName` maps a
 * scanned table to its qualified name (each engine instance owns one database).
 * @example planToClickHouseSql(df.plan, (t) => `eb.${t}`, MODERN_DIALECT)
 */
export function planToClickHouseSql(node: PlanNode, tableName: (table: string) => string, dialect: ClickHouseDialect, udfs?: UdfNames): string {
  const rec = (n: PlanNode): string => planToClickHouseSql(n, tableName, dialect, udfs);
  const schema = outputSchema(node);
  switch (node.kind) {
    case 'scan':
      return `SELECT ${node.schema.map((f) => ident(f.name)).join(', ')} FROM ${tableName(node.table)}`;
    case 'project': {
      const input = outputSchema(node.input);
      const cols = node.columns.map((c, i) => ({
        sql: castAs(exprToSql(c.expr, input, dialect, udfs), schema[i]!.type, dialect),
        name: c.name,
        reads: columnsRead(c.expr),
        passthrough: c.expr.kind === 'column' && c.expr.name === c.name,
      }));
      return selectColumns(cols, `(${rec(node.input)})`);
    }
    case 'filter':
      // WHERE keeps rows whose predicate is true; NULL and false are dropped.
      return `SELECT * FROM (${rec(node.input)}) WHERE ${exprToSql(node.predicate, outputSchema(node.input), dialect, udfs)}`;
    case 'aggregate': {
      const input = outputSchema(node.input);
      const cols = [
        ...node.keys.map((k) => ({ sql: ident(k), name: k, reads: new Set([k]), passthrough: true })),
        ...node.aggregates.map((a) => ({
          sql: aggregateSql(a, input, dialect, udfs),
          name: a.name,
          reads: a.arg ? columnsRead(a.arg) : new Set<string>(),
          passthrough: false,
        })),
      ];
      // Without GROUP BY ClickHouse returns one row even over empty input; NULL keys form one group.
      const groupBy = node.keys.length > 0 ? ` GROUP BY ${node.keys.map(ident).join(', ')}` : '';
      return selectColumns(cols, positiveZeroKeys(input, node.keys, `(${rec(node.input)})`), groupBy);
    }
    case 'join': {
      const right = outputSchema(node.right);
      const rightKeys = new Set(node.on.map((k) => k.right));
      const leftCols = outputSchema(node.left).map((f) => `__l.${ident(f.name)} AS ${ident(f.name)}`);
      const rightCols = right.filter((f) => !rightKeys.has(f.name)).map((f) => `__r.${ident(f.name)} AS ${ident(f.name)}`);
      const on = node.on
        .map((k) => {
          const lt = fieldOf(outputSchema(node.left), k.left).type;
          const rt = fieldOf(right, k.right).type;
          const common = lt === rt ? null : commonType([lt, rt]);
          const l = `__l.${ident(k.left)}`;
          const r = `__r.${ident(k.right)}`;
          return common ? `${castAs(l, common, dialect)} = ${castAs(r, common, dialect)}` : `${l} = ${r}`;
        })
        .join(' AND ');
      // NULL keys never match in ClickHouse's ON a = b; join_use_nulls=1 (see settings) makes unmatched right
      // columns NULL instead of type defaults.
      const l = positiveZeroKeys(outputSchema(node.left), node.on.map((k) => k.left), `(${rec(node.left)})`);
      const r = positiveZeroKeys(right, node.on.map((k) => k.right), `(${rec(node.right)})`);
      return `SELECT ${[...leftCols, ...rightCols].join(', ')} FROM ${l} AS __l ${node.how === 'inner' ? 'INNER' : 'LEFT'} JOIN ${r} AS __r ON ${on}`;
    }
    case 'sort':
      return `SELECT * FROM (${rec(node.input)}) ORDER BY ${orderBy(node.keys)}`;
    case 'limit':
      // Folded into the child's SELECT when it sorts, so the order the limit depends on cannot be dropped.
      if (node.input.kind === 'sort') return `${rec(node.input)} LIMIT ${node.count}`;
      return `SELECT * FROM (${rec(node.input)}) LIMIT ${node.count}`;
    case 'union': {
      const names = schema.map((f) => f.name);
      const parts = node.inputs.map((child) => {
        const cols = outputSchema(child).map((f, i) => ({ sql: ident(f.name), name: names[i]!, reads: new Set([f.name]), passthrough: f.name === names[i] }));
        return selectColumns(cols, `(${rec(child)})`);
      });
      return `SELECT * FROM (${parts.join(' UNION ALL ')})`;
    }
    case 'distinct':
      return `SELECT DISTINCT * FROM ${positiveZeroKeys(schema, schema.map((f) => f.name), `(${rec(node.input)})`)}`;
    case 'latestPerKey': {
      // ClickHouse's LIMIT n BY keys: the first row per key in ORDER BY order; NULL orderBy sorts last so it loses.
      const order = `${ident(node.orderBy)} DESC NULLS LAST`;
      const limit = node.keys.length > 0 ? `LIMIT 1 BY ${node.keys.map(ident).join(', ')}` : 'LIMIT 1';
      return `SELECT * FROM ${positiveZeroKeys(schema, node.keys, `(${rec(node.input)})`)} ORDER BY ${order} ${limit}`;
    }
    default:
      return assertNever(node, 'plan node');
  }
}

/** The final query: the plan's SELECT re-typed to exactly its Nullable output types (order preserved). */
export function resultQuery(plan: PlanNode, tableName: (table: string) => string, dialect: ClickHouseDialect, udfs?: UdfNames): string {
  const cols = outputSchema(plan).map((f) => `${castAs(ident(f.name), f.type, dialect)} AS ${ident(f.name)}`);
  return `SELECT ${cols.join(', ')} FROM (${planToClickHouseSql(plan, tableName, dialect, udfs)})`;
}

/** CREATE TABLE for a loaded table: every column Nullable, in-memory (Memory) unless told otherwise. */
export function createTableSql(qualifiedName: string, schema: Schema, dialect: ClickHouseDialect, engine = 'Memory'): string {
  const cols = schema.map((f) => `${ident(f.name)} ${nullable(f.type, dialect)}`).join(', ');
  return `CREATE TABLE ${qualifiedName} (${cols}) ENGINE = ${engine}`;
}
