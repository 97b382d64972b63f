// Group-by as one MapReduce job: the map emits (group key, partial aggregate state), the combiner merges states
// of one key inside a map task, the reducer merges all states of a key and finalises them (avg = sum / count).
import { typeOf } from '../../plan/schema.ts';
import { assertNever, type DataType, type Schema } from '../../plan/types.ts';
import { checkInt64, compareCodePoints, compareValues, compileExpr, fromWire, type Evaluator } from './expressions.ts';
import type { JobFunctions, Mapper, Reducer } from './job-functions.ts';
import type { WireAggregate, WireJob } from './job.ts';
import { keyColumn, readKey, writeKey, type KeyColumn } from './key-format.ts';
import { decodeRow, encodeRow, writeRow, type Row, type ValueType } from './row-format.ts';

interface AggPlan {
  readonly fn: WireAggregate['fn'];
  readonly arg: Evaluator | null;
  readonly argType: DataType | null;
  /** Offset of this aggregate's state in the state row. */
  readonly at: number;
}

/** Adds two integer sums exactly: numbers while safe, bigint beyond. */
export function addInt(a: number | bigint, b: number | bigint): number | bigint {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a + b;
    if (Number.isSafeInteger(r)) return r;
  }
  return BigInt(a) + BigInt(b);
}

function stateTypes(fn: WireAggregate['fn'], argType: DataType | null): ValueType[] {
  switch (fn) {
    case 'count':
      return ['num'];
    case 'sum':
      return argType === 'float64' ? ['float64'] : ['num'];
    case 'avg':
      return ['float64', 'num'];
    case 'min':
    case 'max':
      return [argType!];
    default:
      return assertNever(fn, 'aggregate function');
  }
}

/** The planned aggregates of a job, shared by map, combine and reduce. */
function planAggregates(aggs: readonly WireAggregate[], schema: Schema): { plans: AggPlan[]; types: ValueType[] } {
  const plans: AggPlan[] = [];
  const types: ValueType[] = [];
  for (const a of aggs) {
    const arg = a.arg === null ? null : fromWire(a.arg);
    const argType = arg === null ? null : typeOf(arg, schema);
    plans.push({ fn: a.fn, arg: arg === null ? null : compileExpr(arg, schema), argType, at: types.length });
    types.push(...stateTypes(a.fn, argType));
  }
  return { plans, types };
}

function initState(plans: readonly AggPlan[], width: number, row: Row | null, into?: Row): Row {
  const s: Row = into ?? new Array(width);
  for (const p of plans) {
    const v = row === null ? null : p.arg === null ? 1 : p.arg(row);
    switch (p.fn) {
      case 'count':
        s[p.at] = row === null ? 0 : p.arg === null ? 1 : v === null ? 0 : 1;
        break;
      case 'sum':
      case 'min':
      case 'max':
        s[p.at] = v ?? null;
        break;
      case 'avg':
        s[p.at] = v === null ? null : Number(v);
        s[p.at + 1] = v === null ? 0 : 1;
        break;
      default:
        assertNever(p.fn, 'aggregate function');
    }
  }
  return s;
}

function mergeInto(plans: readonly AggPlan[], a: Row, b: Row): void {
  for (const p of plans) {
    const i = p.at;
    const x = a[i];
    const y = b[i];
    switch (p.fn) {
      case 'count':
        a[i] = addInt(x as number, y as number);
        break;
      case 'sum':
        if (y === null) break;
        if (x === null) a[i] = y;
        else a[i] = p.argType === 'float64' ? (x as number) + (y as number) : addInt(x as number | bigint, y as number | bigint);
        break;
      case 'avg':
        if (y !== null) a[i] = x === null ? y : (x as number) + (y as number);
        a[i + 1] = addInt(a[i + 1] as number, b[i + 1] as number);
        break;
      case 'min':
      case 'max': {
        if (y === null) break;
        if (x === null) {
          a[i] = y;
          break;
        }
        const c = p.argType === 'utf8' ? compareCodePoints(y, x) : compareValues(y, x);
        if (p.fn === 'min' ? c < 0 : c > 0) a[i] = y;
        break;
      }
      default:
        assertNever(p.fn, 'aggregate function');
    }
  }
}

function finalize(plans: readonly AggPlan[], s: Row): Row {
  return plans.map((p) => {
    const v = s[p.at];
    switch (p.fn) {
      case 'count':
        return BigInt(v as number | bigint);
      case 'sum':
        if (v === null) return null;
        return p.argType === 'float64' ? v : checkInt64(BigInt(v as number | bigint), 'sum');
      case 'avg': {
        const n = Number(s[p.at + 1]);
        return n === 0 || v === null ? null : (v as number) / n;
      }
      case 'min':
      case 'max':
        return v;
      default:
        return assertNever(p.fn, 'aggregate function');
    }
  });
}

export function aggregateFunctions(job: WireJob, k: { readonly keys: readonly string[]; readonly aggregates: readonly WireAggregate[] }): JobFunctions {
  const schema = job.inputSchemas[0]!;
  const keyIdx = k.keys.map((name) => schema.findIndex((f) => f.name === name));
  const keyCols: KeyColumn[] = keyIdx.map((i) => keyColumn(schema[i]!.type));
  const { plans, types } = planAggregates(k.aggregates, schema);
  const width = types.length;
  const global = k.keys.length === 0;
  return {
    groupStrip: 0,
    mapper(): Mapper {
      const keyValues: unknown[] = new Array(keyIdx.length);
      const state: Row = new Array(width);
      return {
        map(row, out) {
          for (let i = 0; i < keyIdx.length; i++) keyValues[i] = row[keyIdx[i]!];
          writeKey(out.key, keyCols, keyValues);
          writeRow(out.value, types, initState(plans, width, row, state));
          out.collect();
        },
      };
    },
    combiner: () => ({
      combine(_key, values) {
        const acc = decodeRow(values[0]!, types);
        for (let i = 1; i < values.length; i++) mergeInto(plans, acc, decodeRow(values[i]!, types));
        return [encodeRow(types, acc)];
      },
    }),
    reducer(partition): Reducer {
      let acc: Row | null = null;
      let key: unknown[] = [];
      return {
        startGroup(groupKey) {
          acc = null;
          key = readKey(groupKey, 0, groupKey.length, keyCols);
        },
        value(_fullKey, value) {
          const s = decodeRow(value, types);
          if (acc === null) acc = s;
          else mergeInto(plans, acc, s);
        },
        endGroup(emit) {
          emit([...key, ...finalize(plans, acc ?? initState(plans, width, null))]);
        },
        finish(emit, groups) {
          // A global aggregate yields exactly one row even over empty input; reducer 0 owns it.
          if (global && groups === 0 && partition === 0) emit(finalize(plans, initState(plans, width, null)));
        },
      };
    },
  };
}
