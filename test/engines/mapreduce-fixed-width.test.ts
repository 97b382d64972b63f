// The MapReduce engine's fixed-width path: which jobs take it; its sort buffer sorts and writes what the general
// sort buffer writes; its typed-run merge orders records as the general merge does (ranked and unranked); and whole
// jobs give byte-identical output and identical counters with the path on and off, including NULL, negative and
// int64 keys, two-column keys, many spills, the combiner on and off.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import * as arrow from 'apache-arrow';
import { table, count, sum, avg, min, max, tableFromRows } from '../../plan/index.ts';
import type { PlanNode, Schema } from '../../plan/types.ts';
import { MapReduceEngine } from '../../engines/mapreduce/mapreduce-engine.ts';
import { ByteWriter, compareBytes, hashBytes, hashPartition } from '../../engines/mapreduce/bytes.ts';
import { FixedMerge } from '../../engines/mapreduce/fixed-merge.ts';
import { fixedWidthLayout } from '../../engines/mapreduce/fixed-width.ts';
import { keyColumn, writeKey } from '../../engines/mapreduce/key-format.ts';
import { MapOutputBuffer } from '../../engines/mapreduce/map-output-buffer.ts';
import { newCounters } from '../../engines/mapreduce/map-task.ts';
import type { WireAggregate, WireJob } from '../../engines/mapreduce/job.ts';
import type { Collector } from '../../engines/mapreduce/job-functions.ts';
import { toWire } from '../../engines/mapreduce/expressions.ts';
import { vectorizeAggregate } from '../../engines/mapreduce/vector-aggregate.ts';
import { BATCH_SIZE, sliceVector, vectorFromValues } from '../../engines/mapreduce/vector.ts';
import { writeRecord } from '../../engines/mapreduce/segment.ts';
import { testContext } from '../support/engine-context.ts';

const schema: Schema = [
  { name: 'k', type: 'int32' },
  { name: 'w', type: 'int64' },
  { name: 'b', type: 'bool' },
  { name: 'x', type: 'float64' },
  { name: 's', type: 'utf8' },
  { name: 'v', type: 'int32' },
];

function aggregateJob(keys: string[], aggregates: WireAggregate[], fixedWidth = true): WireJob {
  return {
    id: 1,
    kind: { kind: 'aggregate', keys, aggregates },
    inputSchemas: [schema],
    reduceSchema: schema,
    reduceOps: [],
    outputSchema: schema,
    outputLimit: null,
    reducers: 3,
    combiner: true,
    vectorized: true,
    fixedWidth,
    boundaries: null,
  };
}

test('fixed-width layout: fixed-width keys and states only, at most 12 key bytes', () => {
  const n = [{ fn: 'count' as const, arg: null, name: 'n' }];
  assert.deepEqual(fixedWidthLayout(aggregateJob(['k'], n)), { keyBytes: 5, valueBytes: 10 });
  assert.deepEqual(fixedWidthLayout(aggregateJob(['w'], n)), { keyBytes: 9, valueBytes: 10 });
  assert.deepEqual(fixedWidthLayout(aggregateJob(['k', 'b'], n)), { keyBytes: 7, valueBytes: 10 });
  assert.deepEqual(fixedWidthLayout(aggregateJob([], n)), { keyBytes: 0, valueBytes: 10 });
  assert.equal(fixedWidthLayout(aggregateJob(['w', 'k'], n)), null, '14 key bytes');
  assert.equal(fixedWidthLayout(aggregateJob(['s'], n)), null, 'a string key');
  assert.equal(fixedWidthLayout(aggregateJob(['k'], [{ fn: 'max', arg: { kind: 'column', name: 's' }, name: 'm' }])), null, 'a string state');
  assert.equal(fixedWidthLayout(aggregateJob(['k'], n, false)), null, 'mapreduce.fixedWidth=false');
});

