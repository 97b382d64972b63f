// The scripts the report inlines so it works offline from file://: Chart.js's UMD build (read from node_modules at
// render time, so the report always carries the installed version) and our own browser code in reports/browser/.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const BROWSER_DIR = join(dirname(fileURLToPath(import.meta.url)), 'browser');

/** Scripts in the order the page must run them. */
export interface ReportScripts {
  readonly chartJs: string;
  readonly chartJsVersion: string;
  /** error-bars.js then charts.js. */
  readonly client: string;
}

/**
 * Read the scripts to inline. Throws a one-line Error when chart.js is not installed.
 * @example
 * const { chartJs } = readReportScripts(); // '/*! Chart.js v4.6.1 ...'
 */
export function readReportScripts(): ReportScripts {
  let main: string;
  try {
    main = require.resolve('chart.js');
  } catch {
    throw new Error('chart.js is not installed: run `npm install` in the enginebench checkout');
  }
  const chartJs = readFileSync(join(dirname(main), 'chart.umd.min.js'), 'utf8');
  const version = /Chart\.js v([\d.]+[\w.-]*)/.exec(chartJs.slice(0, 200))?.[1] ?? 'unknown';
  const client = ['error-bars.js', 'charts.js'].map((f) => readFileSync(join(BROWSER_DIR, f), 'utf8')).join('\n');
  return { chartJs, chartJsVersion: version, client };
}
