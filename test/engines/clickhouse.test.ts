// The ClickHouse engine on the contract's tiny tables: its own behaviour (phase timings, the SQL in explain,
// versions, JavaScript UDFs) on embedded chDB, and the whole contract suite (test/support/contract-suite.ts) with
// MergeTree tables and on a real ClickHouse server on loopback (scripts/clickhouse-server.sh) when one can be found
// or started.
import { after, describe, test } from 'node:test';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { col, sum, udf } from '../../plan/index.ts';
import { EngineError } from '../../engines/engine.ts';
import { clickhouseEngine } from '../../engines/clickhouse/index.ts';
import { testContext } from '../support/engine-context.ts';
import { contractSuite, loadedEngine, r, t } from '../support/contract-suite.ts';

/**
 * ClickHouse's own tests on the contract's tables with `options`, and the whole contract suite too when `contract`
 * (chDB with default options runs it in contract.test.ts, with every other engine).
 */
function defineSuite(label: string, options: Record<string, string>, contract: boolean): void {
  describe(`clickhouse engine (${label})`, () => {
    const h = contract ? contractSuite(`clickhouse engine (${label})`, clickhouseEngine, options) : loadedEngine(clickhouseEngine, options);

    describe(`clickhouse engine (${label}): metrics, explain, versions, UDFs`, () => {
      test('metrics time the query', async () => {
        await h.run(t.join(r, [['k', 'rk']]));
        const m = h.engine().metrics();
        assert.ok(m.phasesMs && m.phasesMs.query! >= 0);
      });

      test('explain shows the generated SQL (and ClickHouse\'s plan where the release has EXPLAIN)', async () => {
        const text = await h.engine().explain(t.filter(col('a').gt(0)).groupBy('k').agg(sum('a').alias('s')).plan);
        assert.match(text, /GROUP BY `k`/);
      });

      test('versions report the chdb package and the release that runs the queries (chDB or the server)', async () => {
        const v = await clickhouseEngine.versions(options);
        assert.match(v.chdb!, /^\d+\.\d+\.\d+/);
        const where = options['clickhouse-url'] ? 'clickhouse (server)' : 'clickhouse (chdb)';
        assert.match(v[where] ?? '', /^\d+\.\d+/, JSON.stringify(v));
      });

      test(options['clickhouse-url'] ? 'a plan with a JavaScript UDF is refused as unsupported' : 'a JavaScript UDF runs as a ClickHouse executable UDF', async () => {
        const twice = udf((a: number | null) => (a === null ? null : a * 2), 'int64', 'twice');
        const df = t.select(col('k'), twice(col('a')).alias('a2'));
        if (options['clickhouse-url']) {
          await assert.rejects(h.engine().run(df.plan), (err: unknown) => err instanceof EngineError && err.code === 'unsupported' && /cannot run the JavaScript UDF 'twice'/.test(err.message));
        } else {
          await h.expectRows(df, [
            { k: 'x', a2: 2n }, { k: 'x', a2: null }, { k: null, a2: 6n }, { k: 'y', a2: -14n }, { k: null, a2: 0n },
          ]);
        }
      });
    });
  });
}

defineSuite('chdb', {}, false);
// The option users pick to see ClickHouse's main table engine instead of Memory: same answers on every node.
defineSuite('chdb, tables in MergeTree', { 'clickhouse.tableEngine': 'MergeTree' }, true);

test('clickhouse.tableEngine accepts Memory or MergeTree only, before connecting', async () => {
  const ctx = testContext({ 'clickhouse.tableEngine': 'Log; DROP TABLE t' });
  try {
    await assert.rejects(clickhouseEngine.create(ctx), (e: unknown) => e instanceof EngineError && e.code === 'bad-input' && /must be Memory or MergeTree, got 'Log; DROP TABLE t'/.test(e.message));
  } finally {
    ctx.cleanup();
  }
});

/**
 * A usable server: ENGINEBENCH_CLICKHOUSE_URL, else one started by scripts/clickhouse-server.sh when
 * clickhouse-server is installed. Returns the URL or why there is none.
 */
function findServer(): { url: string; stop?: () => void } | { reason: string } {
  const fromEnv = process.env.ENGINEBENCH_CLICKHOUSE_URL;
  if (fromEnv) return { url: fromEnv };
  const installed = ['/usr/sbin/clickhouse-server', '/usr/bin/clickhouse-server'].some((p) => existsSync(p));
  if (!installed) {
    return { reason: 'no ClickHouse server: set ENGINEBENCH_CLICKHOUSE_URL, or run scripts/clickhouse-server.sh install (Debian clickhouse-server)' };
  }
  const dir = mkdtempSync(join(tmpdir(), 'enginebench-clickhouse-'));
  const env = { ...process.env, ENGINEBENCH_CLICKHOUSE_DIR: dir, ENGINEBENCH_CLICKHOUSE_HTTP_PORT: String(20000 + (process.pid % 10000)) };
  const script = join(import.meta.dirname, '../../scripts/clickhouse-server.sh');
  try {
    const url = execFileSync('bash', [script, 'start'], { env, encoding: 'utf8', timeout: 60_000 }).trim().split('\n').pop()!;
    return {
      url,
      stop: () => {
        execFileSync('bash', [script, 'stop'], { env, timeout: 30_000 });
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    return { reason: `scripts/clickhouse-server.sh start failed: ${String((err as Error).message).split('\n')[0]}` };
  }
}

const server = findServer();
if ('url' in server) {
  defineSuite(`server ${server.url}`, { 'clickhouse-url': server.url }, true);
  // A root hook: it runs after the suite's describe has closed its engines (DROP DATABASE).
  if (server.stop) after(server.stop);
} else if (process.env.ENGINEBENCH_REQUIRE_CLICKHOUSE === '1') {
  test('ClickHouse server required (ENGINEBENCH_REQUIRE_CLICKHOUSE=1)', () => assert.fail(server.reason));
} else {
  test('clickhouse engine on a ClickHouse server', (t) => t.skip(server.reason));
}

describe('clickhouse engine: server availability', () => {
  test('available() names an unreachable server URL', async () => {
    const res = await clickhouseEngine.available!({ 'clickhouse-url': 'http://127.0.0.1:9' });
    assert.equal(res.ok, false);
    assert.match((res as { reason: string }).reason, /ClickHouse server at http:\/\/127\.0\.0\.1:9 is unreachable/);
  });
});
