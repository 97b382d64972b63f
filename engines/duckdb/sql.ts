// Plan → SQL: the DuckDB dialect of the logical plan. Every node becomes one SELECT wrapping its children as
// subqueries, and every expression spells out the contract's type and NULL rules (plan/types.ts) explicitly,
// so DuckDB's own defaults (rounding casts, HUGEINT sums, 1/0 = Infinity) never leak into the oracle.
import { outputSchema, typeOf } from '../../plan/schema.ts';
import { FALSE_WORDS, INTEGER_PATTERN, NUMBER_PATTERN, TIMESTAMP_PATTERN, TRUE_WORDS } from '../../plan/text.ts';
import {
  assertNever,
  type Aggregate,
  type DataType,
  type Expr,
  type LiteralValue,
  type PlanNode,
  type Schema,
  type ScalarUdf,
} from '../../plan/types.ts';

/** How the SQL names a user-defined function; the engine maps each UDF object to the name it registered. */
export interface SqlOptions {
  readonly udfName?: (udf: ScalarUdf) => string;
}

/** The DuckDB column type that stores each logical type (timestamps as microsecond TIMESTAMP). */
export const SQL_TYPE: Readonly<Record<DataType, string>> = {
  int32: 'INTEGER',
  int64: 'BIGINT',
  float64: 'DOUBLE',
  utf8: 'VARCHAR',
  bool: 'BOOLEAN',
  timestamp: 'TIMESTAMP',
};

/** A double-quoted SQL identifier (embedded quotes doubled), so any column name is safe. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A single-quoted SQL string literal. */
export function quoteString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * Translate a logical plan to one DuckDB SQL query whose result has exactly the plan's output columns, in order,
 * with the contract's types (timestamps as DuckDB TIMESTAMP). Validates the plan first (throws PlanError).
 * @example
 *   planToSql(table('t', [{ name: 'k', type: 'utf8' }]).groupBy('k').count().plan)
 *   // SELECT "k", count(*) AS "count"
 *   // FROM (
 *   //   SELECT "k" FROM "t"
 *   // ) AS t
 *   // GROUP BY "k"
 */
export function planToSql(plan: PlanNode, options: SqlOptions = {}): string {
  outputSchema(plan);
  return nodeSql(plan, options);
}

function indent(sql: string): string {
  return sql
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}

/** `FROM (child) AS alias` with the child indented, the shape every non-leaf node uses. */
function from(child: PlanNode, alias: string, options: SqlOptions): string {
  return `FROM (\n${indent(nodeSql(child, options))}\n) AS ${alias}`;
}

