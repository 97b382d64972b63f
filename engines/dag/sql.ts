// Spark SQL on temp views: a query is parsed by node-sql-parser (a maintained parser, not a hand-written one) and
// translated into calls on the same DataFrame builder the DataFrame API uses, so both produce the same logical
// and therefore the same physical plan. Supports SELECT [DISTINCT] with expressions and aliases, FROM with
// INNER/LEFT JOIN ... ON equalities, WHERE, GROUP BY, HAVING, ORDER BY, LIMIT, COUNT/SUM/AVG/MIN/MAX and UDFs.
import pkg from 'node-sql-parser';
import { AggregateColumn, Column, lit, timestamp, type UserDefinedFunction } from '../../plan/column.ts';
import { asc, desc, type DataFrame } from '../../plan/dataframe.ts';
import { exprToString } from '../../plan/explain.ts';
import type { AggregateFn, DataType, Expr, NamedExpr } from '../../plan/types.ts';

const { Parser } = pkg as unknown as { Parser: new () => { astify(sql: string, opt?: object): unknown } };

/** A SQL text the engine cannot run: the message names the construct and what is supported. */
export class SqlError extends Error {
  override name = 'SqlError';
}

type Ast = Record<string, any>;

const TYPES: Record<string, DataType> = {
  INT: 'int32', INTEGER: 'int32', INT4: 'int32', BIGINT: 'int64', INT8: 'int64', LONG: 'int64',
  DOUBLE: 'float64', FLOAT: 'float64', REAL: 'float64', DECIMAL: 'float64', NUMERIC: 'float64', FLOAT8: 'float64',
  VARCHAR: 'utf8', TEXT: 'utf8', STRING: 'utf8', CHAR: 'utf8', BOOLEAN: 'bool', BOOL: 'bool', TIMESTAMP: 'timestamp', DATE: 'timestamp',
};

export interface SqlCatalog {
  /** The DataFrame of a temp view (throws listing the views when missing). */
  view(name: string): DataFrame;
  /** UDFs registered with session.udf.register, by lower-case name. */
  udf(name: string): UserDefinedFunction | undefined;
}

function columnName(ref: Ast): string {
  const c = ref.column;
  if (typeof c === 'string') return c;
  if (c && typeof c === 'object' && c.expr) return String(c.expr.value);
  throw new SqlError(`unsupported column reference ${JSON.stringify(c)}`);
}

