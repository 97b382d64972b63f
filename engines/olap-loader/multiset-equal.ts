// The loader's correctness check: the rows read back from a target equal the source rows exactly, as multisets.
// Exact means no float tolerance (a load must not change a bit), -0 ≠ 0, NaN = NaN, NULL only equals NULL, and
// duplicates count (the retail data has genuinely duplicated lines, which a lossy load could merge or drop).
import type * as arrow from 'apache-arrow';
import { columnValues, schemaOfTable } from '../../plan/arrow.ts';
import type { LiteralValue } from '../../plan/types.ts';

export type MultisetCheck = { readonly ok: true } | { readonly ok: false; readonly detail: string };

/** An injective text key per value: type-tagged, so '1' (text) and 1 (number) differ, and -0 keeps its sign. */
function valueKey(v: LiteralValue): string {
  if (v === null) return 'N';
  switch (typeof v) {
    case 'number':
      return Object.is(v, -0) ? 'n-0' : `n${v}`;
    case 'bigint':
      return `n${v}`;
    case 'string':
      return `s${JSON.stringify(v)}`;
    case 'boolean':
      return v ? 'bt' : 'bf';
    default:
      return `?${String(v)}`;
  }
}

function rowKeys(table: arrow.Table): string[] {
  const columns = table.schema.fields.map((f) => columnValues(table, f.name));
  const keys = new Array<string>(table.numRows);
  for (let r = 0; r < table.numRows; r++) keys[r] = columns.map((c) => valueKey(c[r]!)).join('\u0001');
  return keys;
}

/** A key back as a readable row, for the diff sample. */
function showRow(key: string, names: readonly string[]): string {
  return `{${key
    .split('\u0001')
    .map((v, i) => `${names[i]}: ${v === 'N' ? 'NULL' : v.slice(1)}`)
    .join(', ')}}`;
}

/**
 * Whether `actual` holds exactly the rows of `expected` (same column names and logical types, same multiset of
 * rows). On a mismatch, `detail` is one line: counts and up to `sample` missing and unexpected rows.
 * @example multisetEqual(source, await session.readBack()) // { ok: true }
 */
export function multisetEqual(expected: arrow.Table, actual: arrow.Table, sample = 2): MultisetCheck {
  const es = schemaOfTable(expected).map((f) => `${f.name} ${f.type}`);
  const as = schemaOfTable(actual).map((f) => `${f.name} ${f.type}`);
  if (es.join(', ') !== as.join(', ')) return { ok: false, detail: `schema differs: expected (${es.join(', ')}), read back (${as.join(', ')})` };
  const counts = new Map<string, number>();
  for (const k of rowKeys(expected)) counts.set(k, (counts.get(k) ?? 0) + 1);
  const unexpected: string[] = [];
  let unexpectedCount = 0;
  for (const k of rowKeys(actual)) {
    const n = counts.get(k);
    if (n === undefined || n === 0) {
      unexpectedCount++;
      if (unexpected.length < sample) unexpected.push(k);
    } else {
      counts.set(k, n - 1);
    }
  }
  const missing: string[] = [];
  let missingCount = 0;
  for (const [k, n] of counts) {
    if (n === 0) continue;
    missingCount += n;
    if (missing.length < sample) missing.push(k);
  }
  if (missingCount === 0 && unexpectedCount === 0) return { ok: true };
  const names = expected.schema.fields.map((f) => f.name);
  const parts = [`read back ${actual.numRows} rows, expected ${expected.numRows}`];
  if (missingCount > 0) parts.push(`${missingCount} missing, e.g. ${missing.map((k) => showRow(k, names)).join('; ')}`);
  if (unexpectedCount > 0) parts.push(`${unexpectedCount} unexpected, e.g. ${unexpected.map((k) => showRow(k, names)).join('; ')}`);
  return { ok: false, detail: parts.join('; ') };
}