function nodeSql(node: PlanNode, options: SqlOptions): string {
  switch (node.kind) {
    case 'scan':
      return `SELECT ${node.schema.map((f) => quoteIdent(f.name)).join(', ')} FROM ${quoteIdent(node.table)}`;
    case 'project': {
      const input = outputSchema(node.input);
      const cols = node.columns.map((c) => {
        const e = exprSql(c.expr, input, options);
        return c.expr.kind === 'column' && c.expr.name === c.name ? e : `${e} AS ${quoteIdent(c.name)}`;
      });
      return `SELECT ${cols.join(', ')}\n${from(node.input, 't', options)}`;
    }
    case 'filter': {
      const input = outputSchema(node.input);
      return `SELECT *\n${from(node.input, 't', options)}\nWHERE ${exprSql(node.predicate, input, options)}`;
    }
    case 'aggregate': {
      const input = outputSchema(node.input);
      const keys = node.keys.map(quoteIdent);
      const aggs = node.aggregates.map((a) => `${aggregateSql(a, input, options)} AS ${quoteIdent(a.name)}`);
      // WARNING: with no keys there must be no GROUP BY at all: that is what makes SQL return exactly one row
      // over empty input (count 0, the rest NULL), as the contract requires of a global aggregate.
      const groupBy = keys.length > 0 ? `\nGROUP BY ${keys.join(', ')}` : '';
      return `SELECT ${[...keys, ...aggs].join(', ')}\n${from(node.input, 't', options)}${groupBy}`;
    }
    case 'join': {
      const left = outputSchema(node.left);
      const right = outputSchema(node.right);
      const rightKeys = new Set(node.on.map((k) => k.right));
      const cols = [
        ...left.map((f) => `l.${quoteIdent(f.name)}`),
        ...right.filter((f) => !rightKeys.has(f.name)).map((f) => `r.${quoteIdent(f.name)}`),
      ];
      // Plain `=` never matches NULL keys (NULL = x is NULL, not TRUE), which is the contract's join rule.
      const on = node.on.map((k) => `l.${quoteIdent(k.left)} = r.${quoteIdent(k.right)}`).join(' AND ');
      const how = node.how === 'inner' ? 'INNER' : 'LEFT';
      return [
        `SELECT ${cols.join(', ')}`,
        from(node.left, 'l', options),
        `${how} JOIN (\n${indent(nodeSql(node.right, options))}\n) AS r`,
        `ON ${on}`,
      ].join('\n');
    }
    case 'sort': {
      const keys = node.keys.map(
        (k) => `${quoteIdent(k.column)} ${k.ascending ? 'ASC' : 'DESC'} NULLS ${k.nullsFirst ? 'FIRST' : 'LAST'}`,
      );
      return `SELECT *\n${from(node.input, 't', options)}\nORDER BY ${keys.join(', ')}`;
    }
    case 'limit':
      return `SELECT *\n${from(node.input, 't', options)}\nLIMIT ${node.count}`;
    case 'union':
      return node.inputs
        .map((input, i) => `SELECT *\n${from(input, `u${i}`, options)}`)
        .join('\nUNION ALL\n');
    case 'distinct':
      return `SELECT DISTINCT *\n${from(node.input, 't', options)}`;
    case 'latestPerKey': {
      const partition = node.keys.length > 0 ? `PARTITION BY ${node.keys.map(quoteIdent).join(', ')} ` : '';
      // NULLS LAST under DESC: a row whose orderBy is NULL loses to any non-null value.
      const window = `row_number() OVER (${partition}ORDER BY ${quoteIdent(node.orderBy)} DESC NULLS LAST)`;
      return `SELECT *\n${from(node.input, 't', options)}\nQUALIFY ${window} = 1`;
    }
    default:
      return assertNever(node, 'plan node');
  }
}

function aggregateSql(agg: Aggregate, input: Schema, options: SqlOptions): string {
  if (agg.arg === null) return 'count(*)';
  const arg = exprSql(agg.arg, input, options);
  switch (agg.fn) {
    case 'count':
      return `count(${arg})`;
    case 'sum':
      // DuckDB sums integers into HUGEINT; the contract says int64.
      return typeOf(agg.arg, input) === 'float64' ? `sum(${arg})` : `CAST(sum(${arg}) AS BIGINT)`;
    case 'avg':
      return `avg(${arg})`;
    case 'min':
      return `min(${arg})`;
    case 'max':
      return `max(${arg})`;
    default:
      return assertNever(agg.fn, 'aggregate function');
  }
}

