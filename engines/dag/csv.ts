// CSV reading for session.read.csv: RFC 4180 quoting, an optional header, and optional type inference
// (int32, float64, bool, timestamp, else utf8; empty fields are NULL), as Spark's inferSchema does.
import { tableFromColumns } from '../../plan/arrow.ts';
import type { DataType, Schema } from '../../plan/types.ts';
import type * as arrow from 'apache-arrow';

export function parseCsvRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (quoted) throw new Error('unterminated quoted field at end of file');
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => !(r.length === 1 && r[0] === ''));
}

const INT = /^[+-]?\d+$/;
const ISO = /^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$/;

function inferType(values: readonly string[]): DataType {
  const present = values.filter((v) => v !== '');
  if (present.length === 0) return 'utf8';
  if (present.every((v) => INT.test(v) && Math.abs(Number(v)) <= 2147483647)) return 'int32';
  if (present.every((v) => v.trim() !== '' && !Number.isNaN(Number(v)))) return 'float64';
  if (present.every((v) => /^(true|false)$/i.test(v))) return 'bool';
  if (present.every((v) => ISO.test(v))) return 'timestamp';
  return 'utf8';
}

function convert(v: string, type: DataType): unknown {
  if (v === '') return null;
  switch (type) {
    case 'int32':
    case 'float64':
      return Number(v);
    case 'int64':
      return BigInt(v);
    case 'bool':
      return v.toLowerCase() === 'true';
    case 'timestamp':
      return Date.parse(v.length <= 10 ? v : `${v.replace(' ', 'T')}Z`);
    case 'utf8':
      return v;
  }
}

/** Parse CSV text into an Arrow table; without inferSchema every column is utf8 (Spark's default). */
export function csvToTable(text: string, options: { header?: boolean; inferSchema?: boolean } = {}): arrow.Table {
  const rows = parseCsvRows(text);
  if (rows.length === 0) throw new Error('the CSV file is empty');
  const width = rows[0]!.length;
  const names = options.header ? rows[0]! : Array.from({ length: width }, (_, i) => `_c${i}`);
  const data = options.header ? rows.slice(1) : rows;
  data.forEach((r, i) => {
    if (r.length !== width) throw new Error(`CSV row ${i + (options.header ? 2 : 1)} has ${r.length} fields, expected ${width}`);
  });
  const schema: Schema = names.map((name, c) => ({ name, type: options.inferSchema ? inferType(data.map((r) => r[c]!)) : 'utf8' }));
  const columns: Record<string, unknown[]> = {};
  schema.forEach((f, c) => (columns[f.name] = data.map((r) => convert(r[c]!, f.type))));
  return tableFromColumns(schema, columns);
}
