// Every generator: byte-identical Arrow IPC for the same inputs, different data for another seed, tables and
// schemas exactly as declared in the dataset's TableSpecs, and clear errors for bad rows, seeds and params.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as arrow from 'apache-arrow';
import { schemaOfTable, toArrowSchema } from '../../plan/index.ts';
import { DATASETS, findDataset } from '../../datasets/registry.ts';
import type { DatasetParams } from '../../datasets/dataset.ts';

const ROWS = 5_000;
const VARIANTS: Readonly<Record<string, readonly DatasetParams[]>> = {
  user_events: [{}, { skew: 'zipf', users: 500, zipfExponent: 1.2 }],
  retail: [{}],
  taxi_trips: [{}],
  dbbench_groupby: [{}, { k: 10, naPct: 5, sorted: true }],
  dbbench_join: [{}, { naPct: 5, sorted: true }],
};

function ipc(tables: ReadonlyMap<string, arrow.Table>): Buffer {
  return Buffer.concat([...tables.entries()].map(([name, t]) => Buffer.concat([Buffer.from(name), arrow.tableToIPC(t, 'file')])));
}

for (const dataset of DATASETS) {
  for (const params of VARIANTS[dataset.name] ?? [{}]) {
    const label = `${dataset.name} ${JSON.stringify(params)}`;

    test(`${label}: same seed, rows and params give byte-identical Arrow IPC; another seed differs`, () => {
      const a = ipc(dataset.generate(ROWS, 42, params));
      const b = ipc(dataset.generate(ROWS, 42, params));
      assert.ok(a.equals(b), 'two runs with seed 42 differ');
      const c = ipc(dataset.generate(ROWS, 43, params));
      assert.ok(!a.equals(c), 'seed 43 produced the same bytes as seed 42');
    });

    test(`${label}: tables and schemas match the declared TableSpecs, every field documented`, () => {
      const tables = dataset.generate(ROWS, 7, params);
      assert.deepEqual([...tables.keys()].sort(), dataset.tables.map((t) => t.name).sort());
      for (const spec of dataset.tables) {
        const table = tables.get(spec.name)!;
        assert.deepEqual(schemaOfTable(table), spec.schema.map((f) => ({ name: f.name, type: f.type })), `${spec.name} schema`);
        assert.ok(arrow.util.compareSchemas(table.schema, toArrowSchema(spec.schema)), `${spec.name}: Arrow schema differs from toArrowSchema`);
        for (const f of spec.schema) assert.ok(f.doc && f.doc.length > 5, `${spec.name}.${f.name} has no doc`);
        assert.ok(spec.rowsRule.length > 0);
        if (spec.rowsRule === 'rows') assert.equal(table.numRows, ROWS, `${spec.name} rows`);
      }
    });
  }
}

test('row counts follow the non-trivial rowsRules', () => {
  const retail = findDataset('retail').generate(1000, 1, {});
  assert.equal(retail.get('products')!.numRows, 4000);
  const join = findDataset('dbbench_join').generate(2_000_000, 1, {});
  assert.equal(join.get('small')!.numRows, 10); // round(2e6 / 1e6) = 2, raised to the minimum of 10
  assert.equal(join.get('medium')!.numRows, 2000);
  assert.equal(join.get('big')!.numRows, 2_000_000);
});

test('bad rows, seeds and params are rejected with a message naming the problem', () => {
  const events = findDataset('user_events');
  assert.throws(() => events.generate(0, 1, {}), /rows must be a whole number from 1/);
  assert.throws(() => events.generate(1.5, 1, {}), /rows must be a whole number/);
  assert.throws(() => events.generate(10, -1, {}), /seed must be a non-negative/);
  assert.throws(() => events.generate(10, 1, { nope: 1 }), /no parameter 'nope'; valid parameters: users, skew, zipfExponent/);
  assert.throws(() => events.generate(10, 1, { skew: 'pareto' }), /must be one of uniform, zipf/);
  assert.throws(() => events.generate(10, 1, { users: 'many' }), /must be a number/);
  assert.throws(() => findDataset('dbbench_groupby').generate(10, 1, { naPct: 101 }), /from 0 to 100/);
  assert.throws(() => findDataset('dbbench_groupby').generate(10, 1, { sorted: 'yes' }), /true or false/);
  assert.throws(() => findDataset('dbbench_join').generate(50, 1, {}), /from 100/);
  assert.throws(() => findDataset('nope'), /unknown dataset 'nope'; valid datasets: user_events, retail, taxi_trips, dbbench_groupby, dbbench_join/);
});

test('params given as strings (from the CLI) mean the same dataset as typed params', () => {
  const g = findDataset('dbbench_groupby');
  assert.ok(ipc(g.generate(500, 1, { k: '10', sorted: 'true' })).equals(ipc(g.generate(500, 1, { k: 10, sorted: true }))));
});
