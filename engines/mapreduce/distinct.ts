// SELECT DISTINCT as a job: the whole row is the key (NULLs equal, as DISTINCT wants) and the value is empty;
// the combiner keeps one record per key, the reducer decodes each distinct key back into a row.
import type { JobFunctions, Mapper, Reducer } from './job-functions.ts';
import type { WireJob } from './job.ts';
import { keyColumn, readKey, writeKey } from './key-format.ts';

export function distinctFunctions(job: WireJob): JobFunctions {
  const cols = job.inputSchemas[0]!.map((f) => keyColumn(f.type));
  return {
    groupStrip: 0,
    mapper(): Mapper {
      return {
        map(row, out) {
          writeKey(out.key, cols, row);
          out.collect();
        },
      };
    },
    combiner: () => ({ combine: (_key, values) => [values[0]!] }),
    reducer(): Reducer {
      let key: Buffer | null = null;
      return {
        startGroup(groupKey) {
          key = groupKey;
        },
        value() {},
        endGroup(emit) {
          emit(readKey(key!, 0, key!.length, cols));
        },
        finish() {},
      };
    },
  };
}
