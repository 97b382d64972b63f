// The MapReduce engine's block file system: splitting into blocks, R replicas on distinct DataNodes, the catalog
// persisted and reopened, DataNode death → re-replication, corrupt replicas detected and skipped, and all
// replicas lost → an explicit error, never wrong data; a file system of the old row-major format is refused.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { table, count, sum, tableFromRows, tableToRows } from '../../plan/index.ts';
import type { Schema } from '../../plan/types.ts';
import { EngineError } from '../../engines/engine.ts';
import { MapReduceEngine } from '../../engines/mapreduce/mapreduce-engine.ts';
import { NameNode } from '../../engines/mapreduce/namenode.ts';
import { replicaPath, dataNodeDir } from '../../engines/mapreduce/datanode.ts';
import { testContext } from '../support/engine-context.ts';

const schema: Schema = [
  { name: 'k', type: 'utf8' },
  { name: 'v', type: 'int32' },
];
const rows = Array.from({ length: 3000 }, (_, i) => ({ k: `key-${i % 10}`, v: i }));
const data = tableFromRows(schema, rows);
const plan = table('t', schema).groupBy('k').agg(count().alias('n'), sum('v').alias('s')).plan;
const expected = new Map(Array.from({ length: 10 }, (_, g) => [`key-${g}`, { n: 300n, s: BigInt(rows.filter((r) => r.v % 10 === g).reduce((a, r) => a + r.v, 0)) }]));

function assertExpected(out: ReturnType<typeof tableToRows>): void {
  assert.equal(out.length, 10);
  for (const r of out) assert.deepEqual({ n: r.n, s: r.s }, expected.get(r.k as string));
}

async function withEngine(options: Record<string, number | string | boolean>, body: (e: MapReduceEngine) => Promise<void>): Promise<void> {
  const ctx = testContext({ 'mapreduce.blockSize': 4096, 'mapreduce.dataNodes': 4, 'mapreduce.replication': 3, ...options });
  const engine = await MapReduceEngine.create(ctx);
  try {
    await engine.load(new Map([['t', data]]));
    await body(engine);
  } finally {
    await engine.close();
    ctx.cleanup();
  }
}

function replicaFilesOnDisk(nn: NameNode): number {
  return nn.dataNodes.filter((d) => d.alive).reduce((s, d) => s + fs.readdirSync(dataNodeDir(nn.root, d.id)).length, 0);
}

test('load splits a table into blocks of blockSize with R replicas on distinct DataNodes, checksummed', async () => {
  await withEngine({}, async (engine) => {
    const file = engine.dfs.file('/tables/t')!;
    assert.ok(file.blocks.length >= 5, `expected several blocks, got ${file.blocks.length}`);
    assert.equal(file.blocks.reduce((s, b) => s + b.rows, 0), 3000);
    for (const b of file.blocks.slice(0, -1)) assert.ok(b.length >= 4096 && b.length < 4096 + 64, `block of ${b.length} bytes`);
    for (const b of file.blocks) {
      assert.equal(new Set(b.replicas).size, 3);
      for (const dn of b.replicas) assert.equal(fs.statSync(replicaPath(engine.dfs.root, dn, b.id)).size, b.length);
    }
    assert.equal(replicaFilesOnDisk(engine.dfs), file.blocks.length * 3);
    // The catalog on disk is complete: reopening it gives the same file.
    const reopened = await NameNode.open(engine.dfs.root);
    assert.deepEqual(reopened.file('/tables/t'), file);
    assert.ok(!fs.existsSync(`${NameNode.imagePath(engine.dfs.root)}.tmp`));
  });
});

test('killing a DataNode re-replicates its blocks back to R and queries stay correct', async () => {
  await withEngine({}, async (engine) => {
    const before = engine.dfs.file('/tables/t')!.blocks.filter((b) => b.replicas.includes(1)).length;
    assert.ok(before > 0);
    const report = await engine.killDataNode(1);
    assert.equal(report.copied, before);
    assert.deepEqual(report.lost, []);
    assert.ok(!fs.existsSync(dataNodeDir(engine.dfs.root, 1)));
    for (const b of engine.dfs.file('/tables/t')!.blocks) {
      assert.equal(b.replicas.length, 3);
      assert.ok(!b.replicas.includes(1));
    }
    assertExpected(tableToRows(await engine.run(plan)));
  });
});

