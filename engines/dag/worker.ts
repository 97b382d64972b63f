// An executor thread: holds loaded table partitions, runs one task at a time as the driver asks, and posts back
// its output blocks (shared buffers, so nothing is copied). Keeps hash tables built on broadcasts for the job.
import { parentPort } from 'node:worker_threads';
import type { Batch } from './columnar.ts';
import type { BuiltTable } from './operators/hash-join.ts';
import type { Stage } from './physical-plan.ts';
import { runTask } from './task-runner.ts';
import { UdfProcess } from './udf-isolation.ts';
import { fromWire, planFromWire, registerDicts, toWire, type DictRegistry, type WireBatch } from './wire.ts';
import type { ToWorker } from './worker-pool.ts';

const port = parentPort;
if (!port) throw new Error('worker.ts must run in a worker thread');

const registry: DictRegistry = new Map();
const tables = new Map<string, Batch[]>();
const builtTables = new Map<string, BuiltTable>();
let udfProcess: UdfProcess | null = null;

async function handle(msg: ToWorker): Promise<unknown> {
  switch (msg.type) {
    case 'load': {
      for (const [name, parts] of msg.tables) {
        registerDicts(parts, registry);
        tables.set(name, parts.map((b) => fromWire(b, registry)));
      }
      return { ok: true };
    }
    case 'end-job': {
      for (const k of [...builtTables.keys()]) if (k.startsWith(`${msg.jobId}:`)) builtTables.delete(k);
      return { ok: true };
    }
    case 'task': {
      if (msg.inject === 'fail') throw new Error(`injected fault in stage ${msg.stage.id} partition ${msg.partition} attempt ${msg.attempt}`);
      const stage = planFromWire(msg.stage) as Stage;
      const read = (list: readonly (readonly [string | number, WireBatch])[]) => list.map(([k, b]) => [k, fromWire(b, registry)] as const);
      if (msg.udfMode === 'isolated') udfProcess ??= new UdfProcess();
      const result = await runTask(stage, msg.partition, {
        tables,
        shuffle: new Map(msg.shuffle.map(([k, blocks]) => [k, blocks.map((b) => fromWire(b, registry))])),
        broadcast: new Map(read(msg.broadcast) as [number, Batch][]),
        cached: new Map(read(msg.cached) as [string, Batch][]),
        matches: new Map(msg.matches),
        builtTables,
        jobId: msg.jobId,
        isolatedUdfs: msg.udfMode === 'isolated' ? (udf, args, n) => udfProcess!.run(udf, args, n) : null,
      });
      return { ok: true, blocks: result.blocks.map(toWire), rowsIn: result.rowsIn, matches: result.matches };
    }
    case 'close':
      udfProcess?.close();
      return { ok: true };
    default: {
      const never: never = msg;
      throw new Error(`unknown message ${JSON.stringify(never)}`);
    }
  }
}

port.on('message', (msg: ToWorker & { id: number }) => {
  handle(msg).then(
    (reply) => port.postMessage({ id: msg.id, ...(reply as object) }),
    (e: Error) => port.postMessage({ id: msg.id, ok: false, error: e.message }),
  );
});
port.postMessage({ id: -1, ok: true, ready: true });
