// The plan builder: an immutable DataFrame whose methods follow PySpark's names and each return a new DataFrame
// wrapping a bigger logical plan. Nothing executes here; engines run `df.plan`.
import {
  AggregateColumn,
  Column,
  col,
  count as countAgg,
  sum as sumAgg,
  avg as avgAgg,
  min as minAgg,
  max as maxAgg,
  toColumnRef,
  type ColumnLike,
} from './column.ts';
import { explain } from './explain.ts';
import { PlanError, fieldOf, names, outputSchema } from './schema.ts';
import type { Expr, JoinKey, NamedExpr, PlanNode, Schema, SortKey } from './types.ts';

export type JoinOn = string | readonly string[] | readonly (readonly [string, string])[] | readonly JoinKey[];
export type SortSpec = string | SortKey;

/** Ascending sort key; NULLs first unless told otherwise (Spark's default). */
export function asc(column: string, nullsFirst = true): SortKey {
  return { column, ascending: true, nullsFirst };
}
/** Descending sort key; NULLs last unless told otherwise (Spark's default). */
export function desc(column: string, nullsFirst = false): SortKey {
  return { column, ascending: false, nullsFirst };
}

/**
 * An immutable, lazy DataFrame over the logical plan.
 * @example
 *   const df = table('transactions', schema)
 *     .withColumn('amount', col('price').multiply(col('quantity')))
 *     .groupBy('invoice').agg(sum('amount').alias('total'))
 *     .orderBy(desc('total'));
 *   console.log(df.explain());
 */
export class DataFrame {
  constructor(readonly plan: PlanNode) {
    outputSchema(plan); // validate eagerly: a wrong name fails where it was written
  }

  get schema(): Schema {
    return outputSchema(this.plan);
  }
  get columns(): string[] {
    return names(this.schema);
  }

  /** `df.select('a', col('b').multiply(2).alias('b2'))`. */
  select(...cols: ColumnLike[]): DataFrame {
    const columns: NamedExpr[] = cols.map((c) => {
      const column = toColumnRef(c);
      return { name: column.outputName, expr: column.expr };
    });
    return new DataFrame({ kind: 'project', input: this.plan, columns });
  }

  /** Keep rows where the condition is TRUE. */
  filter(condition: Column): DataFrame {
    return new DataFrame({ kind: 'filter', input: this.plan, predicate: condition.expr });
  }
  /** Alias of filter, as in PySpark. */
  where(condition: Column): DataFrame {
    return this.filter(condition);
  }

  /** Add a column, or replace it in place if the name exists (PySpark semantics). */
  withColumn(name: string, value: Column): DataFrame {
    const existing = this.columns;
    const columns: NamedExpr[] = existing.map((n) => (n === name ? { name, expr: value.expr } : identity(n)));
    if (!existing.includes(name)) columns.push({ name, expr: value.expr });
    return new DataFrame({ kind: 'project', input: this.plan, columns });
  }

  withColumnRenamed(existing: string, renamed: string): DataFrame {
    fieldOf(this.schema, existing);
    const columns = this.columns.map((n) => (n === existing ? { name: renamed, expr: col(n).expr } : identity(n)));
    return new DataFrame({ kind: 'project', input: this.plan, columns });
  }

  drop(...dropped: string[]): DataFrame {
    dropped.forEach((n) => fieldOf(this.schema, n));
    const kept = this.columns.filter((n) => !dropped.includes(n));
    return new DataFrame({ kind: 'project', input: this.plan, columns: kept.map(identity) });
  }

  /** Drop rows with a NULL in any of `subset` (default: every column), like PySpark's `dropna(how='any')`. */
  dropna(subset?: readonly string[]): DataFrame {
    const cols = subset ?? this.columns;
    cols.forEach((n) => fieldOf(this.schema, n));
    if (cols.length === 0) return this;
    const notNull = cols.map((n) => col(n).isNotNull());
    const predicate = notNull.slice(1).reduce((acc, c) => acc.and(c), notNull[0]!);
    return this.filter(predicate);
  }

