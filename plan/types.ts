// The logical plan: the one language scenarios are written in and every engine executes.
// Plain immutable data, discriminated on `kind`; behaviour lives in functions over it (schema.ts, explain.ts)
// and in each engine's translation, which is an exhaustive switch ending in assertNever.

/** Logical column types. Every column is nullable unless its Field says otherwise. */
export type DataType = 'int32' | 'int64' | 'float64' | 'utf8' | 'bool' | 'timestamp';

/**
 * How each logical type crosses engine boundaries as Apache Arrow:
 * int32 → Int32, int64 → Int64 (JS bigint), float64 → Float64, utf8 → Utf8, bool → Bool,
 * timestamp → TimestampMillisecond without time zone (UTC wall clock; JS number of ms since the epoch).
 */
export const ARROW_TYPE_OF: Readonly<Record<DataType, string>> = {
  int32: 'Int32',
  int64: 'Int64',
  float64: 'Float64',
  utf8: 'Utf8',
  bool: 'Bool',
  timestamp: 'Timestamp<MILLISECOND>',
};

export interface Field {
  readonly name: string;
  readonly type: DataType;
  /** Human description used in dataset docs and reports. */
  readonly doc?: string;
}

export type Schema = readonly Field[];

/** A literal's JS value: int32/float64/timestamp(ms) as number, int64 as bigint, utf8 as string, bool as boolean. */
export type LiteralValue = number | bigint | string | boolean | null;

export type ArithmeticOp = '+' | '-' | '*' | '/' | '%';
export type ComparisonOp = '=' | '!=' | '<' | '<=' | '>' | '>=';
export type LogicalOp = 'and' | 'or';

// ---------------------------------------------------------------------------------------------------------------
// Expressions. SQL three-valued logic throughout: any arithmetic or comparison with a NULL operand is NULL,
// `and`/`or` follow Kleene logic, and a filter keeps only rows whose predicate is TRUE.
// ---------------------------------------------------------------------------------------------------------------

/** SQL: `name` — a column of the input. */
export interface ColumnRef {
  readonly kind: 'column';
  readonly name: string;
}

/** SQL: a typed constant, e.g. `CAST('2020-06-01' AS TIMESTAMP)` or `0`. */
export interface Literal {
  readonly kind: 'literal';
  readonly value: LiteralValue;
  readonly type: DataType;
}

/**
 * SQL: `left op right`. Type rule (documented once, followed by every engine):
 * `/` always yields float64 (true division, like Spark); `+ - * %` on two integers yield int64,
 * with any float64 operand they yield float64. `%` has the sign of the dividend (C/SQL semantics).
 * Division or modulo by zero yields NULL (Spark's non-ANSI behaviour), never an error or infinity.
 * int64 overflow (in arithmetic or in `sum`) is an error, never a silent wrap-around.
 */
export interface Arithmetic {
  readonly kind: 'arithmetic';
  readonly op: ArithmeticOp;
  readonly left: Expr;
  readonly right: Expr;
}

/**
 * SQL: `left op right` → bool. Strings compare by Unicode code point; timestamps by instant.
 * NaN equals NaN and sorts above every other number (as in DuckDB, PostgreSQL and Spark).
 */
export interface Comparison {
  readonly kind: 'comparison';
  readonly op: ComparisonOp;
  readonly left: Expr;
  readonly right: Expr;
}

/** SQL: `left AND right`, `left OR right` (Kleene three-valued logic). */
export interface Logical {
  readonly kind: 'logical';
  readonly op: LogicalOp;
  readonly left: Expr;
  readonly right: Expr;
}

/** SQL: `NOT operand` (NULL stays NULL). */
export interface Not {
  readonly kind: 'not';
  readonly operand: Expr;
}

/** SQL: `operand IS NULL`, or `IS NOT NULL` when negated. Never NULL itself. */
export interface IsNull {
  readonly kind: 'isNull';
  readonly operand: Expr;
  readonly negated: boolean;
}

/**
 * SQL: `CAST(operand AS to)`. Float → int truncates toward zero; string → int parses the number and truncates it
 * ('1.9' → 1, as Spark does); a string that does not parse, or an int64 outside int32's range, becomes NULL;
 * timestamp ↔ int64 is milliseconds since the epoch. Casting timestamp or float64 to utf8 has no portable text
 * format across engines and is outside the contract: scenarios must not rely on it.
 */
