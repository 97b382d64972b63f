// Every load target × strategy loads exactly the source rows (NULLs in every column, negative quantities,
// timestamps before 1970 and with milliseconds, escapes, long and non-ASCII strings, -0, NaN), produces the
// files / row groups the strategy implies, and answers the follow-up query as DuckDB does on the source.
// PostgreSQL cases skip with the reason when no server can start, unless ENGINEBENCH_REQUIRE_POSTGRES=1.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetMetadata } from 'hyparquet';
import { readFileSync } from 'node:fs';
import { loadDataset } from '../../datasets/cache.ts';
import { schemaOfTable, tableFromRows, tableToRows, type LiteralValue } from '../../plan/index.ts';
import { compareResults } from '../../harness/compare.ts';
import {
  TARGETS,
  multisetEqual,
  parseStrategy,
  referenceAnswer,
  revenuePerCountry,
  strategyName,
  type LoadTarget,
  type TargetSession,
} from '../../engines/olap-loader/index.ts';

const REQUIRE_POSTGRES = process.env['ENGINEBENCH_REQUIRE_POSTGRES'] === '1';
const ROW_GROUP_ROWS = 64;
const OPTIONS = { 'olap.rowGroupRows': ROW_GROUP_ROWS, 'duckdb.threads': 2 };

