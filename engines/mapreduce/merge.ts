// The k-way merge of sorted segments (spills inside a map task, map outputs inside a reducer), as Hadoop's
// Merger: a binary heap ordered by key bytes, ties broken by segment number so the merge is stable and a
// record's position in the output does not depend on how many spills happened.
import { compareCurrentKeys, SegmentReader } from './segment.ts';

/**
 * Calls `onRecord` for every record of every segment in key order.
 * @example mergeSegments([new SegmentReader(a, 0, a.length), new SegmentReader(b, 0, b.length)], (r) => ...)
 */
export function mergeSegments(readers: readonly SegmentReader[], onRecord: (r: SegmentReader) => void): void {
  // Heap of reader numbers; swaps through a temporary (a destructuring swap can allocate per step).
  const heap = new Int32Array(readers.length);
  let size = 0;
  const less = (i: number, j: number): boolean => {
    const c = compareCurrentKeys(readers[i]!, readers[j]!);
    return c < 0 || (c === 0 && i < j);
  };
  const siftDown = (at: number): void => {
    const top = heap[at]!;
    for (;;) {
      const l = 2 * at + 1;
      if (l >= size) break;
      const r = l + 1;
      const m = r < size && less(heap[r]!, heap[l]!) ? r : l;
      if (!less(heap[m]!, top)) break;
      heap[at] = heap[m]!;
      at = m;
    }
    heap[at] = top;
  };
  for (let i = 0; i < readers.length; i++) {
    if (!readers[i]!.next()) continue;
    let at = size++;
    while (at > 0) {
      const p = (at - 1) >> 1;
      if (!less(i, heap[p]!)) break;
      heap[at] = heap[p]!;
      at = p;
    }
    heap[at] = i;
  }
  while (size > 0) {
    const r = readers[heap[0]!]!;
    onRecord(r);
    if (!r.next()) {
      size--;
      if (size === 0) break;
      heap[0] = heap[size]!;
    }
    siftDown(0);
  }
}
