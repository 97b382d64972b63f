// Every scenario the harness knows, in the order the CLI lists and the report shows them.
import { countryCounts } from './foundation/country-counts.ts';
import { filterAggregate } from './foundation/filter-aggregate.ts';
import { groupbyCount } from './foundation/groupby-count.ts';
import { joinAggregate } from './foundation/join-aggregate.ts';
import { udfUpper } from './foundation/udf-upper.ts';
import { wrangling } from './foundation/wrangling.ts';
import { dbbGroupby } from './db-benchmark/groupby.ts';
import { dbbJoin } from './db-benchmark/join.ts';
import { cdcMergeEntry } from './cdc/registered.ts';
import { olapLoadScenario } from './olap-load.ts';
import { table } from '../plan/index.ts';
import type { DataFrame } from '../plan/index.ts';
import { findDataset } from '../datasets/registry.ts';
import type { QueryScenario, Scenario } from './scenario.ts';

export const SCENARIOS: readonly Scenario[] = [
  groupbyCount,
  joinAggregate,
  filterAggregate,
  wrangling,
  countryCounts,
  udfUpper,
  ...dbbGroupby,
  ...dbbJoin,
  cdcMergeEntry,
  olapLoadScenario,
];

/** The scenario called `name`; the error lists every valid name. */
export function findScenario(name: string): Scenario {
  const found = SCENARIOS.find((s) => s.name === name);
  if (!found) throw new Error(`unknown scenario '${name}'; valid scenarios: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  return found;
}

/** Build a query scenario's plan, with scans typed by its dataset's declared table schemas. */
export function buildScenarioPlan(scenario: QueryScenario): DataFrame {
  const dataset = findDataset(scenario.data.dataset);
  return scenario.build((name) => {
    const spec = dataset.tables.find((t) => t.name === name);
    if (!spec) {
      throw new Error(`scenario '${scenario.name}' reads table '${name}', which dataset '${dataset.name}' does not have (it has: ${dataset.tables.map((t) => t.name).join(', ')})`);
    }
    return table(name, spec.schema);
  });
}
