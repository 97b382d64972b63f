// The MapReduce engine's binary formats and building blocks: the order-preserving key format sorts exactly as
// the values do (property tests), rows round-trip, the k-way merge is stable, the radix sort equals a reference
// sort, the planner builds the documented job chains, and the file system CLI works end to end.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import * as arrow from 'apache-arrow';
import { table, col, count, sum, desc, tableFromRows } from '../../plan/index.ts';
import type { DataType, Schema } from '../../plan/types.ts';
import { ByteWriter, compareBytes } from '../../engines/mapreduce/bytes.ts';
import { readKey, writeKey, encodingOf, type KeyColumn } from '../../engines/mapreduce/key-format.ts';
import { compileRowReader, decodeRow, encodeRow, writeRow, type ValueType } from '../../engines/mapreduce/row-format.ts';
import { castValue, compareCodePoints, compareValues } from '../../engines/mapreduce/expressions.ts';
import { sortRecords } from '../../engines/mapreduce/radix-sort.ts';
import { IntKeyTable, KeyTable } from '../../engines/mapreduce/key-table.ts';
import { mergeSegments } from '../../engines/mapreduce/merge.ts';
import { SegmentReader, compareCurrentKeys, writeRecord } from '../../engines/mapreduce/segment.ts';
import { planJobs } from '../../engines/mapreduce/planner.ts';
import { readConfig } from '../../engines/mapreduce/config.ts';
import { runCli } from '../../engines/mapreduce/cli.ts';

const valueArb: Record<DataType, fc.Arbitrary<unknown>> = {
  int32: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  int64: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  float64: fc.double({ noNaN: true }),
  timestamp: fc.integer({ min: -1e13, max: 1e13 }),
  utf8: fc.string({ unit: 'binary', maxLength: 6 }),
  bool: fc.boolean(),
};
const TYPES: DataType[] = ['int32', 'int64', 'float64', 'timestamp', 'utf8', 'bool'];

function compareTyped(a: unknown, b: unknown, type: DataType): number {
  if (type === 'utf8') return Math.sign(compareCodePoints(a, b));
  const x = type === 'float64' && Object.is(a, -0) ? 0 : a;
  const y = type === 'float64' && Object.is(b, -0) ? 0 : b;
  return (x as number) < (y as number) ? -1 : (x as number) > (y as number) ? 1 : 0;
}

function keyOf(cols: KeyColumn[], values: unknown[]): Buffer {
  const w = new ByteWriter(16);
  writeKey(w, cols, values);
  return w.copy();
}

test('key format: byte order equals value order, for every type, direction and NULL placement', () => {
  for (const type of TYPES) {
    fc.assert(
      fc.property(fc.option(valueArb[type], { nil: null }), fc.option(valueArb[type], { nil: null }), fc.boolean(), fc.boolean(), (a, b, descending, nullsFirst) => {
        const cols: KeyColumn[] = [{ type, enc: encodingOf(type), descending, nullsFirst }];
        const got = Math.sign(compareBytes(keyOf(cols, [a]), 0, keyOf(cols, [a]).length, keyOf(cols, [b]), 0, keyOf(cols, [b]).length));
        let want: number;
        if (a === null || b === null) want = a === b ? 0 : (a === null) === nullsFirst ? -1 : 1;
        else want = compareTyped(a, b, type) * (descending ? -1 : 1) || 0;
        assert.equal(got, want, `${type} ${String(a)} vs ${String(b)} desc=${descending} nullsFirst=${nullsFirst}`);
      }),
      { numRuns: 300 },
    );
  }
});

test('key format: multi-column keys decode back to their values', () => {
  fc.assert(
    fc.property(fc.option(valueArb.utf8, { nil: null }), fc.option(valueArb.int32, { nil: null }), fc.option(valueArb.int64, { nil: null }), fc.boolean(), (s, i, l, desc) => {
      const cols: KeyColumn[] = (['utf8', 'int32', 'int64'] as DataType[]).map((type) => ({ type, enc: encodingOf(type), descending: desc, nullsFirst: true }));
      const key = keyOf(cols, [s, i, l]);
      assert.deepEqual(readKey(key, 0, key.length, cols), [s, i, l]);
    }),
    { numRuns: 300 },
  );
});

test('row format: rows of every type with NULLs round-trip', () => {
  fc.assert(
    fc.property(fc.tuple(...TYPES.map((t) => fc.option(valueArb[t], { nil: null }))), (row) => {
      assert.deepEqual(decodeRow(encodeRow(TYPES, row), TYPES), row);
    }),
    { numRuns: 300 },
  );
  const long = 'x'.repeat(300) + 'é';
  assert.deepEqual(decodeRow(encodeRow(['utf8', 'num', 'num'], [long, 5, 2n ** 62n]), ['utf8', 'num', 'num']), [long, 5, 2n ** 62n]);
});

