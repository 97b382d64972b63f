// User-defined functions in the Polars engine. nodejs-polars 0.24.1 has no lazy `Expr.map`/`map_elements`, so a
// UDF is a materialisation barrier: the input is collected, the function runs once per row in JS over the argument
// columns (decoded to the contract's JS values), and its result is attached as a new column before going lazy again.
import pl from 'nodejs-polars';
import { columnValues, tableFromColumns } from '../../plan/arrow.ts';
import { typeOf } from '../../plan/schema.ts';
import { udfRowCaller } from '../../plan/column.ts';
import { exprChildren, type Expr, type LiteralValue, type Schema, type ScalarUdf } from '../../plan/types.ts';
import { EngineError } from '../engine.ts';
import { arrowToPolars, polarsToArrow } from './arrow-bridge.ts';
import { literal, toPolarsExpr, type UdfColumns } from './expressions.ts';

/** How UDF calls get their values: computed for real (run) or stood in for by typed NULLs (explain). */
export type UdfStrategy = (
  frame: pl.LazyDataFrame,
  schema: Schema,
  udfs: readonly ScalarUdf[],
) => { frame: pl.LazyDataFrame; columns: UdfColumns };

/** UDF calls inside `exprs`, innermost first, so a UDF's arguments are ready before it runs. */
export function udfCalls(exprs: readonly Expr[]): ScalarUdf[] {
  const out: ScalarUdf[] = [];
  const visit = (e: Expr): void => {
    exprChildren(e).forEach(visit);
    if (e.kind === 'udf' && !out.includes(e)) out.push(e);
  };
  exprs.forEach(visit);
  return out;
}

function columnName(i: number): string {
  return `__udf_${i}`;
}

/**
 * Evaluate each UDF eagerly (collects `frame` once) and return the frame with one extra column per call.
 * @example const { frame, columns } = evaluateUdfs(lf, schema, udfCalls(exprs)); toPolarsExpr(e, schema, columns)
 */
export const evaluateUdfs: UdfStrategy = (frame, schema, udfs) => {
  let df = frame.collectSync();
  const columns = new Map<ScalarUdf, string>();
  for (const udf of udfs) {
    const argSchema: Schema = udf.args.map((a, i) => ({ name: `a${i}`, type: typeOf(a, schema) }));
    const argFrame = df.select(...udf.args.map((a, i) => toPolarsExpr(a, schema, columns).alias(`a${i}`)));
    const argTable = polarsToArrow(argFrame, argSchema);
    const args = argSchema.map((f) => columnValues(argTable, f.name));
    const out = new Array<LiteralValue>(df.height);
    const call = udfRowCaller(udf.fn, args);
    for (let row = 0; row < out.length; row++) {
      try {
        out[row] = call(row);
      } catch (err) {
        throw new EngineError(`UDF '${udf.name}' threw on row ${row}: ${(err as Error).message}`, 'task-failed');
      }
    }
    const name = columnName(columns.size);
    const result = tableFromColumns([{ name, type: udf.returnType }], { [name]: out });
    df = df.withColumn(arrowToPolars(result).getColumn(name));
    columns.set(udf, name);
  }
  return { frame: df.lazy(), columns };
};

/** For explain: typed NULL columns stand in for UDF results, so no data is touched. */
export const placeholderUdfs: UdfStrategy = (frame, _schema, udfs) => {
  const columns = new Map<ScalarUdf, string>();
  const added = udfs.map((udf, i) => {
    columns.set(udf, columnName(i));
    return literal(null, udf.returnType).alias(columnName(i));
  });
  return { frame: added.length > 0 ? frame.withColumns(...added) : frame, columns };
};
