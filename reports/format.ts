// Number formatting for the report: times, byte sizes, counts, and engine counters whose unit is inferred from
// their name (the EngineMetrics convention: `bytes*`/`*Bytes` are bytes, `*Ms` are milliseconds, others are counts).

const COUNT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

/**
 * A duration in ms, with 3 significant digits and a unit that keeps the number readable.
 * @example
 * formatMs(0.4213); // '0.421 ms'
 * formatMs(1234);   // '1.23 s'
 */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  const abs = Math.abs(ms);
  if (abs >= 600_000) return `${sig(ms / 60_000)} min`;
  if (abs >= 1000) return `${sig(ms / 1000)} s`;
  return `${sig(ms)} ms`;
}

/**
 * A range of durations, sharing the unit when both ends have the same one.
 * @example
 * formatMsRange(1.97, 2.17); // '1.97–2.17 ms'
 */
export function formatMsRange(low: number, high: number): string {
  const a = formatMs(low);
  const b = formatMs(high);
  const unitA = a.slice(a.lastIndexOf(' '));
  return unitA === b.slice(b.lastIndexOf(' ')) ? `${a.slice(0, -unitA.length)}–${b}` : `${a} – ${b}`;
}

/**
 * A byte count in binary units (KiB = 1024 bytes), 3 significant digits.
 * @example
 * formatBytes(1536); // '1.50 KiB'
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return String(bytes);
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(2)} ${units[unit]}`;
}

/**
 * A plain count with thousands separators.
 * @example
 * formatCount(1234567); // '1,234,567'
 */
export function formatCount(n: number): string {
  return Number.isFinite(n) ? COUNT.format(n) : String(n);
}

/** The unit a counter's name implies. */
export type CounterUnit = 'bytes' | 'ms' | 'count';

/**
 * Infer a counter's unit from its name, following the EngineMetrics naming rule.
 * @example
 * counterUnit('bytesShuffled'); // 'bytes'
 * counterUnit('peakHeapBytes'); // 'bytes'
 * counterUnit('gcMs');          // 'ms'
 * counterUnit('tasks');         // 'count'
 */
export function counterUnit(name: string): CounterUnit {
  if (/^bytes(?![a-z])/.test(name) || /Bytes$/.test(name) || name === 'bytes') return 'bytes';
  if (/Ms$/.test(name) || name === 'ms') return 'ms';
  return 'count';
}

/**
 * Format a counter's value in the unit its name implies.
 * @example
 * formatCounter('bytesSpilled', 2097152); // '2.00 MiB'
 */
export function formatCounter(name: string, value: number): string {
  const unit = counterUnit(name);
  switch (unit) {
    case 'bytes':
      return formatBytes(value);
    case 'ms':
      return formatMs(value);
    case 'count':
      return formatCount(value);
  }
}

/** 3 significant digits without exponent notation for the magnitudes a report shows. */
function sig(x: number): string {
  if (x === 0) return '0';
  const abs = Math.abs(x);
  const decimals = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : Math.min(6, 2 - Math.floor(Math.log10(abs)));
  return x.toFixed(decimals);
}
