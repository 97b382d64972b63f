// The engine's in-memory table: one danfo DataFrame plus the logical schema it stands for, and the conversions
// at its two edges (Arrow → danfo on load, danfo → Arrow with the plan's exact schema on return).
import * as dfd from './danfo.ts';
import type * as arrow from 'apache-arrow';
import { tableFromColumns } from '../../plan/arrow.ts';
import { assertNever, type DataType, type Schema } from '../../plan/types.ts';
import { EngineError } from '../engine.ts';

/** A cell value inside the engine: int64 travels as a JS number (danfo has no int64), timestamps as ms. */
export type Cell = number | string | boolean | null;

/** A logical column and the name danfo knows it by. */
export interface FrameField {
  readonly name: string;
  readonly type: DataType;
  /**
   * The danfo column name. WARNING: internal names are `c0, c1, ...`, never the user's names: danfo defines a
   * property per column on the frame object, so a column called `count`, `values` or `index` would collide,
   * and its merge renames clashing columns with `_1` suffixes.
   */
  readonly internal: string;
}

/**
 * One materialised step of a pandas-style pipeline. `df` is null exactly when `rows === 0`, because danfo
 * cannot construct a DataFrame without rows ("end must be greater than start").
 */
export interface Frame {
  readonly fields: readonly FrameField[];
  readonly rows: number;
  readonly df: dfd.DataFrame | null;
}

export function schemaOf(frame: Frame): Schema {
  return frame.fields.map((f) => ({ name: f.name, type: f.type }));
}

export function fieldByName(frame: Frame, name: string): FrameField {
  const f = frame.fields.find((x) => x.name === name);
  if (!f) throw new Error(`internal: column '${name}' missing from the frame (has ${frame.fields.map((x) => x.name).join(', ')})`);
  return f;
}

/**
 * Build a frame from one plain array per column (danfo rejects typed arrays). This is `pd.DataFrame({...})`:
 * danfo copies the columns into row-major arrays and a column-major transpose, so every step pays a copy.
 */
export function frameFromColumns(schema: Schema, columns: readonly (readonly Cell[])[]): Frame {
  const fields = schema.map((f, i) => ({ name: f.name, type: f.type, internal: `c${i}` }));
  const rows = columns[0]?.length ?? 0;
  if (rows === 0 || fields.length === 0) return { fields, rows: fields.length === 0 ? 0 : rows, df: null };
  const data: Record<string, Cell[]> = {};
  fields.forEach((f, i) => {
    data[f.internal] = columns[i] as Cell[];
  });
  return { fields, rows, df: new dfd.DataFrame(data) };
}

/** Wrap a DataFrame danfo produced (query, iloc, merge, concat...) whose danfo columns follow `fields`. */
export function frameFromDanfo(fields: readonly FrameField[], df: dfd.DataFrame | null): Frame {
  const rows = df ? df.shape[0] : 0;
  return { fields, rows, df: rows === 0 ? null : df };
}

/**
 * One danfo column's values, read from the column-major copy danfo keeps (its public `df.getColumnData`).
 * `df.column(c).values` builds a Series first, which copies the index and re-checks it for duplicates through
 * a Set per call: ~70 ms per column at 1e5 rows, most of a join's time. Read-only: these are danfo's own arrays.
 */
export function danfoColumn(df: dfd.DataFrame, internal: string): readonly unknown[] {
  const position = (df.columns as string[]).indexOf(internal);
  if (position < 0) throw new Error(`internal: danfo frame has no column '${internal}' (has ${(df.columns as string[]).join(', ')})`);
  return (df.getColumnData as unknown[][])[position]!;
}

/**
 * The values of one column as engine cells. danfo, like pandas, marks missing numbers as NaN in some operations
 * and undefined in others; all of them read back as NULL here (the engine itself never produces NaN).
 */
export function columnCells(frame: Frame, name: string): Cell[] {
  const field = fieldByName(frame, name);
  if (!frame.df) return [];
  const raw = danfoColumn(frame.df, field.internal);
  return normaliseCells(raw, field.type);
}

