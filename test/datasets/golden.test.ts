// Pinned output: each generator's Arrow IPC bytes at a few (rows, seed, params) hash to the values in
// golden-cases.ts, so a speed-up of a generator cannot silently change what it generates. A deliberate change of a
// dataset's content updates its digest there (print the new one with the message of the failing assertion).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findDataset } from '../../datasets/registry.ts';
import { digestOf, GOLDEN } from './golden-cases.ts';

for (const [name, rows, seed, params, expected] of GOLDEN) {
  test(`${name} ${rows} rows, seed ${seed}, ${JSON.stringify(params)}: the pinned bytes`, () => {
    const actual = digestOf(findDataset(name).generate(rows, seed, params));
    assert.equal(actual, expected, `${name} output changed: new digest ${actual}`);
  });
}
