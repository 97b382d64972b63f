// Insert-only history: every change is appended as a new version (never updated in place); the current view is
// the latest version per key unless that version is a delete. Late events (older than the key's latest stored
// version) and redeliveries are not appended.
import { col, lit } from '../../plan/index.ts';
import type { Schema } from '../../plan/types.ts';
import type { CdcPattern } from './pattern.ts';
import { entityColumns, isKey, scanChanges, scanSnapshot, scanTarget } from './plan-helpers.ts';
import { seqKey } from './sequence.ts';

const current = (name: string): string => `_current_${name}`;

/**
 * State: the entity's columns, `_op` (I/U/D of the version), `valid_from` (when it became true), `_seq` (the
 * version id: versions of a key order by it; a version is valid until the next one's valid_from).
 * Merge: history ∪ (changes newer than the key's latest stored version).
 * @example insertOnlyHistory.currentView(customers) // latestPerKey → filter _op != 'D'
 */
export const insertOnlyHistory: CdcPattern = {
  name: 'insert-only-history',
  title: 'insert-only history (a version per change)',
  input: 'every-event',
  stateSchema: (entity): Schema => [
    ...entity.schema,
    { name: '_op', type: 'utf8', doc: 'I, U or D: the change that created this version' },
    { name: 'valid_from', type: 'timestamp', doc: 'when this version became current in the source' },
    { name: '_seq', type: 'utf8', doc: 'sequence number of the change (encoded); the version order' },
  ],
  mergePlan(entity, from = 'target') {
    const history = scanTarget(this.stateSchema(entity), from);
    const latest = history.latestPerKey(entity.key, '_seq').select(...entity.key.map((k) => col(k)), col('_seq').alias(current('_seq')));
    const fresh = scanChanges(entity)
      .join(latest, entity.key, 'left')
      .filter(col(current('_seq')).isNull().or(col('_seq').gt(col(current('_seq')))))
      .select(...entityColumns(entity), col('_op'), col('_ts').alias('valid_from'), col('_seq'));
    return history.union(fresh).plan;
  },
  truncatePlan(entity, seq, tsMs, from = 'target') {
    const history = scanTarget(this.stateSchema(entity), from);
    const deletions = history
      .latestPerKey(entity.key, '_seq')
      .filter(col('_seq').lt(lit(seqKey(seq)))) // deleted keys too: their new version makes late events lose
      .select(
        ...entity.schema.map((f) => (isKey(entity, f.name) ? col(f.name) : lit(null, f.type).alias(f.name))),
        lit('D').alias('_op'), lit(tsMs, 'timestamp').alias('valid_from'), lit(seqKey(seq)).alias('_seq'),
      );
    return history.union(deletions).plan;
  },
  seedPlan: (entity, seq, tsMs) =>
    scanSnapshot(entity).select(...entityColumns(entity), lit('I').alias('_op'), lit(tsMs, 'timestamp').alias('valid_from'), lit(seqKey(seq)).alias('_seq')).plan,
  currentView(entity, from = 'target') {
    return scanTarget(this.stateSchema(entity), from).latestPerKey(entity.key, '_seq').filter(col('_op').neq('D')).select(...entityColumns(entity)).plan;
  },
};