const work = mkdtempSync(join(tmpdir(), 'enginebench-olap-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** Retail lines plus rows built to break a careless loader. */
async function sourceTable() {
  const retail = (await loadDataset({ dataset: 'retail' }, 150)).get('transactions')!;
  const schema = schemaOfTable(retail);
  const edge: Record<string, LiteralValue>[] = [
    { invoice: 'C536379', stock_code: 'D', description: 'tab\there, newline\nand back\\slash "quoted" \'single\'', quantity: -12, invoice_date: Date.UTC(2011, 0, 1, 10, 0, 0, 123), price: 0.1, customer_id: null, country: 'EIRE' },
    { invoice: null, stock_code: null, description: null, quantity: null, invoice_date: null, price: null, customer_id: null, country: null },
    { invoice: '', stock_code: '', description: '', quantity: 0, invoice_date: 0, price: -0, customer_id: -2147483648, country: '' },
    { invoice: 'ünïcødé ✓ 日本', stock_code: 'x'.repeat(40), description: 'a description well over twelve bytes', quantity: 2147483647, invoice_date: -1, price: 1e-300, customer_id: 12346, country: 'Ελλάδα' },
    { invoice: '536380', stock_code: '22', description: 'NaN price', quantity: 3, invoice_date: Date.UTC(2011, 5, 30, 23, 59, 59, 999), price: Number.NaN, customer_id: 99999, country: 'Nowhere' },
  ];
  // Duplicated rows must survive as duplicates.
  return tableFromRows(schema, [...tableToRows(retail), ...edge, edge[0]!]);
}
const source = await sourceTable();
const schema = schemaOfTable(source);
const n = source.numRows;
const query = revenuePerCountry('transactions', schema);
const expected = await referenceAnswer(source, 'transactions', query, work, () => performance.now());

const availability = new Map<string, string | null>();
for (const t of TARGETS) {
  const a = await t.available({});
  availability.set(t.name, a.ok ? null : a.reason);
}

function skipFor(target: LoadTarget): string | false {
  const reason = availability.get(target.name);
  if (!reason) return false;
  if (REQUIRE_POSTGRES) return false; // run, and fail below with the reason
  return reason;
}

let dirs = 0;
async function withSession<T>(target: LoadTarget, options: Record<string, string | number | boolean>, fn: (s: TargetSession, dir: string) => Promise<T>): Promise<T> {
  const reason = availability.get(target.name);
  if (reason) assert.fail(`ENGINEBENCH_REQUIRE_POSTGRES=1 but ${target.name} is unavailable: ${reason}`);
  const dir = join(work, `${target.name}-${++dirs}`);
  mkdirSync(dir);
  const session = await target.open({ dir, table: 'transactions', schema, options });
  try {
    return await fn(session, dir);
  } finally {
    await session.close();
  }
}

const STRATEGIES = ['row', 'micro-batch-7', 'micro-batch-50', 'bulk'].map(parseStrategy);

for (const target of TARGETS) {
  for (const strategy of STRATEGIES) {
    const size = strategy.kind === 'row' ? 1 : strategy.kind === 'micro-batch' ? strategy.batchRows : n;
    const writes = Math.ceil(n / size);
    test(`${target.name}/${strategyName(strategy)} loads exactly the ${n} source rows and answers the follow-up query like DuckDB`, { skip: skipFor(target) }, async () => {
      await withSession(target, OPTIONS, async (session, dir) => {
        assert.equal((await session.load(source, strategy)).writes, writes);
        assert.deepEqual(multisetEqual(source, await session.readBack()), { ok: true });
        const storage = await session.storage();
        assert.ok(storage.bytesOnDisk > 0);
        switch (target.name) {
          case 'parquet-lake': {
            // One file per write; inside a file, row groups of at most olap.rowGroupRows rows.
            const files = readdirSync(dir).filter((f) => f.endsWith('.parquet'));
            assert.equal(storage.files, writes);
            assert.equal(files.length, writes);
            assert.equal(storage.rowGroups, Math.floor(n / size) * Math.ceil(size / ROW_GROUP_ROWS) + (n % size > 0 ? Math.ceil((n % size) / ROW_GROUP_ROWS) : 0));
            const last = parquetMetadata(new Uint8Array(readFileSync(join(dir, files.sort().at(-1)!))).buffer);
            assert.equal(last.row_groups[0]!.columns[0]!.meta_data!.codec, 'SNAPPY');
            assert.ok(dirs > 0 && readdirSync(dir).every((f) => !f.endsWith('.tmp')), 'no temporary file left behind');
            break;
          }
          case 'duckdb-file':
            // DuckDB row groups hold 122,880 rows: any strategy ends in one after a checkpoint.
            assert.equal(storage.rowGroups, 1);
            assert.ok(storage.files >= 1 && storage.counters['bytesOnDiskAfterCheckpoint']! > 0);
            break;
          case 'postgres':
            assert.equal(storage.rowGroups, null);
            assert.ok(storage.counters['heapPages']! >= 1);
            break;
        }
        const cmp = compareResults(expected, await session.query(query), query.plan);
        assert.deepEqual(cmp, { ok: true });
      });
    });
  }
}

test('the follow-up query sees NULL and NaN groups the way the reference does', () => {
  const rows = tableToRows(expected);
  assert.ok(rows.some((r) => r['country'] === null));
  assert.ok(rows.some((r) => r['country'] === 'Nowhere' && Number.isNaN(r['amount'])));
});

test('parquet-lake bulk at the default settings writes one file with one row group', async () => {
  await withSession(TARGETS.find((t) => t.name === 'parquet-lake')!, {}, async (session) => {
    await session.load(source, parseStrategy('bulk'));
    const storage = await session.storage();
    assert.equal(storage.files, 1);
    assert.equal(storage.rowGroups, 1);
  });
});

test('parquet-lake refuses an unknown codec and a bad row-group size before writing anything', async () => {
  const lake = TARGETS.find((t) => t.name === 'parquet-lake')!;
  const dir = join(work, 'bad-options');
  mkdirSync(dir);
  await assert.rejects(lake.open({ dir, table: 'transactions', schema, options: { 'olap.compression': 'lzma' } }), /olap.compression must be one of uncompressed, snappy, gzip, zstd, lz4; got 'lzma'/);
  await assert.rejects(lake.open({ dir, table: 'transactions', schema, options: { 'olap.rowGroupRows': 0 } }), /olap.rowGroupRows must be a positive integer/);
  assert.deepEqual(readdirSync(dir), []);
});

test('parquet-lake with zstd compresses the same rows into fewer bytes than uncompressed', async () => {
  const lake = TARGETS.find((t) => t.name === 'parquet-lake')!;
  const sizes: Record<string, number> = {};
  for (const codec of ['uncompressed', 'zstd']) {
    await withSession(lake, { 'olap.compression': codec }, async (session) => {
      await session.load(source, parseStrategy('bulk'));
      assert.deepEqual(multisetEqual(source, await session.readBack()), { ok: true });
      sizes[codec] = (await session.storage()).bytesOnDisk;
    });
  }
  assert.ok(sizes['zstd']! < sizes['uncompressed']!, JSON.stringify(sizes));
});

test('an empty source loads as nothing: no writes, no lake files, an empty read-back and query answer', async () => {
  const empty = source.slice(0, 0);
  const expectedEmpty = await referenceAnswer(empty, 'transactions', query, work, () => performance.now());
  for (const target of TARGETS) {
    if (availability.get(target.name) && !REQUIRE_POSTGRES) continue;
    for (const strategy of STRATEGIES) {
      await withSession(target, OPTIONS, async (session) => {
        const { writes } = await session.load(empty, strategy);
        assert.equal(writes, 0, `${target.name}/${strategyName(strategy)}`);
        assert.equal((await session.readBack()).numRows, 0);
        if (target.name === 'parquet-lake') assert.equal((await session.storage()).files, 0);
        assert.deepEqual(compareResults(expectedEmpty, await session.query(query), query.plan), { ok: true });
      });
    }
  }
});
