// What crosses between the driver and worker threads. Column buffers are SharedArrayBuffers (shared, never
// copied); dictionaries of loaded tables travel as their id only; UDFs travel as source text.
import type { Batch, Dict, Vec } from './columnar.ts';

/** A batch as posted: dictionaries with an id are sent without their strings. */
export type WireBatch = Batch;

/** Dictionaries every thread holds by id (those of loaded tables). */
export type DictRegistry = Map<string, Dict>;

/** Register (or replace, when a table is reloaded) the dictionaries of loaded partitions. */
export function registerDicts(batches: readonly Batch[], registry: DictRegistry): void {
  for (const b of batches) {
    for (const c of b.columns) {
      if (c.type === 'utf8' && c.dict.id !== null) registry.set(c.dict.id, c.dict);
    }
  }
}

export function toWire(batch: Batch): WireBatch {
  return {
    length: batch.length,
    names: batch.names,
    columns: batch.columns.map((c): Vec => (c.type === 'utf8' && c.dict.id !== null ? { ...c, dict: { id: c.dict.id, values: [] } } : c)),
  };
}

export function fromWire(batch: WireBatch, registry: DictRegistry): Batch {
  return {
    length: batch.length,
    names: batch.names,
    columns: batch.columns.map((c): Vec => {
      if (c.type !== 'utf8' || c.dict.id === null) return c;
      const dict = registry.get(c.dict.id);
      if (!dict) throw new Error(`internal: dictionary '${c.dict.id}' is not registered in this thread`);
      return { ...c, dict };
    }),
  };
}

const compiled = new Map<string, (...args: unknown[]) => unknown>();

/** Compile a UDF's source text once per thread. `__name` is defined because tsx may emit calls to it. */
export function compileUdf(source: string): (...args: unknown[]) => unknown {
  let fn = compiled.get(source);
  if (!fn) {
    try {
      fn = new Function('__name', `return (${source});`)((f: unknown) => f) as (...args: unknown[]) => unknown;
    } catch (e) {
      throw new Error(`UDF source could not be compiled (UDFs must not capture variables): ${(e as Error).message}`);
    }
    if (typeof fn !== 'function') throw new Error('UDF source did not evaluate to a function');
    compiled.set(source, fn);
  }
  return fn;
}

/** A plan (or any plain data holding expressions) with UDF functions replaced by their source, for posting. */
export function planToWire<T>(value: T): T {
  return mapDeep(value, (o) => (o.kind === 'udf' && typeof o.fn === 'function' ? { ...o, fn: undefined, fnSource: String(o.fn) } : o)) as T;
}

/** The inverse of planToWire: UDF sources compiled back into functions. */
export function planFromWire<T>(value: T): T {
  return mapDeep(value, (o) => (o.kind === 'udf' && typeof o.fnSource === 'string' ? { ...o, fn: compileUdf(o.fnSource) } : o)) as T;
}

function mapDeep(value: unknown, f: (o: Record<string, any>) => Record<string, any>): unknown {
  if (Array.isArray(value)) return value.map((v) => mapDeep(v, f));
  if (value !== null && typeof value === 'object' && !ArrayBuffer.isView(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = mapDeep(v, f);
    return f(out);
  }
  return value;
}
