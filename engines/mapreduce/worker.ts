// The body of a worker thread (a TaskTracker slot): runs one task attempt at a time and replies with its result
// or its error message. Started by worker-pool.ts: compiled from the cell bundle, or through tsx.
import { parentPort } from 'node:worker_threads';
import { runMapTask } from './map-task.ts';
import { runReduceTask } from './reduce-task.ts';
import type { TaskSpec, WorkerReply } from './task.ts';

parentPort!.on('message', (spec: TaskSpec) => {
  const run = spec.type === 'map' ? runMapTask(spec) : runReduceTask(spec);
  run.then(
    (result) => parentPort!.postMessage({ ok: true, result } satisfies WorkerReply),
    (err: unknown) => parentPort!.postMessage({ ok: false, error: err instanceof Error ? err.message : String(err) } satisfies WorkerReply),
  );
});
parentPort!.postMessage('ready');
