import { outBuffer, put16, put32, u16, u32 } from './bytes.js';
import { foldChecksum, onesComplementSum, pseudoHeaderSum } from './checksum.js';
import type { Codec } from './codec.js';
import { report, truncated } from './findings.js';
import { decodeTcpOptions, encodeTcpOption, tcpOptionsLength } from './tcp-options.js';
import type { TransportContext } from './transport.js';
import type { Finding, TcpOption, TcpRepr } from './types.js';

export const TCP_HEADER_LENGTH = 20;
export const IPPROTO_TCP = 6;

function decode(data: Uint8Array, offset: number, end: number, findings: Finding[], ctx?: TransportContext): TcpRepr | undefined {
  if (end - offset < TCP_HEADER_LENGTH) {
    truncated(findings, 'tcp', 'TCP header', TCP_HEADER_LENGTH, Math.max(0, end - offset), offset);
    return undefined;
  }
  const b12 = data[offset + 12]!;
  const dataOffset = b12 >> 4;
  const declared = dataOffset * 4;
  // The segment on the wire; without an IP header, what was captured.
  const known = ctx !== undefined && ctx.segmentLength >= 0;
  const segment = known ? ctx.segmentLength : end - offset;
  let hl = declared;
  if (declared < TCP_HEADER_LENGTH) {
    report(findings, 'error', 'malformed', 'tcp', `Bogus TCP header length (${declared}, must be at least ${TCP_HEADER_LENGTH})`, offset + 12);
    hl = TCP_HEADER_LENGTH;
  } else if (known && declared > segment) {
    report(findings, 'error', 'malformed', 'tcp', `Bogus TCP header length (${declared}, larger than the segment length ${segment})`, offset + 12);
  }
  const hdrEnd = Math.min(offset + hl, end);
  if (hdrEnd < offset + hl) truncated(findings, 'tcp', 'TCP header', hl, hdrEnd - offset, offset);
  const options: TcpOption[] = [];
  if (hl > TCP_HEADER_LENGTH) decodeTcpOptions(data, offset + TCP_HEADER_LENGTH, offset + hl, hdrEnd, findings, options);
  const checksum = u16(data, offset + 16);
  let checksumOk: boolean | undefined;
  if (ctx !== undefined && ctx.ipOffset >= 0 && ctx.verifyChecksum !== false && segment >= TCP_HEADER_LENGTH && offset + segment <= end) {
    const sum = onesComplementSum(data, offset, offset + segment, pseudoHeaderSum(data, ctx.ipOffset, IPPROTO_TCP, segment));
    checksumOk = foldChecksum(sum) === 0;
  }
  const payloadOffset = offset + hl;
  return {
    layer: 'tcp',
    offset,
    length: hdrEnd - offset,
    srcPort: u16(data, offset),
    dstPort: u16(data, offset + 2),
    seq: u32(data, offset + 4),
    ack: u32(data, offset + 8),
    dataOffset,
    flags: ((b12 & 0x0f) << 8) | data[offset + 13]!,
    window: u16(data, offset + 14),
    checksum,
    checksumOk,
    urgentPointer: u16(data, offset + 18),
    options,
    payloadOffset,
    payloadCaptured: Math.max(0, end - payloadOffset),
    payloadLength: Math.max(0, segment - hl),
  };
}

/**
 * The TCP header as an ICMP error quotes it: RFC 792 quotes only 8 bytes
 * (ports and sequence number), RFC 1812 routers quote more. Reads what is
 * there, leaves the rest zero, and decodes the options when the whole header
 * is quoted. Undefined below 8 bytes.
 */
export function decodeQuotedTcp(data: Uint8Array, offset: number, end: number, findings: Finding[], segmentLength: number): TcpRepr | undefined {
  const have = end - offset;
  if (have >= TCP_HEADER_LENGTH) return decode(data, offset, end, findings, { ipOffset: -1, segmentLength });
  if (have < 8) return undefined;
  // Read the fixed fields from a zero-filled copy: whatever was not quoted reads as 0.
  const h = new Uint8Array(TCP_HEADER_LENGTH);
  h.set(data.subarray(offset, end));
  const dataOffset = h[12]! >> 4;
  return {
    layer: 'tcp',
    offset,
    length: have,
    srcPort: u16(h, 0),
    dstPort: u16(h, 2),
    seq: u32(h, 4),
    ack: u32(h, 8),
    dataOffset,
    flags: ((h[12]! & 0x0f) << 8) | h[13]!,
    window: u16(h, 14),
    checksum: u16(h, 16),
    checksumOk: undefined,
    urgentPointer: u16(h, 18),
    options: [],
    payloadOffset: end,
    payloadCaptured: 0,
    payloadLength: Math.max(0, segmentLength - Math.max(dataOffset * 4, TCP_HEADER_LENGTH)),
  };
}

function encodingLength(r: TcpRepr): number {
  return TCP_HEADER_LENGTH + tcpOptionsLength(r.options);
}

function encode(r: TcpRepr, buf?: Uint8Array, offset = 0): Uint8Array {
  const out = outBuffer(encodingLength(r), buf, offset);
  put16(out, offset, r.srcPort);
  put16(out, offset + 2, r.dstPort);
  put32(out, offset + 4, r.seq);
  put32(out, offset + 8, r.ack);
  out[offset + 12] = ((r.dataOffset & 0x0f) << 4) | ((r.flags >> 8) & 0x0f);
  out[offset + 13] = r.flags & 0xff;
  put16(out, offset + 14, r.window);
  put16(out, offset + 16, r.checksum);
  put16(out, offset + 18, r.urgentPointer);
  let at = offset + TCP_HEADER_LENGTH;
  for (const o of r.options) at += encodeTcpOption(o, out, at);
  return out;
}

/**
 * TCP header with its options. Decoding takes the IP context (segment length
 * and pseudo-header); without it the captured bytes are the segment and the
 * checksum is left unverified. Encoding writes the header only, checksum as
 * the Repr says (see `fillTcpChecksum`).
 */
export const tcpCodec: Codec<TcpRepr, TransportContext | undefined> = { decode, encodingLength, encode };
