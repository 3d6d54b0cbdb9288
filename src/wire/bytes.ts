/**
 * Big-endian reads and writes on plain Uint8Arrays, and the encoder's output
 * buffer convention. Reads do no bounds checks: decoders check lengths once
 * per header and then read freely (the smoltcp `check_len` idea).
 */

export function u16(d: Uint8Array, i: number): number {
  return (d[i]! << 8) | d[i + 1]!;
}

export function u32(d: Uint8Array, i: number): number {
  return ((d[i]! << 24) | (d[i + 1]! << 16) | (d[i + 2]! << 8) | d[i + 3]!) >>> 0;
}

/** The same four bytes as a signed 32-bit number: a small integer whatever its bits, never a heap number (hash words, halves of 64-bit values). */
export function i32(d: Uint8Array, i: number): number {
  return (d[i]! << 24) | (d[i + 1]! << 16) | (d[i + 2]! << 8) | d[i + 3]!;
}

/** Eight bytes copied here are read by one DataView made once: no view per packet, one BigInt per value. */
const u64Bytes = new Uint8Array(8);
const u64View = new DataView(u64Bytes.buffer);

/**
 * A big-endian u64. Measured about twice as fast as joining two u32 reads
 * with BigInt shifts (which allocate a BigInt per step), and faster than a
 * DataView over the packet, which would have to be created per packet.
 */
export function u64(d: Uint8Array, o: number): bigint {
  const b = u64Bytes;
  b[0] = d[o]!;
  b[1] = d[o + 1]!;
  b[2] = d[o + 2]!;
  b[3] = d[o + 3]!;
  b[4] = d[o + 4]!;
  b[5] = d[o + 5]!;
  b[6] = d[o + 6]!;
  b[7] = d[o + 7]!;
  return u64View.getBigUint64(0);
}

export function put16(d: Uint8Array, i: number, v: number): void {
  d[i] = v >>> 8;
  d[i + 1] = v;
}

export function put32(d: Uint8Array, i: number, v: number): void {
  d[i] = v >>> 24;
  d[i + 1] = v >>> 16;
  d[i + 2] = v >>> 8;
  d[i + 3] = v;
}

/** Writes `src` (or as much of the `len` bytes as it has, zero-filling the rest) at `i`. */
export function putBytes(d: Uint8Array, i: number, src: Uint8Array, len = src.length): void {
  if (src.length >= len) d.set(len === src.length ? src : src.subarray(0, len), i);
  else {
    d.set(src, i);
    d.fill(0, i + src.length, i + len);
  }
}

/**
 * The buffer an encoder writes into: the caller's (checked to be large
 * enough) or a new one of exactly `length` bytes.
 */
export function outBuffer(length: number, buf: Uint8Array | undefined, offset: number): Uint8Array {
  if (buf === undefined) return new Uint8Array(offset + length);
  if (offset < 0 || offset + length > buf.length) {
    throw new RangeError(`encoding needs ${length} bytes at offset ${offset}, buffer has ${buf.length}`);
  }
  return buf;
}
