/**
 * TCP conversation tracking and sequence analysis, as tshark 4.0 does it in
 * a single pass: `tcp.stream` numbering (port reuse included), relative
 * sequence numbers, window scaling, every `tcp.analysis.*` finding with
 * tshark's rules and precedence, ACK RTTs, bytes in flight.
 *
 * Fed one decoded packet at a time in capture order. Per packet it does a
 * table lookup and a fixed amount of arithmetic on plain numbers; the only
 * allocation is the returned annotation (none with `transientAnnotations`).
 *
 * Where mpscope deliberately departs from tshark (option `mptcpAwareDupAck`,
 * on by default): on an MPTCP subflow, an ACK whose only change is at the
 * MPTCP level (a new data ACK, an address or priority signal, DATA_FIN,
 * MP_FASTCLOSE...) is not a duplicate ACK. With the option off, tshark's own
 * MPTCP rule applies: the duplicate is only forgiven when a kind of MPTCP
 * option the connection had not used before appeared since the sender's
 * previous segment.
 */
import { TcpFlag } from '../../wire/types.js';
import type { Ipv4Repr, Ipv6Repr, Packet, TcpRepr } from '../../wire/types.js';
import * as analysisTypes from '../types.js';
import type { TcpAnnotation } from '../types.js';
import { clearResult, newResult } from './annotation.js';
import type { TcpResult } from './annotation.js';
import { ConversationTable, compareEndpoints, v6Key } from './conv-table.js';
import * as layout from './conversation.js';
import { Conversation, ConversationStore } from './conversation.js';
import type { ConversationKey } from './conversation.js';
import { MptcpDupAckRule } from './mptcp-rule.js';
import { OptionScan } from './options.js';
import { tcpSegmentLength } from './segment.js';
import { summarize } from './summary.js';
import type { TcpConversationSummary } from './summary.js';
import * as seqMath from './seq.js';
import * as unacked from './unacked.js';
import type { AckMatch } from './unacked.js';

/*
 * What the per-packet code reads of other modules, as constants of this one:
 * Node 20's optimizing compiler builds the values of a module's own
 * constants into the code, but loads and checks an imported binding at every
 * use (the record offsets alone were some 150 loads per packet).
 */
const {
  BASE, BASE_SET, BYTES, CLOSED, COMPLETENESS, DUP_ACK_NUM, FIN_END, FIN_SEEN, FIRST_ACK, FIRST_FROM_LO, FIRST_TIME, FLOW_SAW_SYN, HI,
  INITIAL_RTT, LAST_ACK, LAST_ACK_TIME, LAST_FLAGS, LAST_FRAME, LAST_NON_DUP_ACK, LAST_TIME, LO, MAX_SEQ_TO_BE_ACKED, NEXT_SEQ,
  NEXT_SEQ_FRAME, NEXT_SEQ_TIME, OPEN, PACKETS, PREV_TIME, PUSH_BYTES_SENT, PUSH_SET_LAST, RESET, SACKED_BYTES, SAW_SYN, STATE, STREAM,
  SYN_TIME, VALID_BIF, WIN_SCALE, WINDOW,
} = layout;
const { TcpAnalysisFlag: A, WINDOW_SCALE_NONE, WINDOW_SCALE_UNKNOWN } = analysisTypes;
const { WINDOW_FULL } = A;
const { add32, NS_PER_SEC, seqGt, seqLe, seqLt, sub32, within } = seqMath;
const { MAX_UNACKED } = unacked;

export type { TcpConversationSummary } from './summary.js';

