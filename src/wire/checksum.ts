/**
 * Internet checksum (RFC 1071) over byte ranges, pseudo-header sums for IPv4
 * and IPv6, and helpers that verify or fill the checksum fields of IPv4, TCP,
 * UDP and ICMP headers in place.
 *
 * Sums are kept unfolded in a plain number (exact up to 2^53, far beyond any
 * packet) and folded once at the end.
 */

/**
 * One's-complement sum of the big-endian 16-bit words in `data[start, end)`,
 * added to `initial`. An odd last byte is padded with a zero byte, so when
 * chaining ranges every range but the last must have an even length.
 * The result is unfolded: pass it to `foldChecksum`.
 */
export function onesComplementSum(data: Uint8Array, start: number, end: number, initial = 0): number {
  if (end - start >= WORDWISE_MIN && LITTLE_ENDIAN) return initial + wordwiseSum(data, start, end);
  return initial + bytewiseSum(data, start, end, 0);
}

/** Below this many bytes a 32-bit view is not worth making. */
const WORDWISE_MIN = 128;

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Sum of `data[from, to)` as big-endian words whose grid starts `phase` (0 or
 * 1) bytes before `from`: with phase 1 the first byte is a low byte.
 */
function bytewiseSum(data: Uint8Array, from: number, to: number, phase: number): number {
  let hi = 0;
  let lo = 0;
  let i = from;
  if (phase === 1 && i < to) lo += data[i++]!;
  const pairs = to - ((to - i) & 1);
  for (; i < pairs; i += 2) {
    hi += data[i]!;
    lo += data[i + 1]!;
  }
  if (i < to) hi += data[i]!;
  return hi * 256 + lo;
}

/** Last buffer a 32-bit view was made over, reused while frames come from the same chunk. */
let viewBuffer: ArrayBufferLike | undefined;
let view32: Uint32Array = new Uint32Array(0);

/**
 * The same sum read as aligned 32-bit little-endian words: bytes up to the
 * first aligned address and after the last are summed one by one. RFC 1071
 * §2(B): a sum of byte-swapped words is the byte-swapped sum, so the words
 * are swapped back once at the end, unless the aligned part starts on an odd
 * byte of the word grid, where a little-endian read already matches it.
 */
function wordwiseSum(data: Uint8Array, start: number, end: number): number {
  const base = data.byteOffset;
  const head = (4 - ((base + start) & 3)) & 3;
  const m0 = start + head;
  const words = (end - m0) >>> 2;
  const m1 = m0 + words * 4;
  if (viewBuffer !== data.buffer) {
    viewBuffer = data.buffer;
    view32 = new Uint32Array(data.buffer, 0, data.buffer.byteLength >>> 2);
  }
  const v = view32;
  // Halves summed apart stay small integers (no float adds) for any packet-sized range.
  let lo = 0;
  let hi = 0;
  let w = (base + m0) >>> 2;
  const stop = w + words;
  for (const stop2 = stop - 1; w < stop2; w += 2) {
    const a = v[w]!;
    const b = v[w + 1]!;
    lo += (a & 0xffff) + (b & 0xffff);
    hi += (a >>> 16) + (b >>> 16);
  }
  if (w < stop) {
    lo += v[w]! & 0xffff;
    hi += v[w]! >>> 16;
  }
  let folded = fold16(lo + hi);
  if ((head & 1) === 0) folded = ((folded & 0xff) << 8) | (folded >>> 8);
  return bytewiseSum(data, start, m0, 0) + folded + bytewiseSum(data, m1, end, head & 1);
}

/** End-around-carry fold of a sum into 16 bits (not complemented). */
function fold16(sum: number): number {
  while (sum > 0xffff) sum = (sum % 0x10000) + Math.floor(sum / 0x10000);
  return sum;
}

/**
 * Folds the carries of an unfolded sum into 16 bits and complements it: the
 * value that goes into a checksum field. Over a range that already holds a
 * correct checksum the result is 0.
 */
export function foldChecksum(sum: number): number {
  return ~fold16(sum) & 0xffff;
}

/** Internet checksum of `data[start, end)`: the value a checksum field should hold. */
export function internetChecksum(data: Uint8Array, start: number, end: number, initial = 0): number {
  return foldChecksum(onesComplementSum(data, start, end, initial));
}

/** Sum of the IPv4 pseudo-header (source, destination, zero, protocol, length) of the header at `ipOffset`. */
export function ipv4PseudoHeaderSum(data: Uint8Array, ipOffset: number, protocol: number, length: number): number {
  return onesComplementSum(data, ipOffset + 12, ipOffset + 20, protocol + length);
}

/**
 * Sum of the IPv6 pseudo-header (source, destination, upper-layer length,
 * next header) of the header at `ipOffset`. The destination is the one in the
 * fixed header: with a routing header a sender would use the final hop instead.
 */
export function ipv6PseudoHeaderSum(data: Uint8Array, ipOffset: number, nextHeader: number, length: number): number {
  return onesComplementSum(data, ipOffset + 8, ipOffset + 40, nextHeader + (length >>> 16) + (length & 0xffff));
}

/** Pseudo-header sum for either IP version, chosen from the version nibble at `ipOffset`. */
export function pseudoHeaderSum(data: Uint8Array, ipOffset: number, protocol: number, length: number): number {
  return data[ipOffset]! >> 4 === 6
    ? ipv6PseudoHeaderSum(data, ipOffset, protocol, length)
    : ipv4PseudoHeaderSum(data, ipOffset, protocol, length);
}

