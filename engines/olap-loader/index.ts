// The OLAP loader: the same rows loaded row-at-a-time, in micro-batches and in bulk into three real stores
// (a DuckDB file, a Parquet lake folder, PostgreSQL), with what each strategy does to later reads.
// Variants are named `<target>/<strategy>`; scenarios/olap-load.ts exposes them as a custom scenario.
import { EngineError } from '../engine.ts';
import { duckdbFileTarget } from './duckdb-file.ts';
import { parquetLakeTarget } from './parquet-lake.ts';
import { postgresTarget } from './postgres.ts';
import { batchSizesOf, parseStrategy, strategyName, type LoadStrategy } from './strategy.ts';
import type { LoadTarget, TargetContext } from './target.ts';

export { runLoaderCell, checkLoaderOptions, referenceAnswer, arrowBytes, DEFAULT_MAX_LOAD_MS, DEFAULT_QUERY_RUNS } from './loader.ts';
export { multisetEqual } from './multiset-equal.ts';
export { revenuePerCountry, type FollowUpQuery } from './follow-up-query.ts';
export { parseStrategy, strategyName, writesOf, rowsPerWrite, batchSizesOf, DEFAULT_BATCH_SIZES, type LoadStrategy } from './strategy.ts';
export type { LoadTarget, TargetSession, StorageFacts, TargetContext, TargetName } from './target.ts';
export { duckdbFileTarget, parquetLakeTarget, postgresTarget };

/** Every target, in the order variants are listed. */
export const TARGETS: readonly LoadTarget[] = [duckdbFileTarget, parquetLakeTarget, postgresTarget];

/** The strategies every target runs: row, each micro-batch size of the sweep, bulk. */
export function strategiesFor(options: TargetContext['options']): readonly LoadStrategy[] {
  return [{ kind: 'row' }, ...batchSizesOf(options).map((batchRows) => ({ kind: 'micro-batch', batchRows }) as const), { kind: 'bulk' }];
}

/**
 * The target and strategy a variant name means; the error lists the valid forms.
 * @example parseVariant('parquet-lake/micro-batch-100') // { target: parquetLakeTarget, strategy: { kind: 'micro-batch', batchRows: 100 } }
 */
export function parseVariant(variant: string): { readonly target: LoadTarget; readonly strategy: LoadStrategy } {
  const slash = variant.indexOf('/');
  const target = TARGETS.find((t) => t.name === variant.slice(0, slash));
  if (slash < 0 || !target) {
    throw new EngineError(`unknown loader variant '${variant}'; use <target>/<strategy> with target one of ${TARGETS.map((t) => t.name).join(', ')}`, 'bad-input');
  }
  return { target, strategy: parseStrategy(variant.slice(slash + 1)) };
}

/**
 * Every variant with whether it can run here (PostgreSQL may be missing: its variants then carry the reason).
 * @example await loaderVariants({}) // [{ name: 'duckdb-file/row', available: true }, ...]
 */
export async function loaderVariants(options: TargetContext['options']): Promise<{ name: string; available: boolean; reason?: string }[]> {
  const strategies = strategiesFor(options);
  const out: { name: string; available: boolean; reason?: string }[] = [];
  for (const target of TARGETS) {
    const a = await target.available(options);
    for (const s of strategies) {
      const name = `${target.name}/${strategyName(s)}`;
      out.push(a.ok ? { name, available: true } : { name, available: false, reason: a.reason });
    }
  }
  return out;
}
