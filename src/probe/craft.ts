/**
 * Packet crafting: a stack of plain layer descriptions (Ethernet, IPv4,
 * IPv6, TCP, UDP, ICMP, payload) serialized into bytes by the wire layer's
 * encoders, with lengths and checksums filled in or left as given (gopacket's
 * `FixLengths` and `ComputeChecksums` switches), so deliberately wrong
 * packets are one switch away. Decoded Reprs are layers too: decode a
 * packet, change a field, serialize it again.
 */
import { EtherType, ethernetCodec, isVlanTpid } from '../wire/ethernet.js';
import { fillIcmpChecksum, fillIpv4Checksum, fillTransportChecksum, internetChecksum } from '../wire/checksum.js';
import { icmpCodec } from '../wire/icmp.js';
import { IPV4_HEADER_LENGTH, Ipv4Flag, ipv4Codec } from '../wire/ipv4.js';
import { IPV6_NO_NEXT_HEADER, ipv6Codec } from '../wire/ipv6.js';
import { TCP_HEADER_LENGTH, tcpCodec } from '../wire/tcp.js';
import { tcpOptionLength, tcpOptionsLength } from '../wire/tcp-options.js';
import { udpCodec } from '../wire/udp.js';
import type {
  EthernetRepr, IcmpRepr, Ipv4OptionRepr, Ipv4Repr, Ipv6ExtRepr, Ipv6Repr, TcpOption, TcpRepr, UdpRepr, VlanTag,
} from '../wire/types.js';
import { TcpFlag } from '../wire/types.js';
import { addressFamily, ipv4Number, ipv6Bytes, macBytes } from './address.js';
import type { Address } from './address.js';
import { craftError } from './errors.js';
import { mptcp, nop } from './options.js';

export interface SerializeOptions {
  /**
   * Compute every length field (IPv4 IHL and total length, IPv6 payload
   * length, TCP data offset, UDP length, TCP option length bytes) and pad
   * TCP and IPv4 options to a multiple of 4 bytes. Default true. When false,
   * the values the layers give are written as they are; only lengths a layer
   * leaves out are computed.
   */
  fixLengths?: boolean;
  /** Compute every checksum (IPv4 header, TCP, UDP, ICMP). Default true. When false, the layers' values (0 when left out). */
  checksums?: boolean;
}

// ------------------------------------------------------------------ layers

export interface EthernetLayer {
  layer: 'eth';
  /** Default 02:00:00:00:00:01. */
  src?: string | Uint8Array;
  /** Default 02:00:00:00:00:02. */
  dst?: string | Uint8Array;
  /** 802.1Q/802.1ad tags, outermost first. */
  vlans?: ReadonlyArray<{ vid: number; pcp?: number; dei?: boolean; tpid?: number }>;
  /** Default: from the next layer (IPv4, IPv6). */
  etherType?: number;
}

export interface Ipv4Layer {
  layer: 'ip';
  src: Address;
  dst: Address;
  /** Default 64. */
  ttl?: number;
  /** Default 0. */
  id?: number;
  dscp?: number;
  ecn?: number;
  /** The 3 flag bits (Ipv4Flag); default DF, as TCP stacks send. */
  flags?: number;
  fragOffset?: number;
  /** Default: from the next layer (6 TCP, 17 UDP, 1 ICMP). */
  protocol?: number;
  ihl?: number;
  totalLength?: number;
  checksum?: number;
  /** Options as whole bytes (type and length included) or decoded options. */
  options?: ReadonlyArray<Uint8Array | Ipv4OptionRepr>;
}

export interface Ipv6Layer {
  layer: 'ipv6';
  src: Address;
  dst: Address;
  /** Default 64. */
  hopLimit?: number;
  trafficClass?: number;
  flowLabel?: number;
  /** Default: the first extension header's type, else from the next layer. */
  nextHeader?: number;
  payloadLength?: number;
  /** Extension headers as the IPv6 codec encodes them (each with its own next header). */
  extensions?: readonly Ipv6ExtRepr[];
}

