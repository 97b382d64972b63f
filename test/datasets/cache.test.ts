// The dataset cache: Arrow IPC round trip, reuse, a stable params key, and regeneration of truncated, corrupt
// or incomplete entries instead of trusting them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rename, rm, truncate, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { cacheKey, ensureDataset, loadDataset, paramsHash } from '../../datasets/cache.ts';
import { findDataset } from '../../datasets/registry.ts';
import { DEFAULT_SEED } from '../../datasets/dataset.ts';

async function withCacheDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'enginebench-cache-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const sameTables = (a: ReadonlyMap<string, arrow.Table>, b: ReadonlyMap<string, arrow.Table>) =>
  [...a.keys()].every((k) => Buffer.from(arrow.tableToIPC(a.get(k)!, 'file')).equals(Buffer.from(arrow.tableToIPC(b.get(k)!, 'file'))));

test('generate, write, then read back identical tables from the cache', () =>
  withCacheDir(async (cacheDir) => {
    const ref = { dataset: 'retail' };
    const first = await ensureDataset(ref, 2000, { cacheDir });
    assert.equal(first.generated, true);
    assert.deepEqual((await readdir(first.dir)).sort(), ['manifest.json', 'products.arrow', 'transactions.arrow']);
    const second = await ensureDataset(ref, 2000, { cacheDir });
    assert.equal(second.generated, false);
    assert.equal(second.dir, first.dir);
    assert.ok(sameTables(first.tables, second.tables));
    // The file bytes are exactly the IPC of a fresh generation with the default seed.
    const fresh = findDataset('retail').generate(2000, DEFAULT_SEED, {});
    const onDisk = await readFile(join(first.dir, 'transactions.arrow'));
    assert.ok(onDisk.equals(Buffer.from(arrow.tableToIPC(fresh.get('transactions')!, 'file'))));
    // loadDataset returns the same tables; no temporary folders are left behind.
    assert.ok(sameTables(await loadDataset(ref, 2000, { cacheDir }), first.tables));
    assert.deepEqual((await readdir(join(cacheDir, 'retail'))).filter((n) => n.startsWith('.')), []);
  }));

test('the key separates rows, seeds and params; params are keyed after defaults and type coercion', () =>
  withCacheDir(async (cacheDir) => {
    const a = await ensureDataset({ dataset: 'user_events' }, 500, { cacheDir });
    const b = await ensureDataset({ dataset: 'user_events', params: { users: 10_000 } }, 500, { cacheDir });
    assert.equal(b.dir, a.dir, 'explicit default params hit the same entry');
    assert.equal(b.generated, false);
    const c = await ensureDataset({ dataset: 'user_events', params: { users: '10000', skew: 'uniform' } }, 500, { cacheDir });
    assert.equal(c.dir, a.dir, 'string params from the CLI hit the same entry');
    const d = await ensureDataset({ dataset: 'user_events' }, 500, { cacheDir, seed: 7 });
    const e = await ensureDataset({ dataset: 'user_events', params: { skew: 'zipf' } }, 500, { cacheDir });
    const f = await ensureDataset({ dataset: 'user_events' }, 501, { cacheDir });
    assert.equal(new Set([a.dir, d.dir, e.dir, f.dir]).size, 4);
    assert.equal(paramsHash({ a: 1, b: 'x' }), paramsHash({ b: 'x', a: 1 }));
    assert.equal(cacheKey('user_events', 500, 42, { users: 1 }), join('user_events', `rows-500_seed-42_params-${paramsHash({ users: 1 })}`));
    // A generator revision keeps caches of an earlier one from being taken for its output.
    assert.equal(cacheKey('dbbench_groupby', 500, 42, {}, 2), join('dbbench_groupby', `rows-500_seed-42_params-${paramsHash({})}_rev-2`));
  }));

