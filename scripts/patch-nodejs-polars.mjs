// Run by `npm install` (postinstall): moves the symbol-keyed members of nodejs-polars' Expr and Series wrapper
// objects out of their object literals. Every Expr the binding creates (pl.col, .cast, .alias, ...) evaluates an
// object literal of ~250 methods; a computed key near its start sends V8 down a slow path that cost 0.7–1 ms per
// Expr on the 2-core machine (upstream: pola-rs/nodejs-polars#265, open). Translating one plan builds tens to
// hundreds of Exprs, so the Polars cells measured the binding's wrapper more than Polars (join-aggregate 50k:
// 140 ms of translation beside 33 ms of collect). Assigning the same members after the literal takes ~30 µs.
// The members, their names and behaviour are unchanged; only where they are defined moves.
//
// Idempotent (a patched file carries MARKER); a file whose text differs from the pinned version's is left as it
// is with a warning (the engine still works, only slower). `node scripts/patch-nodejs-polars.mjs --check` exits 1
// when a file is not patched.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const MARKER = '// enginebench: symbol-keyed members assigned after the literal (nodejs-polars#265)';

/** Series' iterator body, kept as it is (its indentation moves no further than the member it leaves). */
const SERIES_ITERATOR_BODY = `            let start = 0;
            const len = _s.len();
            while (start < len) {
                const v = _s.getIdx(start);
                start++;
                yield v;
            }`;

/** The edits, as exact text of nodejs-polars 0.24.1's compiled files. */
export const PATCHES = [
  {
    file: 'node_modules/nodejs-polars/bin/lazy/expr/index.js',
    edits: [
      {
        find: `    return {
        _expr,
        [Symbol.toStringTag]() {
            return "Expr";
        },
        [utils_1.INSPECT_SYMBOL]() {
            return _expr.toString();
        },
`,
        replace: `    const enginebenchExpr = {
        _expr,
`,
      },
      {
        find: `        notEquals: wrapExprArg("neq"),
    };
};
exports._Expr = _Expr;`,
        replace: `        notEquals: wrapExprArg("neq"),
    };
    ${MARKER}
    enginebenchExpr[Symbol.toStringTag] = function () {
        return "Expr";
    };
    enginebenchExpr[utils_1.INSPECT_SYMBOL] = function () {
        return _expr.toString();
    };
    return enginebenchExpr;
};
exports._Expr = _Expr;`,
      },
    ],
  },
  {
    file: 'node_modules/nodejs-polars/bin/series/index.js',
    edits: [
      {
        find: `    const series = {
        _s,
        [inspect]() {
            return _s.toString();
        },
        *[Symbol.iterator]() {
${SERIES_ITERATOR_BODY}
        },
`,
        replace: `    const series = {
        _s,
`,
      },
      {
        find: `        [Symbol.toStringTag]() {
            return "Series";
        },
        get dtype() {`,
        replace: `        get dtype() {`,
      },
      {
        find: `    };
    return new Proxy(series, {`,
        replace: `    };
    ${MARKER}
    series[inspect] = function () {
        return _s.toString();
    };
    series[Symbol.iterator] = function* () {
${SERIES_ITERATOR_BODY}
    };
    series[Symbol.toStringTag] = function () {
        return "Series";
    };
    return new Proxy(series, {`,
      },
    ],
  },
];

/**
 * Apply the edits to `text`: the patched text, or null with the reason when the text is not the expected version.
 * @example patchText(readFileSync(file, 'utf8'), PATCHES[0].edits)
 */
export function patchText(text, edits) {
  if (text.includes(MARKER)) return { text, already: true };
  let out = text;
  for (const { find, replace } of edits) {
    const at = out.indexOf(find);
    if (at < 0 || out.indexOf(find, at + 1) >= 0) return { error: `expected text not found once: ${JSON.stringify(find.split('\n')[0])}` };
    out = out.slice(0, at) + replace + out.slice(at + find.length);
  }
  return { text: out, already: false };
}

function main(argv) {
  const check = argv.includes('--check');
  let unpatched = 0;
  for (const { file, edits } of PATCHES) {
    const path = join(ROOT, file);
    if (!existsSync(path)) {
      process.stderr.write(`patch-nodejs-polars: ${file} is missing (nodejs-polars not installed?); skipped\n`);
      unpatched++;
      continue;
    }
    const result = patchText(readFileSync(path, 'utf8'), edits);
    if ('error' in result) {
      process.stderr.write(`patch-nodejs-polars: ${file} differs from nodejs-polars 0.24.1 (${result.error}); left as is: Polars plan translation stays slow\n`);
      unpatched++;
    } else if (!result.already) {
      if (check) unpatched++;
      else writeFileSync(path, result.text);
    }
  }
  if (check && unpatched > 0) {
    process.stderr.write(`patch-nodejs-polars: ${unpatched} file(s) not patched; run npm install (or node scripts/patch-nodejs-polars.mjs)\n`);
    process.exitCode = 1;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main(process.argv.slice(2));
