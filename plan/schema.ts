// Output schemas and type rules of the logical plan. Every engine relies on these to build its result columns,
// and the builder calls them eagerly so a wrong column name fails where the user wrote it, not inside an engine.
import {
  assertNever,
  type Aggregate,
  type DataType,
  type Expr,
  type Field,
  type PlanNode,
  type Schema,
} from './types.ts';

/** A plan that refers to a missing column, mixes incompatible types, or is otherwise malformed. */
export class PlanError extends Error {
  override name = 'PlanError';
}

const NUMERIC: ReadonlySet<DataType> = new Set(['int32', 'int64', 'float64']);
const INTEGER: ReadonlySet<DataType> = new Set(['int32', 'int64']);

export function isNumeric(t: DataType): boolean {
  return NUMERIC.has(t);
}
export function isInteger(t: DataType): boolean {
  return INTEGER.has(t);
}

export function fieldOf(schema: Schema, name: string): Field {
  const f = schema.find((x) => x.name === name);
  if (!f) {
    throw new PlanError(`column '${name}' not found; available columns: ${schema.map((x) => x.name).join(', ')}`);
  }
  return f;
}

/** The type an expression evaluates to over rows of `schema`, validating it on the way. */
export function typeOf(expr: Expr, schema: Schema): DataType {
  switch (expr.kind) {
    case 'column':
      return fieldOf(schema, expr.name).type;
    case 'literal':
      return expr.type;
    case 'arithmetic': {
      const l = typeOf(expr.left, schema);
      const r = typeOf(expr.right, schema);
      if (!isNumeric(l) || !isNumeric(r)) {
        throw new PlanError(`arithmetic '${expr.op}' needs numbers, got ${l} and ${r}`);
      }
      if (expr.op === '/') return 'float64';
      return l === 'float64' || r === 'float64' ? 'float64' : 'int64';
    }
    case 'comparison': {
      const l = typeOf(expr.left, schema);
      const r = typeOf(expr.right, schema);
      if (!(l === r || (isNumeric(l) && isNumeric(r)))) {
        throw new PlanError(`cannot compare ${l} with ${r}; cast one side first`);
      }
      return 'bool';
    }
    case 'logical': {
      for (const side of [expr.left, expr.right]) {
        const t = typeOf(side, schema);
        if (t !== 'bool') throw new PlanError(`'${expr.op}' needs boolean operands, got ${t}`);
      }
      return 'bool';
    }
    case 'not': {
      const t = typeOf(expr.operand, schema);
      if (t !== 'bool') throw new PlanError(`'not' needs a boolean operand, got ${t}`);
      return 'bool';
    }
    case 'isNull':
      typeOf(expr.operand, schema);
      return 'bool';
    case 'cast':
      typeOf(expr.operand, schema);
      return expr.to;
    case 'case': {
      if (expr.branches.length === 0) throw new PlanError('a CASE expression needs at least one WHEN branch');
      const result = typeOf(expr.otherwise, schema);
      for (const b of expr.branches) {
        const w = typeOf(b.when, schema);
        if (w !== 'bool') throw new PlanError(`CASE WHEN needs a boolean condition, got ${w}`);
        const t = typeOf(b.then, schema);
        if (t !== result && !(isNumeric(t) && isNumeric(result))) {
          throw new PlanError(`CASE branches disagree on type: ${t} vs ${result}`);
        }
      }
      return commonType([result, ...expr.branches.map((b) => typeOf(b.then, schema))]);
    }
    case 'udf':
      expr.args.forEach((a) => typeOf(a, schema));
      return expr.returnType;
    default:
      return assertNever(expr, 'expression');
  }
}

/** The widest of several numeric types, or the shared type of non-numeric ones. */
export function commonType(types: readonly DataType[]): DataType {
  if (types.every((t) => t === types[0])) return types[0]!;
  if (types.every(isNumeric)) return types.includes('float64') ? 'float64' : 'int64';
  throw new PlanError(`incompatible types: ${[...new Set(types)].join(', ')}`);
}

export function aggregateType(agg: Aggregate, schema: Schema): DataType {
  if (agg.arg === null) {
    if (agg.fn !== 'count') throw new PlanError(`${agg.fn}(*) is not valid; only count(*) takes no column`);
    return 'int64';
  }
  const t = typeOf(agg.arg, schema);
  switch (agg.fn) {
    case 'count':
      return 'int64';
    case 'sum':
      if (!isNumeric(t)) throw new PlanError(`sum needs a numeric column, got ${t}`);
      return t === 'float64' ? 'float64' : 'int64';
    case 'avg':
      if (!isNumeric(t)) throw new PlanError(`avg needs a numeric column, got ${t}`);
      return 'float64';
    case 'min':
    case 'max':
      return t;
    default:
      return assertNever(agg.fn, 'aggregate function');
  }
}