export interface TcpTrackerOptions {
  /** Relative sequence and acknowledgement numbers (first byte is 1), as tshark by default. Default true. */
  relativeSeq?: boolean;
  /** An ACK that only changes MPTCP-level state is not a duplicate ACK (see the module comment). Default true. */
  mptcpAwareDupAck?: boolean;
  /** Keep a summary of every conversation for {@link TcpTracker.conversations}. Default true. */
  summaries?: boolean;
  /**
   * Each annotation is only valid until the next packet: one object is
   * cleared and refilled for every packet. For consumers that read a
   * packet's annotation at once and keep nothing of it (a packet list, a
   * display filter, the reports). Default false.
   */
  transientAnnotations?: boolean;
  /**
   * Measure what the ACKs tell: `acksFrame`, `ackRtt`, `initialRtt`,
   * `bytesInFlight`, `pushBytesSent`, `rto` and `rtoFrame`. Off, those stay
   * undefined and everything else is as with it on (the flags, numbers,
   * windows, duplicate-ACK counts, `hasAnalysis`): for consumers that read
   * none of them, such as a packet list or a filter on the flags. Default true.
   */
  measurements?: boolean;
  /**
   * Conversations that ended (FIN both ways and the last ACK, or RST) stay
   * known so a late retransmission or a reused port pair is recognised; at
   * most this many, oldest forgotten first. Default 20000.
   */
  maxClosed?: number;
}

const FIN = TcpFlag.FIN;
const SYN = TcpFlag.SYN;
const ACK = TcpFlag.ACK;
const RST = TcpFlag.RST;
const PSH = TcpFlag.PSH;
const SYN_FIN_RST = SYN | FIN | RST;
const SYN_FIN = SYN | FIN;

/** tshark: a segment within this long of three duplicate ACKs' last one is a fast retransmission. */
const FAST_RETRANSMISSION_NS = 20_000_000;
/** tshark's out-of-order window when the initial RTT is unknown. */
const DEFAULT_OOO_NS = 3_000_000;
const MAX_BYTES_IN_FLIGHT = 2_000_000_000;
const MIN_HEADER = 20;
/** tshark needs the ports, sequence and acknowledgement numbers, flags and window of a quoted header. */
const QUOTED_HEADER_NEEDED = 16;

/**
 * Code below reads the state as `f[c + X]` (conversation `c`'s slot X) and
 * `f[fw + X]`, `f[rv + X]` (its flow that sent the segment, and the other
 * one): offsets into the store's array, see conversation.ts.
 */
export class TcpTracker {
  private readonly relative: boolean;
  private readonly mptcp: MptcpDupAckRule;
  private readonly keepSummaries: boolean;
  private readonly measure: boolean;
  private readonly maxClosed: number;
  private readonly table = new ConversationTable();
  private readonly store = new ConversationStore();
  private readonly rings = new unacked.UnackedRings();
  private nextStream = 0;
  private epochSec: number | undefined;
  private readonly scan = new OptionScan();
  private readonly match: AckMatch = { frame: 0, ts: 0 };
  /** Set by find(): the segment's sender is the endpoint that sorts first; the conversation is new. */
  private fromLo = true;
  private isNew = false;
  /** Conversations by stream index (a summary once forgotten), when summaries are kept. */
  private readonly all: Array<Conversation | TcpConversationSummary> = [];
  /** Ended conversations, oldest first, waiting to be forgotten. */
  private endedList: Array<Conversation | undefined> = [];
  private endedHead = 0;
  /** Set by analyse(): tshark created its analysis record for the segment (something to show). */
  private analysed = false;
  /** The one annotation object when annotations are transient. */
  private readonly scratch: TcpResult | undefined;

  constructor(opts: TcpTrackerOptions = {}) {
    this.relative = opts.relativeSeq ?? true;
    this.mptcp = new MptcpDupAckRule(opts.mptcpAwareDupAck ?? true);
    this.keepSummaries = opts.summaries ?? true;
    this.measure = opts.measurements ?? true;
    this.maxClosed = opts.maxClosed ?? 20_000;
    this.scratch = opts.transientAnnotations === true ? newResult() : undefined;
  }

  /** Number of conversations currently tracked (open ones and recently ended ones). */
  get tracked(): number {
    return this.table.size;
  }

