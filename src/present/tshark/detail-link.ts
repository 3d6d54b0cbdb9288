/** The Frame section and the link-layer sections of the detail tree. */
import type { EthernetRepr, LoopbackRepr, Packet, PppRepr, SllRepr } from '../../wire/types.js';
import { hexString, macDisplay, macString } from './addr.js';
import { arrivalTimeString, deltaString, fraction } from './time.js';
import { bitLine, hex, type Tree } from './tree.js';

/** Timestamps the frame section measures deltas against (tshark's "reference or first", previous captured and displayed). */
export interface FrameTimes {
  firstSec: number;
  firstNsec: number;
  prevCapturedSec: number;
  prevCapturedNsec: number;
  prevDisplayedSec: number;
  prevDisplayedNsec: number;
}

export interface FrameContext {
  /** pcapng files name the section and interface in the frame tree. */
  pcapng: boolean;
  times: FrameTimes | undefined;
  /** tshark's "Protocols in frame" list, e.g. "sll:ethertype:ip:tcp:mptcp". */
  protocols: string;
}

/** Wireshark's encapsulation names and numbers (WTAP_ENCAP_*) by link type. */
const ENCAPSULATION: Readonly<Record<number, string>> = {
  0: 'NULL/Loopback (15)',
  1: 'Ethernet (1)',
  9: 'PPP (4)',
  12: 'Raw IP (7)',
  14: 'Raw IP (7)',
  50: 'PPP in HDLC-like framing (19)',
  101: 'Raw IP (7)',
  108: 'OpenBSD loopback (54)',
  113: 'Linux cooked-mode capture v1 (25)',
  228: 'Raw IPv4 (129)',
  229: 'Raw IPv6 (130)',
  276: 'Linux cooked-mode capture v2 (210)',
};

function bytesAndBits(n: number): string {
  return `${n} bytes (${n * 8} bits)`;
}

export function frameSection(t: Tree, pkt: Packet, ctx: FrameContext): void {
  // tshark calls an interface without if_name "unknown".
  const ifName = pkt.ifName ?? 'unknown';
  let head = `Frame ${pkt.number}: ${pkt.origLen} bytes on wire (${pkt.origLen * 8} bits), ${pkt.capLen} bytes captured (${pkt.capLen * 8} bits)`;
  if (ctx.pcapng) head += ` on interface ${ifName}, id ${pkt.ifIndex}`;
  t.add(0, head);
  if (ctx.pcapng) {
    t.add(1, 'Section number: 1');
    t.add(1, `Interface id: ${pkt.ifIndex} (${ifName})`);
    t.add(2, `Interface name: ${ifName}`);
  }
  t.add(1, `Encapsulation type: ${ENCAPSULATION[pkt.linkType] ?? `Unknown (${pkt.linkType})`}`);
  t.add(1, `Arrival Time: ${arrivalTimeString(pkt.tsSec, pkt.tsNsec)}`);
  const times = ctx.times;
  if (times) {
    t.add(1, '[Time shift for this packet: 0.000000000 seconds]');
    t.add(1, `Epoch Time: ${pkt.tsSec}${fraction(pkt.tsNsec, 9)} seconds`);
    t.add(1, `[Time delta from previous captured frame: ${deltaString(pkt.tsSec, pkt.tsNsec, times.prevCapturedSec, times.prevCapturedNsec, 9)} seconds]`);
    t.add(1, `[Time delta from previous displayed frame: ${deltaString(pkt.tsSec, pkt.tsNsec, times.prevDisplayedSec, times.prevDisplayedNsec, 9)} seconds]`);
    t.add(1, `[Time since reference or first frame: ${deltaString(pkt.tsSec, pkt.tsNsec, times.firstSec, times.firstNsec, 9)} seconds]`);
  } else {
    t.add(1, `Epoch Time: ${pkt.tsSec}${fraction(pkt.tsNsec, 9)} seconds`);
  }
  t.add(1, `Frame Number: ${pkt.number}`);
  t.add(1, `Frame Length: ${bytesAndBits(pkt.origLen)}`);
  t.add(1, `Capture Length: ${bytesAndBits(pkt.capLen)}`);
  t.add(1, '[Frame is marked: False]');
  t.add(1, '[Frame is ignored: False]');
  t.add(1, `[Protocols in frame: ${ctx.protocols}]`);
}

