/** Link-layer fields: Ethernet and 802.1Q tags, Linux cooked capture, BSD loopback, PPP, raw IP. */
import type { EthernetRepr, Packet, SllRepr, VlanTag } from '../../wire/types.js';
import { etherText } from '../format.js';
import { tagProtocol } from '../protocols.js';
import type { FieldRegistry } from '../registry.js';
import type { FieldContext, Scope } from '../types.js';

/** LINKTYPE_RAW and the DLT_RAW strays: tshark opens them with a `raw` layer (but not the raw IPv4/IPv6 link types). */
const RAW_LAYER_LINK_TYPES = new Set([12, 14, 101]);

const ARPHRD_ETHER = 1;
const ARPHRD_LOOPBACK = 772;
const ARPHRD_IPGRE = 778;

function eth(c: FieldContext): EthernetRepr | undefined {
  const l = c.packet.link;
  return l?.layer === 'eth' ? l : undefined;
}

function sll(c: FieldContext): SllRepr | undefined {
  const l = c.packet.link;
  return l?.layer === 'sll' ? l : undefined;
}

/** The 8-byte address field of a cooked header, whose bytes past the address length tshark shows as `sll.unused`. */
function sllAddressField(p: Packet, s: SllRepr): Uint8Array {
  if (s.addrField !== undefined) return s.addrField;
  const start = s.offset + (s.version === 1 ? 6 : 12);
  return p.data.subarray(start, Math.min(start + 8, p.data.length));
}

/** Smallest Ethernet frame without its FCS; shorter frames are padded. */
const MIN_FRAME = 60;

/** Captured bytes after the end of the IP datagram (by its length field), on Ethernet frames. */
function ethTrailing(c: FieldContext): Uint8Array | undefined {
  const p = c.packet;
  const ip = p.ip;
  if (!eth(c) || !ip) return undefined;
  const end = ip.offset + (ip.layer === 'ip' ? ip.totalLength : 40 + ip.payloadLength);
  return end < p.data.length && end >= ip.offset + ip.length ? p.data.subarray(end) : undefined;
}

interface EthAddress {
  readonly role: 'dst' | 'src';
  readonly mac: Uint8Array;
}

const ethAddresses: Scope<EthAddress> = {
  name: 'eth.address',
  within: 'eth',
  items: (c) => {
    const e = eth(c);
    return e && [{ role: 'dst', mac: e.dst }, { role: 'src', mac: e.src }];
  },
  node: (a) => (a.role === 'dst' ? 'eth.dst' : 'eth.src'),
};

function tags(c: FieldContext, protocol: 'vlan' | 'ieee8021ad'): VlanTag[] | undefined {
  const v = eth(c)?.vlans;
  if (!v || v.length === 0) return undefined;
  return v.filter((t) => tagProtocol(t.tpid) === protocol);
}

/** 802.1Q customer tags. */
const vlanTags: Scope<VlanTag> = {
  name: 'vlan.tag',
  within: null,
  items: (c) => tags(c, 'vlan'),
  node: () => 'vlan',
};

/** 802.1ad service tags (TPID 0x88a8), a protocol of their own in tshark. */
const serviceTags: Scope<VlanTag> = {
  name: 'ieee8021ad.tag',
  within: null,
  items: (c) => tags(c, 'ieee8021ad'),
  node: () => 'ieee8021ad',
};

/** The EtherType (or TPID) that follows a tag: the next tag's TPID, or the frame's EtherType after the last. */
function etherTypeAfter(c: FieldContext, tag: VlanTag): number | undefined {
  const e = eth(c);
  if (!e) return undefined;
  const i = e.vlans.indexOf(tag);
  return i + 1 < e.vlans.length ? e.vlans[i + 1]!.tpid : e.etherType;
}

const lgBit = (a: EthAddress) => (a.mac[0]! & 0x02) !== 0;
const igBit = (a: EthAddress) => (a.mac[0]! & 0x01) !== 0;

