// "Latest row per key" (row_number() over (partition by keys order by t desc) = 1) as a job: key = the keys,
// value = the row; combiner and reducer keep the row with the greatest orderBy (NULL loses, ties: first seen).
import type { JobFunctions, Mapper, Reducer } from './job-functions.ts';
import type { WireJob } from './job.ts';
import { keyColumn, writeKey } from './key-format.ts';
import { compareCodePoints, compareValues } from './expressions.ts';
import { decodeRow, writeRow, type Row } from './row-format.ts';

export function latestPerKeyFunctions(job: WireJob, k: { readonly keys: readonly string[]; readonly orderBy: string }): JobFunctions {
  const schema = job.inputSchemas[0]!;
  const idx = k.keys.map((name) => schema.findIndex((f) => f.name === name));
  const cols = idx.map((i) => keyColumn(schema[i]!.type));
  const types = schema.map((f) => f.type);
  const o = schema.findIndex((f) => f.name === k.orderBy);
  const cmp = schema[o]!.type === 'utf8' ? compareCodePoints : compareValues;
  /** Whether `b` beats `a` (strictly later). */
  const beats = (a: Row, b: Row): boolean => b[o] !== null && (a[o] === null || cmp(b[o], a[o]) > 0);
  return {
    groupStrip: 0,
    mapper(): Mapper {
      const keyValues: unknown[] = new Array(idx.length);
      return {
        map(row, out) {
          for (let i = 0; i < idx.length; i++) keyValues[i] = row[idx[i]!];
          writeKey(out.key, cols, keyValues);
          writeRow(out.value, types, row);
          out.collect();
        },
      };
    },
    combiner: () => ({
      combine(_key, values) {
        let best = 0;
        let bestRow = decodeRow(values[0]!, types);
        for (let i = 1; i < values.length; i++) {
          const r = decodeRow(values[i]!, types);
          if (beats(bestRow, r)) {
            best = i;
            bestRow = r;
          }
        }
        return [values[best]!];
      },
    }),
    reducer(): Reducer {
      let best: Row | null = null;
      return {
        startGroup() {
          best = null;
        },
        value(_fullKey, value) {
          const r = decodeRow(value, types);
          if (best === null || beats(best, r)) best = r;
        },
        endGroup(emit) {
          emit(best!);
        },
        finish() {},
      };
    },
  };
}