test('compiled row reader: same values as decodeRow for every type, NULL and skipped column, over many rows', () => {
  // Nine columns so the null bitmap takes two bytes; 'num' and a long string exercise the other paths.
  const types: ValueType[] = [...TYPES, 'num', 'utf8', 'int32'];
  const arbs = [...TYPES.map((t) => valueArb[t]), fc.oneof(fc.integer(), fc.bigInt({ min: 2n ** 60n, max: 2n ** 62n })), fc.string({ minLength: 0, maxLength: 200 }), valueArb.int32];
  fc.assert(
    fc.property(fc.array(fc.tuple(...arbs.map((a) => fc.option(a, { nil: null }))), { minLength: 1, maxLength: 5 }), fc.array(fc.boolean(), { minLength: 9, maxLength: 9 }), (rows, skip) => {
      const w = new ByteWriter(64);
      for (const r of rows) writeRow(w, types, r);
      const buf = w.copy();
      const read = compileRowReader(types, skip);
      const out: unknown[] = new Array(types.length);
      let pos = 0;
      for (const r of rows) {
        pos = read(buf, pos, out);
        assert.deepEqual(out, r.map((v, i) => (skip[i] ? null : v)));
      }
      assert.equal(pos, buf.length);
    }),
    { numRuns: 200 },
  );
});

test('key table: groups numbered in first-seen order, equal bytes one group, through growth and clear', () => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 6 }), { maxLength: 3000 }), (keys) => {
      const table = new KeyTable(16);
      for (let round = 0; round < 2; round++) {
        const expected = new Map<string, number>();
        for (const k of keys) {
          const padded = Buffer.concat([Buffer.from(k), Buffer.from([7, 7])]); // bytes past `len` must not count
          const g = table.find(padded, k.length);
          const id = Buffer.from(k).toString('hex');
          if (!expected.has(id)) expected.set(id, expected.size);
          assert.equal(g, expected.get(id));
          assert.ok(table.keys.subarray(table.keyStart(g), table.keyStart(g) + table.keyLength(g)).equals(Buffer.from(k)));
        }
        assert.equal(table.size, expected.size);
        table.clear();
        assert.equal(table.size, 0);
      }
    }),
    { numRuns: 100 },
  );
});

test('int key table: int32 keys numbered in first-seen order, through growth, collisions and clear', () => {
  const int32 = fc.oneof(fc.integer({ min: -40, max: 40 }), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.constantFrom(-(2 ** 31), 2 ** 31 - 1, 0));
  fc.assert(
    fc.property(fc.array(int32, { maxLength: 3000 }), (keys) => {
      const table = new IntKeyTable(16);
      for (let round = 0; round < 2; round++) {
        const expected = new Map<number, number>();
        for (const k of keys) {
          const g = table.find(k);
          if (!expected.has(k)) expected.set(k, expected.size);
          assert.equal(g, expected.get(k));
          assert.equal(table.keyAt(g), k);
        }
        assert.equal(table.size, expected.size);
        table.clear();
        assert.equal(table.size, 0);
      }
    }),
    { numRuns: 100 },
  );
});

test('segment reader: prefix comparison orders keys as memcmp, and long keys and values decode', () => {
  // Bytes from a small alphabet with zeros make equal 6-byte prefixes, keys that are prefixes of others, and
  // lengths on both sides of the prefix; long values need 2-byte varint lengths.
  const key = fc.array(fc.constantFrom(0, 1, 255), { maxLength: 10 }).map((b) => Buffer.from(b));
  const longKey = fc.uint8Array({ minLength: 120, maxLength: 300 }).map((b) => Buffer.from(b));
  // A key and the same key with zero bytes appended share a zero-padded prefix.
  const pair = fc.tuple(key, fc.nat({ max: 6 })).map(([k, zeros]): [Buffer, Buffer] => [k, Buffer.concat([k, Buffer.alloc(zeros)])]);
  const keys = fc.oneof(fc.tuple(fc.oneof(key, longKey), fc.oneof(key, longKey)), pair, pair.map(([a, b]): [Buffer, Buffer] => [b, a]));
  fc.assert(
    fc.property(keys, fc.nat({ max: 400 }), ([a, b], valueLength) => {
      const w = new ByteWriter(64);
      const value = Buffer.alloc(valueLength, 9);
      writeRecord(w, a, 0, a.length, value, 0, value.length);
      writeRecord(w, b, 0, b.length, value, 0, value.length);
      const buf = w.copy();
      const ra = new SegmentReader(buf, 0, buf.length);
      const rb = new SegmentReader(buf, 0, buf.length);
      assert.ok(ra.next() && rb.next() && rb.next());
      assert.ok(buf.subarray(ra.ks, ra.ke).equals(a) && buf.subarray(rb.ks, rb.ke).equals(b));
      assert.ok(buf.subarray(rb.vs, rb.ve).equals(value));
      assert.equal(rb.next(), false);
      assert.equal(Math.sign(compareCurrentKeys(ra, rb)), Math.sign(compareBytes(a, 0, a.length, b, 0, b.length)));
      assert.equal(Math.sign(compareCurrentKeys(rb, ra)), Math.sign(compareBytes(b, 0, b.length, a, 0, a.length)));
    }),
    { numRuns: 500 },
  );
});

