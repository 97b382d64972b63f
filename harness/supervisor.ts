// Runs one cell in its own child process (isolating memory and JIT between cells), enforces its time budget
// by killing the child's whole process group, and turns however the child ended into a CellReport.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from './atomic-write.ts';
import { SIGNAL_FD_ENV, TIMED_WORK_DONE, type CellReport, type CellSpec } from './cell-protocol.ts';
import { statusOfExit } from './status.ts';

const CELL_ENTRY = fileURLToPath(new URL('./cell.ts', import.meta.url));
/** Bytes of the child's stderr kept to classify its death (V8 prints "heap out of memory" near the end). */
const STDERR_TAIL = 64 * 1024;

export interface SuperviseOptions {
  /** --max-old-space-size for the child, in MB. */
  readonly maxOldSpaceMb: number;
  /** The cell entry compiled to JavaScript (cell-bundle.ts); without it the cell starts through tsx. */
  readonly bundledEntry?: string;
  /** Shown on a standby's command line (e.g. the run's folder), so `ps` tells whose it is. */
  readonly label?: string;
}

export interface RunOptions {
  /** Path to write the spec to (inside the run's folder). */
  readonly specPath: string;
  /** Called with the child's pid once it runs the cell, so the runner can kill it on Ctrl-C. */
  readonly onSpawn?: (pid: number) => void;
  /** Called once the cell's timed work is over (it still writes its result and exits): a time to start the next. */
  readonly onTimedWorkDone?: () => void;
}

/**
 * The node arguments that start a cell: GC exposed, the heap capped, then the compiled entry when the runner built
 * one (cell-bundle.ts), else TypeScript through tsx. For tsx, apache-arrow (about
 * 200 ES modules) is imported before tsx registers its loader hooks: through the hooks each module costs a round
 * trip to the loader thread, which made every cell start about 0.7 s slower (measured: 2.5-2.9 s vs 1.8-2.0 s wall
 * to import the cell's modules on the shared 2-core machine). The child starts on standby (`--standby LABEL`) and
 * reads its spec path from stdin (cell.ts).
 */
function cellCommand(maxOldSpaceMb: number, bundledEntry?: string, label = ''): string[] {
  const spec = ['--standby', label];
  if (bundledEntry) return ['--expose-gc', `--max-old-space-size=${maxOldSpaceMb}`, '--enable-source-maps', bundledEntry, ...spec];
  return [
    '--expose-gc',
    `--max-old-space-size=${maxOldSpaceMb}`,
    '--import',
    import.meta.resolve('apache-arrow'),
    '--import',
    import.meta.resolve('tsx'),
    CELL_ENTRY,
    ...spec,
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
 * A cell process started on standby: Node boots and the cell entry loads (0.4-0.8 s of wall per cell on the shared
 * 2-core machine, measured from spawn to the entry's first line) while the previous cell writes its result and the
 * runner checks it; it runs nothing of a cell until `run` hands it a spec. One process still runs one cell.
 * @example const p = CellProcess.start({ maxOldSpaceMb: 4096 }); const report = await p.run(spec, { specPath });
 */
export class CellProcess {
  private readonly child: ChildProcess;
  private stderr = '';
  private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly closed: Promise<void>;
  private used = false;

  private constructor(private readonly options: SuperviseOptions) {
    this.child = spawn(process.execPath, cellCommand(options.maxOldSpaceMb, options.bundledEntry, options.label), {
      // Own process group, so a timeout kills the cell's own workers too. Fd 3 carries TIMED_WORK_DONE.
      detached: true,
      stdio: ['pipe', 'ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_OPTIONS: '', [SIGNAL_FD_ENV]: '3' },
    });
    this.child.stderr!.setEncoding('utf8');
    this.child.stderr!.on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-STDERR_TAIL);
    });
    // A standby that died early still reports through `exited`; a broken stdin pipe must not throw here.
    this.child.stdin!.on('error', () => {});
    this.closed = new Promise<void>((resolveClosed) => this.child.on('close', () => resolveClosed()));
    this.exited = new Promise((resolveExit) => {
      this.child.on('error', (err) => {
        this.stderr += `\n${err.message}`;
        resolveExit({ code: null, signal: null });
      });
      this.child.on('exit', (code, signal) => resolveExit({ code, signal }));
    });
  }

  static start(options: SuperviseOptions): CellProcess {
    return new CellProcess(options);
  }

  /** Kill it (and anything it started); for a standby nobody will use. */
  dispose(): void {
    if (this.child.pid !== undefined && this.child.exitCode === null) killGroup(this.child.pid);
  }

  /** Hand the process `spec` and wait for the cell to end; never throws for a failing cell. */
  async run(spec: CellSpec, options: RunOptions): Promise<CellReport> {
    if (this.used) throw new Error('a cell process runs one cell');
    this.used = true;
    writeFileAtomic(options.specPath, JSON.stringify(spec));
    if (this.child.pid !== undefined) options.onSpawn?.(this.child.pid);
    const signals = this.child.stdio[3] as Readable | null;
    signals?.on('data', (chunk: Buffer) => {
      if (chunk.toString('utf8').includes(TIMED_WORK_DONE)) options.onTimedWorkDone?.();
    });
    // The budget runs from the hand-over: the boot before it belongs to no cell.
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (this.child.pid !== undefined) killGroup(this.child.pid);
    }, spec.budgetMs);
    this.child.stdin!.end(`${options.specPath}\n`);
    const exit = await this.exited;
    clearTimeout(timer);
    // Workers the engine left behind would hold stderr open (and memory): end them, then drain stderr briefly.
    if (this.child.pid !== undefined) killGroup(this.child.pid);
    await Promise.race([this.closed, new Promise((r) => setTimeout(r, 1000).unref())]);
    if (!timedOut && exit.code === 0 && existsSync(spec.reportPath)) {
      return JSON.parse(readFileSync(spec.reportPath, 'utf8')) as CellReport;
    }
    const status = statusOfExit({ ...exit, stderr: this.stderr, timedOut, budgetMs: spec.budgetMs, maxOldSpaceMb: this.options.maxOldSpaceMb });
    return { status, wroteResult: false };
  }
}
