// Polars results back to Arrow (engines/polars/arrow-bridge.ts): LargeUtf8 narrowed to the contract's Utf8.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pl from 'nodejs-polars';
import { polarsToArrow } from '../../engines/polars/arrow-bridge.ts';
import { columnValues } from '../../plan/arrow.ts';

test('polarsToArrow narrows Polars LargeUtf8 to Utf8: NULL, empty, non-ASCII and long strings, several chunks', () => {
  const values = ['a', null, '', 'Zürich — 東京', 'x'.repeat(5000), null, 'end'];
  // Two chunks: the IPC stream then carries two batches, each with offsets from 0.
  const df = pl.concat([pl.DataFrame({ s: values.slice(0, 3), n: [1, 2, 3] }), pl.DataFrame({ s: values.slice(3), n: [4, 5, 6, 7] })], { how: 'vertical', rechunk: false });
  const table = polarsToArrow(df, [{ name: 's', type: 'utf8' }, { name: 'n', type: 'int64' }]);
  assert.equal(String(table.schema.fields[0]!.type), 'Utf8');
  assert.deepEqual(columnValues(table, 's'), values);
  assert.deepEqual(columnValues(table, 'n').map(Number), [1, 2, 3, 4, 5, 6, 7]);
});
