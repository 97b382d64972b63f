// The cell entry compiled once per run to plain JavaScript (esbuild, code-split so engines still load only when a
// cell uses them). Through tsx every cell process paid for starting tsx's loader thread and a round trip to it per
// module: about 0.7 s of CPU and 1 s of wall per cell on the 2-core machine (measured: duckdb filter-aggregate at
// 100k rows, 1.41-3.66 s through tsx vs 0.67-2.56 s from the bundle), a quarter of a default run's 207 cells.
// WARNING: bundled code sees the bundle's location as import.meta.url; every module's import.meta.url is rewritten
// to its source file's URL, so paths relative to a source file (workers, scripts, the dataset cache) stay right.
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { THREAD_ENTRIES } from '../engines/thread-entry.ts';
import { removeStaleDirs } from './stale-dirs.ts';

export const CELL_SOURCE = fileURLToPath(new URL('./cell.ts', import.meta.url));
const BUNDLES_DIR = fileURLToPath(new URL('../.cache/cell-bundles/', import.meta.url));
const PROJECT_DIR = fileURLToPath(new URL('../', import.meta.url));
/**
 * Pure-JavaScript packages compiled into the bundle: resolving and loading apache-arrow's ~200 modules one by one
 * took 0.2 s of every cell's start (0.40-0.46 s vs 0.17-0.22 s to import it bundled, measured). Packages with
 * native code, WebAssembly or files found next to their modules stay external and load from node_modules.
 */
const BUNDLED_PACKAGES = new Set(['apache-arrow', 'tinybench', 'hyparquet', 'hyparquet-writer', 'node-sql-parser']);
/** Namespace of the one-line modules through which CommonJS packages are required rather than imported. */
const REQUIRED = 'required-commonjs';

export interface CellBundle {
  /** The compiled entry, to run instead of harness/cell.ts. */
  readonly entry: string;
  /** Removes the bundle's folder. */
  readonly dispose: () => void;
}

/**
 * Compile harness/cell.ts, the engines' thread entries and everything they import from this project into
 * `.cache/cell-bundles/<name>/` (inside the project, so external packages still resolve from its node_modules).
 * Null, with the reason, when esbuild fails: the runner then starts cells through tsx as before.
 * @example const bundle = await buildCellBundle(`run-${process.pid}`); // bundle.entry, later bundle.dispose()
 */
export async function buildCellBundle(name: string): Promise<CellBundle | { readonly failed: string }> {
  // Bundles left by a run that was killed are removed by a later run once a day old.
  removeStaleDirs(BUNDLES_DIR);
  const outdir = join(BUNDLES_DIR, name);
  try {
    const esbuild = await import('esbuild');
    mkdirSync(outdir, { recursive: true });
    await esbuild.build({
      entryPoints: {
        cell: CELL_SOURCE,
        ...Object.fromEntries(Object.entries(THREAD_ENTRIES).map(([name, source]) => [name, join(PROJECT_DIR, source)])),
      },
      outdir,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      // engines/thread-entry.ts starts worker threads and helper processes from the compiled entries.
      define: { ENGINEBENCH_BUNDLE_DIR: JSON.stringify(pathToFileURL(outdir).href + '/') },
      logLevel: 'silent',
      // Bundled CommonJS packages require their native addons at run time: ESM output has no `require`.
      banner: { js: `import { createRequire as __enginebenchCreateRequire } from 'node:module'; const require = __enginebenchCreateRequire(${JSON.stringify(pathToFileURL(outdir).href + '/')});` },
      // Stack traces of a failing cell point at the TypeScript sources (node --enable-source-maps).
      sourcemap: 'linked',
      plugins: [
        {
          name: 'bundle-pure-js-packages',
          setup(build) {
            // A bare import from the project's sources stays external unless it names a bundled package; the
            // bundled packages' own imports (their pure-JS dependencies) are compiled in with them.
            build.onResolve({ filter: /^[^./]/ }, (args) => {
              if (args.namespace === REQUIRED) return { path: args.path, external: true };
              if (args.path.startsWith('node:') || args.importer.includes('/node_modules/')) return undefined;
              if (BUNDLED_PACKAGES.has(packageName(args.path))) return undefined;
              // An ESM import of a CommonJS package makes Node pre-parse every one of its files for export names
              // (cjs-module-lexer): @duckdb/node-api took 244 ms to import vs 120 ms to require, nodejs-polars 138
              // vs 58 ms. Those packages are required instead; ESM-only ones stay imports.
              return isCommonJs(packageName(args.path)) ? { path: args.path, namespace: REQUIRED } : { path: args.path, external: true };
            });
            build.onLoad({ filter: /.*/, namespace: REQUIRED }, (args) => ({
              contents: `module.exports = require(${JSON.stringify(args.path)});`,
              loader: 'js',
              resolveDir: PROJECT_DIR,
            }));
          },
        },
        {
          name: 'source-import-meta-url',
          setup(build) {
            // The project's TypeScript, and its plain-JavaScript scripts (.mjs, e.g. scripts/patch-nodejs-polars.mjs).
            build.onLoad({ filter: /\.(ts|mjs)$/ }, (args) => {
              if (args.path.endsWith('.mjs') && (!args.path.startsWith(PROJECT_DIR) || args.path.includes('/node_modules/'))) return undefined;
              const source = readFileSync(args.path, 'utf8');
              const url = JSON.stringify(pathToFileURL(args.path).href);
              return { contents: source.includes('import.meta.url') ? source.replaceAll('import.meta.url', url) : source, loader: args.path.endsWith('.mjs') ? 'js' : 'ts' };
            });
          },
        },
      ],
    });
    return { entry: join(outdir, 'cell.js'), dispose: () => rmSync(outdir, { recursive: true, force: true }) };
  } catch (err) {
    rmSync(outdir, { recursive: true, force: true });
    const message = err instanceof Error ? err.message : String(err);
    return { failed: message.split('\n')[0]! };
  }
}

/** A package Node loads as CommonJS: its package.json does not say `"type": "module"`. */
function isCommonJs(name: string): boolean {
  try {
    return JSON.parse(readFileSync(join(PROJECT_DIR, 'node_modules', name, 'package.json'), 'utf8')).type !== 'module';
  } catch {
    return false; // not installed where we look: leave it an import, as before
  }
}

/** 'apache-arrow/ipc' → 'apache-arrow', '@duckdb/node-api' → '@duckdb/node-api'. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

