// CDC merges: the change-log model, validation, adapters (simple I/U/D, Debezium, wal2json), the pattern plans, the
// applier and the custom scenarios the lead registers in scenarios/registry.ts.
export { cdcMergeScenario } from './merge-scenario.ts';

export { CdcApplier, type BatchReport } from './applier.ts';
export { validateBatch, CdcBatchError, type TruncatePolicy } from './validate.ts';
export { collapseBatch } from './collapse.ts';
export { fromDebezium } from './debezium.ts';
export { fromWal2Json } from './wal2json.ts';
export { PATTERNS } from './patterns.ts';
export { CdcModel } from './model.ts';
export { seqKey, parseLsn, compareLsn } from './sequence.ts';
export type { ChangeEvent, Entity, RawChange } from './change.ts';
