// Hash aggregation in two modes, as Spark's HashAggregateExec: `partial` pre-aggregates each map partition into
// per-group states (so only one row per group and partition is shuffled), `final` merges those states after
// the shuffle. Aggregates skip NULLs; sum/avg/min/max of no values is NULL; count is never NULL.
import { aggregateType } from '../../../plan/schema.ts';
import { assertNever, type Aggregate, type Field, type Schema } from '../../../plan/types.ts';
import { alloc, gather, column, sliceVec, type Batch, type Vec } from '../columnar.ts';
import { compareStrings, evaluate, type EvalContext } from '../expressions.ts';
import { groupRows, perfectInt32Range } from './grouping.ts';
import { sumIntegers } from './int-sum.ts';

/** The state columns a partial aggregate emits for one aggregate (names derived from the aggregate's name). */
export function stateFields(agg: Aggregate, input: Schema): Field[] {
  switch (agg.fn) {
    case 'count':
      return [{ name: `${agg.name}#count`, type: 'float64' }];
    case 'sum':
      // Integer sums keep an exact int64 state; float sums a float64 one.
      return [{ name: `${agg.name}#sum`, type: aggregateType(agg, input) }];
    case 'avg':
      return [
        { name: `${agg.name}#sum`, type: 'float64' },
        { name: `${agg.name}#count`, type: 'float64' },
      ];
    case 'min':
    case 'max':
      return [{ name: `${agg.name}#${agg.fn}`, type: aggregateType(agg, input) }];
    default:
      return assertNever(agg.fn, 'aggregate function');
  }
}

/** Output schema of the partial aggregate: the keys, then each aggregate's state columns. */
export function partialSchema(input: Schema, keys: readonly string[], aggs: readonly Aggregate[]): Schema {
  return [...keys.map((k) => input.find((f) => f.name === k)!), ...aggs.flatMap((a) => stateFields(a, input))];
}

export interface AggregateSpec {
  readonly mode: 'partial' | 'final';
  readonly keys: readonly string[];
  readonly aggregates: readonly Aggregate[];
  /** Output schema (partial: keys + states; final: the logical aggregate's schema). */
  readonly schema: Schema;
}

/** Run a hash aggregate over one partition. */
export function hashAggregate(spec: AggregateSpec, batch: Batch, ctx: EvalContext): Batch {
  const n = batch.length;
  const keyVecs = spec.keys.map((k) => column(batch, k));
  if (spec.mode === 'partial') {
    const counted = countPerIntKey(spec, keyVecs, batch, ctx);
    if (counted !== null) return counted;
  }
  const { gid, groups, firstRow } = groupRows(keyVecs, n);
  const columns: Vec[] = keyVecs.map((v) => gather(v, firstRow, groups));
  const typeOfOut = new Map(spec.schema.map((f) => [f.name, f.type]));
  if (spec.mode === 'partial') return { length: groups, names: spec.schema.map((f) => f.name), columns: [...columns, ...partialStates(spec.aggregates, batch, ctx, gid, groups, groups)] };
  for (const agg of spec.aggregates) {
    // Final: merge the states the partial aggregates produced.
    const state = (suffix: string) => column(batch, `${agg.name}#${suffix}`);
    const outType = typeOfOut.get(agg.name)!;
    switch (agg.fn) {
      case 'count': {
        const total = sumValues(state('count'), gid, groups, n).sum;
        columns.push(toInt64(total, groups));
        break;
      }
      case 'sum':
        columns.push(outType === 'int64' ? sumIntegers(state('sum'), gid, groups, n, agg.name) : sumValues(state('sum'), gid, groups, n).sum);
        break;
      case 'avg': {
        const s = sumValues(state('sum'), gid, groups, n).sum;
        const c = sumValues(state('count'), gid, groups, n).sum;
        const values = alloc.float64(groups);
        const validity = alloc.uint8(groups);
        for (let g = 0; g < groups; g++) {
          const cnt = c.values[g]!;
          if (cnt > 0) {
            values[g] = (s.values as Float64Array)[g]! / cnt;
            validity[g] = 1;
          }
        }
        columns.push({ type: 'float64', values, validity });
        break;
      }
      case 'min':
      case 'max':
        columns.push(minMax(agg.fn, state(agg.fn), gid, groups, n));
        break;
      default:
        assertNever(agg.fn, 'aggregate function');
    }
  }
  return { length: groups, names: spec.schema.map((f) => f.name), columns };
}

