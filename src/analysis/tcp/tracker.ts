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
import { TcpAnalysisFlag as A, WINDOW_SCALE_NONE, WINDOW_SCALE_UNKNOWN } from '../types.js';
import type { TcpAnnotation } from '../types.js';
import { clearResult, newResult } from './annotation.js';
import type { TcpResult } from './annotation.js';
import { ConversationTable, compareEndpoints, v6Key } from './conv-table.js';
import { Conversation, Flow } from './conversation.js';
import type { ConversationKey } from './conversation.js';
import { MptcpDupAckRule } from './mptcp-rule.js';
import { OptionScan } from './options.js';
import { tcpSegmentLength } from './segment.js';
import { summarize } from './summary.js';
import type { TcpConversationSummary } from './summary.js';
import { add32, NS_PER_SEC, seqGt, seqLe, seqLt, sub32, within } from './seq.js';
import { MAX_UNACKED } from './unacked.js';
import type { AckMatch } from './unacked.js';

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
   * Conversations that ended (FIN both ways and the last ACK, or RST) stay
   * known so a late retransmission or a reused port pair is recognised; at
   * most this many, oldest forgotten first. Default 20000.
   */
  maxClosed?: number;
}

const SYN = TcpFlag.SYN;
const ACK = TcpFlag.ACK;
const FIN = TcpFlag.FIN;
const RST = TcpFlag.RST;
const PSH = TcpFlag.PSH;
const SYN_FIN_RST = SYN | FIN | RST;

/** tshark: a segment within this long of three duplicate ACKs' last one is a fast retransmission. */
const FAST_RETRANSMISSION_NS = 20_000_000;
/** tshark's out-of-order window when the initial RTT is unknown. */
const DEFAULT_OOO_NS = 3_000_000;
const MAX_BYTES_IN_FLIGHT = 2_000_000_000;
const MIN_HEADER = 20;
/** tshark needs the ports, sequence and acknowledgement numbers, flags and window of a quoted header. */
const QUOTED_HEADER_NEEDED = 16;

interface Lookup {
  conv: Conversation;
  fromLo: boolean;
  isNew: boolean;
}

export class TcpTracker {
  private readonly relative: boolean;
  private readonly mptcp: MptcpDupAckRule;
  private readonly keepSummaries: boolean;
  private readonly maxClosed: number;
  private readonly table = new ConversationTable();
  private nextStream = 0;
  private epochSec: number | undefined;
  private readonly scan = new OptionScan();
  private readonly match: AckMatch = { frame: 0, ts: 0 };
  private readonly lookup: Lookup = { conv: undefined as unknown as Conversation, fromLo: true, isNew: false };
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
    const look = this.find(ip, tcp, pkt.number, now);
    let conv = look.conv;
    const fromLo = look.fromLo;
    let fwd = fromLo ? conv.lo : conv.hi;
    const r = this.scratch === undefined ? newResult() : clearResult(this.scratch);
    let fl = 0;
    let ta = false;

    // A new SYN on a known port pair starts a new conversation; a SYN/ACK with a new ISN restarts its side.
    const synAck = flags & (SYN | ACK);
    if (synAck === SYN && fwd.baseSet && tcp.seq !== fwd.base) {
      conv = this.replace(conv, pkt.number, now, fromLo);
      // tshark starts it as a connection that has sent its SYN.
      conv.completeness = 1;
      fwd = fromLo ? conv.lo : conv.hi;
      fl |= A.REUSED_PORTS;
      ta = true;
    } else {
      if (synAck === (SYN | ACK) && fwd.baseSet && tcp.seq !== fwd.base) {
        fwd.base = tcp.seq;
        fl |= A.REUSED_PORTS;
        ta = true;
      } else if (!look.isNew && pkt.number > conv.lastFrame) {
        conv.lastFrame = pkt.number;
      }
    }
    const rev = fromLo ? conv.hi : conv.lo;

    r.stream = conv.stream;
    r.completeness = conv.completeness;
    r.dir = fromLo === conv.firstFromLo ? 0 : 1;
    r.timeRelative = (now - conv.firstTime) / NS_PER_SEC;
    r.timeDelta = (now - conv.prevTime) / NS_PER_SEC;
    conv.prevTime = now;
    conv.lastTime = now;
    fwd.sackedBytes = 0;
    const scan = this.scan.scan(pkt.data, tcp);
    if (scan.mpKinds !== 0) this.mptcp.noteOptions(conv, fwd, rev, scan);

