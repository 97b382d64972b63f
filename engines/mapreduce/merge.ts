// The k-way merge of sorted segments (spills inside a map task, map outputs inside a reducer), as Hadoop's
// Merger: a binary heap ordered by key bytes, ties broken by segment number so the merge is stable and a
// record's position in the output does not depend on how many spills happened.
import { compareBytes } from './bytes.ts';
import { SegmentReader } from './segment.ts';

/**
 * Calls `onRecord` for every record of every segment in key order.
 * @example mergeSegments([new SegmentReader(a, 0, a.length), new SegmentReader(b, 0, b.length)], (r) => ...)
 */
export function mergeSegments(readers: readonly SegmentReader[], onRecord: (r: SegmentReader) => void): void {
  const heap: number[] = [];
  const less = (i: number, j: number): boolean => {
    const a = readers[i]!;
    const b = readers[j]!;
    const c = compareBytes(a.buf, a.ks, a.ke, b.buf, b.ks, b.ke);
    return c < 0 || (c === 0 && i < j);
  };
  const siftDown = (at: number): void => {
    const n = heap.length;
    for (;;) {
      const l = 2 * at + 1;
      if (l >= n) return;
      const r = l + 1;
      const m = r < n && less(heap[r]!, heap[l]!) ? r : l;
      if (!less(heap[m]!, heap[at]!)) return;
      [heap[m], heap[at]] = [heap[at]!, heap[m]!];
      at = m;
    }
  };
  for (let i = 0; i < readers.length; i++) {
    if (readers[i]!.next()) {
      heap.push(i);
      let at = heap.length - 1;
      while (at > 0) {
        const p = (at - 1) >> 1;
        if (!less(heap[at]!, heap[p]!)) break;
        [heap[p], heap[at]] = [heap[at]!, heap[p]!];
        at = p;
      }
    }
  }
  while (heap.length > 0) {
    const top = heap[0]!;
    const r = readers[top]!;
    onRecord(r);
    if (r.next()) {
      siftDown(0);
    } else {
      const last = heap.pop()!;
      if (heap.length > 0) {
        heap[0] = last;
        siftDown(0);
      }
    }
  }
}