export interface TcpLayer {
  layer: 'tcp';
  srcPort: number;
  dstPort: number;
  seq?: number;
  ack?: number;
  /** Flag bits (TcpFlag) or letters: F S R P A U E C, 'N' for AE, '.' for ACK. Default ACK. */
  flags?: number | string;
  /** Default 65535. */
  window?: number;
  urgentPointer?: number;
  options?: readonly TcpOption[];
  dataOffset?: number;
  checksum?: number;
}

export interface UdpLayer {
  layer: 'udp';
  srcPort: number;
  dstPort: number;
  udpLength?: number;
  checksum?: number;
}

/** ICMP or ICMPv6 (the enclosing IP layer decides which checksum applies). A quote is the next layers or a payload. */
export interface IcmpLayer {
  layer: 'icmp' | 'icmpv6';
  type: number;
  code?: number;
  /** Bytes 4..7 of the header (identifier and sequence, MTU, pointer, RFC 4884 length...). */
  rest?: number;
  checksum?: number;
}

export interface PayloadLayer {
  layer: 'payload';
  data: Uint8Array;
}

export type Layer = EthernetLayer | Ipv4Layer | Ipv6Layer | TcpLayer | UdpLayer | IcmpLayer | PayloadLayer;

/** Layer constructors: they only add the `layer` tag, so literal specs type-check. */
export const ethernet = (spec: Omit<EthernetLayer, 'layer'> = {}): EthernetLayer => ({ layer: 'eth', ...spec });
export const ipv4 = (spec: Omit<Ipv4Layer, 'layer'>): Ipv4Layer => ({ layer: 'ip', ...spec });
export const ipv6 = (spec: Omit<Ipv6Layer, 'layer'>): Ipv6Layer => ({ layer: 'ipv6', ...spec });
export const tcp = (spec: Omit<TcpLayer, 'layer'>): TcpLayer => ({ layer: 'tcp', ...spec });
export const udp = (spec: Omit<UdpLayer, 'layer'>): UdpLayer => ({ layer: 'udp', ...spec });
export const icmp = (spec: Omit<IcmpLayer, 'layer'>): IcmpLayer => ({ layer: 'icmp', ...spec });
export const icmpv6 = (spec: Omit<IcmpLayer, 'layer'>): IcmpLayer => ({ layer: 'icmpv6', ...spec });
export const payload = (data: Uint8Array | string): PayloadLayer => ({ layer: 'payload', data: bytesOf(data) });

const utf8 = new TextEncoder();

function bytesOf(data: Uint8Array | string): Uint8Array {
  return typeof data === 'string' ? utf8.encode(data) : data;
}

// ------------------------------------------------------------------ flags

const FLAG_LETTERS: Readonly<Record<string, number>> = {
  F: TcpFlag.FIN, S: TcpFlag.SYN, R: TcpFlag.RST, P: TcpFlag.PSH, A: TcpFlag.ACK, '.': TcpFlag.ACK,
  U: TcpFlag.URG, E: TcpFlag.ECE, C: TcpFlag.CWR, N: TcpFlag.AE,
};

/** TCP flag bits from letters ('SA', 'FA', 'S.', 'PA') or a number. */
export function tcpFlags(flags: number | string): number {
  if (typeof flags === 'number') return flags & 0xfff;
  let v = 0;
  for (const c of flags) {
    const bit = FLAG_LETTERS[c.toUpperCase()] ?? FLAG_LETTERS[c];
    if (bit === undefined) throw craftError(`unknown TCP flag letter '${c}'`, 'letters: F S R P A U E C N (AE), and . for ACK');
    v |= bit;
  }
  return v;
}

// ------------------------------------------------------------- serializing

/** One layer turned into the Repr its codec encodes, at its place in the packet. */
interface Placed {
  layer: Layer;
  offset: number;
  /** Header bytes (payload: its data), padding included. */
  length: number;
  /** Padding after the encoded header: TCP NOPs or IPv4 EOL bytes. */
  pad: number;
}

