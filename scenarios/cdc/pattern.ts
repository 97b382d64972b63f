// What a CDC pattern is: how it stores state, the one plan that merges a batch into that state, how it applies a
// truncate, how it is seeded from a snapshot, and the current view that readers of the table see.
import type { PlanNode, Schema } from '../../plan/types.ts';
import type { Entity } from './change.ts';

export type PatternName = 'merge-hard-delete' | 'merge-soft-delete' | 'insert-only-history' | 'truncate-reload';

/** The patterns an in-place SQL MERGE implements (sql-merge.ts): the two upserts (history appends, reload rebuilds). */
export const SQL_MERGE_PATTERNS: readonly PatternName[] = ['merge-hard-delete', 'merge-soft-delete'];

/**
 * A CDC pattern. Every plan scans `target` (the state, `stateSchema`), and the merge plan also `changes`
 * (changes-table.ts); the seed plan scans `snapshot` (the entity schema). The result of each plan is the next state.
 * WARNING: plans compare `_seq` only as encoded text (sequence.ts), never as numbers.
 */
export interface CdcPattern {
  readonly name: PatternName;
  readonly title: string;
  /** Whether the merge plan takes the batch collapsed to one change per key, or every (deduplicated) event. */
  readonly input: 'collapsed' | 'every-event';
  stateSchema(entity: Entity): Schema;
  /**
   * target + changes → next target. Null for truncate-and-reload, which has no merge. `from` names the state table
   * to read (default `target`; an applier keeping its state resident in the engine alternates names).
   */
  mergePlan(entity: Entity, from?: string): PlanNode | null;
  /** target → target after a truncate at `seq` (every row deleted as of that sequence number). */
  truncatePlan(entity: Entity, seq: bigint, tsMs: number, from?: string): PlanNode;
  /** snapshot (taken at `seq`) → target. */
  seedPlan(entity: Entity, seq: bigint, tsMs: number): PlanNode;
  /** target → the rows a reader sees now, in the entity schema (one per live key). */
  currentView(entity: Entity, from?: string): PlanNode;
}
