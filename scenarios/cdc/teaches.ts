// What the cdc-merge scenario teaches, and what its crossover chart shows (figures measured, see README.md).
export const TEACHES =
  'A change log (inserts, updates, deletes with log sequence numbers) is applied to a target table in batches. ' +
  'Each pattern is one logical plan: merge = latest change per key wins (a row_number window over target ∪ ' +
  'changes), with tombstones or an is_deleted flag for deletes; insert-only history appends versions; ' +
  'truncate-and-reload rebuilds from a full snapshot. Every batch is checked against DuckDB and the source. ' +
  'The chart "ms per batch vs change %" puts the DuckDB variants on one axis: an in-place MERGE INTO (duckdb-sql) ' +
  'pays per changed row (an index probe and a row rewrite each), a reload per table row (cheap sequential writes), so ' +
  'merge wins several-fold at 0.1% changed and loses once about a fifth of the table changes per batch; the ' +
  'plan-based merges rewrite the whole table each batch and never win by much.';

/** The scenario's identity as the registry and the report show it (registered.ts, merge-scenario.ts). */
export const CDC_MERGE_INFO = {
  kind: 'custom',
  name: 'cdc-merge',
  title: 'CDC merges: upsert/merge (hard, soft delete), insert-only history vs truncate-and-reload',
  teaches: TEACHES,
  suite: 'cdc',
  sizes: { bench: [10_000], test: 1_000 },
} as const;
