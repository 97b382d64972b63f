// The entry point of a cell's child process: `node --expose-gc --max-old-space-size=N --import tsx harness/cell.ts
// spec.json`. Started as `cell.ts --standby LABEL` it boots and loads its modules, then reads the spec path from
// stdin once the runner has a cell for it (supervisor.ts). It runs the cell, writes the report atomically and
// exits 0; any other exit means the process died (heap exhausted, killed on its time budget) and the runner
// classifies it from the exit code and stderr.
import { readFileSync, readSync, writeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { writeFileAtomic } from './atomic-write.ts';
import { runCellSpec } from './cell-lifecycle.ts';
import { SIGNAL_FD_ENV, TIMED_WORK_DONE, type CellSpec } from './cell-protocol.ts';

/** One line from stdin, blocking; '' at end of input (the runner went away before handing us a cell). */
function readLine(): string {
  const buf = Buffer.alloc(4096);
  let line = '';
  for (;;) {
    let n: number;
    try {
      n = readSync(0, buf, 0, buf.length, null);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5); // non-blocking pipe: poll gently
        continue;
      }
      if ((e as NodeJS.ErrnoException).code === 'EOF') return line;
      throw e;
    }
    if (n === 0) return line;
    line += buf.toString('utf8', 0, n);
    const nl = line.indexOf('\n');
    if (nl >= 0) return line.slice(0, nl);
  }
}

const specPath = process.argv[2] === '--standby' ? readLine() : process.argv[2];
if (!specPath) {
  process.stderr.write('usage: harness/cell.ts <spec.json> (started by the bench runner, not by hand)\n');
  process.exit(2);
}
const startedAt = performance.now();
const spec = JSON.parse(readFileSync(specPath, 'utf8')) as CellSpec;
const now = (): number => performance.now();
const signalFd = Number(process.env[SIGNAL_FD_ENV] ?? NaN);
const onTimedWorkDone = (): void => {
  if (!Number.isInteger(signalFd)) return;
  try {
    writeSync(signalFd, TIMED_WORK_DONE);
  } catch {
    // the runner stopped listening: nothing depends on the signal but the next cell's early start
  }
};
const report = await runCellSpec(spec, now, startedAt, onTimedWorkDone);
writeFileAtomic(spec.reportPath, JSON.stringify(report));
// Native engines may keep threads alive; the report is written, so leave without waiting for them.
process.exit(0);
