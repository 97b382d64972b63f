// Small builders the pattern plans share: scans of `target`, `changes` and `snapshot`, and column lists.
import { col, lit, table, type Column, type DataFrame } from '../../plan/index.ts';
import type { Schema } from '../../plan/types.ts';
import type { Entity } from './change.ts';
import { changesSchema } from './changes-table.ts';

/** The state table a plan reads: `target` unless the applier keeps its state under another (staging) name. */
export const scanTarget = (schema: Schema, name = 'target'): DataFrame => table(name, schema);
export const scanChanges = (entity: Entity): DataFrame => table('changes', changesSchema(entity));
export const scanSnapshot = (entity: Entity): DataFrame => table('snapshot', entity.schema);

/** The entity's columns as plain references. */
export const entityColumns = (entity: Entity): Column[] => entity.schema.map((f) => col(f.name));

export const isKey = (entity: Entity, name: string): boolean => entity.key.includes(name);

/** A typed NULL named like the column. */
export const nullAs = (name: string, type: Schema[number]['type']): Column => lit(null, type).alias(name);
