// The Polars engine's own behaviour on the contract's tiny tables: UDF errors, its phase timings, Polars' plan in
// explain, versions. The contract's answers for every node and expression are checked in contract.test.ts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { col, sum, udf } from '../../plan/index.ts';
import { EngineError } from '../../engines/engine.ts';
import { polarsEngine } from '../../engines/polars/index.ts';
import { loadedEngine, r, t } from '../support/contract-suite.ts';

describe('polars engine: errors, metrics, explain, versions', () => {
  const h = loadedEngine(polarsEngine);

  test('a throwing UDF becomes a one-line EngineError', async () => {
    const boom = udf((_s: string | null) => {
      throw new Error('bad value');
    }, 'utf8', 'boom');
    await assert.rejects(h.engine().run(t.select(boom('k').alias('b')).plan), (err: unknown) =>
      err instanceof EngineError && err.code === 'task-failed' && /UDF 'boom' threw on row 0: bad value/.test(err.message));
  });

  test('metrics time the phases: plan, collect, toArrow', async () => {
    await h.run(t.join(r, [['k', 'rk']]));
    const m = h.engine().metrics();
    assert.ok(m.phasesMs && m.phasesMs.collect! >= 0 && m.phasesMs.plan! >= 0 && m.phasesMs.toArrow! >= 0);
  });

  test('explain shows Polars\' optimised plan', async () => {
    const text = await h.engine().explain(t.filter(col('a').gt(0)).groupBy('k').agg(sum('a').alias('s')).plan);
    assert.match(text, /AGGREGATE|GROUP/i);
    assert.match(text, /FILTER|SELECTION/i);
  });

  test('versions report the nodejs-polars package version', async () => {
    const v = await polarsEngine.versions();
    assert.match(v['nodejs-polars']!, /^\d+\.\d+\.\d+/);
  });
});
