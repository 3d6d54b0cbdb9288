/** `ip.*` (IPv4) and `ipv6.*` fields, IPv6 extension headers included. */
import type { Ipv4Repr, Ipv6ExtRepr, Ipv6Repr } from '../../wire/types.js';
import { ipv4Text, ipv6Text } from '../format.js';
import { checksumStatus } from './checksum.js';
import { IPV6_EXT_PROTOCOL } from '../protocols.js';
import type { FieldRegistry } from '../registry.js';
import type { FieldContext, Scope } from '../types.js';

function v4(c: FieldContext): Ipv4Repr | undefined {
  const ip = c.packet.ip;
  return ip?.layer === 'ip' ? ip : undefined;
}

function v6(c: FieldContext): Ipv6Repr | undefined {
  const ip = c.packet.ip;
  return ip?.layer === 'ipv6' ? ip : undefined;
}

function defineIpv4(r: FieldRegistry): void {
  const d = r.definer('ip', { alsoQuoted: true });
  d.protocol('ip', 'Internet Protocol Version 4', (c) => {
    const ip = v4(c);
    return ip && `Internet Protocol Version 4, Src: ${ipv4Text(ip.src)}, Dst: ${ipv4Text(ip.dst)}`;
  });
  // tshark fills ip.version for IPv6 packets too.
  d.field('ip.version', 'uint8', 'Version', (c) => c.packet.ip?.version);
  d.field('ip.hdr_len', 'uint8', 'Header Length', (c) => {
    const ip = v4(c);
    return ip && ip.ihl * 4;
  });
  d.field('ip.dsfield', 'uint8', 'Differentiated Services Field', (c) => {
    const ip = v4(c);
    return ip && ((ip.dscp << 2) | ip.ecn);
  }, { base: 'hex' });
  d.field('ip.dsfield.dscp', 'uint8', 'Differentiated Services Codepoint', (c) => v4(c)?.dscp, { parent: 'ip.dsfield' });
  d.field('ip.dsfield.ecn', 'uint8', 'Explicit Congestion Notification', (c) => v4(c)?.ecn, { parent: 'ip.dsfield' });
  d.field('ip.len', 'uint16', 'Total Length', (c) => v4(c)?.totalLength);
  d.field('ip.id', 'uint16', 'Identification', (c) => v4(c)?.id, { base: 'hex_dec' });
  d.field('ip.flags', 'uint8', 'Flags', (c) => v4(c)?.flags, { base: 'hex' });
  const flag = (bit: number) => (c: FieldContext) => {
    const ip = v4(c);
    return ip && (ip.flags & bit) !== 0;
  };
  d.field('ip.flags.rb', 'bool', 'Reserved bit', flag(4), { parent: 'ip.flags' });
  d.field('ip.flags.df', 'bool', "Don't fragment", flag(2), { parent: 'ip.flags' });
  d.field('ip.flags.mf', 'bool', 'More fragments', flag(1), { parent: 'ip.flags' });
  d.field('ip.frag_offset', 'uint16', 'Fragment Offset', (c) => v4(c)?.fragOffset);
  d.field('ip.ttl', 'uint8', 'Time to Live', (c) => v4(c)?.ttl);
  d.field('ip.proto', 'uint8', 'Protocol', (c) => v4(c)?.protocol);
  d.field('ip.checksum', 'uint16', 'Header Checksum', (c) => v4(c)?.checksum, { base: 'hex' });
  d.field('ip.checksum.status', 'uint8', 'Header checksum status (0 bad, 1 good, 2 unverified)', (c) => {
    const ip = v4(c);
    return ip && checksumStatus(ip.checksumOk);
  });
  d.field('ip.src', 'ipv4', 'Source Address', (c) => v4(c)?.src);
  d.field('ip.addr', 'ipv4', 'Source or Destination Address', (c) => {
    const ip = v4(c);
    return ip && [ip.src, ip.dst];
  });
  d.field('ip.src_host', 'string', 'Source Host', (c) => {
    const ip = v4(c);
    return ip && ipv4Text(ip.src);
  });
  d.field('ip.host', 'string', 'Source or Destination Host', (c) => {
    const ip = v4(c);
    return ip && [ipv4Text(ip.src), ipv4Text(ip.dst)];
  });
  d.field('ip.dst', 'ipv4', 'Destination Address', (c) => v4(c)?.dst);
  d.field('ip.dst_host', 'string', 'Destination Host', (c) => {
    const ip = v4(c);
    return ip && ipv4Text(ip.dst);
  });
}

const ipv6Extensions: Scope<Ipv6ExtRepr> = {
  name: 'ipv6.extension',
  within: 'ipv6',
  items: (c) => v6(c)?.extensions,
  node: (e) => IPV6_EXT_PROTOCOL.get(e.type) ?? 'ipv6.ext',
};

const ROUTING_TYPES = new Map([
  [0, 'Source Route'],
  [2, 'Type 2 Routing'],
  [3, 'RPL Source Route'],
  [4, 'Segment Routing'],
]);

/** The header-extension-length byte of options and routing headers (8-octet units, not counting the first 8). */
const extLen = (e: Ipv6ExtRepr) => e.length / 8 - 1;