/** Translate one SELECT statement into a DataFrame over the catalog's views. */
export function sqlToDataFrame(sql: string, catalog: SqlCatalog): DataFrame {
  let ast: Ast;
  try {
    const parsed = new Parser().astify(sql, { database: 'PostgreSQL' });
    ast = (Array.isArray(parsed) ? parsed[0] : parsed) as Ast;
  } catch (e) {
    throw new SqlError(`cannot parse SQL: ${(e as Error).message.split('\n')[0]}`);
  }
  if (ast.type !== 'select') throw new SqlError(`only SELECT statements are supported, got ${String(ast.type).toUpperCase()}`);
  if (ast.with) throw new SqlError('WITH (common table expressions) is not supported; create a temp view instead');
  if (!ast.from?.length) throw new SqlError('SELECT needs a FROM clause');

  // FROM and JOINs. Qualified references to a right join key resolve to the left key (the right one is dropped).
  const aliasOf = new Map<string, string>();
  const keyAlias = new Map<string, string>();
  const first = ast.from[0] as Ast;
  if (!first.table) throw new SqlError('subqueries in FROM are not supported; create a temp view instead');
  let df = catalog.view(first.table);
  aliasOf.set(first.as ?? first.table, first.table);
  for (const item of ast.from.slice(1) as Ast[]) {
    const how = item.join === 'LEFT JOIN' || item.join === 'LEFT OUTER JOIN' ? 'left' : item.join === 'INNER JOIN' || item.join === 'JOIN' ? 'inner' : null;
    if (!how || !item.table) throw new SqlError(`only INNER JOIN and LEFT JOIN of views are supported, got ${item.join ?? 'a comma join'}`);
    const right = catalog.view(item.table);
    const rightName = item.as ?? item.table;
    aliasOf.set(rightName, item.table);
    const pairs: [string, string][] = [];
    const collect = (on: Ast): void => {
      if (on.type === 'binary_expr' && on.operator === 'AND') {
        collect(on.left);
        collect(on.right);
        return;
      }
      if (on.type !== 'binary_expr' || on.operator !== '=' || on.left.type !== 'column_ref' || on.right.type !== 'column_ref') {
        throw new SqlError('JOIN ... ON supports equalities between columns joined by AND');
      }
      const [a, b] = [on.left, on.right];
      const aRight = a.table === rightName || (a.table === null && !df.columns.includes(columnName(a)));
      const [l, r] = aRight ? [b, a] : [a, b];
      pairs.push([columnName(l), columnName(r)]);
      keyAlias.set(`${rightName}.${columnName(r)}`, columnName(l));
    };
    collect(item.on);
    df = df.join(right, pairs, how);
  }

  const ref = (node: Ast): Expr => {
    const name = columnName(node);
    const aliased = node.table ? keyAlias.get(`${node.table}.${name}`) : undefined;
    return { kind: 'column', name: aliased ?? name };
  };

  const aggs: AggregateColumn[] = [];
  const aggName = (fn: AggregateFn, arg: Expr | null, alias: string | null): string => {
    const name = alias ?? (arg === null ? 'count' : `${fn}(${exprToString(arg)})`);
    const existing = aggs.find((a) => a.outputName === name);
    if (!existing) aggs.push(new AggregateColumn(fn, arg, name));
    return name;
  };

  const expr = (node: Ast, inAgg: boolean, alias: string | null = null): Expr => {
    switch (node.type) {
      case 'column_ref':
        if (node.column === '*') throw new SqlError('* is only allowed as a whole select item or in COUNT(*)');
        return ref(node);
      case 'number': {
        const v = Number(node.value);
        return lit(v, Number.isInteger(v) && !String(node.value).includes('.') ? undefined : 'float64').expr;
      }
      case 'single_quote_string':
      case 'string':
      case 'double_quote_string':
        return lit(String(node.value)).expr;
      case 'bool':
      case 'boolean':
        return lit(Boolean(node.value)).expr;
      case 'timestamp':
      case 'date':
        return timestamp(String(node.value)).expr;
      case 'null':
        throw new SqlError('an untyped NULL is ambiguous here; write CAST(NULL AS <type>)');
      case 'binary_expr': {
        const op = String(node.operator).toUpperCase();
        if (op === 'IS' || op === 'IS NOT') {
          if (node.right.type !== 'null') throw new SqlError(`${op} supports only NULL`);
          return { kind: 'isNull', operand: expr(node.left, inAgg), negated: op === 'IS NOT' };
        }
        if (op === 'BETWEEN' || op === 'NOT BETWEEN') {
          const [lo, hi] = node.right.value as Ast[];
          const x = expr(node.left, inAgg);
          const between: Expr = { kind: 'logical', op: 'and', left: { kind: 'comparison', op: '>=', left: x, right: expr(lo!, inAgg) }, right: { kind: 'comparison', op: '<=', left: x, right: expr(hi!, inAgg) } };
          return op === 'BETWEEN' ? between : { kind: 'not', operand: between };
        }
        const left = expr(node.left, inAgg);
        const right = expr(node.right, inAgg);
        if (op === 'AND' || op === 'OR') return { kind: 'logical', op: op === 'AND' ? 'and' : 'or', left, right };
        if (['+', '-', '*', '/', '%'].includes(op)) return { kind: 'arithmetic', op: op as '+', left, right };
        const cmp = op === '<>' ? '!=' : op;
        if (['=', '!=', '<', '<=', '>', '>='].includes(cmp)) return { kind: 'comparison', op: cmp as '=', left, right };
        throw new SqlError(`operator ${op} is not supported`);
      }
      case 'unary_expr':
        if (String(node.operator).toUpperCase() === 'NOT') return { kind: 'not', operand: expr(node.expr, inAgg) };
        if (node.operator === '-') return { kind: 'arithmetic', op: '-', left: lit(0).expr, right: expr(node.expr, inAgg) };
        throw new SqlError(`unary ${node.operator} is not supported`);
      case 'case': {
        const branches = (node.args as Ast[]).filter((a) => a.type === 'when').map((a) => ({ when: expr(a.cond, inAgg), then: expr(a.result, inAgg) }));
        const other = (node.args as Ast[]).find((a) => a.type === 'else');
        if (node.expr) throw new SqlError('CASE x WHEN ... is not supported; write CASE WHEN x = ... THEN');
        const otherwise: Expr = other ? expr(other.result, inAgg) : { kind: 'literal', value: null, type: 'utf8' };
        return { kind: 'case', branches, otherwise };
      }
      case 'cast': {
        const target = String(node.target?.[0]?.dataType ?? '').toUpperCase();
        const to = TYPES[target];
        if (!to) throw new SqlError(`CAST to ${target} is not supported; use one of ${Object.keys(TYPES).join(', ')}`);
        if (node.expr.type === 'null') return { kind: 'literal', value: null, type: to };
        return { kind: 'cast', operand: expr(node.expr, inAgg), to };
      }
      case 'function': {
        const name = String(node.name?.name?.[0]?.value ?? '');
        const args = ((node.args?.value ?? []) as Ast[]).map((a) => expr(a, inAgg));
        if (name.toUpperCase() === 'NOT') return { kind: 'not', operand: args[0]! };
        const fn = catalog.udf(name.toLowerCase());
        if (!fn) throw new SqlError(`unknown function ${name}; register it with session.udf.register('${name}', fn, returnType)`);
        return fn(...args.map((a) => new Column(a, exprToString(a)))).expr;
      }
      case 'aggr_func': {
        if (!inAgg) throw new SqlError(`aggregate ${node.name} is not allowed in WHERE or GROUP BY`);
        if (node.args?.distinct) throw new SqlError(`${node.name}(DISTINCT ...) is not supported; use SELECT DISTINCT in a view first`);
        const fn = String(node.name).toLowerCase() as AggregateFn;
        if (!['count', 'sum', 'avg', 'min', 'max'].includes(fn)) throw new SqlError(`aggregate ${node.name} is not supported (COUNT, SUM, AVG, MIN, MAX are)`);
        const arg = node.args?.expr?.type === 'star' ? null : expr(node.args.expr, false);
        return { kind: 'column', name: aggName(fn, arg, alias) };
      }
      default:
        throw new SqlError(`SQL construct '${node.type}' is not supported`);
    }
  };

  if (ast.where) df = df.filter(new Column(expr(ast.where, false), 'where'));

  const hasAgg = (n: unknown): boolean => (n !== null && typeof n === 'object' ? (n as Ast).type === 'aggr_func' || Object.values(n as Ast).some(hasAgg) : false);
  const items = ast.columns as Ast[] | string;
  const star = items === '*' || (Array.isArray(items) && items.length === 1 && items[0]!.expr?.type === 'column_ref' && items[0]!.expr.column === '*');
  const grouped = Boolean(ast.groupby?.columns?.length) || (Array.isArray(items) && items.some((i) => hasAgg(i.expr))) || hasAgg(ast.having);
  const nameOf = (item: Ast, e: Expr): string => item.as ?? (e.kind === 'column' ? e.name : exprToString(e));

  let projected: NamedExpr[];
  if (grouped) {
    if (star) throw new SqlError('SELECT * cannot be combined with GROUP BY or aggregates');
    const keys = ((ast.groupby?.columns ?? []) as Ast[]).map((g) => {
      if (g.type !== 'column_ref') throw new SqlError('GROUP BY supports column names only; compute expressions in a view first');
      return (ref(g) as { name: string }).name;
    });
    projected = (items as Ast[]).map((item) => {
      const e = expr(item.expr, true, item.expr.type === 'aggr_func' ? (item.as ?? null) : null);
      return { name: nameOf(item, e), expr: e };
    });
    const having = ast.having ? expr(ast.having, true) : null;
    df = df.groupBy(...keys).agg(...aggs);
    if (having) df = df.filter(new Column(having, 'having'));
  } else {
    projected = star ? df.columns.map((n) => ({ name: n, expr: { kind: 'column', name: n } as Expr })) : (items as Ast[]).map((item) => {
      const e = expr(item.expr, false);
      return { name: nameOf(item, e), expr: e };
    });
  }
  const identity = projected.length === df.columns.length && projected.every((p, i) => p.expr.kind === 'column' && p.expr.name === p.name && df.columns[i] === p.name);
  if (!identity) df = df.select(...projected.map((p) => new Column(p.expr, p.name)));
  if (ast.distinct?.type === 'DISTINCT') df = df.distinct();
  if (ast.orderby) {
    const keys = (ast.orderby as Ast[]).map((o) => {
      if (o.expr.type !== 'column_ref') throw new SqlError('ORDER BY supports output column names only');
      const name = (ref(o.expr) as { name: string }).name;
      const descending = String(o.type ?? 'ASC').toUpperCase() === 'DESC';
      const nulls = o.nulls ? String(o.nulls).toUpperCase().includes('FIRST') : undefined;
      return descending ? desc(name, nulls ?? false) : asc(name, nulls ?? true);
    });
    df = df.orderBy(...keys);
  }
  const limit = ast.limit?.value?.[0]?.value;
  if (limit !== undefined) df = df.limit(Number(limit));
  return df;
}
