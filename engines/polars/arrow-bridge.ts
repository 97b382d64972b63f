// The Arrow boundary of the Polars engine: Arrow tables go in as one Arrow IPC buffer read by pl.readIPC, and
// results come back as an Arrow IPC stream re-typed to the plan's exact logical schema.
import * as arrow from 'apache-arrow';
import pl from 'nodejs-polars';
import { emptyTable, toArrowSchema } from '../../plan/arrow.ts';
import { assertNever, type DataType, type Schema } from '../../plan/types.ts';
import { EngineError } from '../engine.ts';

/** The Polars dtype each logical type is held as inside the engine. */
export function polarsType(t: DataType): pl.DataType {
  switch (t) {
    case 'int32':
      return pl.Int32;
    case 'int64':
      return pl.Int64;
    case 'float64':
      return pl.Float64;
    case 'utf8':
      return pl.String;
    case 'bool':
      return pl.Bool;
    case 'timestamp':
      return pl.Datetime('ms');
    default:
      return assertNever(t, 'data type');
  }
}

/**
 * Arrow table → Polars DataFrame. Measured fastest path (see README): serialise to an Arrow IPC *file* buffer
 * (a memcpy of each column) and let Polars' Rust reader decode it; building from JS arrays is orders slower.
 * Timestamp<ms> arrives as Datetime(ms), Int32 stays Int32, NULLs keep their validity bitmaps.
 */
export function arrowToPolars(table: arrow.Table): pl.DataFrame {
  const ipc = arrow.tableToIPC(table, 'file');
  return pl.readIPC(Buffer.from(ipc.buffer, ipc.byteOffset, ipc.byteLength));
}

/**
 * Polars DataFrame → Arrow table with exactly `schema` (names, order, Arrow types, every field nullable).
 * Polars writes strings as LargeUtf8 in an IPC stream; those are rewritten to Utf8 by narrowing the offsets,
 * every other column's buffers are reused as they are.
 */
export function polarsToArrow(df: pl.DataFrame, schema: Schema): arrow.Table {
  const target = toArrowSchema(schema);
  const names = schema.map((f) => f.name);
  const projected = df.select(...schema.map((f) => pl.col(f.name).cast(polarsType(f.type))));
  const ipc = projected.writeIPCStream();
  const source = arrow.tableFromIPC(ipc);
  const batches: arrow.RecordBatch[] = [];
  for (const batch of source.batches) {
    if (batch.numRows === 0) continue;
    const children = names.map((n, i) => retype(batch.getChildAt(i)!.data[0]!, schema[i]!.type, n));
    batches.push(
      new arrow.RecordBatch(
        target,
        arrow.makeData({ type: new arrow.Struct(target.fields), length: batch.numRows, nullCount: 0, children }),
      ),
    );
  }
  if (batches.length === 0) return emptyTable(schema);
  return new arrow.Table(target, batches);
}

/** Whether int64s keep their low 32 bits first in memory (every platform Node ships for but s390x). */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function retype(data: arrow.Data, type: DataType, name: string): arrow.Data {
  const t = data.type as arrow.DataType;
  if (type === 'utf8' && arrow.DataType.isLargeUtf8(t)) {
    const large = data as arrow.Data<arrow.LargeUtf8>;
    const wide = large.valueOffsets;
    const base = Number(wide[large.offset]);
    const end = Number(wide[large.offset + large.length]);
    if (end - base > 0x7fffffff) {
      throw new EngineError(`result column '${name}' holds over 2 GiB of text; add a filter or limit`, 'out-of-memory');
    }
    const offsets = new Int32Array(large.length + 1);
    if (end <= 0x7fffffff && LITTLE_ENDIAN) {
      // Offsets never decrease, so all fit in 31 bits: read the low halves of the little-endian int64s directly
      // (a BigInt read per row cost ~70 ms of a 225k-row, six-string-column result).
      const low = new Int32Array(wide.buffer, wide.byteOffset, wide.length * 2);
      for (let i = 0, j = 2 * large.offset; i <= large.length; i++, j += 2) offsets[i] = low[j]! - base;
    } else {
      for (let i = 0; i <= large.length; i++) offsets[i] = Number(wide[large.offset + i]) - base;
    }
    return arrow.makeData({
      type: new arrow.Utf8(),
      offset: 0,
      length: large.length,
      nullCount: large.nullCount,
      nullBitmap: large.offset === 0 ? large.nullBitmap : sliceBitmap(large),
      valueOffsets: offsets,
      data: large.values.subarray(base, end),
    });
  }
  const expected = toArrowSchema([{ name, type }]).fields[0]!.type;
  if (arrow.util.compareTypes(t, expected)) return data;
  // Same physical layout, different metadata (Polars writes timestamps with an empty time zone string).
  if (t.typeId === expected.typeId && String(t) === String(expected)) return data.clone(expected);
  throw new Error(`polars returned column '${name}' as ${t}, expected ${expected}`);
}

/** A validity bitmap starting at bit 0 for a sliced column (IPC batches are unsliced; kept for safety). */
function sliceBitmap(data: arrow.Data): Uint8Array | undefined {
  if (!data.nullBitmap || data.nullCount === 0) return undefined;
  const out = new Uint8Array(Math.ceil(data.length / 8));
  for (let i = 0; i < data.length; i++) {
    const j = data.offset + i;
    if ((data.nullBitmap[j >> 3]! >> (j & 7)) & 1) out[i >> 3]! |= 1 << (i & 7);
  }
  return out;
}