function defineEthernet(r: FieldRegistry): void {
  const d = r.definer('eth');
  d.protocol('eth', 'Ethernet', (c) => {
    const e = eth(c);
    return e && `Ethernet II, Src: ${etherText(e.src)}, Dst: ${etherText(e.dst)}`;
  });
  const a = d.scoped(ethAddresses);
  a.node('eth.dst', 'ether', 'Destination', (x) => (x.role === 'dst' ? x.mac : undefined));
  a.node('eth.src', 'ether', 'Source', (x) => (x.role === 'src' ? x.mac : undefined));
  const oui = (x: EthAddress) => (x.mac[0]! << 16) | (x.mac[1]! << 8) | x.mac[2]!;
  a.field('eth.dst.oui', 'uint24', 'Destination OUI', (x) => (x.role === 'dst' ? oui(x) : undefined));
  a.field('eth.src.oui', 'uint24', 'Source OUI', (x) => (x.role === 'src' ? oui(x) : undefined));
  a.field('eth.addr', 'ether', 'Address', (x) => x.mac);
  a.field('eth.addr.oui', 'uint24', 'Address OUI', oui);
  a.field('eth.dst.lg', 'bool', 'LG bit', (x) => (x.role === 'dst' ? lgBit(x) : undefined));
  a.field('eth.src.lg', 'bool', 'LG bit', (x) => (x.role === 'src' ? lgBit(x) : undefined));
  a.field('eth.lg', 'bool', 'LG bit', lgBit);
  a.field('eth.dst.ig', 'bool', 'IG bit', (x) => (x.role === 'dst' ? igBit(x) : undefined));
  a.field('eth.src.ig', 'bool', 'IG bit', (x) => (x.role === 'src' ? igBit(x) : undefined));
  a.field('eth.ig', 'bool', 'IG bit', igBit);
  d.field('eth.type', 'uint16', 'Type', (c) => {
    const e = eth(c);
    if (!e) return undefined;
    if (e.vlans.length > 0) return e.vlans[0]!.tpid;
    return e.etherType >= 0x600 ? e.etherType : undefined;
  }, { base: 'hex' });
  d.field('eth.len', 'uint16', 'Length', (c) => {
    const e = eth(c);
    return e && e.vlans.length === 0 && e.etherType < 0x600 ? e.etherType : undefined;
  });
  // Bytes after the IP datagram: padding up to the 60-byte minimum frame, or a trailer on longer frames.
  d.field('eth.padding', 'bytes', 'Padding', (c) => (c.packet.origLen <= MIN_FRAME ? ethTrailing(c) : undefined));
  d.field('eth.trailer', 'bytes', 'Trailer', (c) => (c.packet.origLen > MIN_FRAME ? ethTrailing(c) : undefined));

  const q = r.definer('ieee8021ad').scoped(serviceTags);
  q.node('ieee8021ad', 'protocol', 'IEEE 802.1ad', (t) => `IEEE 802.1ad, ID: ${t.vid}`);
  q.field('ieee8021ad.priority', 'uint16', 'Priority', (t) => t.pcp);
  q.field('ieee8021ad.dei', 'uint16', 'DEI', (t) => (t.dei ? 1 : 0));
  q.field('ieee8021ad.id', 'uint16', 'ID', (t) => t.vid);
  q.field('ieee8021ah.etype', 'uint16', 'Type', (t, c) => etherTypeAfter(c, t), { base: 'hex', layer: 'ieee8021ah' });

  const v = r.definer('vlan').scoped(vlanTags);
  v.node('vlan', 'protocol', '802.1Q Virtual LAN', (t) => `802.1Q Virtual LAN, PRI: ${t.pcp}, DEI: ${t.dei ? 1 : 0}, ID: ${t.vid}`);
  v.field('vlan.priority', 'uint16', 'Priority', (t) => t.pcp);
  v.field('vlan.dei', 'bool', 'DEI', (t) => t.dei);
  v.field('vlan.id', 'uint16', 'ID', (t) => t.vid);
  v.field('vlan.etype', 'uint16', 'Type', (t, c) => etherTypeAfter(c, t), { base: 'hex' });
}

