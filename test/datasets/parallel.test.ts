// Parallel generation (datasets/parallel.ts): a part computed on the helper thread must give the same bytes as on
// the calling thread. Every pinned case of golden.test.ts whose dataset has parts is generated again with every
// part sent to the helper (normally only from 500,000 rows on) and must hash to the same digest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as arrow from 'apache-arrow';
import { findDataset } from '../../datasets/registry.ts';
import { helperDisabledReason, setParallelMinRows, startPart } from '../../datasets/parallel.ts';
import { float64Data } from '../../datasets/columns.ts';
import { digestOf, GOLDEN } from './golden-cases.ts';

test('every part computed on the helper thread gives the pinned bytes', () => {
  const previous = setParallelMinRows(0);
  try {
    const split = GOLDEN.filter(([name]) => findDataset(name).parts !== undefined);
    assert.ok(split.length >= 4, 'the db-benchmark generators have parts');
    for (const [name, rows, seed, params, expected] of split) {
      const actual = digestOf(findDataset(name).generate(rows, seed, params));
      assert.equal(actual, expected, `${name} ${JSON.stringify(params)} on two threads: digest ${actual}`);
    }
    assert.equal(helperDisabledReason(), null, 'the helper thread was used, not bypassed');
  } finally {
    setParallelMinRows(previous);
  }
});

test('a part that throws on the helper thread is computed on the calling thread, which reports the error', () => {
  const previous = setParallelMinRows(0);
  try {
    // 'no-such-part' is not registered, so the helper replies with an error and the part runs here instead.
    let calls = 0;
    const pending = startPart('dbbench_join', 'no-such-part', 10, 1, {});
    const columns = pending.take(() => {
      calls++;
      return { v: float64Data(new Float64Array([1, 2, 3])) };
    });
    assert.equal(calls, 1);
    assert.deepEqual([...(columns['v'] as arrow.Data<arrow.Float64>).values], [1, 2, 3]);
    assert.match(helperDisabledReason() ?? '', /no part 'no-such-part'/);
  } finally {
    setParallelMinRows(previous);
  }
});
