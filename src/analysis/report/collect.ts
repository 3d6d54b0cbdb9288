/**
 * What `summary` and `doctor` need beyond the connection model, gathered from
 * the per-packet annotations in the same single pass: TCP retransmissions,
 * round-trip times, handshake frames, data-level progress and stalls.
 *
 * Round-trip times, measured at the capture point (a capture taken at the
 * receiver sees short times for the data direction, as any passive tool):
 * - from ACKs: the TCP tracker's `ackRtt` (an ACK matched to the segment it
 *   acknowledges exactly), with Karn's rule: no sample when any byte the ACK
 *   newly acknowledges belongs to a segment sent more than once;
 * - from TCP timestamps: the first time each TSval value is seen in one
 *   direction, to the first segment of the other direction echoing it in
 *   TSecr (a sample belongs to the TSval sender's direction; delayed ACKs
 *   are included, as they are in what the stack itself measures).
 *
 * Memory is bounded by what is in flight, not by the file: retransmitted
 * ranges leave once acknowledged, TSval values once echoed or overtaken
 * (at most MAX_TSVALS wait: 8 KiB), distributions are bounded (distribution.ts)
 * and frame lists are cut at MAX_FRAMES.
 */
import { TcpAnalysisFlag as A } from '../types.js';
import type { TcpAnnotation } from '../types.js';
import type { DataDir, MptcpAnnotation } from '../mptcp/types.js';
import { TcpFlag } from '../../wire/types.js';
import type { Packet, TcpRepr } from '../../wire/types.js';
import { Distribution } from './distribution.js';

/** Frames kept per list (the first ones): enough to show a problem, bounded for huge captures. */
export const MAX_FRAMES = 20;
/** TSval values waiting for their echo, per direction (a power of two); before the first echo, fewer. */
const MAX_TSVALS = 512;
const MAX_UNECHOED = 64;
/** Retransmitted ranges waiting for their ACK, per direction; past that they are merged into one. */
const MAX_RETX_RANGES = 256;
/** Default: data outstanding this long without the data ACK moving is a stall. */
export const DEFAULT_STALL_SECONDS = 1;

const RETRANSMITTED = A.RETRANSMISSION | A.FAST_RETRANSMISSION | A.SPURIOUS_RETRANSMISSION;
const NS = 1e9;

const seqLt = (a: number, b: number): boolean => ((a - b) | 0) < 0;
const seqGt = (a: number, b: number): boolean => ((a - b) | 0) > 0;

function pushFrame(list: number[], frame: number): void {
  if (list.length < MAX_FRAMES) list.push(frame);
}

function joinBackup(t: TcpRepr): boolean {
  const opts = t.options;
  for (let i = 0; i < opts.length; i++) {
    const o = opts[i]!;
    if (o.type === 'mptcp' && o.mptcp.name === 'MP_JOIN' && o.mptcp.backup) return true;
  }
  return false;
}

/**
 * The DSN ranges of one data direction already sent, to tell new data from
 * data sent again. Everything below the data ACK counts as sent (it was
 * delivered), so ranges leave once acknowledged: what stays is in flight.
 */
export class DsnCoverage {
  /** Holes kept at most (a capture missing much of a direction without its data ACKs); past that the oldest count as sent. */
  static readonly MAX_RANGES = 4096;
  /** Disjoint [start, end) pairs in order from index `head`, all above `floor`. */
  private ranges: number[] = [];
  private head = 0;
  private floor = -Infinity;

  /** Notes [start, end) as sent; returns how many of its bytes were not sent before. */
  add(start: number, end: number): number {
    const s = Math.max(start, this.floor);
    if (end <= s) return 0;
    const r = this.ranges;
    const n = r.length;
    // Usual case: the range continues or follows the highest one.
    if (n === this.head || s >= r[n - 1]!) {
      if (n > this.head && s === r[n - 1]!) r[n - 1] = end;
      else r.push(s, end);
      return end - s;
    }
    let covered = 0;
    let lo = s;
    let hi = end;
    const kept: number[] = [];
    for (let i = this.head; i < n; i += 2) {
      const a = r[i]!;
      const b = r[i + 1]!;
      if (b < s || a > end) {
        kept.push(a, b);
        continue;
      }
      covered += Math.max(0, Math.min(b, end) - Math.max(a, s));
      lo = Math.min(lo, a);
      hi = Math.max(hi, b);
    }
    // Insert the merged range in order.
    let at = 0;
    while (at < kept.length && kept[at]! < lo) at += 2;
    kept.splice(at, 0, lo, hi);
    this.ranges = kept;
    this.head = 0;
    if (kept.length > 2 * DsnCoverage.MAX_RANGES) this.advance(kept[kept.length - 2 * DsnCoverage.MAX_RANGES]!);
    return end - s - covered;
  }

