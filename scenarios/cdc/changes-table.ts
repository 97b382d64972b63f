// The `changes` table a merge plan scans: one row per change with the entity's columns (the new image, or for a
// delete the key plus the last image the batch held) and the change's metadata in `_`-prefixed columns.
import type * as arrow from 'apache-arrow';
import type { LiteralValue, Schema } from '../../plan/types.ts';
import { tableFromColumns } from '../../plan/arrow.ts';
import type { Entity } from './change.ts';
import type { CollapsedChange } from './collapse.ts';
import { seqKey } from './sequence.ts';

/** The entity's columns, then `_op` (I/U/D), `_seq` (encoded, see sequence.ts), `_ts` (change time), `_img_seq`. */
export function changesSchema(entity: Entity): Schema {
  return [
    ...entity.schema,
    { name: '_op', type: 'utf8', doc: 'I, U or D' },
    { name: '_seq', type: 'utf8', doc: 'log sequence number in the order-preserving text form of sequence.ts' },
    { name: '_ts', type: 'timestamp', doc: 'when the change happened in the source' },
    { name: '_img_seq', type: 'utf8', doc: 'sequence number of the change whose image the entity columns hold; NULL for a delete that carries only its key' },
  ];
}

/**
 * Build the `changes` table from collapsed changes (merges) or from every event (history, with lastImage null).
 * @example changesTable(customers, collapseBatch(customers, events)).numRows
 */
export function changesTable(entity: Entity, changes: readonly CollapsedChange[]): arrow.Table {
  const schema = changesSchema(entity);
  const columns: Record<string, LiteralValue[]> = Object.fromEntries(schema.map((f) => [f.name, new Array<LiteralValue>(changes.length)]));
  changes.forEach((c, i) => {
    const image = c.op === 'D' ? (c.lastImage?.row ?? null) : c.row;
    const imageSeq = c.op === 'D' ? (c.lastImage?.seq ?? null) : c.seq;
    for (const f of entity.schema) {
      columns[f.name]![i] = entity.key.includes(f.name) ? c.row[f.name]! : (image?.[f.name] ?? null);
    }
    columns['_op']![i] = c.op;
    columns['_seq']![i] = seqKey(c.seq);
    columns['_ts']![i] = c.tsMs;
    columns['_img_seq']![i] = imageSeq === null ? null : seqKey(imageSeq);
  });
  return tableFromColumns(schema, columns);
}
