import { outBuffer, put16, put32, u16, u32 } from './bytes.js';
import { foldChecksum, onesComplementSum, pseudoHeaderSum } from './checksum.js';
import type { Codec } from './codec.js';
import { report, truncated } from './findings.js';
import { decodeTcpOptions, encodeTcpOption, tcpOptionKinds, tcpOptionsLength } from './tcp-options.js';
import type { TransportContext } from './transport.js';
import type { Finding, TcpOption, TcpRepr } from './types.js';

export const TCP_HEADER_LENGTH = 20;
export const IPPROTO_TCP = 6;

function decode(data: Uint8Array, offset: number, end: number, findings: Finding[], ctx?: TransportContext): TcpRepr | undefined {
  return decodeTcp(data, offset, end, findings, ctx, undefined);
}

/**
 * The decoder, refilling `into` (a header it returned before, which the
 * caller no longer needs) instead of allocating when given one.
 */
export function decodeTcp(
  data: Uint8Array, offset: number, end: number, findings: Finding[], ctx: TransportContext | undefined, into: TcpRepr | undefined,
): TcpRepr | undefined {
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
  // Options that would report nothing are decoded when first read; the others now, for their findings.
  const optionsAt = offset + TCP_HEADER_LENGTH;
  const kinds = tcpOptionKinds(data, optionsAt, hdrEnd);
  const options = kinds >= 0 ? undefined : decodeTcpOptions(data, optionsAt, offset + hl, hdrEnd, findings, []);
  const checkable = ctx !== undefined && ctx.ipOffset >= 0 && ctx.verifyChecksum !== false && segment >= TCP_HEADER_LENGTH && offset + segment <= end;
  const payloadOffset = offset + hl;
  const ipOffset = checkable ? ctx.ipOffset : -1;
  const r = into instanceof DecodedTcp
    ? into.set(data, ipOffset, segment, options, optionsAt, offset + hl, hdrEnd)
    : new DecodedTcp(data, ipOffset, segment, options, optionsAt, offset + hl, hdrEnd);
  r.optionKinds = kinds;
  r.offset = offset;
  r.length = hdrEnd - offset;
  r.srcPort = u16(data, offset);
  r.dstPort = u16(data, offset + 2);
  r.seq = u32(data, offset + 4);
  r.ack = u32(data, offset + 8);
  r.dataOffset = dataOffset;
  r.flags = ((b12 & 0x0f) << 8) | data[offset + 13]!;
  r.window = u16(data, offset + 14);
  r.checksum = u16(data, offset + 16);
  r.urgentPointer = u16(data, offset + 18);
  r.payloadOffset = payloadOffset;
  r.payloadCaptured = Math.max(0, end - payloadOffset);
  r.payloadLength = Math.max(0, segment - hl);
  return r;
}

/**
 * A decoded TCP header whose checksum is verified on first read of
 * `checksumOk`: summing every payload byte is most of a decode's cost, and
 * most outputs (the packet list, tcpdump lines without -v) never look at it.
 * Likewise its options become objects on first read of `options`: the TCP
 * analysis and the packet list read the few values they need from the
 * bytes (TcpOptionWalk), and the objects were a third of the decoding time.
 * As `options` lives on the prototype, a spread copy does not carry it.
 */
class DecodedTcp implements TcpRepr {
  readonly layer = 'tcp';
  offset = 0;
  length = 0;
  srcPort = 0;
  dstPort = 0;
  seq = 0;
  ack = 0;
  dataOffset = 0;
  flags = 0;
  window = 0;
  checksum = 0;
  urgentPointer = 0;
  payloadOffset = 0;
  payloadCaptured = 0;
  payloadLength = 0;
  // True private fields: not enumerable, so spreading or serialising a header shows only its Repr.
  #data!: Uint8Array;
  /** IP header offset for the pseudo-header, or -1 when the checksum is not checkable. */
  #ipOffset!: number;
  #segment!: number;
  /** null until computed; undefined when the segment cannot be checked. */
  #verdict!: boolean | undefined | null;
  /** Undefined until first read. */
  #options!: TcpOption[] | undefined;
  #optionKinds = -1;
  /** The options area, and where its captured bytes end. */
  #optionsAt!: number;
  #areaEnd!: number;
  #capEnd!: number;

  constructor(data: Uint8Array, ipOffset: number, segment: number, options: TcpOption[] | undefined, optionsAt: number, areaEnd: number, capEnd: number) {
    this.set(data, ipOffset, segment, options, optionsAt, areaEnd, capEnd);
  }

  /** Makes this object the header of another segment (the caller then sets the public fields). */
  set(data: Uint8Array, ipOffset: number, segment: number, options: TcpOption[] | undefined, optionsAt: number, areaEnd: number, capEnd: number): this {
    this.#data = data;
    this.#ipOffset = ipOffset;
    this.#segment = segment;
    this.#verdict = ipOffset < 0 ? undefined : null;
    this.#options = options;
    this.#optionsAt = optionsAt;
    this.#areaEnd = areaEnd;
    this.#capEnd = capEnd;
    return this;
  }

  get options(): TcpOption[] {
    // Clean options only get here undecoded: the findings array is a formality.
    return this.#options ??= decodeTcpOptions(this.#data, this.#optionsAt, this.#areaEnd, this.#capEnd, [], []);
  }

  set options(v: TcpOption[]) {
    this.#options = v;
    this.#optionKinds = -1;
  }

  /** On the prototype like `options`: a spread copy or JSON shows only the Repr's own fields. */
  get optionKinds(): number {
    return this.#optionKinds;
  }

  set optionKinds(kinds: number | undefined) {
    this.#optionKinds = kinds ?? -1;
  }

  get checksumOk(): boolean | undefined {
    if (this.#verdict === null) {
      const sum = onesComplementSum(this.#data, this.offset, this.offset + this.#segment, pseudoHeaderSum(this.#data, this.#ipOffset, IPPROTO_TCP, this.#segment));
      this.#verdict = foldChecksum(sum) === 0;
    }
    return this.#verdict;
  }

  set checksumOk(v: boolean | undefined) {
    this.#verdict = v;
  }
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