/**
 * Length of the upper-layer segment at `l4Offset` as the IP header at
 * `ipOffset` announces it (IPv4 total length or IPv6 payload length, minus the
 * headers in between).
 */
export function upperLayerLength(data: Uint8Array, ipOffset: number, l4Offset: number): number {
  const ipLen = data[ipOffset]! >> 4 === 6
    ? 40 + ((data[ipOffset + 4]! << 8) | data[ipOffset + 5]!)
    : (data[ipOffset + 2]! << 8) | data[ipOffset + 3]!;
  return ipLen - (l4Offset - ipOffset);
}

// ------------------------------------------------------------------ IPv4

/** Whether the IPv4 header at `ipOffset` (IHL from the header) carries a correct checksum. */
export function verifyIpv4Checksum(data: Uint8Array, ipOffset: number): boolean {
  const hl = (data[ipOffset]! & 0x0f) * 4;
  return internetChecksum(data, ipOffset, ipOffset + hl) === 0;
}

/** Computes and writes the IPv4 header checksum; returns it. */
export function fillIpv4Checksum(buf: Uint8Array, ipOffset: number): number {
  const hl = (buf[ipOffset]! & 0x0f) * 4;
  buf[ipOffset + 10] = 0;
  buf[ipOffset + 11] = 0;
  const c = internetChecksum(buf, ipOffset, ipOffset + hl);
  buf[ipOffset + 10] = c >> 8;
  buf[ipOffset + 11] = c & 0xff;
  return c;
}

// ------------------------------------------------- transport with pseudo-header

/** Where the checksum field sits in each transport header that has a pseudo-header. */
const CHECKSUM_FIELD: Readonly<Record<number, number>> = { 6: 16, 17: 6, 58: 2 };

/**
 * Whether the transport segment at `l4Offset` (of `length` bytes, by default
 * what the IP header announces) verifies with the pseudo-header of the IP
 * header at `ipOffset`. The caller makes sure the whole segment is present.
 */
export function verifyTransportChecksum(
  data: Uint8Array, ipOffset: number, l4Offset: number, protocol: number,
  length = upperLayerLength(data, ipOffset, l4Offset),
): boolean {
  const sum = pseudoHeaderSum(data, ipOffset, protocol, length);
  return foldChecksum(onesComplementSum(data, l4Offset, l4Offset + length, sum)) === 0;
}

/**
 * Computes and writes the checksum of the transport segment at `l4Offset`
 * with the pseudo-header of the IP header at `ipOffset`; returns it.
 * `protocol` is 6 (TCP), 17 (UDP) or 58 (ICMPv6).
 */
export function fillTransportChecksum(
  buf: Uint8Array, ipOffset: number, l4Offset: number, protocol: number,
  length = upperLayerLength(buf, ipOffset, l4Offset),
): number {
  const field = l4Offset + (CHECKSUM_FIELD[protocol] ?? 16);
  buf[field] = 0;
  buf[field + 1] = 0;
  let c = internetChecksum(buf, l4Offset, l4Offset + length, pseudoHeaderSum(buf, ipOffset, protocol, length));
  // UDP sends a computed zero as all ones: zero means "no checksum" (RFC 768).
  if (c === 0 && protocol === 17) c = 0xffff;
  buf[field] = c >> 8;
  buf[field + 1] = c & 0xff;
  return c;
}

/** TCP checksum: see `fillTransportChecksum`. */
export function fillTcpChecksum(buf: Uint8Array, ipOffset: number, tcpOffset: number, length?: number): number {
  return fillTransportChecksum(buf, ipOffset, tcpOffset, 6, length);
}

/** UDP checksum: see `fillTransportChecksum`. */
export function fillUdpChecksum(buf: Uint8Array, ipOffset: number, udpOffset: number, length?: number): number {
  return fillTransportChecksum(buf, ipOffset, udpOffset, 17, length);
}

/**
 * ICMP checksum: ICMPv4 sums the message alone, ICMPv6 (IP header version 6)
 * adds the pseudo-header. `length` defaults to what the IP header announces.
 */
export function fillIcmpChecksum(buf: Uint8Array, ipOffset: number, icmpOffset: number, length?: number): number {
  if (buf[ipOffset]! >> 4 === 6) return fillTransportChecksum(buf, ipOffset, icmpOffset, 58, length);
  const len = length ?? upperLayerLength(buf, ipOffset, icmpOffset);
  buf[icmpOffset + 2] = 0;
  buf[icmpOffset + 3] = 0;
  const c = internetChecksum(buf, icmpOffset, icmpOffset + len);
  buf[icmpOffset + 2] = c >> 8;
  buf[icmpOffset + 3] = c & 0xff;
  return c;
}

/** Whether the ICMP or ICMPv6 message at `icmpOffset` verifies (see `fillIcmpChecksum`). */
export function verifyIcmpChecksum(data: Uint8Array, ipOffset: number, icmpOffset: number, length?: number): boolean {
  if (data[ipOffset]! >> 4 === 6) return verifyTransportChecksum(data, ipOffset, icmpOffset, 58, length);
  const len = length ?? upperLayerLength(data, ipOffset, icmpOffset);
  return internetChecksum(data, icmpOffset, icmpOffset + len) === 0;
}