export function normaliseCells(raw: readonly unknown[], type: DataType): Cell[] {
  const out = new Array<Cell>(raw.length);
  switch (type) {
    case 'int32':
    case 'int64':
    case 'float64':
    case 'timestamp':
      for (let i = 0; i < raw.length; i++) {
        const v = raw[i];
        out[i] = v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v)) ? null : Number(v);
      }
      return out;
    case 'utf8':
      for (let i = 0; i < raw.length; i++) {
        const v = raw[i];
        out[i] = v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v)) ? null : String(v);
      }
      return out;
    case 'bool':
      for (let i = 0; i < raw.length; i++) {
        const v = raw[i];
        out[i] = v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v)) ? null : v === true || v === 'true' || v === 1;
      }
      return out;
    default:
      return assertNever(type, 'data type');
  }
}

/**
 * Refuses an int64 value a JS number cannot hold exactly: danfo keeps numbers as doubles, so beyond ±2^53 its answer
 * would be silently wrong (pandas keeps int64 exact; this is where the model falls short of it).
 */
function assertExactInt64(value: bigint | number, where: string): void {
  const exact = typeof value === 'bigint' ? value >= -MAX_EXACT && value <= MAX_EXACT : Number.isInteger(value) && Math.abs(value) <= 2 ** 53;
  if (!exact) {
    throw new EngineError(
      `${where} holds the int64 value ${value}, beyond ±2^53, which danfo (JS numbers) cannot hold exactly; run this on duckdb, polars or dag`,
      'unsupported',
    );
  }
}
const MAX_EXACT = 2n ** 53n;

/**
 * Refuses a sum of integers whose running total could leave ±2^53, where a JS number stops counting exactly: the
 * result may fit while a partial sum did not (2^53 + 3 - 4 comes out wrong). Bounded by the sum of |values| over the
 * whole column, one pass, so a group's sum is never checked alone.
 */
export function assertExactIntegerSum(values: readonly Cell[], where: string): void {
  let bound = 0;
  for (const v of values) if (v !== null) bound += Math.abs(v as number);
  if (bound > 2 ** 53) {
    throw new EngineError(
      `${where} adds integers whose running total can pass ±2^53 (their sizes add up to ${bound}), which danfo (JS numbers) cannot add exactly; run this on duckdb, polars or dag`,
      'unsupported',
    );
  }
}

/** Arrow → engine cells for one column (int64 bigint → number, timestamps → ms numbers, nulls → null). */
export function cellsFromArrow(vector: arrow.Vector, type: DataType, where = 'a column'): Cell[] {
  const out = new Array<Cell>(vector.length);
  let i = 0;
  for (const v of vector) {
    if (v === null || v === undefined) out[i++] = null;
    else if (type === 'utf8') out[i++] = String(v);
    else if (type === 'bool') out[i++] = Boolean(v);
    else {
      if (type === 'int64') assertExactInt64(v as bigint, where);
      out[i++] = v instanceof Date ? v.getTime() : Number(v);
    }
  }
  return out;
}

/** Load an Arrow table into a danfo frame (the pandas `read_parquet`/`DataFrame(...)` step). */
export function frameFromArrow(table: arrow.Table, schema: Schema): Frame {
  const columns = schema.map((f) => {
    const vector = table.getChild(f.name);
    if (!vector) throw new Error(`internal: Arrow table lacks column '${f.name}'`);
    return cellsFromArrow(vector, f.type, `column '${f.name}'`);
  });
  return frameFromColumns(schema, columns);
}

/** The frame as an Arrow table with exactly `schema` (names and types from the plan, not from danfo's dtypes). */
export function frameToArrow(frame: Frame, schema: Schema): arrow.Table {
  const columns: Record<string, Cell[]> = {};
  schema.forEach((f, i) => {
    const field = frame.fields[i];
    if (!field) throw new Error(`internal: result frame has ${frame.fields.length} columns, plan expects ${schema.length}`);
    const cells = columnCells(frame, field.name);
    if (f.type === 'int64') for (const v of cells) if (v !== null) assertExactInt64(v as number, `result column '${f.name}'`);
    columns[f.name] = cells;
  });
  return tableFromColumns(schema, columns);
}