    const declared = tcp.dataOffset * 4;
    const seglen = quoted ? -1 : tcpSegmentLength(pkt, tcp);
    if (!quoted) {
      fwd.packets++;
      fwd.bytes += pkt.origLen;
    }
    if (flags & SYN) fwd.sawSyn = true;
    if (seglen >= 0) {
      fl |= this.analyse(r, conv, fwd, rev, tcp, seglen, pkt.number, now);
      if (this.analysed) ta = true;
    } else {
      r.noSegment = true;
      r.quoted = quoted;
      r.seq = tcp.seq;
      r.ack = tcp.ack;
      r.isn = fwd.base;
      r.ackIsn = rev.baseSet ? rev.base : undefined;
      r.windowSize = tcp.window;
    }
    r.windowScale = fwd.winScale;
    if (declared < MIN_HEADER) return this.ended(r, conv, fwd, rev, flags);
    conv.completeness |= completenessOf(flags, seglen, look.isNew && (fl & A.REUSED_PORTS) === 0);

    if (flags & SYN) {
      if ((flags & ACK) === 0) {
        conv.sawSyn = true;
        conv.synTime = now;
      }
      fwd.firstAck = true;
    }
    if ((flags & (SYN | ACK)) === ACK) {
      if (conv.sawSyn && conv.initialRtt === 0) conv.initialRtt = now - conv.synTime;
      fwd.firstAck = false;
    }
    // tshark stops in the options when the capture (or the ICMP quote) cut the header or an MPTCP option overruns.
    if (tcp.length < MIN_HEADER) return this.ended(r, conv, fwd, rev, flags);
    const stopped = scan.stopAt >= 0 || tcp.length < declared;
    if (scan.wscale >= 0) fwd.winScale = scan.wscale;
    fwd.sackedBytes = scan.sacked;
    if (!stopped) {
      if (ta) this.report(r, conv, fl);
      if (flags & SYN) verifyWindowScaling(fwd, rev, (flags & ACK) !== 0);
      this.mptcp.afterOptions(conv, scan);
    }
    return this.ended(r, conv, fwd, rev, flags);
  }

  /**
   * tshark's sequence analysis of one segment: fills the numbers, RTT and
   * flight fields of `r` and returns the analysis flags.
   */
  private analyse(r: TcpResult, conv: Conversation, fwd: Flow, rev: Flow, tcp: TcpRepr, seglen: number, frame: number, now: number): number {
    const seq = tcp.seq;
    const ack = tcp.ack;
    const window = tcp.window;
    const flags = tcp.flags;
    let fl = 0;

    // Relative numbering bases: the SYN's sequence number, else one before the first byte seen.
    if (!fwd.baseSet) {
      fwd.base = flags & SYN ? seq : sub32(seq, 1);
      fwd.baseSet = true;
    }
    if (!rev.baseSet && flags & ACK) {
      rev.base = sub32(ack, 1);
      rev.baseSet = true;
    }
    if (flags & ACK) rev.validBif = true;

    checks: {
      if (seglen === 1 && seq === fwd.nextSeq && rev.window === 0) {
        fl |= A.ZERO_WINDOW_PROBE;
        break checks;
      }
      const plain = (flags & SYN_FIN_RST) === 0;
      if (window === 0 && plain) fl |= A.ZERO_WINDOW;
      if (fwd.nextSeq !== 0 && seqGt(seq, fwd.nextSeq) && (flags & RST) === 0) {
        fl |= A.LOST_SEGMENT;
        fwd.validBif = false;
      }
      if (seglen <= 1 && seq === sub32(fwd.nextSeq, 1) && plain) fl |= A.KEEP_ALIVE;
      const sameSpot = seglen === 0 && plain && seq === fwd.nextSeq && ack === fwd.lastAck;
      if (sameSpot && window !== 0 && window !== fwd.window) fl |= A.WINDOW_UPDATE;
      if (seglen > 0 && plain && rev.winScale !== WINDOW_SCALE_UNKNOWN) {
        // A window announced before the sender's first pure ACK is taken unscaled.
        const shift = rev.firstAck || rev.winScale === WINDOW_SCALE_NONE ? 0 : rev.winScale;
        if (add32(seq, seglen) === add32(rev.lastAck, (rev.window * 2 ** shift) >>> 0)) fl |= A.WINDOW_FULL;
      }
      if (!sameSpot || window !== fwd.window) break checks;
      if (window !== 0 && rev.lastFlags & A.KEEP_ALIVE) {
        fl |= A.KEEP_ALIVE_ACK;
        break checks;
      }
      if (window === 0 && rev.lastFlags & A.ZERO_WINDOW_PROBE) {
        fl |= A.ZERO_WINDOW_PROBE_ACK;
        break checks;
      }
      if (window === 0) break checks;
      if (this.mptcp.forgives(conv, fwd, this.scan)) {
        // Our rule: the ACK carries new MPTCP information, so later repeats duplicate this one.
        if (this.mptcp.aware) {
          r.mptcpNotDupAck = true;
          fwd.lastNonDupAck = frame;
          fwd.dupAckNum = 0;
        }
      } else {
        fwd.dupAckNum = fwd.dupAckNum === -1 ? 1 : fwd.dupAckNum + 1;
        fl |= A.DUPLICATE_ACK;
        r.dupAckNum = fwd.dupAckNum;
        r.dupAckFrame = fwd.lastNonDupAck;
      }
    }
    if (ack !== fwd.lastAck) {
      fwd.lastNonDupAck = frame;
      fwd.dupAckNum = 0;
    }

    // An ACK beyond what the other side was seen to send; said once per hole. The check alone gives the segment an analysis record.
    let ta = fl !== 0;
    if (flags & ACK && rev.maxSeqToBeAcked !== 0 && seqGt(ack, rev.maxSeqToBeAcked)) {
      ta = true;
      if (seqLt(rev.maxSeqToBeAcked, rev.nextSeq)) {
        rev.maxSeqToBeAcked = rev.nextSeq;
        fl |= A.ACK_LOST_SEGMENT;
      } else {
        if (rev.dupAckNum === 0) fl |= A.ACK_LOST_SEGMENT;
        rev.dupAckNum = -1;
      }
    }

    if ((seglen > 0 || flags & (SYN | FIN)) && (fl & A.KEEP_ALIVE) === 0) fl |= this.classifyResend(r, conv, fwd, rev, seq, seglen, flags, now);
    if (fl !== 0) ta = true;

    let next = add32(seq, seglen);
    if ((seglen > 0 || flags & (SYN | FIN)) && fwd.unacked.count < MAX_UNACKED) {
      if (flags & (SYN | FIN)) next = add32(next, 1);
      fwd.unacked.add(frame, seq, next, now);
    }
    const probe = (fl & A.ZERO_WINDOW_PROBE) !== 0;
    if ((seqGt(next, fwd.nextSeq) || fwd.nextSeq === 0) && !probe) {
      fwd.nextSeq = next;
      fwd.nextSeqFrame = frame;
      fwd.nextSeqTime = now;
    }
    if ((seq === fwd.maxSeqToBeAcked || fwd.maxSeqToBeAcked === 0) && !probe) fwd.maxSeqToBeAcked = fwd.nextSeq;
    fwd.window = window;
    fwd.lastAck = ack;
    fwd.lastAckTime = now;
    this.mptcp.remember(conv, fwd, this.scan);
    fwd.lastFlags = ta ? fl : 0;
    if (flags & FIN) {
      fwd.fin = true;
      fwd.finEnd = add32(seq, seglen + 1);
    }

    if (rev.unacked.ack(ack, this.match)) {
      ta = true;
      r.acksFrame = this.match.frame;
      r.ackRtt = (now - this.match.ts) / NS_PER_SEC;
    }
    if (seglen !== 0 && fwd.unacked.count > 0 && fwd.validBif) {
      const inFlight = (fwd.unacked.span(fwd.base) - rev.sackedBytes) >>> 0;
      if (inFlight > 0 && inFlight < MAX_BYTES_IN_FLIGHT) r.bytesInFlight = flags & (SYN | FIN) ? inFlight - 1 : inFlight;
      this.pushBytes(fwd, flags, seglen);
      r.pushBytesSent = fwd.pushBytesSent;
      ta = true;
    }

    r.relative = this.relative;
    r.seq = this.relative ? sub32(seq, fwd.base) : seq;
    r.ack = this.relative && flags & ACK ? sub32(ack, rev.base) : ack;
    r.isn = fwd.base;
    r.ackIsn = rev.baseSet ? rev.base : undefined;
    r.nxtseq = add32(r.seq, seglen + (flags & (SYN | FIN) ? 1 : 0));
    r.windowSize = (flags & SYN) === 0 && fwd.winScale >= 0 ? window * 2 ** fwd.winScale : window;
    this.analysed = ta;
    return fl;
  }

  /** What tshark prints in the SEQ/ACK analysis subtree. */
  private report(r: TcpResult, conv: Conversation, fl: number): void {
    r.hasAnalysis = true;
    r.flags = fl;
    if (conv.initialRtt !== 0) r.initialRtt = conv.initialRtt / NS_PER_SEC;
    if (r.ackRtt === 0) r.ackRtt = undefined;
    if (r.rto === 0) r.rto = r.rtoFrame = undefined;
    if (r.bytesInFlight === undefined || r.bytesInFlight === 0) r.bytesInFlight = r.pushBytesSent = undefined;
    if (!(r.flags & A.DUPLICATE_ACK)) r.dupAckNum = r.dupAckFrame = undefined;
  }

  /** Retransmission, fast retransmission, spurious retransmission or out-of-order: which one, if any. */
  private classifyResend(r: TcpResult, conv: Conversation, fwd: Flow, rev: Flow, seq: number, seglen: number, flags: number, now: number): number {
    let notAdvanced = fwd.nextSeq !== 0 && seqLt(seq, fwd.nextSeq);
    // One byte below the next expected: a former zero-window probe sent again with more data.
    if (seglen > 1 && sub32(fwd.nextSeq, 1) === seq) notAdvanced = false;
    if (seglen > 0 && rev.lastAck !== 0 && seqLe(add32(seq, seglen), rev.lastAck)) return A.SPURIOUS_RETRANSMISSION;
    // tshark keeps the counter unsigned: the -1 left by an ACK of unseen data counts as many duplicates.
    if (notAdvanced && (rev.dupAckNum >= 2 || rev.dupAckNum === -1) && rev.lastAck === seq && within(now - rev.lastAckTime, FAST_RETRANSMISSION_NS)) {
      return A.FAST_RETRANSMISSION;
    }
    const threshold = conv.initialRtt !== 0 ? conv.initialRtt : DEFAULT_OOO_NS;
    const end = add32(seq, seglen + (flags & (SYN | FIN) ? 1 : 0));
    if (notAdvanced && within(now - fwd.nextSeqTime, threshold) && fwd.nextSeq !== end) return A.OUT_OF_ORDER;
    if (!notAdvanced) return 0;
    // The timeout runs from the oldest segment still unacknowledged, else from the last new data.
    if (fwd.unacked.count > 0) {
      r.rto = (now - fwd.unacked.oldestTs()) / NS_PER_SEC;
      r.rtoFrame = fwd.unacked.oldestFrame();
    } else {
      r.rto = (now - fwd.nextSeqTime) / NS_PER_SEC;
      r.rtoFrame = fwd.nextSeqFrame;
    }
    return A.RETRANSMISSION;
  }

  /** tshark's push_bytes_sent: bytes since the last segment with PSH, restarting after it. */
  private pushBytes(fwd: Flow, flags: number, seglen: number): void {
    if (flags & PSH) {
      fwd.pushBytesSent = fwd.pushSetLast ? seglen : fwd.pushBytesSent + seglen;
      fwd.pushSetLast = true;
    } else if (fwd.pushSetLast) {
      fwd.pushBytesSent = seglen;
      fwd.pushSetLast = false;
    } else {
      fwd.pushBytesSent += seglen;
    }
  }

  /** FIN both ways and the ACK of the last one, or a RST, ends a conversation. */
  private ended(r: TcpResult, conv: Conversation, fwd: Flow, rev: Flow, flags: number): TcpResult {
    if (conv.state !== 'open' || r.quoted) return r;
    if (flags & RST) conv.state = 'reset';
    else if (fwd.fin && rev.fin && flags & ACK && fwd.lastAck === rev.finEnd) conv.state = 'closed';
    else return r;
    this.retire(conv);
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
    this.forget(old);
  }

  /** Drops a conversation's state, keeping only its summary. */
  private forget(conv: Conversation): void {
    this.tableDelete(conv);
    conv.lo.unacked.release();
    conv.hi.unacked.release();
    if (this.keepSummaries) this.all[conv.stream] = summarize(conv, this.epochSec ?? 0);
  }

  /** Conversations seen so far, by stream index. */
  conversations(): TcpConversationSummary[] {
    const epoch = this.epochSec ?? 0;
    return this.all.map((c) => (c instanceof Conversation ? summarize(c, epoch) : c));
  }

  // ------------------------------------------------------------ lookup

  /** Nanoseconds since the tracker's epoch (the first packet's second): exact doubles for 104 days. */
  private time(pkt: Packet): number {
    this.epochSec ??= pkt.tsSec;
    return (pkt.tsSec - this.epochSec) * NS_PER_SEC + pkt.tsNsec;
  }

  /** The conversation of a segment, created when new; which side sent it. */
  private find(ip: Ipv4Repr | Ipv6Repr, tcp: TcpRepr, frame: number, now: number): Lookup {
    const out = this.lookup;
    out.isNew = false;
    if (ip.version === 4) {
      const table = this.table;
      let conv = table.lookupV4(ip, tcp);
      const fromLo = table.fromLo;
      if (conv === undefined) {
        const key: ConversationKey = fromLo
          ? { family: 4, loAddr: ip.src, loPort: tcp.srcPort, hiAddr: ip.dst, hiPort: tcp.dstPort }
          : { family: 4, loAddr: ip.dst, loPort: tcp.dstPort, hiAddr: ip.src, hiPort: tcp.srcPort };
        conv = this.create(key, frame, now, fromLo);
        table.insertV4(conv);
        out.isNew = true;
      }
      out.conv = conv;
      out.fromLo = fromLo;
      return out;
    }
    const order = compareEndpoints(ip.src, tcp.srcPort, ip.dst, tcp.dstPort);
    const fromLo = order <= 0;
    const id = fromLo ? v6Key(ip.src, tcp.srcPort, ip.dst, tcp.dstPort) : v6Key(ip.dst, tcp.dstPort, ip.src, tcp.srcPort);
    let conv = this.table.getV6(id);
    if (conv === undefined) {
      const key: ConversationKey = fromLo
        ? { family: 6, loAddr: ip.src.slice(), loPort: tcp.srcPort, hiAddr: ip.dst.slice(), hiPort: tcp.dstPort }
        : { family: 6, loAddr: ip.dst.slice(), loPort: tcp.dstPort, hiAddr: ip.src.slice(), hiPort: tcp.srcPort };
      conv = this.create(key, frame, now, fromLo);
      this.table.setV6(id, conv);
      out.isNew = true;
    }
    out.conv = conv;
    out.fromLo = fromLo;
    return out;
  }

  private create(key: ConversationKey, frame: number, now: number, fromLo: boolean): Conversation {
    const conv = new Conversation(this.nextStream++, key, frame, now);
    conv.firstFromLo = fromLo;
    if (this.keepSummaries) this.all.push(conv);
    return conv;
  }

  /** A new conversation on the same endpoints (port reuse) takes the table slot; the old one is only a summary now. */
  private replace(old: Conversation, frame: number, now: number, fromLo: boolean): Conversation {
    const conv = this.create(old.key, frame, now, fromLo);
    this.tableSet(conv);
    if (old.state === 'open') old.state = 'closed';
    old.lo.unacked.release();
    old.hi.unacked.release();
    if (this.keepSummaries) this.all[old.stream] = summarize(old, this.epochSec ?? 0);
    return conv;
  }

  private tableSet(conv: Conversation): void {
    const k = conv.key;
    if (k.family === 4) this.table.setV4((k.loAddr as number) * 65536 + k.loPort, (k.hiAddr as number) * 65536 + k.hiPort, conv);
    else this.table.setV6(v6Key(k.loAddr as Uint8Array, k.loPort, k.hiAddr as Uint8Array, k.hiPort), conv);
  }

  private tableDelete(conv: Conversation): void {
    const k = conv.key;
    if (k.family === 4) this.table.deleteV4((k.loAddr as number) * 65536 + k.loPort, (k.hiAddr as number) * 65536 + k.hiPort, conv);
    else this.table.deleteV6(v6Key(k.loAddr as Uint8Array, k.loPort, k.hiAddr as Uint8Array, k.hiPort), conv);
  }
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
function verifyWindowScaling(fwd: Flow, rev: Flow, synAck: boolean): void {
  if (fwd.winScale === WINDOW_SCALE_UNKNOWN) {
    fwd.winScale = WINDOW_SCALE_NONE;
    rev.winScale = WINDOW_SCALE_NONE;
  } else if (synAck && rev.winScale === WINDOW_SCALE_NONE) {
    fwd.winScale = WINDOW_SCALE_NONE;
  }
}