/**
 * The partial aggregate of counts only (count(*), or count(x) of a column without NULLs) over one small-range int32
 * key: a count per key value in one pass, straight into a direct-mapped array (DuckDB's perfect hash aggregate),
 * with no group id per row and no second pass. Groups come out in key order. Null when the shape differs.
 */
function countPerIntKey(spec: AggregateSpec, keyVecs: readonly Vec[], batch: Batch, ctx: EvalContext): Batch | null {
  const key = keyVecs.length === 1 ? keyVecs[0]! : null;
  if (key === null || key.type !== 'int32' || spec.aggregates.some((a) => a.fn !== 'count')) return null;
  for (const a of spec.aggregates) if (a.arg !== null && (a.arg.kind !== 'column' || evaluate(a.arg, batch, ctx).validity !== null)) return null;
  const n = batch.length;
  const values = key.values;
  const valid = key.validity;
  const perfect = perfectInt32Range(values, valid, n);
  if (perfect === null) return null;
  const { lo, range } = perfect;
  const counts = new Int32Array(range + 1); // slot `range` counts the NULL keys
  if (valid === null) for (let i = 0; i < n; i++) counts[values[i]! - lo]!++;
  else for (let i = 0; i < n; i++) counts[valid[i] === 0 ? range : values[i]! - lo]!++;
  let groups = 0;
  for (let s = 0; s <= range; s++) if (counts[s] !== 0) groups++;
  const keys = alloc.int32(groups);
  const total = alloc.float64(groups);
  const keyValidity = counts[range] !== 0 ? alloc.uint8(groups) : null;
  for (let s = 0, g = 0; s <= range; s++) {
    const c = counts[s]!;
    if (c === 0) continue;
    total[g] = c;
    if (s < range) {
      keys[g] = lo + s;
      if (keyValidity !== null) keyValidity[g] = 1;
    }
    g++;
  }
  const states: Vec[] = spec.aggregates.map(() => ({ type: 'float64', values: total, validity: null }));
  return { length: groups, names: spec.schema.map((f) => f.name), columns: [{ type: 'int32', values: keys, validity: keyValidity }, ...states] };
}

/**
 * Each aggregate's partial state columns over `batch` grouped by `gid` into `groups` accumulators, of which the first
 * `kept` are returned (a trailing accumulator can collect rows to discard).
 */
function partialStates(aggs: readonly Aggregate[], batch: Batch, ctx: EvalContext, gid: Int32Array, groups: number, kept: number): Vec[] {
  const n = batch.length;
  const columns: Vec[] = [];
  const cut = (v: Vec): Vec => (kept === groups ? v : sliceVec(v, 0, kept));
  for (const agg of aggs) {
    const arg = agg.arg === null ? null : evaluate(agg.arg, batch, ctx);
    switch (agg.fn) {
      case 'count':
        columns.push(cut(countValues(arg, gid, groups, n)));
        break;
      case 'sum':
        columns.push(cut(arg!.type === 'int32' || arg!.type === 'int64' ? sumIntegers(arg!, gid, groups, n, agg.name, kept) : sumValues(arg!, gid, groups, n).sum));
        break;
      case 'avg': {
        const { sum, count } = sumValues(arg!, gid, groups, n);
        columns.push(cut(sum), cut(count));
        break;
      }
      case 'min':
      case 'max':
        columns.push(cut(minMax(agg.fn, arg!, gid, groups, n)));
        break;
      default:
        assertNever(agg.fn, 'aggregate function');
    }
  }
  return columns;
}

/**
 * The partial aggregate of a join without materialising the joined rows (Spark's whole-stage codegen fuses the
 * same way): group keys come from the build side, every argument from the streamed side, and each streamed row
 * matches at most one build row. Groups are found on the small build side once; `groupsOfStream` gives each
 * streamed row its build row's group, or the discard accumulator when unmatched (null: a build key repeats, and
 * so does the result: the caller materialises the join). Only groups some row
 * reached are emitted, exactly as the partial aggregate over the materialised join would.
 */