/** Upper-layer protocol number implied by a layer, for the IP layer above it. */
function protocolOf(next: Layer | undefined, ipVersion: 4 | 6): number | undefined {
  switch (next?.layer) {
    case 'tcp': return 6;
    case 'udp': return 17;
    case 'icmp': return ipVersion === 6 ? 58 : 1;
    case 'icmpv6': return 58;
    case 'ip': return 4;
    case 'ipv6': return 41;
    default: return undefined;
  }
}

function ipv4OptionBytes(l: Ipv4Layer): Uint8Array[] {
  return (l.options ?? []).map((o) => (o instanceof Uint8Array ? o : o.raw));
}

function tcpOptions(l: TcpLayer): readonly TcpOption[] {
  return l.options ?? [];
}

/** Bytes of a layer's header as encoded, before padding. */
function headerLength(l: Layer): number {
  switch (l.layer) {
    case 'eth': return 14 + 4 * (l.vlans?.length ?? 0);
    case 'ip': return IPV4_HEADER_LENGTH + ipv4OptionBytes(l).reduce((n, o) => n + o.length, 0);
    case 'ipv6': return 40 + (l.extensions ?? []).reduce((n, e) => n + 2 + e.data.length, 0);
    case 'tcp': return TCP_HEADER_LENGTH + tcpOptionsLength(tcpOptions(l));
    case 'udp': return 8;
    case 'icmp':
    case 'icmpv6': return 8;
    case 'payload': return l.data.length;
  }
}

function place(layers: readonly Layer[], fix: boolean): Placed[] {
  let offset = 0;
  return layers.map((layer) => {
    const raw = headerLength(layer);
    const pad = fix && (layer.layer === 'tcp' || layer.layer === 'ip') ? (4 - (raw % 4)) % 4 : 0;
    const p = { layer, offset, length: raw + pad, pad };
    offset += p.length;
    return p;
  });
}

/**
 * Serializes the layers, outermost first, into one packet. See
 * `SerializeOptions` for what is computed. Throws ProbeError for layers
 * that cannot be built (a checksum that needs an IP header above it, an
 * address of the wrong family...).
 */
export function serialize(layers: readonly Layer[], options: SerializeOptions = {}): Uint8Array {
  const fix = options.fixLengths ?? true;
  const sums = options.checksums ?? true;
  const placed = place(layers, fix);
  const total = placed.reduce((n, p) => n + p.length, 0);
  const buf = new Uint8Array(total);
  placed.forEach((p, i) => encodeLayer(p, layers[i + 1], buf, total, fix, sums));
  // Inner checksums first: an ICMP error's checksum covers the packet it quotes.
  for (let i = placed.length - 1; i >= 0; i--) if (sums) fillChecksum(placed, i, buf, total);
  return buf;
}

/** Largest headers the 4-bit length fields can announce. */
const MAX_TCP_HEADER = 60;
const MAX_IPV4_HEADER = 60;

/** `value` unless lengths are fixed or it is missing, then `computed`. */
function lengthField(fix: boolean, value: number | undefined, computed: number): number {
  return fix || value === undefined ? computed : value;
}

