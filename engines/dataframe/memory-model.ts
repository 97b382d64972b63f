// The memory model: how many bytes a table occupies once it is a danfo DataFrame, so `load` can refuse up front
// ("fine while the data fits in memory") instead of crashing the process halfway through.
import * as arrow from 'apache-arrow';
import { EngineError } from '../engine.ts';

/**
 * Heap bytes per cell of a loaded danfo frame, measured with process.memoryUsage().heapUsed around the engine's
 * own load path (Arrow → plain arrays → `new dfd.DataFrame`) at 1e4, 1e5 and 1e6 rows; see README "Memory
 * model". danfo keeps every cell twice — row-major `$data` (one JS array per row, numbers boxed) and a
 * column-major transpose — which is where most of the cost goes.
 */
export const BYTES_PER_CELL = 64;
/** Extra heap per string cell: each Arrow-decoded string is its own V8 string (header + one byte per char). */
export const BYTES_PER_STRING_CELL = 24;
/**
 * A pipeline step holds its input and its output frame at once (pandas' "each step materialises a new frame"),
 * so a query needs about twice what the loaded data needs. A model, not a measurement.
 */
export const WORKING_SET_FACTOR = 2;

const GIB = 1024 ** 3;

/**
 * Estimated bytes the engine needs to hold `tables` and run a query over them.
 * @example estimateBytes(new Map([['t', table]])) // → e.g. 2.7e9 for 1e7 rows × 4 numeric columns
 */
export function estimateBytes(tables: Iterable<arrow.Table>): number {
  let bytes = 0;
  for (const t of tables) {
    for (const f of t.schema.fields) {
      const vector = t.getChild(f.name);
      let perCell = BYTES_PER_CELL;
      if (vector && (arrow.DataType.isUtf8(f.type) || arrow.DataType.isLargeUtf8(f.type))) {
        // Strings: add the average string length, from the Arrow offsets' total byte size.
        const chars = vector.data.reduce((sum, d) => sum + (d.valueOffsets ? Number(d.valueOffsets[d.length]) - Number(d.valueOffsets[0]) : 0), 0);
        perCell += BYTES_PER_STRING_CELL + (t.numRows > 0 ? chars / t.numRows : 0);
      }
      bytes += perCell * t.numRows;
    }
  }
  return bytes * WORKING_SET_FACTOR;
}

/** "2.4", "0.61", "0.0012": enough digits to be read at any budget. */
export function formatGiB(bytes: number): string {
  const g = bytes / GIB;
  return g >= 10 ? g.toFixed(0) : g >= 1 ? g.toFixed(1) : g.toPrecision(2);
}

/**
 * Throw EngineError('out-of-memory') when `needed` exceeds `budget`, with the one-line advice users see.
 * @example assertFits(3 * 2 ** 30, 2 ** 30, '10000000 rows') // throws: ... would run out of memory ...: needs about 3.0 GiB, budget 1.0 GiB; ...
 */
export function assertFits(needed: number, budget: number, what: string): void {
  if (needed > budget) {
    throw new EngineError(
      `dataframe engine (danfo) would run out of memory loading ${what}: needs about ${formatGiB(needed)} GiB, budget ${formatGiB(budget)} GiB; use the dag or mapreduce engine`,
      'out-of-memory',
    );
  }
}