export function hashAggregateJoined(
  spec: AggregateSpec,
  build: Batch,
  groupsOfStream: (buildGid: Int32Array, discard: number) => Int32Array | null,
  stream: Batch,
  ctx: EvalContext,
): Batch | null {
  const n = stream.length;
  const keyVecs = spec.keys.map((k) => column(build, k));
  const grouped = groupRows(keyVecs, build.length);
  const discard = grouped.groups;
  const gid = groupsOfStream(grouped.gid, discard);
  if (gid === null) return null;
  const reached = new Uint8Array(discard + 1);
  for (let i = 0; i < n; i++) reached[gid[i]!] = 1;
  const states = partialStates(spec.aggregates, stream, ctx, gid, discard + 1, discard);
  let count = 0;
  for (let g = 0; g < discard; g++) count += reached[g]!;
  const keep = new Int32Array(count);
  for (let g = 0, k = 0; g < discard; g++) if (reached[g] === 1) keep[k++] = g;
  const rows = new Int32Array(count);
  for (let k = 0; k < count; k++) rows[k] = grouped.firstRow[keep[k]!]!;
  const columns = [...keyVecs.map((v) => gather(v, rows, count)), ...(count === discard ? states : states.map((v) => gather(v, keep, count)))];
  return { length: count, names: spec.schema.map((f) => f.name), columns };
}

function countValues(arg: Vec | null, gid: Int32Array, groups: number, n: number): Vec {
  const counts = alloc.float64(groups);
  const valid = arg?.validity ?? null;
  if (valid === null) for (let i = 0; i < n; i++) counts[gid[i]!]!++;
  else for (let i = 0; i < n; i++) counts[gid[i]!]! += valid[i]!;
  return { type: 'float64', values: counts, validity: null };
}

/**
 * Per-group sums in float64 with a "saw a value" mask (NULL when none), and the count of values summed.
 * Used for float sums, avg (whose result is float64 anyway) and counts; exact integer sums are in int-sum.ts.
 */
function sumValues(arg: Vec, gid: Int32Array, groups: number, n: number): { sum: Vec & { values: Float64Array }; count: Vec & { values: Float64Array } } {
  const sums = alloc.float64(groups);
  const counts = alloc.float64(groups);
  const valid = arg.validity;
  if (arg.type === 'int64') {
    const v = arg.values;
    for (let i = 0; i < n; i++) {
      if (valid !== null && valid[i] === 0) continue;
      const g = gid[i]!;
      sums[g]! += Number(v[i]!);
      counts[g]!++;
    }
  } else {
    const v = arg.values as Float64Array | Int32Array;
    if (valid === null) {
      for (let i = 0; i < n; i++) {
        const g = gid[i]!;
        sums[g]! += v[i]!;
        counts[g]!++;
      }
    } else {
      for (let i = 0; i < n; i++) {
        if (valid[i] === 0) continue;
        const g = gid[i]!;
        sums[g]! += v[i]!;
        counts[g]!++;
      }
    }
  }
  // A partial sum state arrives here as float64 whose own NULLs mean "no values": counts track real values.
  const validity = alloc.uint8(groups);
  for (let g = 0; g < groups; g++) validity[g] = counts[g]! > 0 ? 1 : 0;
  return { sum: { type: 'float64', values: sums, validity }, count: { type: 'float64', values: counts, validity: null } };
}

function toInt64(v: Vec & { values: Float64Array }, groups: number): Vec {
  const out = alloc.int64(groups);
  for (let g = 0; g < groups; g++) out[g] = BigInt(Math.round(v.values[g]!));
  return { type: 'int64', values: out, validity: null };
}

function minMax(fn: 'min' | 'max', arg: Vec, gid: Int32Array, groups: number, n: number): Vec {
  const sign = fn === 'min' ? -1 : 1; // better(x, y) ⇔ sign * (x - y) > 0
  const seen = alloc.uint8(groups);
  const valid = arg.validity;
  const bestRow = new Int32Array(groups).fill(-1);
  let rank: ArrayLike<number | bigint>;
  if (arg.type === 'utf8') {
    const order = arg.dict.values.map((_, i) => i).sort((a, b) => compareStrings(arg.dict.values[a]!, arg.dict.values[b]!));
    const r = new Int32Array(order.length);
    order.forEach((code, k) => (r[code] = k));
    const codes = arg.values;
    const rows = new Int32Array(n);
    for (let i = 0; i < n; i++) rows[i] = r[codes[i]!]!;
    rank = rows;
  } else {
    rank = arg.values as ArrayLike<number | bigint>;
  }
  for (let i = 0; i < n; i++) {
    if (valid !== null && valid[i] === 0) continue;
    const g = gid[i]!;
    const b = bestRow[g]!;
    if (b === -1) {
      bestRow[g] = i;
      seen[g] = 1;
    } else {
      const x = rank[i]!;
      const y = rank[b]!;
      if (sign > 0 ? x > y : x < y) bestRow[g] = i;
    }
  }
  const out = gather(arg, bestRow, groups);
  return { ...out, validity: seen } as Vec;
}

