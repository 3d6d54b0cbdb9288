/**
 * Frame to Packet: the link layer chosen by link type, the network layer by
 * EtherType, the transport by IP protocol, each decoded as far as the bytes
 * allow (the gopacket registry idea, kept to what mpscope needs).
 */
import type { Frame } from '../capture/types.js';
import { EtherType, ethernetCodec } from './ethernet.js';
import { report } from './findings.js';
import { icmpCodec, icmpv6Codec } from './icmp.js';
import { ipv4Codec } from './ipv4.js';
import { IPV6_HEADER_LENGTH, ipv6Codec } from './ipv6.js';
import { isLoopbackIpv4, isLoopbackIpv6, loopbackCodec } from './loopback.js';
import { PppProtocol, pppCodec } from './ppp.js';
import { sll2Codec, sllCodec } from './sll.js';
import { tcpCodec } from './tcp.js';
import type { TransportContext } from './transport.js';
import type { Finding, IpRepr, LinkRepr, Packet } from './types.js';
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
  /** Verify TCP, UDP and ICMP checksums when the whole segment is captured (default true). IPv4 header checksums are always verified. */
  checksums?: boolean | undefined;
}

// ------------------------------------------------------------------ registry

/** Link decoders by link type. A raw-IP link has no header: its EtherType comes from the version nibble. */
type LinkDecoder = (data: Uint8Array, end: number, findings: Finding[]) => LinkRepr | undefined;

const LINK_DECODERS = new Map<number, LinkDecoder>([
  [LinkType.ETHERNET, (d, e, f) => ethernetCodec.decode(d, 0, e, f)],
  [LinkType.LINUX_SLL, (d, e, f) => sllCodec.decode(d, 0, e, f)],
  [LinkType.LINUX_SLL2, (d, e, f) => sll2Codec.decode(d, 0, e, f)],
  [LinkType.NULL, (d, e, f) => loopbackCodec.decode(d, 0, e, f)],
  [LinkType.LOOP, (d, e, f) => loopbackCodec.decode(d, 0, e, f)],
  [LinkType.PPP, (d, e, f) => pppCodec.decode(d, 0, e, f)],
  [LinkType.PPP_HDLC, (d, e, f) => pppCodec.decode(d, 0, e, f)],
]);

const RAW_LINKS = new Set<number>([LinkType.RAW, LinkType.RAW_12, LinkType.RAW_14, LinkType.IPV4, LinkType.IPV6]);

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
  const data = frame.data;
  const end = data.length;
  const findings: Finding[] = [];
  const p: Packet = {
    number: frame.number,
    tsSec: frame.tsSec,
    tsNsec: frame.tsNsec,
    tsDigits: frame.tsDigits,
    origLen: frame.origLen,
    capLen: end,
    linkType: frame.linkType,
    data,
    ifIndex: frame.ifIndex,
    ifName: frame.ifName,
    link: undefined,
    ip: undefined,
    tcp: undefined,
    udp: undefined,
    icmp: undefined,
    payloadOffset: 0,
    payloadLength: end,
    etherType: 0,
    findings,
  };

  let at = 0;
  let etherType: number;
  if (RAW_LINKS.has(frame.linkType)) {
    const nibble = end > 0 ? data[0]! >> 4 : 0;
    etherType = nibble === 4 ? EtherType.IPV4 : nibble === 6 ? EtherType.IPV6 : 0;
    if (etherType === 0) report(findings, 'error', 'malformed', 'raw', `Raw IP packet with IP version ${nibble}`, 0);
  } else {
    const decodeLink = LINK_DECODERS.get(frame.linkType);
    if (decodeLink === undefined) {
      report(findings, 'note', 'link.unsupported', 'frame', `Link type ${frame.linkType} is not decoded`);
      return p;
    }
    const link = decodeLink(data, end, findings);
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
    const r = ipv4Codec.decode(data, at, end, findings);
    if (r === undefined) return p;
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
      const tcp = tcpCodec.decode(data, l4, ipEnd, findings, ctx);
      if (tcp === undefined) return p;
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

function withIp(p: Packet, ip: IpRepr, payloadOffset: number, ipEnd: number): Packet {
  p.ip = ip;
  p.payloadOffset = Math.min(payloadOffset, ipEnd);
  p.payloadLength = Math.max(0, ipEnd - payloadOffset);
  return p;
}
