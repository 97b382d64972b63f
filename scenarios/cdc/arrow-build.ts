// Arrow tables for the CDC hot paths (the `changes` table of every merge, the snapshot of every reload). They
// once had their own typed-array builder because Arrow's per-value builders set the merge-vs-reload crossover
// instead of the engines; plan/arrow.ts now builds every table that way, and these are thin shapes over it.
import type * as arrow from 'apache-arrow';
import { tableFromColumns } from '../../plan/arrow.ts';
import type { LiteralValue, Schema } from '../../plan/types.ts';

/**
 * A table with exactly the given schema, from one array of values per column.
 * @example columnsTable([{ name: 'k', type: 'utf8' }], { k: ['a', null] }).numRows // 2
 */
export function columnsTable(schema: Schema, columns: Readonly<Record<string, ArrayLike<LiteralValue | undefined>>>): arrow.Table {
  return tableFromColumns(schema, columns);
}

/**
 * A table from row objects (missing values are NULL): a reload's extract of the source's rows.
 * @example rowsTable(customers.schema, sim.batches[0].sourceRows).numRows
 */
export function rowsTable(schema: Schema, rows: readonly Readonly<Record<string, LiteralValue | undefined>>[]): arrow.Table {
  const columns: Record<string, (LiteralValue | undefined)[]> = {};
  for (const f of schema) {
    const values = new Array<LiteralValue | undefined>(rows.length);
    for (let i = 0; i < rows.length; i++) values[i] = rows[i]![f.name];
    columns[f.name] = values;
  }
  return tableFromColumns(schema, columns);
}
