// Column vectors and the vectorized row batch, as Hive's ColumnVector and VectorizedRowBatch: one typed array per
// column (plus a NULL flag per row), and a batch of up to 1024 rows whose live rows a selection vector lists.
// Columnar blocks decode into vectors, load turns Arrow chunks into them, and the vectorized map runs over them.
import { assertNever, type DataType } from '../../plan/types.ts';

/** Rows per batch: Hive's VectorizedRowBatch.DEFAULT_SIZE, small enough that a batch's vectors stay in cache. */
export const BATCH_SIZE = 1024;

interface Nullable {
  /** One byte per row, 1 = NULL; null when no row is NULL. The value slot of a NULL row is meaningless. */
  nulls: Uint8Array | null;
}

/**
 * One column's values, in the engine's representation: int64 as bigint (BigInt64Array), timestamp as ms
 * (Float64Array), bool as 0/1 bytes. A utf8 value is the UTF-8 bytes [starts[i], ends[i]) of `bytes`
 * (Hive's BytesColumnVector keeps start and length per row the same way; a block's offsets give both views).
 */
export type ColumnVector =
  | ({ readonly type: 'int32'; values: Int32Array } & Nullable)
  | ({ readonly type: 'int64'; values: BigInt64Array } & Nullable)
  | ({ readonly type: 'float64' | 'timestamp'; values: Float64Array } & Nullable)
  | ({ readonly type: 'bool'; values: Uint8Array } & Nullable)
  | ({ readonly type: 'utf8'; bytes: Uint8Array; starts: Int32Array; ends: Int32Array } & Nullable);

/**
 * A batch: `cols` indexed like the schema of the rows at this point of the pipeline (null: a column nobody
 * reads), valid at rows [0, rows). `selected[0..size)` lists the live rows in ascending order; a filter shrinks
 * it in place, so later operators touch only rows that passed.
 */
export interface VectorizedRowBatch {
  cols: (ColumnVector | null)[];
  rows: number;
  readonly selected: Int32Array;
  size: number;
}

/** Rows [start, start + n) of `v` as a vector of its own (views, no copies). */
export function sliceVector(v: ColumnVector, start: number, n: number): ColumnVector {
  const nulls = v.nulls === null ? null : v.nulls.subarray(start, start + n);
  switch (v.type) {
    case 'int32':
      return { type: v.type, values: v.values.subarray(start, start + n), nulls };
    case 'int64':
      return { type: v.type, values: v.values.subarray(start, start + n), nulls };
    case 'float64':
    case 'timestamp':
      return { type: v.type, values: v.values.subarray(start, start + n), nulls };
    case 'bool':
      return { type: v.type, values: v.values.subarray(start, start + n), nulls };
    case 'utf8':
      return { type: v.type, bytes: v.bytes, starts: v.starts.subarray(start, start + n), ends: v.ends.subarray(start, start + n), nulls };
    default:
      return assertNever(v, 'column vector');
  }
}

/**
 * A vector from JS values in the engine's representation (null for NULL): the slow, general way in, for
 * Arrow layouts without a typed fast path and for tests.
 */
export function vectorFromValues(type: DataType, values: ArrayLike<unknown>): ColumnVector {
  const n = values.length;
  let nulls: Uint8Array | null = null;
  for (let i = 0; i < n; i++) {
    if (values[i] === null || values[i] === undefined) (nulls ??= new Uint8Array(n))[i] = 1;
  }
  const isNull = (i: number): boolean => nulls !== null && nulls[i] === 1;
  switch (type) {
    case 'int32': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) if (!isNull(i)) out[i] = values[i] as number;
      return { type, values: out, nulls };
    }
    case 'int64': {
      const out = new BigInt64Array(n);
      for (let i = 0; i < n; i++) if (!isNull(i)) out[i] = BigInt(values[i] as bigint | number);
      return { type, values: out, nulls };
    }
    case 'float64':
    case 'timestamp': {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) if (!isNull(i)) out[i] = values[i] as number;
      return { type, values: out, nulls };
    }
    case 'bool': {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) if (!isNull(i)) out[i] = values[i] ? 1 : 0;
      return { type, values: out, nulls };
    }
    case 'utf8': {
      const parts: Buffer[] = [];
      const starts = new Int32Array(n);
      const ends = new Int32Array(n);
      let at = 0;
      for (let i = 0; i < n; i++) {
        starts[i] = at;
        if (!isNull(i)) {
          const b = Buffer.from(values[i] as string, 'utf8');
          parts.push(b);
          at += b.length;
        }
        ends[i] = at;
      }
      return { type, bytes: Buffer.concat(parts), starts, ends, nulls };
    }
    default:
      return assertNever(type, 'data type');
  }
}

/** Fills `out` with row `i` of the vectors (null where a vector is null: a column nobody reads). */
export type VectorRowReader = (i: number, out: unknown[]) => void;

/**
 * The row-at-a-time path's record reader over a decoded block: straight-line code per column, generated once per
 * task, so a job that is not vectorized pays one typed-array read per column and row (a string decode for utf8).
 */
export function compileVectorRowReader(vectors: readonly (ColumnVector | null)[]): VectorRowReader {
  const setup: string[] = [];
  const body: string[] = [];
  vectors.forEach((v, c) => {
    if (v === null) {
      body.push(`out[${c}] = null;`);
      return;
    }
    setup.push(`const n${c} = vs[${c}].nulls;`);
    const isNull = `n${c} !== null && n${c}[i] === 1`;
    switch (v.type) {
      case 'int32':
      case 'int64':
      case 'float64':
      case 'timestamp':
        setup.push(`const v${c} = vs[${c}].values;`);
        body.push(`out[${c}] = ${isNull} ? null : v${c}[i];`);
        break;
      case 'bool':
        setup.push(`const v${c} = vs[${c}].values;`);
        body.push(`out[${c}] = ${isNull} ? null : v${c}[i] === 1;`);
        break;
      case 'utf8':
        setup.push(`const b${c} = Buffer.from(vs[${c}].bytes.buffer, vs[${c}].bytes.byteOffset, vs[${c}].bytes.byteLength), s${c} = vs[${c}].starts, e${c} = vs[${c}].ends;`);
        body.push(`out[${c}] = ${isNull} ? null : b${c}.toString('utf8', s${c}[i], e${c}[i]);`);
        break;
      default:
        assertNever(v, 'column vector');
    }
  });
  const make = new Function('vs', 'Buffer', `${setup.join('\n')}\nreturn function readRow(i, out) {\n${body.join('\n')}\n};`);
  return make(vectors, Buffer) as VectorRowReader;
}