export interface Cast {
  readonly kind: 'cast';
  readonly operand: Expr;
  readonly to: DataType;
}

/** SQL: `CASE WHEN c1 THEN v1 [WHEN ...] ELSE otherwise END` (PySpark `when(...).otherwise(...)`). */
export interface Case {
  readonly kind: 'case';
  readonly branches: readonly { readonly when: Expr; readonly then: Expr }[];
  readonly otherwise: Expr;
}

/**
 * A user-defined scalar function: a TypeScript function applied row by row, with a declared return type.
 * The function receives JS values as described by ARROW_TYPE_OF (null for NULL) and must return a value of
 * `returnType` or null. It must be pure: engines may run it in worker threads or another process, so it is
 * shipped as source text (`fn.toString()`) and must not capture variables from its enclosing scope.
 */
export interface ScalarUdf {
  readonly kind: 'udf';
  readonly name: string;
  readonly fn: (...args: any[]) => LiteralValue;
  readonly returnType: DataType;
  readonly args: readonly Expr[];
}

export type Expr = ColumnRef | Literal | Arithmetic | Comparison | Logical | Not | IsNull | Cast | Case | ScalarUdf;

/** An expression with the output column name it produces (SQL `expr AS name`). */
export interface NamedExpr {
  readonly name: string;
  readonly expr: Expr;
}

export type AggregateFn = 'count' | 'sum' | 'avg' | 'min' | 'max';

/**
 * One aggregate output column. `arg: null` is `COUNT(*)` (only for count). Aggregates skip NULL inputs:
 * count(col) counts non-null values, sum/avg/min/max of no non-null values is NULL, count is never NULL.
 * Result types: count → int64; sum of integers → int64, of float64 → float64; avg → float64;
 * min/max keep the input type.
 */
export interface Aggregate {
  readonly fn: AggregateFn;
  readonly arg: Expr | null;
  readonly name: string;
}

export interface SortKey {
  readonly column: string;
  readonly ascending: boolean;
  /** Where NULLs go. The builder defaults to Spark's: first when ascending, last when descending. */
  readonly nullsFirst: boolean;
}

