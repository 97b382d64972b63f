// Truncate-and-reload: no merge at all; every run rebuilds the table from a full snapshot of the source into a
// staging table, which the applier swaps in only once it is complete.
import { lit } from '../../plan/index.ts';
import type { Schema } from '../../plan/types.ts';
import type { CdcPattern } from './pattern.ts';
import { entityColumns, scanSnapshot, scanTarget } from './plan-helpers.ts';

/**
 * State: exactly the source table. Reload plan: the snapshot projected to the entity's columns.
 * @example truncateReload.seedPlan(customers, 0n, 0) // scan snapshot → project
 */
export const truncateReload: CdcPattern = {
  name: 'truncate-reload',
  title: 'truncate-and-reload from a full snapshot',
  input: 'collapsed',
  stateSchema: (entity): Schema => entity.schema,
  mergePlan: () => null,
  truncatePlan(entity, _seq, _tsMs, from = 'target') {
    // A truncate in the source shows up in the next snapshot; the table just keeps no rows.
    return scanTarget(entity.schema, from).filter(lit(false)).plan;
  },
  seedPlan: (entity) => scanSnapshot(entity).select(...entityColumns(entity)).plan,
  currentView: (entity, from = 'target') => scanTarget(entity.schema, from).select(...entityColumns(entity)).plan,
};
