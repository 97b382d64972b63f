// Runs one cell in its own child process (isolating memory and JIT between cells), enforces its time budget
// by killing the child's whole process group, and turns however the child ended into a CellReport.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from './atomic-write.ts';
import type { CellReport, CellSpec } from './cell-protocol.ts';
import { statusOfExit } from './status.ts';

const CELL_ENTRY = fileURLToPath(new URL('./cell.ts', import.meta.url));
/** Bytes of the child's stderr kept to classify its death (V8 prints "heap out of memory" near the end). */
const STDERR_TAIL = 64 * 1024;

export interface SuperviseOptions {
  /** --max-old-space-size for the child, in MB. */
  readonly maxOldSpaceMb: number;
  /** Path to write the spec to (inside the run's folder). */
  readonly specPath: string;
  /** Called with the child's pid once it runs, so the runner can kill it on Ctrl-C. */
  readonly onSpawn?: (pid: number) => void;
  /** The cell entry compiled to JavaScript (cell-bundle.ts); without it the cell starts through tsx. */
  readonly bundledEntry?: string;
}

/**
 * The node arguments that start a cell: GC exposed, the heap capped, then the compiled entry when the runner built
 * one (cell-bundle.ts), else TypeScript through tsx. For tsx, apache-arrow (about
 * 200 ES modules) is imported before tsx registers its loader hooks: through the hooks each module costs a round
 * trip to the loader thread, which made every cell start about 0.7 s slower (measured: 2.5-2.9 s vs 1.8-2.0 s wall
 * to import the cell's modules on the shared 2-core machine).
 */
export function cellCommand(specPath: string, maxOldSpaceMb: number, bundledEntry?: string): string[] {
  if (bundledEntry) return ['--expose-gc', `--max-old-space-size=${maxOldSpaceMb}`, '--enable-source-maps', bundledEntry, specPath];
  return [
    '--expose-gc',
    `--max-old-space-size=${maxOldSpaceMb}`,
    '--import',
    import.meta.resolve('apache-arrow'),
    '--import',
    import.meta.resolve('tsx'),
    CELL_ENTRY,
    specPath,
  ];
}

/** Kill a detached child and everything it started (engines may spawn workers of their own). */
export function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/**
 * Run `spec` in a child process and wait for it; never throws for a failing cell.
 * @example const report = await superviseCell(spec, { maxOldSpaceMb: 4096, specPath: 'out/runs/x/cells/1.spec.json' });
 */
export async function superviseCell(spec: CellSpec, options: SuperviseOptions): Promise<CellReport> {
  writeFileAtomic(options.specPath, JSON.stringify(spec));
  const child = spawn(process.execPath, cellCommand(options.specPath, options.maxOldSpaceMb, options.bundledEntry), {
    // Own process group, so a timeout kills the cell's own workers too.
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  if (child.pid !== undefined) options.onSpawn?.(child.pid);
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_TAIL);
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    if (child.pid !== undefined) killGroup(child.pid);
  }, spec.budgetMs);
  const closed = new Promise<void>((resolveClosed) => child.on('close', () => resolveClosed()));
  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) => {
    child.on('error', (err) => {
      stderr += `\n${err.message}`;
      resolveExit({ code: null, signal: null });
    });
    child.on('exit', (code, signal) => resolveExit({ code, signal }));
  });
  clearTimeout(timer);
  // Workers the engine left behind would hold stderr open (and memory): end them, then drain stderr briefly.
  if (child.pid !== undefined) killGroup(child.pid);
  await Promise.race([closed, new Promise((r) => setTimeout(r, 1000).unref())]);
  if (!timedOut && exit.code === 0 && existsSync(spec.reportPath)) {
    return JSON.parse(readFileSync(spec.reportPath, 'utf8')) as CellReport;
  }
  const status = statusOfExit({ ...exit, stderr, timedOut, budgetMs: spec.budgetMs, maxOldSpaceMb: options.maxOldSpaceMb });
  return { status, wroteResult: false };
}
