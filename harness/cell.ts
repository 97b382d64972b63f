// The entry point of a cell's child process: `node --expose-gc --max-old-space-size=N --import tsx harness/cell.ts
// spec.json`. It runs the cell, writes the report atomically and exits 0; any other exit means the process died
// (heap exhausted, killed on its time budget) and the runner classifies it from the exit code and stderr.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { writeFileAtomic } from './atomic-write.ts';
import { runCellSpec } from './cell-lifecycle.ts';
import type { CellSpec } from './cell-protocol.ts';

const startedAt = performance.now();
const specPath = process.argv[2];
if (!specPath) {
  process.stderr.write('usage: harness/cell.ts <spec.json> (started by the bench runner, not by hand)\n');
  process.exit(2);
}
const spec = JSON.parse(readFileSync(specPath, 'utf8')) as CellSpec;
const now = (): number => performance.now();
const report = await runCellSpec(spec, now, startedAt);
writeFileAtomic(spec.reportPath, JSON.stringify(report));
// Native engines may keep threads alive; the report is written, so leave without waiting for them.
process.exit(0);