test('casts and comparisons follow the contract: out-of-range ints are NULL, NaN equals NaN and sorts last', () => {
  assert.equal(castValue(2n ** 40n, 'int64', 'int32'), null);
  assert.equal(castValue('1.9', 'utf8', 'int32'), 1);
  assert.equal(castValue('x', 'utf8', 'int64'), null);
  assert.equal(castValue(-2.7, 'float64', 'int64'), -2n);
  assert.equal(castValue(1e30, 'float64', 'int64'), null);
  assert.equal(compareValues(Number.NaN, Number.NaN), 0);
  assert.equal(compareValues(Number.NaN, Number.POSITIVE_INFINITY), 1);
  assert.equal(compareValues(1, Number.NaN), -1);
  assert.equal(compareValues(2n, 1), 1);
});

test('radix sort orders records by (partition, key bytes, arrival), like a reference sort', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.uint8Array({ maxLength: 12 })), { maxLength: 400 }), fc.integer({ min: 1, max: 6 }), (recs, partitions) => {
      const w = new ByteWriter(64);
      const meta = new Int32Array(recs.length * 4);
      recs.forEach(([p, key], i) => {
        meta[i * 4] = w.pos;
        meta[i * 4 + 1] = key.length;
        meta[i * 4 + 3] = p % partitions;
        w.bytes(key);
      });
      const kv = w.copy();
      const order = Uint32Array.from(recs.map((_, i) => i));
      sortRecords(order, meta, kv, partitions);
      const want = recs
        .map((_, i) => i)
        .sort((a, b) => meta[a * 4 + 3]! - meta[b * 4 + 3]! || compareBytes(kv, meta[a * 4]!, meta[a * 4]! + meta[a * 4 + 1]!, kv, meta[b * 4]!, meta[b * 4]! + meta[b * 4 + 1]!) || a - b);
      assert.deepEqual([...order], want);
    }),
    { numRuns: 200 },
  );
});

test('k-way merge is ordered by key and stable across segments', () => {
  const seg = (records: [string, string][]): Buffer => {
    const w = new ByteWriter(64);
    for (const [k, v] of records) writeRecord(w, Buffer.from(k), 0, k.length, Buffer.from(v), 0, v.length);
    return w.copy();
  };
  const segments = [seg([['a', '0a'], ['c', '0c']]), seg([['a', '1a'], ['b', '1b'], ['c', '1c']]), seg([])];
  const out: string[] = [];
  mergeSegments(segments.map((s) => new SegmentReader(s, 0, s.length)), (r) => out.push(r.buf.toString('utf8', r.vs, r.ve)));
  assert.deepEqual(out, ['0a', '1a', '1b', '0c', '1c']);
  // Many segments: the same order as a stable sort of all records by key (ties in segment order).
  fc.assert(
    fc.property(fc.array(fc.array(fc.uint8Array({ maxLength: 3 }), { maxLength: 30 }), { maxLength: 12 }), (raw) => {
      const sorted = raw.map((keys) => keys.map((k) => Buffer.from(k)).sort((a, b) => compareBytes(a, 0, a.length, b, 0, b.length)));
      const readers = sorted.map((keys, si) => {
        const w = new ByteWriter(64);
        keys.forEach((k, i) => writeRecord(w, k, 0, k.length, Buffer.from(`${si}.${i}`), 0, `${si}.${i}`.length));
        const b = w.copy();
        return new SegmentReader(b, 0, b.length);
      });
      const got: string[] = [];
      mergeSegments(readers, (r) => got.push(r.buf.toString('utf8', r.vs, r.ve)));
      const all = sorted.flatMap((keys, si) => keys.map((k, i) => ({ k, id: `${si}.${i}` })));
      all.sort((a, b) => compareBytes(a.k, 0, a.k.length, b.k, 0, b.k.length)); // stable: segment order on ties
      assert.deepEqual(got, all.map((r) => r.id));
    }),
    { numRuns: 200 },
  );
});

