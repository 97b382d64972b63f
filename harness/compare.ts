// Result comparison: decides whether an engine's Arrow result equals the reference's, in the sense the plan
// allows (row order only where the plan orders, ties in any order, float noise from summation order), and
// explains a mismatch in a few readable lines for the report.
import * as arrow from 'apache-arrow';
import { allRows, canonicalColumn, canonicalOrder, compareAt, valueAt, ValueDictionary, type CanonicalColumn, type CanonicalOrder } from './canonical.ts';
import type { LiteralValue, PlanNode } from '../plan/types.ts';

export interface CompareOptions {
  /** Largest accepted |a - b| / max(|a|, |b|) between numbers. Default 1e-9. */
  readonly relTolerance?: number;
  /** Largest accepted |a - b| between numbers, for values near zero. Default 1e-9. */
  readonly absTolerance?: number;
}

export type CompareResult = { readonly ok: true } | { readonly ok: false; readonly diff: string };

type Row = LiteralValue[];
/** Formats a row, or with `columns` (their indexes) a few of its values. */
type Formatter = (row: Row, columns?: readonly number[]) => string;

interface Tolerance {
  readonly rel: number;
  readonly abs: number;
}

/** How much of the row order the plan fixes. */
export type Ordering =
  /** Any order is right: compare as multisets. */
  | { readonly kind: 'unordered' }
  /** Rows sorted by `keys` (output names; a prefix when a key is projected away); `limited` when cut by a Limit. */
  | { readonly kind: 'ordered'; readonly keys: readonly string[]; readonly limited: boolean }
  /** A Limit over unordered rows: any subset of that size is right, so only the row count can be checked. */
  | { readonly kind: 'arbitrary-subset' };

/**
 * What order the plan's output has: a top Sort, possibly under Limit and Project nodes, orders it.
 * @example orderingOf(df.orderBy(desc('total')).limit(10).plan) // { kind: 'ordered', keys: ['total'], limited: true }
 */
export function orderingOf(plan: PlanNode): Ordering {
  const above: PlanNode[] = [];
  let node = plan;
  let limited = false;
  while (node.kind === 'project' || node.kind === 'limit') {
    if (node.kind === 'limit') limited = true;
    above.push(node);
    node = node.input;
  }
  if (node.kind !== 'sort' || node.keys.length === 0) return limited ? { kind: 'arbitrary-subset' } : { kind: 'unordered' };
  let keys: readonly string[] = node.keys.map((k) => k.column);
  // Follow the sort columns up through projections (renames); a key that is computed or dropped ends the
  // observable prefix, since rows tied on the visible keys may then legitimately come in any order.
  for (const p of above.reverse()) {
    if (p.kind !== 'project') continue;
    const renamed: string[] = [];
    for (const k of keys) {
      const c = p.columns.find((c) => c.expr.kind === 'column' && c.expr.name === k);
      if (!c) break;
      renamed.push(c.name);
    }
    keys = renamed;
  }
  if (keys.length === 0) return limited ? { kind: 'arbitrary-subset' } : { kind: 'unordered' };
  return { kind: 'ordered', keys, limited };
}

/** NULL = NULL, NaN = NaN, -0 = 0, numbers of any width compared numerically within tolerance. */
export function valuesEqual(a: LiteralValue, b: LiteralValue, tol: Tolerance): boolean {
  if (a === null || b === null) return a === b;
  const an = typeof a === 'number' || typeof a === 'bigint';
  const bn = typeof b === 'number' || typeof b === 'bigint';
  if (an && bn) {
    if (typeof a === 'bigint' && typeof b === 'bigint') return a === b;
    if (typeof a === 'bigint' || typeof b === 'bigint') {
      const [big, num] = typeof a === 'bigint' ? [a, b as number] : [b as bigint, a as number];
      if (Number.isSafeInteger(num)) return BigInt(num) === big;
      return numbersEqual(Number(big), num, tol);
    }
    return numbersEqual(a as number, b as number, tol);
  }
  return a === b;
}

function numbersEqual(a: number, b: number, tol: Tolerance): boolean {
  if (a === b) return true; // also -0 === 0
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  const diff = Math.abs(a - b);
  return diff <= tol.abs || diff <= tol.rel * Math.max(Math.abs(a), Math.abs(b));
}