export interface JoinKey {
  readonly left: string;
  readonly right: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Plan nodes.
// ---------------------------------------------------------------------------------------------------------------

/** SQL: `FROM table` — a table loaded into the engine before the query runs. */
export interface Scan {
  readonly kind: 'scan';
  readonly table: string;
  readonly schema: Schema;
}

/**
 * SQL: `SELECT e1 AS n1, e2 AS n2 ... FROM input`. The builder lowers PySpark's select, withColumn,
 * withColumnRenamed and drop into this one node, as Spark's analyzer does.
 */
export interface Project {
  readonly kind: 'project';
  readonly input: PlanNode;
  readonly columns: readonly NamedExpr[];
}

/** SQL: `SELECT * FROM input WHERE predicate` (keeps rows where the predicate is TRUE). dropna lowers to this. */
export interface Filter {
  readonly kind: 'filter';
  readonly input: PlanNode;
  readonly predicate: Expr;
}

/**
 * SQL: `SELECT keys..., aggs... FROM input GROUP BY keys`. NULL keys form their own group.
 * With no keys it is a global aggregate and yields exactly one row, even over empty input.
 * Output columns: the keys in order, then the aggregates in order.
 */
export interface AggregateNode {
  readonly kind: 'aggregate';
  readonly input: PlanNode;
  readonly keys: readonly string[];
  readonly aggregates: readonly Aggregate[];
}

/**
 * SQL: `SELECT ... FROM left [INNER|LEFT] JOIN right ON left.k1 = right.k1 AND ...`. NULL keys never match.
 * Output columns: every left column, then every right column except the right join keys (their values equal
 * the left keys, or are NULL for unmatched left rows). Other column names must not collide.
 */
export interface Join {
  readonly kind: 'join';
  readonly left: PlanNode;
  readonly right: PlanNode;
  readonly how: 'inner' | 'left';
  readonly on: readonly JoinKey[];
}

/** SQL: `ORDER BY k1 [ASC|DESC] NULLS [FIRST|LAST], ...`. Ties keep no particular order. */
export interface Sort {
  readonly kind: 'sort';
  readonly input: PlanNode;
  readonly keys: readonly SortKey[];
}

/** SQL: `LIMIT count`. Deterministic only under a Sort. */
export interface Limit {
  readonly kind: 'limit';
  readonly input: PlanNode;
  readonly count: number;
}

/** SQL: `input1 UNION ALL input2 ...` by position; names come from the first input, types must match. */
export interface Union {
  readonly kind: 'union';
  readonly inputs: readonly PlanNode[];
}

/** SQL: `SELECT DISTINCT * FROM input` (NULLs compare equal to each other here, as in SQL DISTINCT). */
export interface Distinct {
  readonly kind: 'distinct';
  readonly input: PlanNode;
}

/**
 * Keep one row per key: the one with the greatest `orderBy` value (ties: any one of them).
 * SQL: `SELECT * FROM input QUALIFY row_number() OVER (PARTITION BY keys ORDER BY orderBy DESC) = 1`.
 * PySpark: a row_number window filtered to 1. Used by CDC merges ("latest change per key wins").
 * Rows whose orderBy is NULL lose to any non-null value.
 */
export interface LatestPerKey {
  readonly kind: 'latestPerKey';
  readonly input: PlanNode;
  readonly keys: readonly string[];
  readonly orderBy: string;
}

export type PlanNode =
  | Scan
  | Project
  | Filter
  | AggregateNode
  | Join
  | Sort
  | Limit
  | Union
  | Distinct
  | LatestPerKey;

export type PlanKind = PlanNode['kind'];
export type ExprKind = Expr['kind'];

export const PLAN_KINDS: readonly PlanKind[] = [
  'scan', 'project', 'filter', 'aggregate', 'join', 'sort', 'limit', 'union', 'distinct', 'latestPerKey',
];
export const EXPR_KINDS: readonly ExprKind[] = [
  'column', 'literal', 'arithmetic', 'comparison', 'logical', 'not', 'isNull', 'cast', 'case', 'udf',
];

/** Ends every exhaustive switch over `kind`, so a new node fails to compile until every engine handles it. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unhandled ${what}: ${JSON.stringify(value)}`);
}

/** Direct children of a plan node, left to right. */
export function childrenOf(node: PlanNode): readonly PlanNode[] {
  switch (node.kind) {
    case 'scan':
      return [];
    case 'project':
    case 'filter':
    case 'aggregate':
    case 'sort':
    case 'limit':
    case 'distinct':
    case 'latestPerKey':
      return [node.input];
    case 'join':
      return [node.left, node.right];
    case 'union':
      return node.inputs;
    default:
      return assertNever(node, 'plan node');
  }
}

/** Direct sub-expressions of an expression. */
export function exprChildren(expr: Expr): readonly Expr[] {
  switch (expr.kind) {
    case 'column':
    case 'literal':
      return [];
    case 'arithmetic':
    case 'comparison':
    case 'logical':
      return [expr.left, expr.right];
    case 'not':
    case 'isNull':
    case 'cast':
      return [expr.operand];
    case 'case':
      return [...expr.branches.flatMap((b) => [b.when, b.then]), expr.otherwise];
    case 'udf':
      return expr.args;
    default:
      return assertNever(expr, 'expression');
  }
}

/** Expressions held directly by a plan node (not by its children). */
export function exprsOf(node: PlanNode): readonly Expr[] {
  switch (node.kind) {
    case 'project':
      return node.columns.map((c) => c.expr);
    case 'filter':
      return [node.predicate];
    case 'aggregate':
      return node.aggregates.flatMap((a) => (a.arg ? [a.arg] : []));
    case 'scan':
    case 'join':
    case 'sort':
    case 'limit':
    case 'union':
    case 'distinct':
    case 'latestPerKey':
      return [];
    default:
      return assertNever(node, 'plan node');
  }
}

/** Every node of the plan, parents before children. */
export function walkPlan(root: PlanNode): PlanNode[] {
  const out: PlanNode[] = [];
  const visit = (n: PlanNode): void => {
    out.push(n);
    childrenOf(n).forEach(visit);
  };
  visit(root);
  return out;
}

/** Every expression of the plan (all depths). */
export function walkExprs(root: PlanNode): Expr[] {
  const out: Expr[] = [];
  const visit = (e: Expr): void => {
    out.push(e);
    exprChildren(e).forEach(visit);
  };
  for (const node of walkPlan(root)) exprsOf(node).forEach(visit);
  return out;
}