/** Random int32 / int64 keys (NULL, negative, extremes) with count-like values, through both sort buffers. */
test('the fixed-width sort buffer writes the same spill and map output files as the general one', () => {
  const job = aggregateJob(['w'], [{ fn: 'count', arg: null, name: 'n' }]);
  const layout = fixedWidthLayout(job)!;
  const cols = [keyColumn('int64')];
  const keyArb = fc.oneof(fc.constant(null), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.bigInt({ min: -3n, max: 3n }));
  fc.assert(
    fc.property(fc.array(fc.tuple(keyArb, fc.integer({ min: 0, max: 255 })), { maxLength: 300 }), fc.integer({ min: 64, max: 4096 }), fc.boolean(), (records, bufferBytes, combine) => {
      const files: Buffer[] = [];
      for (const fixed of [true, false]) {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mr-fixed-'));
        try {
          const counters = newCounters();
          // A combiner that concatenates: any reordering or regrouping of equal keys changes the bytes.
          const combiner = combine ? { combine: (_k: Uint8Array, values: Buffer[]) => [Buffer.concat(values).subarray(0, 10)] } : null;
          const out = new MapOutputBuffer(dir, 3, 0, combiner, bufferBytes, counters, () => 0, null, fixed ? layout : null);
          for (const [key, v] of records) {
            writeKey(out.key, cols, [key]);
            for (let i = 0; i < 1 + (v % 10); i++) out.value.u8(v);
            out.collect();
          }
          const file = out.close();
          files.push(Buffer.concat([fs.readFileSync(file), fs.readFileSync(`${file}.index`), Buffer.from(JSON.stringify(counters))]));
        } finally {
          fs.rmSync(dir, { recursive: true, force: true });
        }
      }
      assert.ok(files[0]!.equals(files[1]!));
    }),
    { numRuns: 150 },
  );
});

test('hashPartition is the unsigned hash mod the partition count', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 12 }), fc.integer({ min: 1, max: 70000 }), (bytes, partitions) => {
      const h = hashBytes(bytes, 0, bytes.length);
      assert.equal(hashPartition(h, partitions), h % partitions);
      assert.equal(hashPartition(h | 0, partitions), h % partitions, 'a signed hash');
    }),
    { numRuns: 500 },
  );
});

/**
 * The vectorized in-mapper table hands its groups to the fixed-width sort buffer directly (collectInt32 for an
 * int32 key, collect from the key table's bytes otherwise); through the key and value writers it must give the
 * same map output file, index and counters, with one spill or many.
 */
