/**
 * 64-bit data sequence numbers as plain numbers.
 *
 * BigInt costs some 80 ns per conversion in V8, twice a packet for a DSS
 * with a DSN and a data ACK: too slow for a million packets a second. So the
 * tracker reads DSNs from the option bytes as two u32 halves and keeps, per
 * direction, only values relative to a base (the IDSN, or the first DSN
 * seen). Relative values stay exact doubles up to 2^53 bytes of data, and
 * 32-bit DSNs are extended from the current position with carry across
 * 2^32, as TCP sequence numbers are unwrapped.
 */

export const TWO_32 = 4294967296;

/**
 * `x` modulo 2^32, in [0, 2^32), for any integer-valued double (negative
 * too). Every step is exact below 2^53 (dividing by a power of two only
 * moves the exponent), and it avoids `%` on doubles, a call into C.
 */
export function mod32(x: number): number {
  return x - Math.floor(x / TWO_32) * TWO_32;
}

/*
 * Halves of raw values (`hi`, `lo`, `lo32`) may be given signed or unsigned:
 * their 32 bits are what counts. Callers reading them from packets pass
 * them signed, small integers whatever their bits, where an unsigned
 * half past 2^31 would be a heap number at every call.
 */

/**
 * The relative value whose low 32 raw bits are `lo32` and which lies nearest
 * `ref` (within 2^31 either way). `baseLo` is the low half of the raw base.
 */
export function extend32(lo32: number, baseLo: number, ref: number): number {
  const refLo = mod32(baseLo + ref);
  return ref + ((lo32 - refLo) | 0);
}

/** (hi, lo) minus (baseHi, baseLo) modulo 2^64, read as a signed number. */
export function relative64(hi: number, lo: number, baseHi: number, baseLo: number): number {
  let dlo = (lo >>> 0) - baseLo;
  let dhi = hi - baseHi;
  if (dlo < 0) {
    dlo += TWO_32;
    dhi -= 1;
  }
  return (dhi | 0) * TWO_32 + dlo;
}

/** The high half of the raw base, given a full raw value (hi, lo) and its relative value. */
export function baseHighFrom(hi: number, lo: number, rel: number): number {
  const low = (lo >>> 0) - mod32(rel);
  const borrow = low < 0 ? 1 : 0;
  return mod32(hi - borrow - Math.floor(rel / TWO_32));
}

export function joinHalves(hi: number, lo: number): bigint {
  return (BigInt(hi) << 32n) | BigInt(lo);
}

export function highHalf(v: bigint): number {
  return Number(BigInt.asUintN(64, v) >> 32n);
}

export function lowHalf(v: bigint): number {
  return Number(BigInt.asUintN(32, v));
}

/** The raw 64-bit value of relative `rel` over raw base `base`. */
export function rawOf(base: bigint, rel: number): bigint {
  return BigInt.asUintN(64, base + BigInt(rel));
}
