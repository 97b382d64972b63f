// Union: pandas' `pd.concat([a, b, ...])`, with danfo's concat along rows.
import * as dfd from './danfo.ts';
import type { Schema } from '../../plan/types.ts';
import { frameFromDanfo, type Frame } from './frame.ts';

/**
 * UNION ALL by position: columns take the first input's names.
 * @example concat([q1, q2], outputSchema(unionNode))
 */
export function concat(inputs: readonly Frame[], outSchema: Schema): Frame {
  const fields = outSchema.map((f, i) => ({ name: f.name, type: f.type, internal: `u${i}` }));
  // WARNING: danfo's concat appends into the first frame's column arrays in place, so every input is first copied
  // into a fresh frame holding exactly its fields in order (a scan may see only some of a loaded frame's columns),
  // then renamed to the shared names — the loaded tables must never change under a later query.
  const frames = inputs
    .filter((f) => f.df !== null)
    .map((f) => {
      const danfoColumns = f.df!.columns as string[];
      const copy = f.df!.iloc({ columns: f.fields.map((x) => danfoColumns.indexOf(x.internal)) });
      copy.rename(Object.fromEntries(f.fields.map((x, i) => [x.internal, `u${i}`])), { inplace: true });
      return copy;
    });
  if (frames.length === 0) return frameFromDanfo(fields, null);
  const joined = frames.length === 1 ? frames[0]! : dfd.concat({ dfList: frames, axis: 0 });
  // With a single column danfo returns a Series (of danfo-base's class, so instanceof dfd.Series is false).
  const df = (joined as unknown as { $isSeries?: boolean }).$isSeries ? new dfd.DataFrame({ u0: joined.values as unknown[] }) : (joined as dfd.DataFrame);
  return frameFromDanfo(fields, df);
}
