// Shared helpers for the CDC tests: a DuckDB applier seeded from rows, and state comparison against the model.
import assert from 'node:assert/strict';
import type * as arrow from 'apache-arrow';
import { duckdbEngine } from '../../engines/duckdb/index.ts';
import type { Engine, EngineDescriptor } from '../../engines/engine.ts';
import { compareResults } from '../../harness/compare.ts';
import { tableFromRows } from '../../plan/arrow.ts';
import { CUSTOMERS } from '../../datasets/cdc.ts';
import { CdcApplier, type ApplierOptions } from '../../scenarios/cdc/applier.ts';
import type { RowImage } from '../../scenarios/cdc/change.ts';
import { PATTERNS } from '../../scenarios/cdc/patterns.ts';
import type { PatternName } from '../../scenarios/cdc/pattern.ts';
import { testContext } from '../support/engine-context.ts';

export const entity = CUSTOMERS;

export function customer(id: number, name = `c${id}`, balance = id * 1.5, city: string | null = 'Oslo', updated = 1000 + id): RowImage {
  return { id, name, city, balance, updated_at: updated };
}

export async function withEngine<T>(fn: (engine: Engine) => Promise<T>, descriptor: EngineDescriptor = duckdbEngine): Promise<T> {
  const ctx = testContext({ threads: 1 });
  const engine = await descriptor.create(ctx);
  try {
    return await fn(engine);
  } finally {
    await engine.close();
    ctx.cleanup();
  }
}

export async function seeded(engine: Engine, pattern: PatternName, rows: readonly RowImage[], seq = 0n, options: ApplierOptions = {}): Promise<CdcApplier> {
  return CdcApplier.seed(engine, entity, PATTERNS[pattern], tableFromRows(entity.schema, rows), seq, 0, options);
}

/** Assert two tables hold the same rows (any order). */
export function assertSameRows(actual: arrow.Table, expected: arrow.Table, what: string): void {
  const plan = { kind: 'scan', table: 'x', schema: [] } as const;
  const r = compareResults(expected, actual, plan);
  assert.ok(r.ok, `${what}: ${r.ok ? '' : r.diff}`);
}
