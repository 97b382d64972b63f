// How failures become cell statuses: EngineError codes inside the child, and exit codes, signals and stderr
// when the child process itself dies.
import { EngineError } from '../engines/engine.ts';
import type { CellStatus } from './results.ts';

/** The first line of an error's message, without a stack trace. */
export function oneLine(message: string): string {
  const first = message.split('\n').find((l) => l.trim() !== '') ?? message;
  return first.trim().slice(0, 500);
}

/**
 * The status of a cell whose engine threw `err`: out-of-memory → oom, unavailable → unavailable,
 * unsupported → unsupported, other EngineErrors and unexpected errors → error. A worker thread's
 * ERR_WORKER_OUT_OF_MEMORY and a JS RangeError from a failed allocation are ooms too (V8 throws the latter for
 * huge arrays before the heap limit kills the process).
 * @example statusOfError(new EngineError('needs 3 GiB, budget 1 GiB', 'out-of-memory')) // { kind: 'oom', reason: ... }
 */
export function statusOfError(err: unknown): CellStatus {
  if (err instanceof EngineError) {
    switch (err.code) {
      case 'out-of-memory':
        return { kind: 'oom', reason: oneLine(err.message) };
      case 'unavailable':
        return { kind: 'unavailable', reason: oneLine(err.message) };
      case 'unsupported':
        return { kind: 'unsupported', reason: oneLine(err.message) };
      case 'task-failed':
      case 'bad-input':
        return { kind: 'error', message: oneLine(err.message) };
      default: {
        const never: never = err.code;
        return { kind: 'error', message: `unknown EngineError code ${String(never)}` };
      }
    }
  }
  const message = err instanceof Error ? err.message : String(err);
  // A worker thread whose heap ran out (resourceLimits) surfaces in the parent thread as this error code.
  if ((err as { code?: unknown } | null)?.code === 'ERR_WORKER_OUT_OF_MEMORY' || /ERR_WORKER_OUT_OF_MEMORY/.test(message)) {
    return { kind: 'oom', reason: oneLine(`a worker thread ran out of memory: ${message}`) };
  }
  if (err instanceof RangeError && /allocation failed|invalid (typed )?array length|array buffer/i.test(message)) {
    return { kind: 'oom', reason: oneLine(message) };
  }
  const name = err instanceof Error && err.name !== 'Error' ? `${err.name}: ` : '';
  return { kind: 'error', message: oneLine(name + message) };
}

/**
 * Why a child process ended without a report, from how it exited and the tail of its stderr.
 * @example statusOfExit({ code: 134, signal: null, stderr: 'FATAL ERROR: ... heap out of memory', timedOut: false, budgetMs: 60_000, maxOldSpaceMb: 4096 }).kind // 'oom'
 */
export function statusOfExit(p: {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  timedOut: boolean;
  budgetMs: number;
  maxOldSpaceMb: number;
}): CellStatus {
  if (p.timedOut) return { kind: 'timeout', budgetMs: p.budgetMs };
  if (/heap out of memory|ERR_WORKER_OUT_OF_MEMORY|Allocation failed - JavaScript heap|Reached heap limit/i.test(p.stderr)) {
    return { kind: 'oom', reason: `JavaScript heap out of memory (--max-old-space-size=${p.maxOldSpaceMb} MB); raise it with --max-heap` };
  }
  if (p.signal === 'SIGKILL') {
    return { kind: 'oom', reason: 'killed by SIGKILL, most likely by the operating system for using too much memory' };
  }
  const lines = p.stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('at ') && !l.startsWith('Node.js v'));
  const last = lines.at(-1) ?? '';
  const how = p.signal ? `was killed by ${p.signal}` : `exited with code ${p.code}`;
  return { kind: 'error', message: oneLine(`cell process ${how}${last ? `: ${last}` : ''}`) };
}