function encodeLayer(p: Placed, next: Layer | undefined, buf: Uint8Array, total: number, fix: boolean, sums: boolean): void {
  const { layer: l, offset } = p;
  const remaining = total - offset;
  switch (l.layer) {
    case 'eth': {
      const vlans: VlanTag[] = (l.vlans ?? []).map((v) => ({ tpid: v.tpid ?? EtherType.VLAN, pcp: v.pcp ?? 0, dei: v.dei ?? false, vid: v.vid, offset: 0 }));
      for (const v of vlans) if (!isVlanTpid(v.tpid)) throw craftError(`0x${v.tpid.toString(16)} is not a VLAN tag type`);
      const etherType = l.etherType
        ?? (next?.layer === 'ip' ? EtherType.IPV4 : next?.layer === 'ipv6' ? EtherType.IPV6 : undefined);
      if (etherType === undefined) throw craftError('an Ethernet layer needs its etherType when no IP layer follows');
      const r: EthernetRepr = {
        layer: 'eth', offset, length: p.length, vlans, etherType,
        src: macBytes(l.src ?? '02:00:00:00:00:01'), dst: macBytes(l.dst ?? '02:00:00:00:00:02'),
      };
      ethernetCodec.encode(r, buf, offset);
      return;
    }
    case 'ip': {
      if (fix && p.length > MAX_IPV4_HEADER) throw craftError(`IPv4 options take ${p.length - IPV4_HEADER_LENGTH} bytes; an IPv4 header holds at most 40`);
      const opts = ipv4OptionBytes(l);
      const r: Ipv4Repr = {
        layer: 'ip', offset, length: p.length, version: 4,
        ihl: lengthField(fix, l.ihl, Math.ceil(p.length / 4)),
        dscp: l.dscp ?? 0, ecn: l.ecn ?? 0,
        totalLength: lengthField(fix, l.totalLength, remaining),
        id: l.id ?? 0, flags: l.flags ?? Ipv4Flag.DF, fragOffset: l.fragOffset ?? 0, ttl: l.ttl ?? 64,
        protocol: l.protocol ?? protocolOf(next, 4) ?? 255,
        checksum: sums ? 0 : l.checksum ?? 0,
        src: ipv4Number(l.src), dst: ipv4Number(l.dst),
        options: opts.map((raw) => ({ type: raw[0] ?? 0, offset: 0, raw })),
        isFragment: false,
      };
      ipv4Codec.encode(r, buf, offset);
      // EOL padding is already zero in the fresh buffer.
      return;
    }
    case 'ipv6': {
      const extensions = l.extensions ?? [];
      const r: Ipv6Repr = {
        layer: 'ipv6', offset, length: p.length, version: 6,
        trafficClass: l.trafficClass ?? 0, flowLabel: l.flowLabel ?? 0,
        payloadLength: lengthField(fix, l.payloadLength, remaining - 40),
        nextHeader: l.nextHeader ?? extensions[0]?.type ?? protocolOf(next, 6) ?? IPV6_NO_NEXT_HEADER,
        hopLimit: l.hopLimit ?? 64,
        src: ipv6Bytes(l.src), dst: ipv6Bytes(l.dst),
        extensions: [...extensions],
        protocol: 0, isFragment: false,
      };
      ipv6Codec.encode(r, buf, offset);
      return;
    }
    case 'tcp': {
      if (fix && p.length > MAX_TCP_HEADER) {
        throw craftError(`TCP options take ${p.length - TCP_HEADER_LENGTH} bytes; a TCP header holds at most ${MAX_TCP_HEADER - TCP_HEADER_LENGTH}`,
          'serialize with fixLengths: false to send an oversized header as it is');
      }
      const options = fix ? withFixedLengths(tcpOptions(l), p.pad) : [...tcpOptions(l)];
      const r: TcpRepr = {
        layer: 'tcp', offset, length: p.length,
        srcPort: l.srcPort, dstPort: l.dstPort, seq: (l.seq ?? 0) >>> 0, ack: (l.ack ?? 0) >>> 0,
        dataOffset: lengthField(fix, l.dataOffset, Math.ceil(p.length / 4)),
        flags: tcpFlags(l.flags ?? TcpFlag.ACK), window: l.window ?? 65535,
        checksum: sums ? 0 : l.checksum ?? 0, urgentPointer: l.urgentPointer ?? 0,
        options, payloadOffset: offset + p.length, payloadCaptured: remaining - p.length, payloadLength: remaining - p.length,
      };
      tcpCodec.encode(r, buf, offset);
      return;
    }
    case 'udp': {
      const r: UdpRepr = {
        layer: 'udp', offset, length: 8, srcPort: l.srcPort, dstPort: l.dstPort,
        udpLength: lengthField(fix, l.udpLength, remaining), checksum: sums ? 0 : l.checksum ?? 0,
        payloadOffset: offset + 8, payloadLength: remaining - 8,
      };
      udpCodec.encode(r, buf, offset);
      return;
    }
    case 'icmp':
    case 'icmpv6': {
      const r: IcmpRepr = {
        layer: l.layer, offset, length: 8, type: l.type, code: l.code ?? 0, checksum: sums ? 0 : l.checksum ?? 0,
        rest: (l.rest ?? 0) >>> 0, originalLength: 0, payloadOffset: offset + 8, payloadLength: remaining - 8,
      };
      icmpCodec.encode(r, buf, offset);
      return;
    }
    case 'payload':
      buf.set(l.data, offset);
      return;
  }
}

