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
 * - from TCP timestamps: see tsval.ts.
 *
 * Memory is bounded by what is in flight, not by the file: retransmitted
 * ranges leave once acknowledged, TSval values once echoed or overtaken,
 * distributions are bounded (distribution.ts) and frame lists are cut at
 * MAX_FRAMES.
 *
 * The numbers updated on every packet live in flat records (flat.ts), one
 * per TCP direction and one per MPTCP connection direction; `StreamExtra`,
 * `FlowExtra`, `ConnExtra` and `ConnDirExtra` are the reports' views of them.
 */
import * as analysisTypes from '../types.js';
import type { TcpAnnotation } from '../types.js';
import type { DataDir, MptcpAnnotation } from '../mptcp/types.js';
import * as wireTcp from '../../wire/tcp.js';
import { nextSoundOption, TcpOptionKind, TcpOptionWalk } from '../../wire/tcp-options.js';
import { MPTCP_OPTION_KIND } from '../../wire/mptcp.js';
import { MptcpSubtype, TcpFlag } from '../../wire/types.js';
import type { Packet, TcpRepr } from '../../wire/types.js';
import { COVERAGE_FIELDS, COVERAGE_TEMPLATE, CoverageSet } from './coverage.js';
import {
  DISTRIBUTION_COLD_FIELDS, DISTRIBUTION_COLD_TEMPLATE, DISTRIBUTION_FIELDS, DISTRIBUTION_TEMPLATE, Distribution, DistributionSet,
} from './distribution.js';
import { RecordTable, lineAligned } from '../mptcp/flat.js';
import * as bytes from '../../wire/bytes.js';
import { TSVAL_FIELDS, TSVAL_TEMPLATE, TsvalRings } from './tsval.js';

export { DsnCoverage } from './coverage.js';

/** Frames kept per list (the first ones): enough to show a problem, bounded for huge captures. */
export const MAX_FRAMES = 20;
/** Retransmitted ranges waiting for their ACK, per direction; past that they are merged into one. */
const MAX_RETX_RANGES = 256;
/** Default: data outstanding this long without the data ACK moving is a stall. */
export const DEFAULT_STALL_SECONDS = 1;

/*
 * What the per-packet code reads of other modules, as constants of this one:
 * Node 20's optimizing compiler builds the values of a module's own
 * constants into the code, but loads and checks an imported binding at every
 * use.
 */
const { TcpAnalysisFlag: A } = analysisTypes;
const { TCP_HEADER_LENGTH } = wireTcp;
const { i32 } = bytes;

const RETRANSMITTED = A.RETRANSMISSION | A.FAST_RETRANSMISSION | A.SPURIOUS_RETRANSMISSION;
const NS = 1e9;
const SYN = TcpFlag.SYN;
const ACK = TcpFlag.ACK;
const FIN = TcpFlag.FIN;
const RST = TcpFlag.RST;
const TIMESTAMPS = TcpOptionKind.TIMESTAMPS;
const TIMESTAMPS_BIT = 1 << TIMESTAMPS;
const MP_JOIN = MptcpSubtype.MP_JOIN;
const MP_JOIN_BACKUP = 0x01;


const seqLt = (a: number, b: number): boolean => ((a - b) | 0) < 0;
const seqGt = (a: number, b: number): boolean => ((a - b) | 0) > 0;

/*
 * A TCP direction's record (2 × tcp.stream + TcpAnnotation.dir) of FLOW
 * numbers, cache-line aligned; the stream's own times sit in its direction
 * 0's record. A packet updates the first lines of the direction sending it
 * (counters, the acknowledged position, TSval ring and the entries it holds
 * back), and an ACK that gives a round trip the other direction's round
 * trips; the rest is rare.
 */
const PACKETS = 0;
const PAYLOAD = 1;
const DATA_PACKETS = 2;
const LAST_DATA_NS = 3;
const NEW_DATA = 4;
/** Stream times, in direction 0 (NaN first time: the stream was not seen yet). */
const LAST_NS = 5;
/**
 * Highest acknowledgement this direction sent (relative, of the other
 * direction's bytes); NaN before any. Kept by the sender of the ACKs, not
 * with the data they acknowledge: the usual segment carries an ACK that
 * moves nothing, and then reads no record but its own.
 */
