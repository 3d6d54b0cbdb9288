/**
 * The probe transport for real networks: the endpoint speaks from this
 * host's own address through a raw TCP socket (our IP header), and receives
 * through the same socket, which the kernel hands a copy of every TCP packet
 * the host gets, and through a raw ICMP socket, so an unreachable target or
 * port is named rather than waited out. The kernel itself knows nothing of
 * the endpoint's connections and would reset them: a temporary firewall rule
 * (RstGuard) drops its RSTs towards the target from the run's source ports,
 * and lets the endpoint's own RSTs through by the mark its socket puts on
 * them. The rule goes when the transport closes, or when the process ends
 * however it ends. Needs the native addon, CAP_NET_RAW and CAP_NET_ADMIN.
 */
import { RstGuard } from '../../sys/index.js';
import { addressFamily } from '../address.js';
import { RawTraceTransport } from '../raw-transport.js';
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

  private constructor(private readonly opts: RawProbeTransportOptions, private readonly sockets: RawTraceTransport, readonly guard: RstGuard) {}

  get source(): string {
    return this.opts.source;
  }

  static open(opts: RawProbeTransportOptions): RawProbeTransport {
    const family = addressFamily(opts.target);
    const sockets = RawTraceTransport.open({ family, source: opts.source, device: opts.device, mark: PROBE_MARK });
    try {
      const guard = RstGuard.install({ family, peer: opts.target, peerPort: opts.port, ports: opts.ports, mark: PROBE_MARK });
      return new RawProbeTransport(opts, sockets, guard);
    } catch (e) {
      sockets.close();
      throw e;
    }
  }

  send(packet: Uint8Array): void {
    this.sockets.send(packet);
  }

  start(onPacket: (packet: Uint8Array) => void): void {
    this.sockets.start(onPacket);
  }

  poll(): void {
    this.sockets.poll();
  }

  close(): void {
    this.sockets.close();
    this.guard.remove();
  }
}
