#!/usr/bin/env node
// Runs every test/**/*.test.ts file with Node's built-in runner. Node 20's `--test` takes no glob patterns,
// so the files are listed here. Extra arguments narrow the run to files whose path contains one of them:
//   npm run test:unit -- cdc dag
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const filters = process.argv.slice(2);
const files = readdirSync('test', { recursive: true })
  .map((f) => join('test', String(f)))
  .filter((f) => f.endsWith('.test.ts'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  process.stderr.write(`no test files match ${filters.join(', ')}\n`);
  process.exit(2);
}
const args = ['--expose-gc', '--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=300000', ...files];
const { status, signal } = spawnSync(process.execPath, args, { stdio: 'inherit' });
process.exit(status ?? (signal ? 1 : 0));
