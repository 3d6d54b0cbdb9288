/**
 * The probe transport for real networks: the endpoint speaks from this
 * host's own address through a raw TCP socket (our IP header), and receives
 * through the same socket, which the kernel hands a copy of every TCP packet
 * the host gets. The kernel itself knows nothing of the endpoint's
 * connections and would reset them: a temporary firewall rule (RstGuard)
 * drops its RSTs towards the target from the run's source ports, and lets
 * the endpoint's own RSTs through by the mark its socket puts on them. The
 * rule goes when the transport closes, or when the process ends however it
 * ends. Needs the native addon, CAP_NET_RAW and CAP_NET_ADMIN.
 */
import { IPPROTO_TCP, RawSocket, RstGuard, SO_MARK, SOL_SOCKET } from '../../sys/index.js';
import type { RawPacket } from '../../sys/index.js';
import { addressFamily } from '../address.js';
import { ipv6, payload, serialize } from '../craft.js';
import type { ProbeTransport } from './transport.js';

export interface RawProbeTransportOptions {
  /** The peer's address and port. */
  target: string;
  port: number;
  /** This host's address towards the target. */
  source: string;
  /** The run's source ports, first and last. */
  ports: readonly [number, number];
  /** Only this interface (SO_BINDTODEVICE). */
  device?: string | undefined;
}

/** The mark of the endpoint's own packets ('mps' and 1). */
export const PROBE_MARK = 0x6d707301;

export class RawProbeTransport implements ProbeTransport {
  readonly kind = 'raw';

  private constructor(private readonly opts: RawProbeTransportOptions, private readonly socket: RawSocket, readonly guard: RstGuard) {}

  get source(): string {
    return this.opts.source;
  }

  static open(opts: RawProbeTransportOptions): RawProbeTransport {
    const family = addressFamily(opts.target);
    const socket = RawSocket.open({ family, protocol: IPPROTO_TCP, ...(opts.device === undefined ? {} : { device: opts.device }) });
    try {
      socket.setOption(SOL_SOCKET, SO_MARK, PROBE_MARK);
      const guard = RstGuard.install({ family, peer: opts.target, peerPort: opts.port, ports: opts.ports, mark: PROBE_MARK });
      return new RawProbeTransport(opts, socket, guard);
    } catch (e) {
      socket.close();
      throw e;
    }
  }

  send(packet: Uint8Array): void {
    this.socket.send(packet, this.opts.target);
  }

  start(onPacket: (packet: Uint8Array) => void): void {
    this.socket.onPacket((p) => onPacket(this.whole(p)));
  }

  close(): void {
    this.socket.close();
    this.guard.remove();
  }

  /** IPv6 raw sockets hand over the TCP segment alone: its IP header is rebuilt (hop limit unknown: 0) so every packet decodes alike. */
  private whole(p: RawPacket): Uint8Array {
    if (addressFamily(this.opts.target) === 4 || !p.from) return p.data;
    return serialize([ipv6({ src: p.from.address.replace(/%.*$/, ''), dst: this.opts.source, nextHeader: IPPROTO_TCP, hopLimit: 0 }), payload(p.data)], { checksums: false });
  }
}