/**
 * Compare an engine's result with the reference's for `plan`. Column names must match in order; rows are
 * compared as multisets unless the plan orders them (see orderingOf).
 * @example
 *   const verdict = compareResults(reference, candidate, plan);
 *   if (!verdict.ok) console.log(verdict.diff);
 */
export function compareResults(
  expected: arrow.Table,
  actual: arrow.Table,
  plan: PlanNode,
  options: CompareOptions = {},
): CompareResult {
  const tol: Tolerance = { rel: options.relTolerance ?? 1e-9, abs: options.absTolerance ?? 1e-9 };
  const names = expected.schema.fields.map((f) => f.name);
  const actualNames = actual.schema.fields.map((f) => f.name);
  if (names.join('\u0000') !== actualNames.join('\u0000')) {
    return fail(`columns differ: expected [${names.join(', ')}], got [${actualNames.join(', ')}]`);
  }
  const ordering = orderingOf(plan);
  if (expected.numRows !== actual.numRows && ordering.kind === 'arbitrary-subset') {
    return fail(`row count: expected ${expected.numRows}, got ${actual.numRows}`);
  }
  const pair = new TablePair(expected, actual, names, tol);
  if (expected.numRows !== actual.numRows) {
    const { missing, extra } = pair.diff(allRows(expected.numRows), allRows(actual.numRows));
    return fail([`row count: expected ${expected.numRows}, got ${actual.numRows}`, ...pair.describe(missing, extra)].join('\n'));
  }
  switch (ordering.kind) {
    case 'arbitrary-subset':
      return { ok: true };
    case 'unordered': {
      const { missing, extra } = pair.diff(allRows(expected.numRows), allRows(actual.numRows));
      if (missing.length === 0 && extra.length === 0) return { ok: true };
      return fail([`rows differ (${missing.length} missing, ${extra.length} extra of ${expected.numRows})`, ...pair.describe(missing, extra)].join('\n'));
    }
    case 'ordered':
      return compareOrdered(pair, ordering);
  }
}

function fail(diff: string): CompareResult {
  return { ok: false, diff };
}

/** Indexes of columns compared with tolerance: float on either side. */
function floatColumns(expected: arrow.Table, actual: arrow.Table): ReadonlySet<number> {
  const out = new Set<number>();
  expected.schema.fields.forEach((f, i) => {
    if (arrow.DataType.isFloat(f.type) || arrow.DataType.isFloat(actual.schema.fields[i]!.type)) out.add(i);
  });
  return out;
}

/** The expected and actual tables in canonical columnar form, with row-level comparisons between them. */
class TablePair {
  readonly floats: ReadonlySet<number>;
  readonly format: Formatter;
  private readonly exp: readonly CanonicalColumn[];
  private readonly act: readonly CanonicalColumn[];
  readonly maxRows: number;
  /** Per column, whether expected row i equals actual row j there: specialised per column kind for speed. */
  private readonly matchers: readonly ((i: number, j: number) => boolean)[];
  /** The same, between two expected rows: finds runs of rows tied on the sort keys. */
  private readonly tieMatchers: readonly ((i: number, j: number) => boolean)[];

  constructor(
    expected: arrow.Table,
    actual: arrow.Table,
    readonly names: readonly string[],
    readonly tol: Tolerance,
  ) {
    this.floats = floatColumns(expected, actual);
    this.format = rowFormatter(expected, names);
    const dictionaries = names.map(() => new ValueDictionary());
    this.exp = names.map((n, k) => canonicalColumn(expected, n, dictionaries[k]!));
    this.act = names.map((n, k) => canonicalColumn(actual, n, dictionaries[k]!));
    this.maxRows = Math.max(expected.numRows, actual.numRows);
    this.matchers = names.map((_, k) => cellMatcher(this.exp[k]!, this.act[k]!, this.floats.has(k), tol));
    this.tieMatchers = names.map((_, k) => cellMatcher(this.exp[k]!, this.exp[k]!, this.floats.has(k), tol));
  }

  expRow(i: number): Row {
    return this.exp.map((c) => valueAt(c, i));
  }

  actRow(i: number): Row {
    return this.act.map((c) => valueAt(c, i));
  }

  /** Whether column k of expected row i equals that of actual row j (within tolerance for float columns). */
  cellMatches(k: number, i: number, j: number): boolean {
    return this.matchers[k]!(i, j);
  }

  /** Whether column k of expected rows i and j are equal (tolerant for floats): used to find runs of ties. */
  expCellsEqual(k: number, i: number, j: number): boolean {
    return this.tieMatchers[k]!(i, j);
  }