  /**
   * Analyses one packet; undefined when it carries no TCP header. A TCP
   * header quoted in an ICMP error gets an annotation too (`quoted`): tshark
   * files it under its conversation without analysing it.
   */
  process(pkt: Packet): TcpAnnotation | undefined {
    let tcp = pkt.tcp;
    let ip: Ipv4Repr | Ipv6Repr | undefined = pkt.ip;
    let quoted = false;
    if (tcp === undefined || ip === undefined) {
      const q = pkt.icmp?.quote;
      if (q?.tcp === undefined || q.ip === undefined || q.transportBytes < QUOTED_HEADER_NEEDED) return undefined;
      tcp = q.tcp;
      ip = q.ip;
      quoted = true;
    }
    const now = this.time(pkt);
    const flags = tcp.flags;
    // Record offsets are small integers: as such (not doubles) they index the record without conversions.
    let c = this.find(ip, tcp, pkt.number, now) | 0;
    const fromLo = this.fromLo;
    const isNew = this.isNew;
    let f = this.store.f;
    let fw = c + (fromLo ? LO : HI);
    const r = this.scratch === undefined ? newResult() : clearResult(this.scratch);
    let fl = 0;
    let ta = false;

    // A new SYN on a known port pair starts a new conversation; a SYN/ACK with a new ISN restarts its side.
    const synAck = flags & (SYN | ACK);
    if (synAck === SYN && f[fw + BASE_SET] === 1 && tcp.seq !== f[fw + BASE]) {
      c = this.replace(c, pkt.number, now, fromLo);
      f = this.store.f;
      // tshark starts it as a connection that has sent its SYN.
      f[c + COMPLETENESS] = 1;
      fw = c + (fromLo ? LO : HI);
      fl |= A.REUSED_PORTS;
      ta = true;
    } else if (synAck === (SYN | ACK) && f[fw + BASE_SET] === 1 && tcp.seq !== f[fw + BASE]) {
      f[fw + BASE] = tcp.seq;
      fl |= A.REUSED_PORTS;
      ta = true;
    } else if (!isNew && pkt.number > f[c + LAST_FRAME]!) {
      f[c + LAST_FRAME] = pkt.number;
    }
    const rv = c + (fromLo ? HI : LO);

    r.stream = f[c + STREAM]!;
    r.completeness = f[c + COMPLETENESS]!;
    r.dir = fromLo === (f[c + FIRST_FROM_LO] === 1) ? 0 : 1;
    r.timeRelative = (now - f[c + FIRST_TIME]!) / NS_PER_SEC;
    r.timeDelta = (now - f[c + PREV_TIME]!) / NS_PER_SEC;
    f[c + PREV_TIME] = now;
    f[c + LAST_TIME] = now;
    f[fw + SACKED_BYTES] = 0;
    const scan = this.scan.scan(pkt.data, tcp);
    if (scan.mpKinds !== 0) this.mptcp.noteOptions(f, c, fw, rv, scan, this.store);

    const declared = tcp.dataOffset * 4;
    const seglen = quoted ? -1 : tcpSegmentLength(pkt, tcp);
    if (!quoted) {
      f[fw + PACKETS] = f[fw + PACKETS]! + 1;
      f[fw + BYTES] = f[fw + BYTES]! + pkt.origLen;
    }
    if (flags & SYN) f[fw + FLOW_SAW_SYN] = 1;
    if (seglen >= 0) {
      fl |= this.analyse(r, f, c, fw, rv, tcp, seglen, pkt.number, now);
      if (this.analysed) ta = true;
    } else {
      r.noSegment = true;
      r.quoted = quoted;
      r.seq = tcp.seq;
      r.ack = tcp.ack;
      r.isn = f[fw + BASE]!;
      r.ackIsn = f[rv + BASE_SET] === 1 ? f[rv + BASE]! : 0;
      r.windowSize = tcp.window;
    }
    r.windowScale = f[fw + WIN_SCALE]!;
    if (declared < MIN_HEADER) return this.ended(r, f, c, fw, rv, flags);
    f[c + COMPLETENESS] = f[c + COMPLETENESS]! | completenessOf(flags, seglen, isNew && (fl & A.REUSED_PORTS) === 0);

    if (flags & SYN) {
      if ((flags & ACK) === 0) {
        f[c + SAW_SYN] = 1;
        f[c + SYN_TIME] = now;
      }
      f[fw + FIRST_ACK] = 1;
    }
    if ((flags & (SYN | ACK)) === ACK) {
      if (f[c + SAW_SYN] === 1 && f[c + INITIAL_RTT] === 0) f[c + INITIAL_RTT] = now - f[c + SYN_TIME]!;
      f[fw + FIRST_ACK] = 0;
    }
    // tshark stops in the options when the capture (or the ICMP quote) cut the header or an MPTCP option overruns.
    if (tcp.length < MIN_HEADER) return this.ended(r, f, c, fw, rv, flags);
    const stopped = scan.stopAt >= 0 || tcp.length < declared;
    if (scan.wscale >= 0) f[fw + WIN_SCALE] = scan.wscale;
    f[fw + SACKED_BYTES] = scan.sacked;
    if (!stopped) {
      if (ta) this.report(r, f, c, fl);
      if (flags & SYN) verifyWindowScaling(f, fw, rv, (flags & ACK) !== 0);
      this.mptcp.afterOptions(c, scan, this.store);
    }
    return this.ended(r, f, c, fw, rv, flags);
  }