test('the direct hand-over of the in-mapper table writes what the key and value writers write', () => {
  const rows = 5000;
  const cols = {
    k: vectorFromValues('int32', Array.from({ length: rows }, (_, i) => (i % 17 === 0 ? null : ((i * 7919) % 1301) - 650))),
    b: vectorFromValues('bool', Array.from({ length: rows }, (_, i) => (i % 31 === 0 ? null : i % 3 === 0))),
    x: vectorFromValues('float64', Array.from({ length: rows }, (_, i) => (i % 11 === 0 ? null : ((i * 40503) % 10007) / 7 - 700))),
    v: vectorFromValues('int32', Array.from({ length: rows }, (_, i) => (i % 13 === 0 ? null : ((i * 2654435761) % 2001) - 1000))),
  };
  const c = (name: string) => toWire({ kind: 'column', name } as never);
  const aggregates: WireAggregate[] = [
    { fn: 'count', arg: null, name: 'n' },
    { fn: 'sum', arg: c('v'), name: 'sv' },
    { fn: 'avg', arg: c('x'), name: 'ax' },
    { fn: 'min', arg: c('v'), name: 'lo' },
    { fn: 'max', arg: c('x'), name: 'hi' },
  ];
  for (const keys of [['k'], ['k', 'b']]) {
    const job = aggregateJob(keys, aggregates);
    const layout = fixedWidthLayout(job)!;
    const plan = vectorizeAggregate({ keys, aggregates }, schema);
    for (const bufferBytes of [1024, 16 << 20]) {
      const files: Buffer[] = [];
      const spills: number[] = [];
      for (const direct of [true, false]) {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mr-handover-'));
        try {
          const counters = newCounters();
          const combiner = { combine: (_k: Uint8Array, values: Buffer[]) => [Buffer.concat(values).subarray(0, layout.valueBytes)] };
          const buffer = new MapOutputBuffer(dir, 3, 0, combiner, bufferBytes, counters, () => 0, null, layout);
          // Without `fixed`, the mapper writes every record through the writers and collect().
          const out: Collector = direct ? buffer : { key: buffer.key, value: buffer.value, collect: () => buffer.collect() };
          const mapper = plan.mapper({ maxBytes: bufferBytes / 2, counters });
          const selected = Int32Array.from({ length: BATCH_SIZE }, (_, i) => i);
          for (let start = 0; start < rows; start += BATCH_SIZE) {
            const n = Math.min(BATCH_SIZE, rows - start);
            const batchCols = schema.map((f) => (f.name in cols ? sliceVector(cols[f.name as keyof typeof cols], start, n) : null));
            mapper.mapBatch({ cols: batchCols, rows: n, selected: Int32Array.from(selected), size: n }, out);
          }
          mapper.finish(out);
          const file = buffer.close();
          spills.push(counters.spillFiles!);
          files.push(Buffer.concat([fs.readFileSync(file), fs.readFileSync(`${file}.index`), Buffer.from(JSON.stringify(counters))]));
        } finally {
          fs.rmSync(dir, { recursive: true, force: true });
        }
      }
      assert.ok(files[0]!.equals(files[1]!), `keys ${keys}, sort buffer ${bufferBytes}`);
      if (bufferBytes === 1024) assert.ok(spills[0]! > 3, `spills: ${spills[0]}`);
      else assert.equal(spills[0], 1);
    }
  }
});

test('the typed-run merge orders records as a stable merge by key bytes, ranked and unranked', () => {
  for (const [keyType, runsMax] of [['int32', 12], ['int32', 300], ['int64', 12]] as const) {
    const cols = [keyColumn(keyType)];
    const keyArb: fc.Arbitrary<unknown> = keyType === 'int32' ? fc.oneof(fc.constant(null), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.integer({ min: -2, max: 2 })) : fc.oneof(fc.constant(null), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.bigInt({ min: -2n, max: 2n }));
    fc.assert(
      fc.property(fc.array(fc.array(keyArb, { maxLength: 6 }), { minLength: runsMax > 256 ? 257 : 0, maxLength: runsMax }), (raw) => {
        const runs = raw.map((keys) =>
          keys
            .map((k) => {
              const w = new ByteWriter(16);
              writeKey(w, cols, [k]);
              return w.copy();
            })
            .sort((a, b) => compareBytes(a, 0, a.length, b, 0, b.length)),
        );
        const w = new ByteWriter(1024);
        const bounds = runs.map((keys, ri) => {
          const offset = w.pos;
          keys.forEach((k, i) => writeRecord(w, k, 0, k.length, Buffer.from(`${ri}.${i}`), 0, `${ri}.${i}`.length));
          return { offset, length: w.pos - offset, records: keys.length };
        });
        const buf = w.copy();
        const m = new FixedMerge(buf, bounds, keyType === 'int32' ? 5 : 9);
        const got: string[] = [];
        m.run((s) => got.push(buf.toString('utf8', m.keyEnd[s]! + 1, m.valueEnd[s]!)));
        const all = runs.flatMap((keys, ri) => keys.map((k, i) => ({ k, id: `${ri}.${i}` })));
        all.sort((a, b) => compareBytes(a.k, 0, a.k.length, b.k, 0, b.k.length)); // stable: run order on ties
        assert.deepEqual(got, all.map((r) => r.id));
      }),
      { numRuns: 60 },
    );
  }
});