  rowMatches(i: number, j: number): boolean {
    const m = this.matchers;
    for (let k = 0; k < m.length; k++) if (!m[k]!(i, j)) return false;
    return true;
  }

  /**
   * The expected rows `expRows` with no equal row among the actual rows `actRows` (missing) and the reverse
   * (extra), as multisets. Both sides are put in the same canonical order (exact columns compared through a
   * 53-bit row hash, so a wrong row passes with probability about 2^-53) and merged; rows left unpaired
   * because float noise reordered near-equal rows are then re-paired by the tolerant bucket matching.
   */
  diff(expRows: Int32Array, actRows: Int32Array): { missing: Row[]; extra: Row[] } {
    const split = (cols: readonly CanonicalColumn[]) => ({
      exact: cols.filter((_, k) => !this.floats.has(k)),
      tolerant: cols.filter((_, k) => this.floats.has(k)),
    });
    const e = split(this.exp);
    const a = split(this.act);
    const eo = canonicalOrder(e.exact, e.tolerant, expRows);
    const ao = canonicalOrder(a.exact, a.tolerant, actRows);
    if (expRows.length === actRows.length && this.alignedEqual(eo, ao)) return { missing: [], extra: [] };
    const missingAt: number[] = [];
    const extraAt: number[] = [];
    const cmp = (i: number, j: number): number => {
      const h = eo.hashes[i]! - ao.hashes[j]!;
      if (h !== 0) return h;
      const ei = eo.order[i]!;
      const aj = ao.order[j]!;
      for (let k = 0; k < this.exp.length; k++) {
        if (!this.floats.has(k)) continue;
        const c = compareAt(this.exp[k]!, ei, this.act[k]!, aj);
        if (c !== 0) return c;
      }
      return 0;
    };
    let i = 0;
    let j = 0;
    while (i < expRows.length && j < actRows.length) {
      if (this.rowMatches(eo.order[i]!, ao.order[j]!)) {
        i++;
        j++;
      } else if (cmp(i, j) < 0) missingAt.push(eo.order[i++]!);
      else extraAt.push(ao.order[j++]!);
    }
    while (i < expRows.length) missingAt.push(eo.order[i++]!);
    while (j < actRows.length) extraAt.push(ao.order[j++]!);
    const missing = missingAt.map((r) => this.expRow(r));
    const extra = extraAt.map((r) => this.actRow(r));
    if (missing.length === 0 || extra.length === 0 || missing.length + extra.length > REPAIR_LIMIT) return { missing, extra };
    return multisetDiff(missing, extra, this.floats, this.tol);
  }

  /**
   * Whether the row at each position of `eo` matches the row at the same position of `ao`: the exact columns by
   * their row hashes, read sequentially; only the tolerant (float) columns are read through the permutation.
   */
  private alignedEqual(eo: CanonicalOrder, ao: CanonicalOrder): boolean {
    const n = eo.order.length;
    for (let p = 0; p < n; p++) if (eo.hashes[p] !== ao.hashes[p]) return false;
    for (const k of this.floats) {
      const match = this.matchers[k]!;
      for (let p = 0; p < n; p++) if (!match(eo.order[p]!, ao.order[p]!)) return false;
    }
    return true;
  }

  describe(missing: Row[], extra: Row[]): string[] {
    return describeDiff(missing, extra, this.names, this.format, this.tol);
  }
}

/** A comparison of one column's cells between the two tables, specialised to the columns' domains. */
function cellMatcher(e: CanonicalColumn, a: CanonicalColumn, tolerant: boolean, tol: Tolerance): (i: number, j: number) => boolean {
  // A coded column against a numeric one (unsafe int64 on one side only): compare the values themselves.
  if (e.domain !== a.domain) return (i, j) => valuesEqual(valueAt(e, i), valueAt(a, j), tol);
  const ev = e.values;
  const av = a.values;
  const en = e.nulls;
  const an = a.nulls;
  return (i, j) => {
    if (en !== null || an !== null) {
      const ni = en?.[i] ?? 0;
      if (ni !== (an?.[j] ?? 0)) return false;
      if (ni) return true;
    }
    const x = ev[i]!;
    const y = av[j]!;
    if (x === y) return true;
    if (x !== x || y !== y) return x !== x && y !== y;
    return tolerant && numbersEqual(x, y, tol);
  };
}