  /**
   * tshark's sequence analysis of one segment: fills the numbers, RTT and
   * flight fields of `r` and returns the analysis flags.
   */
  private analyse(r: TcpResult, f: Float64Array, c: number, fw: number, rv: number, tcp: TcpRepr, seglen: number, frame: number, now: number): number {
    const seq = tcp.seq;
    const ack = tcp.ack;
    const window = tcp.window;
    const flags = tcp.flags;
    const rings = this.rings;
    let fl = 0;

    // Relative numbering bases: the SYN's sequence number, else one before the first byte seen.
    if (f[fw + BASE_SET] === 0) {
      f[fw + BASE] = flags & SYN ? seq : sub32(seq, 1);
      f[fw + BASE_SET] = 1;
    }
    if (f[rv + BASE_SET] === 0 && flags & ACK) {
      f[rv + BASE] = sub32(ack, 1);
      f[rv + BASE_SET] = 1;
    }
    if (flags & ACK) f[rv + VALID_BIF] = 1;

    const nextSeq = f[fw + NEXT_SEQ]!;
    checks: {
      if (seglen === 1 && seq === nextSeq && f[rv + WINDOW] === 0) {
        fl |= A.ZERO_WINDOW_PROBE;
        break checks;
      }
      const plain = (flags & SYN_FIN_RST) === 0;
      if (window === 0 && plain) fl |= A.ZERO_WINDOW;
      if (nextSeq !== 0 && seqGt(seq, nextSeq) && (flags & RST) === 0) {
        fl |= A.LOST_SEGMENT;
        f[fw + VALID_BIF] = 0;
      }
      if (seglen <= 1 && seq === sub32(nextSeq, 1) && plain) fl |= A.KEEP_ALIVE;
      const sameSpot = seglen === 0 && plain && seq === nextSeq && ack === f[fw + LAST_ACK];
      if (sameSpot && window !== 0 && window !== f[fw + WINDOW]) fl |= A.WINDOW_UPDATE;
      // Whether the segment fills the receiver's window, worked out for every segment and kept for data
      // only: code first run by the first data segment (after a capture's handshakes) threw away the
      // compiled analysis, twice (here, then at the first window taken scaled).
      const revScale = f[rv + WIN_SCALE]!;
      const scaled = revScale !== WINDOW_SCALE_UNKNOWN;
      // A window announced before the sender's first pure ACK is taken unscaled.
      const beforeFirstAck = f[rv + FIRST_ACK] === 1;
      const noScale = revScale === WINDOW_SCALE_NONE;
      // A shift of the u32 window gives the low 32 bits of window * 2^shift (shift <= 14), without a call to pow.
      const revWindow = (f[rv + WINDOW]! << (beforeFirstAck || noScale || !scaled ? 0 : revScale)) >>> 0;
      const fills = add32(seq, seglen) === add32(f[rv + LAST_ACK]!, revWindow);
      fl |= seglen > 0 && plain && scaled && fills ? WINDOW_FULL : 0;
      if (!sameSpot || window !== f[fw + WINDOW]) break checks;
      if (window !== 0 && f[rv + LAST_FLAGS]! & A.KEEP_ALIVE) {
        fl |= A.KEEP_ALIVE_ACK;
        break checks;
      }
      if (window === 0 && f[rv + LAST_FLAGS]! & A.ZERO_WINDOW_PROBE) {
        fl |= A.ZERO_WINDOW_PROBE_ACK;
        break checks;
      }
      if (window === 0) break checks;
      if (this.mptcp.forgives(f, c, fw, this.scan, this.store)) {
        // Our rule: the ACK carries new MPTCP information, so later repeats duplicate this one.
        if (this.mptcp.aware) {
          r.mptcpNotDupAck = true;
          f[fw + LAST_NON_DUP_ACK] = frame;
          f[fw + DUP_ACK_NUM] = 0;
        }
      } else {
        const dups = f[fw + DUP_ACK_NUM] === -1 ? 1 : f[fw + DUP_ACK_NUM]! + 1;
        f[fw + DUP_ACK_NUM] = dups;
        fl |= A.DUPLICATE_ACK;
        r.dupAckNum = dups;
        r.dupAckFrame = f[fw + LAST_NON_DUP_ACK]!;
      }
    }
    if (ack !== f[fw + LAST_ACK]) {
      f[fw + LAST_NON_DUP_ACK] = frame;
      f[fw + DUP_ACK_NUM] = 0;
    }

    // An ACK beyond what the other side was seen to send; said once per hole. The check alone gives the segment an analysis record.
    let ta = fl !== 0;
    const revMax = f[rv + MAX_SEQ_TO_BE_ACKED]!;
    if (flags & ACK && revMax !== 0 && seqGt(ack, revMax)) {
      ta = true;
      if (seqLt(revMax, f[rv + NEXT_SEQ]!)) {
        f[rv + MAX_SEQ_TO_BE_ACKED] = f[rv + NEXT_SEQ]!;
        fl |= A.ACK_LOST_SEGMENT;
      } else {
        if (f[rv + DUP_ACK_NUM] === 0) fl |= A.ACK_LOST_SEGMENT;
        f[rv + DUP_ACK_NUM] = -1;
      }
    }

    // seq as int32: a number above 2^31 handed to a call that is not inlined is boxed, a heap allocation
    // per segment (half of all sequence numbers); the callee takes it back with >>> 0.
    if ((seglen > 0 || flags & SYN_FIN) && (fl & A.KEEP_ALIVE) === 0) fl |= this.classifyResend(r, f, c, fw, rv, seq | 0, seglen, flags, now);
    if (fl !== 0) ta = true;

    let next = add32(seq, seglen);
    if ((seglen > 0 || flags & SYN_FIN) && rings.count(f, fw) < MAX_UNACKED) {
      if (flags & SYN_FIN) next = add32(next, 1);
      rings.add(f, fw, frame, seq, next, now);
    }
    const probe = (fl & A.ZERO_WINDOW_PROBE) !== 0;
    if ((seqGt(next, f[fw + NEXT_SEQ]!) || f[fw + NEXT_SEQ] === 0) && !probe) {
      f[fw + NEXT_SEQ] = next;
      f[fw + NEXT_SEQ_FRAME] = frame;
      f[fw + NEXT_SEQ_TIME] = now;
    }
    if ((seq === f[fw + MAX_SEQ_TO_BE_ACKED] || f[fw + MAX_SEQ_TO_BE_ACKED] === 0) && !probe) f[fw + MAX_SEQ_TO_BE_ACKED] = f[fw + NEXT_SEQ]!;
    f[fw + WINDOW] = window;
    f[fw + LAST_ACK] = ack;
    f[fw + LAST_ACK_TIME] = now;
    this.mptcp.remember(f, c, fw, this.scan, this.store);
    f[fw + LAST_FLAGS] = ta ? fl : 0;
    if (flags & FIN) {
      f[fw + FIN_SEEN] = 1;
      f[fw + FIN_END] = add32(seq, seglen + 1);
    }

    // Without measurements the segments are still recorded and acknowledged: how many are outstanding decides the flags.
    const measure = this.measure;
    if (rings.ack(f, rv, ack, this.match)) {
      ta = true;
      if (measure) {
        r.acksFrame = this.match.frame;
        r.ackRtt = (now - this.match.ts) / NS_PER_SEC;
      }
    }
    // Both read for every segment, as above: the handshakes' segments have no length.
    const outstanding = rings.count(f, fw) > 0;
    const flightValid = f[fw + VALID_BIF] === 1;
    if (seglen !== 0 && outstanding && flightValid) {
      if (measure) {
        const inFlight = (rings.span(f, fw, f[fw + BASE]!) - f[rv + SACKED_BYTES]!) >>> 0;
        if (inFlight > 0 && inFlight < MAX_BYTES_IN_FLIGHT) r.bytesInFlight = flags & SYN_FIN ? inFlight - 1 : inFlight;
        r.pushBytesSent = pushBytes(f, fw, flags, seglen);
      }
      ta = true;
    }

    const base = f[fw + BASE]!;
    r.relative = this.relative;
    r.seq = this.relative ? sub32(seq, base) : seq;
    r.ack = this.relative && flags & ACK ? sub32(ack, f[rv + BASE]!) : ack;
    r.isn = base;
    r.ackIsn = f[rv + BASE_SET] === 1 ? f[rv + BASE]! : 0;
    r.nxtseq = add32(r.seq, seglen + (flags & SYN_FIN ? 1 : 0));
    const scale = f[fw + WIN_SCALE]!;
    // A 16-bit window shifted by at most 14 stays below 2^31: the shift is exact.
    r.windowSize = (flags & SYN) === 0 && scale >= 0 ? window << scale : window;
    this.analysed = ta;
    return fl;
  }

