// Strings crossing DuckDB's UDF bridge in bulk (engines/duckdb/strings.ts): runs of adjacent long strings read
// as one span, repeated results written once per chunk, short strings inline. Property-based over mixes of
// NULLs, empty, inline (≤ 12 bytes), long, non-ASCII and repeated values, over several 2,048-row chunks.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { duckdbEngine } from '../../engines/duckdb/index.ts';
import type { Engine } from '../../engines/engine.ts';
import { asc, desc, table, udf, tableFromColumns, tableToRows, type Schema } from '../../plan/index.ts';

const SCHEMA: Schema = [{ name: 'n', type: 'int32' }, { name: 's', type: 'utf8' }];
const T = table('T', SCHEMA);

const same = udf((s: string | null) => s, 'utf8', 'same');
const shout = udf((s: string | null) => (s === null ? 'WAS NULL, LONGER THAN TWELVE' : s.toUpperCase()), 'utf8', 'shout');
const bytes = udf((s: string | null) => (s === null ? -1 : Buffer.byteLength(s)), 'int32', 'bytes');

let engine: Engine;
before(async () => {
  engine = await duckdbEngine.create({ workDir: '', seed: 1, now: () => performance.now(), emit: () => {}, options: { threads: 2 }, memoryBudgetBytes: 1 << 30 });
});
after(async () => engine.close());

const value = fc.oneof(
  fc.constant(null),
  fc.string({ unit: 'grapheme-ascii', maxLength: 12 }),
  fc.string({ unit: 'grapheme-ascii', minLength: 13, maxLength: 80 }),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }),
);

test('UDF arguments and results keep every string of any mix, in order, across chunks', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(value, { minLength: 1, maxLength: 12 }),
      fc.array(fc.nat(), { minLength: 0, maxLength: 7000 }),
      async (pool, picks) => {
        // Draws from a small pool, so values repeat within a chunk as real columns do.
        const column = picks.map((p) => pool[p % pool.length]!);
        await engine.load(new Map([['T', tableFromColumns(SCHEMA, { n: column.map((_, i) => i), s: column })]]));
        const out = tableToRows(await engine.run(T.orderBy('n').select('n', same('s').alias('a'), shout('s').alias('b'), bytes('s').alias('c')).plan));
        assert.equal(out.length, column.length);
        out.forEach((r, i) => {
          const s = column[i]!;
          assert.deepEqual(r, { n: i, a: s, b: s === null ? 'WAS NULL, LONGER THAN TWELVE' : s.toUpperCase(), c: s === null ? -1 : Buffer.byteLength(s) }, `row ${i}`);
        });
      },
    ),
    { numRuns: 25 },
  );
});

test('query results read back every string of any mix, whatever order the rows come in (spans of adjacent bytes)', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(value, { minLength: 1, maxLength: 12 }),
      fc.array(fc.nat(), { minLength: 0, maxLength: 7000 }),
      fc.boolean(),
      async (pool, picks, descending) => {
        const column = picks.map((p) => pool[p % pool.length]!);
        await engine.load(new Map([['T', tableFromColumns(SCHEMA, { n: column.map((_, i) => i), s: column })]]));
        // A plain scan (bytes adjacent in storage), a sort either way and a sort on the string itself.
        const scanned = tableToRows(await engine.run(T.plan)).sort((a, b) => Number(a.n) - Number(b.n));
        assert.deepEqual(scanned.map((r) => r.s), column);
        const sorted = tableToRows(await engine.run(T.orderBy(descending ? desc('n') : asc('n')).plan));
        assert.deepEqual(sorted.map((r) => r.s), descending ? [...column].reverse() : column);
        const bySelf = tableToRows(await engine.run(T.orderBy('s', 'n').plan));
        assert.deepEqual(bySelf.map((r) => r.n).sort((a, b) => Number(a) - Number(b)), column.map((_, i) => i));
        for (const r of bySelf) assert.equal(r.s, column[Number(r.n)], `row ${String(r.n)}`);
      },
    ),
    { numRuns: 25 },
  );
});
