// The helper thread of parallel generation (datasets/parallel.ts): computes the parts it is sent, one at a time.
// Runs compiled (esbuild), so it imports the generators through the registry like any other caller.
import { parentPort, type MessagePort } from 'node:worker_threads';
import { answerPart, type PartRequest } from './parallel.ts';
import { findDataset } from './registry.ts';

type HelperMessage = { readonly request: PartRequest; readonly port: MessagePort; readonly done: Int32Array } | { readonly quit: true };

parentPort!.on('message', (message: HelperMessage) => {
  // The caller stopped using this thread (a part failed or took too long): end once idle.
  if ('quit' in message) return parentPort!.close();
  const { request, port, done } = message;
  answerPart(() => {
    const compute = findDataset(request.dataset).parts?.[request.part];
    if (!compute) throw new Error(`dataset ${request.dataset} has no part '${request.part}'`);
    return compute(request.rows, request.seed, request.params);
  }, port, done);
});