  groupBy(...keys: string[]): GroupedData {
    keys.forEach((k) => fieldOf(this.schema, k));
    return new GroupedData(this.plan, keys);
  }

  /** A global aggregate (no grouping): `df.agg(avg('fare_amount'))`. */
  agg(...aggs: AggregateColumn[]): DataFrame {
    return new GroupedData(this.plan, []).agg(...aggs);
  }

  /**
   * Join on key columns. `on` is a name shared by both sides, a list of them, or pairs `[leftName, rightName]`.
   * Output: all left columns, then the right columns except its join keys.
   */
  join(other: DataFrame, on: JoinOn, how: 'inner' | 'left' = 'inner'): DataFrame {
    return new DataFrame({ kind: 'join', left: this.plan, right: other.plan, how, on: normaliseJoinKeys(on) });
  }

  /** `orderBy('a', desc('b'))`; plain names sort ascending. */
  orderBy(...keys: SortSpec[]): DataFrame {
    const sortKeys = keys.map((k) => (typeof k === 'string' ? asc(k) : k));
    return new DataFrame({ kind: 'sort', input: this.plan, keys: sortKeys });
  }
  sort(...keys: SortSpec[]): DataFrame {
    return this.orderBy(...keys);
  }

  limit(n: number): DataFrame {
    return new DataFrame({ kind: 'limit', input: this.plan, count: n });
  }

  /** UNION ALL by position (PySpark's union does not remove duplicates either). */
  union(...others: DataFrame[]): DataFrame {
    return new DataFrame({ kind: 'union', inputs: [this.plan, ...others.map((o) => o.plan)] });
  }

  distinct(): DataFrame {
    return new DataFrame({ kind: 'distinct', input: this.plan });
  }

  /** Keep the row with the greatest `orderBy` per key (a row_number() window filtered to 1). */
  latestPerKey(keys: readonly string[], orderBy: string): DataFrame {
    return new DataFrame({ kind: 'latestPerKey', input: this.plan, keys, orderBy });
  }

  /** The indented plan tree. */
  explain(): string {
    return explain(this.plan);
  }
}

/** The result of groupBy: finish it with agg() or a shortcut such as count(). */
export class GroupedData {
  constructor(
    private readonly input: PlanNode,
    private readonly keys: readonly string[],
  ) {}

  agg(...aggs: AggregateColumn[]): DataFrame {
    if (aggs.length === 0 && this.keys.length === 0) throw new PlanError('agg() needs at least one aggregate');
    return new DataFrame({
      kind: 'aggregate',
      input: this.input,
      keys: this.keys,
      aggregates: aggs.map((a) => ({ fn: a.fn, arg: a.arg, name: a.outputName })),
    });
  }
  /** Rows per group, in a column named `count`. */
  count(): DataFrame {
    return this.agg(countAgg());
  }
  sum(...cols: string[]): DataFrame {
    return this.agg(...cols.map((c) => sumAgg(c)));
  }
  avg(...cols: string[]): DataFrame {
    return this.agg(...cols.map((c) => avgAgg(c)));
  }
  min(...cols: string[]): DataFrame {
    return this.agg(...cols.map((c) => minAgg(c)));
  }
  max(...cols: string[]): DataFrame {
    return this.agg(...cols.map((c) => maxAgg(c)));
  }
}

/**
 * A DataFrame reading a table that an engine has loaded.
 * @example table('user_events', USER_EVENTS_SCHEMA).groupBy('user_id').count()
 */
export function table(name: string, schema: Schema): DataFrame {
  return new DataFrame({ kind: 'scan', table: name, schema });
}

function identity(name: string): NamedExpr {
  const expr: Expr = { kind: 'column', name };
  return { name, expr };
}

function normaliseJoinKeys(on: JoinOn): JoinKey[] {
  const list = typeof on === 'string' ? [on] : on;
  return list.map((k) => {
    if (typeof k === 'string') return { left: k, right: k };
    if (Array.isArray(k)) return { left: k[0] as string, right: k[1] as string };
    return k as JoinKey;
  });
}
