/**
 * Sequence-space arithmetic on 32-bit TCP numbers held in plain doubles
 * (RFC 1982 serial comparison), and capture times as nanosecond doubles.
 */

/** `a` after `b` in sequence space. */
export const seqGt = (a: number, b: number): boolean => ((a - b) | 0) > 0;
/** `a` before `b` in sequence space. */
export const seqLt = (a: number, b: number): boolean => ((a - b) | 0) < 0;
/** `a` before or at `b` in sequence space. */
export const seqLe = (a: number, b: number): boolean => ((a - b) | 0) <= 0;

/** `a + b` wrapped to u32. */
export const add32 = (a: number, b: number): number => (a + b) >>> 0;
/** `a - b` wrapped to u32. */
export const sub32 = (a: number, b: number): number => (a - b) >>> 0;

export const NS_PER_SEC = 1e9;

/**
 * tshark measures intervals in unsigned 64-bit nanoseconds: a negative
 * interval (a packet captured out of time order) is never "within" a bound.
 */
export const within = (interval: number, bound: number): boolean => interval >= 0 && interval < bound;