/** A literal in SQL with its exact logical type (a bare `1.5` would be a DECIMAL in DuckDB). */
export function literalSql(value: LiteralValue, type: DataType): string {
  if (value === null) return `CAST(NULL AS ${SQL_TYPE[type]})`;
  switch (type) {
    case 'int32': {
      const n = Number(value);
      // -2147483648 would parse as the negation of a BIGINT literal.
      return n < 0 ? `CAST(${n} AS INTEGER)` : String(n);
    }
    case 'int64':
      return `CAST(${BigInt(value as number | bigint)} AS BIGINT)`;
    case 'float64': {
      const n = Number(value);
      // Parsing the shortest round-trip text is exact; a DECIMAL literal cast to DOUBLE can be off by one ulp.
      const text = Object.is(n, -0) ? '-0.0' : Number.isNaN(n) ? 'NaN' : n === Infinity ? 'Infinity' : n === -Infinity ? '-Infinity' : String(n);
      return `CAST('${text}' AS DOUBLE)`;
    }
    case 'utf8':
      return quoteString(String(value));
    case 'bool':
      return value ? 'TRUE' : 'FALSE';
    case 'timestamp': {
      const ms = Number(value);
      const iso = new Date(ms).toISOString();
      // Years outside 0000..9999 have no plain ISO text; build those from the epoch offset instead.
      return /^\d{4}-/.test(iso) ? `TIMESTAMP '${iso.slice(0, 10)} ${iso.slice(11, 23)}'` : `epoch_ms(CAST(${Math.trunc(ms)} AS BIGINT))`;
    }
    default:
      return assertNever(type, 'data type');
  }
}

/** Text with the blanks the contract ignores (plan/text.ts) trimmed off. */
const trimmed = (operand: string): string => `trim(${operand}, ' ' || chr(9) || chr(10) || chr(13))`;
const matches = (text: string, pattern: string): string => `regexp_full_match(${text}, ${quoteString(pattern)})`;
/** A text's number by the contract: NULL unless it is a decimal number whose double is finite. */
const textDouble = (text: string): string =>
  `(CASE WHEN ${matches(text, NUMBER_PATTERN)} AND isfinite(TRY_CAST(${text} AS DOUBLE)) THEN TRY_CAST(${text} AS DOUBLE) END)`;
const wordList = (words: readonly string[]): string => words.map(quoteString).join(', ');

/** `CAST(x AS to)` with the contract's rules: truncation toward zero, unparsable text → NULL, timestamps ↔ epoch ms. */
export function castSql(operand: string, from: DataType, to: DataType): string {
  if (from === to) return operand;
  const target = SQL_TYPE[to];
  const impossible = (): never => {
    throw new Error(`cast from ${from} to ${to} is not defined in enginebench; cast through int64 or utf8 first`);
  };
  switch (to) {
    case 'int32':
    case 'int64':
      switch (from) {
        case 'int32':
        case 'int64':
          return `TRY_CAST(${operand} AS ${target})`;
        case 'float64':
          // DuckDB's CAST(double AS int) rounds half away from zero; the contract truncates toward zero.
          return `TRY_CAST(trunc(${operand}) AS ${target})`;
        case 'utf8': {
          // An integer literal exactly; other numbers as a double, truncated (TRY_CAST('1.5' AS INTEGER) rounds).
          const text = trimmed(operand);
          return `(CASE WHEN ${matches(text, INTEGER_PATTERN)} THEN TRY_CAST(${text} AS ${target}) ELSE TRY_CAST(trunc(${textDouble(text)}) AS ${target}) END)`;
        }
        case 'bool':
          return `CAST(${operand} AS ${target})`;
        case 'timestamp':
          return `TRY_CAST(epoch_ms(${operand}) AS ${target})`;
        default:
          return assertNever(from, 'data type');
      }
    case 'float64':
      switch (from) {
        case 'int32':
        case 'int64':
        case 'bool':
          return `CAST(${operand} AS DOUBLE)`;
        case 'utf8':
          return textDouble(trimmed(operand));
        case 'timestamp':
          return `CAST(epoch_ms(${operand}) AS DOUBLE)`;
        case 'float64':
          return operand;
        default:
          return assertNever(from, 'data type');
      }
    case 'utf8':
      return `CAST(${operand} AS VARCHAR)`;
    case 'bool':
      switch (from) {
        case 'int32':
        case 'int64':
        case 'float64':
          return `CAST(${operand} AS BOOLEAN)`;
        case 'utf8': {
          const word = `lower(${trimmed(operand)})`;
          return `(CASE WHEN ${word} IN (${wordList(TRUE_WORDS)}) THEN true WHEN ${word} IN (${wordList(FALSE_WORDS)}) THEN false END)`;
        }
        case 'timestamp':
          return impossible();
        case 'bool':
          return operand;
        default:
          return assertNever(from, 'data type');
      }
    case 'timestamp':
      switch (from) {
        case 'int32':
        case 'int64':
          return `epoch_ms(CAST(${operand} AS BIGINT))`;
        case 'float64':
          return `epoch_ms(TRY_CAST(trunc(${operand}) AS BIGINT))`;
        case 'utf8': {
          const text = trimmed(operand);
          return `(CASE WHEN ${matches(text, TIMESTAMP_PATTERN)} THEN TRY_CAST(${text} AS TIMESTAMP) END)`;
        }
        case 'bool':
          return impossible();
        case 'timestamp':
          return operand;
        default:
          return assertNever(from, 'data type');
      }
    default:
      return assertNever(to, 'data type');
  }
}

