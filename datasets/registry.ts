// Every dataset generator by name: the datasets CLI, the cache and the bench harness look them up here.
import type { Dataset } from './dataset.ts';
import { dbbenchGroupby } from './dbbench-groupby.ts';
import { dbbenchJoin } from './dbbench-join.ts';
import { DatasetInputError } from './params.ts';
import { retail } from './retail.ts';
import { taxiTrips } from './taxi-trips.ts';
import { userEvents } from './user-events.ts';
import { cdc } from './cdc.ts';

export const DATASETS: readonly Dataset[] = [userEvents, retail, taxiTrips, dbbenchGroupby, dbbenchJoin, cdc];

/**
 * The dataset called `name`; throws an error listing the valid names otherwise.
 *
 * @example findDataset('retail').tables.map((t) => t.name) // ['transactions', 'products']
 */
export function findDataset(name: string): Dataset {
  const found = DATASETS.find((d) => d.name === name);
  if (!found) throw new DatasetInputError(`unknown dataset '${name}'; valid datasets: ${DATASETS.map((d) => d.name).join(', ')}`);
  return found;
}
