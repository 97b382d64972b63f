// Input adapter for PostgreSQL logical decoding with the wal2json plugin, format version 2 (one JSON object per
// change, with `include-lsn`): the changes of one table become the simple I/U/D form the validator checks.
import type { LiteralValue } from '../../plan/types.ts';
import type { Entity, RawChange } from './change.ts';
import { parseLsn } from './sequence.ts';
import { CdcBatchError } from './validate.ts';

interface Wal2JsonColumn {
  readonly name: string;
  readonly value: unknown;
}

/**
 * wal2json v2 messages (the `data` column of pg_logical_slot_get_changes, as text or parsed) → RawChange.
 * Only actions on `schema.table` are kept; B/C (transaction begin/commit) and M (messages) are skipped.
 * The sequence number is 2 × LSN (+1 for the insert half of a key-changing update, which becomes D old + I new),
 * so LSNs still compare as numbers and each event has its own. Timestamps are read as UTC.
 * WARNING: wal2json prints bigint columns as JSON numbers; values beyond 2^53 lose precision in JSON.parse.
 * @example fromWal2Json(customers, 'public', 'customers', rows.map((r) => r.data))
 */
export function fromWal2Json(entity: Entity, schema: string, table: string, messages: readonly (string | object)[]): RawChange[] {
  const out: RawChange[] = [];
  messages.forEach((message, index) => {
    const fail = (reason: string): never => {
      throw new CdcBatchError(`change batch rejected: wal2json message ${index} ${reason}; the target was left unchanged`, index);
    };
    let m: Record<string, unknown>;
    try {
      m = (typeof message === 'string' ? JSON.parse(message) : message) as Record<string, unknown>;
    } catch {
      return fail('is not valid JSON');
    }
    const action = m['action'];
    if (action === 'B' || action === 'C' || action === 'M') return;
    if (m['schema'] !== schema || m['table'] !== table) return;
    if (typeof m['lsn'] !== 'string') return fail("has no 'lsn' (request it with 'include-lsn', '1')");
    let lsn: bigint;
    try {
      lsn = parseLsn(m['lsn']);
    } catch (e) {
      return fail((e as Error).message);
    }
    const ts = typeof m['timestamp'] === 'string' ? parsePgTimestamp(m['timestamp']) : 0;
    const image = (field: 'columns' | 'identity'): Record<string, LiteralValue> => {
      const cols = m[field];
      if (!Array.isArray(cols)) return fail(`(action ${String(action)}) has no '${field}'`);
      return Object.fromEntries((cols as Wal2JsonColumn[]).map((c) => [c.name, convertValue(entity, c.name, c.value)]));
    };
    switch (action) {
      case 'I':
        out.push({ op: 'I', seq: 2n * lsn, ts, row: image('columns') });
        return;
      case 'U': {
        const row = image('columns');
        const identity = Array.isArray(m['identity']) ? image('identity') : null;
        if (identity && entity.key.some((k) => identity[k] !== undefined && identity[k] !== row[k])) {
          out.push({ op: 'D', seq: 2n * lsn, ts, row: identity }); // the key changed: delete the old key
          out.push({ op: 'I', seq: 2n * lsn + 1n, ts, row });
        } else out.push({ op: 'U', seq: 2n * lsn, ts, row });
        return;
      }
      case 'D':
        out.push({ op: 'D', seq: 2n * lsn, ts, row: image('identity') });
        return;
      case 'T':
        out.push({ op: 'T', seq: 2n * lsn, ts, row: null });
        return;
      default:
        fail(`has unknown wal2json action ${JSON.stringify(action ?? null)} (expected B, C, I, U, D, T or M)`);
    }
  });
  return out;
}

function convertValue(entity: Entity, name: string, value: unknown): LiteralValue {
  const f = entity.schema.find((c) => c.name === name);
  if (value === null || value === undefined || !f) return (value ?? null) as LiteralValue;
  if (f.type === 'timestamp' && typeof value === 'string') return parsePgTimestamp(value);
  if (f.type === 'int64' && typeof value === 'number') return BigInt(value);
  return value as LiteralValue;
}

/** `2024-01-01 00:00:00.123` (timestamp without time zone, read as UTC) or with a `+00` offset → ms. */
export function parsePgTimestamp(text: string): number {
  const m = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(\.\d+)?([+-]\d\d(?::?\d\d)?)?$/.exec(text);
  if (!m) return Number.NaN;
  const frac = m[3] ? m[3].slice(0, 4).padEnd(4, '0') : '.000';
  const zone = m[4] ? (m[4].length === 3 ? `${m[4]}:00` : m[4]) : 'Z';
  return Date.parse(`${m[1]}T${m[2]}${frac}${zone}`);
}