function defineIpv6Extensions(r: FieldRegistry): void {
  const s = r.definer('ipv6').scoped(ipv6Extensions);
  // tshark prints the abbreviation of these headers in -T fields, except the routing header's summary.
  const header = (type: number, layer: string, label: string, summary: (e: Ipv6ExtRepr) => string = () => layer) => {
    const only = <V>(get: (e: Ipv6ExtRepr) => V) => (e: Ipv6ExtRepr) => (e.type === type ? get(e) : undefined);
    s.node(layer, 'protocol', label, only(summary), { layer });
    return only;
  };

  for (const [type, layer, label] of [
    [0, 'ipv6.hopopts', 'IPv6 Hop-by-Hop Option'],
    [60, 'ipv6.dstopts', 'Destination Options for IPv6'],
  ] as const) {
    const only = header(type, layer, label);
    s.field(`${layer}.nxt`, 'uint8', 'Next Header', only((e) => e.nextHeader), { layer });
    s.field(`${layer}.len`, 'uint8', 'Length', only(extLen), { layer });
    s.field(`${layer}.len_oct`, 'uint16', 'Length', only((e) => e.length), { layer });
  }

  const routing = header(43, 'ipv6.routing', 'Routing Header for IPv6', (e) =>
    `Routing Header for IPv6 (${ROUTING_TYPES.get(e.routingType ?? -1) ?? `Unknown (${e.routingType})`})`,
  );
  const rl = { layer: 'ipv6.routing' };
  s.field('ipv6.routing.nxt', 'uint8', 'Next Header', routing((e) => e.nextHeader), rl);
  s.field('ipv6.routing.len', 'uint8', 'Length', routing(extLen), rl);
  s.field('ipv6.routing.len_oct', 'uint16', 'Length', routing((e) => e.length), rl);
  s.field('ipv6.routing.type', 'uint8', 'Type', routing((e) => e.routingType), rl);
  s.field('ipv6.routing.segleft', 'uint8', 'Segments Left', routing((e) => e.segmentsLeft), rl);

  const frag = header(44, 'ipv6.fraghdr', 'Fragment Header for IPv6');
  const fl = { layer: 'ipv6.fraghdr' };
  s.field('ipv6.fraghdr.nxt', 'uint8', 'Next header', frag((e) => e.nextHeader), fl);
  s.field('ipv6.fraghdr.offset', 'uint16', 'Offset', frag((e) => e.fragOffset), fl);
  s.field('ipv6.fraghdr.more', 'bool', 'More Fragments', frag((e) => e.moreFragments), fl);
  s.field('ipv6.fraghdr.ident', 'uint32', 'Identification', frag((e) => e.fragId), { ...fl, base: 'hex' });
}

function defineIpv6(r: FieldRegistry): void {
  const d = r.definer('ipv6', { alsoQuoted: true });
  d.protocol('ipv6', 'Internet Protocol Version 6', (c) => {
    const ip = v6(c);
    return ip && `Internet Protocol Version 6, Src: ${ipv6Text(ip.src)}, Dst: ${ipv6Text(ip.dst)}`;
  });
  d.field('ipv6.version', 'uint8', 'Version', (c) => v6(c)?.version);
  d.field('ipv6.tclass', 'uint32', 'Traffic Class', (c) => v6(c)?.trafficClass, { base: 'hex' });
  d.field('ipv6.tclass.dscp', 'uint32', 'Differentiated Services Codepoint', (c) => {
    const ip = v6(c);
    return ip && ip.trafficClass >>> 2;
  }, { parent: 'ipv6.tclass' });
  d.field('ipv6.tclass.ecn', 'uint32', 'Explicit Congestion Notification', (c) => {
    const ip = v6(c);
    return ip && ip.trafficClass & 3;
  }, { parent: 'ipv6.tclass' });
  d.field('ipv6.flow', 'uint24', 'Flow Label', (c) => v6(c)?.flowLabel, { base: 'hex' });
  d.field('ipv6.plen', 'uint16', 'Payload Length', (c) => v6(c)?.payloadLength);
  d.field('ipv6.nxt', 'uint8', 'Next Header', (c) => v6(c)?.nextHeader);
  d.field('ipv6.hlim', 'uint8', 'Hop Limit', (c) => v6(c)?.hopLimit);
  d.field('ipv6.src', 'ipv6', 'Source Address', (c) => v6(c)?.src);
  d.field('ipv6.addr', 'ipv6', 'Source or Destination Address', (c) => {
    const ip = v6(c);
    return ip && [ip.src, ip.dst];
  });
  d.field('ipv6.src_host', 'string', 'Source Host', (c) => {
    const ip = v6(c);
    return ip && ipv6Text(ip.src);
  });
  d.field('ipv6.host', 'string', 'Source or Destination Host', (c) => {
    const ip = v6(c);
    return ip && [ipv6Text(ip.src), ipv6Text(ip.dst)];
  });
  d.field('ipv6.dst', 'ipv6', 'Destination Address', (c) => v6(c)?.dst);
  d.field('ipv6.dst_host', 'string', 'Destination Host', (c) => {
    const ip = v6(c);
    return ip && ipv6Text(ip.dst);
  });
  defineIpv6Extensions(r);
}

export function defineIpFields(r: FieldRegistry): void {
  defineIpv4(r);
  defineIpv6(r);
}