  /** What tshark prints in the SEQ/ACK analysis subtree. */
  private report(r: TcpResult, f: Float64Array, c: number, fl: number): void {
    r.hasAnalysis = true;
    r.flags = fl;
    const initialRtt = f[c + INITIAL_RTT]!;
    if (initialRtt !== 0 && this.measure) r.initialRtt = initialRtt / NS_PER_SEC;
    if (r.ackRtt === 0) r.ackRtt = undefined;
    if (r.rto === 0) r.rto = r.rtoFrame = undefined;
    if (r.bytesInFlight === undefined || r.bytesInFlight === 0) r.bytesInFlight = r.pushBytesSent = undefined;
    if (!(r.flags & A.DUPLICATE_ACK)) r.dupAckNum = r.dupAckFrame = undefined;
  }

  /** Retransmission, fast retransmission, spurious retransmission or out-of-order: which one, if any. */
  private classifyResend(r: TcpResult, f: Float64Array, c: number, fw: number, rv: number, seq32: number, seglen: number, flags: number, now: number): number {
    const seq = seq32 >>> 0;
    // The tests are ordered so that the handshakes (no data, nothing sent before a SYN) run each one
    // the first data segments will: code first run by those threw away the compiled analysis.
    const nextSeq = f[fw + NEXT_SEQ]!;
    let notAdvanced = seqLt(seq, nextSeq) && nextSeq !== 0;
    // One byte below the next expected: a former zero-window probe sent again with more data.
    const afterProbe = sub32(nextSeq, 1) === seq;
    if (seglen > 1 && afterProbe) notAdvanced = false;
    const revLastAck = f[rv + LAST_ACK]!;
    const acked = seqLe(add32(seq, seglen), revLastAck) && revLastAck !== 0;
    if (seglen > 0 && acked) return A.SPURIOUS_RETRANSMISSION;
    // tshark keeps the counter unsigned: the -1 left by an ACK of unseen data counts as many duplicates.
    const revDups = f[rv + DUP_ACK_NUM]!;
    if (notAdvanced && (revDups >= 2 || revDups === -1) && revLastAck === seq && within(now - f[rv + LAST_ACK_TIME]!, FAST_RETRANSMISSION_NS)) {
      return A.FAST_RETRANSMISSION;
    }
    const initialRtt = f[c + INITIAL_RTT]!;
    const threshold = initialRtt !== 0 ? initialRtt : DEFAULT_OOO_NS;
    const end = add32(seq, seglen + (flags & SYN_FIN ? 1 : 0));
    if (notAdvanced && within(now - f[fw + NEXT_SEQ_TIME]!, threshold) && nextSeq !== end) return A.OUT_OF_ORDER;
    if (!notAdvanced) return 0;
    if (!this.measure) return A.RETRANSMISSION;
    // The timeout runs from the oldest segment still unacknowledged, else from the last new data.
    if (this.rings.count(f, fw) > 0) {
      r.rto = (now - this.rings.oldestTs(f, fw)) / NS_PER_SEC;
      r.rtoFrame = this.rings.oldestFrame(f, fw);
    } else {
      r.rto = (now - f[fw + NEXT_SEQ_TIME]!) / NS_PER_SEC;
      r.rtoFrame = f[fw + NEXT_SEQ_FRAME]!;
    }
    return A.RETRANSMISSION;
  }