test('a corrupt replica is detected by checksum, skipped for another replica, and re-replicated', async () => {
  await withEngine({}, async (engine) => {
    const block = engine.dfs.file('/tables/t')!.blocks[0]!;
    // Corrupt every replica but the last one, so any slot's read meets a bad replica first or falls back.
    for (const dn of block.replicas.slice(0, 2)) {
      const p = replicaPath(engine.dfs.root, dn, block.id);
      const bytes = fs.readFileSync(p);
      bytes[10] = bytes[10]! ^ 0xff;
      fs.writeFileSync(p, bytes);
    }
    assertExpected(tableToRows(await engine.run(plan)));
    const m = engine.metrics();
    assert.ok((m.counters.badReplicasDetected ?? 0) >= 1, JSON.stringify(m.counters));
    assert.ok(m.notes!.some((n) => n.includes('checksum mismatch')));
    const after = engine.dfs.file('/tables/t')!.blocks[0]!;
    assert.equal(after.replicas.length, 3, 'the bad replicas were replaced');
    const check = await engine.dfs.fsck();
    assert.equal(check.bad.length, 0, `fsck still finds ${JSON.stringify(check.bad)}`);
  });
});

test('fsck finds a corrupt replica nobody read yet and repairs it', async () => {
  await withEngine({}, async (engine) => {
    const block = engine.dfs.file('/tables/t')!.blocks[2]!;
    const dn = block.replicas[1]!;
    fs.writeFileSync(replicaPath(engine.dfs.root, dn, block.id), Buffer.alloc(block.length, 7));
    const check = await engine.dfs.fsck();
    assert.deepEqual(check.bad, [{ blockId: block.id, dn, reason: 'checksum mismatch' }]);
    assert.equal(check.report.copied, 1);
    assert.equal(engine.dfs.file('/tables/t')!.blocks[2]!.replicas.length, 3);
  });
});

test('all replicas of a block lost is an explicit task-failed error naming the block, and nothing is committed', async () => {
  await withEngine({ 'mapreduce.maxAttempts': 2 }, async (engine) => {
    const block = engine.dfs.file('/tables/t')!.blocks[1]!;
    for (const dn of block.replicas) fs.rmSync(replicaPath(engine.dfs.root, dn, block.id));
    await assert.rejects(engine.run(plan), (err: unknown) => {
      assert.ok(err instanceof EngineError);
      assert.equal(err.code, 'task-failed');
      assert.match(err.message, new RegExp(`block ${block.id} of /tables/t is lost`));
      assert.match(err.message, /map task m-\d{5}/);
      return true;
    });
    assert.deepEqual(engine.dfs.list('/runs/'), []);
  });
});

test('a DataNode dying with the only replica of blocks (R=1) loses them: queries fail loudly', async () => {
  await withEngine({ 'mapreduce.dataNodes': 2, 'mapreduce.replication': 1 }, async (engine) => {
    const onDn0 = engine.dfs.file('/tables/t')!.blocks.filter((b) => b.replicas[0] === 0).map((b) => b.id);
    assert.ok(onDn0.length > 0);
    const report = await engine.killDataNode(0);
    assert.deepEqual([...report.lost].sort(), [...onDn0].sort());
    await assert.rejects(engine.run(plan), (err: unknown) => err instanceof EngineError && err.code === 'task-failed' && /is lost: all replicas are missing or corrupt/.test(err.message));
  });
});

test('runs leave no intermediate files or orphan replicas behind', async () => {
  await withEngine({}, async (engine) => {
    const onDisk = replicaFilesOnDisk(engine.dfs);
    await engine.run(table('t', schema).groupBy('k').agg(count().alias('n')).orderBy('k').plan);
    assert.deepEqual(engine.dfs.list('/runs/'), []);
    assert.equal(replicaFilesOnDisk(engine.dfs), onDisk);
    assert.deepEqual(fs.readdirSync(path.join(path.dirname(engine.dfs.root), 'local')), []);
  });
});

test('a file system formatted with row-major blocks (fsimage version 1) is refused with what to do', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mr-v1-'));
  try {
    const nn = await NameNode.format(dir, { dataNodes: 1, replication: 1, blockSize: 4096 });
    const image = JSON.parse(fs.readFileSync(NameNode.imagePath(nn.root), 'utf8')) as { version: number };
    assert.equal(image.version, 2);
    fs.writeFileSync(NameNode.imagePath(nn.root), JSON.stringify({ ...image, version: 1 }));
    await assert.rejects(NameNode.open(dir), /fsimage version 1 \(row-major blocks\); this engine reads columnar blocks \(version 2\): run 'format' and 'put' again/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
