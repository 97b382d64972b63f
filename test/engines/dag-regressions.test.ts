// DAG engine regressions checked against the DuckDB oracle under every join strategy: exact int64 sums past 2^53
// (a float64 accumulator rounds them), int64 overflow as an error (in sum and in arithmetic), and a LEFT join on
// differently named keys over a union, followed by latestPerKey (reported failing with "batch has no column").
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { table, col, count, sum, max, tableFromRows, tableToRows } from '../../plan/index.ts';
import type { PlanNode, Schema } from '../../plan/types.ts';
import type { Engine } from '../../engines/engine.ts';
import { dagEngine } from '../../engines/dag/index.ts';
import { duckdbEngine } from '../../engines/duckdb/index.ts';
import { compareResults } from '../../harness/compare.ts';
import { testContext, type TestContext } from '../support/engine-context.ts';

const contexts: TestContext[] = [];
const dags: [string, Engine][] = [];
let oracle: Engine;
before(async () => {
  const configs: [string, Record<string, string | number>][] = [
    ['auto', { 'dag.workers': 2 }],
    ['one partition', { 'dag.workers': 1, 'dag.partitions': 1, 'dag.shufflePartitions': 1 }],
    ['shuffled', { 'dag.workers': 2, 'dag.partitions': 3, 'dag.shufflePartitions': 3, 'dag.joinStrategy': 'shuffled' }],
    ['broadcast-left', { 'dag.workers': 2, 'dag.partitions': 3, 'dag.shufflePartitions': 2, 'dag.joinStrategy': 'broadcast-left' }],
    ['no optimizer', { 'dag.workers': 2, 'dag.partitions': 2, 'dag.optimizer': 'false' }],
  ];
  for (const [name, options] of configs) {
    const ctx = testContext(options);
    contexts.push(ctx);
    dags.push([name, await dagEngine.create(ctx)]);
  }
  const c = testContext();
  contexts.push(c);
  oracle = await duckdbEngine.create(c);
});
after(async () => {
  await Promise.all([...dags.map(([, e]) => e.close()), oracle.close()]);
  contexts.forEach((c) => c.cleanup());
});

async function loadAll(tables: ReadonlyMap<string, ReturnType<typeof tableFromRows>>): Promise<void> {
  await Promise.all([...dags.map(([, e]) => e.load(tables)), oracle.load(tables)]);
}

async function assertSameAsDuckdb(plan: PlanNode, label: string): Promise<void> {
  const expected = await oracle.run(plan);
  for (const [which, engine] of dags) {
    const verdict = compareResults(expected, await engine.run(plan), plan);
    assert.ok(verdict.ok, `${label} (${which}): ${verdict.ok ? '' : verdict.diff}`);
  }
}

const FACTS: Schema = [
  { name: 'g', type: 'utf8' },
  { name: 'w', type: 'int64' },
  { name: 'i', type: 'int32' },
];
const DIM: Schema = [
  { name: 'dk', type: 'utf8' },
  { name: 'region', type: 'utf8' },
];
const two53 = 2n ** 53n;

test('int64 sums past 2^53 are exact and equal DuckDB: grouped, global, after a join, over an expression', async () => {
  // Each group's sum is an odd number past 2^53 (float64 cannot hold it); partial sums cross 2^53 in every partition.
  const w = [two53 - 1n, 1n, 1n, 3n, 2n ** 60n, 5n, -(2n ** 59n), two53 + 1n, 7n, 2n ** 61n + 1n, 2n, -3n, null];
  const facts = w.map((v, k) => ({ g: ['a', 'b', 'c'][k % 3]!, w: v, i: k * 1_000_003 }));
  const dim = [{ dk: 'a', region: 'x' }, { dk: 'b', region: 'y' }, { dk: 'c', region: 'x' }, { dk: 'z', region: 'y' }];
  await loadAll(new Map([['facts', tableFromRows(FACTS, facts)], ['dim', tableFromRows(DIM, dim)]]));
  const f = table('facts', FACTS);
  const d = table('dim', DIM);
  const grouped = f.groupBy('g').agg(sum('w').alias('s'), count('w').alias('n'));
  const plans: [string, PlanNode][] = [
    ['grouped', grouped.plan],
    ['global', f.agg(sum('w').alias('s'), sum('i').alias('si')).plan],
    ['expression', f.groupBy('g').agg(sum(col('w').plus(col('i'))).alias('s')).plan],
    ['inner join then sum', f.join(d, [['g', 'dk']], 'inner').groupBy('region').agg(sum('w').alias('s')).plan],
    ['left join (unique left keys) then sum', d.join(f, [['dk', 'g']], 'left').groupBy('region').agg(sum('w').alias('s'), count().alias('n')).plan],
  ];
  for (const [label, plan] of plans) await assertSameAsDuckdb(plan, label);
  // The oracle itself is right: the exact totals, which float64 accumulation misses.
  const exact = (g: string) => facts.filter((r) => r.g === g && r.w !== null).reduce((s, r) => s + r.w!, 0n);
  const rows = tableToRows(await dags[0]![1].run(grouped.plan)).sort((x, y) => String(x.g).localeCompare(String(y.g)));
  assert.deepEqual(rows.map((r) => r.s), ['a', 'b', 'c'].map(exact));
  // ...and at least one of them is beyond float64's exact range, so rounding would show.
  assert.ok(rows.some((r) => BigInt(Number(r.s)) !== r.s));
});

