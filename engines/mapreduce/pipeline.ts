// Narrow operators (filter, project) chained inside a map or reduce function, as Hadoop's ChainMapper and
// ChainReducer: they never need a shuffle, so they never get a job of their own.
import { outputSchema } from '../../plan/schema.ts';
import { assertNever, exprChildren, type Expr, type Schema } from '../../plan/types.ts';
import { compileExpr, fromWire, toWire, type WireExpr } from './expressions.ts';
import type { Row } from './row-format.ts';

/** A narrow operator as the planner records it (plan expressions). */
export type NarrowOp =
  | { readonly kind: 'filter'; readonly predicate: Expr }
  | { readonly kind: 'project'; readonly columns: readonly { readonly name: string; readonly expr: Expr }[] };

/** The same operator in a form postMessage can clone. */
export type WireOp =
  | { readonly kind: 'filter'; readonly predicate: WireExpr }
  | { readonly kind: 'project'; readonly columns: readonly { readonly name: string; readonly expr: WireExpr }[] };

export function opToWire(op: NarrowOp): WireOp {
  switch (op.kind) {
    case 'filter':
      return { kind: 'filter', predicate: toWire(op.predicate) };
    case 'project':
      return { kind: 'project', columns: op.columns.map((c) => ({ name: c.name, expr: toWire(c.expr) })) };
    default:
      return assertNever(op, 'narrow operator');
  }
}

/** The schema after applying `ops` to rows of `schema`. */
export function schemaAfter(schema: Schema, ops: readonly NarrowOp[]): Schema {
  let s = schema;
  for (const op of ops) {
    const scan = { kind: 'scan' as const, table: '_', schema: s };
    s = outputSchema(op.kind === 'filter' ? { kind: 'filter', input: scan, predicate: op.predicate } : { kind: 'project', input: scan, columns: op.columns });
  }
  return s;
}

/** A compiled chain: returns the output row, or null when a filter drops it. */
export type CompiledPipeline = (row: Row) => Row | null;

/** Compiles wire ops over input rows of `schema` (worker side). */
export function compilePipeline(schema: Schema, wire: readonly WireOp[]): { run: CompiledPipeline; schema: Schema } {
  const steps: CompiledPipeline[] = [];
  let s = schema;
  for (const w of wire) {
    switch (w.kind) {
      case 'filter': {
        const pred = compileExpr(fromWire(w.predicate), s);
        steps.push((row) => (pred(row) === true ? row : null));
        s = schemaAfter(s, [{ kind: 'filter', predicate: fromWire(w.predicate) }]);
        break;
      }
      case 'project': {
        const columns = w.columns.map((c) => ({ name: c.name, expr: fromWire(c.expr) }));
        const evals = columns.map((c) => compileExpr(c.expr, s));
        const n = evals.length;
        steps.push((row) => {
          const out: Row = new Array(n);
          for (let i = 0; i < n; i++) out[i] = evals[i]!(row);
          return out;
        });
        s = schemaAfter(s, [{ kind: 'project', columns }]);
        break;
      }
      default:
        assertNever(w, 'narrow operator');
    }
  }
  if (steps.length === 0) return { run: (r) => r, schema: s };
  return {
    run: (row) => {
      let r: Row | null = row;
      for (let i = 0; i < steps.length && r !== null; i++) r = steps[i]!(r);
      return r;
    },
    schema: s,
  };
}

/** Adds the names of the columns `e` reads to `into`. */
export function columnsOf(e: Expr, into: Set<string>): void {
  if (e.kind === 'column') into.add(e.name);
  for (const c of exprChildren(e)) columnsOf(c, into);
}

/**
 * Which columns of the stored rows the chain reads, given the columns its consumer needs (null = all):
 * the decoder skips the others (projection pushdown into the record reader).
 */
export function neededInputColumns(schema: Schema, wire: readonly WireOp[], needed: ReadonlySet<string> | null): Set<string> | null {
  let need = needed === null ? null : new Set(needed);
  for (let i = wire.length - 1; i >= 0; i--) {
    const op = wire[i]!;
    switch (op.kind) {
      case 'filter':
        if (need !== null) columnsOf(fromWire(op.predicate), need);
        break;
      case 'project': {
        const next = new Set<string>();
        for (const c of op.columns) if (need === null || need.has(c.name)) columnsOf(fromWire(c.expr), next);
        need = next;
        break;
      }
      default:
        assertNever(op, 'narrow operator');
    }
  }
  if (need === null) return null;
  return new Set(schema.map((f) => f.name).filter((n) => need!.has(n)));
}
