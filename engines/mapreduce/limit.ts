// LIMIT without an order as a job: every row goes to one key and one reducer; each map task stops emitting
// after N rows and the combiner keeps N, so at most N rows per map task cross the shuffle.
import type { JobFunctions, Mapper, Reducer } from './job-functions.ts';
import type { WireJob } from './job.ts';
import { decodeRow, writeRow } from './row-format.ts';

export function limitFunctions(job: WireJob, k: { readonly count: number }): JobFunctions {
  const types = job.inputSchemas[0]!.map((f) => f.type);
  return {
    groupStrip: 0,
    mapper(): Mapper {
      let emitted = 0;
      return {
        map(row, out) {
          if (emitted >= k.count) return;
          emitted++;
          writeRow(out.value, types, row);
          out.collect();
        },
      };
    },
    combiner: () => ({ combine: (_key, values) => values.slice(0, k.count) }),
    reducer(): Reducer {
      let emitted = 0;
      return {
        startGroup() {},
        value(_fullKey, value, emit) {
          if (emitted >= k.count) return;
          emitted++;
          emit(decodeRow(value, types));
        },
        endGroup() {},
        finish() {},
      };
    },
  };
}
