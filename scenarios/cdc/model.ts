// An independent model of the CDC rules in plain TypeScript: events are applied one at a time in sequence order,
// each only if it is newer than what the key already holds. Tests compare every engine's state against it.
import type * as arrow from 'apache-arrow';
import { tableFromRows } from '../../plan/arrow.ts';
import type { LiteralValue } from '../../plan/types.ts';
import { keyText, type ChangeEvent, type Entity, type RowImage } from './change.ts';
import type { PatternName } from './pattern.ts';
import { seqFromKey, seqKey } from './sequence.ts';
import { PATTERNS } from './patterns.ts';

interface KeyState {
  /** Latest image (NULL columns for a hard-delete tombstone or a never-seen deleted key). */
  row: RowImage;
  seq: bigint;
  deleted: boolean;
  deletedAt: number | null;
}

interface Version {
  readonly row: RowImage;
  readonly op: 'I' | 'U' | 'D';
  readonly validFrom: number;
  readonly seq: bigint;
}

/**
 * The rules, one event at a time. `events` are validated batches (validateBatch output) in delivery order.
 * @example
 *   const m = new CdcModel(customers, 'merge-hard-delete');
 *   m.seed(snapshotRows, 0n, 0); m.apply(validateBatch(customers, raw)); m.stateTable();
 */
export class CdcModel {
  private readonly keys = new Map<string, KeyState>();
  private readonly versions: Version[] = [];

  constructor(
    readonly entity: Entity,
    readonly pattern: PatternName,
  ) {}

  seed(rows: readonly RowImage[], seq: bigint, tsMs: number): void {
    for (const row of rows) {
      this.keys.set(keyText(this.entity, row), { row, seq, deleted: false, deletedAt: null });
      this.versions.push({ row, op: 'I', validFrom: tsMs, seq });
    }
  }

  apply(events: readonly ChangeEvent[]): void {
    for (const e of events) {
      if (e.op === 'T') this.truncate(e.seq, e.tsMs);
      else this.applyOne(e);
    }
  }

  private applyOne(e: ChangeEvent): void {
    const k = keyText(this.entity, e.row!);
    const had = this.keys.get(k);
    if (had && had.seq >= e.seq) return; // late or redelivered: the key already holds a newer (or this) change
    const op = e.op as 'I' | 'U' | 'D';
    if (op === 'D') {
      const row = this.pattern === 'merge-soft-delete' && had ? had.row : this.keyOnly(e.row!);
      this.keys.set(k, { row, seq: e.seq, deleted: true, deletedAt: e.tsMs });
      this.versions.push({ row: this.keyOnly(e.row!), op, validFrom: e.tsMs, seq: e.seq });
    } else {
      this.keys.set(k, { row: e.row!, seq: e.seq, deleted: false, deletedAt: null });
      this.versions.push({ row: e.row!, op, validFrom: e.tsMs, seq: e.seq });
    }
  }

  private truncate(seq: bigint, tsMs: number): void {
    for (const s of this.keys.values()) {
      if (s.seq >= seq) continue;
      this.versions.push({ row: this.keyOnly(s.row), op: 'D', validFrom: tsMs, seq });
      if (!s.deleted) {
        s.deletedAt = tsMs;
        if (this.pattern === 'merge-hard-delete') s.row = this.keyOnly(s.row);
      }
      s.deleted = true;
      s.seq = seq;
    }
  }

  private keyOnly(row: RowImage): RowImage {
    return Object.fromEntries(this.entity.schema.map((f) => [f.name, this.entity.key.includes(f.name) ? row[f.name]! : null]));
  }

  /** The state table the pattern's plans would hold (same schema as the pattern's stateSchema). */
  stateTable(): arrow.Table {
    const schema = PATTERNS[this.pattern].stateSchema(this.entity);
    const rows: Record<string, LiteralValue>[] = [];
    if (this.pattern === 'insert-only-history') {
      for (const v of this.versions) rows.push({ ...v.row, _op: v.op, valid_from: v.validFrom, _seq: seqKey(v.seq) });
    } else {
      for (const s of this.keys.values()) {
        if (this.pattern === 'merge-hard-delete') rows.push({ ...s.row, _seq: seqKey(s.seq), _deleted: s.deleted });
        else if (this.pattern === 'merge-soft-delete') rows.push({ ...s.row, is_deleted: s.deleted, deleted_at: s.deletedAt, _seq: seqKey(s.seq) });
        else if (!s.deleted) rows.push(s.row);
      }
    }
    return tableFromRows(schema, rows);
  }

  /** The live rows a reader sees. */
  currentTable(): arrow.Table {
    const rows = [...this.keys.values()].filter((s) => !s.deleted).map((s) => s.row);
    return tableFromRows(this.entity.schema, rows);
  }
}

/** The sequence number a state row holds. */
export function rowSeq(row: Record<string, LiteralValue>): bigint {
  return seqFromKey(String(row['_seq']));
}

