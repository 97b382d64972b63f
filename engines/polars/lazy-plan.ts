// The logical plan → one Polars LazyFrame, node by node. Nothing runs here (except UDFs, see udf.ts): Polars'
// optimizer sees the whole query and collect() executes it on its thread pool.
import pl from 'nodejs-polars';
import { commonType, fieldOf, outputSchema } from '../../plan/schema.ts';
import { assertNever, exprsOf, type PlanNode, type Schema, type SortKey } from '../../plan/types.ts';
import { tableNotLoaded, EngineError } from '../engine.ts';
import { polarsType } from './arrow-bridge.ts';
import { toPolarsAggregate, toPolarsExpr } from './expressions.ts';
import { udfCalls, type UdfStrategy } from './udf.ts';

/** What a translation reads: the loaded tables and how UDF calls are computed. */
export interface LazyPlanInput {
  readonly tables: ReadonlyMap<string, pl.DataFrame>;
  readonly udfs: UdfStrategy;
}

/**
 * A LazyFrame computing `node`, whose columns have exactly outputSchema(node)'s names, order and types.
 * @example const lf = toLazyFrame(df.plan, { tables, udfs: evaluateUdfs }); const out = await lf.collect();
 */
export function toLazyFrame(node: PlanNode, input: LazyPlanInput): pl.LazyDataFrame {
  const schema = outputSchema(node);
  switch (node.kind) {
    case 'scan': {
      const df = input.tables.get(node.table);
      if (!df) {
        throw tableNotLoaded(node.table, input.tables.keys());
      }
      const present = new Set(df.columns);
      const missing = node.schema.filter((f) => !present.has(f.name)).map((f) => f.name);
      if (missing.length > 0) {
        throw new EngineError(`table '${node.table}' lacks column(s) ${missing.join(', ')}; reload the dataset`, 'bad-input');
      }
      // Casts are no-ops when the loaded types already match; they also drop columns the plan does not name.
      return df.lazy().select(...node.schema.map((f) => pl.col(f.name).cast(polarsType(f.type))));
    }
    case 'project': {
      const inSchema = outputSchema(node.input);
      const { frame, columns } = withUdfs(node, inSchema, input);
      return frame.select(
        ...node.columns.map((c, i) => toPolarsExpr(c.expr, inSchema, columns).cast(polarsType(schema[i]!.type)).alias(c.name)),
      );
    }
    case 'filter': {
      const inSchema = outputSchema(node.input);
      const { frame, columns } = withUdfs(node, inSchema, input);
      // Polars keeps rows whose predicate is true; false and NULL are dropped, as in SQL's WHERE.
      const kept = frame.filter(toPolarsExpr(node.predicate, inSchema, columns));
      return columns.size > 0 ? kept.select(...schema.map((f) => pl.col(f.name))) : kept;
    }
    case 'aggregate': {
      const inSchema = outputSchema(node.input);
      const { frame, columns } = withUdfs(node, inSchema, input);
      const aggs = node.aggregates.map((a) => toPolarsAggregate(a, inSchema, columns));
      // No keys: a global aggregate, one row even over empty input. With keys, NULL keys form one group.
      if (node.keys.length === 0) return frame.select(...aggs);
      return frame.groupBy([...node.keys]).agg(...aggs).select(...schema.map((f) => pl.col(f.name)));
    }
    case 'join':
      return join(node, schema, input);
    case 'sort':
      return sortBy(toLazyFrame(node.input, input), node.keys);
    case 'limit':
      return toLazyFrame(node.input, input).limit(node.count);
    case 'union': {
      const names = schema.map((f) => f.name);
      const frames = node.inputs.map((child) => {
        const childNames = outputSchema(child).map((f) => f.name);
        return toLazyFrame(child, input).select(...childNames.map((n, i) => pl.col(n).alias(names[i]!)));
      });
      return pl.concat(frames, { how: 'vertical' });
    }
    case 'distinct':
      // Polars' unique compares NULLs as equal, like SQL DISTINCT.
      return toLazyFrame(node.input, input).unique();
    case 'latestPerKey': {
      // Greatest orderBy first (NULLs last, so they lose), then the first row per key in that order.
      const sorted = sortBy(toLazyFrame(node.input, input), [{ column: node.orderBy, ascending: false, nullsFirst: false }]);
      if (node.keys.length === 0) return sorted.limit(1);
      return sorted.unique({ subset: [...node.keys], keep: 'first', maintainOrder: true });
    }
    default:
      return assertNever(node, 'plan node');
  }
}

/** The node's input frame, with UDF results attached as extra columns when its expressions call any. */
function withUdfs(node: PlanNode & { input: PlanNode }, inSchema: Schema, input: LazyPlanInput) {
  const frame = toLazyFrame(node.input, input);
  const calls = udfCalls(exprsOf(node));
  if (calls.length === 0) return { frame, columns: new Map() };
  return input.udfs(frame, inSchema, calls);
}

/**
 * ORDER BY with direction and NULL placement per key. WARNING: nodejs-polars 0.24.1 takes one `descending` and
 * one `nullsLast` flag for a whole expression sort, so every key here sorts ascending: each key is preceded by a
 * null-flag key (is_not_null puts NULLs first, is_null puts them last), and a descending key is replaced by its
 * descending dense rank (rank 1 = greatest), which orders ascending exactly as the key orders descending.
 */
function sortBy(frame: pl.LazyDataFrame, keys: readonly SortKey[]): pl.LazyDataFrame {
  if (keys.length === 0) return frame;
  const by = keys.flatMap((k) => {
    const c = pl.col(k.column);
    return [k.nullsFirst ? c.isNotNull() : c.isNull(), k.ascending ? c : c.rank('dense', true)];
  });
  return frame.sort({ by, descending: false, nullsLast: false, maintainOrder: false });
}

/**
 * INNER/LEFT equi-join. Right keys are renamed to private names first so they can never clash with a left
 * column; keys of different numeric types are joined on copies cast to their common type.
 * Polars never matches NULL keys (its default), as SQL requires.
 */
function join(node: Extract<PlanNode, { kind: 'join' }>, schema: Schema, input: LazyPlanInput): pl.LazyDataFrame {
  const leftSchema = outputSchema(node.left);
  const rightSchema = outputSchema(node.right);
  const leftExtra: pl.Expr[] = [];
  const leftOn: string[] = [];
  const rightCols: pl.Expr[] = [];
  const rightOn: string[] = [];
  const rightKeys = new Set(node.on.map((k) => k.right));
  node.on.forEach((k, i) => {
    const lt = fieldOf(leftSchema, k.left).type;
    const rt = fieldOf(rightSchema, k.right).type;
    const rightName = `__rk_${i}`;
    if (lt === rt) {
      leftOn.push(k.left);
      rightCols.push(pl.col(k.right).alias(rightName));
    } else {
      const common = polarsType(commonType([lt, rt]));
      leftExtra.push(pl.col(k.left).cast(common).alias(`__lk_${i}`));
      leftOn.push(`__lk_${i}`);
      rightCols.push(pl.col(k.right).cast(common).alias(rightName));
    }
    rightOn.push(rightName);
  });
  for (const f of rightSchema) if (!rightKeys.has(f.name)) rightCols.push(pl.col(f.name));
  let left = toLazyFrame(node.left, input);
  if (leftExtra.length > 0) left = left.withColumns(...leftExtra);
  const right = toLazyFrame(node.right, input).select(...rightCols);
  return left
    .join(right, { leftOn, rightOn, how: node.how, coalesce: true })
    .select(...schema.map((f) => pl.col(f.name)));
}
