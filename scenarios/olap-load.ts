// OLAP loading: the retail `transactions` rows loaded row-at-a-time, in micro-batches and in bulk into a DuckDB
// file, a Parquet lake folder and PostgreSQL, each followed by the same analytical query (engines/olap-loader/).
import type { CustomScenario } from './scenario.ts';

// WARNING: the loader's targets load DuckDB's native library and pg; every bench cell imports this scenario through
// the registry, so the loader is imported only when its variants are listed or one of its cells runs.
const loader = () => import('../engines/olap-loader/index.ts');

/** The table every variant loads, from dataset `retail`. */
const TABLE = 'transactions';

export const olapLoadScenario: CustomScenario = {
  kind: 'custom',
  name: 'olap-load',
  title: 'Loading a column store: row-at-a-time vs micro-batch vs bulk',
  teaches:
    'The same invoice lines are loaded one row per write, in micro-batches of N rows, and in one bulk write into ' +
    'a DuckDB database file, a folder of Parquet files and PostgreSQL, then revenue per country is queried. ' +
    'Single-row writes are an anti-pattern for analytical stores: throughput collapses (rows/s grows with the ' +
    'batch size), a lake fills with one tiny file per write (bytes on disk far above the raw data, compression ' +
    'ratio below 1) and every later scan pays per file (follow-up query time vs files). PostgreSQL, a row store, ' +
    'handles single-row inserts far better, but its bulk path (COPY) still wins. Every load is read back and ' +
    'checked equal to the source.',
  suite: 'olap-load',
  // Measured (README): one single-row write costs 0.9–1.7 ms (a DuckDB commit or a Parquet file, 2 shared cores),
  // so 2,000 rows keep each row-at-a-time load to 1.7–4.1 s and the slowest cell to seconds.
  sizes: { bench: [2_000], test: 200 },
  variants: async (options) => (await loader()).loaderVariants(options),
  checkOptions: async (options) => (await loader()).checkLoaderOptions(options),
  async runCell(variant, rows, ctx) {
    const { parseVariant, runLoaderCell } = await loader();
    const { target, strategy } = parseVariant(variant);
    const tables = await ctx.loadDataset({ dataset: 'retail' }, rows);
    const source = tables.get(TABLE);
    if (!source) throw new Error(`dataset 'retail' produced no table '${TABLE}'`);
    return runLoaderCell({
      target,
      strategy,
      source,
      table: TABLE,
      workDir: ctx.workDir,
      iterations: ctx.iterations,
      options: ctx.options,
      now: ctx.now,
    });
  },
};
