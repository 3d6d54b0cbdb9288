import { outBuffer, put16, u16 } from './bytes.js';
import { foldChecksum, onesComplementSum, pseudoHeaderSum } from './checksum.js';
import type { Codec } from './codec.js';
import { report, truncated } from './findings.js';
import type { TransportContext } from './transport.js';
import type { Finding, UdpRepr } from './types.js';

export const UDP_HEADER_LENGTH = 8;
export const IPPROTO_UDP = 17;

/**
 * UDP header. `payloadLength` is the payload on the wire (the length field,
 * bounded by what the IP header announces); the packet's payloadLength tells
 * what was captured. The checksum is verified when the whole datagram is
 * captured and an IP context is given; zero means "none" over IPv4.
 */
function decode(data: Uint8Array, offset: number, end: number, findings: Finding[], ctx?: TransportContext): UdpRepr | undefined {
  if (end - offset < UDP_HEADER_LENGTH) {
    truncated(findings, 'udp', 'UDP header', UDP_HEADER_LENGTH, Math.max(0, end - offset), offset);
    return undefined;
  }
  const udpLength = u16(data, offset + 4);
  const segment = ctx !== undefined && ctx.segmentLength >= 0 ? ctx.segmentLength : end - offset;
  let wire = udpLength;
  if (udpLength < UDP_HEADER_LENGTH) {
    report(findings, 'error', 'malformed', 'udp', `Bad length value ${udpLength} < UDP header length ${UDP_HEADER_LENGTH}`, offset + 4);
    wire = UDP_HEADER_LENGTH;
  } else if (udpLength > segment) {
    report(findings, 'error', 'malformed', 'udp', `Bad length value ${udpLength} > IP payload length`, offset + 4);
    wire = segment;
  }
  const checksum = u16(data, offset + 6);
  let checksumOk: boolean | undefined;
  const v6 = ctx !== undefined && ctx.ipOffset >= 0 && data[ctx.ipOffset]! >> 4 === 6;
  if (ctx !== undefined && ctx.ipOffset >= 0 && ctx.verifyChecksum !== false && offset + wire <= end && (checksum !== 0 || v6)) {
    checksumOk = checksum !== 0
      && foldChecksum(onesComplementSum(data, offset, offset + wire, pseudoHeaderSum(data, ctx.ipOffset, IPPROTO_UDP, udpLength))) === 0;
  }
  return {
    layer: 'udp',
    offset,
    length: UDP_HEADER_LENGTH,
    srcPort: u16(data, offset),
    dstPort: u16(data, offset + 2),
    udpLength,
    checksum,
    checksumOk,
    payloadOffset: offset + UDP_HEADER_LENGTH,
    payloadLength: wire - UDP_HEADER_LENGTH,
  };
}

function encodingLength(): number {
  return UDP_HEADER_LENGTH;
}

function encode(r: UdpRepr, buf?: Uint8Array, offset = 0): Uint8Array {
  const out = outBuffer(UDP_HEADER_LENGTH, buf, offset);
  put16(out, offset, r.srcPort);
  put16(out, offset + 2, r.dstPort);
  put16(out, offset + 4, r.udpLength);
  put16(out, offset + 6, r.checksum);
  return out;
}

export const udpCodec: Codec<UdpRepr, TransportContext | undefined> = { decode, encodingLength, encode };
