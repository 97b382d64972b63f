// Validation and normalisation of a batch before anything touches the target: every record is checked, exact
// duplicates (at-least-once delivery) are dropped, and any broken record rejects the whole batch with a one-line
// error naming the record by index and reason.
import { EngineError } from '../../engines/engine.ts';
import { assertNever, type DataType, type LiteralValue } from '../../plan/types.ts';
import { keyText, sameEvent, type ChangeEvent, type ChangeOp, type Entity, type RawChange } from './change.ts';
import { parseSeq } from './sequence.ts';

/** What to do with a truncate event: reject the batch (the default), or apply it as "delete every row". */
export type TruncatePolicy = 'reject' | 'apply';

/** A batch that breaks the rules; the target is left exactly as it was. */
export class CdcBatchError extends EngineError {
  override name = 'CdcBatchError';
  constructor(
    message: string,
    /** Index of the offending record in the batch as delivered. */
    readonly record: number,
  ) {
    super(message, 'bad-input');
  }
}

const OPS: readonly ChangeOp[] = ['I', 'U', 'D', 'T'];

/**
 * Check every record of a raw batch and return its events sorted by sequence number, exact duplicates removed.
 * Throws CdcBatchError for an unknown op, a malformed sequence number or timestamp, a missing or NULL key, a row
 * image with missing, unknown or mistyped columns, two different events sharing one sequence number, or a
 * truncate under the 'reject' policy.
 * @example validateBatch(customers, [{ op: 'I', seq: 1, ts: 0, row: { id: 1, ... } }])
 */
export function validateBatch(entity: Entity, raw: readonly RawChange[], truncate: TruncatePolicy = 'reject'): ChangeEvent[] {
  const events = raw.map((r, i) => validateRecord(entity, r, i, truncate));
  const bySeq = new Map<bigint, { event: ChangeEvent; index: number }>();
  const kept: ChangeEvent[] = [];
  events.forEach((event, index) => {
    const seen = bySeq.get(event.seq);
    if (!seen) {
      bySeq.set(event.seq, { event, index });
      kept.push(event);
    } else if (!sameEvent(seen.event, event)) {
      fail(index, `has sequence number ${event.seq} like record ${seen.index} but different content; sequence numbers must identify one event`);
    } // else: an at-least-once redelivery of the same event, dropped
  });
  return kept.sort((a, b) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0));
}

function fail(index: number, reason: string): never {
  throw new CdcBatchError(`change batch rejected: record ${index} ${reason}; the target was left unchanged — fix or drop that record and resend the batch`, index);
}

function validateRecord(entity: Entity, r: RawChange, index: number, truncate: TruncatePolicy): ChangeEvent {
  if (typeof r !== 'object' || r === null) fail(index, `is not an object`);
  const op = r.op;
  if (typeof op !== 'string' || !OPS.includes(op as ChangeOp)) fail(index, `has unknown op ${JSON.stringify(op ?? null)} (expected I, U, D or T)`);
  const seq = parseSeq(r.seq);
  if (seq === null) fail(index, `has a malformed sequence number ${describe(r.seq)} (expected a non-negative integer)`);
  const ts = r.ts;
  if (typeof ts !== 'number' || !Number.isSafeInteger(ts)) fail(index, `has a malformed timestamp ${describe(ts)} (expected ms since the epoch)`);
  if (op === 'T') {
    if (truncate === 'reject') fail(index, `is a truncate of ${entity.name}; truncates are rejected by default (set the truncate policy to 'apply' to delete every row)`);
    return { op, seq, tsMs: ts, row: null };
  }
  if (typeof r.row !== 'object' || r.row === null || Array.isArray(r.row)) fail(index, `(op ${op}) has no row image`);
  const given = r.row as Record<string, unknown>;
  for (const k of entity.key) {
    if (given[k] === null || given[k] === undefined) fail(index, `(op ${op}) is missing key column '${k}'`);
  }
  const row: Record<string, LiteralValue> = {};
  const columns = op === 'D' ? entity.schema.filter((f) => entity.key.includes(f.name)) : entity.schema;
  for (const f of columns) {
    if (!(f.name in given)) fail(index, `(op ${op}) is missing column '${f.name}'`);
    const v = checkValue(given[f.name], f.type);
    if (v === undefined) fail(index, `(op ${op}) has ${describe(given[f.name])} in column '${f.name}', which is not a ${f.type}`);
    row[f.name] = v;
  }
  if (op !== 'D') {
    const unknown = Object.keys(given).find((k) => !entity.schema.some((f) => f.name === k));
    if (unknown !== undefined) fail(index, `(op ${op}) has unknown column '${unknown}'; ${entity.name} has: ${entity.schema.map((f) => f.name).join(', ')}`);
  }
  return { op: op as ChangeOp, seq, tsMs: ts, row };
}

/** The value in its canonical representation, or undefined when it does not have the column's type. */
function checkValue(v: unknown, type: DataType): LiteralValue | undefined {
  if (v === null || v === undefined) return v === null ? null : undefined;
  switch (type) {
    case 'int32':
      return typeof v === 'number' && Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31 ? v : undefined;
    case 'int64':
      if (typeof v === 'bigint') return v >= -(2n ** 63n) && v < 2n ** 63n ? v : undefined;
      return typeof v === 'number' && Number.isSafeInteger(v) ? BigInt(v) : undefined;
    case 'float64':
      return typeof v === 'number' ? v : undefined;
    case 'timestamp':
      return typeof v === 'number' && Number.isSafeInteger(v) ? v : undefined;
    case 'utf8':
      return typeof v === 'string' ? v : undefined;
    case 'bool':
      return typeof v === 'boolean' ? v : undefined;
    default:
      return assertNever(type, 'data type');
  }
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'bigint') return `${v}n`;
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

/** Events of one key, for collapse and the model. */
export function groupByKey(entity: Entity, events: readonly ChangeEvent[]): Map<string, ChangeEvent[]> {
  const out = new Map<string, ChangeEvent[]>();
  for (const e of events) {
    if (e.row === null) continue;
    const k = keyText(entity, e.row);
    const list = out.get(k);
    if (list) list.push(e);
    else out.set(k, [e]);
  }
  return out;
}
