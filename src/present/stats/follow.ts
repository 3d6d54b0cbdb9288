/**
 * `-z follow,tcp|udp,MODE,FILTER[,RANGE]`: one TCP or UDP stream's payload,
 * as tshark 4.0 prints it. The stream is a `tcp.stream` / `udp.stream`
 * index or a pair of endpoints; the first packet followed names node 0.
 * TCP payload is put back in sequence order (follow-tcp.ts); UDP datagrams
 * are shown one chunk each, in capture order.
 */
import type { FieldContext } from '../../fields/types.js';
import type { IpRepr, Packet } from '../../wire/types.js';
import { ipv4String, ipv6String } from '../tshark/addr.js';
import { parseFollowArgs, type FollowEndpoint, type FollowProto, type FollowSpec } from './follow-args.js';
import { drawFollow, type FollowNode } from './follow-draw.js';
import { TcpFollower, type FollowRecord } from './follow-tcp.js';
import { tcpReachesTaps } from './tcp-tap.js';
import type { StatTap, TapMaker } from './types.js';

const UDP_HEADER = 8;

/** The endpoints of a packet, as the follow report names them. */
interface Ends {
  src: FollowNode;
  dst: FollowNode;
}

function addrText(ip: IpRepr, which: 'src' | 'dst'): string {
  return ip.version === 4 ? ipv4String(ip[which]) : ipv6String(ip[which]);
}

function endsOf(ip: IpRepr, srcPort: number, dstPort: number): Ends {
  const v6 = ip.version === 6;
  return { src: { addr: addrText(ip, 'src'), v6, port: srcPort }, dst: { addr: addrText(ip, 'dst'), v6, port: dstPort } };
}

const sameNode = (a: FollowNode, b: FollowEndpoint | FollowNode): boolean => a.v6 === b.v6 && a.port === b.port && a.addr === b.addr;

/** The address form of the filter: the packet goes between the two endpoints, either way. */
function betweenEndpoints(ends: Ends, eps: readonly [FollowEndpoint, FollowEndpoint]): boolean {
  return (sameNode(ends.src, eps[0]) && sameNode(ends.dst, eps[1])) || (sameNode(ends.src, eps[1]) && sameNode(ends.dst, eps[0]));
}

/**
 * udp.stream as Wireshark numbers it: one index per pair of endpoints, in
 * order of first appearance, counting UDP headers quoted in ICMP errors and
 * leaving out datagrams whose length field is below the header's.
 */
class UdpStreams {
  private readonly index = new Map<string, number>();

  of(ip: IpRepr, srcPort: number, dstPort: number): number {
    const a = `${addrText(ip, 'src')} ${srcPort}`;
    const b = `${addrText(ip, 'dst')} ${dstPort}`;
    const key = a < b ? `${a}|${b}` : `${b}|${a}`;
    let n = this.index.get(key);
    if (n === undefined) {
      n = this.index.size;
      this.index.set(key, n);
    }
    return n;
  }
}

class FollowTap implements StatTap {
  private client: FollowNode | undefined;
  private server: FollowNode | undefined;
  private readonly tcp = new TcpFollower();
  private readonly udp: FollowRecord[] = [];
  private readonly udpStreams = new UdpStreams();

  constructor(private readonly spec: FollowSpec) {}

  packet(ctx: FieldContext): void {
    if (this.spec.proto === 'tcp') this.tcpPacket(ctx);
    else this.udpPacket(ctx.packet);
  }

  draw(): string {
    const none: FollowNode = { addr: '', v6: false, port: 0 };
    return drawFollow({
      proto: this.spec.proto,
      mode: this.spec.mode,
      filterText: this.spec.filterText,
      nodes: [this.client ?? none, this.server ?? none],
      records: this.spec.proto === 'tcp' ? this.tcp.records : this.udp,
      chunkMin: this.spec.chunkMin,
      chunkMax: this.spec.chunkMax,
    });
  }

  /** The stream form of the filter: the packet's stream; the address form: its endpoints (named only then, as that costs). */
  private selects(stream: number, ends: () => Ends): Ends | undefined {
    const eps = this.spec.endpoints;
    if (eps === undefined && stream !== this.spec.stream) return undefined;
    const e = ends();
    return eps === undefined || betweenEndpoints(e, eps) ? e : undefined;
  }

  /** True when the packet comes from the second node; the first packet followed names both. */
  private fromServer(ends: Ends): boolean {
    if (this.client === undefined) {
      this.client = ends.src;
      this.server = ends.dst;
    }
    return !sameNode(this.client, ends.src);
  }

  private tcpPacket(ctx: FieldContext): void {
    const pkt = ctx.packet;
    const tcp = pkt.tcp;
    const a = ctx.analysis?.tcp;
    // tshark hands no segment to follow when it has no segment length, stops in the header or options, or the capture cut the header.
    if (tcp === undefined || pkt.ip === undefined || a === undefined || a.quoted || a.noSegment) return;
    if (tcp.length < tcp.dataOffset * 4 || !tcpReachesTaps(pkt, tcp)) return;
    const ip = pkt.ip;
    const ends = this.selects(a.stream, () => endsOf(ip, tcp.srcPort, tcp.dstPort));
    if (ends === undefined) return;
    this.tcp.add({
      server: this.fromServer(ends),
      packet: pkt.number,
      tsSec: pkt.tsSec,
      tsNsec: pkt.tsNsec,
      seq: a.seq,
      ack: a.ack,
      syn: (tcp.flags & 0x002) !== 0,
      length: tcp.payloadLength,
      payload: pkt.data.subarray(tcp.payloadOffset, tcp.payloadOffset + tcp.payloadCaptured),
    });
  }

  private udpPacket(pkt: Packet): void {
    const quote = pkt.icmp?.quote;
    if (quote?.udp !== undefined && quote.ip !== undefined && quote.udp.udpLength >= UDP_HEADER) {
      // A quoted datagram opens its stream but is not followed.
      this.udpStreams.of(quote.ip, quote.udp.srcPort, quote.udp.dstPort);
    }
    const udp = pkt.udp;
    const ip = pkt.ip;
    if (udp === undefined || ip === undefined || ip.isFragment || udp.udpLength < UDP_HEADER) return;
    const stream = this.udpStreams.of(ip, udp.srcPort, udp.dstPort);
    const captured = Math.max(0, Math.min(udp.payloadLength, pkt.data.length - udp.payloadOffset));
    const ends = captured === 0 ? undefined : this.selects(stream, () => endsOf(ip, udp.srcPort, udp.dstPort));
    if (ends === undefined) return;
    this.udp.push({
      server: this.fromServer(ends),
      packet: pkt.number,
      tsSec: pkt.tsSec,
      tsNsec: pkt.tsNsec,
      data: pkt.data.slice(udp.payloadOffset, udp.payloadOffset + captured),
    });
  }
}

export const makeFollowTap: TapMaker = (name, args) => {
  const proto: FollowProto = name.endsWith('udp') ? 'udp' : 'tcp';
  return new FollowTap(parseFollowArgs(proto, args));
};