  /** The data ACK reached `ack`: everything below it counts as sent. */
  advance(ack: number): void {
    if (ack <= this.floor) return;
    this.floor = ack;
    const r = this.ranges;
    let h = this.head;
    while (h < r.length && r[h + 1]! <= ack) h += 2;
    if (h < r.length && r[h]! < ack) r[h] = ack;
    if (h === r.length) {
      // Everything acknowledged: start over without moving anything.
      r.length = 0;
      h = 0;
    } else if (h > 64 && h * 2 > r.length) {
      r.copyWithin(0, h);
      r.length -= h;
      h = 0;
    }
    this.head = h;
  }
}

/**
 * TSval values of one direction in the order first seen, with the time
 * each was first seen, waiting for their echo: a ring that grows to at
 * most MAX_TSVALS (a peer that echoes nothing, or is not in the capture,
 * keeps it at MAX_UNECHOED until its first echo).
 */
class TsvalRing {
  private vals = new Float64Array(0);
  private times = new Float64Array(0);
  private head = 0;
  private count = 0;
  private echoed = false;

  add(tsval: number, ns: number): void {
    const cap = this.vals.length;
    if (this.count > 0 && !seqGt(tsval, this.vals[(this.head + this.count - 1) & (cap - 1)]!)) return;
    const limit = this.echoed ? MAX_TSVALS : MAX_UNECHOED;
    if (this.count >= limit) {
      this.head = (this.head + 1) & (cap - 1);
      this.count--;
    } else if (this.count === cap) {
      this.grow();
    }
    const at = (this.head + this.count) & (this.vals.length - 1);
    this.vals[at] = tsval;
    this.times[at] = ns;
    this.count++;
  }

  private grow(): void {
    const cap = this.vals.length === 0 ? 16 : this.vals.length * 2;
    const vals = new Float64Array(cap);
    const times = new Float64Array(cap);
    for (let i = 0; i < this.count; i++) {
      const from = (this.head + i) & (this.vals.length - 1);
      vals[i] = this.vals[from]!;
      times[i] = this.times[from]!;
    }
    this.vals = vals;
    this.times = times;
    this.head = 0;
  }

  /** The time `tsecr` was first seen, when this is its first echo; older values leave (they will never be echoed first). */
  echo(tsecr: number): number | undefined {
    const mask = this.vals.length - 1;
    while (this.count > 0) {
      const v = this.vals[this.head]!;
      if (v !== tsecr && !seqLt(v, tsecr)) return undefined;
      const t = this.times[this.head]!;
      this.head = (this.head + 1) & mask;
      this.count--;
      if (v === tsecr) {
        this.echoed = true;
        return t;
      }
    }
    return undefined;
  }
}

/** One direction of a TCP conversation (index = TcpAnnotation.dir). */
export class FlowExtra {
  packets = 0;
  /** TCP payload bytes, retransmissions included. */
  payloadBytes = 0;
  dataPackets = 0;
  /** MPTCP subflows: data-level bytes this direction carried first (DSNs not sent before on any subflow). */
  newDataBytes = 0;
  /** Data segments tshark flags as (fast, spurious) retransmissions, and their payload bytes. */
  retransmissions = 0;
  retransmittedBytes = 0;
  readonly retransmissionFrames: number[] = [];
  dupAcks = 0;
  zeroWindows = 0;
  /** "Previous segment not captured": gaps in what the capture saw. */
  lostSegments = 0;
  /** Capture times (ns from the analysis epoch) of the first and last segment with payload. */
  firstDataNs = NaN;
  lastDataNs = NaN;
  readonly ackRtt = new Distribution();
  readonly tsRtt = new Distribution();
  /** Karn's rule: [start, end) relative sequence ranges sent more than once and not yet acknowledged. */
  private retx: number[] = [];
  /** Highest acknowledgement the other side sent for this direction (relative), once any. */
  private acked = 0;
  private ackedSet = false;
  private readonly tsvals = new TsvalRing();