/** Most unpaired rows re-paired by the slow tolerant matching; beyond it the merge's verdict stands. */
const REPAIR_LIMIT = 200_000;

/** An exact, type-insensitive key for the non-float values of a row (5, 5n and 5.0 agree). */
function exactKey(row: Row, floats: ReadonlySet<number>): string {
  const parts: string[] = [];
  row.forEach((v, i) => {
    if (floats.has(i)) return;
    if (v === null) parts.push('N');
    else if (typeof v === 'bigint') parts.push(`n${v}`);
    else if (typeof v === 'number') parts.push(Number.isInteger(v) ? `n${BigInt(v)}` : Number.isNaN(v) ? 'nNaN' : `n${v}`);
    else parts.push(`${typeof v}:${String(v).length}:${String(v)}`);
  });
  return parts.join('|');
}

/** Total order on numbers for sorting float columns: NULL, then NaN, then ascending. */
function compareNumbers(a: LiteralValue, b: LiteralValue): number {
  if (a === null || b === null) return a === null ? (b === null ? 0 : -1) : 1;
  const x = Number(a);
  const y = Number(b);
  if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) ? (Number.isNaN(y) ? 0 : -1) : 1;
  return x - y;
}

function rowsEqual(a: Row, b: Row, tol: Tolerance): boolean {
  for (let i = 0; i < a.length; i++) if (!valuesEqual(a[i]!, b[i]!, tol)) return false;
  return true;
}

/** Largest bucket matched pairwise by brute force when sorting alone cannot line rows up. */
const GREEDY_LIMIT = 4000;

/**
 * Rows of `expected` with no equal row in `actual` (missing) and the reverse (extra), as multisets.
 * Rows are bucketed by their exact (non-float) values; inside a bucket they are sorted by the float columns
 * and paired, falling back to a greedy tolerant matching when float noise reorders near-equal rows.
 */
function multisetDiff(expected: Row[], actual: Row[], floats: ReadonlySet<number>, tol: Tolerance): { missing: Row[]; extra: Row[] } {
  const buckets = new Map<string, { exp: Row[]; act: Row[] }>();
  const bucket = (key: string) => {
    let b = buckets.get(key);
    if (!b) buckets.set(key, (b = { exp: [], act: [] }));
    return b;
  };
  for (const r of expected) bucket(exactKey(r, floats)).exp.push(r);
  for (const r of actual) bucket(exactKey(r, floats)).act.push(r);
  const missing: Row[] = [];
  const extra: Row[] = [];
  const floatIdx = [...floats];
  const byFloats = (a: Row, b: Row): number => {
    for (const i of floatIdx) {
      const c = compareNumbers(a[i]!, b[i]!);
      if (c !== 0) return c;
    }
    return 0;
  };
  for (const { exp, act } of buckets.values()) {
    if (floatIdx.length === 0) {
      // Same exact key means equal rows: only the counts can differ.
      if (exp.length > act.length) missing.push(...exp.slice(act.length));
      if (act.length > exp.length) extra.push(...act.slice(exp.length));
      continue;
    }
    exp.sort(byFloats);
    act.sort(byFloats);
    if (exp.length === act.length && exp.every((r, i) => rowsEqual(r, act[i]!, tol))) continue;
    if (exp.length * act.length > GREEDY_LIMIT * GREEDY_LIMIT) {
      const n = Math.min(exp.length, act.length);
      for (let i = 0; i < n; i++) {
        if (!rowsEqual(exp[i]!, act[i]!, tol)) {
          missing.push(exp[i]!);
          extra.push(act[i]!);
        }
      }
      missing.push(...exp.slice(n));
      extra.push(...act.slice(n));
      continue;
    }
    const used = new Uint8Array(act.length);
    for (const r of exp) {
      const j = act.findIndex((a, k) => !used[k] && rowsEqual(r, a, tol));
      if (j < 0) missing.push(r);
      else used[j] = 1;
    }
    act.forEach((a, k) => used[k] || extra.push(a));
  }
  return { missing, extra };
}

/**
 * Rows must follow the sort keys position by position; rows tied on them may come in any order. Sort keys are
 * checked up to and including the first float key: float noise may legitimately swap two near-equal values
 * there, and then the keys after it no longer describe an order both engines must share.
 */
