// Folders that a killed process could not remove (a cell over its budget, Ctrl-C mid-run) are swept by a later
// process once they are old enough that no live run can still be using them.
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Older than this, a leftover folder belongs to no live run (a cell's longest budget is minutes). */
export const STALE_AFTER_MS = 24 * 3600 * 1000;

/**
 * Remove the folders in `parent` whose names start with `prefix` and that were last modified more than
 * STALE_AFTER_MS ago. Never throws: a missing parent or a folder another process removed first is fine.
 * @example removeStaleDirs(tmpdir(), 'enginebench-chdb-udf-');
 */
export function removeStaleDirs(parent: string, prefix = ''): void {
  let names: string[];
  try {
    names = readdirSync(parent).filter((n) => n.startsWith(prefix));
  } catch {
    return;
  }
  for (const n of names) {
    const dir = join(parent, n);
    try {
      if (Date.now() - statSync(dir).mtimeMs > STALE_AFTER_MS) rmSync(dir, { recursive: true, force: true });
    } catch {
      // Removed by another process first.
    }
  }
}
