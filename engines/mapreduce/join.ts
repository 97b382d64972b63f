// The reduce-side join (Hadoop's "repartition join"): both inputs are mapped to (join key + side tag, row), so
// equal keys meet in one reducer. The tag is the key's last byte (right = 0 sorts first), a secondary sort: the
// reducer buffers only the right rows of a key and streams the left rows past them. NULL keys never match.
import { commonType } from '../../plan/schema.ts';
import type { JoinKey } from '../../plan/types.ts';
import type { JobFunctions, Mapper, Reducer } from './job-functions.ts';
import type { WireJob } from './job.ts';
import { keyColumn, writeKey } from './key-format.ts';
import { decodeRow, writeRow, type Row } from './row-format.ts';

const RIGHT = 0;
const LEFT = 1;

export function joinFunctions(job: WireJob, k: { readonly how: 'inner' | 'left'; readonly on: readonly JoinKey[] }): JobFunctions {
  const [leftSchema, rightSchema] = [job.inputSchemas[0]!, job.inputSchemas[1]!];
  const leftIdx = k.on.map((j) => leftSchema.findIndex((f) => f.name === j.left));
  const rightIdx = k.on.map((j) => rightSchema.findIndex((f) => f.name === j.right));
  const widened = k.on.map((_, i) => commonType([leftSchema[leftIdx[i]!]!.type, rightSchema[rightIdx[i]!]!.type]));
  const leftKeyCols = leftIdx.map((c, i) => keyColumn(leftSchema[c]!.type, widened[i]));
  const rightKeyCols = rightIdx.map((c, i) => keyColumn(rightSchema[c]!.type, widened[i]));
  const leftTypes = leftSchema.map((f) => f.type);
  const rightTypes = rightSchema.map((f) => f.type);
  const rightKept = rightSchema.map((_, i) => i).filter((i) => !rightIdx.includes(i));
  const nullRight: Row = rightKept.map(() => null);
  return {
    groupStrip: 1,
    mapper(inputIndex): Mapper {
      const side = inputIndex === 0 ? LEFT : RIGHT;
      const idx = side === LEFT ? leftIdx : rightIdx;
      const cols = side === LEFT ? leftKeyCols : rightKeyCols;
      const types = side === LEFT ? leftTypes : rightTypes;
      const keyValues: unknown[] = new Array(idx.length);
      return {
        map(row, out) {
          let hasNull = false;
          for (let i = 0; i < idx.length; i++) {
            const v = row[idx[i]!];
            keyValues[i] = v;
            if (v === null) hasNull = true;
          }
          // A NULL key matches nothing: drop it, unless it is a left row of a left join (kept, unmatched).
          if (hasNull && (side === RIGHT || k.how === 'inner')) return;
          writeKey(out.key, cols, keyValues);
          out.key.u8(side);
          writeRow(out.value, types, row);
          out.collect();
        },
      };
    },
    combiner: null,
    reducer(): Reducer {
      let rights: Row[] = [];
      return {
        startGroup() {
          rights = [];
        },
        value(fullKey, value, emit) {
          if (fullKey[fullKey.length - 1] === RIGHT) {
            const r = decodeRow(value, rightTypes);
            rights.push(rightKept.map((i) => r[i]));
            return;
          }
          const left = decodeRow(value, leftTypes);
          if (rights.length === 0) {
            if (k.how === 'left') emit([...left, ...nullRight]);
            return;
          }
          for (const r of rights) emit([...left, ...r]);
        },
        endGroup() {},
        finish() {},
      };
    },
  };
}