  /** FIN both ways and the ACK of the last one, or a RST, ends a conversation. */
  private ended(r: TcpResult, f: Float64Array, c: number, fw: number, rv: number, flags: number): TcpResult {
    if (f[c + STATE] !== OPEN || r.quoted) return r;
    if (flags & RST) f[c + STATE] = RESET;
    else if (f[fw + FIN_SEEN] === 1 && f[rv + FIN_SEEN] === 1 && flags & ACK && f[fw + LAST_ACK] === f[rv + FIN_END]) f[c + STATE] = CLOSED;
    else return r;
    this.retire(this.store.object(c));
    return r;
  }

  /** Ended conversations are remembered up to `maxClosed`, then forgotten oldest first. */
  private retire(conv: Conversation): void {
    this.endedList.push(conv);
    if (this.endedList.length - this.endedHead <= this.maxClosed) return;
    const old = this.endedList[this.endedHead]!;
    this.endedList[this.endedHead++] = undefined;
    if (this.endedHead > 1024 && this.endedHead * 2 > this.endedList.length) {
      this.endedList = this.endedList.slice(this.endedHead);
      this.endedHead = 0;
    }
    // A conversation replaced by a new one on its endpoints was dropped then.
    if (this.store.object(old.at) === old) this.drop(old);
  }

