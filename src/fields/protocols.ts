/**
 * The chain of protocols in a packet, spelled as tshark's `frame.protocols`
 * spells it (`eth:ethertype:ip:tcp:mptcp`, `sll:ethertype:ipv6:icmpv6`).
 */
import type { IpRepr, LinkRepr, Packet } from '../wire/types.js';
import { TcpFlag } from '../wire/types.js';
import { analysisHidesData } from './defs/tcp-analysis.js';
import type { PacketAnnotations } from './types.js';

const ETHERTYPE_ARP = 0x0806;
const TPID_8021AD = 0x88a8;
const ARPHRD_IPGRE = 778;
/** Link types whose frames tshark opens with a `raw` layer (LINKTYPE_RAW and the DLT_RAW strays). */
const RAW_LAYER_LINK_TYPES = new Set([12, 14, 101]);

/** tshark's name for each IPv6 extension header, by the next-header value that introduces it. */
export const IPV6_EXT_PROTOCOL: ReadonlyMap<number, string> = new Map([
  [0, 'ipv6.hopopts'],
  [43, 'ipv6.routing'],
  [44, 'ipv6.fraghdr'],
  [60, 'ipv6.dstopts'],
  [51, 'ah'],
]);

/** The protocol of an 802.1Q-style tag: service tags (802.1ad) are a protocol of their own in tshark. */
export function tagProtocol(tpid: number): 'vlan' | 'ieee8021ad' {
  return tpid === TPID_8021AD ? 'ieee8021ad' : 'vlan';
}

function linkChain(link: LinkRepr | undefined, linkType: number, out: string[]): void {
  if (link === undefined) {
    if (RAW_LAYER_LINK_TYPES.has(linkType)) out.push('raw');
    return;
  }
  switch (link.layer) {
    case 'eth':
      out.push('eth');
      if (link.etherType < 0x600 && link.vlans.length === 0) return;
      out.push('ethertype');
      for (const tag of link.vlans) out.push(tagProtocol(tag.tpid), 'ethertype');
      return;
    case 'sll':
      out.push('sll');
      if (link.protocol >= 0x600 && link.hatype !== ARPHRD_IPGRE) out.push('ethertype');
      return;
    case 'null':
      out.push('null');
      return;
    case 'ppp':
      out.push('ppp');
      return;
  }
}

function ipChain(ip: IpRepr, out: string[]): void {
  if (ip.layer === 'ip') {
    out.push('ip');
    return;
  }
  out.push('ipv6');
  for (const ext of ip.extensions) out.push(IPV6_EXT_PROTOCOL.get(ext.type) ?? 'ipv6.ext');
}

/** ICMP and ICMPv6 echo request and reply: their body is data; other messages' bodies are theirs. */
const ECHO_TYPES = { icmp: [0, 8], icmpv6: [128, 129] } as const;

/**
 * Bytes no decoded protocol claims, which tshark shows as `data`: a TCP or
 * UDP payload, an echo's body, an IP payload with no transport header (a
 * later fragment), or what follows a link header of an unknown type. Other
 * ICMP bodies and the text of a RST belong to their protocol.
 */
export function dataBytes(p: Packet, analysis?: PacketAnnotations): Uint8Array | undefined {
  if (p.payloadLength <= 0 || analysisHidesData(p, analysis)) return undefined;
  if (p.icmp && (p.icmp.quote || !(ECHO_TYPES[p.icmp.layer] as readonly number[]).includes(p.icmp.type))) return undefined;
  if (p.tcp && p.tcp.flags & TcpFlag.RST) return undefined;
  if (!p.ip && p.etherType === ETHERTYPE_ARP) return undefined;
  return p.data.subarray(p.payloadOffset, p.payloadOffset + p.payloadLength);
}

/** The protocol names of `p`, outermost first; with its analysis, without the payload tshark's analysis holds back. */
export function protocolChain(p: Packet, analysis?: PacketAnnotations): string[] {
  const out: string[] = [];
  linkChain(p.link, p.linkType, out);
  if (p.ip) {
    ipChain(p.ip, out);
    if (p.tcp) {
      out.push('tcp');
      for (const o of p.tcp.options) if (o.type === 'mptcp') out.push('mptcp');
    } else if (p.udp) out.push('udp');
    else if (p.icmp) {
      out.push(p.icmp.layer);
      const q = p.icmp.quote;
      if (q?.ip) {
        ipChain(q.ip, out);
        if (q.tcp) out.push('tcp');
        else if (q.udp) out.push('udp');
      }
    }
  } else if (p.etherType === ETHERTYPE_ARP && p.link !== undefined) {
    out.push('arp');
  }
  if (dataBytes(p, analysis)) out.push('data');
  return out;
}
