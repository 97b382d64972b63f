// Reading and printing the CLI's quantities: row counts (1e5, 100k, 1m), durations (60s, 2m, 500ms) and times.

/**
 * A row count as users write it: `100000`, `1e5`, `100k`, `1m`, `2.5m`, `1b` (suffixes are case-insensitive).
 * @example parseRows('1m') // 1_000_000
 */
export function parseRows(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?(?:e\d+)?)\s*([kmb]?)\s*$/i.exec(text);
  const scale = { '': 1, k: 1e3, m: 1e6, b: 1e9 } as const;
  const value = m ? Number(m[1]) * scale[m[2]!.toLowerCase() as keyof typeof scale] : NaN;
  if (!Number.isFinite(value) || value < 1 || !Number.isInteger(value)) {
    throw new Error(`invalid size '${text}': write a whole number of rows such as 100000, 1e5, 100k or 1m`);
  }
  return value;
}

/** A row count in the short form the summary uses: 5k, 100k, 1m, 1.5m, 10m. */
export function formatRows(rows: number): string {
  const fmt = (v: number, s: string): string => `${Number.isInteger(v) ? v : Number(v.toFixed(2))}${s}`;
  if (rows >= 1e9 && rows % 1e7 === 0) return fmt(rows / 1e9, 'b');
  if (rows >= 1e6 && rows % 1e4 === 0) return fmt(rows / 1e6, 'm');
  if (rows >= 1e3 && rows % 10 === 0) return fmt(rows / 1e3, 'k');
  return String(rows);
}

/**
 * A duration in ms from `60s`, `2m`, `1.5h`, `500ms`; a bare number means seconds.
 * @example parseDuration('90s') // 90_000
 */
export function parseDuration(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|min|h)?\s*$/i.exec(text);
  const unit = { ms: 1, s: 1e3, m: 60e3, min: 60e3, h: 3600e3 } as const;
  const ms = m ? Number(m[1]) * unit[(m[2] ?? 's').toLowerCase() as keyof typeof unit] : NaN;
  if (!Number.isFinite(ms) || ms <= 0) throw new Error(`invalid duration '${text}': write e.g. 60s, 2m or 500ms`);
  return ms;
}

/** A time with three significant digits and a fitting unit: 0.412 ms, 12.3 ms, 1.23 s, 2.0 min. */
export function formatMs(ms: number): string {
  if (ms < 1) return `${ms.toFixed(3)} ms`;
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

/** Bytes as MiB/GiB for the summary. */
export function formatBytes(bytes: number): string {
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(2)} GiB`;
  return `${(bytes / 2 ** 20).toFixed(0)} MiB`;
}
