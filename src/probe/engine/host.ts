/**
 * The endpoint's side of the wire: one transport, one peer (address and
 * port), a block of source ports for the subflows of every connection of a
 * run. It records every packet it sends and every packet that arrives for
 * it (so the capture file and the verdicts cite the same frame numbers),
 * decodes what arrives, and hands it to whoever holds the destination port.
 * Packets for other hosts or ports (a raw socket sees all of this host's
 * TCP) are neither recorded nor delivered.
 */
import { addressBytes, addressFamily, addressText, sameAddress } from '../address.js';
import { decodeCrafted } from '../capture.js';
import type { Packet } from '../../wire/types.js';
import { randomU32 } from './seq.js';
import type { PacketLog, ProbeTransport } from './transport.js';

/** A received packet, decoded, with its frame number. */
export interface Arrival {
  frame: number;
  /** Milliseconds (performance.now()) when it arrived. */
  at: number;
  packet: Packet;
}

export interface HostOptions {
  /** The peer's address and port. */
  target: string;
  port: number;
  log: PacketLog;
  /** First source port of the run's block; default a random multiple of the block size from 20480 up. */
  portBase?: number;
  /** Ports in the block; default 256. */
  portCount?: number;
}

export const DEFAULT_PORT_COUNT = 256;

/** A random block of source ports above the usual listening ports and away from ephemeral-port collisions of one run with the next. */
export function randomPortBase(count = DEFAULT_PORT_COUNT): number {
  const blocks = Math.floor((65536 - 20480) / count);
  return 20480 + (randomU32() % blocks) * count;
}

export class ProbeHost {
  readonly family: 4 | 6;
  readonly source: string;
  readonly target: string;
  readonly port: number;
  readonly portBase: number;
  readonly portCount: number;
  private readonly targetBytes: Uint8Array;
  private readonly sourceBytes: Uint8Array;
  private readonly handlers = new Map<number, (a: Arrival) => void>();
  private nextPortIndex = 0;
  private started = false;
  private closed = false;

  constructor(readonly transport: ProbeTransport, private readonly opts: HostOptions) {
    this.family = addressFamily(opts.target);
    this.source = addressText(transport.source);
    this.target = addressText(opts.target);
    this.port = opts.port;
    this.portCount = opts.portCount ?? DEFAULT_PORT_COUNT;
    this.portBase = opts.portBase ?? randomPortBase(this.portCount);
    this.targetBytes = addressBytes(opts.target);
    this.sourceBytes = addressBytes(transport.source);
  }

  get log(): PacketLog {
    return this.opts.log;
  }

  /** The source ports the run may use, first and last. */
  get ports(): [number, number] {
    return [this.portBase, this.portBase + this.portCount - 1];
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.transport.start((data) => this.onPacket(data));
  }

  /** Takes in what the transport already holds (see ProbeTransport.poll). */
  poll(): void {
    if (this.started && !this.closed) this.transport.poll?.();
  }

  /** The next unused source port of the block (wrapping round after the last). */
  allocatePort(): number {
    for (let i = 0; i < this.portCount; i++) {
      const port = this.portBase + (this.nextPortIndex++ % this.portCount);
      if (!this.handlers.has(port)) return port;
    }
    throw new Error(`every source port from ${this.portBase} to ${this.portBase + this.portCount - 1} is in use`);
  }

  /** Delivers what arrives for `port` to `handler` until unbind(). */
  bind(port: number, handler: (a: Arrival) => void): void {
    this.handlers.set(port, handler);
  }

  unbind(port: number): void {
    this.handlers.delete(port);
  }

  /** Sends a packet; returns its frame number. */
  send(packet: Uint8Array): number {
    const frame = this.log.record('out', packet);
    if (!this.closed) this.transport.send(packet);
    return frame;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.handlers.clear();
    this.transport.close();
  }

  private onPacket(data: Uint8Array): void {
    if (this.closed) return;
    const at = performance.now();
    const packet = decodeCrafted(data);
    const port = this.ourPort(packet);
    if (port === undefined) return;
    const handler = this.handlers.get(port);
    if (!handler) return;
    const frame = this.log.record('in', data);
    handler({ frame, at, packet });
  }

  /** The destination port of a packet from the peer to one of our ports (also when an ICMP error quotes one of ours), else undefined. */
  private ourPort(p: Packet): number | undefined {
    if (!p.ip || !sameAddress(p.ip.dst, this.sourceBytes)) return undefined;
    if (p.tcp) return sameAddress(p.ip.src, this.targetBytes) && this.inBlock(p.tcp.dstPort) ? p.tcp.dstPort : undefined;
    const q = p.icmp?.quote;
    if (q?.ip && q.tcp && sameAddress(q.ip.dst, this.targetBytes) && this.inBlock(q.tcp.srcPort)) return q.tcp.srcPort;
    return undefined;
  }

  private inBlock(port: number): boolean {
    return port >= this.portBase && port < this.portBase + this.portCount;
  }
}
