// Row selection by position: danfo's `iloc` (pandas `df.iloc[positions]`), used by filter, sort, limit and
// de-duplication. WARNING: only integer positions are passed to danfo 1.2 — its boolean-mask path (`query`,
// `iloc` with booleans) pushes index *labels* as positions, which picks the wrong rows once a frame has been
// filtered before, so masks are turned into positions first.
import { frameFromDanfo, type Frame } from './frame.ts';

/**
 * A new frame holding `positions` of `frame` in that order.
 * @example takeRows(frame, [2, 0]) // third row, then first
 */
export function takeRows(frame: Frame, positions: readonly number[]): Frame {
  if (!frame.df || positions.length === 0) return frameFromDanfo(frame.fields, null);
  return frameFromDanfo(frame.fields, frame.df.iloc({ rows: positions as number[] }));
}

/** The first `count` rows (`df.head(n)`). */
export function head(frame: Frame, count: number): Frame {
  if (!frame.df || count === 0) return frameFromDanfo(frame.fields, null);
  if (count >= frame.rows) return frame;
  return frameFromDanfo(frame.fields, frame.df.head(count));
}
