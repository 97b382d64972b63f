// The contract's text conversions: what CAST reads from utf8 and writes to it. Engines that evaluate expressions in
// JavaScript (dag, mapreduce, dataframe) call these; the SQL and Polars engines express the same rules in their own
// languages (regular expressions guard each parse), so that every engine reads and writes the same text.
//
// Reading (surrounding blanks — space, tab, CR, LF — are ignored; anything else is NULL):
//   numbers     [+-]digits[.digits][e[+-]digits] or [+-].digits[...]; to an integer type the value is truncated
//               toward zero, and out of the type's range is NULL; a float that overflows to ±inf is NULL
//   booleans    true, t, yes, y, 1 / false, f, no, n, 0, in any case
//   timestamps  YYYY-MM-DD (years 1-9999), then optionally a space or T and HH:MM[:SS[.fraction]], optionally Z (UTC);
//               (up to 6 fraction digits, truncated to milliseconds); a date or time that does not exist is NULL
// Writing:
//   timestamps  YYYY-MM-DD HH:MM:SS, then .fff without its trailing zeros when the milliseconds are not 0
//   floats      the shortest text that reads back as the same double: fixed notation with at least one decimal
//               ('100.0') when the decimal exponent is from -4 to 15, else d.ddde±XX ('1e+21', '1e-07')
//   others      integers in decimal, booleans as true/false

import { assertNever, type DataType } from './types.ts';

/** Blanks the text readers ignore around a value. */
export const BLANKS = ' \t\r\n';
/** A number the contract reads (after trimming BLANKS); the same pattern is used in the SQL engines. */
export const NUMBER_PATTERN = '^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?$';
/** An integer literal: read exactly, with no detour through a double (int64 beyond 2^53). */
export const INTEGER_PATTERN = '^[+-]?[0-9]+$';
/** A timestamp the contract reads; groups: year, month, day, hour, minute, second, fraction. */
export const TIMESTAMP_PATTERN =
  '^([0-9]{4})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])([ T]([01][0-9]|2[0-3]):([0-5][0-9])(:([0-5][0-9])([.][0-9]{1,6})?)?)?Z?$';
export const TRUE_WORDS: readonly string[] = ['true', 't', 'yes', 'y', '1'];
export const FALSE_WORDS: readonly string[] = ['false', 'f', 'no', 'n', '0'];

const NUMBER = new RegExp(NUMBER_PATTERN);
const INTEGER = new RegExp(INTEGER_PATTERN);
const TIMESTAMP = new RegExp(TIMESTAMP_PATTERN);
const TRIM = /^[ \t\r\n]+|[ \t\r\n]+$/g;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function trimBlanks(s: string): string {
  return s.replace(TRIM, '');
}

/** The float `s` denotes, or null. @example readFloat(' 1e3 ') // 1000 */
export function readFloat(s: string): number | null {
  const t = trimBlanks(s);
  if (!NUMBER.test(t)) return null;
  const x = Number(t);
  return Number.isFinite(x) ? x : null;
}

/**
 * A number cast to an integer type as the contract casts it: truncated toward zero, NULL (null) when out of the
 * type's range or not finite. (Returned as a number; int64 callers make a bigint of it.)
 * @example truncatedInteger(-12.7, 'int32') // -12; truncatedInteger(3e9, 'int32') // null
 */
export function truncatedInteger(x: number, to: 'int32' | 'int64'): number | null {
  const t = Math.trunc(x) + 0; // + 0: -0.5 is 0, not -0
  const fits = to === 'int32' ? t >= -2147483648 && t <= 2147483647 : t >= -(2 ** 63) && t < 2 ** 63;
  return fits ? t : null;
}

/** The int32 `s` denotes (truncated toward zero), or null. @example readInt32('-12.7') // -12 */
export function readInt32(s: string): number | null {
  const x = readFloat(s);
  return x === null ? null : truncatedInteger(x, 'int32');
}

/** The int64 `s` denotes (exactly for an integer literal, else truncated toward zero), or null. */
export function readInt64(s: string): bigint | null {
  const t = trimBlanks(s);
  let v: bigint;
  if (INTEGER.test(t)) v = BigInt(t);
  else {
    const x = readFloat(t);
    const truncated = x === null ? null : truncatedInteger(x, 'int64');
    if (truncated === null) return null;
    v = BigInt(truncated);
  }
  return v >= INT64_MIN && v <= INT64_MAX ? v : null;
}

/** The boolean `s` denotes, or null. @example readBool(' Yes') // true */
export function readBool(s: string): boolean | null {
  const t = trimBlanks(s).toLowerCase();
  if (TRUE_WORDS.includes(t)) return true;
  if (FALSE_WORDS.includes(t)) return false;
  return null;
}

/** The timestamp (ms since the epoch, UTC) `s` denotes, or null. @example readTimestamp('2020-01-02 03:04') */
export function readTimestamp(s: string): number | null {
  const m = TIMESTAMP.exec(trimBlanks(s));
  if (!m) return null;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[5], m[6], m[8]].map((g) => (g === undefined ? 0 : Number(g))) as [number, number, number, number, number, number];
  const ms = m[9] === undefined ? 0 : Number(m[9].slice(1, 4).padEnd(3, '0'));
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day); // setUTCFullYear, not Date.UTC: years 0-99 are not shifted to 19xx
  d.setUTCHours(hour, minute, second, ms);
  // A day past the month's end (2021-02-30) rolls over into the next month: such a date does not exist.
  return d.getUTCDate() === day && d.getUTCMonth() === month - 1 ? d.getTime() : null;
}

/**
 * Text read as `to` by the rules above (utf8 stays as it is).
 * @example readText(' 12 ', 'int32') // 12
 */
export function readText(s: string, to: DataType): number | bigint | boolean | string | null {
  switch (to) {
    case 'int32':
      return readInt32(s);
    case 'int64':
      return readInt64(s);
    case 'float64':
      return readFloat(s);
    case 'bool':
      return readBool(s);
    case 'timestamp':
      return readTimestamp(s);
    case 'utf8':
      return s;
    default:
      return assertNever(to, 'data type');
  }
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** A timestamp as the contract writes it. @example timestampText(10) // '1970-01-01 00:00:00.01' */
export function timestampText(ms: number): string {
  const d = new Date(ms);
  const year = d.getUTCFullYear();
  const base = `${pad(year, 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  const millis = d.getUTCMilliseconds();
  return millis === 0 ? base : `${base}.${pad(millis, 3).replace(/0+$/, '')}`;
}

/** A float as the contract writes it. @example floatText(100) // '100.0'; floatText(1e21) // '1e+21' */
export function floatText(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  // toExponential() gives the shortest digits that read back as x: d[.ddd]e±x.
  const [mantissa, exp] = x.toExponential().split('e') as [string, string];
  const exponent = Number(exp);
  if (exponent < -4 || exponent > 15) {
    const sign = exponent < 0 ? '-' : '+';
    return `${mantissa}e${sign}${pad(Math.abs(exponent))}`;
  }
  const text = String(x); // fixed notation in this range, with the same shortest digits
  return text.includes('.') ? text : `${text}.0`;
}
