// Group-by as one MapReduce job: the map emits (group key, partial aggregate state), the combiner merges states
// of one key inside a map task, the reducer merges all states of a key and finalises them (avg = sum / count).
import { typeOf } from '../../plan/schema.ts';
import { assertNever, type DataType, type Schema } from '../../plan/types.ts';
import { checkInt64, compareCodePoints, compareValues, compileExpr, fromWire, type Evaluator } from './expressions.ts';
import { ByteWriter } from './bytes.ts';
import type { Collector, JobFunctions, Mapper, Reducer } from './job-functions.ts';
import { IntKeyTable, KeyTable } from './key-table.ts';
import type { WireAggregate, WireJob } from './job.ts';
import { keyColumn, readKey, writeKey, type KeyColumn } from './key-format.ts';
import { compileRowReader, decodeRow, encodeRow, writeRow, type Row, type ValueType } from './row-format.ts';

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

/** The partial-state columns of one aggregate, as they travel in map output values (row format). */
export function stateTypes(fn: WireAggregate['fn'], argType: DataType | null): ValueType[] {
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

/**
 * Folds one input row into a state row, per aggregate: the same result as mergeInto(state, initState(row))
 * without building the row's own state first. In-mapper combining runs this once per input row.
 */
function accumulator(p: AggPlan): (s: Row, row: Row) => void {
  const i = p.at;
  const arg = p.arg;
  switch (p.fn) {
    case 'count':
      if (arg === null) {
        return (s) => {
          const x = s[i];
          s[i] = typeof x === 'number' && x < Number.MAX_SAFE_INTEGER ? x + 1 : addInt(x as number | bigint, 1);
        };
      }
      return (s, row) => {
        if (arg(row) !== null) s[i] = addInt(s[i] as number | bigint, 1);
      };
    case 'sum': {
      const float = p.argType === 'float64';
      return (s, row) => {
        const v = arg!(row);
        if (v === null || v === undefined) return;
        const x = s[i];
        s[i] = x === null ? v : float ? (x as number) + (v as number) : addInt(x as number | bigint, v as number | bigint);
      };
    }
    case 'avg':
      return (s, row) => {
        const v = arg!(row);
        if (v === null) return;
        const x = s[i];
        s[i] = x === null ? Number(v) : (x as number) + Number(v);
        s[i + 1] = addInt(s[i + 1] as number | bigint, 1);
      };
    case 'min':
    case 'max': {
      const cmp = p.argType === 'utf8' ? compareCodePoints : compareValues;
      const min = p.fn === 'min';
      return (s, row) => {
        const v = arg!(row);
        if (v === null || v === undefined) return;
        const x = s[i];
        if (x === null) s[i] = v;
        else {
          const c = cmp(v, x);
          if (min ? c < 0 : c > 0) s[i] = v;
        }
      };
    }
    default:
      return assertNever(p.fn, 'aggregate function');
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
    mapper(_inputIndex, combining): Mapper {
      const keyValues: unknown[] = new Array(keyIdx.length);
      const state: Row = new Array(width);
      if (combining === null) {
        return {
          map(row, out) {
            for (let i = 0; i < keyIdx.length; i++) keyValues[i] = row[keyIdx[i]!];
            writeKey(out.key, keyCols, keyValues);
            writeRow(out.value, types, initState(plans, width, row, state));
            out.collect();
          },
        };
      }
      // In-mapper combining: one state row per distinct key of this task, collected at the end (or whenever
      // the table outgrows its share of memory), so the sort buffer sees one record per key, not one per row.
      const accumulate = plans.map(accumulator);
      const initialGroups = Math.max(16, Math.min(1024, Math.floor(combining.maxBytes / 256)));
      // A single int32 key is hashed as a number and encoded once per group at collection, not once per row.
      const intKey = keyIdx.length === 1 && keyCols[0]!.enc === 'i32' ? keyIdx[0]! : -1;
      const ints = intKey >= 0 ? new IntKeyTable(initialGroups) : null;
      const table = new KeyTable(intKey >= 0 ? 16 : initialGroups);
      let states: Row[] = [];
      /** The int32 path keeps a NULL key's state apart from the table. */
      let nullState: Row | null = null;
      const key = new ByteWriter(256);
      const counters = combining.counters;
      /** A state row as a JS array: header plus a boxed value per slot (a V8 estimate, not a measurement). */
      const stateBytes = 32 + 16 * width;
      let inputs = 0;
      const flush = (out: Collector): void => {
        if (ints !== null) {
          for (let g = 0; g < states.length; g++) {
            keyValues[0] = ints.keyAt(g);
            writeKey(out.key, keyCols, keyValues);
            writeRow(out.value, types, states[g]!);
            out.collect();
          }
          if (nullState !== null) {
            keyValues[0] = null;
            writeKey(out.key, keyCols, keyValues);
            writeRow(out.value, types, nullState);
            out.collect();
          }
          ints.clear();
        } else {
          const keys = table.keys;
          for (let g = 0; g < states.length; g++) {
            const at = table.keyStart(g);
            out.key.bytes(keys, at, at + table.keyLength(g));
            writeRow(out.value, types, states[g]!);
            out.collect();
          }
          table.clear();
        }
        counters.inMapperCombineInputRecords = (counters.inMapperCombineInputRecords ?? 0) + inputs;
        counters.inMapperCombineOutputRecords = (counters.inMapperCombineOutputRecords ?? 0) + states.length + (nullState !== null ? 1 : 0);
        inputs = 0;
        states = [];
        nullState = null;
      };
      const fold = (s: Row, row: Row): void => {
        for (let a = 0; a < accumulate.length; a++) accumulate[a]!(s, row);
      };
      if (ints !== null) {
        return {
          map(row, out) {
            inputs++;
            const k = row[intKey];
            if (k === null || k === undefined) {
              if (nullState === null) nullState = initState(plans, width, row);
              else fold(nullState, row);
              return;
            }
            const g = ints.find(k as number);
            if (g === states.length) {
              states.push(initState(plans, width, row));
              if (ints.bytes + states.length * stateBytes > combining.maxBytes) flush(out);
            } else {
              fold(states[g]!, row);
            }
          },
          finish: flush,
        };
      }
      return {
        map(row, out) {
          for (let i = 0; i < keyIdx.length; i++) keyValues[i] = row[keyIdx[i]!];
          key.reset();
          writeKey(key, keyCols, keyValues);
          const g = table.find(key.buf, key.pos);
          inputs++;
          if (g === states.length) {
            states.push(initState(plans, width, row));
            if (table.bytes + states.length * stateBytes > combining.maxBytes) flush(out);
          } else {
            fold(states[g]!, row);
          }
        },
        finish: flush,
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
      const incoming: Row = new Array(width);
      const readState = compileRowReader(types);
      return {
        startGroup(groupKey) {
          acc = null;
          key = readKey(groupKey, 0, groupKey.length, keyCols);
        },
        value(_fullKey, value, emit) {
          this.valueAt!(value, 0, value.length, emit);
        },
        valueAt(buf, start) {
          if (acc === null) {
            acc = new Array(width);
            readState(buf, start, acc);
            return;
          }
          readState(buf, start, incoming);
          mergeInto(plans, acc, incoming);
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
