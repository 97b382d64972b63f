// A property over random tables, checked on every engine against the DuckDB reference: each engine runs `df` on
// the same generated rows as DuckDB, and the results must compare equal (harness/compare.ts, as the bench checks).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { tableFromRows, type DataFrame, type Schema } from '../../plan/index.ts';
import { EngineError, type Engine } from '../../engines/engine.ts';
import { ENGINES } from '../../engines/registry.ts';
import { dataframeEngine } from '../../engines/dataframe/index.ts';
import { duckdbEngine } from '../../engines/duckdb/index.ts';
import { compareResults } from '../../harness/compare.ts';
import { testContext, type TestContext } from './engine-context.ts';

/**
 * Registers, per engine other than DuckDB, a test that `df` over tables of `rows` (loaded as table `name` with
 * `schema`) gives DuckDB's answer. The dataframe engine may refuse int64 values beyond ±2^53 (its documented limit).
 * @example versusReference('text casts', 's', S, plan, fc.record({...}), { numRuns: 25, seed: 1 });
 */
export function versusReference(
  title: string,
  name: string,
  schema: Schema,
  df: DataFrame,
  row: fc.Arbitrary<Record<string, unknown>>,
  options: { numRuns: number; seed: number },
): void {
  for (const descriptor of ENGINES.filter((e) => e !== duckdbEngine)) {
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

      test(title, async () => {
        await fc.assert(
          fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 30 }), async (rows) => {
            const tables = new Map([[name, tableFromRows(schema, rows)]]);
            await Promise.all([engine.load(tables), reference.load(tables)]);
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
          options,
        );
      });
    });
  }
}
