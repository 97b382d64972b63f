// Where an engine's worker threads and helper processes find their code. Threads and child processes do not
// inherit the parent's tsx loader, so under tsx (tests, `--extension` runs) each one first boots tsx: about 0.3 s
// of wall per thread on the 2-core machine (DAG pool of 2 started in 0.59-0.65 s). The bench's compiled cell
// bundle (harness/cell-bundle.ts) also compiles these entries, and code running from it starts them directly.

/** Set by esbuild's `define` in the cell bundle: the bundle folder's file URL, ending in '/'. */
declare const ENGINEBENCH_BUNDLE_DIR: string | undefined;

/** Entries compiled into the cell bundle next to `cell.js`: output name → source file, relative to the project. */
export const THREAD_ENTRIES = {
  'dag-worker': 'engines/dag/worker.ts',
  'dag-udf-process': 'engines/dag/udf-process.ts',
  'mapreduce-worker': 'engines/mapreduce/worker.ts',
} as const;

export type ThreadEntryName = keyof typeof THREAD_ENTRIES;

/**
 * The compiled entry's URL when this code runs from the cell bundle, or null (start the tsx bootstrap instead).
 * @example const url = compiledThreadEntry('dag-worker') ?? new URL('./worker-entry.mjs', import.meta.url);
 */
export function compiledThreadEntry(name: ThreadEntryName): URL | null {
  return typeof ENGINEBENCH_BUNDLE_DIR === 'string' ? new URL(`${name}.js`, ENGINEBENCH_BUNDLE_DIR) : null;
}

/**
 * The longest a worker thread may take to say it is ready (booting takes well under a second). Threads booted
 * through tsx's async module.register on Node 20, as the tests boot them, can hang (tsx issue 806); a conformance
 * run once hung on mapreduce for minutes under load. The bench's compiled threads do not go through tsx.
 */
export const THREAD_BOOT_TIMEOUT_MS = 30_000;

/**
 * What `ready` resolves to, or null if it has not settled within `ms`; a rejection passes through.
 * @example const slot = await readyWithin(spawned.ready, THREAD_BOOT_TIMEOUT_MS); if (!slot) replaceIt();
 */
export async function readyWithin<T>(ready: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([ready, new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
