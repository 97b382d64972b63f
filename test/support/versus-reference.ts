// Properties over random tables, checked on engines against the DuckDB reference: each engine runs every plan on
// the same generated tables as DuckDB, and the results must compare equal (harness/compare.ts, as the bench checks).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type * as arrow from 'apache-arrow';
import { tableFromRows, type DataFrame, type Schema } from '../../plan/index.ts';
import { EngineError, type Engine, type EngineDescriptor } from '../../engines/engine.ts';
import { ENGINES } from '../../engines/registry.ts';
import { dataframeEngine } from '../../engines/dataframe/index.ts';
import { duckdbEngine } from '../../engines/duckdb/index.ts';
import { compareResults } from '../../harness/compare.ts';
import { testContext, type TestContext } from './engine-context.ts';

/** Tables of 1 to 30 random rows, loaded as table `name` with `schema`. */
export function oneTable(name: string, schema: Schema, row: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<ReadonlyMap<string, arrow.Table>> {
  return fc.array(row, { minLength: 1, maxLength: 30 }).map((rows) => new Map([[name, tableFromRows(schema, rows)]]));
}

/**
 * Registers, per engine of `options.engines` (every engine but DuckDB by default), one describe whose engine is
 * reused by a test per plan: each plan over `tables` gives DuckDB's answer. The dataframe engine may refuse int64
 * values beyond ±2^53 (its documented limit).
 * @example versusReference('text casts', { casts }, oneTable('s', S, row), { numRuns: 25, seed: 1 });
 */
export function versusReference(
  title: string,
  plans: Readonly<Record<string, DataFrame>>,
  tables: fc.Arbitrary<ReadonlyMap<string, arrow.Table>>,
  options: { numRuns: number; seed: number; engines?: readonly EngineDescriptor[] },
): void {
  for (const descriptor of options.engines ?? ENGINES.filter((e) => e !== duckdbEngine)) {
    describe(`${descriptor.name} vs duckdb: ${title} (fast-check)`, () => {
      const contexts: TestContext[] = [];
      let engine: Engine;
      let reference: Engine;
      before(async () => {
        contexts.push(testContext(), testContext());
        [engine, reference] = await Promise.all([descriptor.create(contexts[0]!), duckdbEngine.create(contexts[1]!)]);
      });
      after(async () => {
        await Promise.all([engine.close(), reference.close()]);
        contexts.forEach((c) => c.cleanup());
      });

      for (const [name, df] of Object.entries(plans)) {
        test(name, async () => {
          await fc.assert(
            fc.asyncProperty(tables, async (generated) => {
              await Promise.all([engine.load(generated), reference.load(generated)]);
              let actual;
              try {
                actual = await engine.run(df.plan);
              } catch (err) {
                // The dataframe engine refuses int64 values a JS number cannot hold (dataframe.test.ts checks that).
                if (descriptor === dataframeEngine && err instanceof EngineError && err.code === 'unsupported' && /±2\^53/.test(err.message)) return;
                throw err;
              }
              const cmp = compareResults(await reference.run(df.plan), actual, df.plan);
              assert.ok(cmp.ok, cmp.ok ? '' : cmp.diff);
            }),
            { numRuns: options.numRuns, seed: options.seed },
          );
        });
      }
    });
  }
}