  noteRetransmitted(seq: number, end: number): void {
    const r = this.retx;
    if (r.length >= 2 * MAX_RETX_RANGES) {
      // Too many holes at once: one range covering them all keeps the rule safe (fewer samples, none wrong).
      let lo = r[0]!;
      let hi = r[1]!;
      for (let i = 2; i < r.length; i += 2) {
        if (seqLt(r[i]!, lo)) lo = r[i]!;
        if (seqGt(r[i + 1]!, hi)) hi = r[i + 1]!;
      }
      r.length = 0;
      r.push(lo, hi);
    }
    r.push(seq, end);
  }

  /**
   * An acknowledgement of this direction's data, with the tracker's RTT
   * sample if it matched a segment: the sample is kept unless Karn's rule
   * rejects it. Returns whether it was kept.
   */
  onAck(ack: number, rtt: number | undefined): boolean {
    const r = this.retx;
    let ambiguous = false;
    if (r.length > 0) {
      let w = 0;
      for (let i = 0; i < r.length; i += 2) {
        const s = r[i]!;
        const e = r[i + 1]!;
        if (seqLt(s, ack) && (!this.ackedSet || seqGt(e, this.acked))) ambiguous = true;
        if (seqGt(e, ack)) {
          r[w++] = s;
          r[w++] = e;
        }
      }
      r.length = w;
    }
    if (!this.ackedSet || seqGt(ack, this.acked)) {
      this.acked = ack;
      this.ackedSet = true;
    }
    if (rtt === undefined || ambiguous) return false;
    this.ackRtt.add(rtt);
    return true;
  }

  /** A TSval this direction sent at `ns`. */
  noteTsval(tsval: number, ns: number): void {
    this.tsvals.add(tsval, ns);
  }

  /** The other direction echoed `tsecr` at `ns`: an RTT sample when it is the first echo of a value seen. */
  onTsecr(tsecr: number, ns: number): void {
    const sent = this.tsvals.echo(tsecr);
    if (sent !== undefined) this.tsRtt.add((ns - sent) / NS);
  }
}

/** Per TCP conversation (index = tcp.stream). */
export class StreamExtra {
  readonly flows: [FlowExtra, FlowExtra] = [new FlowExtra(), new FlowExtra()];
  /** SYNs (without ACK), SYN/ACKs and RSTs, by frame, with the TCP direction of the SYNs' sender. */
  readonly synFrames: number[] = [];
  readonly synAckFrames: number[] = [];
  readonly rstFrames: number[] = [];
  /** An MP_JOIN handshake packet of this stream asked for backup priority (MP_PRIO changes later are events of the model). */
  joinedAsBackup = false;
  firstNs: number;
  lastNs: number;

  constructor(ns: number) {
    this.firstNs = ns;
    this.lastNs = ns;
  }
}

/** A time the data ACK of a connection direction stood still while data was outstanding. */
export interface Stall {
  /** Frame that made data outstanding (or the last data ACK that moved), and the data ACK that finally moved (absent: never, until the end of the capture). */
  fromFrame: number;
  toFrame?: number | undefined;
  seconds: number;
  /** Relative DSN the data ACK stood at. */
  dataAck: number;
  startNs: number;
}

/** One data direction of an MPTCP connection (index = DataDir). */
export class ConnDirExtra {
  firstDataNs = NaN;
  lastDataNs = NaN;
  firstDataFrame = 0;
  lastDataFrame = 0;
  /** Time and frame of the last data ACK that moved forward. */
  lastAckAdvanceNs = NaN;
  lastAckAdvanceFrame = 0;
  /** Time and frame of the last data ACK that caught up with all data sent so far (a DATA_FIN alone does not count). */
  allAckedNs = NaN;
  allAckedFrame = 0;
  /**
   * Where delivery counting starts (relative DSN): the first data ACK seen,
   * or the first data segment's DSN when it came before any data ACK.
   */
  deliveryStart: number | undefined;
  /** Segments that carried data first sent on another subflow. */
  reinjections = 0;
  readonly reinjectionFrames: number[] = [];
  readonly stalls: Stall[] = [];
  stallCount = 0;
  longestStall: Stall | undefined;
  readonly coverage = new DsnCoverage();
  private sentEnd = -Infinity;
  private ack = -Infinity;
  private outstandingNs = NaN;
  private outstandingFrame = 0;

