/**
 * The network part of a tcpdump line: `IP ` / `IP6 ` (left out under `-e`,
 * where the link header names the type), the `-v` header details, extension
 * headers and fragments, then the transport printer.
 */
import { icmpCodec, icmpv6Codec } from '../../wire/icmp.js';
import { tcpCodec } from '../../wire/tcp.js';
import type { Finding, IcmpRepr, Ipv4Repr, Ipv6Repr, TcpRepr, UdpRepr } from '../../wire/types.js';
import { udpCodec } from '../../wire/udp.js';
import { hex, hex4, hex8, ipv4BytesString, ipv4String, ipv6String } from './addr.js';
import { plainSum, shouldBe } from './cksum.js';
import type { PrintContext } from './context.js';
import { formatIcmp, formatIcmp6 } from './icmp.js';
import type { Line } from './line.js';
import { writeTcp } from './tcp.js';
import { writeUdp } from './udp.js';

/** The transport headers decoded inside an IP packet (a Packet or a quoted packet). */
export interface Transport {
  tcp?: TcpRepr | undefined;
  udp?: UdpRepr | undefined;
  icmp?: IcmpRepr | undefined;
}

const PROTO_NAMES: Record<number, string> = {
  0: 'HBH', 1: 'ICMP', 2: 'IGMP', 4: 'IPIP', 6: 'TCP', 8: 'EGP', 9: 'IGRP', 17: 'UDP', 33: 'DCCP', 41: 'IPv6',
  43: 'Routing', 44: 'Fragment', 46: 'RSVP', 47: 'GRE', 50: 'ESP', 51: 'AH', 55: 'Mobile IP', 58: 'ICMPv6',
  59: 'No Next Header', 60: 'DSTOPT', 62: 'Mobile IP (old)', 88: 'EIGRP', 89: 'OSPF', 103: 'PIM',
  108: 'Compressed IP', 112: 'VRRP', 113: 'PGM', 132: 'SCTP', 135: 'Mobility', 143: 'Ethernet',
};

const IP_OPTION_NAMES: Record<number, string> = {
  0: 'EOL', 1: 'NOP', 68: 'timestamp', 130: 'security', 7: 'RR', 137: 'SSRR', 131: 'LSRR', 148: 'RA', 82: 'traceroute',
};

/** `src > dst`. */
function addresses(ip: Ipv4Repr | Ipv6Repr): string {
  return ip.version === 4 ? ipv4String(ip.src) + ' > ' + ipv4String(ip.dst) : ipv6String(ip.src) + ' > ' + ipv6String(ip.dst);
}

/** Whether tcpdump's IP printers leave the addresses to the transport printer. */
function transportPrintsAddresses(proto: number): boolean {
  return proto === 6 || proto === 17 || proto === 132 || proto === 33;
}

/**
 * An IPv4 packet. `length` is the length on the wire from the IP header on,
 * `capEnd` the end of the captured bytes.
 */
export function writeIpv4(ctx: PrintContext, w: Line, data: Uint8Array, ip: Ipv4Repr, l4: Transport, length: number, capEnd: number): void {
  let s = ctx.linkHeader ? '' : 'IP ';
  const hlen = ip.ihl * 4;
  if (hlen < 20) {
    w.str(s + ' [header length ' + hlen + ' < 20] (invalid)');
    return;
  }
  let len = ip.totalLength;
  let offload = false;
  if (len > length) s += '[total length ' + len + ' > length ' + length + '] (invalid) ';
  if (len === 0 && (ip.protocol === 6 || ip.protocol === 17)) {
    len = length;
    offload = true;
  }
  if (len < hlen) {
    w.str(s + '[total length ' + len + ' < header length ' + hlen + '] (invalid)');
    return;
  }
  if (ip.offset + 20 > capEnd) {
    w.str(s + ' [|ip]');
    return;
  }
  const snap = Math.min(capEnd, ip.offset + Math.min(length, len));
  len -= hlen;
  if (ctx.verbose) s += ipv4Details(data, ip, hlen, length, offload, snap);
  if (ip.fragOffset !== 0) {
    w.str(s + addresses(ip) + ': ip-proto-' + ip.protocol);
    return;
  }
  if (!transportPrintsAddresses(ip.protocol)) s += addresses(ip) + ': ';
  if (ip.offset + hlen > snap) {
    w.str(s + ' [remaining caplen(' + Math.max(0, snap - ip.offset) + ') < header length(' + hlen + ')] [|ip]');
    return;
  }
  const fragmented = (ip.flags & 1) !== 0;
  w.str(s);
  transport(ctx, w, data, ip, ip.protocol, l4, ip.offset + hlen, Math.min(length - hlen, len), snap, fragmented);
}

