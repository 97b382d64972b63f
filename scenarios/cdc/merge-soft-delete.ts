// Upsert/merge with soft delete: a delete keeps the row with `is_deleted` and `deleted_at` set (and its last image),
// the current view filters such rows out. The deleted row doubles as the tombstone that stops late updates.
import { col, lit, when } from '../../plan/index.ts';
import type { Schema } from '../../plan/types.ts';
import type { CdcPattern } from './pattern.ts';
import { entityColumns, isKey, scanChanges, scanSnapshot, scanTarget } from './plan-helpers.ts';
import { seqKey } from './sequence.ts';

const prior = (name: string): string => `_prior_${name}`;

/**
 * State: the entity's columns, `is_deleted`, `deleted_at`, `_seq`.
 * Merge: latestPerKey(target ∪ changes, by _seq), then a left join back to the old target supplies the last image
 * for deletes whose batch held no newer one (MERGE's `WHEN MATCHED AND op = 'D' THEN UPDATE SET is_deleted = true`).
 * @example mergeSoftDelete.currentView(customers) // filter NOT is_deleted
 */
export const mergeSoftDelete: CdcPattern = {
  name: 'merge-soft-delete',
  title: 'upsert/merge, soft delete (is_deleted, deleted_at)',
  input: 'collapsed',
  stateSchema: (entity): Schema => [
    ...entity.schema,
    { name: 'is_deleted', type: 'bool', doc: 'the key was deleted in the source' },
    { name: 'deleted_at', type: 'timestamp', doc: 'when it was deleted (NULL while live)' },
    { name: '_seq', type: 'utf8', doc: 'sequence number of the change that wrote the row (encoded)' },
  ],
  mergePlan(entity, from = 'target') {
    const target = scanTarget(this.stateSchema(entity), from);
    const isDelete = col('_op').eq('D');
    const targetRows = target.select(
      ...entityColumns(entity), col('is_deleted'), col('deleted_at'), col('_seq'), lit(null, 'utf8').alias('_op'), col('_seq').alias('_img_seq'),
    );
    const changeRows = scanChanges(entity).select(
      ...entityColumns(entity),
      isDelete.alias('is_deleted'),
      when(isDelete, col('_ts')).otherwise(lit(null, 'timestamp')).alias('deleted_at'),
      col('_seq'), col('_op'), col('_img_seq'),
    );
    const latest = targetRows.union(changeRows).latestPerKey(entity.key, '_seq');
    // The right side keeps the key names: a join drops the right keys, so only the other columns need new names.
    const before = target.select(...entity.schema.map((f) => (isKey(entity, f.name) ? col(f.name) : col(f.name).alias(prior(f.name)))), col('_seq').alias(prior('_seq')));
    // A delete keeps the newest image known: the batch's own (at _img_seq) unless the stored row is newer.
    const needsPrior = col('_op').eq('D').and(col('_img_seq').isNull().or(col(prior('_seq')).gt(col('_img_seq'))));
    return latest
      .join(before, entity.key, 'left')
      .select(
        ...entity.schema.map((f) => (isKey(entity, f.name) ? col(f.name) : when(needsPrior, col(prior(f.name))).otherwise(col(f.name)).alias(f.name))),
        col('is_deleted'), col('deleted_at'), col('_seq'),
      ).plan;
  },
  truncatePlan(entity, seq, tsMs, from = 'target') {
    const s = lit(seqKey(seq));
    const older = col('_seq').lt(s);
    return scanTarget(this.stateSchema(entity), from).select(
      ...entityColumns(entity),
      when(older, lit(true)).otherwise(col('is_deleted')).alias('is_deleted'),
      when(older.and(col('is_deleted').not()), lit(tsMs, 'timestamp')).otherwise(col('deleted_at')).alias('deleted_at'),
      when(older, s).otherwise(col('_seq')).alias('_seq'),
    ).plan;
  },
  seedPlan: (entity, seq) =>
    scanSnapshot(entity).select(...entityColumns(entity), lit(false).alias('is_deleted'), lit(null, 'timestamp').alias('deleted_at'), lit(seqKey(seq)).alias('_seq')).plan,
  currentView(entity, from = 'target') {
    return scanTarget(this.stateSchema(entity), from).filter(col('is_deleted').not()).select(...entityColumns(entity)).plan;
  },
};
