/**
 * Best-effort one-line summaries for what sits above or beside TCP: the
 * application protocols seen in MPTCP captures (SSH, HTTP, DNS, DHCP), ICMP,
 * ARP and IP fragments. These read at most a few bytes of payload; they are
 * column texts, not decoders.
 */
import type { IcmpRepr, Packet, TcpRepr } from '../../wire/types.js';
import { ipv4String, ipv6String, macDisplay, macString } from './addr.js';
import { dnsSummary } from './dns.js';
import { ICMP_TYPES, ICMPV6_TYPES, icmpCodeName } from './icmp-names.js';

export interface Summary {
  protocol: string;
  info: string;
}

const SSH_PORT = 22;
/** The ports tshark's HTTP dissector claims, by port: a byte per port reads faster than a Set for every segment with data. */
const HTTP_PORTS = new Uint8Array(65536);
for (const port of [80, 8080, 8000, 3128]) HTTP_PORTS[port] = 1;
const DNS_PORT = 53;

function printable(d: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) {
    const c = d[i]!;
    s += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '\\x' + c.toString(16).padStart(2, '0');
  }
  return s;
}

/** Index of the first CR or LF in [start, end), or -1. */
function lineEnd(d: Uint8Array, start: number, end: number): number {
  for (let i = start; i < end; i++) if (d[i] === 0x0d || d[i] === 0x0a) return i;
  return -1;
}

function startsWith(d: Uint8Array, at: number, end: number, text: string): boolean {
  if (end - at < text.length) return false;
  for (let i = 0; i < text.length; i++) if (d[at + i] !== text.charCodeAt(i)) return false;
  return true;
}

const SSH_MESSAGES: Readonly<Record<number, string>> = {
  20: 'Key Exchange Init',
  21: 'New Keys',
  30: 'Elliptic Curve Diffie-Hellman Key Exchange Init',
  31: 'Elliptic Curve Diffie-Hellman Key Exchange Reply',
};

function sshSummary(pkt: Packet, toServer: boolean, out: Summary): boolean {
  const d = pkt.data;
  const at = pkt.payloadOffset;
  const end = at + pkt.payloadLength;
  const who = toServer ? 'Client: ' : 'Server: ';
  if (startsWith(d, at, end, 'SSH-')) {
    const e = lineEnd(d, at, end);
    out.protocol = 'SSH';
    out.info = who + 'Protocol (' + printable(d, at, e < 0 ? end : e) + ')';
    return true;
  }
  out.protocol = 'SSHv2';
  // Unencrypted binary packet: uint32 length, padding length, message code; a
  // length that matches the segment exactly is taken as a cleartext message.
  if (end - at >= 6) {
    const len = ((d[at]! << 24) | (d[at + 1]! << 16) | (d[at + 2]! << 8) | d[at + 3]!) >>> 0;
    const name = SSH_MESSAGES[d[at + 5]!];
    if (name !== undefined && len + 4 <= end - at && d[at + 4]! < len) {
      let info = who + name;
      // Several messages may share the segment (a KEX reply followed by New Keys).
      const next = at + 4 + len;
      if (end - next >= 6) {
        const name2 = SSH_MESSAGES[d[next + 5]!];
        if (name2 !== undefined) info += ', ' + name2;
      }
      out.info = info;
      return true;
    }
  }
  out.info = who + 'Encrypted packet (len=' + pkt.payloadLength + ')';
  return true;
}

const HTTP_METHODS = ['GET ', 'POST ', 'HEAD ', 'PUT ', 'DELETE ', 'OPTIONS ', 'CONNECT ', 'PATCH ', 'TRACE '];

