// Sequence numbers: the text encoding orders like the numbers at any size (also inside an engine), and
// PostgreSQL LSNs compare as two hexadecimal numbers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compareLsn, parseLsn, parseSeq, seqFromKey, seqKey } from '../../scenarios/cdc/sequence.ts';
import { tableFromRows, tableToRows } from '../../plan/arrow.ts';
import { table } from '../../plan/index.ts';
import { withEngine } from './support.ts';

const big = fc.bigInt({ min: 0n, max: 2n ** 200n });

test('seqKey orders exactly like the numbers, for values far beyond 2^63 (property)', () => {
  fc.assert(
    fc.property(big, big, (a, b) => {
      const ka = seqKey(a);
      const kb = seqKey(b);
      assert.equal(Math.sign(ka < kb ? -1 : ka > kb ? 1 : 0), a < b ? -1 : a > b ? 1 : 0);
      assert.equal(seqFromKey(ka), a);
    }),
  );
});

test('rule: sequence numbers are compared as numbers of arbitrary size — DuckDB latestPerKey picks 10^30 over 2^64+1, 2^63 and 9', async () => {
  const schema = [{ name: 'k', type: 'int32' as const }, { name: '_seq', type: 'utf8' as const }, { name: 'v', type: 'utf8' as const }];
  const values = [9n, 2n ** 63n - 1n, 2n ** 63n, 2n ** 64n + 1n, 10n ** 30n];
  const second = [9n, 2n ** 63n - 1n, 2n ** 64n + 1n, 2n ** 63n, 99999999999999999999n];
  const rows = [...values.map((s) => ({ k: 1, _seq: seqKey(s), v: String(s) })), ...second.map((s) => ({ k: 2, _seq: seqKey(s), v: String(s) }))];
  await withEngine(async (engine) => {
    await engine.load(new Map([['t', tableFromRows(schema, rows)]]));
    const out = tableToRows(await engine.run(table('t', schema).latestPerKey(['k'], '_seq').plan)).sort((a, b) => Number(a['k']) - Number(b['k']));
    assert.deepEqual(out.map((r) => r['v']), [String(10n ** 30n), '99999999999999999999']);
  });
});

test('rule: PostgreSQL X/Y LSNs are compared as two hex numbers, not as text', () => {
  assert.equal(parseLsn('0/A'), 10n);
  assert.equal(parseLsn('16/B374D848'), 0x16b374d848n);
  assert.ok(compareLsn('0/A', '0/10') < 0, "'0/A' sorts after '0/10' as text but is smaller");
  assert.ok(compareLsn('1/0', '0/FFFFFFFF') > 0);
  assert.equal(compareLsn('0/1A', '0/1a'), 0);
  assert.throws(() => parseLsn('0-1A'), /not a PostgreSQL LSN/);
  fc.assert(
    fc.property(fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffffffff }), (a, b, c, d) => {
      const x = `${a.toString(16)}/${b.toString(16)}`;
      const y = `${c.toString(16)}/${d.toString(16)}`;
      const expected = a !== c ? Math.sign(a - c) : Math.sign(b - d);
      assert.equal(Math.sign(compareLsn(x, y)), expected);
      assert.ok((seqKey(parseLsn(x)) < seqKey(parseLsn(y))) === expected < 0);
    }),
  );
});

test('parseSeq accepts bigint, safe integers and decimal strings, and nothing else', () => {
  assert.equal(parseSeq('18446744073709551617'), 18446744073709551617n);
  assert.equal(parseSeq(5), 5n);
  assert.equal(parseSeq(7n), 7n);
  for (const bad of [-1, 1.5, 2 ** 60, '12a', '', '-3', null, undefined, {}]) assert.equal(parseSeq(bad), null, String(bad));
  assert.throws(() => seqKey(-1n), /non-negative/);
});
