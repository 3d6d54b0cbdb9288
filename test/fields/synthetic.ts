/**
 * Hand-built frames for the fields the public corpus never shows: every MPTCP
 * subtype and form, rare TCP options, IPv6 extension headers, VLAN stacks,
 * ICMP, UDP and the less common link types. Each frame is spelled from its
 * header fields so a reader can check it against the RFCs; tests write them
 * to a pcapng file and compare our fields with tshark's on the same file.
 */
import type { Frame } from '../../src/capture/types.js';
import { ContextBuilder } from '../../src/fields/index.js';
import type { FieldContext } from '../../src/fields/index.js';
import { decodePacket } from '../../src/wire/index.js';
import { concat, hex, sum16 } from '../helpers/bytes.js';

export { hex } from '../helpers/bytes.js';

const u16 = (v: number) => new Uint8Array([v >>> 8, v & 0xff]);
const u32 = (v: number) => new Uint8Array([v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff]);

const MAC_A = hex('02:00:00:00:00:0a');
const MAC_B = hex('02:00:00:00:00:0b');

export function ethernet(type: number, payload: Uint8Array, vlans: Array<[tpid: number, tci: number]> = []): Uint8Array {
  const tags = vlans.map(([tpid, tci]) => concat(u16(tpid), u16(tci)));
  return concat(MAC_B, MAC_A, ...tags, u16(type), payload);
}

export interface Ipv4Opts {
  tos?: number;
  id?: number;
  flags?: number;
  fragOffset?: number;
  ttl?: number;
  src?: string;
  dst?: string;
  /** Total length override (to fake a datagram longer than the bytes given). */
  totalLength?: number;
}

const quad = (a: string) => new Uint8Array(a.split('.').map(Number));

export function ipv4(proto: number, payload: Uint8Array, o: Ipv4Opts = {}): Uint8Array {
  const h = concat(
    new Uint8Array([0x45, o.tos ?? 0]),
    u16(o.totalLength ?? 20 + payload.length),
    u16(o.id ?? 0x1234),
    u16(((o.flags ?? 2) << 13) | (o.fragOffset ?? 0)),
    new Uint8Array([o.ttl ?? 64, proto, 0, 0]),
    quad(o.src ?? '10.0.0.1'),
    quad(o.dst ?? '10.0.0.2'),
  );
  const c = ~sum16(h) & 0xffff;
  h[10] = c >>> 8;
  h[11] = c & 0xff;
  return concat(h, payload);
}

export function ipv6(next: number, payload: Uint8Array, o: { tclass?: number; flow?: number; src?: string; dst?: string } = {}): Uint8Array {
  const vtf = (6 << 28) | ((o.tclass ?? 0) << 20) | (o.flow ?? 0);
  return concat(u32(vtf >>> 0), u16(payload.length), new Uint8Array([next, 64]), hex(o.src ?? '20010db8000000000000000000000001'), hex(o.dst ?? '20010db8000000000000000000000002'), payload);
}

export interface TcpOpts {
  sport?: number;
  dport?: number;
  seq?: number;
  ack?: number;
  flags?: number;
  window?: number;
  urgent?: number;
  /** Option bytes; padded with zeros to a multiple of 4. */
  options?: string;
  payload?: string;
}

export function tcp(o: TcpOpts = {}): Uint8Array {
  let opts = hex(o.options ?? '');
  if (opts.length % 4) opts = concat(opts, new Uint8Array(4 - (opts.length % 4)));
  const hl = 20 + opts.length;
  const flags = o.flags ?? 0x010;
  return concat(
    u16(o.sport ?? 40000),
    u16(o.dport ?? 5201),
    u32(o.seq ?? 1000),
    u32(o.ack ?? 2000),
    u16(((hl / 4) << 12) | flags),
    u16(o.window ?? 512),
    u16(0xbeef),
    u16(o.urgent ?? 0),
    opts,
    hex(o.payload ?? ''),
  );
}

export function udp(sport: number, dport: number, payload: Uint8Array): Uint8Array {
  return concat(u16(sport), u16(dport), u16(8 + payload.length), u16(0x1111), payload);
}

export function icmp(type: number, code: number, rest: number, body: Uint8Array): Uint8Array {
  const m = concat(new Uint8Array([type, code, 0, 0]), u32(rest >>> 0), body);
  const c = ~sum16(m) & 0xffff;
  m[2] = c >>> 8;
  m[3] = c & 0xff;
  return m;
}

