import { outBuffer, put16, put32, u16, u32 } from './bytes.js';
import { foldChecksum, onesComplementSum, pseudoHeaderSum } from './checksum.js';
import type { Codec } from './codec.js';
import { report, truncated } from './findings.js';
import { ipv4Codec } from './ipv4.js';
import { ipv6Codec } from './ipv6.js';
import { decodeQuotedTcp, TCP_HEADER_LENGTH } from './tcp.js';
import type { TransportContext } from './transport.js';
import type { Finding, IcmpRepr, IpRepr, QuotedPacket } from './types.js';
import { udpCodec } from './udp.js';

export const ICMP_HEADER_LENGTH = 8;
export const IPPROTO_ICMP = 1;
export const IPPROTO_ICMPV6 = 58;

export const IcmpType = { ECHO_REPLY: 0, DEST_UNREACHABLE: 3, SOURCE_QUENCH: 4, REDIRECT: 5, ECHO_REQUEST: 8, TIME_EXCEEDED: 11, PARAMETER_PROBLEM: 12 } as const;
export const Icmpv6Type = { DEST_UNREACHABLE: 1, PACKET_TOO_BIG: 2, TIME_EXCEEDED: 3, PARAMETER_PROBLEM: 4, ECHO_REQUEST: 128, ECHO_REPLY: 129 } as const;

/** Error messages that quote the packet that caused them. */
export function icmpQuotes(v6: boolean, type: number): boolean {
  return v6 ? type >= 1 && type <= 4 : type === 3 || type === 4 || type === 5 || type === 11 || type === 12;
}

/**
 * RFC 4884 "length of the original datagram" in bytes, 0 when absent: ICMPv4
 * byte 5 in 32-bit words (Destination Unreachable, Time Exceeded, Parameter
 * Problem), ICMPv6 byte 4 in 64-bit words (Destination Unreachable, Time Exceeded).
 */
function originalDatagramLength(data: Uint8Array, offset: number, v6: boolean, type: number): number {
  if (v6) return type === 1 || type === 3 ? data[offset + 4]! * 8 : 0;
  return type === 3 || type === 11 || type === 12 ? data[offset + 5]! * 4 : 0;
}

/**
 * Decodes the packet an ICMP error quotes in `[start, end)`: its IP header,
 * then the TCP or UDP header as far as the quoted bytes go.
 */
export function decodeQuote(data: Uint8Array, start: number, end: number): QuotedPacket {
  const findings: Finding[] = [];
  const q: QuotedPacket = { transportBytes: 0, partial: false, findings };
  if (end - start < 1) return q;
  const version = data[start]! >> 4;
  let ip: IpRepr | undefined;
  let ipEnd: number;
  if (version === 6) {
    const r = ipv6Codec.decode(data, start, end, findings);
    ip = r;
    ipEnd = r === undefined ? 0 : start + 40 + r.payloadLength;
  } else {
    const r = ipv4Codec.decode(data, start, end, findings);
    ip = r;
    ipEnd = r === undefined ? 0 : start + r.totalLength;
  }
  q.ip = ip;
  if (ip === undefined || (ip.layer === 'ip' && ip.fragOffset !== 0)) return q;
  // Only go on when the IP header (options, extensions) was quoted whole.
  const hdrLen = ip.layer === 'ip' ? ip.ihl * 4 : ip.length;
  if (ip.length < hdrLen) return q;
  const ts = start + hdrLen;
  if (ts >= end) return q;
  q.transportBytes = end - ts;
  const segmentLength = Math.max(0, ipEnd - ts);
  if (ip.protocol === 6) {
    q.tcp = decodeQuotedTcp(data, ts, end, findings, segmentLength);
    const hl = q.tcp === undefined ? TCP_HEADER_LENGTH : Math.max(q.tcp.dataOffset * 4, TCP_HEADER_LENGTH);
    q.partial = q.transportBytes < hl;
  } else if (ip.protocol === 17) {
    q.udp = udpCodec.decode(data, ts, end, findings, { ipOffset: -1, segmentLength });
    q.partial = q.transportBytes < 8;
  }
  return q;
}

function decodeIcmp(v6: boolean, data: Uint8Array, offset: number, end: number, findings: Finding[], ctx?: TransportContext): IcmpRepr | undefined {
  const layer = v6 ? 'icmpv6' : 'icmp';
  if (end - offset < ICMP_HEADER_LENGTH) {
    truncated(findings, layer, v6 ? 'ICMPv6 header' : 'ICMP header', ICMP_HEADER_LENGTH, Math.max(0, end - offset), offset);
    return undefined;
  }
  const type = data[offset]!;
  const code = data[offset + 1]!;
  const checksum = u16(data, offset + 2);
  const segment = ctx !== undefined && ctx.segmentLength >= 0 ? ctx.segmentLength : end - offset;
  let checksumOk: boolean | undefined;
  if (ctx?.verifyChecksum !== false && offset + segment <= end && segment >= ICMP_HEADER_LENGTH && (!v6 || (ctx !== undefined && ctx.ipOffset >= 0))) {
    const initial = v6 ? pseudoHeaderSum(data, ctx!.ipOffset, IPPROTO_ICMPV6, segment) : 0;
    const sum = onesComplementSum(data, offset, offset + segment, initial);
    checksumOk = foldChecksum(sum) === 0;
    if (!checksumOk) {
      const should = foldChecksum(sum - checksum).toString(16).padStart(4, '0');
      report(findings, 'error', `${layer}.checksum.bad`, layer, `Bad checksum [should be 0x${should}]`, offset + 2);
    }
  }
  const originalLength = originalDatagramLength(data, offset, v6, type);
  const payloadOffset = offset + ICMP_HEADER_LENGTH;
  let quote: QuotedPacket | undefined;
  if (icmpQuotes(v6, type)) {
    quote = decodeQuote(data, payloadOffset, originalLength > 0 ? Math.min(end, payloadOffset + originalLength) : end);
  }
  return {
    layer,
    offset,
    length: ICMP_HEADER_LENGTH,
    type,
    code,
    checksum,
    checksumOk,
    rest: u32(data, offset + 4),
    originalLength,
    quote,
    payloadOffset,
    payloadLength: Math.max(0, segment - ICMP_HEADER_LENGTH),
  };
}

function encodingLength(): number {
  return ICMP_HEADER_LENGTH;
}

/** Writes the 8-byte header (the quote or echo data is payload); checksum as the Repr says (see `fillIcmpChecksum`). */
function encode(r: IcmpRepr, buf?: Uint8Array, offset = 0): Uint8Array {
  const out = outBuffer(ICMP_HEADER_LENGTH, buf, offset);
  out[offset] = r.type;
  out[offset + 1] = r.code;
  put16(out, offset + 2, r.checksum);
  put32(out, offset + 4, r.rest);
  return out;
}

/**
 * ICMP (over IPv4). `payloadLength` is the message body on the wire (from
 * the IP length). The checksum covers the whole message, so it is verified
 * only when all of it was captured; a bad one is a finding, since nothing
 * offloads ICMP checksums.
 */
export const icmpCodec: Codec<IcmpRepr, TransportContext | undefined> = {
  decode: (data, offset, end, findings, ctx) => decodeIcmp(false, data, offset, end, findings, ctx),
  encodingLength,
  encode,
};

/** ICMPv6; its checksum needs the IPv6 pseudo-header, so it is verified only with an IP context. */
export const icmpv6Codec: Codec<IcmpRepr, TransportContext | undefined> = {
  decode: (data, offset, end, findings, ctx) => decodeIcmp(true, data, offset, end, findings, ctx),
  encodingLength,
  encode,
};