/**
 * The options with every length byte set to the bytes the option takes, and
 * `pad` NOPs after them so the header ends on a 32-bit boundary.
 */
function withFixedLengths(options: readonly TcpOption[], pad: number): TcpOption[] {
  const out = options.map((o): TcpOption => {
    if (o.type === 'eol' || o.type === 'nop') return o;
    const n = tcpOptionLength(o);
    if (o.type === 'mptcp') return n === o.mptcp.length ? o : mptcp({ ...o.mptcp, length: n });
    if (o.type === 'unknown' || o.malformed !== undefined) {
      // Written from `raw`: its length byte is the one to fix.
      const raw = o.raw;
      if (raw.length < 2 || raw[1] === raw.length) return o;
      const fixed = raw.slice();
      fixed[1] = raw.length;
      return { ...o, length: raw.length, raw: fixed };
    }
    return o.length === n ? o : { ...o, length: n, raw: o.raw };
  });
  for (let i = 0; i < pad; i++) out.push(nop());
  return out;
}

/** The IP layer nearest above layer `i`, if any. */
function ipAbove(placed: readonly Placed[], i: number): Placed | undefined {
  for (let j = i - 1; j >= 0; j--) {
    const l = placed[j]!.layer.layer;
    if (l === 'ip' || l === 'ipv6') return placed[j];
  }
  return undefined;
}

function fillChecksum(placed: readonly Placed[], i: number, buf: Uint8Array, total: number): void {
  const p = placed[i]!;
  const kind = p.layer.layer;
  if (kind === 'ip') {
    fillIpv4Checksum(buf, p.offset);
    return;
  }
  if (kind !== 'tcp' && kind !== 'udp' && kind !== 'icmp' && kind !== 'icmpv6') return;
  // The segment runs to the end of the packet: the bytes really there, whatever a length field says.
  const length = total - p.offset;
  const ip = ipAbove(placed, i);
  if (kind === 'icmp' || kind === 'icmpv6') {
    if (ip) fillIcmpChecksum(buf, ip.offset, p.offset, length);
    else if (kind === 'icmp') writeChecksum(buf, p.offset + 2, internetChecksum(buf, p.offset, total));
    else throw craftError('an ICMPv6 checksum needs an IPv6 layer above it (or serialize with checksums: false)');
    return;
  }
  if (!ip) throw craftError(`a ${kind.toUpperCase()} checksum needs an IP layer above it (or serialize with checksums: false)`);
  fillTransportChecksum(buf, ip.offset, p.offset, kind === 'tcp' ? 6 : 17, length);
}

function writeChecksum(buf: Uint8Array, at: number, c: number): void {
  buf[at] = c >> 8;
  buf[at + 1] = c & 0xff;
}

// ------------------------------------------------------------ TCP segments

/** One TCP segment in IPv4 or IPv6 (by the addresses), the fields people set most at the top level. */
export interface TcpSegmentSpec {
  src: Address;
  dst: Address;
  sport: number;
  dport: number;
  seq?: number;
  ack?: number;
  /** Letters or bits; default ACK. */
  flags?: number | string;
  window?: number;
  urgentPointer?: number;
  options?: readonly TcpOption[];
  payload?: Uint8Array | string;
  dataOffset?: number;
  checksum?: number;
  /** IPv4 TTL or IPv6 hop limit; default 64. */
  ttl?: number;
  /** IPv4 identification. */
  id?: number;
  dscp?: number;
  ecn?: number;
  /** IPv4 don't-fragment bit; default set. */
  df?: boolean;
  /** IPv6 flow label. */
  flowLabel?: number;
  /** Any other IP header field. */
  ip?: Partial<Omit<Ipv4Layer, 'layer' | 'src' | 'dst'>> & Partial<Omit<Ipv6Layer, 'layer' | 'src' | 'dst'>>;
  /** Put an Ethernet header in front. */
  eth?: Omit<EthernetLayer, 'layer'>;
}