const TCP = 6;
const UDP = 17;
const ICMP = 1;
const ICMP6 = 58;

/**
 * An Ethernet/IPv4/TCP frame carrying `options` (hex). Each gets its own
 * source port: tshark's per-connection MPTCP state (tokens are computed once
 * per direction) must not carry from one test packet to the next.
 */
let nextPort = 41000;
const withOptions = (options: string, t: TcpOpts = {}) => ethernet(0x0800, ipv4(TCP, tcp({ sport: nextPort++, ...t, options })));

/** MPTCP option bytes: kind 30, the length, then `body` (hex, subtype byte first). */
const mp = (body: string) => {
  const b = hex(body);
  return `1e${(b.length + 2).toString(16).padStart(2, '0')}${body.replace(/\s/g, '')}`;
};

interface Synthetic {
  linkType: number;
  data: Uint8Array;
  why: string;
}

const SYN = 0x002;
const SYNACK = 0x012;

// Distinct keys per packet: tshark remembers keys across connections and then misreports tokens.
const KEY_A = '1122334455667788';
const KEY_B = '99aabbccddeeff00';
const KEY_C = '0123456789abcdef';
const KEY_D = 'fedcba9876543210';
const KEY_E = '0f1e2d3c4b5a6978';

export const SYNTHETIC: readonly Synthetic[] = [
  // MP_CAPABLE: v0 SYN with checksums, v1 forms, the C flag, data with checksum, an unknown version.
  { linkType: 1, why: 'v0 MP_CAPABLE SYN, A and H', data: withOptions(mp(`0081${KEY_A}`), { flags: SYN }) },
  { linkType: 1, why: 'v1 MP_CAPABLE SYN/ACK with C (no more subflows)', data: withOptions(mp(`01a1${KEY_B}`), { flags: SYNACK }) },
  { linkType: 1, why: 'v1 MP_CAPABLE third ACK', data: withOptions(mp(`0101${KEY_A}${KEY_B}`)) },
  { linkType: 1, why: 'v1 MP_CAPABLE with data and checksum', data: withOptions(mp(`0181${KEY_C}${KEY_B}0010abcd`), { flags: 0x018, payload: '00'.repeat(16) }) },
  { linkType: 1, why: 'MP_CAPABLE version 2', data: withOptions(mp(`0201${KEY_D}`), { flags: SYN }) },
  { linkType: 1, why: 'v1 MP_CAPABLE with reserved bits D and G', data: withOptions(mp(`0113${KEY_E}`), { flags: SYN }) },
  // MP_JOIN, all three forms, backup set on the SYN.
  { linkType: 1, why: 'MP_JOIN SYN, backup', data: withOptions(mp('1105 a1b2c3d4 01020304'), { flags: SYN }) },
  { linkType: 1, why: 'MP_JOIN SYN/ACK', data: withOptions(mp('1005 0102030405060708 0a0b0c0d'), { flags: SYNACK }) },
  { linkType: 1, why: 'MP_JOIN third ACK', data: withOptions(mp(`1000 ${'5a'.repeat(20)}`)) },
  // DSS: every width, DATA_FIN, checksum, infinite mapping.
  { linkType: 1, why: 'DSS ack8 dsn8 with checksum', data: withOptions(mp('200f 0000000100000002 0000000300000004 00000005 0010 1234'), { flags: 0x018, payload: '00'.repeat(16) }) },
  { linkType: 1, why: 'DSS ack4 dsn4 DATA_FIN', data: withOptions(mp('2015 0000abcd 0000dcba 00000000 0001'), { flags: 0x011 }) },
  { linkType: 1, why: 'DSS ack8 only, dsn8 flag set without mapping', data: withOptions(mp('200b 1122334455667788')) },
  { linkType: 1, why: 'DSS infinite mapping', data: withOptions(mp('2005 00000001 00000010 00000000 0000')) },
  { linkType: 1, why: 'DSS dsn4 with ack8: tshark widens the DSN by the ack flag', data: withOptions(mp('2007 0000000000000009 ffffff00 00000001 0004'), { flags: 0x018, payload: '61626364' }) },
  // ADD_ADDR: v0 and v1 forms, IPv4 and IPv6, ports, HMACs, echo.
  { linkType: 1, why: 'v0 ADD_ADDR IPv4 with port', data: withOptions(mp('3405 0a000001 1f90')) },
  { linkType: 1, why: 'v0 ADD_ADDR IPv6', data: withOptions(mp('3606 20010db8000000000000000000000abc')) },
  { linkType: 1, why: 'v1 ADD_ADDR IPv4 with HMAC', data: withOptions(mp('3007 c0a80101 0102030405060708')) },
  { linkType: 1, why: 'v1 ADD_ADDR IPv4 port and HMAC', data: withOptions(mp('3008 c0a80102 0050 0102030405060708')) },
  { linkType: 1, why: 'v1 ADD_ADDR IPv6 port and HMAC', data: withOptions(mp('3009 00000000000000000000ffffc0a80103 1f90 0102030405060708')) },
  { linkType: 1, why: 'v1 ADD_ADDR echo IPv4', data: withOptions(mp('3103 0a000003')) },
  { linkType: 1, why: 'v1 ADD_ADDR echo IPv6 with port', data: withOptions(mp('310a 00000000000000000000000001020304 0050')) },
  // REMOVE_ADDR, MP_PRIO, MP_FAIL, MP_FASTCLOSE, MP_TCPRST, experimental and unknown subtypes.
  { linkType: 1, why: 'REMOVE_ADDR of three ids', data: withOptions(mp('40 010203')) },
  { linkType: 1, why: 'MP_PRIO backup with address id', data: withOptions(mp('5107')) },
  { linkType: 1, why: 'MP_PRIO without address id', data: withOptions(mp('50')) },
  { linkType: 1, why: 'MP_FAIL', data: withOptions(mp('6000 0102030405060708'), { flags: 0x014 }) },
  { linkType: 1, why: 'MP_FASTCLOSE', data: withOptions(mp(`7000 ${KEY_B}`), { flags: 0x014 }) },
  { linkType: 1, why: 'MP_TCPRST all flags, reason 6', data: withOptions(mp('8f06'), { flags: 0x014 }) },
  { linkType: 1, why: 'MP_EXPERIMENTAL', data: withOptions(mp('f0 00112233')) },
  { linkType: 1, why: 'unknown MPTCP subtype 9', data: withOptions(mp('90 aabb')) },
  { linkType: 1, why: 'two MPTCP options: DSS then ADD_ADDR echo', data: withOptions(mp('2001 00000007') + mp('3101 0a000009')) },
  // TCP options mpscope decodes besides MPTCP.
  { linkType: 1, why: 'wscale 15 (capped), MSS, SACK permitted, timestamps', data: withOptions('020405b4 0303 0f 0402 080a0000000100000002 01', { flags: SYN }) },
  { linkType: 1, why: 'SACK with three blocks', data: withOptions('0101 051a 00000001 00000002 00000003 00000004 00000005 00000006') },
  { linkType: 1, why: 'MD5 signature', data: withOptions(`1312 ${'ab'.repeat(16)} 0000`) },
  { linkType: 1, why: 'TCP-AO', data: withOptions(`1d10 0102 ${'cd'.repeat(12)}`) },
  { linkType: 1, why: 'User Timeout in minutes', data: withOptions('1c04 8005') },
  { linkType: 1, why: 'Fast Open cookie request', data: withOptions('2202 0101', { flags: SYN }) },
  { linkType: 1, why: 'Fast Open cookie', data: withOptions('220a 0102030405060708', { flags: SYNACK }) },
  { linkType: 1, why: 'experimental Fast Open (kind 254, F989)', data: withOptions('fe0c f989 0102030405060708', { flags: SYNACK }) },
  { linkType: 1, why: 'experimental option, other ExID', data: withOptions('fd06 1234 abcd') },
  { linkType: 1, why: 'unknown option kind 99', data: withOptions('6305 aabbcc') },
  { linkType: 1, why: 'EOL then non-zero padding', data: withOptions('01 00 0102') },
  { linkType: 1, why: 'all TCP flags, urgent pointer', data: withOptions('', { flags: 0xfff, urgent: 7 }) },
  { linkType: 1, why: 'RST carrying a reason', data: withOptions('', { flags: 0x014, payload: '636f6e6e656374696f6e207265736574' }) },
  // Network and link layers.
  { linkType: 1, why: 'IPv4 DSCP/ECN, reserved flag, TTL 1', data: ethernet(0x0800, ipv4(TCP, tcp(), { tos: 0xb9, flags: 4, ttl: 1 })) },
  { linkType: 1, why: 'IPv4 first fragment', data: ethernet(0x0800, ipv4(TCP, tcp(), { flags: 1, id: 0xabcd })) },
  { linkType: 1, why: 'IPv4 later fragment', data: ethernet(0x0800, ipv4(TCP, hex('0011223344556677'), { flags: 0, fragOffset: 185 })) },
  { linkType: 1, why: 'QinQ', data: ethernet(0x0800, ipv4(TCP, tcp()), [[0x88a8, 0x2064], [0x8100, 0xb0c8]]) },
  { linkType: 1, why: 'IPv6 with hop-by-hop and destination options, MPTCP', data: ethernet(0x86dd, ipv6(0, concat(hex('3c00 0104 00000000'), hex('0600 0104 00000000'), tcp({ options: mp('2001 00000007') })), { tclass: 0x2e, flow: 0xbeef5 })) },
  { linkType: 1, why: 'IPv6 fragment header (first fragment)', data: ethernet(0x86dd, ipv6(44, concat(hex('0600 0001 deadbeef'), tcp()))) },
  { linkType: 1, why: 'IPv6 routing header type 0', data: ethernet(0x86dd, ipv6(43, concat(hex('0602 0001 00000000'), hex('20010db8000000000000000000000009'), tcp()))) },
  { linkType: 1, why: 'IPv4-mapped and compatible IPv6 addresses', data: ethernet(0x86dd, ipv6(TCP, tcp(), { src: '00000000000000000000ffff0a000001', dst: '0000000000000000000000000a000002' })) },
  { linkType: 1, why: 'UDP', data: ethernet(0x0800, ipv4(UDP, udp(5353, 40000, hex('0001020304')))) },
  { linkType: 1, why: 'ICMP echo request', data: ethernet(0x0800, ipv4(ICMP, icmp(8, 0, 0x12340007, hex('6162636465666768')))) },
  { linkType: 1, why: 'ICMP fragmentation needed quoting TCP', data: ethernet(0x0800, ipv4(ICMP, icmp(3, 4, 1400, ipv4(TCP, tcp().subarray(0, 8), { totalLength: 40 })))) },
  { linkType: 1, why: 'ICMPv6 echo reply', data: ethernet(0x86dd, ipv6(ICMP6, icmp(129, 0, 0x00420003, hex('00010203')))) },
  { linkType: 1, why: 'ICMPv6 packet too big', data: ethernet(0x86dd, ipv6(ICMP6, icmp(2, 0, 1280, ipv6(TCP, tcp().subarray(0, 8))))) },
  { linkType: 1, why: 'ARP', data: ethernet(0x0806, hex('0001080006040001 02000000000a 0a000001 000000000000 0a000002')) },
  { linkType: 113, why: 'SLL, outgoing', data: concat(hex('0004 0001 0006 02000000000a 0000 0800'), ipv4(TCP, tcp())) },
  { linkType: 113, why: 'SLL, IPv4 GRE address', data: concat(hex('0000 030a 0004 0a000001 00000000 0800'), ipv4(TCP, tcp())) },
  { linkType: 276, why: 'SLL2', data: concat(hex('86dd 0000 00000007 0001 00 06 02000000000b 0000'), ipv6(TCP, tcp())) },
  { linkType: 0, why: 'NULL, IPv4 (host order)', data: concat(hex('02000000'), ipv4(TCP, tcp())) },
  { linkType: 108, why: 'OpenBSD LOOP, IPv6', data: concat(hex('00000018'), ipv6(TCP, tcp())) },
  { linkType: 9, why: 'PPP, IPv4', data: concat(hex('0021'), ipv4(TCP, tcp())) },
  { linkType: 50, why: 'PPP in HDLC framing', data: concat(hex('ff03 0021'), ipv4(TCP, tcp())) },
  { linkType: 228, why: 'raw IPv4', data: ipv4(TCP, tcp()) },
  { linkType: 229, why: 'raw IPv6', data: ipv6(TCP, tcp()) },
  { linkType: 101, why: 'raw IP, truncated TCP header', data: ipv4(TCP, tcp().subarray(0, 14), { totalLength: 40 }) },
];

/** The synthetic packets as frames, one second apart from a fixed start. */
export function syntheticFrames(): Frame[] {
  return SYNTHETIC.map((s, i) => ({
    number: i + 1,
    linkType: s.linkType,
    tsSec: 1_700_000_000 + i,
    tsNsec: 123_456_789,
    tsDigits: 9,
    origLen: s.data.length,
    data: s.data,
    ifIndex: 0,
  }));
}

/** The synthetic frames decoded, as field contexts without analysis. */
export function syntheticContexts(): FieldContext[] {
  const b = new ContextBuilder('pcapng');
  return syntheticFrames().map((f) => b.next(decodePacket(f)));
}