function ipv4Details(data: Uint8Array, ip: Ipv4Repr, hlen: number, length: number, offload: boolean, snap: number): string {
  const tos = (ip.dscp << 2) | ip.ecn;
  let s = '(tos 0x' + hex(tos);
  switch (ip.ecn) {
    case 1: s += ',ECT(1)'; break;
    case 2: s += ',ECT(0)'; break;
    case 3: s += ',CE'; break;
  }
  if (ip.ttl >= 1) s += ', ttl ' + ip.ttl;
  let flags = '';
  if (ip.flags & 1) flags = '+';
  if (ip.flags & 2) flags += (flags ? ', ' : '') + 'DF';
  if (ip.flags & 4) flags += (flags ? ', ' : '') + 'rsvd';
  s += ', id ' + ip.id + ', offset ' + ip.fragOffset * 8 + ', flags [' + (flags || 'none') + '], proto '
    + (PROTO_NAMES[ip.protocol] ?? 'unknown') + ' (' + ip.protocol + ')';
  if (offload) s += ', length ' + length + (length > 65535 ? ' [was 0, presumed BIG TCP]' : ' [was 0, presumed TSO]');
  else s += ', length ' + ip.totalLength;
  if (hlen > 20) s += ', options (' + ipOptions(ip) + ')';
  if (ip.offset + hlen <= snap) {
    const sum = plainSum(data, ip.offset, ip.offset + hlen);
    if (sum !== 0) s += ', bad cksum ' + hex(ip.checksum) + ' (->' + hex(shouldBe(ip.checksum, sum)) + ')!';
  }
  return s + ')\n    ';
}

function ipOptions(ip: Ipv4Repr): string {
  let s = '';
  let sep = '';
  for (const o of ip.options) {
    s += sep + (IP_OPTION_NAMES[o.type] ?? 'unknown ' + o.type);
    sep = ',';
    const raw = o.raw;
    if (o.type === 0) break;
    if (o.type === 1) continue;
    const len = raw.length >= 2 ? raw[1]! : 0;
    if (len < 2 || raw.length < len) {
      s += ' [bad length ' + len + ']';
      break;
    }
    if (o.type === 7 || o.type === 131 || o.type === 137) s += route(raw, len);
    else if (o.type === 148) {
      if (len < 4) s += ' [bad length ' + len + ']';
      else if (((raw[2]! << 8) | raw[3]!) !== 0) s += ' value ' + ((raw[2]! << 8) | raw[3]!);
    }
  }
  return s;
}

function route(raw: Uint8Array, length: number): string {
  if (length < 3) return ' [bad length ' + length + ']';
  let s = '';
  if ((length + 1) & 3) s += ' [bad length ' + length + ']';
  const ptr = raw[2]! - 1;
  if (ptr < 3 || ((ptr + 1) & 3) || ptr > length + 1) s += ' [bad ptr ' + raw[2]! + ']';
  for (let p = 3; p + 4 <= length; p += 4) {
    s += ' ' + ipv4BytesString(raw, p);
    if (ptr > p) s += ',';
  }
  return s;
}

