/**
 * Frame to Packet: the link layer chosen by link type, the network layer by
 * EtherType, the transport by IP protocol, each decoded as far as the bytes
 * allow (the gopacket registry idea, kept to what mpscope needs).
 */
import type { Frame } from '../capture/types.js';
import { decodeEthernet, EtherType } from './ethernet.js';
import { report } from './findings.js';
import { icmpCodec, icmpv6Codec } from './icmp.js';
import { decodeIpv4 } from './ipv4.js';
import { IPV6_HEADER_LENGTH, ipv6Codec } from './ipv6.js';
import { isLoopbackIpv4, isLoopbackIpv6, loopbackCodec } from './loopback.js';
import { PppProtocol, pppCodec } from './ppp.js';
import { decodeSll, SLL2_HEADER_LENGTH, SLL_HEADER_LENGTH, sll2Codec, sllCodec } from './sll.js';
import { decodeTcp } from './tcp.js';
import type { TransportContext } from './transport.js';
import type { EthernetRepr, Finding, IpRepr, Ipv4Repr, LinkRepr, Packet, SllRepr, TcpRepr } from './types.js';
import { udpCodec } from './udp.js';

/** LINKTYPE_ values decodePacket knows (the capture module exports the full list). */
const LinkType = {
  NULL: 0,
  ETHERNET: 1,
  PPP: 9,
  RAW_12: 12,
  RAW_14: 14,
  PPP_HDLC: 50,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

export interface DecodeOptions {
  /** Verify TCP, UDP and ICMP checksums when the whole segment is captured (default true). */
  checksums?: boolean | undefined;
  /**
   * Verify IPv4 header checksums (default true). Off, `checksumOk` stays
   * undefined and a bad one is no finding: for outputs that never show it,
   * such as tshark's packet list (tshark 4.0 does not check it by default).
   */
  ipChecksums?: boolean | undefined;
}

export interface PacketDecoderOptions extends DecodeOptions {
  /**
   * PacketDecoder only: a sound IPv4/TCP frame over Ethernet or Linux cooked capture, of a reused Frame
   * (one with `bytes`) is decoded where it lies in the reader's buffer, so
   * `data` is that buffer and every offset counts from its start. Any other
   * frame, or one with a finding, is decoded from its own bytes as usual.
   * For consumers that read the bytes only through the headers' offsets
   * and lengths (the packet list, the TCP analysis), never through
   * data.length or offsets of their own.
   */
  inPlace?: boolean | undefined;
}

// ------------------------------------------------------------------ registry

/**
 * Link decoders by link type, besides Ethernet's (decoded first, into reused
 * objects when asked). A raw-IP link has no header: its EtherType comes from
 * the version nibble.
 */
type LinkDecoder = (data: Uint8Array, end: number, findings: Finding[]) => LinkRepr | undefined;

const LINK_DECODERS = new Map<number, LinkDecoder>([
  [LinkType.LINUX_SLL, (d, e, f) => sllCodec.decode(d, 0, e, f)],
  [LinkType.LINUX_SLL2, (d, e, f) => sll2Codec.decode(d, 0, e, f)],
  [LinkType.NULL, (d, e, f) => loopbackCodec.decode(d, 0, e, f)],
  [LinkType.LOOP, (d, e, f) => loopbackCodec.decode(d, 0, e, f)],
  [LinkType.PPP, (d, e, f) => pppCodec.decode(d, 0, e, f)],
  [LinkType.PPP_HDLC, (d, e, f) => pppCodec.decode(d, 0, e, f)],
]);

/** Link types whose frames start with the IP header (a comparison per frame; a Set lookup showed in profiles). */
function isRawLink(linkType: number): boolean {
  switch (linkType) {
    case LinkType.RAW:
    case LinkType.RAW_12:
    case LinkType.RAW_14:
    case LinkType.IPV4:
    case LinkType.IPV6:
      return true;
    default:
      return false;
  }
}

/** The EtherType a link header announces, translating loopback families and PPP protocols. */
function linkEtherType(link: LinkRepr): number {
  switch (link.layer) {
    case 'eth': return link.etherType;
    case 'sll': return link.protocol;
    case 'null':
      return isLoopbackIpv4(link.family) ? EtherType.IPV4 : isLoopbackIpv6(link.family) ? EtherType.IPV6 : 0;
    case 'ppp':
      return link.protocol === PppProtocol.IPV4 ? EtherType.IPV4 : link.protocol === PppProtocol.IPV6 ? EtherType.IPV6 : link.protocol;
  }
}

export { ETHER_TYPE_NAMES, etherTypeName, ipProtocolName } from './names.js';

// ------------------------------------------------------------------ decoding

/** Scratch context handed to the transport decoders (decoding is synchronous; nothing keeps it). */
const ctx: TransportContext = { ipOffset: -1, segmentLength: -1, verifyChecksum: true };

/** Decodes a captured frame. Never throws on packet bytes: problems become `findings`. */
export function decodePacket(frame: Frame, options?: DecodeOptions): Packet {
  return decodeFrame(frame, options, blankPacket(), undefined);
}

/**
 * Decodes frames into the same objects every time: the Packet, its findings
 * array and its Ethernet, IPv4 and TCP headers are refilled rather than
 * allocated (the gopacket DecodingLayerParser idea). Each result is only
 * valid until the next `decode`; for consumers that finish with a packet
 * before reading the next one (a packet list, a display filter, tcpdump
 * lines), it takes most of the garbage out of decoding.
 */
export class PacketDecoder {
  private readonly packet = blankPacket();
  private readonly layers: Layers = { eth: undefined, sll: undefined, sll2: undefined, ipv4: undefined, tcp: undefined };

  private readonly checksums: boolean;
  private readonly ipChecksums: boolean;
  private readonly inPlace: boolean;

  constructor(private readonly options?: PacketDecoderOptions) {
    this.checksums = options?.checksums !== false;
    this.ipChecksums = options?.ipChecksums !== false;
    this.inPlace = options?.inPlace === true;
  }

  decode(frame: Frame): Packet {
    const p = this.packet;
    if (this.inPlace) {
      const bytes = frame.bytes;
      if (bytes !== undefined) {
        const start = frame.start!;
        // A finding's offset counts from the frame's first byte: such a frame is decoded again from its own bytes.
        if (decodeLinkIpv4Tcp(frame, bytes, start, start + frame.capLen!, p, this.layers, this.checksums, this.ipChecksums) && p.findings.length === 0 && p.tcp !== undefined) return p;
      }
    }
    const data = frame.data;
    if (decodeLinkIpv4Tcp(frame, data, 0, data.length, p, this.layers, this.checksums, this.ipChecksums)) return p;
    return decodeFrame(frame, this.options, p, this.layers);
  }
}

/** The headers a PacketDecoder refills, as the last decode left them. */
interface Layers {
  eth: EthernetRepr | undefined;
  sll: SllRepr | undefined;
  sll2: SllRepr | undefined;
  ipv4: Ipv4Repr | undefined;
  tcp: TcpRepr | undefined;
}

/** A packet with every member in place, so that all packets share one shape. */
function blankPacket(): Packet {
  return {
    number: 0, tsSec: 0, tsNsec: 0, tsDigits: 0, origLen: 0, capLen: 0, linkType: 0, data: EMPTY, ifIndex: 0, ifName: undefined,
    comments: undefined, link: undefined, ip: undefined, tcp: undefined, udp: undefined, icmp: undefined, payloadOffset: 0, payloadLength: 0, etherType: 0,
    findings: [],
  };
}

const EMPTY = new Uint8Array(0);

/** Decodes `frame` into `p`, a blank packet or one to refill; `layers`: headers to refill, when reusing. */
function decodeFrame(frame: Frame, options: DecodeOptions | undefined, p: Packet, layers: Layers | undefined): Packet {
  const data = frame.data;
  const end = data.length;
  const findings = p.findings;
  startPacket(frame, p, data, end);

  let at = 0;
  let etherType: number;
  if (isRawLink(frame.linkType)) {
    const nibble = end > 0 ? data[0]! >> 4 : 0;
    etherType = nibble === 4 ? EtherType.IPV4 : nibble === 6 ? EtherType.IPV6 : 0;
    if (etherType === 0) report(findings, 'error', 'malformed', 'raw', `Raw IP packet with IP version ${nibble}`, 0);
  } else {
    let link: LinkRepr | undefined;
    if (frame.linkType === LinkType.ETHERNET) {
      link = decodeEthernet(data, 0, end, findings, layers?.eth);
      if (layers !== undefined && link !== undefined) layers.eth = link;
    } else {
      const decodeLink = LINK_DECODERS.get(frame.linkType);
      if (decodeLink === undefined) {
        report(findings, 'note', 'link.unsupported', 'frame', `Link type ${frame.linkType} is not decoded`);
        return p;
      }
      link = decodeLink(data, end, findings);
    }
    if (link === undefined) return p;
    p.link = link;
    at = link.offset + link.length;
    etherType = linkEtherType(link);
  }
  p.etherType = etherType;
  p.payloadOffset = at;
  p.payloadLength = end - at;

  let ip: IpRepr;
  let announced: number;
  if (etherType === EtherType.IPV4) {
    const r = decodeIpv4(data, at, end, findings, layers?.ipv4, options?.ipChecksums !== false);
    if (r === undefined) return p;
    if (layers !== undefined) layers.ipv4 = r;
    ip = r;
    if (r.totalLength !== 0 && r.totalLength < r.ihl * 4) return withIp(p, r, at + r.length, at + r.length);
    // Zero is what a TSO sender's capture shows: the frame tells the length.
    announced = r.totalLength;
  } else if (etherType === EtherType.IPV6) {
    const r = ipv6Codec.decode(data, at, end, findings);
    if (r === undefined) return p;
    ip = r;
    // Zero: a jumbogram, or a GSO sender's capture.
    announced = r.payloadLength === 0 ? 0 : IPV6_HEADER_LENGTH + r.payloadLength;
  } else {
    return p;
  }
  // Bytes of the IP packet on the wire: what the header announces, cut to what the frame had (as tshark does).
  const onWire = Math.max(frame.origLen, end) - at;
  if (announced === 0) announced = onWire;
  else if (announced > onWire) {
    report(findings, 'error', 'ip.length_exceeds_packet', ip.layer, ip.layer === 'ip'
      ? `IPv4 total length exceeds packet length (${onWire} bytes)`
      : `IPv6 payload length exceeds framing length (${onWire - IPV6_HEADER_LENGTH} bytes)`, at);
    announced = onWire;
  }
  const wireEnd = at + announced;
  const ipEnd = Math.min(end, wireEnd);

  const l4 = at + (ip.layer === 'ip' ? ip.ihl * 4 : ip.length);
  withIp(p, ip, l4, ipEnd);
  if (ip.isFragment || ip.length < l4 - at || l4 > ipEnd) return p;

  ctx.ipOffset = at;
  ctx.segmentLength = wireEnd - l4;
  ctx.verifyChecksum = options?.checksums !== false;
  switch (ip.protocol) {
    case 6: {
      const tcp = decodeTcp(data, l4, ipEnd, findings, ctx, layers?.tcp);
      if (tcp === undefined) return p;
      if (layers !== undefined) layers.tcp = tcp;
      p.tcp = tcp;
      // A header cut short puts its payload offset past the captured bytes.
      p.payloadOffset = Math.min(tcp.payloadOffset, ipEnd);
      p.payloadLength = tcp.payloadCaptured;
      break;
    }
    case 17: {
      const udp = udpCodec.decode(data, l4, ipEnd, findings, ctx);
      if (udp === undefined) return p;
      p.udp = udp;
      p.payloadOffset = udp.payloadOffset;
      p.payloadLength = Math.max(0, Math.min(ipEnd, udp.payloadOffset + udp.payloadLength) - udp.payloadOffset);
      break;
    }
    case 1:
    case 58: {
      const icmp = (ip.protocol === 1 ? icmpCodec : icmpv6Codec).decode(data, l4, ipEnd, findings, ctx);
      if (icmp === undefined) return p;
      p.icmp = icmp;
      p.payloadOffset = icmp.payloadOffset;
      p.payloadLength = ipEnd - icmp.payloadOffset;
      break;
    }
  }
  return p;
}

/** Makes `p` the undecoded packet of `frame`: its frame fields set, no layers, no findings. */
function startPacket(frame: Frame, p: Packet, data: Uint8Array, capLen: number): void {
  const findings = p.findings;
  // Emptying an array is a runtime call even when it is empty already.
  if (findings.length !== 0) findings.length = 0;
  p.number = frame.number;
  p.tsSec = frame.tsSec;
  p.tsNsec = frame.tsNsec;
  p.tsDigits = frame.tsDigits;
  p.origLen = frame.origLen;
  p.capLen = capLen;
  p.linkType = frame.linkType;
  p.data = data;
  p.ifIndex = frame.ifIndex;
  p.ifName = frame.ifName;
  p.comments = frame.comments;
  p.link = undefined;
  p.ip = undefined;
  p.tcp = undefined;
  p.udp = undefined;
  p.icmp = undefined;
  p.payloadOffset = 0;
  p.payloadLength = capLen;
  p.etherType = 0;
}

/**
 * decodeFrame for what nearly every packet of a big capture is: Ethernet
 * without VLAN tags, or Linux cooked (v1 or v2, what `tcpdump -i any`
 * writes), then IPv4 that is not a fragment, has its whole header captured
 * and announces a length the frame holds, then TCP. The same decoders run
 * in the same order with the same arguments; only the general path's
 * choices of link, network and transport layer, and its checks of the IP
 * lengths, are settled by a few byte comparisons up front (they were a third
 * of the decoding time). False, having changed nothing, for any other frame.
 * The frame is `data[base, end)`.
 */
function decodeLinkIpv4Tcp(
  frame: Frame, data: Uint8Array, base: number, end: number, p: Packet, layers: Layers, verifyChecksum: boolean, verifyIpChecksum: boolean,
): boolean {
  const linkType = frame.linkType;
  // The link header's length and where it says which protocol follows.
  let linkLength: number;
  let protocolAt: number;
  if (linkType === LinkType.ETHERNET) {
    linkLength = ETH_HEADER;
    protocolAt = base + 12;
  } else if (linkType === LinkType.LINUX_SLL) {
    linkLength = SLL_HEADER_LENGTH;
    protocolAt = base + 14;
  } else if (linkType === LinkType.LINUX_SLL2) {
    linkLength = SLL2_HEADER_LENGTH;
    protocolAt = base;
  } else {
    return false;
  }
  const capLen = end - base;
  const ipAt = base + linkLength;
  if (capLen < linkLength + IPV4_MIN || data[protocolAt] !== 0x08 || data[protocolAt + 1] !== 0x00 || data[ipAt + 9] !== 6) return false;
  const b0 = data[ipAt]!;
  const ipHeader = (b0 & 0x0f) * 4;
  const totalLength = (data[ipAt + 2]! << 8) | data[ipAt + 3]!;
  const fragment = ((data[ipAt + 6]! << 8) | data[ipAt + 7]!) & 0x3fff;
  const onWire = (frame.origLen > capLen ? frame.origLen : capLen) - linkLength;
  if (b0 >> 4 !== 4 || ipHeader < 20 || ipAt + ipHeader > end || totalLength < ipHeader || totalLength > onWire || fragment !== 0) return false;

  const findings = p.findings;
  startPacket(frame, p, data, capLen);
  if (linkType === LinkType.ETHERNET) {
    const eth = decodeEthernet(data, base, end, findings, layers.eth)!;
    layers.eth = eth;
    p.link = eth;
  } else if (linkType === LinkType.LINUX_SLL) {
    const sll = decodeSll(data, base, end, findings, 1, layers.sll)!;
    layers.sll = sll;
    p.link = sll;
  } else {
    const sll = decodeSll(data, base, end, findings, 2, layers.sll2)!;
    layers.sll2 = sll;
    p.link = sll;
  }
  p.etherType = EtherType.IPV4;
  const ip = decodeIpv4(data, ipAt, end, findings, layers.ipv4, verifyIpChecksum)!;
  layers.ipv4 = ip;
  const l4 = ipAt + ipHeader;
  const ipEnd = Math.min(end, ipAt + totalLength);
  withIp(p, ip, l4, ipEnd);
  ctx.ipOffset = ipAt;
  ctx.segmentLength = totalLength - ipHeader;
  ctx.verifyChecksum = verifyChecksum;
  const tcp = decodeTcp(data, l4, ipEnd, findings, ctx, layers.tcp);
  if (tcp === undefined) return true;
  layers.tcp = tcp;
  p.tcp = tcp;
  p.payloadOffset = Math.min(tcp.payloadOffset, ipEnd);
  p.payloadLength = tcp.payloadCaptured;
  return true;
}

const ETH_HEADER = 14;
/** The first 20 bytes of an IPv4 header. */
const IPV4_MIN = 20;

function withIp(p: Packet, ip: IpRepr, payloadOffset: number, ipEnd: number): Packet {
  p.ip = ip;
  p.payloadOffset = Math.min(payloadOffset, ipEnd);
  p.payloadLength = Math.max(0, ipEnd - payloadOffset);
  return p;
}
