// Isolated UDF execution: argument columns are turned into per-row arrays, serialised to a child process in
// chunks, evaluated there and deserialised back — deliberately paying the row (de)serialisation cost that
// Python UDFs pay in Spark, so the bench can show it next to in-engine UDFs.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Expr } from '../../plan/types.ts';
import { compiledThreadEntry } from '../thread-entry.ts';
import { valueAt, type Vec } from './columnar.ts';
import { udfResult } from './expressions.ts';

/** Rows per message to the UDF process (as Spark's Arrow batch size for pandas UDFs). */
const CHUNK_ROWS = 10_000;

export class UdfProcess {
  private child: ChildProcess | null = null;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (r: unknown[]) => void; reject: (e: Error) => void }>();

  private start(): ChildProcess {
    if (this.child) return this.child;
    const entry = fileURLToPath(compiledThreadEntry('dag-udf-process') ?? new URL('./udf-process-entry.mjs', import.meta.url));
    const child = fork(entry, [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] });
    child.on('message', (m: { id: number; ok: boolean; results?: unknown[]; error?: string }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.results!);
      else p.reject(new Error(m.error));
    });
    child.on('exit', (code) => {
      for (const p of this.pending.values()) p.reject(new Error(`isolated UDF process exited with code ${code}`));
      this.pending.clear();
      this.child = null;
    });
    this.child = child;
    return child;
  }

  private call(source: string, rows: unknown[][]): Promise<unknown[]> {
    const child = this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      child.send({ id, source, rows });
    });
  }

  /** Evaluate a UDF over n rows of argument vectors in the child process. */
  async run(udf: Extract<Expr, { kind: 'udf' }>, args: readonly Vec[], n: number): Promise<Vec> {
    const source = String(udf.fn);
    const results: unknown[] = [];
    for (let start = 0; start < n; start += CHUNK_ROWS) {
      const end = Math.min(n, start + CHUNK_ROWS);
      const rows: unknown[][] = [];
      for (let i = start; i < end; i++) rows.push(args.map((a) => valueAt(a, i)));
      const out = await this.call(source, rows);
      for (const r of out) results.push(r);
    }
    return udfResult(udf.returnType, results, udf.name);
  }

  close(): void {
    this.child?.kill();
    this.child = null;
  }
}
