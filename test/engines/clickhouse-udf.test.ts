// JavaScript UDFs on the ClickHouse engine: on embedded chDB they run as ClickHouse executable UDFs (a node
// script per function and signature, rows piped as JSONEachRow) and must give exactly DuckDB's results, value for
// value; a server backend refuses them as unsupported before sending anything.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from '@clickhouse/client';
import type * as arrow from 'apache-arrow';
import { col, count, outputSchema, sum, table, tableFromRows, tableToRows, toArrowSchema, udf, type DataFrame, type Schema } from '../../plan/index.ts';
import { EngineError, type Engine } from '../../engines/engine.ts';
import { clickhouseEngine } from '../../engines/clickhouse/index.ts';
import { ClickHouseEngine } from '../../engines/clickhouse/engine.ts';
import { ServerBackend } from '../../engines/clickhouse/server-backend.ts';
import { duckdbEngine } from '../../engines/duckdb/index.ts';
import { testContext, type TestContext } from '../support/engine-context.ts';

const S: Schema = [
  { name: 'i', type: 'int32' },
  { name: 'b', type: 'int64' },
  { name: 'f', type: 'float64' },
  { name: 's', type: 'utf8' },
  { name: 'x', type: 'bool' },
  { name: 't', type: 'timestamp' },
];
// Values that break a careless wire format: int64 beyond 2^53 and at both ends, NaN, ±inf, -0, quotes, newlines,
// non-ASCII, negative and pre-epoch timestamps; and a row of NULLs.
const ROWS = [
  { i: 1, b: 9007199254740993n, f: Number.NaN, s: 'a"b\nc\\', x: true, t: 1234 },
  { i: null, b: null, f: null, s: null, x: null, t: null },
  { i: -2147483647, b: -(2n ** 63n), f: -0, s: 'ü€😀', x: false, t: -5 },
  { i: 2147483647, b: 2n ** 63n - 1n, f: Number.POSITIVE_INFINITY, s: '', x: true, t: Date.UTC(2024, 1, 29, 12, 0, 0, 7) },
  { i: 3, b: 0n, f: 0.1, s: 'long enough', x: false, t: 0 },
  { i: 0, b: -1n, f: -1e300, s: '{"json":[1]}', x: null, t: -86_400_000 },
];
const TABLES = new Map<string, arrow.Table>([['v', tableFromRows(S, ROWS)]]);
const v = table('v', S);

type Row = Record<string, unknown>;

/** What the function received, exactly: typeof and value per argument (bigint marked, -0 kept apart from 0). */
const describeArgs = udf(
  (...args: unknown[]) =>
    args.map((a) => (a === null ? 'null' : typeof a === 'bigint' ? `bigint:${a}` : Object.is(a, -0) ? 'number:-0' : `${typeof a}:${String(a)}`)).join('|'),
  'utf8',
  'describe_args',
);

