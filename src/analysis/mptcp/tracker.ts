/**
 * MPTCP connection analysis, one packet at a time, in capture order.
 *
 * Subflows (TCP conversations, as the TCP tracker numbers them) are mapped to
 * connections by MP_CAPABLE and by the tokens MP_JOIN names; data segments
 * get their DSN from the DSS mapping covering them; every check a capture
 * allows is made (key echoes, join HMACs, ADD_ADDR HMACs and echoes, DSS
 * checksums, MP_FASTCLOSE keys, join tokens) and every fallback and failure
 * event is recorded with its frame. Memory follows what is in flight: DSN
 * ranges and mappings are forgotten a few round trips after the data ACK
 * (and, for mappings, the subflow ACK) has passed them.
 */
import { addAddrHmac, beBytes, hmac, joinAckHmac, joinSynAckHmac, keyToIdsn, keyToToken } from '../../mptcp/index.js';
import { TcpOptionWalk, decodeMptcpOption, ipv4ToString, ipv6ToString, mptcpOptionMalformed, tcprstReasonName } from '../../wire/index.js';
import * as wire from '../../wire/index.js';
import * as tcpOptions from '../../wire/tcp-options.js';
import * as wireTypes from '../../wire/types.js';
import type { MptcpAddAddr, MptcpCapable, MptcpJoin, MptcpOption, Packet, TcpRepr } from '../../wire/types.js';
import type { TcpAnnotation } from '../types.js';
import { recordFinding } from './findings.js';
import type { FindingCode } from './findings.js';
import { ChecksumGather } from './mappings.js';
import * as seq from './seq.js';
import * as bytes from '../../wire/bytes.js';
import { Conn, Cursor, FlatState, Sub, emptyStats } from './state.js';
import * as stateModule from './state.js';
import type {
  CheckStatus, DataDir, DssChecksumStatus, Endpoint, FallbackCause, Instant, MptcpAnnotation, MptcpConnection,
  MptcpDataDirection, MptcpEvent, MptcpFinding, MptcpSubflow, VerificationKind,
} from './types.js';

/*
 * What the per-packet code reads of other modules, as constants of this one:
 * Node 20's optimizing compiler builds the values of a module's own
 * constants into the code, but loads and checks an imported binding at every
 * use.
 */
const { DssFlag, MPTCP_OPTION_KIND, TCP_HEADER_LENGTH } = wire;
const { nextSoundOption, OPTION_KIND_MPTCP } = tcpOptions;
const { MptcpSubtype, TcpFlag } = wireTypes;
const { joinHalves, rawOf } = seq;
const { i32, u32 } = bytes;
const {
  CD_BASE_HI, CD_POS, CD_RTT, CD_SUBFLOWS, CD_UNACKED_FIN, SD_ACK_SENT, SD_DATA_BYTES, SD_ISN, SD_MAX_SEQ, SD_PENDING, other, small,
} = stateModule;

const SYN = TcpFlag.SYN;
const ACK = TcpFlag.ACK;
const MP_CAPABLE_A = 0x80;
const MP_CAPABLE_C = 0x20;
const MP_CAPABLE_H = 0x01;
/** Mappings gathering checksum payload at once per subflow direction; older ones are given up. */
const MAX_PENDING_CHECKSUMS = 64;
const MAX_LISTED_FRAMES = 100;

/**
 * A packet's annotation. The members most packets set are there from the
 * start, so those packets share one object shape; the rare ones (checks,
 * reinjections, findings) are added when they happen.
 */
class Annotation implements MptcpAnnotation {
  dsn: number | undefined = undefined;
  dsnEnd: number | undefined = undefined;
  relatedMapping: number | undefined = undefined;
  dssDsn: number | undefined = undefined;
  dataAck: number | undefined = undefined;
  declare reinjectionOf?: number[] | undefined;
  declare dataRetransmissionOf?: number[] | undefined;
  declare keyEcho?: CheckStatus | undefined;
  declare joinToken?: CheckStatus | undefined;
  declare joinHmac?: CheckStatus | undefined;
  declare addAddrHmac?: CheckStatus | undefined;
  declare addAddrEchoOf?: number | undefined;
  declare fastcloseKey?: CheckStatus | undefined;
  declare dssChecksum?: DssChecksumStatus | undefined;
  declare dssChecksumMapping?: number | undefined;
  declare fallback?: FallbackCause | undefined;
  declare findings?: MptcpFinding[] | undefined;

  // The subflow, as the tracker's list and an index into it: the models are looked up when read, so a packet costs no reads of them.
  readonly #subs: readonly Sub[];
  #id: number;

  constructor(subs: readonly Sub[], id: number, public frame: number, public connectionIndex: number, public dir: DataDir, public subflowCount: number) {
    this.#subs = subs;
    this.#id = id;
  }

  get connection(): MptcpConnection {
    return this.#subs[this.#id]!.connModel;
  }

  get subflow(): MptcpSubflow {
    return this.#subs[this.#id]!.model;
  }

  /** Makes this object the annotation of another packet (transient annotations: one object for all). */
  reuse(id: number, frame: number, connectionIndex: number, dir: DataDir, subflowCount: number): this {
    this.#id = id;
    this.frame = frame;
    this.connectionIndex = connectionIndex;
    this.dir = dir;
    this.subflowCount = subflowCount;
    this.dsn = this.dsnEnd = this.relatedMapping = this.dssDsn = this.dataAck = undefined;
    this.reinjectionOf = this.dataRetransmissionOf = this.findings = undefined;
    this.keyEcho = this.joinToken = this.joinHmac = this.addAddrHmac = this.fastcloseKey = undefined;
    this.addAddrEchoOf = this.dssChecksumMapping = undefined;
    this.dssChecksum = undefined;
    this.fallback = undefined;
    return this;
  }

  /** Looked up when read: later frames add to it, and the sent log keeps no reference to this object. */
  get reinjectedIn(): number[] | undefined {
    return this.#subs[this.#id]!.conn.reinjectedIn(this.frame);
  }
}

const FALLBACK_TEXT: Record<FallbackCause, string> = {
  'synack-without-mp-capable': 'fallback to TCP: the SYN/ACK carries no MP_CAPABLE (server without MPTCP, or a middlebox removed the option)',
  'ack-without-mp-capable': 'fallback to TCP: the ACK completing the handshake carries no MPTCP option',
  'data-without-dss': 'fallback to TCP: data without any MPTCP option after the handshake (options removed mid-stream)',
  'infinite-mapping': 'fallback to TCP: infinite DSS mapping (data-level length 0)',
};

/** The packet's first MPTCP option, decoded (the walk reads the others in place). */
function firstMptcp(w: TcpOptionWalk, pkt: Packet, t: TcpRepr): MptcpOption | undefined {
  w.over(pkt.data, t);
  while (w.next()) if (w.kind === MPTCP_OPTION_KIND && w.sound) return decodeMptcpOption(pkt.data, w.at, w.length);
  return undefined;
}

/** An MPTCP option of `length` bytes at `at` is a DSS (one of 4 bytes at least: shorter ones are not read as one). */
function isDss(raw: Uint8Array, at: number, length: number): boolean {
  return length >= 4 && raw[at + 2]! >> 4 === MptcpSubtype.DSS;
}

function instant(p: Packet): Instant {
  return { sec: p.tsSec, nsec: p.tsNsec };
}