  /** A data segment; returns how many of its bytes are new at the data level. */
  onData(dsn: number, len: number, frame: number, ns: number): number {
    if (Number.isNaN(this.firstDataNs)) {
      this.firstDataNs = ns;
      this.firstDataFrame = frame;
    }
    this.lastDataNs = ns;
    this.lastDataFrame = frame;
    if (this.deliveryStart === undefined) this.deliveryStart = dsn;
    const end = dsn + len;
    if (end > this.sentEnd) this.sentEnd = end;
    if (Number.isNaN(this.outstandingNs) && this.sentEnd > this.ack) {
      this.outstandingNs = ns;
      this.outstandingFrame = frame;
    }
    return this.coverage.add(dsn, end);
  }

  onDataAck(ack: number, frame: number, ns: number, stallNs: number): void {
    if (ack <= this.ack) return;
    this.coverage.advance(ack);
    if (this.ack === -Infinity && (this.deliveryStart === undefined || ack < this.deliveryStart)) this.deliveryStart = ack;
    if (this.ack < this.sentEnd && ack >= this.sentEnd) {
      this.allAckedNs = ns;
      this.allAckedFrame = frame;
    }
    if (!Number.isNaN(this.outstandingNs) && ns - this.outstandingNs >= stallNs) {
      this.addStall({ fromFrame: this.outstandingFrame, toFrame: frame, seconds: (ns - this.outstandingNs) / NS, dataAck: this.ack, startNs: this.outstandingNs });
    }
    this.ack = ack;
    this.lastAckAdvanceNs = ns;
    this.lastAckAdvanceFrame = frame;
    // Progress restarts the clock while data is still outstanding.
    if (this.sentEnd > ack) {
      this.outstandingNs = ns;
      this.outstandingFrame = frame;
    } else {
      this.outstandingNs = NaN;
    }
  }

  /** The connection's last packet was at `ns`: data still outstanding since long enough is a stall with no end. */
  finish(ns: number, stallNs: number): void {
    if (!Number.isNaN(this.outstandingNs) && ns - this.outstandingNs >= stallNs) {
      this.addStall({ fromFrame: this.outstandingFrame, seconds: (ns - this.outstandingNs) / NS, dataAck: this.ack, startNs: this.outstandingNs });
    }
    this.outstandingNs = NaN;
  }

  private addStall(s: Stall): void {
    this.stallCount++;
    if (this.stalls.length < MAX_FRAMES) this.stalls.push(s);
    if (this.longestStall === undefined || s.seconds > this.longestStall.seconds) this.longestStall = s;
  }
}

export class ConnExtra {
  readonly dirs: [ConnDirExtra, ConnDirExtra] = [new ConnDirExtra(), new ConnDirExtra()];
  /** Time of the connection's last packet. */
  lastNs = 0;
}

export interface CollectorOptions {
  /** Data outstanding this long (seconds) without the data ACK moving is a stall. Default 1. */
  stallSeconds?: number | undefined;
}

export class ReportCollector {
  /** By tcp.stream. */
  readonly streams: StreamExtra[] = [];
  /** By mptcp.stream. */
  readonly conns: ConnExtra[] = [];
  private readonly stallNs: number;
  private epochSec: number | undefined;
  /** Time of the last packet (ns from the epoch). */
  lastNs = 0;

  constructor(opts: CollectorOptions = {}) {
    this.stallNs = (opts.stallSeconds ?? DEFAULT_STALL_SECONDS) * NS;
  }

  /** Nanoseconds from the first packet's second: exact doubles for months. */
  ns(sec: number, nsec: number): number {
    this.epochSec ??= sec;
    return (sec - this.epochSec) * NS + nsec;
  }