  /** Drops a conversation's state, keeping only its summary: out of the table, its record and rings given back. */
  private drop(conv: Conversation): void {
    this.tableDelete(conv);
    if (this.keepSummaries) this.all[conv.stream] = summarize(conv, this.store.f, this.epochSec ?? 0);
    const f = this.store.f;
    this.rings.release(f, conv.at + LO);
    this.rings.release(f, conv.at + HI);
    this.store.release(conv);
  }

  /** Conversations seen so far, by stream index. */
  conversations(): TcpConversationSummary[] {
    const epoch = this.epochSec ?? 0;
    return this.all.map((c) => (c instanceof Conversation ? summarize(c, this.store.f, epoch) : c));
  }

  // ------------------------------------------------------------ lookup

  /** Nanoseconds since the tracker's epoch (the first packet's second): exact doubles for 104 days. */
  private time(pkt: Packet): number {
    this.epochSec ??= pkt.tsSec;
    return (pkt.tsSec - this.epochSec) * NS_PER_SEC + pkt.tsNsec;
  }

  /** The record of a segment's conversation, created when new; sets `fromLo` and `isNew`. */
  private find(ip: Ipv4Repr | Ipv6Repr, tcp: TcpRepr, frame: number, now: number): number {
    this.isNew = false;
    if (ip.version === 4) {
      const table = this.table;
      let at = table.lookupV4(ip, tcp);
      const fromLo = table.fromLo;
      this.fromLo = fromLo;
      if (at < 0) {
        const key: ConversationKey = fromLo
          ? { family: 4, loAddr: ip.src, loPort: tcp.srcPort, hiAddr: ip.dst, hiPort: tcp.dstPort }
          : { family: 4, loAddr: ip.dst, loPort: tcp.dstPort, hiAddr: ip.src, hiPort: tcp.srcPort };
        at = this.create(key, frame, now, fromLo).at;
        table.insertV4(at);
        this.isNew = true;
      }
      return at;
    }
    const fromLo = compareEndpoints(ip.src, tcp.srcPort, ip.dst, tcp.dstPort) <= 0;
    this.fromLo = fromLo;
    const id = fromLo ? v6Key(ip.src, tcp.srcPort, ip.dst, tcp.dstPort) : v6Key(ip.dst, tcp.dstPort, ip.src, tcp.srcPort);
    let at = this.table.getV6(id);
    if (at < 0) {
      const key: ConversationKey = fromLo
        ? { family: 6, loAddr: ip.src.slice(), loPort: tcp.srcPort, hiAddr: ip.dst.slice(), hiPort: tcp.dstPort }
        : { family: 6, loAddr: ip.dst.slice(), loPort: tcp.dstPort, hiAddr: ip.src.slice(), hiPort: tcp.srcPort };
      at = this.create(key, frame, now, fromLo).at;
      this.table.setV6(id, at);
      this.isNew = true;
    }
    return at;
  }