function addressText(bytes: Uint8Array): string {
  return bytes.length === 4 ? ipv4ToString(u32(bytes, 0)) : ipv6ToString(bytes);
}

function endpoints(p: Packet, t: TcpRepr): [Endpoint, Endpoint] {
  const ip = p.ip;
  if (ip === undefined) return [{ address: '', port: t.srcPort }, { address: '', port: t.dstPort }];
  const src = ip.layer === 'ip' ? ipv4ToString(ip.src) : ipv6ToString(ip.src);
  const dst = ip.layer === 'ip' ? ipv4ToString(ip.dst) : ipv6ToString(ip.dst);
  return [{ address: src, port: t.srcPort }, { address: dst, port: t.dstPort }];
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Whether `truncated` is the leftmost 64 bits of the ADD_ADDR HMAC instead
 * of the rightmost that RFC 8684 asks for: Linux sent those until May 2020
 * ("mptcp: use rightmost 64 bits in ADD_ADDR HMAC"), tcpdump's mptcp-aa-v1
 * capture shows one.
 */
function leftmostAddAddrHmac(keySender: bigint, keyReceiver: bigint, m: MptcpAddAddr, truncated: bigint): boolean {
  const msg = new Uint8Array(1 + m.address.length + 2);
  msg[0] = m.addrId;
  msg.set(m.address, 1);
  msg.set(beBytes(BigInt(m.port ?? 0), 2), msg.length - 2);
  const key = new Uint8Array(16);
  key.set(beBytes(keySender, 8), 0);
  key.set(beBytes(keyReceiver, 8), 8);
  const mac = hmac('sha256', key, msg);
  return bytesEqual(mac.subarray(0, 8), beBytes(truncated, 8));
}

function emptyDirection(): MptcpDataDirection {
  return { base: undefined, packets: 0, bytes: 0 };
}

function pushLimited(list: number[], frame: number): void {
  if (list.length < MAX_LISTED_FRAMES) list.push(frame);
}

export interface MptcpTrackerOptions {
  /**
   * Each annotation is only valid until the next packet: one object is
   * reused for all, and `reinjectedIn` (which needs every reinjected frame
   * kept to the end) is not recorded. For consumers that read a packet's
   * annotation at once and keep nothing of it, such as the reports.
   */
  transientAnnotations?: boolean | undefined;
}

export class MptcpTracker {
  /** Every subflow, by its index (the stream table of the state maps tcp.stream to it). */
  private readonly subs: Sub[] = [];
  private readonly conns: Conn[] = [];
  private readonly byToken = new Map<number, Conn>();
  private readonly state = new FlatState();
  /** The packet being analysed: where its numbers are. */
  private readonly cur = new Cursor();
  /** Reused for reinjection lookups. */
  private readonly overlaps: number[] = [];
  /** Reads each packet's options in place: no option objects for the usual packet. */
  private readonly walk = new TcpOptionWalk();
  /** The one annotation object when annotations are transient. */
  private readonly scratch: Annotation | undefined;
  /** The models hold every packet's counters (no packet since the last publishing). */
  private published = true;
  /** The reason an MP_TCPRST of the packet being analysed gives, for its RST. */
  private tcprstReason: number | undefined;

  constructor(opts: MptcpTrackerOptions = {}) {
    this.scratch = opts.transientAnnotations ? new Annotation(this.subs, 0, 0, 0, 0, 0).reuse(0, 0, 0, 0, 0) : undefined;
  }

  /** Analyses one packet; returns its MPTCP annotation, or undefined when it belongs to no MPTCP subflow. */
  process(pkt: Packet, tcp: TcpAnnotation): MptcpAnnotation | undefined {
    const t = pkt.tcp;
    if (t === undefined) return undefined;
    this.published = false;
    // A small integer whatever the TCP tracker's number arrives as (see the collector).
    const stream = tcp.stream | 0;
    const streams = this.state.streams.ensure(stream);
    const known = streams[stream]!;
    if (known < 0) return undefined;
    if (known > 0) return this.update(known - 1, pkt, t, tcp);
    const first = firstMptcp(this.walk, pkt, t);
    const synOnly = (t.flags & (SYN | ACK)) === SYN;
    if (first === undefined || (synOnly && first.name !== 'MP_CAPABLE' && first.name !== 'MP_JOIN')) {
      // A SYN without MP_CAPABLE or MP_JOIN opens plain TCP: no need to look at this conversation again.
      if (synOnly) streams[stream] = -1;
      return undefined;
    }
    const sub = this.open(pkt, t, tcp, first);
    streams[stream] = sub.id + 1;
    return this.update(sub.id, pkt, t, tcp);
  }

  /** Ends the pass: settles checksums still gathering payload and each connection's final state. */
  finish(): void {
    for (const conn of this.conns) {
      for (const sub of conn.subs) this.givePendingUp(sub);
      conn.publish(this.state);
      this.settle(conn);
    }
    this.published = true;
  }

  /** Every MPTCP connection seen so far, by mptcp.stream, with its counters up to date. */
  connections(): MptcpConnection[] {
    if (!this.published) {
      for (const c of this.conns) c.publish(this.state);
      this.published = true;
    }
    return this.conns.map((c) => c.model);
  }

  // ------------------------------------------------------------ subflows

  private newConn(origin: MptcpConnection['origin'], pkt: Packet): Conn {
    const model: MptcpConnection = {
      index: this.conns.length,
      version: undefined,
      origin,
      keys: [undefined, undefined],
      tokens: [undefined, undefined],
      idsns: [undefined, undefined],
      state: 'handshake',
      firstFrame: pkt.number,
      lastFrame: pkt.number,
      firstTime: instant(pkt),
      lastTime: instant(pkt),
      dirs: [emptyDirection(), emptyDirection()],
      subflows: [],
      events: [],
      addresses: [],
      verifications: [],
      dssChecksums: { good: 0, bad: 0, unchecked: 0, badFrames: [], uncheckedFrames: [] },
      findings: [],
    };
    const conn = new Conn(model);
    this.conns.push(conn);
    this.state.models.push(model);
    this.state.connDirs.ensure(2 * model.index + 1);
    return conn;
  }

  /** The subflow of a conversation whose first MPTCP packet this is. */
  private open(pkt: Packet, t: TcpRepr, tcp: TcpAnnotation, first: MptcpOption): Sub {
    const synOnly = (t.flags & (SYN | ACK)) === SYN;
    const synAck = (t.flags & (SYN | ACK)) === (SYN | ACK);
    let conn: Conn;
    let master = false;
    /** Side of the connection (0 client, 1 server) that sent this packet, and the side that opened the subflow. */
    let sender: DataDir = 0;
    let initiator: DataDir = 0;
    let tokenStatus: CheckStatus | undefined;
    if (first.name === 'MP_CAPABLE') {
      conn = this.newConn(synOnly ? 'syn' : synAck ? 'synack' : 'ack', pkt);
      master = true;
      sender = synAck ? 1 : 0;
    } else if (first.name === 'MP_JOIN' && first.phase === 'syn' && synOnly && first.token !== undefined) {
      const known = this.byToken.get(first.token);
      if (known !== undefined) {
        conn = known;
        // The token names the listener's key.
        sender = known.model.tokens[1] === first.token ? 0 : 1;
        tokenStatus = 'good';
      } else {
        conn = this.newConn('join', pkt);
        conn.model.tokens[1] = first.token;
        this.byToken.set(first.token, conn);
        tokenStatus = 'bad';
      }
      initiator = sender;
    } else {
      conn = this.newConn(first.name === 'MP_JOIN' ? 'join' : 'midstream', pkt);
      if (first.name === 'MP_JOIN' && first.phase === 'synack') sender = 1;
    }
    const [src, dst] = endpoints(pkt, t);
    const fromInitiator = sender === initiator;
    const model: MptcpSubflow = {
      stream: tcp.stream,
      connection: conn.model.index,
      master,
      initiator,
      src: fromInitiator ? src : dst,
      dst: fromInitiator ? dst : src,
      clientTcpDir: sender === 0 ? tcp.dir : tcp.dir === 0 ? 1 : 0,
      backup: false,
      state: 'syn-sent',
      synRetransmissions: 0,
      synAckRetransmissions: 0,
      tokenStatus,
      finFrames: [],
      firstFrame: pkt.number,
      lastFrame: pkt.number,
      firstTime: instant(pkt),
      lastTime: instant(pkt),
      stats: [emptyStats(), emptyStats()],
    };
    if (master) {
      conn.model.client = model.src;
      conn.model.server = model.dst;
    }
    if (first.name === 'MP_JOIN' && first.phase === 'syn') {
      model.token = first.token;
      this.joinAttempt(conn, initiator, model.dst, pkt.number);
      if (tokenStatus === 'bad') {
        this.verify(conn.model, 'join_token', 'bad', pkt.number, tcp.stream, `token 0x${(first.token ?? 0).toString(16).padStart(8, '0')} matches no captured connection`);
      } else if (tokenStatus === 'good') {
        this.verify(conn.model, 'join_token', 'good', pkt.number, tcp.stream);
      }
    }
    if ((t.flags & SYN) === 0) {
      // Its handshake was not captured: it carries data already.
      model.state = 'established';
      model.establishedFrame = pkt.number;
      if (first.name === 'MP_CAPABLE' || first.name === 'MP_JOIN') model.ackFrame = pkt.number;
      if (conn.model.state === 'handshake') conn.model.state = 'established';
    }
    const sub = new Sub(model, conn, conn.subs.length, this.subs.length);
    this.subs.push(sub);
    this.state.addSub(sub, conn.subs.at(-1));
    this.state.setAckSeen(sub, model.ackFrame !== undefined);
    conn.subs.push(sub);
    conn.model.subflows.push(model);
    const cf = this.state.connDirs.f;
    cf[conn.cd(0) + CD_SUBFLOWS] = cf[conn.cd(1) + CD_SUBFLOWS] = conn.subs.length;
    return sub;
  }

  /**
   * A packet of subflow `id`. The usual packet (a DSS on an established
   * subflow) reads and writes flat records only; the subflow's objects are
   * looked up when the packet does something rarer.
   */
  private update(id: number, pkt: Packet, t: TcpRepr, tcp: TcpAnnotation): MptcpAnnotation {
    const state = this.state;
    const cur = this.cur;
    state.locate(cur, id, tcp.dir & 1);
    const dir = cur.dir;
    const sd = cur.sd;
    const cf = state.connDirs.f;
    // Both directions' records hold these two: the other direction's is read, as a data ACK (most packets carry one) reads it anyway.
    const rtt = tcp.initialRtt;
    if (rtt !== undefined && rtt > cf[cur.peer + CD_RTT]!) {
      cf[cur.c + CD_RTT] = rtt;
      cf[cur.peer + CD_RTT] = rtt;
    }
    const frame = pkt.number;
    const subflows = cf[cur.peer + CD_SUBFLOWS]!;
    const ann = this.scratch !== undefined
      ? this.scratch.reuse(id, frame, cur.cid, dir, subflows)
      : new Annotation(this.subs, id, frame, cur.cid, dir, subflows);
    const len = t.payloadLength;
    state.sentPacket(sd, frame, pkt.tsSec, pkt.tsNsec, len);
    const sf = state.subDirs.f;

    const flags = t.flags;
    const syn = (flags & SYN) !== 0;
    const ack = (flags & ACK) !== 0;
    if (syn) {
      sf[sd + SD_ISN] = t.seq;
      if (ack) this.onSynAck(this.subs[id]!, frame);
      else this.onSyn(this.subs[id]!, frame);
    }
    if (ack) sf[sd + SD_ACK_SENT] = t.ack;

    let sawMptcp = false;
    let sawHandshakeOption = false;
    this.tcprstReason = undefined;
    const raw = pkt.data;
    const kinds = t.optionKinds ?? -1;
    if (kinds >= 0) {
      // Every option is sound (the decoder checked them all, MPTCP ones included): a plain walk, and only when one is MPTCP.
      if ((kinds & OPTION_KIND_MPTCP) !== 0) {
        const end = t.offset + t.length;
        for (let at = nextSoundOption(raw, t.offset + TCP_HEADER_LENGTH, end); at < end; at = nextSoundOption(raw, at + raw[at + 1]!, end)) {
          if (raw[at] !== MPTCP_OPTION_KIND) continue;
          sawMptcp = true;
          if (this.option(cur, at, raw[at + 1]!, pkt, t, ann)) sawHandshakeOption = true;
        }
      }
    } else {
      const w = this.walk.over(raw, t);
      while (w.next()) {
        // What the decoder would make an MPTCP option: a whole kind-30 option of a sound length.
        if (w.kind !== MPTCP_OPTION_KIND || !w.sound) continue;
        sawMptcp = true;
        const at = w.at;
        const length = w.length;
        // A DSS of a length its flags do not allow is passed over (the decoder flags it); the rest as above.
        if (isDss(raw, at, length) && mptcpOptionMalformed(raw, at, length)) continue;
        if (this.option(cur, at, length, pkt, t, ann)) sawHandshakeOption = true;
      }
    }

    if (syn && ack && !sawHandshakeOption) this.refusedHandshake(this.subs[id]!, dir, pkt, ann);
    if (!syn && (flags & TcpFlag.RST) === 0 && !state.ackSeen(sd)) {
      const sub = this.subs[id]!;
      const sm = sub.model;
      if (dir === sm.initiator && sm.synAckFrame !== undefined) this.onThirdAck(sub, dir, pkt, ann, sawMptcp, sawHandshakeOption);
    }
    if (len > 0) this.onData(cur, pkt, t, ann, sawMptcp);
    if (flags & TcpFlag.RST) this.onReset(this.subs[id]!, dir, pkt, this.tcprstReason);
    if (flags & TcpFlag.FIN) this.onFin(this.subs[id]!, dir, pkt);
    return ann;
  }

  /**
   * An MPTCP option of `length` bytes at `at` in the frame, a DSS of a
   * length its flags allow. DSS, nearly every packet, is read in place; the
   * other subtypes are decoded. Returns true for the handshake's own options
   * (see `signal`).
   */
  private option(cur: Cursor, at: number, length: number, pkt: Packet, t: TcpRepr, ann: Annotation): boolean {
    const raw = pkt.data;
    if (isDss(raw, at, length)) {
      this.onDss(cur, at, length, pkt, t, ann);
      return false;
    }
    return this.signal(this.subs[cur.id]!, decodeMptcpOption(raw, at, length), at, cur.dir, pkt, t, ann);
  }

  /**
   * An MPTCP option other than DSS, at `at` in the frame. Returns true for
   * the handshake's own (MP_CAPABLE on the initial subflow, MP_JOIN).
   */
  private signal(sub: Sub, m: MptcpOption, at: number, dir: DataDir, pkt: Packet, t: TcpRepr, ann: Annotation): boolean {
    const conn = sub.conn;
    const cm = conn.model;
    const sm = sub.model;
    const frame = pkt.number;
    switch (m.name) {
      case 'MP_CAPABLE':
        if (!sm.master) return false;
        this.onCapable(sub, m, dir, pkt, t, ann, (t.flags & SYN) !== 0, (t.flags & ACK) !== 0);
        return true;
      case 'MP_JOIN':
        this.onJoin(sub, m, dir, pkt, ann);
        return true;
      case 'ADD_ADDR':
        this.onAddAddr(conn, m, dir, pkt, ann, sm.stream);
        return false;
      case 'REMOVE_ADDR':
        for (const a of cm.addresses) if (a.dir === dir && m.addrIds.includes(a.addrId)) a.removedFrame ??= frame;
        this.event(cm, { kind: 'remove_addr', frame, time: instant(pkt), stream: sm.stream, dir, addrIds: [...m.addrIds] });
        return false;
      case 'MP_PRIO':
        if (m.addrId === undefined || m.addrId === this.ownAddrId(sm, dir)) sm.backup = m.backup;
        this.event(cm, {
          kind: 'mp_prio', frame, time: instant(pkt), stream: sm.stream, dir, backup: m.backup,
          addrIds: m.addrId === undefined ? undefined : [m.addrId],
        });
        return false;
      case 'MP_FAIL': {
        // MP_FAIL names a DSN of the data it received: the peer's direction.
        const peer = other(dir);
        const raw = pkt.data;
        const rel = this.state.relative(conn.cd(peer), conn.id, peer, u32(raw, at + 4), u32(raw, at + 8), true, false);
        this.event(cm, { kind: 'mp_fail', frame, time: instant(pkt), stream: sm.stream, dir, dsn: rel });
        this.finding(cm, ann, 'mptcp.mp_fail', 'MP_FAIL: the receiver found a DSS checksum failure and asks to fall back', frame);
        return false;
      }
      case 'MP_FASTCLOSE':
        this.onFastclose(conn, m.receiverKey, dir, pkt, ann, sm.stream);
        return false;
      case 'MP_TCPRST':
        this.tcprstReason = m.reason;
        sm.resetReason = m.reason;
        this.event(cm, {
          kind: 'tcprst', frame, time: instant(pkt), stream: sm.stream, dir, reason: m.reason, reasonName: tcprstReasonName(m.reason),
        });
        this.finding(cm, ann, 'mptcp.tcprst', `subflow reset with MP_TCPRST: ${tcprstReasonName(m.reason)}`, frame);
        return false;
      default:
        return false;
    }
  }

  private ownAddrId(sm: MptcpSubflow, dir: DataDir): number | undefined {
    return dir === sm.initiator ? sm.initiatorAddrId : sm.listenerAddrId;
  }

  // ---------------------------------------------------------- handshakes

  private onSyn(sub: Sub, frame: number): void {
    const sm = sub.model;
    if (sm.synFrame === undefined) sm.synFrame = frame;
    else sm.synRetransmissions++;
    if (sm.state === 'failed' || sm.state === 'reset') {
      // The same 4-tuple tries again after a reset: a new handshake (the events keep the failed one).
      sm.state = 'syn-sent';
      sm.failure = undefined;
      sm.resetFrame = undefined;
      sm.synAckFrame = undefined;
      sm.ackFrame = undefined;
      this.state.setAckSeen(sub, false);
    }
  }

  private onSynAck(sub: Sub, frame: number): void {
    const sm = sub.model;
    if (sm.synAckFrame === undefined) {
      sm.synAckFrame = frame;
      if (sm.state === 'syn-sent') sm.state = 'syn-received';
    } else {
      sm.synAckRetransmissions++;
    }
  }

  private onCapable(sub: Sub, m: MptcpCapable, dir: DataDir, pkt: Packet, t: TcpRepr, ann: Annotation, syn: boolean, ack: boolean): void {
    const conn = sub.conn;
    const cm = conn.model;
    const frame = pkt.number;
    const v = m.version === 0 || m.version === 1 ? m.version : undefined;
    if (syn) {
      // The listener answers with the version it will use: the SYN/ACK's wins.
      if (v !== undefined && (cm.version === undefined || ack)) cm.version = v;
      if (m.flags & MP_CAPABLE_A) cm.checksums = true;
      else cm.checksums ??= false;
      if ((m.flags & MP_CAPABLE_H) === 0 && v !== undefined) {
        this.finding(cm, ann, 'mptcp.capable.no_algorithm', `MP_CAPABLE v${v} proposes no HMAC algorithm (flags 0x${m.flags.toString(16).padStart(2, '0')})`, frame);
      }
      if (ack && v === 1 && (m.flags & MP_CAPABLE_C)) cm.noJoinToServerAddress = true;
      if (m.senderKey !== undefined) this.learnKey(conn, dir, m.senderKey);
      return;
    }
    if (v !== cm.version && cm.version !== undefined) {
      this.finding(cm, ann, 'mptcp.capable.version_mismatch', `MP_CAPABLE version ${m.version} after the handshake chose version ${cm.version}`, frame);
    } else if (cm.version === undefined && v !== undefined) {
      cm.version = v;
    }
    // The ACK completing the handshake (or, in v1, the first data) carries both keys.
    let compared = 0;
    let bad = 0;
    const check = (side: DataDir, key: bigint | undefined): void => {
      if (key === undefined) return;
      const known = cm.keys[side];
      if (known === undefined) this.learnKey(conn, side, key);
      else {
        compared++;
        if (known !== key) bad++;
      }
    };
    check(dir, m.senderKey);
    check(other(dir), m.receiverKey);
    const status: CheckStatus = bad > 0 ? 'bad' : compared > 0 ? 'good' : 'unknown';
    ann.keyEcho = status;
    if (cm.keyEcho === undefined || status === 'bad') {
      cm.keyEcho = status;
      this.verify(cm, 'key_echo', status, frame, sub.model.stream);
    }
    if (status === 'bad') {
      this.finding(cm, ann, 'mptcp.key_echo.bad', 'MP_CAPABLE echoes keys that differ from those of the SYN and SYN/ACK', frame);
    }
    sub.model.ackFrame ??= frame;
    this.state.setAckSeen(sub, true);
    this.established(sub, frame);
    if (m.dataLength !== undefined && t.payloadLength > 0) this.implicitMapping(sub, m, dir, pkt);
  }

  /** A v1 MP_CAPABLE carrying data maps it at IDSN + 1, subflow sequence 1. */
  private implicitMapping(sub: Sub, m: MptcpCapable, dir: DataDir, pkt: Packet): void {
    const idsn = sub.conn.model.idsns[dir];
    if (idsn === undefined || m.dataLength === undefined) return;
    const first = BigInt.asUintN(64, idsn + 1n);
    const hi = Number(first >> 32n);
    const lo = Number(first & 0xffffffffn);
    const rel = this.state.relative(sub.conn.cd(dir), sub.cid, dir, hi, lo, true, false);
    this.addMapping(sub.id, dir, pkt, 1, rel, m.dataLength, false, m.checksum, first);
  }

  private learnKey(conn: Conn, side: DataDir, key: bigint): void {
    const cm = conn.model;
    if (cm.keys[side] !== undefined) return;
    cm.keys[side] = key;
    const v = cm.version;
    if (v === undefined) return;
    const token = keyToToken(key, v);
    cm.tokens[side] = token;
    this.byToken.set(token, conn);
    const idsn = keyToIdsn(key, v);
    cm.idsns[side] = idsn;
    this.state.setIdsn(conn.cd(side), cm, side, idsn);
  }

  private onJoin(sub: Sub, m: MptcpJoin, dir: DataDir, pkt: Packet, ann: Annotation): void {
    const sm = sub.model;
    const cm = sub.conn.model;
    const frame = pkt.number;
    const initiator = sm.initiator;
    const listener = other(initiator);
    if (m.phase === 'syn') {
      if (sub.initiatorNonce === undefined) {
        sub.initiatorNonce = m.nonce;
        sm.initiatorAddrId = m.addrId;
        sm.backup = m.backup;
      }
      ann.joinToken = sm.tokenStatus;
      if (sm.tokenStatus === 'bad') {
        this.finding(cm, ann, 'mptcp.join.unknown_token', 'MP_JOIN SYN with a token that matches no captured connection', frame);
      }
      return;
    }
    const keyI = cm.keys[initiator];
    const keyL = cm.keys[listener];
    const v = cm.version;
    if (m.phase === 'synack') {
      sub.listenerNonce ??= m.nonce;
      sm.listenerAddrId ??= m.addrId;
      let status: CheckStatus = 'unknown';
      if (v !== undefined && keyI !== undefined && keyL !== undefined && sub.initiatorNonce !== undefined && m.nonce !== undefined && m.truncatedHmac !== undefined) {
        status = joinSynAckHmac(v, keyL, keyI, m.nonce, sub.initiatorNonce) === m.truncatedHmac ? 'good' : 'bad';
      }
      ann.joinHmac = status;
      if (sm.synAckHmac === undefined || status === 'bad') {
        sm.synAckHmac = status;
        this.verify(cm, 'join_synack_hmac', status, frame, sm.stream);
      }
      if (status === 'bad') this.finding(cm, ann, 'mptcp.join.hmac_bad', 'MP_JOIN SYN/ACK HMAC does not match the keys and nonces', frame);
      return;
    }
    let status: CheckStatus = 'unknown';
    if (v !== undefined && keyI !== undefined && keyL !== undefined && sub.initiatorNonce !== undefined && sub.listenerNonce !== undefined && m.hmac !== undefined) {
      status = bytesEqual(joinAckHmac(v, keyI, keyL, sub.initiatorNonce, sub.listenerNonce), m.hmac) ? 'good' : 'bad';
    }
    ann.joinHmac = status;
    if (sm.ackHmac === undefined || status === 'bad') {
      sm.ackHmac = status;
      this.verify(cm, 'join_ack_hmac', status, frame, sm.stream);
    }
    if (status === 'bad') this.finding(cm, ann, 'mptcp.join.hmac_bad', 'MP_JOIN third ACK HMAC does not match the keys and nonces', frame);
    sm.ackFrame ??= frame;
    this.state.setAckSeen(sub, true);
    if (sm.establishedFrame === undefined && sm.state !== 'failed' && sm.state !== 'reset') {
      this.established(sub, frame);
      this.event(cm, { kind: 'join', frame, time: instant(pkt), stream: sm.stream, dir });
    }
  }

  /** A SYN/ACK without MP_CAPABLE (fallback) or without MP_JOIN (the join is refused). */
  private refusedHandshake(sub: Sub, dir: DataDir, pkt: Packet, ann: Annotation): void {
    const sm = sub.model;
    if (sm.master) {
      if (!sub.conn.fellBack) this.fallback(sub, 'synack-without-mp-capable', dir, pkt, ann);
    } else if (sm.state !== 'failed') {
      this.joinFailed(sub, pkt, dir, 'the SYN/ACK carries no MP_JOIN');
    }
  }

  /** The initiator's first ACK after the SYN/ACK: it completes (or refuses) the MPTCP handshake. */
  private onThirdAck(sub: Sub, dir: DataDir, pkt: Packet, ann: Annotation, sawMptcp: boolean, sawHandshakeOption: boolean): void {
    const sm = sub.model;
    const conn = sub.conn;
    const frame = pkt.number;
    sm.ackFrame = frame;
    this.state.setAckSeen(sub, true);
    if (sm.master) {
      // An ACK with other MPTCP options but no MP_CAPABLE means the real third ACK was not captured.
      if (!conn.fellBack && !sawMptcp) this.fallback(sub, 'ack-without-mp-capable', dir, pkt, ann);
      this.established(sub, frame);
      return;
    }
    // A third ACK with MP_JOIN completed the join in onJoin.
    if (sm.state !== 'failed' && !sawHandshakeOption) this.joinFailed(sub, pkt, dir, 'the third ACK carries no MP_JOIN');
  }

  private established(sub: Sub, frame: number): void {
    const sm = sub.model;
    if (sm.state === 'syn-sent' || sm.state === 'syn-received') sm.state = 'established';
    sm.establishedFrame ??= frame;
    const cm = sub.conn.model;
    if (cm.state === 'handshake') cm.state = 'established';
  }

  private joinFailed(sub: Sub, pkt: Packet, dir: DataDir, reason: string): void {
    const sm = sub.model;
    sm.state = 'failed';
    sm.failure ??= { frame: pkt.number, reason };
    this.event(sub.conn.model, { kind: 'join_failed', frame: pkt.number, time: instant(pkt), stream: sm.stream, dir, detail: reason });
    this.finding(sub.conn.model, undefined, 'mptcp.join.failed', `MP_JOIN failed: ${reason}`, pkt.number);
  }

  private onReset(sub: Sub, dir: DataDir, pkt: Packet, reason: number | undefined): void {
    const sm = sub.model;
    if (sm.resetFrame !== undefined) return;
    const joining = !sm.master && sm.establishedFrame === undefined && sm.state !== 'failed';
    sm.resetFrame = pkt.number;
    if (joining) {
      this.joinFailed(sub, pkt, dir, reason === undefined ? 'reset' : `reset: ${tcprstReasonName(reason)}`);
    }
    sm.state = joining ? 'failed' : 'reset';
    this.event(sub.conn.model, {
      kind: 'subflow_reset', frame: pkt.number, time: instant(pkt), stream: sm.stream, dir,
      reason, reasonName: reason === undefined ? undefined : tcprstReasonName(reason),
    });
    // Its mappings stay: a RST out of the window is ignored and data may follow (client_2.pcap stream 15).
  }

  /** A subflow that will carry no more data: its mappings go, checksums still gathering are given up. */
  private release(sub: Sub): void {
    this.givePendingUp(sub);
    this.state.mappings.clear(sub.sd(0));
    this.state.mappings.clear(sub.sd(1));
  }

  /** Checksums of a subflow still gathering payload are given up (it carries no more, or the pass ends). */
  private givePendingUp(sub: Sub): void {
    for (let d = 0; d < 2; d++) {
      for (const g of sub.pending[d]!) this.unchecked(sub.conn, g, undefined);
      sub.pending[d] = [];
      this.state.subDirs.f[sub.sd(d as DataDir) + SD_PENDING] = 0;
    }
  }

  private onFin(sub: Sub, dir: DataDir, pkt: Packet): void {
    const sm = sub.model;
    const before = sm.finFrames.length;
    sm.finFrames.push(pkt.number);
    sub.finDirs |= 1 << dir;
    if (sub.finDirs === 3 && before > 0 && sm.state !== 'reset' && sm.state !== 'failed' && sm.state !== 'closed') {
      sm.state = 'closed';
      this.event(sub.conn.model, { kind: 'subflow_closed', frame: pkt.number, time: instant(pkt), stream: sm.stream, dir });
      this.release(sub);
    }
  }

  private fallback(sub: Sub, cause: FallbackCause, dir: DataDir, pkt: Packet, ann: Annotation): void {
    const conn = sub.conn;
    const cm = conn.model;
    const frame = pkt.number;
    ann.fallback = cause;
    sub.model.fallback ??= { cause, frame };
    if (!conn.fellBack) {
      conn.fellBack = true;
      cm.fallback = { cause, frame, stream: sub.model.stream };
      if (cm.state === 'handshake' || cm.state === 'established') cm.state = 'fallback';
    }
    this.event(cm, { kind: 'fallback', frame, time: instant(pkt), stream: sub.model.stream, dir, cause });
    this.finding(cm, ann, 'mptcp.fallback', FALLBACK_TEXT[cause], frame);
  }

  // ---------------------------------------------------------------- data

  /** The DSS option of `length` bytes at `at` in the frame, read in place: its data ACK, then its mapping. */
  private onDss(cur: Cursor, at: number, length: number, pkt: Packet, t: TcpRepr, ann: Annotation): void {
    const state = this.state;
    const dir = cur.dir;
    const raw = pkt.data;
    const flags = raw[at + 3]!;
    let p = at + 4;
    // DSN halves are read signed (small integers whatever their bits): `relative` takes them either way, and a u32 past 2^31 handed to it would be a heap number per packet.
    if (flags & DssFlag.A) {
      const wide = (flags & DssFlag.a) !== 0;
      const hi = wide ? i32(raw, p) : 0;
      const lo = i32(raw, wide ? p + 4 : p);
      p += wide ? 8 : 4;
      const rel = state.relative(cur.peer, cur.cid, other(dir), hi, lo, wide, true);
      ann.dataAck = small(rel);
      this.onDataAck(cur, rel, pkt);
    }
    if ((flags & DssFlag.M) === 0) return;
    const wide = (flags & DssFlag.m) !== 0;
    const hi = wide ? i32(raw, p) : 0;
    const lo = i32(raw, wide ? p + 4 : p);
    p += wide ? 8 : 4;
    const ssn = u32(raw, p);
    const dataLength = (raw[p + 4]! << 8) | raw[p + 5]!;
    // A mapping's length is its flags' exactly, or two more with the checksum.
    const checksum = p + 6 < at + length ? (raw[p + 6]! << 8) | raw[p + 7]! : undefined;
    const dataFin = (flags & DssFlag.F) !== 0;
    const c = cur.c;
    const rel = state.relative(c, cur.cid, dir, hi, lo, wide, false);
    ann.dssDsn = small(rel);
    const sd = cur.sd;
    if (dataLength === 0) {
      // Infinite mapping.
      const sub = this.subs[cur.id]!;
      if (!sub.conn.fellBack || sub.model.fallback === undefined) this.fallback(sub, 'infinite-mapping', dir, pkt, ann);
      const start = ssn !== 0 ? state.unwrap(sd, ssn) : this.segmentSeq(sd, t);
      if (start !== undefined) state.mappings.add(sd, start, Infinity, rel, Infinity, pkt.number);
      return;
    }
    if (dataFin) this.onDataFin(this.subs[cur.id]!, dir, rel + dataLength - 1, pkt);
    // A mapping for the DATA_FIN alone (subflow sequence 0) covers no subflow data.
    const dataFinOnly = dataFin && ssn === 0 && dataLength === 1;
    const sf = state.subDirs.f;
    if (Number.isNaN(sf[sd + SD_ISN]!) && t.payloadLength > 0 && !dataFinOnly) {
      // Capture started mid-stream: a mapping announced on a data segment starts with it, as Linux sends them.
      sf[sd + SD_ISN] = (t.seq - ssn) >>> 0;
    }
    // The full DSN only matters to a checksum (its pseudo-header), and BigInt is costly.
    const first = checksum === undefined ? undefined
      : wide ? joinHalves(hi >>> 0, lo >>> 0)
        : !Number.isNaN(state.connDirs.f[c + CD_BASE_HI]!) ? rawOf(state.models[cur.cid]!.dirs[dir]!.baseDsn!, rel) : undefined;
    if (dataFinOnly) {
      if (checksum !== undefined) this.checkEmptyMapping(this.subs[cur.id]!, pkt, ann, first, ssn, dataLength, checksum);
      return;
    }
    this.addMapping(cur.id, dir, pkt, ssn, rel, dataLength, dataFin, checksum, first);
  }

  /** A mapping of subflow `id` in direction `dir`; one with a DSS checksum starts gathering its payload. */
  private addMapping(
    id: number, dir: DataDir, pkt: Packet, ssn32: number, dsn: number, dataLength: number, dataFin: boolean,
    checksum: number | undefined, dsn64: bigint | undefined,
  ): void {
    const state = this.state;
    const sd = state.subDir(id, dir);
    const ssn = state.unwrap(sd, ssn32);
    const covered = dataLength - (dataFin ? 1 : 0);
    const end = ssn + covered;
    const dsnEnd = dsn + dataLength;
    if (!state.mappings.add(sd, ssn, end, dsn, dsnEnd, pkt.number) || checksum === undefined) return;
    const sub = this.subs[id]!;
    const pending = sub.pending[dir];
    // The same mapping announced again (a retransmission) is checked once.
    if (pending.some((g) => g.start === ssn && g.end === end)) return;
    const conn = sub.conn;
    if (dsn64 === undefined) {
      this.countChecksum(conn.model, 'unchecked', pkt.number);
      return;
    }
    const g = new ChecksumGather(pkt.number, ssn, end, dsnEnd, dsn64, ssn32, dataLength, checksum);
    if (pending.length >= MAX_PENDING_CHECKSUMS) this.unchecked(conn, pending.shift()!, undefined);
    pending.push(g);
    state.subDirs.f[sd + SD_PENDING] = pending.length;
  }

  /** A DATA_FIN-only mapping's checksum covers the pseudo-header alone. */
  private checkEmptyMapping(sub: Sub, pkt: Packet, ann: Annotation, dsn64: bigint | undefined, ssn: number, dataLength: number, checksum: number): void {
    if (dsn64 === undefined) {
      this.countChecksum(sub.conn.model, 'unchecked', pkt.number);
      return;
    }
    const g = new ChecksumGather(pkt.number, 0, 0, 0, dsn64, ssn, dataLength, checksum);
    this.checksumDone(sub.conn, g, ann, pkt.number);
  }

  /** The unwrapped relative subflow sequence number of this segment (subflow direction record `sd`), when the ISN is known. */
  private segmentSeq(sd: number, t: TcpRepr): number | undefined {
    const isn = this.state.subDirs.f[sd + SD_ISN]!;
    return Number.isNaN(isn) ? undefined : this.state.unwrap(sd, (t.seq - isn) >>> 0);
  }

  private onData(cur: Cursor, pkt: Packet, t: TcpRepr, ann: Annotation, sawMptcp: boolean): void {
    const state = this.state;
    const sd = cur.sd;
    const seq = this.segmentSeq(sd, t);
    const len = t.payloadLength;
    const frame = pkt.number;
    if (seq === undefined) {
      this.unmapped(this.subs[cur.id]!, cur.dir, ann, frame, sawMptcp, pkt);
      return;
    }
    const sf = state.subDirs.f;
    const maxSeq = sf[sd + SD_MAX_SEQ]!;
    const tcpRetransmission = seq < maxSeq;
    if (Number.isNaN(maxSeq) || seq + len > maxSeq) sf[sd + SD_MAX_SEQ] = seq + len;
    if (sf[sd + SD_PENDING]! > 0) this.gather(this.subs[cur.id]!, cur.dir, seq, pkt, t, ann);
    const maps = state.mappings;
    if (!maps.locate(sd, seq)) {
      this.unmapped(this.subs[cur.id]!, cur.dir, ann, frame, sawMptcp, pkt);
      return;
    }
    const dsn = maps.foundDsn + (seq - maps.foundSsn);
    const end = dsn + len;
    ann.dsn = small(dsn);
    ann.dsnEnd = small(end);
    ann.relatedMapping = small(maps.foundFrame);
    const c = cur.c;
    const out = this.overlaps;
    // A TCP retransmission resends this subflow's own bytes: never a reinjection, whatever other subflows did meanwhile.
    if (!tcpRetransmission) state.sent.collect(c, dsn, end, out);
    if (out.length > 0) {
      this.resent(this.subs[cur.id]!, cur.dir, ann, out, len);
      out.length = 0;
    }
    const pos = state.connDirs.f[c + CD_POS]!;
    if (Number.isNaN(pos)) sf[sd + SD_DATA_BYTES]! += end - dsn;
    else if (end > pos) sf[sd + SD_DATA_BYTES]! += end - Math.max(dsn, pos);
    state.sentUpTo(c, dsn, end);
    state.sent.add(c, dsn, end, frame, cur.index);
  }

  /** A segment whose DSN range was sent before (`found`: indexes in the direction's sent log): reinjection or data-level retransmission. */
  private resent(sub: Sub, dir: DataDir, ann: Annotation, found: readonly number[], len: number): void {
    const conn = sub.conn;
    const log = this.state.sent;
    const st = sub.model.stats[dir];
    const dsn = ann.dsn!;
    const end = ann.dsnEnd!;
    const linked = this.scratch === undefined;
    let reinjection = false;
    for (const i of found) {
      const owner = log.owner(i);
      const earlier = log.frame(i);
      if (owner !== sub.index) {
        reinjection = true;
        (ann.reinjectionOf ??= []).push(earlier);
        if (linked) conn.linkReinjection(earlier, ann.frame);
        const ost = conn.subs[owner]!.model.stats[dir];
        ost.reinjectedElsewhere++;
        ost.reinjectedElsewhereBytes += Math.min(log.end(i), end) - Math.max(log.start(i), dsn);
      } else {
        (ann.dataRetransmissionOf ??= []).push(earlier);
      }
    }
    if (reinjection) {
      st.reinjections++;
      st.reinjectedBytes += len;
    }
    if (ann.dataRetransmissionOf !== undefined) {
      st.dataRetransmissions++;
      st.dataRetransmittedBytes += len;
    }
  }

  /** Data no mapping covers: fallback when it carries no MPTCP option at all, else a mapping the capture missed (nothing once fallen back). */
  private unmapped(sub: Sub, dir: DataDir, ann: Annotation, frame: number, sawMptcp: boolean, pkt: Packet): void {
    if (sub.conn.fellBack) return;
    if (!sawMptcp && sub.conn.model.state !== 'handshake') {
      this.fallback(sub, 'data-without-dss', dir, pkt, ann);
      return;
    }
    sub.model.stats[dir].unmapped++;
    this.finding(sub.conn.model, ann, 'mptcp.dss.no_mapping', 'data segment not covered by any captured DSS mapping', frame);
  }

  /** Feeds this segment's captured payload to the mappings gathering theirs for a DSS checksum. */
  private gather(sub: Sub, dir: DataDir, seq: number, pkt: Packet, t: TcpRepr, ann: Annotation): void {
    const captured = Math.min(t.payloadCaptured, t.payloadLength);
    const pending = sub.pending[dir];
    let done = false;
    for (const g of pending) {
      if (g.feed(seq, t.payloadLength, pkt.data, t.payloadOffset, captured)) {
        this.checksumDone(sub.conn, g, ann, pkt.number);
        done = true;
      }
    }
    if (done) {
      const left = pending.filter((g) => !g.complete);
      sub.pending[dir] = left;
      this.state.subDirs.f[sub.sd(dir) + SD_PENDING] = left.length;
    }
  }

  private checksumDone(conn: Conn, g: ChecksumGather, ann: Annotation, frame: number): void {
    const status = g.status();
    ann.dssChecksum = status;
    ann.dssChecksumMapping = g.frame;
    this.countChecksum(conn.model, status, g.frame);
    if (status === 'bad') {
      this.finding(conn.model, ann, 'mptcp.dss.checksum_bad', 'DSS checksum does not match the mapping and its payload', frame);
    }
  }

  private unchecked(conn: Conn, g: ChecksumGather, ann: Annotation | undefined): void {
    this.countChecksum(conn.model, 'unchecked', g.frame);
    const why = g.cut ? 'part of its payload was cut by the capture' : 'part of its payload was not captured';
    this.finding(conn.model, ann, 'mptcp.dss.checksum_unchecked', `DSS checksum not checked: ${why}`, g.frame);
  }

  private countChecksum(cm: MptcpConnection, status: DssChecksumStatus, frame: number): void {
    const c = cm.dssChecksums;
    c[status]++;
    if (status === 'bad') pushLimited(c.badFrames, frame);
    else if (status === 'unchecked') pushLimited(c.uncheckedFrames, frame);
  }

  /** A data ACK, for the data of the direction opposite the packet's (the packet's `cur.peer` record). */
  private onDataAck(cur: Cursor, rel: number, pkt: Packet): void {
    const state = this.state;
    const c = cur.peer;
    const dir = cur.dir;
    const peer = other(dir);
    const cf = state.connDirs.f;
    // Per packet, only the records are read: the connection's objects only when something happens.
    if (rel > cf[c + CD_UNACKED_FIN]!) {
      const sub = this.subs[cur.id]!;
      const conn = sub.conn;
      cf[c + CD_UNACKED_FIN] = Infinity;
      const fin = conn.model.dirs[peer].dataFin!;
      fin.ackFrame = pkt.number;
      this.event(conn.model, { kind: 'data_fin_acked', frame: pkt.number, time: instant(pkt), stream: sub.model.stream, dir, dsn: fin.dsn });
      const [a, b] = conn.model.dirs;
      if (a.dataFin?.ackFrame !== undefined && b.dataFin?.ackFrame !== undefined) {
        // Both DATA_FINs acknowledged: no data will be sent again at the data level.
        if (conn.model.state === 'established') conn.model.state = 'closed';
        state.sent.clear(conn.cd(0));
        state.sent.clear(conn.cd(1));
      }
    }
    const upTo = state.acked(c, cur.cid, peer, rel, pkt.tsSec + pkt.tsNsec * 1e-9);
    if (upTo === undefined || upTo === -Infinity) return;
    state.sent.dropUpTo(c, upTo);
    if (!state.dropMappingsUpTo(c, peer, upTo)) return;
    // DSS checksums whose data was acknowledged will not get the payload they miss.
    const conn = this.subs[cur.id]!.conn;
    for (const s of conn.subs) {
      const pending = s.pending[peer];
      if (pending.length === 0) continue;
      const keep = [];
      for (const g of pending) {
        if (g.dsnEnd <= upTo) this.unchecked(conn, g, undefined);
        else keep.push(g);
      }
      s.pending[peer] = keep;
      state.subDirs.f[s.sd(peer) + SD_PENDING] = keep.length;
    }
  }

  private onDataFin(sub: Sub, dir: DataDir, dsn: number, pkt: Packet): void {
    const conn = sub.conn;
    const ds = conn.model.dirs[dir];
    if (ds.dataFin !== undefined) return;
    ds.dataFin = { frame: pkt.number, dsn };
    this.state.connDirs.f[conn.cd(dir) + CD_UNACKED_FIN] = dsn;
    this.event(conn.model, { kind: 'data_fin', frame: pkt.number, time: instant(pkt), stream: sub.model.stream, dir, dsn });
  }

  // ------------------------------------------------ addresses and closing

  private onAddAddr(conn: Conn, m: MptcpAddAddr, dir: DataDir, pkt: Packet, ann: Annotation, stream: number): void {
    const cm = conn.model;
    const address = addressText(m.address);
    const frame = pkt.number;
    if (m.echo) {
      const adv = cm.addresses.find((a) => a.dir !== dir && a.addrId === m.addrId);
      let status: CheckStatus = 'unknown';
      if (adv !== undefined) {
        status = adv.address === address && (m.port === undefined || adv.port === m.port) ? 'good' : 'bad';
        adv.echoFrame ??= frame;
        ann.addAddrEchoOf = adv.frame;
      }
      this.verify(cm, 'add_addr_echo', status, frame, stream);
      if (status === 'bad') this.finding(cm, ann, 'mptcp.add_addr.echo_mismatch', `ADD_ADDR echo of id ${m.addrId} differs from the address advertised`, frame);
      return;
    }
    let status: CheckStatus | undefined;
    if (m.form === 1 && m.truncatedHmac !== undefined) {
      const mine = cm.keys[dir];
      const theirs = cm.keys[other(dir)];
      status = mine !== undefined && theirs !== undefined
        ? (addAddrHmac(mine, theirs, m.addrId, m.address, m.port) === m.truncatedHmac ? 'good' : 'bad')
        : 'unknown';
      ann.addAddrHmac = status;
      let detail: string | undefined;
      if (status === 'bad' && leftmostAddAddrHmac(mine!, theirs!, m, m.truncatedHmac)) {
        detail = 'leftmost 64 bits of the HMAC (Linux before May 2020), not the rightmost';
        this.finding(cm, ann, 'mptcp.add_addr.hmac_leftmost', 'ADD_ADDR carries the leftmost 64 bits of its HMAC, as Linux did before May 2020; RFC 8684 asks for the rightmost', frame);
      } else if (status === 'bad') {
        this.finding(cm, ann, 'mptcp.add_addr.hmac_bad', `ADD_ADDR HMAC for id ${m.addrId} (${address}) does not match the keys`, frame);
      }
      this.verify(cm, 'add_addr_hmac', status, frame, stream, detail);
    }
    const known = cm.addresses.find((a) => a.dir === dir && a.addrId === m.addrId && a.address === address && a.port === m.port);
    if (known !== undefined) return;
    cm.addresses.push({ frame, dir, addrId: m.addrId, address, port: m.port, hmac: status, joinAttempts: [] });
    this.event(cm, { kind: 'add_addr', frame, time: instant(pkt), stream, dir, addrIds: [m.addrId], detail: m.port === undefined ? address : `${address} port ${m.port}` });
  }

  /** A join SYN from `initiator` to `dst`: an attempt to use an address the other side advertised. */
  private joinAttempt(conn: Conn, initiator: DataDir, dst: Endpoint, frame: number): void {
    for (const a of conn.model.addresses) {
      if (a.dir !== initiator && a.address === dst.address && (a.port === undefined || a.port === dst.port)) a.joinAttempts.push(frame);
    }
  }

  private onFastclose(conn: Conn, key: bigint, dir: DataDir, pkt: Packet, ann: Annotation, stream: number): void {
    const cm = conn.model;
    const expected = cm.keys[other(dir)];
    const status: CheckStatus = expected === undefined ? 'unknown' : expected === key ? 'good' : 'bad';
    ann.fastcloseKey = status;
    this.verify(cm, 'fastclose_key', status, pkt.number, stream);
    this.event(cm, { kind: 'fastclose', frame: pkt.number, time: instant(pkt), stream, dir, key: status });
    if (cm.state !== 'fastclosed') {
      cm.state = 'fastclosed';
      this.finding(cm, ann, 'mptcp.fastclose', 'connection closed with MP_FASTCLOSE', pkt.number);
    }
    if (status === 'bad') this.finding(cm, ann, 'mptcp.fastclose.key_bad', "MP_FASTCLOSE carries a key other than the receiver's", pkt.number);
  }

  /** The connection's final state and how it ended. */
  private settle(conn: Conn): void {
    const cm = conn.model;
    const [c, s] = cm.dirs;
    const allReset = cm.subflows.length > 0 && cm.subflows.every((f) => f.state === 'reset' || f.state === 'failed');
    if (cm.state === 'fastclosed') cm.ending = 'MP_FASTCLOSE';
    else if (c.dataFin?.ackFrame !== undefined && s.dataFin?.ackFrame !== undefined) {
      if (cm.state !== 'fallback') cm.state = 'closed';
      cm.ending = 'DATA_FIN both ways';
    } else if (cm.state === 'fallback' && cm.fallback !== undefined) cm.ending = `fallback to TCP (${cm.fallback.cause})`;
    else if (allReset) {
      cm.state = 'reset';
      cm.ending = 'subflows reset';
    } else if (cm.state === 'handshake') cm.ending = 'handshake not completed';
    else cm.ending = 'open at the end of the capture';
  }

  // ------------------------------------------------------------- records

  private event(cm: MptcpConnection, e: MptcpEvent): void {
    cm.events.push(e);
  }

  private verify(cm: MptcpConnection, kind: VerificationKind, status: CheckStatus, frame: number, stream: number, detail?: string): void {
    cm.verifications.push({ kind, status, frame, stream, detail });
  }

  private finding(cm: MptcpConnection, ann: Annotation | undefined, code: FindingCode, message: string, frame: number): void {
    const f = recordFinding(cm.findings, code, message, frame);
    if (ann !== undefined) (ann.findings ??= []).push(f);
  }
}
