// Every CDC pattern by name.
import { insertOnlyHistory } from './insert-only-history.ts';
import { mergeHardDelete } from './merge-hard-delete.ts';
import { mergeSoftDelete } from './merge-soft-delete.ts';
import type { CdcPattern, PatternName } from './pattern.ts';
import { truncateReload } from './truncate-reload.ts';

export const PATTERNS: Readonly<Record<PatternName, CdcPattern>> = {
  'merge-hard-delete': mergeHardDelete,
  'merge-soft-delete': mergeSoftDelete,
  'insert-only-history': insertOnlyHistory,
  'truncate-reload': truncateReload,
};