  private create(key: ConversationKey, frame: number, now: number, fromLo: boolean): Conversation {
    const conv = this.store.allocate(this.nextStream++, key, frame, now, fromLo);
    if (this.keepSummaries) this.all.push(conv);
    return conv;
  }

  /** A new conversation on the same endpoints (port reuse) takes the table slot; the old one is only a summary now. */
  private replace(oldAt: number, frame: number, now: number, fromLo: boolean): number {
    const old = this.store.object(oldAt);
    const conv = this.create(old.key, frame, now, fromLo);
    this.tableSet(conv);
    const f = this.store.f;
    if (f[oldAt + STATE] === OPEN) f[oldAt + STATE] = CLOSED;
    if (this.keepSummaries) this.all[old.stream] = summarize(old, f, this.epochSec ?? 0);
    this.rings.release(f, oldAt + LO);
    this.rings.release(f, oldAt + HI);
    this.store.release(old);
    return conv.at;
  }

  private tableSet(conv: Conversation): void {
    const k = conv.key;
    if (k.family === 4) this.table.setV4((k.loAddr as number) * 65536 + k.loPort, (k.hiAddr as number) * 65536 + k.hiPort, conv.at);
    else this.table.setV6(v6Key(k.loAddr as Uint8Array, k.loPort, k.hiAddr as Uint8Array, k.hiPort), conv.at);
  }

  private tableDelete(conv: Conversation): void {
    const k = conv.key;
    if (k.family === 4) this.table.deleteV4((k.loAddr as number) * 65536 + k.loPort, (k.hiAddr as number) * 65536 + k.hiPort, conv.at);
    else this.table.deleteV6(v6Key(k.loAddr as Uint8Array, k.loPort, k.hiAddr as Uint8Array, k.hiPort), conv.at);
  }
}

/** tshark's push_bytes_sent: bytes since the last segment with PSH, restarting after it. */
function pushBytes(f: Float64Array, fw: number, flags: number, seglen: number): number {
  let sent: number;
  if (flags & PSH) {
    sent = f[fw + PUSH_SET_LAST] === 1 ? seglen : f[fw + PUSH_BYTES_SENT]! + seglen;
    f[fw + PUSH_SET_LAST] = 1;
  } else if (f[fw + PUSH_SET_LAST] === 1) {
    sent = seglen;
    f[fw + PUSH_SET_LAST] = 0;
  } else {
    sent = f[fw + PUSH_BYTES_SENT]! + seglen;
  }
  f[fw + PUSH_BYTES_SENT] = sent;
  return sent;
}

/**
 * What a segment adds to tshark's conversation completeness. A new
 * conversation only counts its SYN (and data on it); after that, SYN/ACKs,
 * pure ACKs, data, FINs and RSTs.
 */
function completenessOf(flags: number, seglen: number, isNew: boolean): number {
  if (isNew) return (flags & (SYN | ACK)) === SYN ? 1 | (seglen > 0 ? 8 : 0) : 0;
  let c = 0;
  if ((flags & (SYN | ACK)) === (SYN | ACK)) c |= 2;
  if ((flags & (SYN | ACK)) === ACK) c |= seglen > 0 ? 8 : 4;
  if ((flags & (FIN | ACK)) === (FIN | ACK)) c |= 16;
  if (flags & RST) c |= 32;
  return c;
}

/** RFC 1323 scaling is on only when both SYNs carry the option; tshark decides it at each SYN. */
function verifyWindowScaling(f: Float64Array, fw: number, rv: number, synAck: boolean): void {
  if (f[fw + WIN_SCALE] === WINDOW_SCALE_UNKNOWN) {
    f[fw + WIN_SCALE] = WINDOW_SCALE_NONE;
    f[rv + WIN_SCALE] = WINDOW_SCALE_NONE;
  } else if (synAck && f[rv + WIN_SCALE] === WINDOW_SCALE_NONE) {
    f[fw + WIN_SCALE] = WINDOW_SCALE_NONE;
  }
}