/**
 * An IPv6 packet; `length` is the length on the wire from the IPv6 header on.
 */
export function writeIpv6(ctx: PrintContext, w: Line, data: Uint8Array, ip: Ipv6Repr, l4: Transport, length: number, capEnd: number): void {
  let s = ctx.linkHeader ? '' : 'IP6 ';
  const plen = ip.payloadLength;
  let len: number;
  if (plen !== 0) {
    len = plen + 40;
    if (len > length) s += '[header+payload length ' + len + ' > length ' + length + '] (invalid) ';
  } else {
    len = length + 40;
  }
  if (ctx.verbose) {
    s += '(';
    if (ip.trafficClass) s += 'class 0x' + (ip.trafficClass < 16 ? '0' : '') + hex(ip.trafficClass) + ', ';
    if (ip.flowLabel) s += 'flowlabel 0x' + hex8(ip.flowLabel).slice(3) + ', ';
    s += 'hlim ' + ip.hopLimit + ', next-header ' + (PROTO_NAMES[ip.nextHeader] ?? 'unknown') + ' (' + ip.nextHeader
      + '), payload length ' + plen + ') ';
  }
  if (ip.offset + 40 > capEnd) {
    w.str(s + ' [|ip6]');
    return;
  }
  const snap = Math.min(capEnd, ip.offset + Math.min(length, len));
  if (!transportPrintsAddresses(ip.nextHeader) && ip.nextHeader !== 51) s += addresses(ip) + ': ';
  len -= 40;
  let fragmented = false;
  let next = ip.offset + 40;
  for (const e of ip.extensions) {
    switch (e.type) {
      case 0:
        s += 'HBH ' + (ctx.verbose ? ip6Options(e.data) : '');
        break;
      case 60:
        s += 'DSTOPT ' + (ctx.verbose ? ip6Options(e.data) : '');
        break;
      case 43: {
        const r = routingHeader(e.data, ctx.verbose > 0);
        s += r;
        if (r.endsWith('(invalid)')) {
          w.str(s);
          return;
        }
        break;
      }
      case 44: {
        s += 'frag (';
        if (ctx.verbose) s += '0x' + hex8(e.fragId ?? 0) + ':';
        const rest = plen + 40 - (e.offset - ip.offset) - 8;
        s += ((e.fragOffset ?? 0) * 8) + '|' + (rest < 0 ? '[length < 0] (invalid))' : rest + ')');
        if ((e.fragOffset ?? 0) !== 0) {
          w.str(s);
          return;
        }
        s += ' ';
        fragmented = true;
        break;
      }
      case 51:
        s += ahText(e.data);
        break;
      default:
        w.str(s);
        return;
    }
    len -= e.length;
    next = e.offset + e.length;
  }
  if (plen === 0) {
    if (ip.extensions.length > 0) {
      w.str(s + ' [|ip6]');
      return;
    }
    len = length > 65535 && (ip.protocol === 6 || ip.protocol === 17) ? length - 40 : 0;
  }
  w.str(s);
  transport(ctx, w, data, ip, ip.protocol, l4, next, len, snap, fragmented);
}

/** Hop-by-hop and destination options as tcpdump -v lists them: `(rtalert: 0x0000) (padn) `. */
function ip6Options(d: Uint8Array): string {
  let s = '';
  for (let i = 0; i < d.length;) {
    const type = d[i]!;
    if (type === 0) {
      s += '(pad1)';
      i++;
      continue;
    }
    if (d.length - i < 2) return s + '[remaining length ' + (d.length - i) + ' < 2] (invalid)';
    const len = d[i + 1]! + 2;
    if (d.length - i < len) return s + '[remaining length ' + (d.length - i) + ' < ' + len + '] (invalid)';
    if (type === 1) s += '(padn)';
    else if (type === 5 && len === 4) s += '(rtalert: 0x' + hex4((d[i + 2]! << 8) | d[i + 3]!) + ') ';
    else if (type === 0xc2 && len === 6) s += '(jumbo: ' + (((d[i + 2]! << 24) | (d[i + 3]! << 16) | (d[i + 4]! << 8) | d[i + 5]!) >>> 0) + ') ';
    else s += '(unknown opt-type 0x' + (type < 16 ? '0' : '') + hex(type) + ' len=' + (len - 2) + ')';
    i += len;
  }
  return s + ' ';
}

