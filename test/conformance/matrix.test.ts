// The conformance matrix: every query scenario × every registered engine, at the scenario's test size, compared
// with the DuckDB reference (order-normalised unless the plan orders). An engine that declares a node unsupported
// must say so up front (or, for a refusal that depends on the options, by an 'unsupported' EngineError when run);
// anything else that differs from the reference fails here.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type * as arrow from 'apache-arrow';
import { ENGINES } from '../../engines/registry.ts';
import { EngineError, unsupportedReason, type Engine } from '../../engines/engine.ts';
import { SCENARIOS, buildScenarioPlan } from '../../scenarios/registry.ts';
import type { QueryScenario } from '../../scenarios/scenario.ts';
import { loadDataset } from '../../datasets/cache.ts';
import { compareResults } from '../../harness/compare.ts';
import { testContext } from '../support/engine-context.ts';

const queryScenarios = SCENARIOS.filter((s): s is QueryScenario => s.kind === 'query');
const reference = ENGINES.find((e) => e.role === 'reference')!;
const others = ENGINES.filter((e) => e !== reference);

async function runOn(name: string, scenario: QueryScenario, tables: ReadonlyMap<string, arrow.Table>): Promise<arrow.Table> {
  const descriptor = ENGINES.find((e) => e.name === name)!;
  const ctx = testContext();
  let engine: Engine | undefined;
  try {
    engine = await descriptor.create(ctx);
    await engine.load(new Map(scenario.tables.map((t) => [t, tables.get(t)!])));
    return await engine.run(buildScenarioPlan(scenario).plan);
  } finally {
    await engine?.close();
    ctx.cleanup();
  }
}

describe('conformance: every engine equals the DuckDB reference on every query scenario', () => {
  const expected = new Map<string, { tables: ReadonlyMap<string, arrow.Table>; result: arrow.Table }>();
  after(() => expected.clear());

  for (const scenario of queryScenarios) {
    describe(scenario.name, () => {
      test(`reference ${reference.name}`, async () => {
        const tables = await loadDataset(scenario.data, scenario.sizes.test);
        const result = await runOn(reference.name, scenario, tables);
        assert.ok(result.numRows > 0, 'the reference result should not be empty at test size');
        expected.set(scenario.name, { tables, result });
      });
      for (const engine of others) {
        test(engine.name, async (t) => {
          const plan = buildScenarioPlan(scenario).plan;
          const reason = unsupportedReason(engine, plan);
          if (reason) return t.skip(`unsupported: ${reason}`);
          const available = (await engine.available?.({})) ?? { ok: true as const };
          if (!available.ok) return t.skip(`unavailable: ${available.reason}`);
          const ref = expected.get(scenario.name);
          assert.ok(ref, 'reference result missing');
          let actual: arrow.Table;
          try {
            actual = await runOn(engine.name, scenario, ref.tables);
          } catch (err) {
            // Some refusals depend on the options (ClickHouse on a server cannot run JavaScript UDFs): the bench
            // marks such a cell UNSUPPORTED too, so it is a skip here, and any other failure still fails.
            if (err instanceof EngineError && err.code === 'unsupported') return t.skip(`unsupported when run: ${err.message}`);
            throw err;
          }
          const verdict = compareResults(ref.result, actual, plan);
          assert.ok(verdict.ok, verdict.ok ? '' : `${engine.name} differs from ${reference.name} on ${scenario.name}:\n${verdict.diff}`);
        });
      }
    });
  }
});
