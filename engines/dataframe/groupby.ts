// Aggregate: `df.groupby(keys).agg({...})` in danfo, with the NULL rules danfo lacks prepared around it.
// danfo's per-group reducers fold every value, NULLs included (count counts them, sum/mean treat them as 0, min
// compares them as 0), and its composite keys collide. So an aggregate over a column with NULLs is rewritten into
// danfo-reducible columns first: NULL-free fills plus a non-NULL indicator whose sum tells "no values" (→ NULL)
// apart. A NULL-free column goes to danfo as is, with the op a pandas user would write (sum, mean, min, max):
// danfo's result assembly costs groups² per column handed to it, so every column left out counts.
import * as dfd from './danfo.ts';
import { typeOf } from '../../plan/schema.ts';
import { assertNever, type AggregateFn, type AggregateNode, type DataType, type Schema } from '../../plan/types.ts';
import { compareCells, evaluate } from './expressions.ts';
import { assertExactIntegerSum, columnCells, danfoColumn, frameFromColumns, schemaOf, type Cell, type Frame } from './frame.ts';
import { encodeKeys } from './keys.ts';

type DanfoOp = 'sum' | 'mean' | 'min' | 'max' | 'count';

/** One NULL-free column handed to danfo and the reduction danfo applies to it per group. */
interface Prepared {
  readonly name: string;
  readonly values: readonly (number | string)[];
  readonly op: DanfoOp;
}

/** How to turn danfo's per-group reductions back into one SQL aggregate. */
type Finish =
  | { readonly kind: 'count-star' }
  /** A danfo reduction over a NULL-free column, used as is (rank-decoded for strings and bools). */
  | { readonly kind: 'direct'; readonly column: string; readonly decode: readonly Cell[] | null }
  | { readonly kind: 'count'; readonly nonNull: string }
  | { readonly kind: 'sum'; readonly sum: string; readonly nonNull: string }
  | { readonly kind: 'avg'; readonly sum: string; readonly nonNull: string }
  | { readonly kind: 'extreme'; readonly column: string; readonly nonNull: string; readonly decode: readonly Cell[] | null };

/** The execution choice, reported by explain and the run's notes. */
export type GroupbyStrategy = 'valueCounts' | 'groupby.agg' | 'series-reductions';

export function groupbyStrategy(node: AggregateNode): GroupbyStrategy {
  if (node.keys.length === 0) return 'series-reductions';
  // `df[key].value_counts()` is the idiomatic pandas count and, in danfo, linear in rows; danfo's groupby
  // assembles its result by re-spreading arrays per group (quadratic in the number of groups).
  if (node.aggregates.every((a) => a.fn === 'count' && a.arg === null)) return 'valueCounts';
  return 'groupby.agg';
}

/**
 * Run an Aggregate node over a materialised frame; returns the grouped frame (keys, then aggregates).
 * @example aggregate(frame, table('t', s).groupBy('k').agg(sum('v')).plan as AggregateNode)
 */
export function aggregate(frame: Frame, node: AggregateNode, outSchema: Schema): { frame: Frame; groups: number } {
  const inSchema = schemaOf(frame);
  const prepared: Prepared[] = [];
  const finishes = node.aggregates.map((agg) =>
    agg.arg === null ? prepare(frame.rows, agg.fn, null, null, prepared) : prepare(frame.rows, agg.fn, evaluate(frame, agg.arg), typeOf(agg.arg, inSchema), prepared),
  );
  const strategy = groupbyStrategy(node);
  if (strategy === 'series-reductions') {
    const reduced = new Map<string, number>();
    for (const p of prepared) reduced.set(p.name, seriesReduce(p, frame.rows));
    const row = finishes.map((f) => finish(f, (name) => reduced.get(name)!, () => frame.rows));
    return { frame: frameFromColumns(outSchema, row.map((v) => [v])), groups: 1 };
  }
  const keyColumns = node.keys.map((k) => columnCells(frame, k));
  const encoded = encodeKeys(keyColumns, frame.rows);
  if (frame.rows === 0) return { frame: frameFromColumns(outSchema, outSchema.map(() => [])), groups: 0 };
  const firstRow = new Map<string, number>();
  for (let i = 0; i < encoded.length; i++) if (!firstRow.has(encoded[i]!)) firstRow.set(encoded[i]!, i);

  let groupKeys: string[];
  let lookup: (group: number) => (name: string) => number;
  if (strategy === 'valueCounts') {
    const counts = new dfd.Series(encoded).valueCounts();
    groupKeys = (counts.index as unknown[]).map(String);
    const sizes = counts.values as number[];
    lookup = (g) => () => sizes[g]!;
  } else {
    const data: Record<string, readonly (number | string)[]> = { g: encoded };
    // One op per column, given as a plain string: danfo rejects an op *list* on a string column, even ['count'].
    // The key's count (group sizes) only when an aggregate needs it: it is one more column for danfo to assemble.
    const ops: Record<string, DanfoOp> = finishes.some((f) => f.kind === 'count-star') ? { g: 'count' } : {};
    for (const p of prepared) {
      data[p.name] = p.values;
      ops[p.name] = p.op;
    }
    const grouped = new dfd.DataFrame(data).groupby(['g']).agg(ops);
    groupKeys = danfoColumn(grouped, 'g').map(String);
    const results = new Map<string, readonly number[]>();
    for (const p of prepared) results.set(p.name, danfoColumn(grouped, `${p.name}_${p.op}`) as readonly number[]);
    const sizes = 'g' in ops ? (danfoColumn(grouped, 'g_count') as readonly number[]) : null;
    lookup = (g) => (name) => (name === 'g' ? sizes![g]! : results.get(name)![g]!);
  }

  const columns: Cell[][] = outSchema.map(() => new Array<Cell>(groupKeys.length));
  groupKeys.forEach((key, g) => {
    const first = firstRow.get(key);
    if (first === undefined) throw new Error(`internal: danfo returned group '${key}' that the input does not contain`);
    keyColumns.forEach((c, k) => {
      columns[k]![g] = c[first]!;
    });
    const get = lookup(g);
    finishes.forEach((f, a) => {
      columns[keyColumns.length + a]![g] = finish(f, get, () => get('g'));
    });
  });
  return { frame: frameFromColumns(outSchema, columns), groups: groupKeys.length };
}

