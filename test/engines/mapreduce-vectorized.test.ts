// The MapReduce engine's columnar blocks and vectorized map side: blocks round-trip every type with NULLs and
// are cut identically whether rows arrive one at a time or as vectors; vector expressions agree with the row
// evaluator (three-valued logic, NaN, strings, division by zero); and jobs run vectorized or row at a time give
// byte-identical output and map output, with combining on and off, big and tiny sort buffers.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import * as arrow from 'apache-arrow';
import { table, col, lit, count, sum, avg, min, max, tableFromRows, tableToRows, udf } from '../../plan/index.ts';
import type { DataType, Expr, PlanNode, Schema } from '../../plan/types.ts';
import { MapReduceEngine } from '../../engines/mapreduce/mapreduce-engine.ts';
import { BlockWriter } from '../../engines/mapreduce/block-writer.ts';
import { ColumnBlockBuilder, decodeColumnBlock } from '../../engines/mapreduce/column-block.ts';
import { replicaPath } from '../../engines/mapreduce/datanode.ts';
import { compileExpr, toWire } from '../../engines/mapreduce/expressions.ts';
import { BATCH_SIZE, compileVectorRowReader, vectorFromValues, type VectorizedRowBatch } from '../../engines/mapreduce/vector.ts';
import { NotVectorizable, vectorizeExpr } from '../../engines/mapreduce/vector-expressions.ts';
import { vectorizeAggregate } from '../../engines/mapreduce/vector-aggregate.ts';
import { testContext } from '../support/engine-context.ts';

const TYPES: DataType[] = ['int32', 'int64', 'float64', 'timestamp', 'bool', 'utf8'];
const valueArb: Record<DataType, fc.Arbitrary<unknown>> = {
  int32: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  int64: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  float64: fc.oneof(fc.double(), fc.constant(-0)),
  timestamp: fc.integer({ min: -1e13, max: 1e13 }),
  bool: fc.boolean(),
  utf8: fc.string({ unit: 'binary', maxLength: 6 }),
};
const rowArb = fc.tuple(...TYPES.map((t) => fc.option(valueArb[t], { nil: null, freq: 4 })));

test('columnar block: rows of every type with NULLs decode to the same values, all columns or some', () => {
  fc.assert(
    fc.property(fc.array(rowArb, { maxLength: 40 }), fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }), (rows, needed) => {
      const b = new ColumnBlockBuilder(TYPES);
      for (const r of rows) b.appendRow(r);
      const block = b.finish();
      assert.equal(block.length % 8, 0);
      const read = compileVectorRowReader(decodeColumnBlock(block, TYPES, rows.length, needed));
      const out: unknown[] = new Array(TYPES.length);
      rows.forEach((r, i) => {
        read(i, out);
        assert.deepEqual(out, r.map((v, c) => (needed[c] ? v : null)));
      });
    }),
    { numRuns: 200 },
  );
});

test('columnar block: a misaligned buffer is copied, and a block of another schema is a clear error', () => {
  const b = new ColumnBlockBuilder(['int32', 'utf8']);
  b.appendRow([7, 'x']);
  b.appendRow([null, 'yz']);
  const block = b.finish();
  const shifted = Buffer.alloc(block.length + 1).subarray(1);
  block.copy(shifted);
  const read = compileVectorRowReader(decodeColumnBlock(shifted, ['int32', 'utf8'], 2));
  const out: unknown[] = [];
  read(1, out);
  assert.deepEqual(out, [null, 'yz']);
  assert.throws(() => decodeColumnBlock(block, ['float64', 'utf8'], 2), /column 0 is stored as int32, the schema says float64; .*reload the table/);
  assert.throws(() => decodeColumnBlock(block, ['int32', 'utf8'], 3), /block holds 2 rows, the catalog says 3/);
  assert.throws(() => decodeColumnBlock(Buffer.alloc(32), ['int32'], 0), /does not start with the columnar magic MRC1/);
});

