// Input adapters: Debezium envelopes and wal2json v2 messages become the simple form; broken records name themselves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromDebezium } from '../../scenarios/cdc/debezium.ts';
import { fromWal2Json, parsePgTimestamp } from '../../scenarios/cdc/wal2json.ts';
import { CdcBatchError, validateBatch } from '../../scenarios/cdc/validate.ts';
import { customer, entity } from './support.ts';

test('Debezium c/u/r/d/t map to I/U/U/D/T with source.lsn as the sequence number (numbers, strings and X/Y LSNs)', () => {
  const raw = fromDebezium(entity, [
    { op: 'c', after: customer(1), source: { ts_ms: 5, lsn: 10 } },
    { payload: { op: 'u', before: null, after: customer(1, 'x'), source: { ts_ms: 6, lsn: '18446744073709551617' } } },
    { op: 'r', after: customer(2), source: { ts_ms: 7, lsn: '1/0' } },
    { op: 'd', before: customer(2), after: null, source: { ts_ms: 8, lsn: '1/10' } },
  ]);
  assert.deepEqual(raw.map((r) => r.op), ['I', 'U', 'U', 'D']);
  const events = validateBatch(entity, raw);
  assert.deepEqual(events.map((e) => e.seq), [10n, 2n ** 32n, 2n ** 32n + 16n, 18446744073709551617n]);
  assert.deepEqual(events.find((e) => e.op === 'D')!.row, { id: 2 });
  assert.equal(fromDebezium(entity, [{ op: 't', source: { ts_ms: 1, lsn: 3 } }])[0]!.op, 'T');
});

test('Debezium MicroTimestamp columns are converted to ms; a broken envelope names the record', () => {
  const [r] = fromDebezium(entity, [{ op: 'c', after: { ...customer(1), updated_at: 1_700_000_000_123_456 }, source: { ts_ms: 1, lsn: 1 } }], { timestampUnit: 'us' });
  assert.equal((r!.row as { updated_at: number }).updated_at, 1_700_000_000_123);
  assert.throws(() => fromDebezium(entity, [{ op: 'c', after: customer(1), source: { ts_ms: 1, lsn: 1 } }, { op: 'x', source: { lsn: 2 } }]), (e: Error) => e instanceof CdcBatchError && /Debezium record 1 has unknown Debezium op "x"/.test(e.message));
  assert.throws(() => fromDebezium(entity, [{ op: 'd', before: null, source: { ts_ms: 1, lsn: 1 } }]), /record 0 \(op d\) has no 'before' image/);
  assert.throws(() => fromDebezium(entity, [{ op: 'c', after: customer(1) }]), /record 0 has no 'source' block/);
});

test('wal2json v2: I/U/D/T of the table, B/C and other tables skipped, key-changing updates become D + I, LSNs doubled', () => {
  const cols = (id: number, name: string) => [
    { name: 'id', type: 'integer', value: id }, { name: 'name', type: 'text', value: name }, { name: 'city', type: 'text', value: null },
    { name: 'balance', type: 'double precision', value: 1.5 }, { name: 'updated_at', type: 'timestamp without time zone', value: '2024-01-01 00:00:00.123' },
  ];
  const msgs = [
    JSON.stringify({ action: 'B', lsn: '0/10' }),
    { action: 'I', lsn: '0/A', timestamp: '2026-11-25 11:07:33.168136+00', schema: 'public', table: 'customers', columns: cols(1, 'a') },
    { action: 'I', lsn: '0/B', schema: 'public', table: 'other', columns: cols(1, 'a') },
    { action: 'U', lsn: '0/C', schema: 'public', table: 'customers', columns: cols(2, 'b'), identity: [{ name: 'id', type: 'integer', value: 1 }] },
    { action: 'D', lsn: '1/0', schema: 'public', table: 'customers', identity: [{ name: 'id', type: 'integer', value: 2 }] },
    { action: 'T', lsn: '1/1', schema: 'public', table: 'customers' },
    { action: 'C', lsn: '1/2' },
  ];
  const raw = fromWal2Json(entity, 'public', 'customers', msgs);
  assert.deepEqual(raw.map((r) => `${r.op}${String(r.seq)}`), ['I20', 'D24', 'I25', `D${2n * 2n ** 32n}`, `T${2n * (2n ** 32n + 1n)}`]);
  assert.equal((raw[0]!.row as { updated_at: number }).updated_at, Date.UTC(2024, 0, 1, 0, 0, 0, 123));
  assert.equal(raw[0]!.ts, Date.UTC(2026, 10, 25, 11, 7, 33, 168));
  assert.throws(() => fromWal2Json(entity, 'public', 'customers', [{ action: 'I', schema: 'public', table: 'customers', columns: [] }]), /wal2json message 0 has no 'lsn'/);
  assert.throws(() => fromWal2Json(entity, 'public', 'customers', ['{nope']), /message 0 is not valid JSON/);
  assert.ok(Number.isNaN(parsePgTimestamp('yesterday')));
});
