// Dataset generation on two cores. A generator splits its work into parts — a table, or a group of columns drawn
// from random streams of their own — and hands one part to a helper thread while it computes the rest itself. A part
// is a pure function of (rows, seed, params), so its bytes are the same whichever thread computes it:
// test/datasets/parallel.test.ts checks every split against the pinned digests of the serial output.
//
// generate() stays synchronous: the calling thread waits for the helper's answer with Atomics.wait and reads it
// with receiveMessageOnPort; the column buffers are transferred, not copied. The helper runs plain JavaScript that
// esbuild compiles once into .cache/dataset-worker/ (a thread that boots tsx spends ~0.75 s before its first line,
// longer than a part of a million rows takes); without it, or on one core, every part runs on the calling thread.
import * as arrow from 'apache-arrow';
import { readFileSync, renameSync, statSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { fromArrowType, toArrowType } from '../plan/arrow.ts';
import type { DataType } from '../plan/types.ts';
import type { DatasetParams } from './dataset.ts';

/** The columns of one part, by name. */
export type PartColumns = Readonly<Record<string, arrow.Data>>;

/** One part of a generator: pure, with random streams no other part draws from. */
export type GeneratorPart = (rows: number, seed: number, params: DatasetParams) => PartColumns;

/** What the helper thread is asked to compute: `parts[part]` of the dataset called `dataset`. */
export interface PartRequest {
  readonly dataset: string;
  readonly part: string;
  readonly rows: number;
  readonly seed: number;
  readonly params: DatasetParams;
}

/** A column as it crosses between threads: its plain-type name and its buffers. */
interface PackedColumn {
  readonly type: DataType;
  readonly offset: number;
  readonly length: number;
  readonly nullCount: number;
  readonly valueOffsets: ArrayBufferView | undefined;
  readonly values: ArrayBufferView | undefined;
  readonly nullBitmap: ArrayBufferView | undefined;
}

export type PartReply = { readonly columns: Readonly<Record<string, PackedColumn>> } | { readonly error: string };

/**
 * Below this many rows a part runs on the calling thread: starting the helper costs ~75 ms the first time in a
 * process (compiling it, when its sources changed, another ~0.2 s), and a part that small takes less than that.
 */
const DEFAULT_MIN_ROWS = 500_000;
let minRows = process.env['ENGINEBENCH_DATASET_THREADS'] === '1' ? Infinity : DEFAULT_MIN_ROWS;

/**
 * Set from how many rows parts go to the helper thread (`Infinity`: never, 0: always); returns the previous value.
 * Tests use it to check the parallel path on small data.
 */
export function setParallelMinRows(rows: number): number {
  const previous = minRows;
  minRows = rows;
  return previous;
}

/**
 * How long the calling thread waits for the helper once its own share is done: at least this long, and at least
 * PATIENCE_FACTOR times its own share. A helper that never answers (its thread died, say V8 ran out of heap: the
 * caller, blocked in Atomics.wait, cannot see it exit) then costs a bounded wait and a part computed here, not a hang.
 */
const MIN_PATIENCE_MS = 30_000;
const PATIENCE_FACTOR = 4;
let minPatienceMs = MIN_PATIENCE_MS;

/** Set the least time the calling thread waits for the helper (ms); returns the previous value. For tests. */
export function setHelperPatience(ms: number): number {
  const previous = minPatienceMs;
  minPatienceMs = ms;
  return previous;
}

/** A part being computed on the helper thread, or left to this one. */
export interface PendingPart {
  /**
   * The part's columns: the helper's answer (waiting for it), or `here()` when the part was not sent or the helper
   * failed. `here` may reuse what this thread has already computed, so one thread never does the work twice.
   */
  take(here: () => PartColumns): PartColumns;
}

/**
 * Ask the helper thread for `parts[part]` of `dataset` when `rows` is large enough; the caller computes its own
 * columns meanwhile, then takes the part's.
 *
 * @example
 * const helper = startPart('dbbench_groupby', 'helper', rows, seed, params);
 * const keys = keyColumns(...);                     // meanwhile, on this thread
 * buildTable(SCHEMA, { ...keys, ...helper.take(() => helperColumns(rows, seed, params)) });
 */
export function startPart(dataset: string, part: string, rows: number, seed: number, params: DatasetParams): PendingPart {
  const local: PendingPart = { take: (here) => here() };
  if (rows < minRows) return local;
  const helper = helperThread();
  if (!helper) return local;
  const { port1, port2 } = new MessageChannel();
  const done = new Int32Array(new SharedArrayBuffer(4));
  const request: PartRequest = { dataset, part, rows, seed, params };
  const sentAt = performance.now();
  helper.postMessage({ request, port: port2, done }, [port2]);
  return {
    take(here) {
      const ownMs = performance.now() - sentAt;
      const patienceMs = Math.max(minPatienceMs, PATIENCE_FACTOR * ownMs);
      const reply = waitForReply(port1, done, performance.now() + patienceMs);
      port1.close();
      if (reply === null) {
        disableHelper(`the helper thread did not answer ${dataset}.${part} within ${(patienceMs / 1000).toFixed(1)} s`);
        return here();
      }
      if ('error' in reply) {
        disableHelper(`the helper thread failed on ${dataset}.${part}: ${reply.error}`);
        return here();
      }
      return unpackColumns(reply.columns);
    },
  };
}

/** Blocks until the helper has posted its reply on `port` (it raises `done` after posting); null past `deadline`. */
function waitForReply(port: MessagePort, done: Int32Array, deadline: number): PartReply | null {
  for (;;) {
    const received = receiveMessageOnPort(port);
    if (received) return received.message as PartReply;
    const left = deadline - performance.now();
    if (left <= 0) return null;
    Atomics.wait(done, 0, 0, Math.min(1000, left));
  }
}

/** The helper's side: compute the part, transfer its buffers, then raise `done` for the waiting thread. */
export function answerPart(compute: () => PartColumns, port: MessagePort, done: Int32Array): void {
  let reply: PartReply;
  const transfer: ArrayBuffer[] = [];
  try {
    reply = { columns: packColumns(compute(), transfer) };
  } catch (err) {
    reply = { error: err instanceof Error ? err.message : String(err) };
  }
  port.postMessage(reply, transfer);
  port.close();
  Atomics.store(done, 0, 1);
  Atomics.notify(done, 0);
}

function packColumns(columns: PartColumns, transfer: ArrayBuffer[]): Record<string, PackedColumn> {
  const seen = new Set<ArrayBufferLike>();
  // A view moves with its buffer (a view of part of it, such as a string column's bytes without the padding they
  // were written with, keeps its offset and length); a view into a shared or already moved buffer is copied first.
  const movable = <T extends ArrayBufferView>(view: T | undefined): T | undefined => {
    if (!view || view.byteLength === 0) return view;
    const buffer = view.buffer;
    if (buffer instanceof ArrayBuffer && !seen.has(buffer)) {
      seen.add(buffer);
      transfer.push(buffer);
      return view;
    }
    const copy = (view as unknown as { slice(): T }).slice();
    transfer.push(copy.buffer as ArrayBuffer);
    return copy;
  };
  const packed: Record<string, PackedColumn> = {};
  for (const [name, data] of Object.entries(columns)) {
    const type = fromArrowType(data.type);
    if (!type || data.children.length > 0) throw new Error(`column '${name}' has a type (${data.type}) parts cannot carry`);
    packed[name] = {
      type, offset: data.offset, length: data.length, nullCount: data.nullCount,
      valueOffsets: movable(data.valueOffsets as ArrayBufferView | undefined),
      values: movable(data.values as ArrayBufferView | undefined),
      nullBitmap: movable(data.nullBitmap as ArrayBufferView | undefined),
    };
  }
  return packed;
}

function unpackColumns(packed: Readonly<Record<string, PackedColumn>>): PartColumns {
  const columns: Record<string, arrow.Data> = {};
  for (const [name, c] of Object.entries(packed)) {
    const buffers = [c.valueOffsets, c.values, c.nullBitmap] as unknown as ConstructorParameters<typeof arrow.Data>[4];
    columns[name] = new arrow.Data(toArrowType(c.type), c.offset, c.length, c.nullCount, buffers);
  }
  return columns;
}

// ---- the helper thread ----------------------------------------------------------------------------------------

const PROJECT_DIR = fileURLToPath(new URL('../', import.meta.url));
const WORKER_SOURCE = fileURLToPath(new URL('./part-worker.ts', import.meta.url));
const WORKER_DIR = fileURLToPath(new URL('../.cache/dataset-worker/', import.meta.url));
const WORKER_FILE = join(WORKER_DIR, 'part-worker.mjs');
/** First line of the compiled file: the inputs esbuild read, with the size and time of each when it was built. */
const INPUTS_PREFIX = '// inputs: ';

let helper: Worker | null | undefined;
let disabledBecause: string | null = null;

/** Whether a part of a generation of `rows` rows was (or would now be) sent to a running helper thread. */
export function helperUsedFor(rows: number): boolean {
  return rows >= minRows && helper instanceof Worker;
}

/** Why the helper thread is not used in this process, if it is not. */
export function helperDisabledReason(): string | null {
  return disabledBecause;
}

function disableHelper(reason: string): void {
  if (disabledBecause === null) process.stderr.write(`dataset generation: ${reason}; generating on one thread\n`);
  disabledBecause = reason;
  // Asked to end after its current part rather than terminated: tearing down a thread while V8 still compiles for
  // it can abort Node 20 (seen once with the mapreduce pool). Unref'd, a helper that never ends holds nothing up.
  helper?.postMessage({ quit: true });
  helper = null;
}

/** The process's helper thread, started on first use; null on one core or when it cannot be built. */
function helperThread(): Worker | null {
  if (helper !== undefined) return helper;
  if (availableParallelism() < 2) {
    disabledBecause = 'one core';
    return (helper = null);
  }
  try {
    const worker = new Worker(pathToFileURL(compiledWorker()), { execArgv: [] });
    worker.unref();
    // A helper that dies between parts (it never should) is replaced by running parts here.
    worker.on('error', (err) => disableHelper(`the helper thread stopped: ${err.message}`));
    return (helper = worker);
  } catch (err) {
    disableHelper(`no helper thread (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`);
    return null;
  }
}

/** The compiled helper, rebuilt when any of the files it was built from changed size or time. */
function compiledWorker(): string {
  if (isFresh()) return WORKER_FILE;
  const require = createRequire(import.meta.url);
  const esbuild = require('esbuild') as typeof import('esbuild');
  const result = esbuild.buildSync({
    entryPoints: [WORKER_SOURCE], bundle: true, format: 'esm', platform: 'node', target: 'node20',
    write: false, metafile: true, logLevel: 'silent', outfile: WORKER_FILE, absWorkingDir: PROJECT_DIR,
  });
  const inputs = Object.keys(result.metafile!.inputs).map((input) => {
    const path = join(PROJECT_DIR, input);
    const { size, mtimeMs } = statSync(path);
    return [path, size, mtimeMs] as const;
  });
  mkdirSync(WORKER_DIR, { recursive: true });
  const temp = `${WORKER_FILE}.${process.pid}.${Date.now()}.tmp`;
  try {
    writeFileSync(temp, `${INPUTS_PREFIX}${JSON.stringify(inputs)}\n${result.outputFiles![0]!.text}`);
    renameSync(temp, WORKER_FILE); // atomic: a process starting the helper meanwhile reads one whole version
  } finally {
    rmSync(temp, { force: true });
  }
  return WORKER_FILE;
}

function isFresh(): boolean {
  try {
    const text = readFileSync(WORKER_FILE, 'utf8');
    const firstLine = text.slice(0, text.indexOf('\n'));
    if (!firstLine.startsWith(INPUTS_PREFIX)) return false;
    const inputs = JSON.parse(firstLine.slice(INPUTS_PREFIX.length)) as [string, number, number][];
    return inputs.every(([path, size, mtimeMs]) => {
      const now = statSync(path, { throwIfNoEntry: false });
      return now !== undefined && now.size === size && now.mtimeMs === mtimeMs;
    });
  } catch {
    return false;
  }
}
