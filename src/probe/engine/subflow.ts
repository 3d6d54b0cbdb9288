/**
 * A userspace TCP endpoint for one subflow: its own ISN and sequence
 * numbers, the peer's window and timestamps echoed, every segment the peer
 * sends taken in (in-order data advances what we acknowledge; FIN and RST
 * change the state). It builds segments but decides nothing about MPTCP:
 * the connection layer above chooses the options and when to acknowledge.
 */
import { tcpFlags, tcpSegment } from '../craft.js';
import { mss, sackPerm, ts } from '../options.js';
import type { MptcpOption, Packet, TcpOption, TcpRepr } from '../../wire/types.js';
import { TcpFlag } from '../../wire/types.js';
import type { Arrival, ProbeHost } from './host.js';
import { randomU32, seqAdd, seqAfter, seqDiff } from './seq.js';

/** A segment the peer sent on a subflow, as the connection layer sees it. */
export interface Segment {
  frame: number;
  /** performance.now() at arrival. */
  at: number;
  packet: Packet;
  tcp: TcpRepr;
  subflow: Subflow;
  /** The MPTCP options it carried, in order. */
  mptcp: MptcpOption[];
  payload: Uint8Array;
  /** Its payload (or FIN) was the next thing we expected on the subflow. */
  inOrder: boolean;
}

/** What the peer sent that belongs to no subflow of ours (another remote port: a subflow the peer opens itself), or an ICMP error. */
export interface Stray {
  frame: number;
  at: number;
  packet: Packet;
  subflow: Subflow;
}

export type SubflowState = 'new' | 'syn-sent' | 'established' | 'closing' | 'closed' | 'reset';

export interface SubflowOptions {
  localPort: number;
  /** Default random. */
  iss?: number;
  /** Offer and echo timestamps; default true. */
  timestamps?: boolean;
  /** MSS we announce; default 1460. */
  mss?: number;
  /** Window we announce (never scaled); default 65535. */
  window?: number;
}

export interface SegmentSpec {
  /** Letters ('S', 'A', 'PA', 'R', 'FA') or bits; default ACK. */
  flags?: string | number;
  options?: readonly TcpOption[];
  payload?: Uint8Array;
  /** Send at this sequence number instead of the next (a retransmission); the send state is left alone. */
  seq?: number;
}

export interface SentSegment {
  frame: number;
  seq: number;
  /** The bytes, for resending as they were. */
  bytes: Uint8Array;
}

/** Option space of a TCP header. */
const MAX_OPTION_BYTES = 40;
/** Timestamps as Linux sends them: two NOPs and the 10-byte option. */
const TS_BYTES = 12;

function optionBytes(options: readonly TcpOption[]): number {
  return options.reduce((n, o) => n + (o.type === 'nop' ? 1 : o.raw.length), 0);
}

let nextSubflowId = 1;

export class Subflow {
  /** Unique in the run, for reports. */
  readonly id = nextSubflowId++;
  state: SubflowState = 'new';
  readonly localPort: number;
  readonly iss: number;
  sndNxt: number;
  sndUna: number;
  /** The peer's ISN and the next sequence number we expect, once its SYN is in. */
  irs: number | undefined;
  rcvNxt = 0;
  peerMss: number | undefined;
  peerWindow = 0;
  private tsEnabled: boolean;
  private tsRecent = 0;
  private readonly tsBase = randomU32();
  private readonly t0 = performance.now();
  /** The peer's FIN and RST, when they came. */
  finReceived: Segment | undefined;
  resetReceived: Segment | undefined;
  finSent = false;
  readonly window: number;
  readonly mss: number;
  /** Segments the peer sent here, for the connection layer. */
  onSegment: ((s: Segment) => void) | undefined;
  /** Packets for our port from another remote port, and ICMP errors quoting ours. */
  onStray: ((s: Stray) => void) | undefined;

  constructor(private readonly host: ProbeHost, opts: SubflowOptions) {
    this.localPort = opts.localPort;
    this.iss = (opts.iss ?? randomU32()) >>> 0;
    this.sndNxt = this.iss;
    this.sndUna = this.iss;
    this.tsEnabled = opts.timestamps ?? true;
    this.window = opts.window ?? 65535;
    this.mss = opts.mss ?? 1460;
    host.bind(this.localPort, (a) => this.receive(a));
  }

  get remotePort(): number {
    return this.host.port;
  }

  /** Still able to send and receive (handshake done, no RST either way, not closed). */
  get alive(): boolean {
    return this.state === 'established' || this.state === 'closing';
  }

  /** Subflow sequence number of the next byte we send, relative to our ISN (what a DSS mapping carries). */
  get relativeSndNxt(): number {
    return seqDiff(this.sndNxt, seqAdd(this.iss, 1)) + 1;
  }

  /** Sequence number (relative to the peer's ISN) of the peer's byte at `seq`. */
  peerRelative(seq: number): number {
    return this.irs === undefined ? 0 : (seq - this.irs) >>> 0;
  }

  /** The SYN's TCP options (MSS, SACK permitted, timestamps) with `extra` after them. */
  synOptions(extra: readonly TcpOption[]): TcpOption[] {
    return [mss(this.mss), sackPerm(), ...(this.tsEnabled ? [ts(this.tsval(), 0)] : []), ...extra];
  }