/** Routing header: `RT6 (len=2, type=0 [Deprecated], segleft=1, [0]2001:db8::1) `. */
function routingHeader(d: Uint8Array, verbose: boolean): string {
  if (d.length < 2) return 'RT6 [|rt6]';
  const type = d[0]!;
  let s = 'RT6 (len=' + Math.round((d.length + 2) / 8 - 1) + ', type=' + type + (type === 0 ? ' [Deprecated]' : '') + ', segleft=' + d[1]!;
  const u32 = (p: number): number => (((d[p]! << 24) | (d[p + 1]! << 16) | (d[p + 2]! << 8) | d[p + 3]!) >>> 0);
  if (type === 0 || type === 2) {
    const rsv = d.length >= 6 ? u32(2) : 0;
    if (rsv || verbose) s += ', rsv=0x' + hex(rsv);
    const units = (d.length + 2) / 8 - 1;
    if (units % 2 === 1) return s + ' [length ' + units + '] (invalid)';
    for (let i = 0; 6 + 16 * i + 16 <= d.length; i++) s += ', [' + i + ']' + ipv6String(d, 6 + 16 * i);
    return s + ') ';
  }
  if (type === 4 && d.length >= 6) {
    const last = d[2]!;
    s += ', last-entry=' + last;
    if (d[3]! || verbose) s += ', flags=0x' + hex(d[3]!);
    s += ', tag=' + hex((d[4]! << 8) | d[5]!);
    for (let i = 0; i <= last && 6 + 16 * i + 16 <= d.length; i++) s += ', [' + i + ']' + ipv6String(d, 6 + 16 * i);
    return s + ') ';
  }
  return s + ' (unknown type) (invalid)';
}

function ahText(d: Uint8Array): string {
  if (d.length < 10) return 'AH [|ah]';
  const spi = ((d[2]! << 24) | (d[3]! << 16) | (d[4]! << 8) | d[5]!) >>> 0;
  const seq = ((d[6]! << 24) | (d[7]! << 16) | (d[8]! << 8) | d[9]!) >>> 0;
  return 'AH(spi=0x' + hex8(spi) + ',seq=0x' + hex(seq) + '): ';
}

const noFindings: Finding[] = [];

/** ICMP types that quote the packet that caused them. */
function quotes(type: number): boolean {
  return type === 3 || type === 4 || type === 5 || type === 11 || type === 12;
}

/** Under -v tcpdump prints the packet an ICMP error quotes, as a packet of its own. */
function writeQuotedPacket(ctx: PrintContext, w: Line, data: Uint8Array, icmp: IcmpRepr, capEnd: number): void {
  const q = icmp.quote;
  if (!ctx.verbose || !quotes(icmp.type) || q === undefined || q.ip === undefined || q.ip.version !== 4) return;
  const ip = q.ip;
  // A header quoted in part (RFC 792's 8 bytes) is printed as cut short, as tcpdump does.
  const l4: Transport = { tcp: q.tcp !== undefined && q.transportBytes >= 20 ? q.tcp : undefined, udp: q.udp };
  w.str('\n\t');
  writeIpv4(ctx, w, data, ip, l4, ip.totalLength, Math.min(capEnd, ip.offset + ip.totalLength));
}

/**
 * The transport header of a first fragment, which the packet decoder leaves
 * alone (the segment is incomplete) but tcpdump prints.
 */