function httpSummary(pkt: Packet, out: Summary): boolean {
  const d = pkt.data;
  const at = pkt.payloadOffset;
  const end = at + pkt.payloadLength;
  let firstLine = startsWith(d, at, end, 'HTTP/');
  if (!firstLine) for (const m of HTTP_METHODS) if (startsWith(d, at, end, m)) { firstLine = true; break; }
  const e = lineEnd(d, at, end);
  // Something shaped like a request line that is not one (unknown method, no
  // line end in the segment): tshark leaves such a segment to TCP.
  if (!firstLine && looksLikeRequestLine(d, at, end)) return false;
  if (firstLine && e < 0) return false;
  out.protocol = 'HTTP';
  if (!firstLine) {
    out.info = 'Continuation';
    return true;
  }
  out.info = printable(d, at, e < 0 ? end : e) + ' ';
  return true;
}

/** An upper-case token followed by a space and a slash: "SEARCH /...". */
function looksLikeRequestLine(d: Uint8Array, at: number, end: number): boolean {
  let i = at;
  while (i < end && i - at < 16 && d[i]! >= 0x41 && d[i]! <= 0x5a) i++;
  return i > at && i + 1 < end && d[i] === 0x20 && d[i + 1] === 0x2f;
}

const DHCP_TYPES = ['', 'Discover', 'Offer', 'Request', 'Decline', 'ACK', 'NAK', 'Release', 'Inform'];

function dhcpSummary(pkt: Packet, out: Summary): boolean {
  const d = pkt.data;
  const at = pkt.payloadOffset;
  const end = at + pkt.payloadLength;
  if (end - at < 240) return false;
  const xid = ((d[at + 4]! << 24) | (d[at + 5]! << 16) | (d[at + 6]! << 8) | d[at + 7]!) >>> 0;
  let kind = '';
  for (let i = at + 240; i + 1 < end; ) {
    const code = d[i]!;
    if (code === 0) { i++; continue; }
    if (code === 255) break;
    const len = d[i + 1]!;
    if (code === 53 && len >= 1 && i + 2 < end) { kind = DHCP_TYPES[d[i + 2]!] ?? 'Unknown'; break; }
    i += 2 + len;
  }
  out.protocol = kind ? 'DHCP' : 'BOOTP';
  out.info = (kind ? 'DHCP ' + kind : d[at] === 1 ? 'Boot Request' : 'Boot Reply') + ' - Transaction ID 0x' + xid.toString(16);
  return true;
}

/** Fills `out` for an application protocol recognised by port and first bytes; false to fall back to TCP/UDP. */
/**
 * Whether a port of the segment is one whose application protocol the
 * columns name (SSH, HTTP, DNS): the cheap test that settles nearly every
 * segment, asked of all of them alike.
 */
export function namedTcpPorts(tcp: TcpRepr): boolean {
  const src = tcp.srcPort;
  const dst = tcp.dstPort;
  return src === SSH_PORT || dst === SSH_PORT || HTTP_PORTS[dst] === 1 || HTTP_PORTS[src] === 1 || src === DNS_PORT || dst === DNS_PORT;
}

export function appSummary(pkt: Packet, out: Summary): boolean {
  if (pkt.payloadLength <= 0) return false;
  const tcp = pkt.tcp;
  if (tcp) {
    // tshark hands neither cut payloads nor data on a reset to the application dissectors.
    if (tcp.payloadCaptured < tcp.payloadLength || tcp.flags & 0x004) return false;
    if (tcp.srcPort === SSH_PORT || tcp.dstPort === SSH_PORT) return sshSummary(pkt, tcp.dstPort === SSH_PORT, out);
    if (HTTP_PORTS[tcp.dstPort] === 1 || HTTP_PORTS[tcp.srcPort] === 1) return httpSummary(pkt, out);
    if (tcp.srcPort === DNS_PORT || tcp.dstPort === DNS_PORT) return dnsSummary(pkt.data, pkt.payloadOffset + 2, pkt.payloadOffset + pkt.payloadLength, out);
    return false;
  }
  const udp = pkt.udp;
  if (udp) {
    if (udp.srcPort === DNS_PORT || udp.dstPort === DNS_PORT) return dnsSummary(pkt.data, pkt.payloadOffset, pkt.payloadOffset + pkt.payloadLength, out);
    if ((udp.srcPort === 67 || udp.srcPort === 68) && (udp.dstPort === 67 || udp.dstPort === 68)) return dhcpSummary(pkt, out);
  }
  return false;
}