test('int64 overflow is an error with a clear message, in sum and in arithmetic', async () => {
  const facts = [{ g: 'a', w: 2n ** 62n, i: 1 }, { g: 'a', w: 2n ** 62n, i: 2 }, { g: 'b', w: -(2n ** 63n), i: 3 }];
  await loadAll(new Map([['facts', tableFromRows(FACTS, facts)]]));
  const f = table('facts', FACTS);
  for (const [which, engine] of dags) {
    await assert.rejects(engine.run(f.groupBy('g').agg(sum('w').alias('s')).plan), /sum\(s\) overflows int64/, which);
    await assert.rejects(engine.run(f.select(col('w').plus(col('w')).alias('ww')).plan), /integer \+ overflows int64/, which);
    await assert.rejects(engine.run(f.select('g', col('w').minus(col('i').multiply(2 ** 30)).alias('d')).filter(col('g').eq('b')).plan), /integer - overflows int64/, which);
  }
  // In range: no error, and the same as DuckDB.
  await assertSameAsDuckdb(f.filter(col('g').eq('a')).select('g', col('w').minus(col('i')).alias('d')).plan, 'arithmetic in range');
});

const EVENTS: Schema = [
  { name: 'id', type: 'int32' },
  { name: 'seq', type: 'int64' },
  { name: 'v', type: 'utf8' },
];
const ARCHIVE: Schema = [
  { name: 'old_id', type: 'int32' },
  { name: 'old_seq', type: 'int64' },
  { name: 'old_v', type: 'utf8' },
];
const PEOPLE: Schema = [
  { name: 'person', type: 'int32' },
  { name: 'name', type: 'utf8' },
];

test('union, LEFT join on differently named keys, then latestPerKey: equals DuckDB under every strategy', async () => {
  // Distinct seq values, so the latest row per key is unique and the comparison is exact.
  const events = Array.from({ length: 40 }, (_, k) => ({ id: k % 7 === 6 ? null : k % 7, seq: BigInt(k * 3), v: `e${k}` }));
  const archive = Array.from({ length: 15 }, (_, k) => ({ old_id: k % 9, old_seq: BigInt(k * 3 + 1), old_v: k % 4 === 0 ? null : `a${k}` }));
  const people = [{ person: 0, name: 'ann' }, { person: 2, name: 'bo' }, { person: 8, name: 'cy' }, { person: 11, name: 'di' }, { person: null, name: 'nobody' }];
  await loadAll(new Map([['events', tableFromRows(EVENTS, events)], ['archive', tableFromRows(ARCHIVE, archive)], ['people', tableFromRows(PEOPLE, people)]]));
  const all = table('events', EVENTS).union(table('archive', ARCHIVE));
  const peopleDf = table('people', PEOPLE);
  const plans: [string, PlanNode][] = [
    ['as reported', all.join(peopleDf, [['id', 'person']], 'left').latestPerKey(['id'], 'seq').plan],
    ['then a projection', all.join(peopleDf, [['id', 'person']], 'left').latestPerKey(['id'], 'seq').select('name', 'v').plan],
    ['keyed on a right column', all.join(peopleDf, [['id', 'person']], 'left').filter(col('name').isNotNull()).latestPerKey(['name'], 'seq').plan],
    ['small side on the left', peopleDf.join(all, [['person', 'id']], 'left').latestPerKey(['person'], 'seq').select('person', 'name', 'v').plan],
    ['then an aggregate', all.join(peopleDf, [['id', 'person']], 'left').latestPerKey(['id'], 'seq').groupBy('name').agg(count().alias('n'), max('seq').alias('last')).plan],
  ];
  for (const [label, plan] of plans) await assertSameAsDuckdb(plan, label);
});

const KEYED: Schema = [
  { name: 'u', type: 'int32' },
  { name: 'x', type: 'int32' },
];

test('count per int32 key (the direct-mapped partial count) equals DuckDB: NULL keys, negative and wide ranges, distinct', async () => {
  const keyArb = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.integer({ min: 2_147_483_000, max: 2_147_483_647 }), fc.integer());
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.record({ u: fc.option(keyArb, { nil: null, freq: 4 }), x: fc.option(fc.integer({ min: 0, max: 3 }), { nil: null, freq: 3 }) }), { maxLength: 50 }),
      async (rows) => {
        await loadAll(new Map([['keyed', tableFromRows(KEYED, rows)]]));
        const t = table('keyed', KEYED);
        await assertSameAsDuckdb(t.groupBy('u').agg(count().alias('n'), count('u').alias('nu'), count().alias('again')).plan, 'count(*) per key');
        await assertSameAsDuckdb(t.groupBy('u').agg(count('x').alias('nx')).plan, 'count of a nullable column per key');
        await assertSameAsDuckdb(t.select('u').distinct().plan, 'distinct keys');
        await assertSameAsDuckdb(t.filter(col('x').isNotNull()).groupBy('x').agg(count('x').alias('nx')).plan, 'count of the non-NULL key column');
      },
    ),
    { numRuns: 25, seed: 11 },
  );
});
