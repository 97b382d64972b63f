// Log sequence numbers: arbitrary-size non-negative integers (BigInt in TypeScript), PostgreSQL `X/Y` LSNs, and
// the order-preserving text form plans carry them in so that every engine compares them correctly.

/** Digits of the length prefix: sequence numbers up to 10^9999 − 1. */
const LENGTH_DIGITS = 4;
const MAX_DIGITS = 10 ** LENGTH_DIGITS - 1;

/**
 * The text form of a sequence number that sorts like the number: a 4-digit length prefix, `:`, then the
 * decimal digits. Shorter numbers are smaller, equal lengths compare digit by digit, so plain string order
 * (Unicode code point, which the plan contract fixes for utf8) equals numeric order at any size.
 * WARNING: int64 would overflow past 2^63 − 1 (Debezium LSNs and Kafka offsets reach it); a zero-padded
 * fixed width would cap the size. Every plan compares `_seq` only through this encoding.
 * @example seqKey(5n) // '0001:5'
 * @example seqKey(2n ** 64n) // '0020:18446744073709551616'
 */
export function seqKey(seq: bigint): string {
  if (seq < 0n) throw new RangeError(`sequence numbers are non-negative, got ${seq}`);
  const digits = seq.toString(10);
  if (digits.length > MAX_DIGITS) throw new RangeError(`sequence number has ${digits.length} digits; at most ${MAX_DIGITS} are supported`);
  return `${String(digits.length).padStart(LENGTH_DIGITS, '0')}:${digits}`;
}

/** The number a `seqKey` encodes. */
export function seqFromKey(key: string): bigint {
  const m = /^(\d{4}):(\d+)$/.exec(key);
  if (!m || Number(m[1]) !== m[2]!.length) throw new RangeError(`'${key}' is not an encoded sequence number`);
  return BigInt(m[2]!);
}

/**
 * Parse a sequence number given as a bigint, a safe non-negative integer or a decimal string; null if malformed.
 * @example parseSeq('18446744073709551617') // 18446744073709551617n
 */
export function parseSeq(value: unknown): bigint | null {
  if (typeof value === 'bigint') return value >= 0n ? value : null;
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? BigInt(value) : null;
  if (typeof value === 'string' && /^\d+$/.test(value)) return BigInt(value);
  return null;
}

/**
 * A PostgreSQL LSN `X/Y` (two hexadecimal 32-bit halves) as one number, (X << 32) + Y, so LSNs compare as
 * numbers: '0/A' < '0/10' < '1/0' although '0/A' > '0/10' as text.
 * @example parseLsn('16/B374D848') // 0x16B374D848n
 */
export function parseLsn(lsn: string): bigint {
  const m = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(lsn);
  if (!m) throw new RangeError(`'${lsn}' is not a PostgreSQL LSN (expected X/Y with two hexadecimal numbers, e.g. 16/B374D848)`);
  return (BigInt(`0x${m[1]}`) << 32n) + BigInt(`0x${m[2]}`);
}

/** Compare two LSNs numerically: negative, zero or positive. */
export function compareLsn(a: string, b: string): number {
  const x = parseLsn(a);
  const y = parseLsn(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