function compareOrdered(pair: TablePair, ordering: Extract<Ordering, { kind: 'ordered' }>): CompareResult {
  const { names, format } = pair;
  const keyIdx: number[] = [];
  for (const k of ordering.keys) {
    const i = names.indexOf(k);
    keyIdx.push(i);
    if (pair.floats.has(i)) break;
  }
  const n = pair.maxRows;
  for (let i = 0; i < n; i++) {
    if (!keyIdx.every((k) => pair.cellMatches(k, i, i))) {
      const show = (r: Row) => keyIdx.map((k) => `${names[k]}=${format([r[k]!], [k])}`).join(', ');
      const e = pair.expRow(i);
      const a = pair.actRow(i);
      return fail(
        `order differs at row ${i} (sorted by ${ordering.keys.join(', ')}): expected ${show(e)}, got ${show(a)}\n` +
          `  expected row: ${format(e)}\n  actual row:   ${format(a)}`,
      );
    }
  }
  const tiedOn = keyIdx.map((k) => names[k]).join(', ');
  // Within a run of equal sort keys ties may come in any order; under a Limit the last run may even hold a
  // different subset of the tied rows, so it is only checked by its keys.
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && keyIdx.every((k) => pair.expCellsEqual(k, start, end))) end++;
    const lastCut = ordering.limited && end === n;
    if (end - start === 1 && !lastCut) {
      if (!pair.rowMatches(start, start)) {
        const e = pair.expRow(start);
        const a = pair.actRow(start);
        return fail([`row ${start} differs`, ...pair.describe([e], [a])].join('\n'));
      }
    } else if (!lastCut) {
      const rows = allRows(end - start).map((r) => r + start);
      const { missing, extra } = pair.diff(rows, rows);
      if (missing.length > 0 || extra.length > 0) {
        return fail([`rows ${start}..${end - 1} (tied on ${tiedOn}) differ`, ...pair.describe(missing, extra)].join('\n'));
      }
    }
    start = end;
  }
  return { ok: true };
}

const SAMPLE = 3;

/** A few missing and extra rows, and for the closest pair the columns that differ. */
function describeDiff(missing: Row[], extra: Row[], names: readonly string[], format: Formatter, tol: Tolerance): string[] {
  const lines: string[] = [];
  if (missing.length > 0 && extra.length > 0) {
    // The pair sharing the most values shows best which column went wrong.
    let best: [Row, Row] = [missing[0]!, extra[0]!];
    let bestSame = -1;
    for (const m of missing.slice(0, 100)) {
      for (const e of extra.slice(0, 100)) {
        const same = m.filter((v, i) => valuesEqual(v, e[i]!, tol)).length;
        if (same > bestSame) [best, bestSame] = [[m, e], same];
      }
    }
    const [m, e] = best;
    const cols = names.map((n, i) => (valuesEqual(m[i]!, e[i]!, tol) ? null : `'${n}' expected ${format([m[i]!], [i])}, got ${format([e[i]!], [i])}`)).filter((s) => s !== null);
    if (bestSame > 0) lines.push(`closest mismatch: column ${cols.join('; column ')}`);
  }
  if (missing.length > 0) lines.push(`missing (${missing.length}): ${missing.slice(0, SAMPLE).map((r) => format(r)).join(' ')}${missing.length > SAMPLE ? ' ...' : ''}`);
  if (extra.length > 0) lines.push(`extra (${extra.length}): ${extra.slice(0, SAMPLE).map((r) => format(r)).join(' ')}${extra.length > SAMPLE ? ' ...' : ''}`);
  return lines;
}

/** `{k: 'a', n: 1, ts: 2020-06-01T00:00:00.000Z}`; pass `columns` to format a subset (single values unbraced). */
function rowFormatter(table: arrow.Table, names: readonly string[]): Formatter {
  const isTimestamp = table.schema.fields.map((f) => arrow.DataType.isTimestamp(f.type) || arrow.DataType.isDate(f.type));
  const value = (v: LiteralValue, i: number): string => {
    if (v === null) return 'NULL';
    if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
    if (isTimestamp[i] && typeof v === 'number' && Number.isFinite(v)) {
      const d = new Date(v);
      return Number.isNaN(d.getTime()) ? String(v) : d.toISOString();
    }
    return String(v);
  };
  return (row, columns) => {
    if (columns) return row.map((v, j) => value(v, columns[j]!)).join(', ');
    return `{${row.map((v, i) => `${names[i]}: ${value(v, i)}`).join(', ')}}`;
  };
}