test('block writer: rows one at a time and the same rows as vectors give the same blocks, cut at blockSize', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mr-blocks-'));
  try {
    fs.mkdirSync(path.join(dir, 'data', 'dn-0'), { recursive: true });
    fc.assert(
      fc.property(fc.array(rowArb, { maxLength: 300 }), fc.integer({ min: 64, max: 2048 }), fc.integer({ min: 1, max: 50 }), (rows, blockSize, chunk) => {
        const write = (prefix: string, fill: (w: BlockWriter) => void): Buffer[] => {
          const w = new BlockWriter({ dfsRoot: dir, blockSize, replication: 1, liveDataNodes: [0], blockPrefix: prefix, salt: 0 }, TYPES);
          fill(w);
          return w.close().map((blk) => fs.readFileSync(replicaPath(dir, 0, blk.id)));
        };
        const one = write('a', (w) => rows.forEach((r) => w.append(r)));
        const vectors = TYPES.map((t, c) => vectorFromValues(t, rows.map((r) => r[c])));
        const bulk = write('b', (w) => {
          for (let at = 0; at < rows.length; at += chunk) w.appendVectors(vectors, TYPES.map(() => at), Math.min(chunk, rows.length - at));
        });
        assert.equal(bulk.length, one.length);
        bulk.forEach((blk, i) => assert.ok(blk.equals(one[i]!), `block ${i} differs`));
        // Every block but the last reached the block size at its last row and not before it.
        for (const blk of one.slice(0, -1)) assert.ok(blk.length >= blockSize, `block of ${blk.length} bytes < ${blockSize}`);
      }),
      { numRuns: 60 },
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// ---- vector expressions against the row evaluator --------------------------------------------------------------

const exprSchema: Schema = [
  { name: 'i', type: 'int32' },
  { name: 'x', type: 'float64' },
  { name: 's', type: 'utf8' },
  { name: 'b', type: 'bool' },
  { name: 'w', type: 'int64' },
];
const exprRowArb = fc.tuple(
  fc.option(fc.integer({ min: -3, max: 3 }), { nil: null, freq: 4 }),
  fc.option(fc.oneof(fc.double({ min: -4, max: 4 }), fc.constantFrom(0, -0, Number.NaN)), { nil: null, freq: 4 }),
  fc.option(fc.constantFrom('', 'a', 'ab', 'b', 'é', 'a\u0000'), { nil: null, freq: 4 }),
  fc.option(fc.boolean(), { nil: null, freq: 4 }),
  fc.option(fc.bigInt({ min: -3n, max: 3n }), { nil: null, freq: 4 }),
);
const EXPRS: readonly [string, Expr][] = [
  ['i > 0', col('i').gt(0).expr],
  ['x <= i', col('x').le(col('i')).expr],
  ['x = x (NaN equals NaN)', col('x').eq(col('x')).expr],
  ['x != 0', col('x').neq(lit(0)).expr],
  ['w >= i (bigint vs number)', col('w').ge(col('i')).expr],
  ['w < 1.5', col('w').lt(lit(1.5)).expr],
  ["s < 'ab'", col('s').lt('ab').expr],
  ["s = 'é'", col('s').eq('é').expr],
  ['s >= s', col('s').ge(col('s')).expr],
  ['b = true', col('b').eq(true).expr],
  ['(i > 0) AND b', col('i').gt(0).and(col('b')).expr],
  ['(x < 0) OR NOT b', col('x').lt(0).or(col('b').not()).expr],
  ['s IS NULL', col('s').isNull().expr],
  ['x IS NOT NULL', col('x').isNotNull().expr],
  ['x * 2.5 + i', col('x').multiply(lit(2.5)).plus(col('i')).expr],
  ['i / x', col('i').divide(col('x')).expr],
  ['x % i', col('x').mod(col('i')).expr],
  ['w / i', col('w').divide(col('i')).expr],
  ['NULL literal compare', col('i').eq(lit(null, 'int32')).expr],
];

for (const [name, expr] of EXPRS) {
  test(`vector expression agrees with the row evaluator on the selected rows: ${name}`, () => {
    const vec = vectorizeExpr(expr, exprSchema);
    const row = compileExpr(expr, exprSchema);
    fc.assert(
      fc.property(fc.array(exprRowArb, { minLength: 1, maxLength: 50 }), fc.array(fc.boolean(), { minLength: 50, maxLength: 50 }), (rows, keep) => {
        const cols = exprSchema.map((f, ci) => vectorFromValues(f.type, rows.map((r) => r[ci])));
        const selected = new Int32Array(BATCH_SIZE);
        let size = 0;
        rows.forEach((_, i) => {
          if (keep[i]) selected[size++] = i;
        });
        const batch: VectorizedRowBatch = { cols, rows: rows.length, selected, size };
        const out = vec.evaluate(batch);
        const read = compileVectorRowReader([out]);
        const got: unknown[] = [];
        for (let j = 0; j < size; j++) {
          const i = selected[j]!;
          read(i, got);
          const want = row(rows[i]!);
          if (typeof want === 'number' && Number.isNaN(want)) assert.ok(Number.isNaN(got[0]), `row ${i}: ${String(got[0])}, want NaN`);
          else assert.deepEqual(got[0], want, `row ${i} ${JSON.stringify(rows[i], (_, v) => (typeof v === 'bigint' ? `${v}n` : v))}`);
        }
      }),
      { numRuns: 150 },
    );
  });
}

test('expressions without a vector form say why: int64 arithmetic, CAST, UDF', () => {
  const upper = udf((s: string | null) => (s === null ? null : s.toUpperCase()), 'utf8', 'upper');
  assert.throws(() => vectorizeExpr(col('i').plus(col('i')).expr, exprSchema), (e: unknown) => e instanceof NotVectorizable && /int64 arithmetic/.test(e.message));
  assert.throws(() => vectorizeExpr(col('i').cast('float64').expr, exprSchema), (e: unknown) => e instanceof NotVectorizable && /CAST/.test(e.message));
  assert.throws(() => vectorizeExpr(upper(col('s')).expr, exprSchema), (e: unknown) => e instanceof NotVectorizable && /UDF upper/.test(e.message));
  assert.throws(() => vectorizeAggregate({ keys: ['s'], aggregates: [{ fn: 'sum', arg: toWire(col('w').expr), name: 'sw' }] }, exprSchema), /aggregate sw: sum over int64 keeps a bigint per group/);
  const plan = vectorizeAggregate({ keys: ['i'], aggregates: [{ fn: 'sum', arg: toWire(col('i').expr), name: 'si' }] }, exprSchema);
  assert.equal(plan.blockReason(2 ** 22), null);
  assert.match(plan.blockReason(2 ** 22 + 1)!, /int32 sum over 4194305 rows of one block could pass 2\^53/);
});

// ---- whole jobs: vectorized and row at a time give the same bytes ----------------------------------------------

const schema: Schema = [
  { name: 'k', type: 'int32' },
  { name: 'name', type: 'utf8' },
  { name: 'v', type: 'int32' },
  { name: 'x', type: 'float64' },
  { name: 't', type: 'timestamp' },
  { name: 'w', type: 'int64' },
];
const NAMES = ['view', 'click', null, 'é', '', 'a\u0000b'];
const data = Array.from({ length: 5000 }, (_, i) => ({
  k: i % 17 === 0 ? null : ((i * 7919) % 701) - 350,
  name: NAMES[(i * 31) % NAMES.length] ?? null,
  v: i % 13 === 0 ? null : ((i * 2654435761) % 2001) - 1000,
  x: i % 11 === 0 ? null : i % 97 === 0 ? Number.NaN : ((i * 40503) % 10007) / 7 - 700,
  t: i % 7 === 0 ? null : 1_600_000_000_000 + ((i * 7) % 86_400_000),
  w: i % 5 === 0 ? null : BigInt(i) * 1_000_003n,
}));
const events = table('events', schema);
const JOBS: readonly [string, PlanNode][] = [
  ['int32 key: count, count(col), sum int, sum float, avg, min, max', events.groupBy('k').agg(count().alias('n'), count('x').alias('nx'), sum('v').alias('sv'), sum('x').alias('sx'), avg('x').alias('ax'), avg('w').alias('aw'), min('t').alias('lo'), max('x').alias('hi'), min('v').alias('mv')).plan],
  ['utf8 key with NULL, empty and 0x00 strings', events.groupBy('name').agg(count().alias('n'), sum('x').alias('sx'), max('v').alias('mv')).plan],
  ['two keys after a filter', events.filter(col('x').gt(-300).and(col('name').neq('click'))).groupBy('name', 'k').agg(sum('v').alias('s'), avg('v').alias('a')).plan],
  ['global aggregate over a time range (filter-aggregate)', events.filter(col('t').ge(lit(new Date(1_600_000_000_000 + 3_600_000))).and(col('t').lt(lit(new Date(1_600_000_000_000 + 50_000_000))))).agg(avg('x').alias('a'), count().alias('n')).plan],
  ['project arithmetic then group', events.select(col('k'), col('x').multiply(col('v')).alias('xv'), col('name')).groupBy('k').agg(sum('xv').alias('s'), min('xv').alias('m')).plan],
];

interface Run {
  readonly out: Buffer;
  readonly c: Readonly<Record<string, number>>;
}

async function runBoth(plan: PlanNode, options: Record<string, number | string | boolean>): Promise<{ vec: Run; rows: Run }> {
  const runs: Run[] = [];
  for (const vectorized of [true, false]) {
    const ctx = testContext({ 'mapreduce.blockSize': 16384, 'mapreduce.reducers': 3, ...options, 'mapreduce.vectorized': vectorized });
    const engine = await MapReduceEngine.create(ctx);
    try {
      await engine.load(new Map([['events', tableFromRows(schema, data)]]));
      const out = Buffer.from(arrow.tableToIPC(await engine.run(plan), 'file'));
      runs.push({ out, c: engine.metrics().counters });
    } finally {
      await engine.close();
      ctx.cleanup();
    }
  }
  return { vec: runs[0]!, rows: runs[1]! };
}

for (const [name, plan] of JOBS) {
  for (const [label, options] of [
    ['combiner on', {}],
    ['combiner off', { 'mapreduce.combiner': false }],
    ['tiny sort buffer (in-mapper tables flush mid-batch)', { 'mapreduce.sortBufferBytes': 2048 }],
  ] as const) {
    test(`vectorized = row at a time, byte for byte: ${name}; ${label}`, async () => {
      const { vec, rows } = await runBoth(plan, options);
      assert.ok(vec.c.mapTasks! >= 3, `map tasks: ${vec.c.mapTasks}`);
      assert.equal(vec.c.vectorizedMapTasks, vec.c.mapTasks, 'every map task of the vectorized run took the vector path');
      assert.equal(rows.c.vectorizedMapTasks ?? 0, 0, 'the row run took the row path');
      assert.ok(vec.out.equals(rows.out), 'job output differs');
      for (const counter of ['mapOutputRecords', 'mapOutputBytes', 'bytesSpilled', 'spillFiles', 'inMapperCombineInputRecords', 'inMapperCombineOutputRecords', 'combineInputRecords', 'bytesShuffled']) {
        assert.equal(vec.c[counter], rows.c[counter], `${counter}: vectorized ${vec.c[counter]}, row at a time ${rows.c[counter]}`);
      }
    });
  }
}

test('a job the vector path cannot take runs row at a time, and explain says why', async () => {
  const upper = udf((s: string | null) => (s === null ? null : s.toUpperCase()), 'utf8', 'upper');
  const plan = events.select(upper(col('name')).alias('u'), col('v')).groupBy('u').agg(sum('v').alias('s')).plan;
  const ctx = testContext({ 'mapreduce.blockSize': 16384 });
  const engine = await MapReduceEngine.create(ctx);
  try {
    await engine.load(new Map([['events', tableFromRows(schema, data)]]));
    assert.match(await engine.explain(plan), /execution mode: row at a time: UDF upper runs one row at a time/);
    assert.match(await engine.explain(events.groupBy('k').agg(count().alias('n')).plan), /execution mode: vectorized \(batches of 1024 rows over column vectors\)/);
    const out = await engine.run(plan);
    assert.equal(engine.metrics().counters.vectorizedMapTasks ?? 0, 0);
    assert.equal(out.numRows, new Set(NAMES.map((n) => n?.toUpperCase() ?? null)).size);
  } finally {
    await engine.close();
    ctx.cleanup();
  }
});

test('load takes Arrow chunks with offsets, NULLs, dictionaries, bools, int64 and timestamps as they are', async () => {
  const s: Schema = [
    { name: 'b', type: 'bool' },
    { name: 'w', type: 'int64' },
    { name: 't', type: 'timestamp' },
    { name: 'd', type: 'utf8' },
  ];
  const rows = Array.from({ length: 700 }, (_, i) => ({ b: i % 3 === 0 ? null : i % 2 === 0, w: i % 4 === 0 ? null : BigInt(i) - 350n, t: i % 5 === 0 ? null : -86_400_000 * 400 + i * 1234567, d: i % 6 === 0 ? null : `d${i % 9}` }));
  const whole = tableFromRows(s, rows);
  // Two chunks per column, the second a slice (non-zero Arrow offsets), and a dictionary-encoded string column.
  const dict = arrow.vectorFromArray(rows.map((r) => r.d), new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32()));
  const sliced = new arrow.Table({
    b: whole.getChild('b')!.slice(0, 300).concat(whole.getChild('b')!.slice(300)),
    w: whole.getChild('w')!.slice(0, 123).concat(whole.getChild('w')!.slice(123)),
    t: whole.getChild('t')!.slice(0, 555).concat(whole.getChild('t')!.slice(555)),
    d: dict,
  });
  const ctx = testContext({ 'mapreduce.blockSize': 2048 });
  const engine = await MapReduceEngine.create(ctx);
  try {
    await engine.load(new Map([['x', sliced]]));
    assert.ok(engine.dfs.file('/tables/x')!.blocks.length > 3);
    const out = await engine.run(table('x', s).plan);
    assert.deepEqual(tableToRows(out), rows);
  } finally {
    await engine.close();
    ctx.cleanup();
  }
});