function prepare(n: number, fn: AggregateFn, values: Cell[] | null, argType: DataType | null, out: Prepared[]): Finish {
  const add = (name: string, vals: readonly (number | string)[], op: DanfoOp): string => {
    const full = `${name}${out.length}`;
    out.push({ name: full, values: vals, op });
    return full;
  };
  if (values === null) {
    if (fn !== 'count') throw new Error(`internal: ${fn}(*) reached the engine`);
    return { kind: 'count-star' };
  }
  if (fn === 'sum' && (argType === 'int32' || argType === 'int64')) assertExactIntegerSum(values, 'a sum');
  // Over no rows SQL gives NULL (sum, avg, min, max), which only the NULL-aware path below tells apart.
  if (n > 0 && !values.includes(null)) {
    switch (fn) {
      case 'count':
        return { kind: 'count-star' };
      case 'sum':
        return { kind: 'direct', column: add('s', values as number[], 'sum'), decode: null };
      case 'avg':
        return { kind: 'direct', column: add('m', values as number[], 'mean'), decode: null };
      case 'min':
      case 'max': {
        const { numeric, decode } = ranked(values, argType);
        return { kind: 'direct', column: add(fn, numeric as number[], fn), decode };
      }
      default:
        return assertNever(fn, 'aggregate function');
    }
  }
  const indicator = new Array<number>(n);
  for (let i = 0; i < n; i++) indicator[i] = values[i] === null ? 0 : 1;
  switch (fn) {
    case 'count':
      return { kind: 'count', nonNull: add('nn', indicator, 'sum') };
    case 'sum':
    case 'avg': {
      const filled = values.map((v) => (v === null ? 0 : (v as number)));
      return { kind: fn, sum: add('s', filled, 'sum'), nonNull: add('nn', indicator, 'sum') };
    }
    case 'min':
    case 'max': {
      const { numeric, decode } = ranked(values, argType);
      const fill = fn === 'min' ? Infinity : -Infinity;
      const filled = numeric.map((v) => (v === null ? fill : v));
      return { kind: 'extreme', column: add(fn, filled, fn), nonNull: add('nn', indicator, 'sum'), decode };
    }
    default:
      return assertNever(fn, 'aggregate function');
  }
}

/** danfo refuses min/max on string columns, so strings and bools go in as their rank in SQL order. */
function ranked(values: readonly Cell[], argType: DataType | null): { numeric: (number | null)[]; decode: Cell[] | null } {
  if (argType !== 'utf8' && argType !== 'bool') return { numeric: values as (number | null)[], decode: null };
  const decode = [...new Set(values.filter((v) => v !== null))].sort((a, b) => compareCells(a!, b!));
  const rank = new Map(decode.map((v, i) => [v, i]));
  return { numeric: values.map((v) => (v === null ? null : rank.get(v)!)), decode };
}

function finish(f: Finish, get: (name: string) => number, groupSize: () => number): Cell {
  switch (f.kind) {
    case 'count-star':
      return groupSize();
    case 'direct': {
      const v = get(f.column);
      return f.decode ? f.decode[v]! : v;
    }
    case 'count':
      return get(f.nonNull);
    case 'sum':
      return get(f.nonNull) === 0 ? null : get(f.sum);
    case 'avg': {
      const nn = get(f.nonNull);
      return nn === 0 ? null : get(f.sum) / nn;
    }
    case 'extreme': {
      if (get(f.nonNull) === 0) return null;
      const v = get(f.column);
      return f.decode ? f.decode[v]! : v;
    }
    default:
      return assertNever(f, 'aggregate finish');
  }
}

/** A global aggregate, the pandas way: `df['x'].sum()`, `.min()`, `.max()` on danfo Series. */
function seriesReduce(p: Prepared, rows: number): number {
  if (rows === 0) return p.op === 'min' ? Infinity : p.op === 'max' ? -Infinity : 0;
  const s = new dfd.Series(p.values as number[]);
  switch (p.op) {
    case 'sum':
      return Number(s.sum());
    case 'min':
      return Number(s.min());
    case 'max':
      return Number(s.max());
    case 'mean':
      return Number(s.mean());
    case 'count':
      return Number(s.count());
    default:
      return assertNever(p.op, 'danfo reduction');
  }
}