const ACKED = 6;
/** The other direction's retransmitted ranges waiting for this direction's ACK (pairs in `retx`), for Karn's rule. */
const RETX_PENDING = 7;
const TSVALS = 8;
const ACK_RTT = TSVALS + TSVAL_FIELDS;
const TS_RTT = ACK_RTT + DISTRIBUTION_FIELDS;
const RETX = TS_RTT + DISTRIBUTION_FIELDS;
const RETX_BYTES = RETX + 1;
const DUP_ACKS = RETX + 2;
const ZERO_WINDOWS = RETX + 3;
const LOST = RETX + 4;
/** The stream's first time, in direction 0, and the direction's first payload time: each written once. */
const FIRST_NS = LOST + 1;
const FIRST_DATA_NS = LOST + 2;
/** Where the round-trip series keep their samples (touched every few samples). */
const ACK_RTT_PLACE = FIRST_DATA_NS + 1;
const TS_RTT_PLACE = ACK_RTT_PLACE + DISTRIBUTION_COLD_FIELDS;
const FLOW = lineAligned(TS_RTT_PLACE + DISTRIBUTION_COLD_FIELDS);
/** A stream's two directions are records 2 × tcp.stream + dir: its direction 0 record starts at stream × STREAM. */
const STREAM = 2 * FLOW;
const FLOW_TEMPLATE = [
  0, 0, 0, NaN, 0, NaN, NaN, 0, ...TSVAL_TEMPLATE, ...DISTRIBUTION_TEMPLATE, ...DISTRIBUTION_TEMPLATE, 0, 0, 0, 0, 0, NaN, NaN,
  ...DISTRIBUTION_COLD_TEMPLATE, ...DISTRIBUTION_COLD_TEMPLATE,
];

/*
 * An MPTCP connection's record: its two data directions (index = DataDir) of
 * CDIR numbers each, cache-line aligned; the connection's last time in
 * direction 0's. A data segment updates the first two lines of its
 * direction, a data ACK the first two of the other one.
 */
const D_LAST_NS = 0;
const D_LAST_FRAME = 1;
/** Highest DSN end sent, and the data ACK: -Infinity before any. */
const D_SENT_END = 2;
const D_ACK = 3;
/** Since when (time, frame) data has been outstanding without the data ACK moving; NaN: nothing outstanding. */
const D_OUT_NS = 4;
const D_OUT_FRAME = 5;
/** NaN until known. */
const D_DELIVERY_START = 6;
/** The connection's last packet, in direction 0 (NaN: not seen yet). */
const C_LAST_NS = 7;
const D_COVERAGE = 8;
const D_ACK_NS = D_COVERAGE + COVERAGE_FIELDS;
const D_ACK_FRAME = D_ACK_NS + 1;
const D_ALL_ACKED_NS = D_ACK_NS + 2;
const D_ALL_ACKED_FRAME = D_ACK_NS + 3;
/** Written once, at the first data segment (which D_LAST_NS, still NaN, tells): past the lines a packet touches. */
const D_FIRST_NS = D_ACK_NS + 4;
const D_FIRST_FRAME = D_ACK_NS + 5;
const D_REINJECTIONS = D_ACK_NS + 6;
const D_STALLS = D_ACK_NS + 7;
const CDIR = lineAligned(D_STALLS + 1);
const CONN = 2 * CDIR;
const CDIR_TEMPLATE = [NaN, 0, -Infinity, -Infinity, NaN, 0, NaN, NaN, ...COVERAGE_TEMPLATE, NaN, 0, NaN, 0, NaN, 0, 0, 0];
const CONN_TEMPLATE = [...CDIR_TEMPLATE, ...new Array<number>(CDIR - CDIR_TEMPLATE.length).fill(0), ...CDIR_TEMPLATE];

