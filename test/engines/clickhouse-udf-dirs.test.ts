// chDB's executable-UDF folders live in the OS temp dir for the session's lifetime; one left by a killed process
// (a cell over its budget) is removed by a later session once it is a day old, and a recent one is left alone.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { clickhouseEngine } from '../../engines/clickhouse/index.ts';
import { testContext } from '../support/engine-context.ts';

test('a new chDB session removes UDF folders older than a day and keeps recent ones', async () => {
  const stale = mkdtempSync(join(tmpdir(), 'enginebench-chdb-udf-'));
  const recent = mkdtempSync(join(tmpdir(), 'enginebench-chdb-udf-'));
  const twoDaysAgo = new Date(Date.now() - 2 * 24 * 3600 * 1000);
  utimesSync(stale, twoDaysAgo, twoDaysAgo);
  const ctx = testContext({});
  const engine = await clickhouseEngine.create(ctx);
  try {
    assert.equal(existsSync(stale), false, 'the stale folder is removed');
    assert.equal(existsSync(recent), true, 'a recent folder (maybe a live session elsewhere) is kept');
  } finally {
    await engine.close();
    ctx.cleanup();
    rmSync(recent, { recursive: true, force: true });
    rmSync(stale, { recursive: true, force: true });
  }
});