describe('clickhouse (chDB) JavaScript UDFs equal DuckDB\'s', () => {
  let chCtx: TestContext;
  let duckCtx: TestContext;
  let ch: Engine;
  let duck: Engine;
  before(async () => {
    chCtx = testContext();
    duckCtx = testContext();
    ch = await clickhouseEngine.create(chCtx);
    duck = await duckdbEngine.create(duckCtx);
    await ch.load(TABLES);
    await duck.load(TABLES);
  });
  after(async () => {
    await ch.close();
    await duck.close();
    chCtx.cleanup();
    duckCtx.cleanup();
  });

  /** Rows of both engines, sorted the same way; the ClickHouse result must have exactly the plan's Arrow schema. */
  async function both(df: DataFrame): Promise<{ ch: Row[]; duck: Row[] }> {
    const result = await ch.run(df.plan);
    assert.deepEqual(result.schema.fields.map(String), toArrowSchema(outputSchema(df.plan)).fields.map(String));
    const order = (rows: Row[]) => rows.sort((a, b) => (String(a.k) < String(b.k) ? -1 : String(a.k) > String(b.k) ? 1 : 0));
    return { ch: order(tableToRows(result)), duck: order(tableToRows(await duck.run(df.plan))) };
  }

  test('every argument type, NULLs included, reaches the function as DuckDB passes it (int64 bigint, timestamp ms)', async () => {
    const df = v.select(col('i').alias('k'), describeArgs(col('i'), col('b'), col('f'), col('s'), col('x'), col('t')).alias('got'));
    const { ch: got, duck: want } = await both(df);
    assert.deepEqual(got, want);
    assert.deepEqual(got.find((r) => r.k === 1), { k: 1, got: 'number:1|bigint:9007199254740993|number:NaN|string:a"b\nc\\|boolean:true|number:1234' });
    assert.deepEqual(got.find((r) => r.k === null), { k: null, got: 'null|null|null|null|null|null' });
    assert.deepEqual(got.find((r) => r.k === -2147483647), { k: -2147483647, got: 'number:-2147483647|bigint:-9223372036854775808|number:-0|string:ü€😀|boolean:false|number:-5' });
  });

  test('every return type comes back as DuckDB\'s, NULLs and edge values included', async () => {
    const df = v.select(
      col('i').alias('k'),
      udf((i: number | null) => (i === null ? -1 : i === 2147483647 ? null : i + 1), 'int32', 'inc32')(col('i')).alias('i'),
      udf((b: bigint | null) => (b === null ? 0n : -b - 1n), 'int64', 'not64')(col('b')).alias('b'),
      udf((f: number | null) => (f === null ? null : f * -1), 'float64', 'neg')(col('f')).alias('f'),
      udf((s: string | null) => (s === null ? 'NULL' : `${s.toUpperCase()}!`), 'utf8', 'shout')(col('s')).alias('s'),
      udf((x: boolean | null) => (x === null ? null : !x), 'bool', 'flip')(col('x')).alias('x'),
      udf((t: number | null) => (t === null ? null : t + 1.5), 'timestamp', 'later')(col('t')).alias('t'),
      udf((i: number | null) => (i === null ? null : 2 ** 53 - 1 - Math.abs(i)), 'int64', 'from_number')(col('i')).alias('n'),
    );
    const { ch: got, duck: want } = await both(df);
    assert.deepEqual(got, want);
    assert.deepEqual(got.find((r) => r.k === null), { k: null, i: -1, b: 0n, f: null, s: 'NULL', x: null, t: null, n: null });
    assert.deepEqual(got.find((r) => r.k === -2147483647), { k: -2147483647, i: -2147483646, b: 2n ** 63n - 1n, f: 0, s: 'Ü€😀!', x: true, t: -3, n: 9007197107257344n });
    assert.deepEqual(got.find((r) => r.k === 2147483647), { k: 2147483647, i: null, b: -(2n ** 63n), f: Number.NEGATIVE_INFINITY, s: '!', x: false, t: Date.UTC(2024, 1, 29, 12, 0, 0, 8), n: 9007197107257344n });
    assert.ok(Number.isNaN(got.find((r) => r.k === 1)!.f));
  });

  test('two different UDFs in one plan: in a projection, a filter and an aggregate argument', async () => {
    const isLong = udf((s: string | null) => s !== null && s.length > 3, 'bool', 'is_long');
    const size = udf((s: string | null) => (s === null ? null : s.length), 'int32', 'size');
    const df = v.filter(isLong(col('s'))).groupBy('x').agg(count().alias('n'), sum(size(col('s'))).alias('chars')).withColumnRenamed('x', 'k');
    const { ch: got, duck: want } = await both(df);
    assert.deepEqual(got, want);
    // 'a"b\nc\\' (6 chars, true), 'ü€😀' (4 UTF-16 units, false), 'long enough' (11, false), '{"json":[1]}' (12, NULL).
    assert.deepEqual(got, [
      { k: false, n: 2n, chars: 15n },
      { k: null, n: 1n, chars: 12n },
      { k: true, n: 1n, chars: 6n },
    ]);
  });

  test('the same function over two signatures becomes two ClickHouse functions, each installed once', async () => {
    const show = udf((a: unknown) => (a === null ? 'null' : `${typeof a}:${String(a)}`), 'utf8', 'show');
    const df = v.filter(col('i').eq(1)).select(show(col('i')).alias('k'), show(col('b')).alias('sb'), show(col('s')).alias('ss'), show(col('f')).alias('sf'));
    const { ch: got, duck: want } = await both(df);
    assert.deepEqual(got, want);
    assert.deepEqual(got, [{ k: 'number:1', sb: 'bigint:9007199254740993', ss: 'string:a"b\nc\\', sf: 'number:NaN' }]);
    const names = (text: string) => [...new Set(text.match(/eb_udf_\d+_show/g))].sort();
    const first = names(await ch.explain(df.plan));
    // int32, int64, utf8 and float64 arguments: four signatures (and so four scripts) for one function.
    assert.equal(first.length, 4, first.join(', '));
    assert.deepEqual(names(await ch.explain(df.plan)), first, 'a second plan reuses the installed functions');
  });

  test('a UDF whose function throws fails the query with its own message, and the engine keeps working', async () => {
    const boom = udf((i: number | null) => {
      if (i === 3) throw new Error('boom on row 3');
      return i;
    }, 'int32', 'boom');
    await assert.rejects(ch.run(v.select(boom(col('i')).alias('i')).plan), (err: unknown) =>
      err instanceof EngineError && err.code === 'task-failed' && /^clickhouse failed: UDF 'boom' threw: boom on row 3 \(in ClickHouse executable UDF eb_udf_\d+_boom\)$/.test(err.message));
    const rows = tableToRows(await ch.run(v.filter(col('i').neq(3)).select(boom(col('i')).alias('i')).plan));
    assert.equal(rows.length, 4);
  });

  test('a UDF returning a value of the wrong type fails with what it returned and what it declared', async () => {
    const bad = udf((i: number | null) => `x${i}` as unknown as number, 'int32', 'bad');
    await assert.rejects(ch.run(v.select(bad(col('i')).alias('i')).plan), (err: unknown) =>
      err instanceof EngineError && /UDF 'bad' returned string x\S+, declared int32/.test(err.message));
  });

  test('a UDF whose source cannot stand alone in a script is bad input, named in the error', async () => {
    const holder = { twice(x: number) { return x * 2; } };
    const method = udf(holder.twice, 'int32', 'twice');
    await assert.rejects(ch.run(v.select(method(col('i')).alias('i')).plan), (err: unknown) =>
      err instanceof EngineError && err.code === 'bad-input' && /UDF 'twice': its source does not parse on its own/.test(err.message));
  });

  test('UDFs first used after the session started work, also from a second engine sharing the chDB session', async () => {
    const ctx = testContext();
    const second = await clickhouseEngine.create(ctx);
    try {
      await second.load(TABLES);
      const tag = udf((s: string | null) => (s === null ? null : `<${s}>`), 'utf8', 'tag');
      assert.deepEqual(tableToRows(await second.run(v.filter(col('i').eq(3)).select(tag(col('s')).alias('s')).plan)), [{ s: '<long enough>' }]);
      const untag = udf((s: string | null) => (s === null ? null : s.slice(1, -1)), 'utf8', 'untag');
      assert.deepEqual(tableToRows(await ch.run(v.filter(col('i').eq(3)).select(untag(tag(col('s'))).alias('s')).plan)), [{ s: 'long enough' }]);
    } finally {
      await second.close();
      ctx.cleanup();
    }
  });
});

test('the server backend refuses a plan with a UDF as unsupported, before sending anything to the server', async () => {
  const ctx = testContext();
  // Port 9 (discard) answers nothing: any request would fail with a connection error, not 'unsupported'.
  const client = createClient({ url: 'http://127.0.0.1:9' });
  const engine = new ClickHouseEngine(ctx, new ServerBackend(client, '24.8.1.1'), 'Memory');
  try {
    const shout = udf((s: string | null) => (s === null ? null : s.toUpperCase()), 'utf8', 'shout');
    await assert.rejects(engine.run(v.select(shout(col('s')).alias('s')).plan), (err: unknown) =>
      err instanceof EngineError && err.code === 'unsupported' && /clickhouse on a server cannot run the JavaScript UDF 'shout'/.test(err.message));
    await assert.rejects(engine.materialize!(v.select(shout(col('s')).alias('s')).plan, 'kept'), (err: unknown) =>
      err instanceof EngineError && err.code === 'unsupported');
  } finally {
    await client.close();
    ctx.cleanup();
  }
});