const COMPARISON_SQL = { '=': '=', '!=': '<>', '<': '<', '<=': '<=', '>': '>', '>=': '>=' } as const;

/** One expression over rows of `input`, fully parenthesised. */
export function exprSql(expr: Expr, input: Schema, options: SqlOptions = {}): string {
  const sub = (e: Expr): string => exprSql(e, input, options);
  switch (expr.kind) {
    case 'column':
      return quoteIdent(expr.name);
    case 'literal':
      return literalSql(expr.value, expr.type);
    case 'arithmetic': {
      const lt = typeOf(expr.left, input);
      const rt = typeOf(expr.right, input);
      if (expr.op === '/') {
        // True division in DOUBLE; NULLIF turns x/0 (Infinity or NaN in DuckDB) into NULL as the contract says.
        return `(${castSql(sub(expr.left), lt, 'float64')} / NULLIF(${castSql(sub(expr.right), rt, 'float64')}, 0))`;
      }
      const integral = lt !== 'float64' && rt !== 'float64';
      // Integer arithmetic happens in BIGINT (int32 + int32 → int64), so int32 overflow cannot occur.
      const l = integral && lt === 'int32' ? `CAST(${sub(expr.left)} AS BIGINT)` : sub(expr.left);
      const r = integral && rt === 'int32' ? `CAST(${sub(expr.right)} AS BIGINT)` : sub(expr.right);
      return expr.op === '%' ? `(${l} % NULLIF(${r}, 0))` : `(${l} ${expr.op} ${r})`;
    }
    case 'comparison':
      return `(${sub(expr.left)} ${COMPARISON_SQL[expr.op]} ${sub(expr.right)})`;
    case 'logical':
      return `(${sub(expr.left)} ${expr.op === 'and' ? 'AND' : 'OR'} ${sub(expr.right)})`;
    case 'not':
      return `(NOT ${sub(expr.operand)})`;
    case 'isNull':
      return `(${sub(expr.operand)} IS ${expr.negated ? 'NOT ' : ''}NULL)`;
    case 'cast':
      return castSql(sub(expr.operand), typeOf(expr.operand, input), expr.to);
    case 'case': {
      const result = typeOf(expr, input);
      // Branches of mixed numeric types are widened to the CASE's type explicitly, as the contract types it.
      const value = (e: Expr): string => {
        const t = typeOf(e, input);
        return t === result ? sub(e) : `CAST(${sub(e)} AS ${SQL_TYPE[result]})`;
      };
      const whens = expr.branches.map((b) => `WHEN ${sub(b.when)} THEN ${value(b.then)}`).join(' ');
      return `CASE ${whens} ELSE ${value(expr.otherwise)} END`;
    }
    case 'udf': {
      const name = options.udfName ? options.udfName(expr) : quoteIdent(expr.name);
      return `${name}(${expr.args.map(sub).join(', ')})`;
    }
    default:
      return assertNever(expr, 'expression');
  }
}
