/**
 * What the probe engine needs from the network: send a whole IP packet, be
 * handed every IP packet that arrives for the endpoint, close. The TUN and
 * raw-socket transports implement it for real networks; tests implement it
 * with a simulated peer. A transport also says which address the endpoint
 * speaks from, since that depends on it (the TUN's far side, or this host's
 * own address).
 */
export interface ProbeTransport {
  /** 'tun', 'raw', or a test's name: for reports. */
  readonly kind: string;
  /** The endpoint's own address. */
  readonly source: string;
  send(packet: Uint8Array): void;
  /** Starts delivering received packets (whole IP packets, header included). */
  start(onPacket: (packet: Uint8Array) => void): void;
  /**
   * Delivers at once what already waits to be received. Waits call it
   * before they time out: after a stalled event loop, timers run before I/O
   * callbacks, and an answer that came in time would be missed.
   */
  poll?(): void;
  /** Stops receiving and undoes what the transport set up (device, firewall rule). */
  close(): void;
}

/** One packet the endpoint sent or received, as the capture file records it. */
export interface RecordedPacket {
  /** Frame number in the capture (1-based, both directions in one sequence). */
  frame: number;
  direction: 'out' | 'in';
  /** Seconds since the epoch. */
  time: number;
  data: Uint8Array;
}

/** Every packet of a probe run, numbered as frames, with a listener for writing them out as they come. */
export class PacketLog {
  readonly packets: RecordedPacket[] = [];

  constructor(private readonly onRecord?: (p: RecordedPacket) => void) {}

  /** Records a packet; returns its frame number. */
  record(direction: 'out' | 'in', data: Uint8Array): number {
    const p: RecordedPacket = { frame: this.packets.length + 1, direction, time: (performance.timeOrigin + performance.now()) / 1000, data };
    this.packets.push(p);
    this.onRecord?.(p);
    return p.frame;
  }
}