/**
 * Output names must differ in more than case: SQL engines (DuckDB, Spark by default) resolve names ignoring case,
 * so 'k' and 'K' would be one column there and another engine's two.
 */
function assertUniqueNames(fields: Schema, where: string): Schema {
  const seen = new Map<string, string>();
  for (const f of fields) {
    const earlier = seen.get(f.name.toLowerCase());
    if (earlier === f.name) {
      throw new PlanError(`${where} produces column '${f.name}' twice; rename one of them`);
    }
    if (earlier !== undefined) {
      throw new PlanError(`${where} produces columns '${earlier}' and '${f.name}', which differ only in case (SQL engines treat them as one); rename one of them`);
    }
    seen.set(f.name.toLowerCase(), f.name);
  }
  return fields;
}

const schemaCache = new WeakMap<PlanNode, Schema>();

/** The output schema of a plan node (memoised per node; plans are immutable). Throws PlanError when invalid. */
export function outputSchema(node: PlanNode): Schema {
  const cached = schemaCache.get(node);
  if (cached) return cached;
  const schema = computeSchema(node);
  schemaCache.set(node, schema);
  return schema;
}

function computeSchema(node: PlanNode): Schema {
  switch (node.kind) {
    case 'scan':
      return assertUniqueNames(node.schema, `table '${node.table}'`);
    case 'project': {
      const input = outputSchema(node.input);
      return assertUniqueNames(
        node.columns.map((c) => ({ name: c.name, type: typeOf(c.expr, input) })),
        'select',
      );
    }
    case 'filter': {
      const input = outputSchema(node.input);
      const t = typeOf(node.predicate, input);
      if (t !== 'bool') throw new PlanError(`filter needs a boolean condition, got ${t}`);
      return input;
    }
    case 'aggregate': {
      const input = outputSchema(node.input);
      const keys = node.keys.map((k) => fieldOf(input, k));
      const aggs = node.aggregates.map((a) => ({ name: a.name, type: aggregateType(a, input) }));
      return assertUniqueNames([...keys, ...aggs], 'groupBy().agg()');
    }
    case 'join': {
      const left = outputSchema(node.left);
      const right = outputSchema(node.right);
      if (node.on.length === 0) throw new PlanError('a join needs at least one key column');
      for (const k of node.on) {
        const lt = fieldOf(left, k.left).type;
        const rt = fieldOf(right, k.right).type;
        if (lt !== rt && !(isNumeric(lt) && isNumeric(rt))) {
          throw new PlanError(`join key ${k.left} (${lt}) cannot match ${k.right} (${rt})`);
        }
      }
      const rightKeys = new Set(node.on.map((k) => k.right));
      return assertUniqueNames([...left, ...right.filter((f) => !rightKeys.has(f.name))], 'join');
    }
    case 'sort': {
      const input = outputSchema(node.input);
      node.keys.forEach((k) => fieldOf(input, k.column));
      return input;
    }
    case 'limit':
      if (!Number.isInteger(node.count) || node.count < 0) {
        throw new PlanError(`limit needs a non-negative integer, got ${node.count}`);
      }
      return outputSchema(node.input);
    case 'union': {
      if (node.inputs.length < 2) throw new PlanError('union needs at least two inputs');
      const [first, ...rest] = node.inputs.map(outputSchema);
      for (const other of rest) {
        const a = first!.map((f) => f.type).join(', ');
        const b = other.map((f) => f.type).join(', ');
        if (a !== b) throw new PlanError(`union inputs differ in column types: (${a}) vs (${b})`);
      }
      return first!;
    }
    case 'distinct':
      return outputSchema(node.input);
    case 'latestPerKey': {
      const input = outputSchema(node.input);
      node.keys.forEach((k) => fieldOf(input, k));
      fieldOf(input, node.orderBy);
      return input;
    }
    default:
      return assertNever(node, 'plan node');
  }
}

/** Field names of a schema, for messages and projections. */
export function names(schema: Schema): string[] {
  return schema.map((f) => f.name);
}

export function schemaToString(schema: Schema): string {
  return schema.map((f) => `${f.name}: ${f.type}`).join(', ');
}

/** Validates a whole plan, returning its schema; the one call engines make before translating. */
export function validatePlan(plan: PlanNode): Schema {
  return outputSchema(plan);
}

export type { Field };