function pushFrame(list: number[], frame: number): void {
  if (list.length < MAX_FRAMES) list.push(frame);
}

/**
 * An MP_JOIN of the handshake asking for backup priority: the SYN and
 * SYN/ACK forms (12 and 16 bytes) carry the B flag. Read in place: asking
 * for `t.options` would decode every option of every SYN.
 */
function joinBackup(w: TcpOptionWalk, data: Uint8Array, t: TcpRepr): boolean {
  w.over(data, t);
  while (w.next()) {
    if (w.kind !== MPTCP_OPTION_KIND || !w.sound) continue;
    const b2 = data[w.at + 2]!;
    if ((w.length === 12 || w.length === 16) && b2 >> 4 === MP_JOIN && (b2 & MP_JOIN_BACKUP) !== 0) return true;
  }
  return false;
}

/** One direction of a TCP conversation (index = TcpAnnotation.dir): a view of the collector's records. */
export class FlowExtra {
  constructor(private readonly c: ReportCollector, private readonly flow: number) {}

  private n(k: number): number {
    return this.c.streamRecords.f[this.flow * FLOW + k]!;
  }

  get packets(): number {
    return this.n(PACKETS);
  }

  /** TCP payload bytes, retransmissions included. */
  get payloadBytes(): number {
    return this.n(PAYLOAD);
  }

  get dataPackets(): number {
    return this.n(DATA_PACKETS);
  }

  /** MPTCP subflows: data-level bytes this direction carried first (DSNs not sent before on any subflow). */
  get newDataBytes(): number {
    return this.n(NEW_DATA);
  }

  /** Data segments tshark flags as (fast, spurious) retransmissions, and their payload bytes. */
  get retransmissions(): number {
    return this.n(RETX);
  }

  get retransmittedBytes(): number {
    return this.n(RETX_BYTES);
  }

  get retransmissionFrames(): number[] {
    return this.c.retransmissionFrames[this.flow] ?? [];
  }

  get dupAcks(): number {
    return this.n(DUP_ACKS);
  }

  get zeroWindows(): number {
    return this.n(ZERO_WINDOWS);
  }

  /** "Previous segment not captured": gaps in what the capture saw. */
  get lostSegments(): number {
    return this.n(LOST);
  }

  /** Capture times (ns from the analysis epoch) of the first and last segment with payload; NaN without any. */
  get firstDataNs(): number {
    return this.n(FIRST_DATA_NS);
  }

  get lastDataNs(): number {
    return this.n(LAST_DATA_NS);
  }

  get ackRtt(): Distribution {
    return new Distribution(this.c.ackRtts, this.flow * FLOW);
  }

  get tsRtt(): Distribution {
    return new Distribution(this.c.tsRtts, this.flow * FLOW);
  }
}

/** Per TCP conversation (index = tcp.stream). */
export class StreamExtra {
  readonly flows: [FlowExtra, FlowExtra];
  /** SYNs (without ACK), SYN/ACKs and RSTs, by frame. */
  readonly synFrames: number[] = [];
  readonly synAckFrames: number[] = [];
  readonly rstFrames: number[] = [];
  /** An MP_JOIN handshake packet of this stream asked for backup priority (MP_PRIO changes later are events of the model). */
  joinedAsBackup = false;

  constructor(private readonly c: ReportCollector, private readonly stream: number) {
    this.flows = [new FlowExtra(c, 2 * stream), new FlowExtra(c, 2 * stream + 1)];
  }

  get firstNs(): number {
    return this.c.streamRecords.f[this.stream * STREAM + FIRST_NS]!;
  }

