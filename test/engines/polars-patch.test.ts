// scripts/patch-nodejs-polars.mjs: the installed binding is patched (npm install's postinstall), the patch keeps
// the wrappers' behaviour, and a file that is not the pinned version's text is refused rather than mangled.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import pl from 'nodejs-polars';
import { MARKER, PATCHES, patchText, type PatchEdit } from '../../scripts/patch-nodejs-polars.mjs';

const SCRIPT = fileURLToPath(new URL('../../scripts/patch-nodejs-polars.mjs', import.meta.url));
const require = createRequire(import.meta.url);

test('the installed nodejs-polars carries the patch (postinstall ran)', () => {
  execFileSync(process.execPath, [SCRIPT, '--check']); // throws on exit code 1
  for (const { file } of PATCHES) {
    const path = require.resolve(file.replace('node_modules/', ''));
    assert.ok(readFileSync(path, 'utf8').includes(MARKER), path);
  }
});

test('patched wrappers behave as before: type tags, inspect, iteration, Proxy indexing', () => {
  const e = pl.col('x').cast(pl.Int64).alias('y');
  assert.equal(pl.Expr.isExpr(e), true);
  assert.equal(pl.Expr.isExpr({}), false);
  assert.equal(inspect(e), e.toString(), 'util.inspect goes through the moved inspect member');
  assert.match(inspect(e), /^col\("x"\).*\.alias\("y"\)$/);
  assert.equal(Object.prototype.toString.call(e), '[object Object]');
  const s = pl.Series('a', [3, 1, 2]);
  assert.equal(pl.Series.isSeries(s), true);
  assert.deepEqual([...s], [3, 1, 2]);
  assert.equal(s[1], 1, 'numeric indexing through the Proxy');
  assert.match(inspect(s), /shape: \(3,\)/);
  const df = pl.DataFrame({ a: [1, 2, 3] }).select(pl.col('a').mul(2).alias('b'));
  assert.deepEqual([...df.getColumn('b')], [2, 4, 6]);
});

test('patchText applies every edit once, is idempotent, and refuses text of another version', () => {
  const edits: PatchEdit[] = [
    { find: 'return {\n  [k]() {},\n', replace: 'const o = {\n' },
    { find: '};\n}', replace: `};\n${MARKER}\no[k] = function () {};\nreturn o;\n}` },
  ];
  const original = 'function f() {\nreturn {\n  [k]() {},\n  a: 1,\n};\n}';
  const once = patchText(original, edits);
  assert.ok(!('error' in once) && !once.already);
  assert.ok(!('error' in once) && once.text.includes('const o = {') && once.text.includes(MARKER));
  const twice = patchText(!('error' in once) ? once.text : '', edits);
  assert.ok(!('error' in twice) && twice.already, 'a patched file is left as it is');
  const other = patchText(original.replace('[k]() {}', '[k]() { return 1; }'), edits);
  assert.ok('error' in other && /expected text not found once/.test(other.error));
  const doubled = patchText(`${original}\n${original}`, edits);
  assert.ok('error' in doubled, 'an edit whose text occurs twice is ambiguous');
});
