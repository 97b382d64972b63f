// The UDF bridge: each `udf` expression of a plan becomes a DuckDB scalar function backed by the TypeScript
// function itself (@duckdb/node-api 1.5 registers JS scalar functions). DuckDB calls it once per data chunk;
// values cross in the contract's JS representation (int64 as bigint, timestamps as epoch ms).
import {
  DuckDBScalarFunction,
  DuckDBTimestampValue,
  DuckDBVector,
  type DuckDBConnection,
  type DuckDBValue,
} from '@duckdb/node-api';
import duckdb from '@duckdb/node-bindings';
import { typeOf } from '../../plan/schema.ts';
import { udfRowCaller } from '../../plan/column.ts';
import { assertNever, type DataType, type LiteralValue, type Schema, type ScalarUdf } from '../../plan/types.ts';
import { quoteIdent } from './sql.ts';
import { readVarchars, writeVarchars } from './strings.ts';
import { duckdbTypeOf } from './types.ts';

/** DuckDB value → the JS value the UDF receives. */
function fromDuckDB(value: DuckDBValue, type: DataType): LiteralValue {
  if (value === null) return null;
  switch (type) {
    case 'int32':
    case 'float64':
    case 'int64':
    case 'utf8':
    case 'bool':
      return value as LiteralValue;
    case 'timestamp':
      return Number((value as DuckDBTimestampValue).micros / 1000n);
    default:
      return assertNever(type, 'data type');
  }
}

/** The UDF's return value → a DuckDB value, or a message saying why it does not fit the declared type. */
function toDuckDB(value: unknown, type: DataType): DuckDBValue | { readonly error: string } {
  if (value === null || value === undefined) return null;
  const wrong = { error: `returned ${typeof value} ${String(value).slice(0, 40)}, declared ${type}` };
  switch (type) {
    case 'int32':
      return typeof value === 'number' && Number.isInteger(value) && Math.abs(value) <= 2147483647 ? value : wrong;
    case 'int64':
      if (typeof value === 'bigint') return value;
      return typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : wrong;
    case 'float64':
      return typeof value === 'number' ? value : wrong;
    case 'utf8':
      return typeof value === 'string' ? value : wrong;
    case 'bool':
      return typeof value === 'boolean' ? value : wrong;
    case 'timestamp':
      return typeof value === 'number' && Number.isFinite(value) ? new DuckDBTimestampValue(BigInt(Math.trunc(value)) * 1000n) : wrong;
    default:
      return assertNever(type, 'data type');
  }
}

/**
 * Registers UDFs on one connection and names them for the SQL translation. Each distinct (function, argument
 * types, return type) gets its own DuckDB function, registered once for the connection's lifetime.
 * @example
 *   const udfs = new UdfRegistry(connection);
 *   udfs.register(expr, inputSchema); // before planToSql(plan, { udfName: (u) => udfs.nameOf(u) })
 */
export class UdfRegistry {
  private readonly names = new Map<ScalarUdf['fn'], Map<string, string>>();
  private readonly byExpr = new WeakMap<ScalarUdf, string>();
  private count = 0;

  constructor(private readonly connection: DuckDBConnection) {}

  /** Make `udf` (with arguments typed over `input`) callable from SQL; returns its quoted SQL name. */
  register(udf: ScalarUdf, input: Schema): string {
    const argTypes = udf.args.map((a) => typeOf(a, input));
    const signature = `${argTypes.join(',')}->${udf.returnType}`;
    const bySignature = this.names.get(udf.fn) ?? new Map<string, string>();
    this.names.set(udf.fn, bySignature);
    let name = bySignature.get(signature);
    if (!name) {
      name = `eb_udf_${++this.count}_${udf.name.replace(/[^A-Za-z0-9_]/g, '_')}`;
      this.connection.registerScalarFunction(createFunction(name, udf, argTypes));
      bySignature.set(signature, name);
    }
    const quoted = quoteIdent(name);
    this.byExpr.set(udf, quoted);
    return quoted;
  }

  /** The SQL name registered for this expression (register it first). */
  nameOf(udf: ScalarUdf): string {
    const name = this.byExpr.get(udf);
    if (!name) throw new Error(`UDF '${udf.name}' was not registered before translating the plan`);
    return name;
  }
}

function createFunction(name: string, udf: ScalarUdf, argTypes: readonly DataType[]): DuckDBScalarFunction {
  const fn = DuckDBScalarFunction.create({
    name,
    returnType: duckdbTypeOf(udf.returnType),
    parameterTypes: argTypes.map(duckdbTypeOf),
    // The contract passes NULLs to the function (it may map them to a value), so DuckDB must not short-cut them.
    specialHandling: true,
    mainFunction: () => {}, // replaced below
  });
  // The raw callback (chunk and vector handles) rather than node-api's wrapper: strings then cross in bulk
  // (strings.ts), where node-api's vectors read and write every string with a native call.
  duckdb.scalar_function_set_function(fn.scalar_function, (info, input, output) => {
    const fail = (message: string): void => duckdb.scalar_function_set_error(info, `UDF '${udf.name}' ${message}`);
    try {
      const rows = duckdb.data_chunk_get_size(input);
      const columns = argTypes.map((t, c) => {
        const vector = duckdb.data_chunk_get_vector(input, c);
        if (t === 'utf8') return readVarchars(vector, rows);
        const items = DuckDBVector.create(vector, rows);
        return Array.from({ length: rows }, (_, i) => fromDuckDB(items.getItem(i), t));
      });
      const results = new Array<DuckDBValue>(rows);
      const call = udfRowCaller(udf.fn, columns);
      for (let row = 0; row < rows; row++) {
        const value = toDuckDB(call(row), udf.returnType);
        if (value !== null && typeof value === 'object' && 'error' in value) return fail(value.error);
        results[row] = value as DuckDBValue;
      }
      if (udf.returnType === 'utf8') writeVarchars(output, results as (string | null)[], rows);
      else {
        const out = DuckDBVector.create(output, rows);
        for (let row = 0; row < rows; row++) out.setItem(row, results[row]!);
        out.flush();
      }
    } catch (e) {
      fail(`threw: ${(e as Error).message}`);
    }
  });
  return fn;
}
