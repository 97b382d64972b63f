// ORDER BY as a total-order job: the map emits (sort key, row) with the sort key in the order-preserving key
// format (descending columns inverted, NULL placement in the marker byte), so the framework's own sort does the
// work. Partitioning is by sampled key ranges (TeraSort), so reducer i's output precedes reducer i+1's.
import type { SortKey } from '../../plan/types.ts';
import { encodingOf, writeKey, type KeyColumn } from './key-format.ts';
import type { JobFunctions, Mapper, Reducer } from './job-functions.ts';
import type { WireJob } from './job.ts';
import { decodeRow, writeRow } from './row-format.ts';

export function sortKeyColumns(job: WireJob, keys: readonly SortKey[]): { cols: KeyColumn[]; idx: number[] } {
  const schema = job.inputSchemas[0]!;
  const idx = keys.map((k) => schema.findIndex((f) => f.name === k.column));
  const cols = keys.map((k, i) => {
    const type = schema[idx[i]!]!.type;
    return { type, enc: encodingOf(type), descending: !k.ascending, nullsFirst: k.nullsFirst };
  });
  return { cols, idx };
}

export function sortFunctions(job: WireJob, k: { readonly keys: readonly SortKey[] }): JobFunctions {
  const { cols, idx } = sortKeyColumns(job, k.keys);
  const types = job.inputSchemas[0]!.map((f) => f.type);
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
    combiner: null,
    reducer(): Reducer {
      return {
        startGroup() {},
        value(_fullKey, value, emit) {
          emit(decodeRow(value, types));
        },
        endGroup() {},
        finish() {},
      };
    },
  };
}