test('planner: group-by is one job, join then aggregate two, narrow ops ride in map and reduce', () => {
  const config = readConfig({}, 2);
  const s: Schema = [{ name: 'k', type: 'utf8' }, { name: 'v', type: 'int32' }];
  const r: Schema = [{ name: 'k2', type: 'utf8' }, { name: 'c', type: 'utf8' }];
  const kinds = (df: { plan: Parameters<typeof planJobs>[0] }): string[] => planJobs(df.plan, config, '/runs/1/', () => undefined).jobs.map((j) => j.kind.kind);
  assert.deepEqual(kinds(table('t', s).groupBy('k').agg(count().alias('n'))), ['aggregate']);
  assert.deepEqual(kinds(table('t', s).join(table('r', r), [['k', 'k2']]).groupBy('c').agg(sum('v').alias('s'))), ['join', 'aggregate']);
  assert.deepEqual(kinds(table('t', s).filter(col('v').gt(1)).select('k')), ['mapOnly']);
  assert.deepEqual(kinds(table('t', s).orderBy(desc('v')).limit(3)), ['sort']);
  assert.deepEqual(kinds(table('t', s).limit(3)), ['limit']);
  const planned = planJobs(table('t', s).groupBy('k').agg(count().alias('n')).filter(col('n').gt(2)).select('k').plan, config, '/runs/1/', () => undefined);
  assert.equal(planned.jobs.length, 1);
  assert.deepEqual(planned.jobs[0]!.reduceOps.map((o) => o.kind), ['filter', 'project']);
  assert.deepEqual(planned.jobs[0]!.outputSchema, [{ name: 'k', type: 'utf8' }]);
});

test('file system CLI: format, put, ls, corrupt, fsck, kill-datanode, cat; errors are one line', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mr-cli-'));
  try {
    const dfs = path.join(dir, 'dfs');
    const schema: Schema = [{ name: 'k', type: 'utf8' }, { name: 'v', type: 'int32' }];
    fs.writeFileSync(path.join(dir, 't.arrow'), arrow.tableToIPC(tableFromRows(schema, Array.from({ length: 1000 }, (_, i) => ({ k: `k${i % 5}`, v: i }))), 'file'));
    assert.match(await runCli(['format', '--dir', dfs, '--block-size', '2048', '--datanodes', '3', '--replication', '2']), /3 DataNodes, replication 2/);
    assert.match(await runCli(['put', 't', path.join(dir, 't.arrow'), '--dir', dfs]), /\/tables\/t: 1000 rows, \d+ bytes in \d+ blocks x 2 replicas/);
    const ls = await runCli(['ls', '--dir', dfs]);
    const first = /blk_(\S+) .* on dn-(\d)/.exec(ls)!;
    assert.match(await runCli(['corrupt', first[1]!, first[2]!, '--dir', dfs]), /flipped one byte/);
    const fsck = await runCli(['fsck', '--dir', dfs]);
    assert.match(fsck, /bad replica: .* checksum mismatch/);
    assert.match(fsck, /re-replicated 1 replicas; 0 blocks lost\nREPAIRED/);
    assert.match(await runCli(['fsck', '--dir', dfs]), /HEALTHY/);
    assert.match(await runCli(['kill-datanode', '0', '--dir', dfs]), /killed dn-0: \d+ blocks were under-replicated, copied \d+ replicas, 0 blocks lost/);
    assert.match(await runCli(['ls', '--dir', dfs]), /dn-0 \(dead\)/);
    assert.match(await runCli(['cat', '/tables/t', '--limit', '2', '--dir', dfs]), /\{"k":"k0","v":0\}\n\{"k":"k1","v":1\}\n\(2 of 1000 rows\)/);
    await assert.rejects(runCli(['ls', '--dir', path.join(dir, 'nothing')]), /no file system at .*: run 'format' first/);
    await assert.rejects(runCli(['kill-datanode', '0', '--dir', dfs]), /DataNode 0 is already dead/);
    await assert.rejects(runCli(['format', '--dir', dfs, '--blocksize', '5']), /unknown option --blocksize; options are --dir, .*--block-size/);
    assert.match(await runCli(['--help']), /^usage: /);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