/** EtherType names as tshark's "Type:" and "Protocol:" lines print them. */
const ETHERTYPES: Readonly<Record<number, string>> = {
  0x0800: 'IPv4', 0x0806: 'ARP', 0x8035: 'RARP', 0x86dd: 'IPv6', 0x8100: '802.1Q Virtual LAN',
  0x88a8: '802.1ad Provider Bridge (Q-in-Q)', 0x8847: 'MPLS label switched packet', 0x8863: 'PPPoE Discovery',
  0x8864: 'PPPoE Session', 0x888e: '802.1X Authentication', 0x88cc: '802.1 Link Layer Discovery Protocol (LLDP)',
  0x9100: 'QinQ: old non-standard 802.1ad',
};

export function etherTypeText(t: number): string {
  return `${ETHERTYPES[t] ?? 'Unknown'} (${hex(t, 4)})`;
}

function macNode(t: Tree, depth: number, label: string, mac: Uint8Array): void {
  const text = `${macDisplay(mac)} (${macString(mac)})`;
  t.add(depth, `${label}: ${text}`);
  t.add(depth + 1, `Address: ${text}`);
  const b0 = mac[0]!;
  const v = b0 * 65536;
  t.add(depth + 1, bitLine(v, 24, 0x020000, 'LG bit', b0 & 2
    ? 'Locally administered address (this is NOT the factory default)'
    : 'Globally unique address (factory default)'));
  t.add(depth + 1, bitLine(v, 24, 0x010000, 'IG bit', b0 & 1 ? 'Group address (multicast/broadcast)' : 'Individual address (unicast)'));
}

/** Bytes after the IP packet in an Ethernet frame: padding up to the 60-byte minimum, or a trailer. */
function ethernetTrailer(t: Tree, pkt: Packet): void {
  const ip = pkt.ip;
  if (!ip) return;
  const ipEnd = ip.offset + (ip.version === 4 ? ip.totalLength : 40 + ip.payloadLength);
  if (ip.version === 4 && ip.totalLength === 0) return;
  if (ipEnd >= pkt.capLen) return;
  const rest = pkt.data.subarray(ipEnd, pkt.capLen);
  const zero = rest.every((b) => b === 0);
  t.add(1, `${zero && pkt.origLen <= 60 ? 'Padding' : 'Trailer'}: ${hexString(rest)}`);
}

function ethernetSection(t: Tree, eth: EthernetRepr): void {
  t.add(0, `Ethernet II, Src: ${macDisplay(eth.src)} (${macString(eth.src)}), Dst: ${macDisplay(eth.dst)} (${macString(eth.dst)})`);
  macNode(t, 1, 'Destination', eth.dst);
  macNode(t, 1, 'Source', eth.src);
  if (eth.vlans.length === 0) {
    t.add(1, `Type: ${etherTypeText(eth.etherType)}`);
    return;
  }
  t.add(1, `Type: ${etherTypeText(eth.vlans[0]!.tpid)}`);
  eth.vlans.forEach((v, i) => {
    const next = eth.vlans[i + 1]?.tpid ?? eth.etherType;
    const tci = (v.pcp << 13) | (v.dei ? 0x1000 : 0) | v.vid;
    t.add(0, `802.1Q Virtual LAN, PRI: ${v.pcp}, DEI: ${v.dei ? 1 : 0}, ID: ${v.vid}`);
    t.add(1, bitLine(tci, 16, 0xe000, 'Priority', `${v.pcp}`));
    t.add(1, bitLine(tci, 16, 0x1000, 'DEI', v.dei ? 'Eligible' : 'Ineligible'));
    t.add(1, bitLine(tci, 16, 0x0fff, 'ID', `${v.vid}`));
    t.add(1, `Type: ${etherTypeText(next)}`);
  });
}

