// Input adapter for Debezium's change-event envelope (`op` c/u/d/r/t, `before`, `after`, `source.ts_ms`,
// `source.lsn`), the de-facto format of real CDC pipelines, to the simple I/U/D form the validator checks.
import type { LiteralValue } from '../../plan/types.ts';
import type { Entity, RawChange } from './change.ts';
import { parseLsn } from './sequence.ts';
import { CdcBatchError } from './validate.ts';

export interface DebeziumOptions {
  /**
   * Unit of timestamp columns in the row images: Debezium's PostgreSQL connector sends `timestamp` columns as
   * io.debezium.time.MicroTimestamp (µs since the epoch) by default, or ms with time.precision.mode=connect.
   */
  readonly timestampUnit?: 'ms' | 'us';
}

/**
 * Debezium events (bare envelopes, or `{ schema, payload }` from the JSON converter with schemas on) → RawChange.
 * c → I, u → U, r (snapshot read) → U (an upsert: the row exists in the source as of the snapshot), d → D (key
 * from `before`), t → T. The sequence number is `source.lsn` (a number, a decimal string or an `X/Y` LSN).
 * @example fromDebezium(customers, [{ op: 'r', after: { id: 1, ... }, source: { ts_ms: 0, lsn: 42 } }])
 */
export function fromDebezium(entity: Entity, events: readonly unknown[], options: DebeziumOptions = {}): RawChange[] {
  return events.map((raw, index) => {
    const fail = (reason: string): never => {
      throw new CdcBatchError(`change batch rejected: Debezium record ${index} ${reason}; the target was left unchanged — fix or drop that record and resend the batch`, index);
    };
    if (typeof raw !== 'object' || raw === null) return fail('is not an object');
    const env = ('payload' in raw && typeof (raw as { payload: unknown }).payload === 'object' ? (raw as { payload: object }).payload : raw) as Record<string, unknown>;
    const source = env['source'];
    if (typeof source !== 'object' || source === null) return fail("has no 'source' block (source.lsn and source.ts_ms are needed)");
    const { lsn, ts_ms } = source as { lsn?: unknown; ts_ms?: unknown };
    let seq: unknown = lsn;
    if (typeof lsn === 'string' && lsn.includes('/')) {
      try {
        seq = parseLsn(lsn);
      } catch (e) {
        return fail(`has a malformed source.lsn: ${(e as Error).message}`);
      }
    }
    const image = (side: 'before' | 'after'): Record<string, LiteralValue> | undefined => {
      const row = env[side];
      if (typeof row !== 'object' || row === null) return undefined;
      return convertRow(entity, row as Record<string, unknown>, options.timestampUnit ?? 'ms');
    };
    switch (env['op']) {
      case 'c':
        return { op: 'I', seq, ts: ts_ms, row: image('after') ?? fail("(op c) has no 'after' image") };
      case 'u':
      case 'r':
        return { op: 'U', seq, ts: ts_ms, row: image('after') ?? fail(`(op ${env['op']}) has no 'after' image`) };
      case 'd':
        return { op: 'D', seq, ts: ts_ms, row: image('before') ?? fail("(op d) has no 'before' image to take the key from (set REPLICA IDENTITY so deletes carry the key)") };
      case 't':
        return { op: 'T', seq, ts: ts_ms, row: null };
      default:
        return fail(`has unknown Debezium op ${JSON.stringify(env['op'] ?? null)} (expected c, u, d, r or t)`);
    }
  });
}

function convertRow(entity: Entity, row: Record<string, unknown>, unit: 'ms' | 'us'): Record<string, LiteralValue> {
  const out: Record<string, LiteralValue> = { ...(row as Record<string, LiteralValue>) };
  for (const f of entity.schema) {
    const v = row[f.name];
    if (f.type === 'timestamp' && unit === 'us' && typeof v === 'number') out[f.name] = Math.floor(v / 1000);
  }
  return out;
}
