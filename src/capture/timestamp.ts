/**
 * Exact conversions between 64-bit capture timestamps (two u32 halves counting
 * units of some resolution) and seconds + nanoseconds.
 *
 * Nanosecond timestamps of today are ~1.7e18, far above 2^53, so plain doubles
 * would lose the last digits. The common decimal resolutions (10^-0..10^-9)
 * are done with integer-valued doubles on 16-bit pieces, which stays exact and
 * allocation-free; only unusual resolutions (binary 2^-n, or finer than a
 * nanosecond) go through BigInt.
 */
import { CaptureError } from '../util/errors.js';

const TWO32 = 4294967296;
const TWO16 = 65536;
/** Above this high word the 64-bit value no longer fits a double exactly. */
const EXACT_HI_LIMIT = 0x200000;

/** How one interface counts time, precomputed once per interface. */
export interface TsResolution {
  /** Units per second as a number when it is 10^n with n <= 9 (fast path); 0 otherwise. */
  readonly unitsPerSec: number;
  /** Nanoseconds per unit for the fast path. */
  readonly nsPerUnit: number;
  /** The if_tsresol byte (bit 7 set: 2^-n, else 10^-n). */
  readonly raw: number;
  /** Decimal digits a presenter should print (n for 10^-n, 9 for binary fractions; at most 9). */
  readonly digits: number;
}

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

/** Resolution described by a pcapng if_tsresol byte (6 = microseconds, the default). */
export function tsResolution(raw: number): TsResolution {
  if ((raw & 0x80) === 0 && raw <= 9) {
    const unitsPerSec = POW10[raw] ?? 1;
    return { unitsPerSec, nsPerUnit: 1e9 / unitsPerSec, raw, digits: raw };
  }
  // Finer than a nanosecond still has only nanoseconds to show in a Frame.
  return { unitsPerSec: 0, nsPerUnit: 0, raw, digits: 9 };
}

export const MICROSECONDS: TsResolution = tsResolution(6);
export const NANOSECONDS: TsResolution = tsResolution(9);

/** Scratch result, overwritten by every call (the hot loop must not allocate). */
export interface SecNsec {
  sec: number;
  nsec: number;
}

/** Splits the 64-bit count hi:lo of `res` units into whole seconds and nanoseconds, into `out`. */
export function unitsToSecNsec(hi: number, lo: number, res: TsResolution, out: SecNsec): void {
  const d = res.unitsPerSec;
  if (d === 0) return bigUnitsToSecNsec(hi, lo, res.raw, out);
  if (hi < EXACT_HI_LIMIT) {
    const ts = hi * TWO32 + lo;
    let sec = Math.floor(ts / d);
    let rem = ts - sec * d;
    // The float quotient may land one off near multiples of d; the remainder is exact, so fix with it.
    if (rem < 0) {
      sec -= 1;
      rem += d;
    } else if (rem >= d) {
      sec += 1;
      rem -= d;
    }
    out.sec = sec;
    out.nsec = rem * res.nsPerUnit;
    return;
  }
  // Long division of hi:lo by d in 16-bit steps: every intermediate stays below 2^53.
  const qh = Math.floor(hi / d);
  const rh = hi - qh * d;
  const t1 = rh * TWO16 + (lo >>> 16);
  const q1 = Math.floor(t1 / d);
  const t2 = (t1 - q1 * d) * TWO16 + (lo & 0xffff);
  const q2 = Math.floor(t2 / d);
  out.sec = qh * TWO32 + q1 * TWO16 + q2;
  out.nsec = (t2 - q2 * d) * res.nsPerUnit;
}

function bigUnitsToSecNsec(hi: number, lo: number, raw: number, out: SecNsec): void {
  const ts = (BigInt(hi) << 32n) | BigInt(lo);
  const n = BigInt(raw & 0x7f);
  if (raw & 0x80) {
    const sec = ts >> n;
    out.sec = Number(sec);
    out.nsec = Number(((ts - (sec << n)) * 1_000_000_000n) >> n);
  } else {
    const d = 10n ** n;
    out.sec = Number(ts / d);
    out.nsec = Number((ts % d) / 10n ** (n - 9n));
  }
}

/** Scratch result for the writer side: the 64-bit count as two u32 halves. */
export interface HiLo {
  hi: number;
  lo: number;
}

/**
 * Count of 10^-digits units (digits 0..9) for sec + nsec, as hi:lo into `out`.
 * Throws for times a u64 count cannot hold (before 1970).
 */
export function secNsecToUnits(sec: number, nsec: number, digits: number, out: HiLo): void {
  const d = POW10[digits];
  if (d === undefined || !Number.isInteger(sec) || sec < 0 || sec >= 2 ** 38) {
    throw new CaptureError('UNSUPPORTED', `timestamp ${sec}.${nsec} cannot be written with 10^-${digits} s units`);
  }
  const frac = Math.floor(nsec / (1e9 / d));
  // sec*d + frac = (a*d)*2^16 + (b*d + frac) with sec = a*2^16 + b; each product stays below 2^53.
  const a = Math.floor(sec / TWO16);
  const x = (sec - a * TWO16) * d + frac;
  const y = a * d;
  const yh = Math.floor(y / TWO16);
  const low = (y - yh * TWO16) * TWO16 + x;
  const carry = Math.floor(low / TWO32);
  out.hi = yh + carry;
  out.lo = low - carry * TWO32;
  if (out.hi >= TWO32) throw new CaptureError('UNSUPPORTED', `timestamp ${sec} s does not fit 64 bits of 10^-${digits} s units`);
}
