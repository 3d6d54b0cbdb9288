/**
 * Sequence number arithmetic: TCP's 32-bit numbers wrap (RFC 793's modular
 * comparisons), MPTCP's data sequence numbers are 64-bit but may travel as
 * their low 32 bits, which the receiver expands against what it expects.
 */

/** a + b modulo 2^32. */
export function seqAdd(a: number, b: number): number {
  return (a + b) >>> 0;
}

/** a - b as a signed distance (-2^31 .. 2^31). */
export function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

/** a comes after b (a > b modulo 2^32). */
export function seqAfter(a: number, b: number): boolean {
  return seqDiff(a, b) > 0;
}

/** a is b or comes after it. */
export function seqAtOrAfter(a: number, b: number): boolean {
  return seqDiff(a, b) >= 0;
}

const TWO_32 = 1n << 32n;
const HALF_32 = 1n << 31n;

/** A 64-bit value from the `width` bytes of it an option carried, the one nearest `reference`. */
export function expandDsn(value: bigint, width: 4 | 8, reference: bigint): bigint {
  if (width === 8) return BigInt.asUintN(64, value);
  const low = BigInt.asUintN(32, value);
  let v = (reference & ~(TWO_32 - 1n)) | low;
  if (v - reference > HALF_32) v -= TWO_32;
  else if (reference - v > HALF_32) v += TWO_32;
  return BigInt.asUintN(64, v);
}

/** 64-bit DSN text as people read it in reports (hex, as tshark shows keys). */
export function hex64(v: bigint): string {
  return `0x${BigInt.asUintN(64, v).toString(16).padStart(16, '0')}`;
}

/** Random numbers for keys, nonces and ISNs. */
export function randomU32(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0]!;
}

export function randomU64(): bigint {
  const w = crypto.getRandomValues(new Uint32Array(2));
  return (BigInt(w[0]!) << 32n) | BigInt(w[1]!);
}
