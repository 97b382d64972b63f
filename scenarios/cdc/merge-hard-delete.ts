// Upsert/merge with hard delete: the latest change per key wins by sequence number, deleted keys disappear from
// the current view but stay in the state as tombstones (key + last sequence number) so a late update cannot
// resurrect them.
import { col, lit, when } from '../../plan/index.ts';
import type { Schema } from '../../plan/types.ts';
import type { CdcPattern } from './pattern.ts';
import { entityColumns, isKey, scanChanges, scanSnapshot, scanTarget } from './plan-helpers.ts';
import { seqKey } from './sequence.ts';

/**
 * State: the entity's columns, `_seq`, `_deleted` (a tombstone: key and `_seq` set, other columns NULL).
 * Merge: latestPerKey(target ∪ changes-as-rows, by _seq).
 * @example mergeHardDelete.mergePlan(customers) // union → latestPerKey over target and changes
 */
export const mergeHardDelete: CdcPattern = {
  name: 'merge-hard-delete',
  title: 'upsert/merge, hard delete (tombstones)',
  input: 'collapsed',
  stateSchema: (entity): Schema => [
    ...entity.schema,
    { name: '_seq', type: 'utf8', doc: 'sequence number of the change that wrote the row (encoded)' },
    { name: '_deleted', type: 'bool', doc: 'a tombstone: the key was deleted at _seq' },
  ],
  mergePlan(entity, from = 'target') {
    const isDelete = col('_op').eq('D');
    const asRows = scanChanges(entity).select(
      ...entity.schema.map((f) => (isKey(entity, f.name) ? col(f.name) : when(isDelete, lit(null, f.type)).otherwise(col(f.name)).alias(f.name))),
      col('_seq'),
      isDelete.alias('_deleted'),
    );
    return scanTarget(this.stateSchema(entity), from).union(asRows).latestPerKey(entity.key, '_seq').plan;
  },
  truncatePlan(entity, seq, _tsMs, from = 'target') {
    const s = lit(seqKey(seq));
    const older = col('_seq').lt(s);
    return scanTarget(this.stateSchema(entity), from).select(
      ...entity.schema.map((f) => (isKey(entity, f.name) ? col(f.name) : when(older, lit(null, f.type)).otherwise(col(f.name)).alias(f.name))),
      when(older, s).otherwise(col('_seq')).alias('_seq'),
      when(older, lit(true)).otherwise(col('_deleted')).alias('_deleted'),
    ).plan;
  },
  seedPlan: (entity, seq) => scanSnapshot(entity).select(...entityColumns(entity), lit(seqKey(seq)).alias('_seq'), lit(false).alias('_deleted')).plan,
  currentView(entity, from = 'target') {
    return scanTarget(this.stateSchema(entity), from).filter(col('_deleted').not()).select(...entityColumns(entity)).plan;
  },
};