function firstFragment(data: Uint8Array, proto: number, at: number, length: number, capEnd: number): Transport {
  const ctx = { ipOffset: -1, segmentLength: length, verifyChecksum: false };
  noFindings.length = 0;
  switch (proto) {
    case 6: return { tcp: tcpCodec.decode(data, at, capEnd, noFindings, ctx) };
    case 17: return { udp: udpCodec.decode(data, at, capEnd, noFindings, ctx) };
    case 1: return { icmp: icmpCodec.decode(data, at, capEnd, noFindings, ctx) };
    case 58: return { icmp: icmpv6Codec.decode(data, at, capEnd, noFindings, ctx) };
    default: return {};
  }
}

/** Hands the payload to the transport printer (tcpdump's `ip_demux_print`). */
function transport(
  ctx: PrintContext, w: Line, data: Uint8Array, ip: Ipv4Repr | Ipv6Repr, proto: number, l4: Transport,
  at: number, length: number, capEnd: number, fragmented: boolean,
): void {
  if (fragmented && l4.tcp === undefined && l4.udp === undefined && l4.icmp === undefined) {
    l4 = firstFragment(data, proto, at, length, capEnd);
  }
  switch (proto) {
    case 6:
      if (l4.tcp !== undefined) writeTcp(ctx, w, data, ip, l4.tcp, length, capEnd, fragmented);
      else w.str(cutTransport(ip, 6, data, at, length, capEnd));
      return;
    case 17:
      if (l4.udp !== undefined) writeUdp(ctx, w, data, ip, l4.udp, length, capEnd, fragmented);
      else w.str(cutTransport(ip, 17, data, at, length, capEnd));
      return;
    case 1:
      if (ip.version !== 4) w.str('[ICMP requires IPv4] (invalid)');
      else if (l4.icmp === undefined) w.str(' [|icmp]');
      else {
        w.str(formatIcmp(ctx, data, l4.icmp, length, capEnd, fragmented));
        writeQuotedPacket(ctx, w, data, l4.icmp, capEnd);
      }
      return;
    case 59:
      w.str('no next header');
      return;
    case 58:
      if (ip.version !== 6) w.str('[ICMPv6 requires IPv6] (invalid)');
      else if (l4.icmp === undefined) w.str(' [|icmp6]');
      else w.str(formatIcmp6(ctx, data, ip, l4.icmp, length, capEnd, fragmented));
      return;
    default:
      w.str(' ip-proto-' + proto + ' ' + length);
  }
}

/**
 * A TCP or UDP header the decoder gave up on (cut by the capture, or a
 * segment too short for one): tcpdump prints what it could read of it.
 */
function cutTransport(ip: Ipv4Repr | Ipv6Repr, proto: number, data: Uint8Array, at: number, length: number, capEnd: number): string {
  const name = proto === 6 ? 'tcp' : 'udp';
  const own = ip.version === 4 ? ip.protocol === proto : ip.nextHeader === proto;
  if (at + 4 > capEnd) return own ? addresses(ip) + ': [|' + name + ']' : ' [|' + name + ']';
  const sport = (data[at]! << 8) | data[at + 1]!;
  const dport = (data[at + 2]! << 8) | data[at + 3]!;
  const ports = own ? addresses(ip).replace(' > ', '.' + sport + ' > ') + '.' + dport + ': ' : sport + ' > ' + dport + ': ';
  if (proto === 17) return ports + (length < 8 ? ' [undersized-udp ' + length + ' < 8] (invalid)' : ' [|udp]');
  if (at + 13 > capEnd) return ports + ' [|tcp]';
  const hlen = (data[at + 12]! >> 4) * 4;
  if (hlen < 20) return ports + ' tcp ' + ((length - hlen) >>> 0) + ' [bad hdr length ' + hlen + ' - too short, < 20] (invalid)';
  return ports + ' [|tcp]';
}
