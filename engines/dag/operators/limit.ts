// Limit: the first `count` rows of a partition. Run per partition before the gather (local limit) and once
// after it (global limit), as Spark's LocalLimit / GlobalLimit.
import { sliceBatch, type Batch } from '../columnar.ts';

export function limit(count: number, batch: Batch): Batch {
  return batch.length <= count ? batch : sliceBatch(batch, 0, count);
}