// ---- whole jobs: the fixed-width path and the general path give the same bytes ------------------------------

const data = Array.from({ length: 6000 }, (_, i) => ({
  k: i % 19 === 0 ? null : ((i * 7919) % 1201) - 600,
  w: i % 23 === 0 ? null : (BigInt((i * 104729) % 997) - 498n) * 9_007_199_254_740_993n,
  b: i % 29 === 0 ? null : i % 3 === 0,
  x: i % 11 === 0 ? null : ((i * 40503) % 10007) / 7 - 700,
  s: `s${i % 5}`,
  v: i % 13 === 0 ? null : ((i * 2654435761) % 2001) - 1000,
}));
const events = table('events', schema);
const JOBS: readonly [string, PlanNode][] = [
  ['int32 key with NULLs and negatives: count, sum, avg, min, max', events.groupBy('k').agg(count().alias('n'), sum('v').alias('sv'), sum('x').alias('sx'), avg('x').alias('ax'), min('v').alias('lo'), max('x').alias('hi')).plan],
  ['int64 key (9 bytes, beyond 2^53) with NULLs', events.groupBy('w').agg(count().alias('n'), avg('v').alias('a')).plan],
  ['two keys: int32 and bool', events.groupBy('k', 'b').agg(count().alias('n'), max('v').alias('m')).plan],
  ['float64 key', events.groupBy('x').agg(count().alias('n')).plan],
  ['global aggregate', events.agg(count().alias('n'), sum('v').alias('s')).plan],
];

interface Run {
  readonly out: Buffer;
  readonly c: Readonly<Record<string, number>>;
}

async function runJob(plan: PlanNode, options: Record<string, number | string | boolean>): Promise<Run> {
  const ctx = testContext({ 'mapreduce.blockSize': 16384, 'mapreduce.reducers': 3, ...options });
  const engine = await MapReduceEngine.create(ctx);
  try {
    await engine.load(new Map([['events', tableFromRows(schema, data)]]));
    const out = Buffer.from(arrow.tableToIPC(await engine.run(plan), 'file'));
    return { out, c: engine.metrics().counters };
  } finally {
    await engine.close();
    ctx.cleanup();
  }
}

for (const [name, plan] of JOBS) {
  for (const [label, options] of [
    ['combiner on', {}],
    ['combiner off, row at a time', { 'mapreduce.combiner': false, 'mapreduce.vectorized': false }],
    ['tiny sort buffer (many spills, merged with the combiner)', { 'mapreduce.sortBufferBytes': 512 }],
    ['tiny sort buffer, combiner off', { 'mapreduce.sortBufferBytes': 512, 'mapreduce.combiner': false }],
  ] as const) {
    test(`fixed-width path = general path, byte for byte: ${name}; ${label}`, async () => {
      const fixed = await runJob(plan, { ...options, 'mapreduce.fixedWidth': true });
      const general = await runJob(plan, { ...options, 'mapreduce.fixedWidth': false });
      assert.ok(fixed.c.mapTasks! >= 3, `map tasks: ${fixed.c.mapTasks}`);
      assert.ok(fixed.out.equals(general.out), 'job output differs');
      for (const counter of ['mapOutputRecords', 'mapOutputBytes', 'recordsSpilled', 'bytesSpilled', 'spillFiles', 'mergedBytes', 'combineInputRecords', 'combineOutputRecords', 'recordsShuffled', 'bytesShuffled', 'reduceInputGroups', 'bytesWrittenToDisk']) {
        assert.equal(fixed.c[counter], general.c[counter], `${counter}: fixed ${fixed.c[counter]}, general ${general.c[counter]}`);
      }
      if (label.startsWith('tiny')) assert.ok(fixed.c.spillFiles! > fixed.c.mapTasks!, `spills: ${fixed.c.spillFiles}`);
    });
  }
}