/** The layers of a TCP segment spec, to serialize or to change first. */
export function tcpSegmentLayers(spec: TcpSegmentSpec): Layer[] {
  const family = addressFamily(spec.src);
  if (addressFamily(spec.dst) !== family) throw craftError('source and destination addresses are of different IP versions');
  const extra: NonNullable<TcpSegmentSpec['ip']> = spec.ip ?? {};
  const tc = ((spec.dscp ?? 0) << 2) | (spec.ecn ?? 0);
  const ip: Layer = family === 4
    ? {
      layer: 'ip', src: spec.src, dst: spec.dst, ...pick(extra, IPV4_KEYS),
      ...(spec.ttl !== undefined ? { ttl: spec.ttl } : {}),
      ...(spec.id !== undefined ? { id: spec.id } : {}),
      ...(spec.dscp !== undefined ? { dscp: spec.dscp } : {}),
      ...(spec.ecn !== undefined ? { ecn: spec.ecn } : {}),
      ...(spec.df !== undefined ? { flags: ((extra.flags ?? Ipv4Flag.DF) & ~Ipv4Flag.DF) | (spec.df ? Ipv4Flag.DF : 0) } : {}),
    }
    : {
      layer: 'ipv6', src: spec.src, dst: spec.dst, ...pick(extra, IPV6_KEYS),
      ...(spec.ttl !== undefined ? { hopLimit: spec.ttl } : {}),
      ...(spec.dscp !== undefined || spec.ecn !== undefined ? { trafficClass: tc } : {}),
      ...(spec.flowLabel !== undefined ? { flowLabel: spec.flowLabel } : {}),
    };
  const t: TcpLayer = {
    layer: 'tcp', srcPort: spec.sport, dstPort: spec.dport,
    ...(spec.seq !== undefined ? { seq: spec.seq } : {}),
    ...(spec.ack !== undefined ? { ack: spec.ack } : {}),
    ...(spec.flags !== undefined ? { flags: spec.flags } : {}),
    ...(spec.window !== undefined ? { window: spec.window } : {}),
    ...(spec.urgentPointer !== undefined ? { urgentPointer: spec.urgentPointer } : {}),
    ...(spec.options !== undefined ? { options: spec.options } : {}),
    ...(spec.dataOffset !== undefined ? { dataOffset: spec.dataOffset } : {}),
    ...(spec.checksum !== undefined ? { checksum: spec.checksum } : {}),
  };
  const layers: Layer[] = [ip, t];
  if (spec.payload !== undefined) layers.push(payload(spec.payload));
  if (spec.eth) layers.unshift(ethernet(spec.eth));
  return layers;
}

const IPV4_KEYS = ['ttl', 'id', 'dscp', 'ecn', 'flags', 'fragOffset', 'protocol', 'ihl', 'totalLength', 'checksum', 'options'] as const;
const IPV6_KEYS = ['hopLimit', 'trafficClass', 'flowLabel', 'nextHeader', 'payloadLength', 'extensions'] as const;

/** The fields of `o` named in `keys` that are set. */
function pick<T extends object, K extends keyof T>(o: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

/**
 * A TCP segment in its IP packet (or Ethernet frame with `eth`), e.g.
 * `tcpSegment({ src, dst, sport, dport, flags: 'S', options: [mss(1460), mpCapable()] })`.
 */
export function tcpSegment(spec: TcpSegmentSpec, options: SerializeOptions = {}): Uint8Array {
  return serialize(tcpSegmentLayers(spec), options);
}
