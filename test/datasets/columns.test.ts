// The Arrow buffer builders every generator uses: pooledUtf8 (the word-at-a-time copy of pooled strings that the
// retail, user_events and db-benchmark string columns go through) and Utf8Builder write exactly the values asked
// for, leave NULL slots empty, and produce buffers that depend only on the values (deterministic IPC bytes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as arrow from 'apache-arrow';
import { pooledUtf8, Utf8Builder, utf8Bytes, Utf8Pool, Validity } from '../../datasets/columns.ts';
import { Prng } from '../../datasets/prng.ts';

function strings(data: arrow.Data): (string | null)[] {
  const v = arrow.makeVector(data);
  return Array.from({ length: v.length }, (_, i) => v.get(i) as string | null);
}

/** Values of every byte length 0..41 (crossing the 4-byte word boundaries), multi-byte UTF-8 included. */
function pool(rng: Prng): string[] {
  const out: string[] = [];
  for (let len = 0; len <= 41; len++) out.push(Array.from({ length: len }, () => String.fromCharCode(65 + rng.int(26))).join(''));
  out.push('ü', 'Ελλάδα', '日本語', 'x✓');
  return out;
}

test('pooledUtf8 writes each row its pool value, NULL rows as empty slots, whatever the value lengths', () => {
  const rng = Prng.stream(1, 'test.pooled');
  for (const rows of [0, 1, 7, 8, 9, 1000]) {
    const values = pool(rng);
    const bytes = values.map(utf8Bytes);
    const indices = new Int32Array(rows).map(() => rng.int(values.length));
    const validity = new Validity(rows);
    for (let i = 0; i < rows; i++) if (rng.chance(0.2)) validity.setNull(i);
    const data = pooledUtf8(indices, bytes, validity);
    const expected = Array.from(indices, (p, i) => (validity.isNull(i) ? null : values[p]!));
    assert.deepEqual(strings(data), expected, `${rows} rows`);
    // NULL slots take no bytes and the value bytes are exactly the concatenated values.
    const offsets = data.valueOffsets;
    for (let i = 0; i < rows; i++) if (validity.isNull(i)) assert.equal(offsets[i + 1], offsets[i]);
    const concatenated = Buffer.concat(expected.filter((s): s is string => s !== null).map((s) => Buffer.from(s)));
    assert.ok(Buffer.from(data.values.buffer, data.values.byteOffset, data.values.byteLength).equals(concatenated));
    assert.equal(data.nullCount, validity.nullCount);
  }
});

test('pooledUtf8 and Utf8Builder build the same column from the same values, byte for byte in IPC', () => {
  const rng = Prng.stream(2, 'test.builders');
  const values = pool(rng);
  const bytes = values.map(utf8Bytes);
  const rows = 5000;
  const indices = new Int32Array(rows).map(() => rng.int(values.length));
  const validity = new Validity(rows);
  for (let i = 0; i < rows; i += 13) validity.setNull(i);
  // Hint of 1 byte per value: the builder must grow several times.
  const builder = new Utf8Builder(rows, 1);
  for (let i = 0; i < rows; i++) {
    if (validity.isNull(i)) builder.pushNull();
    else builder.push(bytes[indices[i]!]!);
  }
  const ipc = (d: arrow.Data) => arrow.tableToIPC(new arrow.Table({ s: arrow.makeVector(d) }), 'file');
  assert.ok(Buffer.from(ipc(pooledUtf8(indices, bytes, validity))).equals(Buffer.from(ipc(builder.finish(validity)))));
});

test('Utf8Builder.pushNumber zero-pads to the width and widens for larger numbers; finish checks the row count', () => {
  const b = new Utf8Builder(5, 4);
  b.pushNumber('id', 7, 3);
  b.pushNumber('id', 1234, 3);
  b.pushNumber('', 0);
  b.pushNull();
  b.pushNumber('C', 2 ** 53 - 1); // past int32: the slow division path
  const validity = new Validity(5);
  validity.setNull(3);
  assert.deepEqual(strings(b.finish(validity)), ['id007', 'id1234', '0', null, 'C9007199254740991']);
  const short = new Utf8Builder(2, 4);
  short.push(utf8Bytes('a'));
  assert.throws(() => short.finish(), /1 values appended, expected 2/);
});

test('Validity clears its padding bits and counts each NULL once', () => {
  const v = new Validity(11);
  assert.deepEqual([...v.bits], [0xff, 0b111]);
  v.setNull(10);
  v.setNull(10);
  v.setNull(0);
  assert.equal(v.nullCount, 2);
  assert.deepEqual([...v.bits], [0xfe, 0b011]);
});

test('Utf8Pool packs values of any length (growing as needed) and pooledUtf8 copies them like a list of byte arrays', () => {
  const pool = new Utf8Pool();
  const expected: string[] = [];
  for (let k = 0; k < 300; k++) {
    // Invoice-style numbers, cancellations, and plain values of 0..40 bytes, multi-byte included.
    let index: number;
    if (k % 3 === 0) {
      expected.push(String(536365 + k));
      index = pool.addNumber('', 536365 + k);
    } else if (k % 3 === 1) {
      expected.push(`C${k}`);
      index = pool.addNumber('C', k);
    } else {
      expected.push('ü'.repeat(k % 21));
      index = pool.add(utf8Bytes('ü'.repeat(k % 21)));
    }
    assert.equal(index, k);
  }
  assert.equal(pool.size, 300);
  const indices = Int32Array.from({ length: 2000 }, (_, i) => (i * 7919) % 300);
  const fromPool = pooledUtf8(indices, pool);
  assert.deepEqual(strings(fromPool), Array.from(indices, (k) => expected[k]!));
  const fromArrays = pooledUtf8(indices, expected.map(utf8Bytes));
  assert.ok(Buffer.from(fromPool.values).equals(Buffer.from(fromArrays.values)));
  assert.deepEqual([...fromPool.valueOffsets], [...fromArrays.valueOffsets]);
});

test('pooledUtf8 refuses a column past Arrow Utf8\'s 2 GiB, naming it, before allocating the bytes', () => {
  const mebibyte = new Uint8Array(2 ** 20).fill(65);
  assert.doesNotThrow(() => pooledUtf8(new Int32Array(2), [mebibyte], undefined, 'ok.column'));
  // 2049 rows of 1 MiB: 2^31 + 2^20 bytes.
  assert.throws(() => pooledUtf8(new Int32Array(2049), [mebibyte], undefined, 'big.column'), /^Error: big.column would exceed Arrow Utf8's 2 GiB/);
});
