import { outBuffer } from './bytes.js';
import type { Codec } from './codec.js';
import { truncated } from './findings.js';
import type { Finding, LoopbackRepr } from './types.js';

export const LOOPBACK_HEADER_LENGTH = 4;

/** Address families that mean IPv6 on the BSDs and macOS (24 NetBSD/OpenBSD, 28 FreeBSD, 30 Darwin). */
export function isLoopbackIpv6(family: number): boolean {
  return family === 24 || family === 28 || family === 30;
}

export function isLoopbackIpv4(family: number): boolean {
  return family === 2;
}

/**
 * NULL writes the family in the capturing host's byte order, LOOP in network
 * order. Families are small numbers, so the order shows in which end of the
 * word is zero; this needs no link type.
 */
function decode(data: Uint8Array, offset: number, end: number, findings: Finding[]): LoopbackRepr | undefined {
  if (end - offset < LOOPBACK_HEADER_LENGTH) {
    truncated(findings, 'null', 'Loopback header', LOOPBACK_HEADER_LENGTH, Math.max(0, end - offset), offset);
    return undefined;
  }
  const b0 = data[offset]!, b1 = data[offset + 1]!, b2 = data[offset + 2]!, b3 = data[offset + 3]!;
  const bigEndian = b0 === 0 && b1 === 0 && (b2 !== 0 || b3 !== 0);
  const family = bigEndian ? (b2 << 8) | b3 : ((b3 << 24) | (b2 << 16) | (b1 << 8) | b0) >>> 0;
  return { layer: 'null', offset, length: LOOPBACK_HEADER_LENGTH, family, bigEndian };
}

function encodingLength(): number {
  return LOOPBACK_HEADER_LENGTH;
}

function encode(r: LoopbackRepr, buf?: Uint8Array, offset = 0): Uint8Array {
  const out = outBuffer(LOOPBACK_HEADER_LENGTH, buf, offset);
  const f = r.family >>> 0;
  const bytes = [f >>> 24, (f >>> 16) & 0xff, (f >>> 8) & 0xff, f & 0xff];
  if (!r.bigEndian) bytes.reverse();
  out.set(bytes, offset);
  return out;
}

/** BSD loopback encapsulation (LINKTYPE_NULL 0 and LINKTYPE_LOOP 108). */
export const loopbackCodec: Codec<LoopbackRepr> = { decode, encodingLength, encode };