// ----------------------------------------------------------------- ICMP

function icmpv4Text(type: number, code: number): string {
  const name = ICMP_TYPES[type];
  if (name === undefined) return 'Unknown ICMP (obsolete or malformed?)';
  const codeName = icmpCodeName(type, code);
  return codeName === undefined ? name : `${name} (${codeName})`;
}

/** Link-layer address in an NDP option of type `want` (1 source, 2 target), or ''. */
function ndpLinkAddress(d: Uint8Array, start: number, end: number, want: number): string {
  for (let i = start; i + 8 <= end; ) {
    const len = d[i + 1]! * 8;
    if (len === 0) break;
    if (d[i] === want && len >= 8) return macString(d, i + 2, 6);
    i += len;
  }
  return '';
}

function icmpv6Text(pkt: Packet, icmp: IcmpRepr): string {
  const name = ICMPV6_TYPES[icmp.type] ?? `Unknown (${icmp.type})`;
  const d = pkt.data;
  const body = icmp.offset + 8;
  const end = icmp.offset + icmp.length + icmp.payloadLength;
  switch (icmp.type) {
    case 128: case 129: {
      const hop = pkt.ip?.version === 6 ? pkt.ip.hopLimit : 0;
      return `${name} id=0x${((icmp.rest >>> 16) & 0xffff).toString(16).padStart(4, '0')}, seq=${icmp.rest & 0xffff}, hop limit=${hop}`;
    }
    case 133: {
      const mac = ndpLinkAddress(d, icmp.offset + 8, end, 1);
      return mac ? `${name} from ${mac}` : name;
    }
    case 134: {
      const mac = ndpLinkAddress(d, icmp.offset + 16, end, 1);
      return mac ? `${name} from ${mac}` : name;
    }
    case 135: {
      if (end - body < 16) return name;
      const mac = ndpLinkAddress(d, body + 16, end, 1);
      return `${name} for ${ipv6String(d, body)}` + (mac ? ` from ${mac}` : '');
    }
    case 136: {
      if (end - body < 16) return name;
      const f = d[icmp.offset + 4]!;
      const flags = [f & 0x80 ? 'rtr' : '', f & 0x40 ? 'sol' : '', f & 0x20 ? 'ovr' : ''].filter(Boolean).join(', ');
      const mac = ndpLinkAddress(d, body + 16, end, 2);
      return `${name} ${ipv6String(d, body)}` + (flags ? ` (${flags})` : '') + (mac ? ` is at ${mac}` : '');
    }
    default:
      return name;
  }
}

export function icmpSummary(pkt: Packet, icmp: IcmpRepr, out: Summary): Summary {
  if (icmp.layer === 'icmpv6') {
    out.protocol = 'ICMPv6';
    out.info = icmpv6Text(pkt, icmp);
    return out;
  }
  out.protocol = 'ICMP';
  let info = icmpv4Text(icmp.type, icmp.code);
  if (icmp.type === 0 || icmp.type === 8) {
    const id = (icmp.rest >>> 16) & 0xffff;
    const seq = icmp.rest & 0xffff;
    const seqLe = ((seq & 0xff) << 8) | (seq >> 8);
    const ttl = pkt.ip?.version === 4 ? pkt.ip.ttl : 0;
    info = info.padEnd(20) + ` id=0x${id.toString(16).padStart(4, '0')}, seq=${seq}/${seqLe}, ttl=${ttl}`;
  }
  out.info = info;
  return out;
}

// --------------------------------------------------------- IP fragments

const IP_PROTOCOLS: Readonly<Record<number, string>> = { 1: 'ICMP', 6: 'TCP', 17: 'UDP', 58: 'ICMPv6', 47: 'GRE', 50: 'ESP' };