function defineSll(r: FieldRegistry): void {
  const d = r.definer('sll');
  d.protocol('sll', 'Linux cooked-mode capture', (c) => {
    const s = sll(c);
    return s && `Linux cooked capture v${s.version}`;
  });
  d.field('sll.pkttype', 'uint16', 'Packet type', (c) => sll(c)?.packetType);
  d.field('sll.hatype', 'uint16', 'Link-layer address type', (c) => sll(c)?.hatype);
  d.field('sll.halen', 'uint16', 'Link-layer address length', (c) => sll(c)?.addrLen);
  d.field('sll.src.eth', 'ether', 'Source', (c) => {
    const s = sll(c);
    return s && (s.hatype === ARPHRD_ETHER || s.hatype === ARPHRD_LOOPBACK) && s.addrLen === 6 ? s.addr : undefined;
  });
  d.field('sll.src.ipv4', 'ipv4', 'Source', (c) => {
    const s = sll(c);
    if (!s || s.hatype !== ARPHRD_IPGRE || s.addrLen !== 4) return undefined;
    return ((s.addr[0]! << 24) | (s.addr[1]! << 16) | (s.addr[2]! << 8) | s.addr[3]!) >>> 0;
  });
  d.field('sll.src.other', 'bytes', 'Source', (c) => {
    const s = sll(c);
    if (!s || s.addrLen === 0) return undefined;
    if ((s.hatype === ARPHRD_ETHER || s.hatype === ARPHRD_LOOPBACK) && s.addrLen === 6) return undefined;
    if (s.hatype === ARPHRD_IPGRE && s.addrLen === 4) return undefined;
    return s.addr;
  });
  d.field('sll.unused', 'bytes', 'Unused', (c) => {
    const s = sll(c);
    if (!s || s.addrLen >= 8) return undefined;
    return sllAddressField(c.packet, s).subarray(s.addrLen);
  });
  d.field('sll.etype', 'uint16', 'Protocol', (c) => {
    const s = sll(c);
    return s && s.protocol >= 0x600 && s.hatype !== ARPHRD_IPGRE ? s.protocol : undefined;
  }, { base: 'hex' });
  d.field('sll.gretype', 'uint16', 'Protocol', (c) => {
    const s = sll(c);
    return s?.hatype === ARPHRD_IPGRE ? s.protocol : undefined;
  }, { base: 'hex' });
  d.field('sll.ltype', 'uint16', 'Protocol', (c) => {
    const s = sll(c);
    return s && s.protocol < 0x600 && s.hatype !== ARPHRD_IPGRE ? s.protocol : undefined;
  }, { base: 'hex' });
  d.field('sll.ifindex', 'uint32', 'Interface index', (c) => sll(c)?.ifIndex);
}

function defineOtherLinks(r: FieldRegistry): void {
  const n = r.definer('null');
  const loop = (c: FieldContext) => {
    const l = c.packet.link;
    return l?.layer === 'null' ? l : undefined;
  };
  n.protocol('null', 'Null/Loopback', (c) => (loop(c) ? 'null' : undefined));
  n.field('null.family', 'uint32', 'Family', (c) => loop(c)?.family);

  const p = r.definer('ppp');
  const ppp = (c: FieldContext) => {
    const l = c.packet.link;
    return l?.layer === 'ppp' ? l : undefined;
  };
  p.protocol('ppp', 'Point-to-Point Protocol', (c) => (ppp(c) ? 'ppp' : undefined));
  p.field('ppp.address', 'uint8', 'Address', (c) => (ppp(c)?.hdlc ? 0xff : undefined), { base: 'hex' });
  p.field('ppp.control', 'uint8', 'Control', (c) => (ppp(c)?.hdlc ? 0x03 : undefined), { base: 'hex' });
  p.field('ppp.protocol', 'uint16', 'Protocol', (c) => ppp(c)?.protocol, { base: 'hex' });

  r.definer('raw').protocol('raw', 'Raw packet data', (c) =>
    c.packet.link === undefined && RAW_LAYER_LINK_TYPES.has(c.packet.linkType) ? 'raw' : undefined,
  );
}

export function defineLinkFields(r: FieldRegistry): void {
  defineEthernet(r);
  defineSll(r);
  defineOtherLinks(r);
}