  /** Builds and sends a segment; the SYN, FIN and payload advance our sequence number unless `seq` is given. */
  send(spec: SegmentSpec): SentSegment {
    const flags = tcpFlags(spec.flags ?? 'A');
    const bytes = tcpSegment({
      src: this.host.source, dst: this.host.target, sport: this.localPort, dport: this.host.port,
      seq: spec.seq ?? this.sndNxt, ack: this.irs === undefined ? 0 : this.rcvNxt, flags, window: this.window,
      options: this.withTimestamps(spec.options ?? [], flags),
      ...(spec.payload && spec.payload.length > 0 ? { payload: spec.payload } : {}),
    });
    const seq = spec.seq ?? this.sndNxt;
    if (spec.seq === undefined) {
      const len = (spec.payload?.length ?? 0) + (flags & TcpFlag.SYN ? 1 : 0) + (flags & TcpFlag.FIN ? 1 : 0);
      this.sndNxt = seqAdd(this.sndNxt, len);
    }
    if (flags & TcpFlag.SYN && this.state === 'new') this.state = 'syn-sent';
    if (flags & TcpFlag.FIN) {
      this.finSent = true;
      if (this.state === 'established') this.state = 'closing';
    }
    if (flags & TcpFlag.RST) this.close('closed');
    return { frame: this.host.send(bytes), seq, bytes };
  }

  /** Sends bytes built earlier again, as they were (a retransmission). */
  resend(sent: SentSegment): number {
    return this.host.send(sent.bytes);
  }

  /** Stops receiving; the port goes back to the host's pool. */
  close(state: 'closed' | 'reset' = 'closed'): void {
    if (this.state !== 'reset') this.state = state;
    this.host.unbind(this.localPort);
  }

  private tsval(): number {
    return (this.tsBase + Math.floor(performance.now() - this.t0)) >>> 0;
  }

  /** Timestamps before the other options once negotiated (a SYN has them from synOptions), if the options leave room; never on a RST. */
  private withTimestamps(options: readonly TcpOption[], bits: number): readonly TcpOption[] {
    if (!this.tsEnabled || bits & TcpFlag.SYN || options.some((o) => o.type === 'timestamps')) return options;
    if (bits & TcpFlag.RST || optionBytes(options) + TS_BYTES > MAX_OPTION_BYTES) return options;
    return [ts(this.tsval(), this.tsRecent), ...options];
  }

  private receive(a: Arrival): void {
    const p = a.packet;
    const t = p.tcp;
    if (!t || t.srcPort !== this.host.port) {
      this.onStray?.({ frame: a.frame, at: a.at, packet: p, subflow: this });
      return;
    }
    const payload = p.data.subarray(t.payloadOffset, t.payloadOffset + t.payloadCaptured);
    const mptcp = t.options.flatMap((o) => (o.type === 'mptcp' ? [o.mptcp] : []));
    const seg: Segment = { frame: a.frame, at: a.at, packet: p, tcp: t, subflow: this, mptcp, payload, inOrder: false };
    this.take(seg);
    this.onSegment?.(seg);
  }

  /** Updates the TCP state from a segment of the peer's. */
  private take(seg: Segment): void {
    const t = seg.tcp;
    const tsOpt = t.options.find((o) => o.type === 'timestamps');
    if (t.flags & TcpFlag.RST) {
      this.resetReceived = seg;
      this.close('reset');
      return;
    }
    if (t.flags & TcpFlag.SYN) {
      if (this.irs === undefined && t.flags & TcpFlag.ACK && t.ack === seqAdd(this.iss, 1)) {
        this.irs = t.seq;
        this.rcvNxt = seqAdd(t.seq, 1);
        this.state = 'established';
        const m = t.options.find((o) => o.type === 'mss');
        this.peerMss = m?.type === 'mss' ? m.mss : undefined;
        this.tsEnabled = this.tsEnabled && tsOpt !== undefined;
      }
      seg.inOrder = t.seq === seqAdd(this.rcvNxt, -1);
    }
    if (tsOpt?.type === 'timestamps') this.tsRecent = tsOpt.tsval;
    if (t.flags & TcpFlag.ACK && seqAfter(t.ack, this.sndUna) && !seqAfter(t.ack, this.sndNxt)) this.sndUna = t.ack;
    this.peerWindow = t.window;
    if (this.irs === undefined || t.flags & TcpFlag.SYN) return;
    const len = t.payloadLength;
    if (t.seq === this.rcvNxt && (len > 0 || t.flags & TcpFlag.FIN)) {
      seg.inOrder = true;
      this.rcvNxt = seqAdd(this.rcvNxt, len);
      if (t.flags & TcpFlag.FIN) {
        this.rcvNxt = seqAdd(this.rcvNxt, 1);
        this.finReceived = seg;
        if (this.state === 'established') this.state = 'closing';
      }
    }
    this.closeWhenDone();
  }

  /** Both FINs sent and acknowledged: the subflow is over. */
  closeWhenDone(): void {
    if (this.state === 'closing' && this.finSent && this.finReceived && this.sndUna === this.sndNxt) this.close('closed');
  }
}