for (const [what, damage] of [
  ['truncated', (dir: string) => truncate(join(dir, 'user_events.arrow'), 100)],
  ['corrupted (one byte flipped)', async (dir: string) => {
    const path = join(dir, 'user_events.arrow');
    const bytes = await readFile(path);
    bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
    await writeFile(path, bytes);
  }],
  ['missing its manifest', (dir: string) => rm(join(dir, 'manifest.json'))],
  ['missing a table file', (dir: string) => rm(join(dir, 'user_events.arrow'))],
  ['holding a garbage manifest', (dir: string) => writeFile(join(dir, 'manifest.json'), '{not json')],
] as const) {
  test(`a cache entry ${what} is detected and regenerated, not trusted`, () =>
    withCacheDir(async (cacheDir) => {
      const ref = { dataset: 'user_events' };
      const good = await ensureDataset(ref, 3000, { cacheDir });
      await damage(good.dir);
      const reasons: string[] = [];
      const again = await ensureDataset(ref, 3000, { cacheDir, onDiscard: (r) => reasons.push(r) });
      assert.equal(again.generated, true, 'regenerated');
      assert.equal(again.dir, good.dir);
      assert.ok(sameTables(again.tables, good.tables));
      if (what !== 'missing its manifest') assert.equal(reasons.length, 1, `a reason was reported: ${reasons}`);
      const third = await ensureDataset(ref, 3000, { cacheDir });
      assert.equal(third.generated, false, 'the repaired entry is trusted again');
      assert.ok(sameTables(third.tables, good.tables));
    }));
}

test('stamps of verified files skip re-hashing them only while inode, size and modification time are unchanged', () =>
  withCacheDir(async (cacheDir) => {
    const ref = { dataset: 'user_events' };
    const path = join((await ensureDataset(ref, 3000, { cacheDir })).dir, 'user_events.arrow');
    await utimes(path, 1_700_000_000, 1_700_000_000); // a whole second, so it can be set back exactly
    const verified = (await ensureDataset(ref, 3000, { cacheDir })).files.map((f) => f.stamp);
    assert.deepEqual(verified.map((s) => [s.path, s.mtimeMs]), [[path, 1_700_000_000_000]]);
    // Damage in place that keeps every stamp field: with the stamps the file is trusted (proof no digest was
    // computed), without them the digest catches it.
    const bytes = await readFile(path);
    bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
    await writeFile(path, bytes);
    await utimes(path, 1_700_000_000, 1_700_000_000);
    assert.equal((await ensureDataset(ref, 3000, { cacheDir, verified })).generated, false);
    assert.equal((await ensureDataset(ref, 3000, { cacheDir })).generated, true);
    // A file replaced by rename (what every writer of the cache does) has a new inode: the old stamps do not apply.
    const stamps = (await ensureDataset(ref, 3000, { cacheDir })).files.map((f) => f.stamp);
    const damaged = await readFile(path);
    damaged[Math.floor(damaged.length / 2)]! ^= 0xff;
    await writeFile(`${path}.new`, damaged);
    await rename(`${path}.new`, path);
    await utimes(path, stamps[0]!.mtimeMs / 1000, stamps[0]!.mtimeMs / 1000);
    const reasons: string[] = [];
    assert.equal((await ensureDataset(ref, 3000, { cacheDir, verified: stamps, onDiscard: (r) => reasons.push(r) })).generated, true);
    assert.match(reasons.join(), /SHA-256 digest mismatch/);
  }));

test('force regenerates over a valid entry; concurrent loads of one entry both succeed', () =>
  withCacheDir(async (cacheDir) => {
    const ref = { dataset: 'taxi_trips' };
    const [a, b] = await Promise.all([ensureDataset(ref, 4000, { cacheDir }), ensureDataset(ref, 4000, { cacheDir })]);
    assert.ok(sameTables(a.tables, b.tables));
    const forced = await ensureDataset(ref, 4000, { cacheDir, force: true });
    assert.equal(forced.generated, true);
    assert.equal((await ensureDataset(ref, 4000, { cacheDir })).generated, false);
    assert.deepEqual((await readdir(join(cacheDir, 'taxi_trips'))).length, 1, 'no temporary or moved-aside folders remain');
  }));

test('the injected clock times generation', () =>
  withCacheDir(async (cacheDir) => {
    let t = 1000;
    const entry = await ensureDataset({ dataset: 'user_events' }, 100, { cacheDir, now: () => (t += 250) });
    assert.equal(entry.generateMs, 250);
  }));

test('bad names, rows and params are rejected before anything is written', () =>
  withCacheDir(async (cacheDir) => {
    await assert.rejects(loadDataset({ dataset: 'nope' }, 10, { cacheDir }), /valid datasets: user_events/);
    await assert.rejects(loadDataset({ dataset: 'retail' }, 0, { cacheDir }), /rows must be/);
    await assert.rejects(loadDataset({ dataset: 'retail', params: { k: 1 } }, 10, { cacheDir }), /no parameter 'k'; valid parameters: \(none\)/);
    await assert.rejects(loadDataset({ dataset: 'user_events', params: { skew: 'x' } }, 10, { cacheDir }), /one of uniform, zipf/);
    assert.deepEqual(await readdir(cacheDir), [], 'nothing was written');
  }));
