// countChanges against a plain model on random states: the live rows of each pattern's state (tombstones,
// soft deletes, the latest version per key) before and after, matched by key and compared on their images.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { tableFromRows } from '../../plan/arrow.ts';
import type { Schema } from '../../plan/types.ts';
import type { Entity } from '../../scenarios/cdc/change.ts';
import { countChanges } from '../../scenarios/cdc/change-counts.ts';

const single: Entity = { name: 'c', key: ['id'], schema: [{ name: 'id', type: 'int32' }, { name: 'v', type: 'float64' }, { name: 's', type: 'utf8' }] };
const composite: Entity = { name: 'l', key: ['a', 'b'], schema: [{ name: 'a', type: 'utf8' }, { name: 'b', type: 'int64' }, { name: 'v', type: 'float64' }] };

type Row = Record<string, number | bigint | string | boolean | null>;
const seq = (n: number): string => String(n).padStart(6, '0');

// Small domains so keys collide, images repeat and NaN, -0 and NULL all occur.
const value = fc.constantFrom(0, -0, 1.5, Number.NaN, null);
const text = fc.constantFrom('x', 'y', '"x|"', null);
function imageArb(e: Entity): fc.Arbitrary<Row> {
  return e === single
    ? fc.record({ id: fc.integer({ min: 0, max: 5 }), v: value, s: text })
    : fc.record({ a: fc.constantFrom('p', 'q|', 'r'), b: fc.bigInt({ min: 0n, max: 2n }), v: value });
}
const keyText = (e: Entity, r: Row): string => JSON.stringify(e.key.map((k) => (typeof r[k] === 'bigint' ? `${r[k]}n` : r[k])));

/** The model: key → image (entity columns and _seq, as text) of every row a reader sees. */
function live(e: Entity, pattern: string, rows: Row[]): Map<string, string> {
  const image = (r: Row): string => JSON.stringify([...e.schema.map((f) => r[f.name]), r['_seq']], (_k, v) => (typeof v === 'bigint' ? `${v}n` : Object.is(v, -0) ? 0 : Number.isNaN(v) ? 'NaN' : v));
  const out = new Map<string, string>();
  if (pattern === 'insert-only-history') {
    const latest = new Map<string, Row>();
    for (const r of rows) {
      const prev = latest.get(keyText(e, r));
      if (!prev || String(r['_seq']) > String(prev['_seq'])) latest.set(keyText(e, r), r);
    }
    for (const [k, r] of latest) if (r['_op'] !== 'D') out.set(k, image(r));
    return out;
  }
  const flag = pattern === 'merge-hard-delete' ? '_deleted' : 'is_deleted';
  for (const r of rows) if (!r[flag]) out.set(keyText(e, r), image(r));
  return out;
}

function stateSchema(e: Entity, pattern: string): Schema {
  if (pattern === 'merge-hard-delete') return [...e.schema, { name: '_seq', type: 'utf8' }, { name: '_deleted', type: 'bool' }];
  if (pattern === 'merge-soft-delete') return [...e.schema, { name: 'is_deleted', type: 'bool' }, { name: '_seq', type: 'utf8' }];
  return [...e.schema, { name: '_op', type: 'utf8' }, { name: '_seq', type: 'utf8' }];
}

function stateArb(e: Entity, pattern: string): fc.Arbitrary<Row[]> {
  const extra = fc.record({ seq: fc.integer({ min: 0, max: 3 }), flag: fc.boolean(), op: fc.constantFrom('I', 'U', 'D') });
  return fc.array(fc.tuple(imageArb(e), extra), { maxLength: 12 }).map((rows) => {
    const out: Row[] = [];
    const seen = new Set<string>();
    for (const [img, x] of rows) {
      const k = keyText(e, img);
      // Merge patterns keep one row per key; the history keeps versions with distinct sequence numbers.
      const id = pattern === 'insert-only-history' ? `${k}@${x.seq}` : k;
      if (seen.has(id)) continue;
      seen.add(id);
      out.push({ ...img, _seq: seq(x.seq), ...(pattern === 'merge-hard-delete' ? { _deleted: x.flag } : pattern === 'merge-soft-delete' ? { is_deleted: x.flag } : { _op: x.op }) });
    }
    return out;
  });
}

for (const pattern of ['merge-hard-delete', 'merge-soft-delete', 'insert-only-history'] as const) {
  for (const e of [single, composite]) {
    test(`countChanges = the model: ${pattern}, ${e.key.length === 1 ? 'one key column' : 'two key columns'}`, () => {
      fc.assert(
        fc.property(stateArb(e, pattern), stateArb(e, pattern), (before, after) => {
          const a = live(e, pattern, before);
          const b = live(e, pattern, after);
          const expected = {
            inserted: [...b.keys()].filter((k) => !a.has(k)).length,
            updated: [...b].filter(([k, img]) => a.has(k) && a.get(k) !== img).length,
            deleted: [...a.keys()].filter((k) => !b.has(k)).length,
          };
          const schema = stateSchema(e, pattern);
          assert.deepEqual(countChanges(e, pattern, tableFromRows(schema, before), tableFromRows(schema, after)), expected);
        }),
        { numRuns: 300 },
      );
    });
  }
}
