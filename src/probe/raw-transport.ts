/**
 * The trace transport for real networks: probes go out through a raw TCP
 * socket with our own IP header; SYN/ACKs and RSTs come back through the same
 * socket and ICMP errors through a raw ICMP (ICMPv6) socket. Needs the native
 * addon and CAP_NET_RAW. The local kernel, which knows nothing of the probe,
 * answers the target's SYN/ACK with a RST: that ends the half-open
 * connection at the target, which is what a trace wants. The probe's raw
 * transport uses the same pair of sockets, marked, behind a firewall rule.
 */
import { IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_TCP, SOL_SOCKET } from '../sys/constants.js';
import { SO_MARK } from '../sys/firewall.js';
import { formatIp } from '../sys/ip-address.js';
import { IpCommand } from '../sys/ip-command.js';
import { RawSocket } from '../sys/raw-socket.js';
import type { RawPacket } from '../sys/raw-socket.js';
import { ipv6, payload, serialize } from './craft.js';
import { ProbeError } from './errors.js';
import type { TraceTransport } from './trace.js';

export interface RawTransportOptions {
  family: 4 | 6;
  /** Our address: IPv6 raw sockets deliver packets without their IP header, which is rebuilt around them. */
  source: string;
  /** Only this interface (SO_BINDTODEVICE). */
  device?: string | undefined;
  /** SO_MARK on what the TCP socket sends, for firewall rules that must tell our packets apart. */
  mark?: number | undefined;
}

export class RawTraceTransport implements TraceTransport {
  private constructor(
    private readonly opts: RawTransportOptions,
    private readonly tcp: RawSocket,
    private readonly icmp: RawSocket,
  ) {}

  static open(opts: RawTransportOptions): RawTraceTransport {
    const device = opts.device === undefined ? {} : { device: opts.device };
    const tcp = RawSocket.open({ family: opts.family, protocol: IPPROTO_TCP, ...device });
    try {
      if (opts.mark !== undefined) tcp.setOption(SOL_SOCKET, SO_MARK, opts.mark);
      const icmp = RawSocket.open({ family: opts.family, protocol: opts.family === 4 ? IPPROTO_ICMP : IPPROTO_ICMPV6, headerIncluded: false, ...device });
      return new RawTraceTransport(opts, tcp, icmp);
    } catch (e) {
      tcp.close();
      throw e;
    }
  }

  send(packet: Uint8Array): void {
    const v6 = this.opts.family === 6;
    this.tcp.send(packet, formatIp(packet, v6 ? 6 : 4, v6 ? 24 : 16));
  }

  start(onPacket: (packet: Uint8Array) => void): void {
    this.tcp.onPacket((p) => onPacket(this.whole(p, IPPROTO_TCP)));
    this.icmp.onPacket((p) => onPacket(this.whole(p, this.opts.family === 4 ? IPPROTO_ICMP : IPPROTO_ICMPV6)));
  }

  poll(): void {
    this.tcp.poll();
    this.icmp.poll();
  }

  close(): void {
    this.tcp.close();
    this.icmp.close();
  }

  /** The packet with its IP header: IPv4 raw sockets keep it, IPv6 ones strip it, so it is rebuilt (hop limit unknown: 0). */
  private whole(p: RawPacket, protocol: number): Uint8Array {
    if (this.opts.family === 4 || !p.from) return p.data;
    return serialize([ipv6({ src: p.from.address.replace(/%.*$/, ''), dst: this.opts.source, nextHeader: protocol, hopLimit: 0 }), payload(p.data)], { checksums: false });
  }
}

/** The address this host sends from towards `target` (through `device`), as the routing table says. */
export function sourceAddressFor(target: string, device?: string): string {
  const routes = new IpCommand().json<Array<{ prefsrc?: string; dev?: string }>>(['route', 'get', target, ...(device ? ['oif', device] : [])]);
  const src = routes[0]?.prefsrc;
  if (!src) throw new ProbeError('TRACE', `no source address towards ${target}${device ? ` through ${device}` : ''}`, 'give one with -s ADDRESS');
  return src;
}
