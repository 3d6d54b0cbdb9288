/**
 * Decimal digits written into bytes, for the line builders of the packet
 * list and of tcpdump's lines: printing millions of packets is mostly
 * writing numbers.
 */

/** Bytes `putU` writes at most (2^53 has 16 digits). */
export const MAX_U_BYTES = 16;
/** Bytes past a number that `putU` may overwrite (its leading digits go out as a whole word). */
export const PUT_U_SLACK = 3;

/** The smallest number of t + 1 digits, for t = 1..9 (0 for t = 0, so that 0 has one digit). */
const DIGITS_FROM = new Int32Array([0, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000]);

/** Decimal digits of a non-negative integer below 2^53. */
export function decimalDigits(n: number): number {
  // One comparison whatever the size, rather than a tree of them: a tree's deeper
  // branches are first taken when the numbers grow (frame 100000, a sequence
  // number past 99999), and each threw away the compiled code of every caller.
  // bits * 1233 / 4096 is floor(log10(2^bits)), the digits less one, or one less still.
  if (n <= 0xffffffff) {
    const t = ((32 - Math.clz32(n)) * 1233) >>> 12;
    return n >= DIGITS_FROM[t]! ? t + 1 : t;
  }
  let d = 10;
  for (let x = 10000000000; x <= n; x *= 10) d++;
  return d;
}

/**
 * Each value 0..9999 as its four decimal digits, zero-padded, in one
 * little-endian 32-bit word, and how many of them it needs (1 for 0).
 * Numbers are written four digits per store: a line has ten or so, and
 * writing them two digits per step was a fifth of the packet list's time.
 */
const DIGITS4 = new Int32Array(10000);
const LENGTH4 = new Uint8Array(10000);
for (let i = 0; i < 10000; i++) {
  const text = String(i).padStart(4, '0');
  DIGITS4[i] = text.charCodeAt(0) | (text.charCodeAt(1) << 8) | (text.charCodeAt(2) << 16) | (text.charCodeAt(3) << 24);
  LENGTH4[i] = String(i).length;
}

/**
 * Writes an integer 0 <= n < 2^53 in decimal at `p` of the bytes `v` views;
 * returns the position after it. Up to PUT_U_SLACK bytes past it are
 * overwritten: the caller's room must leave them (a line builder's slack).
 */
export function putU(v: DataView, p: number, n: number): number {
  if (n < 10000) return putLead(v, p, n);
  if (n < 100000000) {
    // Below 10^8 the quotient is an int32 division, a multiplication.
    const hi = (n / 10000) | 0;
    p = putLead(v, p, hi);
    v.setInt32(p, DIGITS4[n - hi * 10000]!, true);
    return p + 4;
  }
  const top = Math.floor(n / 100000000);
  const low = n - top * 100000000;
  const mid = (low / 10000) | 0;
  p = putU(v, p, top);
  v.setInt32(p, DIGITS4[mid]!, true);
  v.setInt32(p + 4, DIGITS4[low - mid * 10000]!, true);
  return p + 8;
}

/** 0 <= n < 10000 without leading zeros: its word shifted past them, in one store. */
function putLead(v: DataView, p: number, n: number): number {
  const length = LENGTH4[n]!;
  v.setInt32(p, DIGITS4[n]! >>> ((4 - length) << 3), true);
  return p + length;
}

/**
 * Writes 0 <= n < 10^9 as exactly nine digits, zero-padded: a nanosecond
 * fraction, of which a caller keeps the first few and writes over the rest
 * (room for all nine is the caller's to make). Fixed places need neither a
 * digit count nor padding, which the time column paid for on every line.
 */
export function putNineDigits(v: DataView, p: number, n: number): void {
  const first = (n / 100000000) | 0;
  const low = n - first * 100000000;
  const mid = (low / 10000) | 0;
  v.setUint8(p, 48 + first);
  v.setInt32(p + 1, DIGITS4[mid]!, true);
  v.setInt32(p + 5, DIGITS4[low - mid * 10000]!, true);
}
