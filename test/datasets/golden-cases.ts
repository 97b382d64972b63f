// The pinned cases of golden.test.ts (also generated on two threads by parallel.test.ts): each generator's Arrow IPC
// bytes at a few (rows, seed, params) and their SHA-256.
import { createHash } from 'node:crypto';
import * as arrow from 'apache-arrow';
import type { DatasetParams } from '../../datasets/dataset.ts';

export const GOLDEN: readonly (readonly [string, number, number, DatasetParams, string])[] = [
  ['user_events', 12345, 42, {}, '6e99f6c789237e7244209c31cac560d0d3fc839352db8ba7e5a8c5a9bc6a6986'],
  ['user_events', 12345, 7, { skew: 'zipf', users: 1000 }, '5f06987e7d29f47b9ea6fc301f2c1c76543ccbedd861628889a7dfb2b8eff6e8'],
  ['retail', 12345, 42, {}, 'bdf6da7b97a9c0d7922240f26e639d982a75a521a8527d6c12cb8097e6423812'],
  ['retail', 100003, 3, {}, '7daf1f9035ab5a771736420aa26dcec05382562bd4ee6b8e2ebbbcec0011550a'],
  ['taxi_trips', 12345, 42, {}, '0be2126a6f33f49561b551727b491daf9f517c07405f6d0a4a955e9ae7d8a0e4'],
  ['dbbench_groupby', 12345, 42, {}, '647c723b853254ce73d1cb3b9d5ce8ee1f77688c86b58ffdcae16823d83a34f6'],
  ['dbbench_groupby', 12345, 42, { k: 10, naPct: 5, sorted: true }, '839f443ce1ca9387aa2197c426ced35d23452e522147c712070053a96ae54d61'],
  // Sorted in order in two ranges of rows (441 pieces: the helper's from piece 256).
  ['dbbench_groupby', 100003, 5, { k: 20, naPct: 3, sorted: true }, '643007b07b6cbcfcfd11ce89600b1b09ba7b196decdd300dba44590e0d5b4b9c'],
  ['dbbench_join', 12345, 42, {}, '554f93512de4ce9fd3720755f4b80e0d96acf5d617368263a540383cc24aa90b'],
  ['dbbench_join', 12345, 42, { naPct: 5, sorted: true }, '17ea76072a077a268db0f8e371762ecbd312dccaf394aef9e379cc209ac8cf4d'],
  // cdc: defaults; a one-row source emptied by deletes (the empty-source branch); small seqStart; seq crossing 10^18.
  ['cdc', 20000, 42, {}, '1077d6f9d42026885f12e45fc616e5d3715e3ca47994a2ab414175990bfa9ce2'],
  ['cdc', 1, 3, { batches: 30, changeFraction: 1 }, '3e5debbb39996e48219e99a611dd142eecba75b553c4f6b4035276fc9e278b39'],
  ['cdc', 3, 5, { batches: 40, changeFraction: 1, seqStart: '0' }, '7996af50c9c0755c8177e7acf87a79342d93a5672a240fafdacf6841a5da23f4'],
  ['cdc', 2000, 7, { batches: 6, changeFraction: 0.3, duplicateFraction: 0.2, seqStart: '999999999999999990' }, 'df0900c6994aaf5f6485b9cc6b2b19fddb9ec5d9e9c6a41abac8dbeecc1b3765'],
];

/** SHA-256 over every table's name and Arrow IPC file bytes, in the generator's table order. */
export function digestOf(tables: ReadonlyMap<string, arrow.Table>): string {
  const hash = createHash('sha256');
  for (const [name, table] of tables) {
    hash.update(name);
    hash.update(arrow.tableToIPC(table, 'file'));
  }
  return hash.digest('hex');
}
