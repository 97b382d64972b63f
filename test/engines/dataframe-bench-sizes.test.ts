// The default bench must show the dataframe (danfo) engine in every query scenario: each scenario needs a bench
// size at or under the engine's cap, since the runner drops the engine at default sizes above it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SCENARIOS } from '../../scenarios/registry.ts';

test('every query scenario has a default bench size the dataframe engine runs at', () => {
  const query = SCENARIOS.filter((s) => s.kind === 'query');
  assert.ok(query.length > 0);
  const missing = query.filter((s) => {
    const cap = s.sizes.benchCap?.dataframe ?? Infinity;
    return !s.sizes.bench.some((rows) => rows <= cap);
  });
  assert.deepEqual(missing.map((s) => `${s.name} (bench ${s.sizes.bench.join(', ')}, cap ${s.sizes.benchCap?.dataframe})`), []);
});