  /** Seconds from `origin` to a collector time. */
  secondsSince(origin: { sec: number; nsec: number }, ns: number): number {
    return (ns - ((origin.sec - (this.epochSec ?? origin.sec)) * NS + origin.nsec)) / NS;
  }

  packet(pkt: Packet, tcp: TcpAnnotation, mptcp: MptcpAnnotation | undefined): void {
    const t = pkt.tcp;
    if (t === undefined || tcp.quoted) return;
    const ns = this.ns(pkt.tsSec, pkt.tsNsec);
    if (ns > this.lastNs) this.lastNs = ns;
    let st = this.streams[tcp.stream];
    if (st === undefined) {
      st = new StreamExtra(ns);
      this.streams[tcp.stream] = st;
    }
    st.lastNs = ns;
    const flags = t.flags;
    if (flags & TcpFlag.SYN) {
      pushFrame(flags & TcpFlag.ACK ? st.synAckFrames : st.synFrames, pkt.number);
      if (mptcp !== undefined && joinBackup(t)) st.joinedAsBackup = true;
    }
    if (flags & TcpFlag.RST) pushFrame(st.rstFrames, pkt.number);
    const fwd = st.flows[tcp.dir];
    const rev = st.flows[tcp.dir === 0 ? 1 : 0];
    fwd.packets++;
    const len = t.payloadLength;
    fwd.payloadBytes += len;
    const af = tcp.flags;
    if (af & A.DUPLICATE_ACK) fwd.dupAcks++;
    if (af & A.ZERO_WINDOW) fwd.zeroWindows++;
    if (af & A.LOST_SEGMENT) fwd.lostSegments++;
    if (!tcp.noSegment) {
      if (len > 0) {
        fwd.dataPackets++;
        if (Number.isNaN(fwd.firstDataNs)) fwd.firstDataNs = ns;
        fwd.lastDataNs = ns;
      }
      if (af & RETRANSMITTED && (len > 0 || flags & (TcpFlag.SYN | TcpFlag.FIN))) {
        if (len > 0) {
          fwd.retransmissions++;
          fwd.retransmittedBytes += len;
          pushFrame(fwd.retransmissionFrames, pkt.number);
        }
        fwd.noteRetransmitted(tcp.seq, tcp.nxtseq);
      }
      if (flags & TcpFlag.ACK) rev.onAck(tcp.ack, tcp.ackRtt);
      this.timestamps(t, flags, fwd, rev, ns);
    }
    if (mptcp !== undefined) this.mptcpPacket(mptcp, fwd, pkt.number, len, ns);
  }

  private timestamps(t: TcpRepr, flags: number, fwd: FlowExtra, rev: FlowExtra, ns: number): void {
    const opts = t.options;
    for (let i = 0; i < opts.length; i++) {
      const o = opts[i]!;
      if (o.type !== 'timestamps') continue;
      fwd.noteTsval(o.tsval, ns);
      if (flags & TcpFlag.ACK && o.tsecr !== 0) rev.onTsecr(o.tsecr, ns);
      return;
    }
  }

  private mptcpPacket(m: MptcpAnnotation, flow: FlowExtra, frame: number, len: number, ns: number): void {
    const index = m.connection.index;
    let c = this.conns[index];
    if (c === undefined) {
      c = new ConnExtra();
      this.conns[index] = c;
    }
    c.lastNs = ns;
    const dir: DataDir = m.dir;
    if (m.dsn !== undefined && len > 0) {
      const d = c.dirs[dir];
      flow.newDataBytes += d.onData(m.dsn, len, frame, ns);
      if (m.reinjectionOf !== undefined) {
        d.reinjections++;
        pushFrame(d.reinjectionFrames, frame);
      }
    }
    if (m.dataAck !== undefined) c.dirs[dir === 0 ? 1 : 0].onDataAck(m.dataAck, frame, ns, this.stallNs);
  }

  /** Ends the pass: data still outstanding at a connection's last packet may be a stall. */
  finish(): void {
    for (const c of this.conns) {
      if (c === undefined) continue;
      for (const d of c.dirs) d.finish(c.lastNs, this.stallNs);
    }
  }
}