export function ipFragmentSummary(pkt: Packet, out: Summary): Summary {
  const ip = pkt.ip!;
  const proto = ip.protocol;
  if (ip.version === 4) {
    out.protocol = 'IPv4';
    out.info = `Fragmented IP protocol (proto=${IP_PROTOCOLS[proto] ?? 'Unknown'} ${proto}, off=${ip.fragOffset * 8}, ID=${ip.id.toString(16).padStart(4, '0')})`;
  } else {
    const frag = ip.extensions.find((e) => e.type === 44);
    out.protocol = 'IPv6';
    out.info = `IPv6 fragment (off=${(frag?.fragOffset ?? 0) * 8} more=${frag?.moreFragments ? 'y' : 'n'} ident=0x${(frag?.fragId ?? 0).toString(16).padStart(8, '0')} nxt=${proto})`;
  }
  return out;
}

// ------------------------------------------------------- link layer only

const ETHERTYPES: Readonly<Record<number, string>> = {
  0x0800: 'IPv4', 0x86dd: 'IPv6', 0x0806: 'ARP', 0x8035: 'RARP', 0x88cc: 'LLDP', 0x8847: 'MPLS', 0x8100: '802.1Q',
  0x888e: 'EAPOL', 0x8863: 'PPPoED', 0x8864: 'PPPoES',
};

function arpSummary(pkt: Packet, out: Summary): Summary {
  const d = pkt.data;
  const at = pkt.payloadOffset;
  out.protocol = 'ARP';
  if (pkt.payloadLength < 28 || d[at + 4] !== 6 || d[at + 5] !== 4) {
    out.info = '';
    return out;
  }
  const op = (d[at + 6]! << 8) | d[at + 7]!;
  const sha = macString(d, at + 8, 6);
  const spa = (((d[at + 14]! << 24) | (d[at + 15]! << 16) | (d[at + 16]! << 8) | d[at + 17]!) >>> 0);
  const tpa = (((d[at + 24]! << 24) | (d[at + 25]! << 16) | (d[at + 26]! << 8) | d[at + 27]!) >>> 0);
  if (op === 1) {
    if (spa === tpa) out.info = `Gratuitous ARP for ${ipv4String(spa)} (Request)`;
    else if (spa === 0) out.info = `Who has ${ipv4String(tpa)}? (ARP Probe)`;
    else out.info = `Who has ${ipv4String(tpa)}? Tell ${ipv4String(spa)}`;
  } else if (op === 2) {
    out.info = spa === tpa ? `Gratuitous ARP for ${ipv4String(spa)} (Reply)` : `${ipv4String(spa)} is at ${sha}`;
  } else {
    out.info = `Unknown ARP opcode 0x${op.toString(16).padStart(4, '0')}`;
  }
  return out;
}

export function linkSummary(pkt: Packet, out: Summary): Summary {
  if (pkt.etherType === 0x0806) return arpSummary(pkt, out);
  const name = ETHERTYPES[pkt.etherType];
  out.protocol = name ?? (pkt.link?.layer === 'eth' ? 'Ethernet' : 'Data');
  out.info = name === undefined && pkt.link?.layer === 'eth' ? `Ethernet II` : '';
  const err = pkt.findings.find((f) => f.code === 'malformed' || f.code === 'truncated');
  if (err) out.info = err.code === 'malformed' ? '[Malformed Packet]' : '[Packet size limited during capture]';
  return out;
}

/** Source and destination for frames without IP: link-layer addresses. */
export function linkAddresses(pkt: Packet): [string, string] {
  const link = pkt.link;
  if (link?.layer === 'eth') return [macDisplay(link.src), macDisplay(link.dst)];
  if (link?.layer === 'sll') return [link.addrLen > 0 ? macString(link.addr, 0, Math.min(link.addrLen, 8)) : '', ''];
  return ['', ''];
}