  get lastNs(): number {
    return this.c.streamRecords.f[this.stream * STREAM + LAST_NS]!;
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

/** One data direction of an MPTCP connection (index = DataDir): a view of the collector's records, and its lists. */
export class ConnDirExtra {
  readonly reinjectionFrames: number[] = [];
  readonly stalls: Stall[] = [];
  longestStall: Stall | undefined;

  constructor(private readonly c: ReportCollector, private readonly at: number) {}

  private n(k: number): number {
    return this.c.connRecords.f[this.at + k]!;
  }

  /** Times (ns from the analysis epoch, NaN without any) and frames of the first and last data segments. */
  get firstDataNs(): number {
    return this.n(D_FIRST_NS);
  }

  get lastDataNs(): number {
    return this.n(D_LAST_NS);
  }

  get firstDataFrame(): number {
    return this.n(D_FIRST_FRAME);
  }

  get lastDataFrame(): number {
    return this.n(D_LAST_FRAME);
  }

  /** Time and frame of the last data ACK that moved forward. */
  get lastAckAdvanceNs(): number {
    return this.n(D_ACK_NS);
  }

  get lastAckAdvanceFrame(): number {
    return this.n(D_ACK_FRAME);
  }

  /** Time and frame of the last data ACK that caught up with all data sent so far (a DATA_FIN alone does not count). */
  get allAckedNs(): number {
    return this.n(D_ALL_ACKED_NS);
  }

  get allAckedFrame(): number {
    return this.n(D_ALL_ACKED_FRAME);
  }

  /**
   * Where delivery counting starts (relative DSN): the first data ACK seen,
   * or the first data segment's DSN when it came before any data ACK.
   */
  get deliveryStart(): number | undefined {
    const v = this.n(D_DELIVERY_START);
    return Number.isNaN(v) ? undefined : v;
  }

  /** Segments that carried data first sent on another subflow. */
  get reinjections(): number {
    return this.n(D_REINJECTIONS);
  }

  get stallCount(): number {
    return this.n(D_STALLS);
  }

  addStall(s: Stall): void {
    this.c.connRecords.f[this.at + D_STALLS]!++;
    if (this.stalls.length < MAX_FRAMES) this.stalls.push(s);
    if (this.longestStall === undefined || s.seconds > this.longestStall.seconds) this.longestStall = s;
  }
}

export class ConnExtra {
  readonly dirs: [ConnDirExtra, ConnDirExtra];

  constructor(private readonly c: ReportCollector, private readonly index: number) {
    this.dirs = [new ConnDirExtra(c, index * CONN), new ConnDirExtra(c, index * CONN + CDIR)];
  }

  /** Time of the connection's last packet. */
  get lastNs(): number {
    return this.c.connRecords.f[this.index * CONN + C_LAST_NS]!;
  }
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
  /** Time of the last packet (ns from the epoch). */
  lastNs = 0;
  /**
   * Time of the packet being collected (ns from the epoch), for the steps
   * of its collection. A field: it holds a double as it is, where an
   * argument past 2^31 ns (2.1 s into a capture) would be a heap number at
   * every call.
   */
  private now = NaN;
  /** The same time as whole seconds from the epoch and nanoseconds, small integers both, for calls that take it. */
  private nowSec = 0;
  private nowNsec = 0;
  /** @internal The records behind the views. */
  readonly streamRecords = new RecordTable(FLOW, FLOW_TEMPLATE);
  readonly connRecords = new RecordTable(CONN, CONN_TEMPLATE);
  /** @internal Round-trip times from ACKs and from timestamps, kept in the stream records (flow = 2 × tcp.stream + dir). */
  readonly ackRtts = new DistributionSet(this.streamRecords, ACK_RTT, ACK_RTT_PLACE);
  readonly tsRtts = new DistributionSet(this.streamRecords, TS_RTT, TS_RTT_PLACE);
  /** @internal Frames of retransmissions by flow. */
  readonly retransmissionFrames: Array<number[] | undefined> = [];
  private readonly tsvals = new TsvalRings(this.streamRecords, TSVALS);
  private readonly coverage = new CoverageSet(this.connRecords, D_COVERAGE);
  /** Karn's rule: by flow, [start, end) relative sequence ranges sent more than once and not yet acknowledged. */
  private readonly retx: Array<number[] | undefined> = [];
  private readonly stallNs: number;
  private epochSec: number | undefined;
  private readonly walk = new TcpOptionWalk();

  constructor(opts: CollectorOptions = {}) {
    this.stallNs = (opts.stallSeconds ?? DEFAULT_STALL_SECONDS) * NS;
  }

  /**
   * Sets `now` to a packet's time, in nanoseconds from the first packet's
   * second (exact doubles for months): written to the fields, not returned
   * (a double returned may be a heap number).
   */
  private clock(sec: number, nsec: number): void {
    this.epochSec ??= sec;
    this.nowSec = sec - this.epochSec;
    this.nowNsec = nsec;
    this.now = this.nowSec * NS + nsec;
  }

  /** Seconds from `origin` to a collector time. */
  secondsSince(origin: { sec: number; nsec: number }, ns: number): number {
    return (ns - ((origin.sec - (this.epochSec ?? origin.sec)) * NS + origin.nsec)) / NS;
  }

  packet(pkt: Packet, tcp: TcpAnnotation, mptcp: MptcpAnnotation | undefined): void {
    const t = pkt.tcp;
    if (t === undefined || tcp.quoted) return;
    this.clock(pkt.tsSec, pkt.tsNsec);
    const ns = this.now;
    if (ns > this.lastNs) this.lastNs = ns;
    // Small integers from here on, whatever the TCP tracker's numbers arrive as (a double now and then, from its records): record offsets passed on stay small integers, which the code taking them was compiled for.
    const stream = tcp.stream | 0;
    const sb = this.streamRecords.ensure(2 * stream + 1) - FLOW;
    const f = this.streamRecords.f;
    // The stream's last time tells a new stream: it shares a line with numbers every packet touches, its first time does not.
    if (Number.isNaN(f[sb + LAST_NS]!)) {
      f[sb + FIRST_NS] = ns;
      this.streams[stream] = new StreamExtra(this, stream);
    }
    f[sb + LAST_NS] = ns;
    const flags = t.flags;
    if (flags & (SYN | RST)) this.handshake(pkt, t, stream, mptcp !== undefined);
    const dir = tcp.dir & 1;
    const fwdFlow = 2 * stream + dir;
    const revFlow = fwdFlow ^ 1;
    const fwd = sb + dir * FLOW;
    const rev = sb + (dir ^ 1) * FLOW;
    f[fwd + PACKETS]!++;
    const len = t.payloadLength;
    f[fwd + PAYLOAD]! += len;
    const af = tcp.flags;
    if (af & (A.DUPLICATE_ACK | A.ZERO_WINDOW | A.LOST_SEGMENT)) {
      if (af & A.DUPLICATE_ACK) f[fwd + DUP_ACKS]!++;
      if (af & A.ZERO_WINDOW) f[fwd + ZERO_WINDOWS]!++;
      if (af & A.LOST_SEGMENT) f[fwd + LOST]!++;
    }
    if (!tcp.noSegment) {
      if (len > 0) {
        if (f[fwd + DATA_PACKETS]!++ === 0) f[fwd + FIRST_DATA_NS] = ns;
        f[fwd + LAST_DATA_NS] = ns;
      }
      if (af & RETRANSMITTED && (len > 0 || flags & (SYN | FIN))) {
        if (len > 0) {
          f[fwd + RETX]!++;
          f[fwd + RETX_BYTES]! += len;
          pushFrame((this.retransmissionFrames[fwdFlow] ??= []), pkt.number);
        }
        this.noteRetransmitted(rev, fwdFlow, tcp.seq, tcp.nxtseq);
      }
      if (flags & ACK) this.onAck(fwd, rev, revFlow, tcp.ack, tcp.ackRtt);
      this.timestamps(pkt, t, flags, fwd, rev);
    }
    if (mptcp !== undefined) this.mptcpPacket(mptcp, f, fwd, pkt.number, len);
  }

  /** SYN, SYN/ACK and RST frames; a join asking for backup priority. */
  private handshake(pkt: Packet, t: TcpRepr, stream: number, mptcp: boolean): void {
    const st = this.streams[stream]!;
    const flags = t.flags;
    if (flags & SYN) {
      pushFrame(flags & ACK ? st.synAckFrames : st.synFrames, pkt.number);
      if (mptcp && joinBackup(this.walk, pkt.data, t)) st.joinedAsBackup = true;
    }
    if (flags & RST) pushFrame(st.rstFrames, pkt.number);
  }

  /** Data of `flow` sent again over [seq, end); `acker` is the record of the other direction, whose ACKs Karn's rule checks. */
  private noteRetransmitted(acker: number, flow: number, seq: number, end: number): void {
    const r = (this.retx[flow] ??= []);
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
    this.streamRecords.f[acker + RETX_PENDING] = r.length;
  }

  /**
   * An acknowledgement sent by the direction of record `acker` of the other
   * direction's data (`flow`, its record at `data`), with the tracker's RTT
   * sample if it matched a segment: the sample is kept unless Karn's rule
   * rejects it.
   */
  private onAck(acker: number, data: number, flow: number, ack: number, rtt: number | undefined): void {
    const f = this.streamRecords.f;
    const acked = f[acker + ACKED]!;
    const ackedSet = !Number.isNaN(acked);
    let ambiguous = false;
    if (f[acker + RETX_PENDING]! > 0) {
      const r = this.retx[flow]!;
      let w = 0;
      for (let i = 0; i < r.length; i += 2) {
        const s = r[i]!;
        const e = r[i + 1]!;
        if (seqLt(s, ack) && (!ackedSet || seqGt(e, acked))) ambiguous = true;
        if (seqGt(e, ack)) {
          r[w++] = s;
          r[w++] = e;
        }
      }
      r.length = w;
      f[acker + RETX_PENDING] = w;
    }
    if (!ackedSet || seqGt(ack, acked)) f[acker + ACKED] = ack;
    if (rtt !== undefined && !ambiguous) this.ackRtts.add(data, rtt);
  }

  /** TSval of the sender (its direction's record at `fwd`), and the first echo of one of the other direction's (at `rev`). */
  private timestamps(pkt: Packet, t: TcpRepr, flags: number, fwd: number, rev: number): void {
    // Read in place: the option objects are made only for whoever asks for them.
    const data = pkt.data;
    const kinds = t.optionKinds ?? -1;
    if (kinds >= 0) {
      // Every option is sound (the decoder checked): a plain walk, and only when there are timestamps.
      if ((kinds & TIMESTAMPS_BIT) === 0) return;
      const end = t.offset + t.length;
      for (let at = nextSoundOption(data, t.offset + TCP_HEADER_LENGTH, end); at < end; at = nextSoundOption(data, at + data[at + 1]!, end)) {
        if (data[at] !== TIMESTAMPS) continue;
        // TSval and TSecr go on signed, small integers whatever their bits (see TsvalRings.add).
        this.timestamp(i32(data, at + 2), i32(data, at + 6), flags, fwd, rev);
        return;
      }
      return;
    }
    const w = this.walk.over(data, t);
    while (w.next()) {
      if (w.kind !== TIMESTAMPS || !w.sound) continue;
      this.timestamp(w.tsval, w.tsecr, flags, fwd, rev);
      return;
    }
  }

  /** The sender's TSval, and the first echo of one of the other direction's. */
  private timestamp(tsval: number, tsecr: number, flags: number, fwd: number, rev: number): void {
    const ns = this.now;
    this.tsvals.add(fwd, tsval, this.nowSec, this.nowNsec);
    if (flags & ACK && tsecr !== 0) {
      const sent = this.tsvals.echo(rev, tsecr);
      if (sent !== undefined) this.tsRtts.add(rev, (ns - sent) / NS);
    }
  }

  private mptcpPacket(m: MptcpAnnotation, sf: Float64Array, fwd: number, frame: number, len: number): void {
    const ns = this.now;
    const index = m.connectionIndex;
    const cb = this.connRecords.ensure(index);
    const f = this.connRecords.f;
    if (Number.isNaN(f[cb + C_LAST_NS]!)) this.conns[index] = new ConnExtra(this, index);
    f[cb + C_LAST_NS] = ns;
    const dir: DataDir = m.dir;
    const dsn = m.dsn;
    if (dsn !== undefined && len > 0) {
      const d = cb + dir * CDIR;
      sf[fwd + NEW_DATA]! += this.onData(f, d, dsn, len, frame);
      if (m.reinjectionOf !== undefined) {
        f[d + D_REINJECTIONS]!++;
        pushFrame(this.conns[index]!.dirs[dir].reinjectionFrames, frame);
      }
    }
    const dataAck = m.dataAck;
    if (dataAck !== undefined) this.onDataAck(f, cb + (dir ^ 1) * CDIR, index, dir ^ 1, dataAck, frame);
  }

  /** A data segment of a connection direction (its record at `d`); returns how many of its bytes are new at the data level. */
  private onData(f: Float64Array, d: number, dsn: number, len: number, frame: number): number {
    const ns = this.now;
    if (Number.isNaN(f[d + D_LAST_NS]!)) {
      f[d + D_FIRST_NS] = ns;
      f[d + D_FIRST_FRAME] = frame;
    }
    f[d + D_LAST_NS] = ns;
    f[d + D_LAST_FRAME] = frame;
    if (Number.isNaN(f[d + D_DELIVERY_START]!)) f[d + D_DELIVERY_START] = dsn;
    const end = dsn + len;
    if (end > f[d + D_SENT_END]!) f[d + D_SENT_END] = end;
    if (Number.isNaN(f[d + D_OUT_NS]!) && f[d + D_SENT_END]! > f[d + D_ACK]!) {
      f[d + D_OUT_NS] = ns;
      f[d + D_OUT_FRAME] = frame;
    }
    return this.coverage.add(d, dsn, end);
  }

  private onDataAck(f: Float64Array, d: number, index: number, dir: number, ack: number, frame: number): void {
    const ns = this.now;
    const prev = f[d + D_ACK]!;
    if (ack <= prev) return;
    this.coverage.advance(d, ack);
    if (prev === -Infinity) {
      const start = f[d + D_DELIVERY_START]!;
      if (Number.isNaN(start) || ack < start) f[d + D_DELIVERY_START] = ack;
    }
    const sentEnd = f[d + D_SENT_END]!;
    if (prev < sentEnd && ack >= sentEnd) {
      f[d + D_ALL_ACKED_NS] = ns;
      f[d + D_ALL_ACKED_FRAME] = frame;
    }
    const out = f[d + D_OUT_NS]!;
    if (!Number.isNaN(out) && ns - out >= this.stallNs) {
      this.conns[index]!.dirs[dir]!.addStall({ fromFrame: f[d + D_OUT_FRAME]!, toFrame: frame, seconds: (ns - out) / NS, dataAck: prev, startNs: out });
    }
    f[d + D_ACK] = ack;
    f[d + D_ACK_NS] = ns;
    f[d + D_ACK_FRAME] = frame;
    // Progress restarts the clock while data is still outstanding.
    if (sentEnd > ack) {
      f[d + D_OUT_NS] = ns;
      f[d + D_OUT_FRAME] = frame;
    } else {
      f[d + D_OUT_NS] = NaN;
    }
  }

  /** Ends the pass: data still outstanding at a connection's last packet may be a stall. */
  finish(): void {
    const f = this.connRecords.f;
    for (let index = 0; index < this.conns.length; index++) {
      const c = this.conns[index];
      if (c === undefined) continue;
      const last = f[index * CONN + C_LAST_NS]!;
      for (let dir = 0; dir < 2; dir++) {
        const d = index * CONN + dir * CDIR;
        const out = f[d + D_OUT_NS]!;
        if (!Number.isNaN(out) && last - out >= this.stallNs) {
          c.dirs[dir]!.addStall({ fromFrame: f[d + D_OUT_FRAME]!, seconds: (last - out) / NS, dataAck: f[d + D_ACK]!, startNs: out });
        }
        f[d + D_OUT_NS] = NaN;
      }
    }
  }
}
