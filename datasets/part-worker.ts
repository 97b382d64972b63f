// The helper thread of parallel generation (datasets/parallel.ts): computes the parts it is sent, one at a time.
// Runs compiled (esbuild), so it imports the generators through the registry like any other caller.
import { parentPort, type MessagePort } from 'node:worker_threads';
import { answerPart, type PartRequest } from './parallel.ts';
import { findDataset } from './registry.ts';

parentPort!.on('message', ({ request, port, done }: { request: PartRequest; port: MessagePort; done: Int32Array }) => {
  answerPart(() => {
    const compute = findDataset(request.dataset).parts?.[request.part];
    if (!compute) throw new Error(`dataset ${request.dataset} has no part '${request.part}'`);
    return compute(request.rows, request.seed, request.params);
  }, port, done);
});
