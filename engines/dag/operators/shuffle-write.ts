// Shuffle write: split a map task's output into one block per reduce partition by hashing the key columns
// (Spark's HashPartitioner). Blocks stay in memory; the driver's block manager tracks them.
import { column, gatherBatch, type Batch } from '../columnar.ts';
import { hashRows, partitionOf } from '../hashing.ts';

export function partitionBatch(batch: Batch, keys: readonly string[], partitions: number): Batch[] {
  if (partitions === 1) return [batch];
  const n = batch.length;
  const hashes = hashRows(keys.map((k) => column(batch, k)), n);
  const part = new Int32Array(n);
  const counts = new Int32Array(partitions);
  for (let i = 0; i < n; i++) {
    const p = partitionOf(hashes[i]!, partitions);
    part[i] = p;
    counts[p]!++;
  }
  // Counting sort of row indices by partition: one pass, no per-row allocation.
  const starts = new Int32Array(partitions + 1);
  for (let p = 0; p < partitions; p++) starts[p + 1] = starts[p]! + counts[p]!;
  const fill = starts.slice(0, partitions);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[fill[part[i]!]!++] = i;
  const out: Batch[] = [];
  for (let p = 0; p < partitions; p++) out.push(gatherBatch(batch, order.subarray(starts[p]!, starts[p + 1]!)));
  return out;
}