const SLL_PACKET_TYPES = ['Unicast to us', 'Broadcast', 'Multicast', 'Unicast to another host', 'Sent by us'];
const ARPHRD: Readonly<Record<number, string>> = {
  1: 'Ethernet', 24: 'IEEE 1394', 512: 'PPP', 772: 'Loopback', 776: 'IPv6-in-IPv4', 778: 'IP GRE', 65534: 'None',
};

function sllSection(t: Tree, sll: SllRepr): void {
  const packetType = `${SLL_PACKET_TYPES[sll.packetType] ?? 'Unknown'} (${sll.packetType})`;
  const hatype = `${ARPHRD[sll.hatype] ?? 'Unknown'} (${sll.hatype})`;
  const addrLen = Math.min(sll.addrLen, 8);
  const source = addrLen === 6 ? `${macString(sll.addr)} (${macString(sll.addr)})` : macString(sll.addr, 0, addrLen);
  const unused = sll.addrField && addrLen < 8 ? macString(sll.addrField, addrLen, 8 - addrLen).replace(/:/g, '') : '';
  if (sll.version === 1) {
    t.add(0, 'Linux cooked capture v1');
    t.add(1, `Packet type: ${packetType}`);
    t.add(1, `Link-layer address type: ${hatype}`);
    t.add(1, `Link-layer address length: ${sll.addrLen}`);
    if (addrLen > 0) t.add(1, `Source: ${source}`);
    if (unused) t.add(1, `Unused: ${unused}`);
    t.add(1, `Protocol: ${etherTypeText(sll.protocol)}`);
    return;
  }
  t.add(0, 'Linux cooked capture v2');
  t.add(1, `Protocol: ${etherTypeText(sll.protocol)}`);
  t.add(1, `Interface index: ${sll.ifIndex ?? 0}`);
  t.add(1, `Link-layer address type: ${hatype}`);
  t.add(1, `Packet type: ${packetType}`);
  t.add(1, `Link-layer address length: ${sll.addrLen}`);
  if (addrLen > 0) t.add(1, `Source: ${source}`);
  if (unused) t.add(1, `Unused: ${unused}`);
}

const PPP_PROTOCOLS: Readonly<Record<number, string>> = {
  0x0021: 'Internet Protocol version 4', 0x0057: 'Internet Protocol version 6', 0xc021: 'Link Control Protocol',
  0x8021: 'Internet Protocol Control Protocol', 0x8057: 'IPv6 Control Protocol',
};

function pppSection(t: Tree, ppp: PppRepr): void {
  t.add(0, 'Point-to-Point Protocol');
  if (ppp.hdlc) {
    t.add(1, 'Address: 0xff');
    t.add(1, 'Control: 0x03');
  }
  t.add(1, `Protocol: ${PPP_PROTOCOLS[ppp.protocol] ?? 'Unknown'} (${hex(ppp.protocol, 4)})`);
}

const FAMILIES: Readonly<Record<number, string>> = { 2: 'IP', 24: 'IPv6', 28: 'IPv6', 30: 'IPv6' };

function loopbackSection(t: Tree, lo: LoopbackRepr): void {
  t.add(0, 'Null/Loopback');
  t.add(1, `Family: ${FAMILIES[lo.family] ?? 'Unknown'} (${lo.family})`);
}

export function linkSection(t: Tree, pkt: Packet): void {
  const link = pkt.link;
  if (!link) {
    if (pkt.ip) t.add(0, 'Raw packet data');
    return;
  }
  switch (link.layer) {
    case 'eth': ethernetSection(t, link); ethernetTrailer(t, pkt); break;
    case 'sll': sllSection(t, link); break;
    case 'ppp': pppSection(t, link); break;
    case 'null': loopbackSection(t, link); break;
  }
}

/** First words of "Protocols in frame" for the link layer. */
export function linkProtocols(pkt: Packet): string {
  const link = pkt.link;
  if (!link) return pkt.ip ? 'raw' : 'data';
  switch (link.layer) {
    case 'eth': return 'eth:ethertype' + ':vlan:ethertype'.repeat(link.vlans.length);
    case 'sll': return 'sll:ethertype';
    case 'ppp': return 'ppp';
    case 'null': return 'null';
  }
}
