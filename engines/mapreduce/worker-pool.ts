// The slots: a fixed set of worker threads (Hadoop's TaskTracker slots), each running one task attempt at a
// time. A slot whose attempt exceeds the task timeout, or whose thread dies, is replaced by a fresh thread.
import { Worker } from 'node:worker_threads';
import { compiledThreadEntry, readyWithin, THREAD_BOOT_TIMEOUT_MS } from '../thread-entry.ts';
import type { TaskResult, TaskSpec, WorkerReply } from './task.ts';

export type AttemptOutcome =
  | { readonly status: 'ok'; readonly result: TaskResult }
  | { readonly status: 'failed' | 'killed'; readonly error: string };

/** Starts a worker thread: the compiled worker from the cell bundle, or one that registers tsx first. */
function spawn(): Worker {
  const compiled = compiledThreadEntry('mapreduce-worker');
  if (compiled) return new Worker(compiled);
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const source = new URL('./worker.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(source)}); })`;
  return new Worker(boot, { eval: true });
}

interface Slot {
  worker: Worker;
  ready: Promise<void>;
}

/**
 * WARNING: a slot runs one attempt at a time; callers (the JobTracker) must not call `run` on a busy slot.
 * @example const pool = new WorkerPool(2); const outcome = await pool.run(0, spec, 60_000); await pool.close();
 */
export class WorkerPool {
  private readonly slots: Slot[];
  private closed = false;

  /** `start` makes a slot's thread: the task worker, or in fault-injection tests one that misbehaves. */
  constructor(
    readonly size: number,
    private readonly start: () => Worker = spawn,
  ) {
    this.slots = Array.from({ length: size }, () => this.newSlot());
  }

  private newSlot(): Slot {
    const worker = this.start();
    worker.unref();
    const ready = new Promise<void>((resolve, reject) => {
      const onExit = (code: number): void => reject(new Error(`worker thread exited with code ${code} while starting`));
      const onMessage = (m: unknown): void => {
        if (m === 'ready') {
          worker.off('message', onMessage);
          worker.off('error', reject);
          worker.off('exit', onExit);
          resolve();
        }
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
      worker.once('exit', onExit);
    });
    ready.catch(() => undefined);
    return { worker, ready };
  }

  private replace(slot: number): void {
    const old = this.slots[slot]!;
    void old.worker.terminate();
    this.slots[slot] = this.newSlot();
  }

  /** Runs one attempt on `slot`; kills the thread if it takes longer than `timeoutMs`. */
  async run(slot: number, spec: TaskSpec, timeoutMs: number): Promise<AttemptOutcome> {
    if (this.closed) return { status: 'killed', error: 'engine closed' };
    const s = this.slots[slot]!;
    // WARNING: idle workers are unref'd so an engine never keeps the process alive; a busy one must be ref'd,
    // or the event loop can empty while we wait for its answer.
    s.worker.ref();
    // The boot counts against the attempt's timeout and is bounded on its own (thread-entry.ts): a thread that
    // never says 'ready' is replaced and the attempt retried, rather than waited for forever.
    const started = Date.now();
    const bootLimitMs = Math.min(timeoutMs, THREAD_BOOT_TIMEOUT_MS);
    try {
      const booted = await readyWithin(s.ready.then(() => true), bootLimitMs);
      if (!booted) {
        s.worker.unref();
        if (!this.closed) this.replace(slot);
        return { status: 'killed', error: `worker thread did not start within ${bootLimitMs} ms; attempt killed` };
      }
    } catch (err) {
      s.worker.unref();
      this.replace(slot);
      return { status: 'failed', error: `worker thread failed to start: ${(err as Error).message}` };
    }
    const { worker } = s;
    const remainingMs = Math.max(1, timeoutMs - (Date.now() - started));
    return new Promise<AttemptOutcome>((resolve) => {
      let settled = false;
      const finish = (o: AttemptOutcome, replace: boolean): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        worker.unref();
        if (replace && !this.closed) this.replace(slot);
        resolve(o);
      };
      const onMessage = (m: WorkerReply): void => finish(m.ok ? { status: 'ok', result: m.result } : { status: 'failed', error: m.error }, false);
      const onError = (err: Error): void => finish({ status: 'failed', error: `worker thread crashed: ${err.message}` }, true);
      const onExit = (code: number): void => finish({ status: 'failed', error: `worker thread exited with code ${code}` }, true);
      const timer = setTimeout(
        () => finish({ status: 'killed', error: `no progress for ${timeoutMs} ms (task timeout); attempt killed` }, true),
        remainingMs,
      );
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      worker.postMessage(spec);
    });
  }

  /** Kills whatever runs on `slot` (used when a job aborts); the pending `run` sees the exit and respawns. */
  kill(slot: number): void {
    void this.slots[slot]!.worker.terminate();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
