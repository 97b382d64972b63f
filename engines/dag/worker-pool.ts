// The executor pool: a fixed set of worker threads (Spark executors with one core each), started when the
// engine is created so query timings never include thread start-up. One task runs per slot at a time.
import { Worker } from 'node:worker_threads';
import { compiledThreadEntry } from '../thread-entry.ts';
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

  /** Start `size` worker threads and wait until each is ready. */
  static async start(size: number): Promise<WorkerPool> {
    const entry = compiledThreadEntry('dag-worker') ?? new URL('./worker-entry.mjs', import.meta.url);
    const slots = await Promise.all(
      Array.from({ length: size }, () => new Promise<Slot>((resolve, reject) => {
        const worker = new Worker(entry);
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
      })),
    );
    return new WorkerPool(slots);
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
