// The executor pool: a fixed set of worker threads (Spark executors with one core each), started when the
// engine is created so query timings never include thread start-up. One task runs per slot at a time.
import { Worker } from 'node:worker_threads';
import { compiledThreadEntry, readyWithin, THREAD_BOOT_TIMEOUT_MS } from '../thread-entry.ts';
import type { Stage } from './physical-plan.ts';
import type { WireBatch } from './wire.ts';

/** Messages the driver sends to a worker. */
export type ToWorker =
  | { readonly type: 'load'; readonly tables: readonly (readonly [string, readonly WireBatch[]])[] }
  | {
      readonly type: 'task';
      readonly jobId: number;
      readonly stage: Stage;
      readonly partition: number;
      readonly attempt: number;
      readonly inject: 'fail' | null;
      readonly udfMode: 'in-engine' | 'isolated';
      readonly shuffle: readonly (readonly [string, readonly WireBatch[]])[];
      readonly broadcast: readonly (readonly [number, WireBatch])[];
      readonly cached: readonly (readonly [string, WireBatch])[];
      /** Folded matched-left-rows bitmaps for broadcast-left joins' unmatched-rows tasks, by matchesId. */
      readonly matches: readonly (readonly [number, Uint8Array])[];
    }
  | { readonly type: 'end-job'; readonly jobId: number }
  | { readonly type: 'close' };

export interface WorkerReply {
  readonly ok: boolean;
  readonly error?: string;
  readonly blocks?: WireBatch[];
  readonly rowsIn?: number;
  /** Broadcast-left joins' side output: [matchesId, probe partition, bitmap]. */
  readonly matches?: [number, number, Uint8Array][];
}

interface Slot {
  readonly worker: Worker;
  readonly pending: Map<number, (r: WorkerReply) => void>;
  crashed: string | null;
}

export class WorkerPool {
  private nextId = 0;
  private constructor(private readonly slots: Slot[]) {}

  /**
   * Start `size` worker threads and wait until each is ready. A thread not ready within THREAD_BOOT_TIMEOUT_MS
   * (thread-entry.ts says why) is ended and started again, up to three times.
   */
  static async start(size: number, boot: { entries?: () => string | URL; timeoutMs?: number } = {}): Promise<WorkerPool> {
    const defaultEntry = compiledThreadEntry('dag-worker') ?? new URL('./worker-entry.mjs', import.meta.url);
    // `boot` is for fault-injection tests: a thread script per start, and a shorter wait.
    const nextEntry = boot.entries ?? (() => defaultEntry);
    const timeoutMs = boot.timeoutMs ?? THREAD_BOOT_TIMEOUT_MS;
    const startSlot = async (attempt = 1): Promise<Slot> => {
      const slot = WorkerPool.spawnSlot(nextEntry());
      const ready = await readyWithin(slot.ready, timeoutMs);
      if (ready) return ready;
      slot.ready.catch(() => undefined); // it is ended now; whatever it does next is not awaited
      void slot.worker.terminate();
      if (attempt >= 3) throw new Error(`executor thread did not start within ${timeoutMs} ms, three times`);
      return startSlot(attempt + 1);
    };
    return new WorkerPool(await Promise.all(Array.from({ length: size }, () => startSlot())));
  }

  /** One executor thread and the promise of its slot once it says it is ready. */
  private static spawnSlot(entry: string | URL): { worker: Worker; ready: Promise<Slot> } {
    let worker!: Worker;
    const ready = new Promise<Slot>((resolve, reject) => {
      worker = new Worker(entry);
      const slot: Slot = { worker, pending: new Map(), crashed: null };
      worker.on('message', (m: WorkerReply & { id: number; ready?: boolean }) => {
        if (m.id === -1) return resolve(slot);
        const done = slot.pending.get(m.id);
        slot.pending.delete(m.id);
        done?.(m);
      });
      worker.on('error', (e) => {
        slot.crashed = e.message;
        for (const done of slot.pending.values()) done({ ok: false, error: `executor thread crashed: ${e.message}` });
        slot.pending.clear();
        reject(e);
      });
    });
    return { worker, ready };
  }

  get size(): number {
    return this.slots.length;
  }

  /** Send one message to slot `i` and wait for its reply. */
  send(i: number, msg: ToWorker): Promise<WorkerReply> {
    const slot = this.slots[i]!;
    if (slot.crashed) return Promise.resolve({ ok: false, error: `executor thread crashed: ${slot.crashed}` });
    const id = this.nextId++;
    return new Promise((resolve) => {
      slot.pending.set(id, resolve);
      slot.worker.postMessage({ ...msg, id });
    });
  }

  /** Send a message to every slot. */
  async sendAll(msg: ToWorker): Promise<WorkerReply[]> {
    return Promise.all(this.slots.map((_, i) => this.send(i, msg)));
  }

  async close(): Promise<void> {
    await Promise.race([this.sendAll({ type: 'close' }), new Promise((r) => setTimeout(r, 500))]);
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
