// A helper thread that does not answer (datasets/parallel.ts): the calling thread waits a bounded time, then computes
// the part itself and stops using the helper. In a file of its own: the fallback disables the helper for the process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as arrow from 'apache-arrow';
import { helperDisabledReason, setHelperPatience, setParallelMinRows, startPart } from '../../datasets/parallel.ts';
import { float64Data } from '../../datasets/columns.ts';

test('a part the helper does not answer in time is computed on the calling thread, which says why', () => {
  const [minRows, patience] = [setParallelMinRows(0), setHelperPatience(0)];
  try {
    // Two million join rows take the helper well over the zero patience allowed (4 × this thread's few µs).
    const pending = startPart('dbbench_join', 'big', 2_000_000, 1, {});
    let calls = 0;
    const columns = pending.take(() => {
      calls++;
      return { v: float64Data(new Float64Array([1, 2])) };
    });
    assert.equal(calls, 1);
    assert.deepEqual([...(columns['v'] as arrow.Data<arrow.Float64>).values], [1, 2]);
    assert.match(helperDisabledReason() ?? '', /the helper thread did not answer dbbench_join\.big within 0\.0 s/);
    // From then on parts run here without asking the helper.
    let later = 0;
    startPart('dbbench_join', 'big', 2_000_000, 1, {}).take(() => (later++, {}));
    assert.equal(later, 1);
  } finally {
    setParallelMinRows(minRows);
    setHelperPatience(patience);
  }
});
