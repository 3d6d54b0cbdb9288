/**
 * The MPTCP connection layer of the userspace endpoint: keys, tokens and
 * IDSNs of both sides, the MP_CAPABLE handshake in the RFC 8684 (v1) and
 * RFC 6824 (v0) forms, data with mappings (v1's first data in MP_CAPABLE,
 * then DSS, with the checksum right, wrong or missing on request), data
 * ACKs both ways, MP_JOIN subflows with both HMACs, the signalling options,
 * and the manners a peer expects without being asked: every segment with
 * data is acknowledged (with a data ACK while MPTCP is in use), an ADD_ADDR
 * whose HMAC verifies is echoed, a subflow the peer closes is closed back,
 * an MP_FASTCLOSE is answered with RSTs, a subflow the peer opens is
 * refused.
 *
 * Steps that need an answer send and then wait for it, retransmitting
 * (`tries` transmissions over `timeoutMs`); they throw StepTimeout when
 * nothing that fits comes. What the peer sent is kept in `history`, so a
 * step can look for an answer that arrived before it asked.
 */
import { addAddrHmac, dssChecksum, joinSynAckHmac } from '../../mptcp/index.js';
import { MpCapableFlag } from '../../wire/mptcp.js';
import type { Finding, MptcpAddAddr, MptcpCapable, MptcpDss, MptcpJoin, MptcpOption, TcpOption } from '../../wire/types.js';
import { TcpFlag } from '../../wire/types.js';
import { addressBytes, addressText } from '../address.js';
import { tcpSegment } from '../craft.js';
import {
  addAddr, dss, keyFacts, mpCapable, mpFastclose, mpJoinAck, mpJoinSyn, mpPrio, removeAddr,
} from '../mptcp-options.js';
import { PeerFallback, PeerRefused, StepError, StepTimeout } from './errors.js';

export { DEFAULT_TIMING } from './inbox.js';
export type { Timing } from './inbox.js';
import type { ProbeHost } from './host.js';
import { DEFAULT_TIMING, Inbox } from './inbox.js';
import type { Timing } from './inbox.js';
import { PeerStream } from './peer-stream.js';
import { expandDsn, hex64, randomU32, randomU64, seqAdd, seqAtOrAfter } from './seq.js';
import { Subflow } from './subflow.js';
import type { Segment, SentSegment, Stray } from './subflow.js';

export interface ConnectOptions {
  /** MPTCP version offered: 1 (RFC 8684) or 0 (RFC 6824). */
  version: 0 | 1;
  /** Ask for DSS checksums (flag A in MP_CAPABLE). Default false. */
  checksum?: boolean;
  /** MP_CAPABLE flags byte instead of A (when `checksum`) and H. */
  flags?: number;
  /** Our key; default random. */
  key?: bigint;
  /** The receiver's key the third ACK echoes; default the one the peer sent. */
  echoKey?: bigint;
  /** Offer MPTCP at all; default true (false: a plain TCP connection). */
  mptcp?: boolean;
  /** Timestamps on the subflows; default true. */
  timestamps?: boolean;
}

/** 'auto': right when checksums were negotiated, none otherwise. */
export type ChecksumMode = 'auto' | 'good' | 'bad' | 'omit';

/** How data is mapped: v1's first data in MP_CAPABLE, a DSS, or no MPTCP option ('auto' picks what the RFC says). */
export type MappingForm = 'auto' | 'mpc' | 'dss' | 'none';

export interface SendOptions {
  /** Default the first subflow. */
  subflow?: Subflow;
  checksum?: ChecksumMode;
  form?: MappingForm;
  /** The mapping's DSN; default the next one. */
  dsn?: bigint;
  /** The mapping's data-level length; default the payload's (plus one with DATA_FIN). 0 is an infinite mapping. */
  dataLength?: number;
  dataFin?: boolean;
  /** Wait for the TCP ACK (retransmitting); default true. */
  wait?: boolean;
}

export interface Sent {
  /** The segment and its retransmissions. */
  frames: number[];
  seq: number;
  /** Subflow sequence number of the first byte, relative to our ISN. */
  ssn: number;
  dsn: bigint;
  /** The DSN after the data (DATA_FIN included): what a DATA_ACK covering it says. */
  end: bigint;
  length: number;
  /** The peer's TCP ACK covering it, or its RST instead. */
  ack?: Segment | undefined;
  reset?: Segment | undefined;
}

export interface JoinOptions {
  /** Address id in the SYN; default the subflow's number (1, 2...). */
  addrId?: number;
  backup?: boolean;
  /** The token; default the peer's. */
  token?: number;
  /** Our random number; default random. */
  nonce?: number;
  /** The third ACK's HMAC: right (default) or wrong. */
  hmac?: 'good' | 'bad';
}

export interface JoinResult {
  subflow: Subflow;
  /** The peer's SYN/ACK, with `hmacOk` whether its truncated HMAC is the one its key and the nonces give. */
  synAck?: Segment | undefined;
  join?: MptcpJoin | undefined;
  hmacOk?: boolean | undefined;
  /** The peer acknowledged our third ACK: the subflow is up. */
  established: boolean;
  /** The peer's RST, if it refused the SYN or reset the subflow after the third ACK. */
  reset?: Segment | undefined;
  frames: number[];
}

/** An address the peer announced. */
export interface PeerAddress {
  frame: number;
  addrId: number;
  address: string;
  port?: number | undefined;
  /** v1: whether its HMAC verifies (undefined for v0, which has none). */
  hmacOk?: boolean | undefined;
  /** Frame of our echo. */
  echoFrame?: number | undefined;
}

/** A finding about a frame: what the decoder found, or what the endpoint noticed. */
export interface FrameFinding extends Finding {
  frame: number;
}

const SYN_ACK = TcpFlag.SYN | TcpFlag.ACK;

function has(flags: number, bits: number): boolean {
  return (flags & bits) === bits;
}

/** The first MPTCP option of a name in a segment. */
export function optionOf<N extends MptcpOption['name']>(s: Segment, name: N): Extract<MptcpOption, { name: N }> | undefined {
  return s.mptcp.find((m) => m.name === name) as Extract<MptcpOption, { name: N }> | undefined;
}

function bigMax(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

function wrongChecksum(good: number): number {
  // Any nonzero mask but 0xffff: 0x0000 and 0xffff are the same number in one's complement.
  return good ^ 0x5555;
}

function wrongU64(v: bigint): bigint {
  return BigInt.asUintN(64, v ^ 0x5555_5555_5555_5555n);
}

export class MptcpConnection {
  readonly version: 0 | 1;
  readonly localKey: bigint;
  readonly localToken: number;
  readonly localIdsn: bigint;
  remoteKey = 0n;
  remoteToken = 0;
  remoteIdsn = 0n;
  /** Our MP_CAPABLE flags (A, H). */
  readonly flags: number;
  /** The peer's MP_CAPABLE flags. */
  peerFlags = 0;
  /** The SYN/ACK offered MPTCP in our version: the connection uses MPTCP (until a fallback). */
  mptcp = false;
  /** DSS checksums are in use (A set by either side). */
  checksum = false;
  /** Why the connection is (or became) plain TCP, and the frame that showed it. */
  fallback: { reason: string; frame: number } | undefined;
  /** Next DSN we send. */
  sndDsn: bigint;
  /** The highest data ACK the peer sent (expanded to 64 bits). */
  dataAcked: bigint;
  readonly subflows: Subflow[] = [];
  /** Packets from the peer that belong to no subflow (a subflow it opened, ICMP errors). */
  readonly strays: Stray[] = [];
  readonly findings: FrameFinding[] = [];
  readonly peerAddresses: PeerAddress[] = [];
  /** The peer's SYN/ACK of the first subflow. */
  synAck: Segment | undefined;
  /**
   * The frame the last step sent: waits look at what arrived after it, so
   * an answer that came while the step was still busy is not missed.
   */
  stepFrame = 0;
  private mpcDataSent = false;
  private readonly inbox: Inbox;
  private readonly stream = new PeerStream((frame, code, message) => this.note(frame, code, message));

  constructor(readonly host: ProbeHost, readonly options: ConnectOptions, timing: Partial<Timing> = {}) {
    this.version = options.version;
    const facts = keyFacts(options.key ?? randomU64(), this.version);
    this.localKey = facts.key;
    this.localToken = facts.token;
    this.localIdsn = facts.idsn;
    this.sndDsn = facts.idsn + 1n;
    this.dataAcked = this.sndDsn;
    this.flags = options.flags ?? ((options.checksum ? MpCapableFlag.A : 0) | MpCapableFlag.H);
    this.inbox = new Inbox({ ...DEFAULT_TIMING, ...timing }, (what, after) => this.withIcmp(what, after), () => host.poll());
  }

  /** Every segment the peer sent on our subflows, in arrival order. */
  get history(): readonly Segment[] {
    return this.inbox.history;
  }

  /** Next DSN we expect from the peer (what our data ACK says). */
  get rcvDsn(): bigint {
    return this.stream.next;
  }

  /** The peer's DATA_FIN, once its DSN was reached and acknowledged. */
  get dataFinReceived(): Segment | undefined {
    return this.stream.dataFin;
  }

  /** The first subflow. */
  get primary(): Subflow {
    const sf = this.subflows[0];
    if (!sf) throw new StepError('the connection has no subflow yet: connect first');
    return sf;
  }

  get quietMs(): number {
    return this.inbox.timing.quietMs;
  }

  /** MPTCP in use now: negotiated and not fallen back. */
  get multipath(): boolean {
    return this.mptcp && this.fallback === undefined;
  }

  // ------------------------------------------------------------ handshake

  /**
   * Opens the first subflow: SYN with MP_CAPABLE, the peer's SYN/ACK, the
   * third ACK with both keys. Throws PeerRefused on a RST and StepTimeout
   * when nothing answers. A SYN/ACK without MP_CAPABLE of our version makes
   * a plain TCP connection: `fallback` says why, and `requireMptcp()` throws.
   */
  async connect(): Promise<void> {
    const offer = this.options.mptcp ?? true;
    const sf = this.addSubflow();
    const mpc = !offer ? [] : [this.version === 0 ? mpCapable({ version: 0, flags: this.flags, senderKey: this.localKey }) : mpCapable({ version: 1, flags: this.flags })];
    const syn = sf.send({ flags: 'S', options: sf.synOptions(mpc) });
    const frames = [syn.frame];
    this.stepFrame = syn.frame;
    const reply = await this.exchange(
      (s) => (s.subflow === sf && (s.tcp.flags & TcpFlag.RST || has(s.tcp.flags, SYN_ACK)) ? s : undefined),
      'a SYN/ACK', sf, syn, frames,
    );
    if (reply.tcp.flags & TcpFlag.RST) throw new PeerRefused([...frames, reply.frame]);
    this.synAck = reply;
    const m = optionOf(reply, 'MP_CAPABLE');
    if (!offer || !m || m.version !== this.version || m.senderKey === undefined) {
      this.stepFrame = sf.send({ flags: 'A' }).frame;
      if (offer) this.fellBack(!m ? 'the SYN/ACK carries no MP_CAPABLE' : m.version !== this.version ? `the SYN/ACK answers with MP_CAPABLE version ${m.version}` : 'the SYN/ACK\'s MP_CAPABLE carries no key', reply.frame);
      return;
    }
    this.takePeerKey(m);
    const third = mpCapable({
      version: this.version, flags: this.flags | (this.checksum ? MpCapableFlag.A : 0),
      senderKey: this.localKey, receiverKey: this.options.echoKey ?? this.remoteKey,
    });
    this.stepFrame = sf.send({ flags: 'A', options: [third] }).frame;
  }

  /** Throws PeerFallback when the connection is not using MPTCP. */
  requireMptcp(): void {
    if (this.multipath) return;
    throw new PeerFallback(this.fallback?.reason ?? 'MPTCP was not offered', this.fallback ? [this.fallback.frame] : []);
  }

  private takePeerKey(m: MptcpCapable): void {
    const facts = keyFacts(m.senderKey!, this.version);
    this.remoteKey = facts.key;
    this.remoteToken = facts.token;
    this.remoteIdsn = facts.idsn;
    this.stream.begin(facts.idsn);
    this.peerFlags = m.flags;
    this.checksum = ((this.flags | m.flags) & MpCapableFlag.A) !== 0;
    this.mptcp = true;
  }

  private addSubflow(): Subflow {
    const sf = new Subflow(this.host, { localPort: this.host.allocatePort(), timestamps: this.options.timestamps ?? true });
    sf.onSegment = (s) => this.onSegment(s);
    sf.onStray = (s) => this.onStray(s);
    this.subflows.push(sf);
    return sf;
  }

  // ----------------------------------------------------------------- data

  /**
   * Sends data on a subflow with its mapping (see SendOptions) and waits for
   * the TCP ACK that covers it, or a RST; StepTimeout when neither comes.
   */
  async send(data: Uint8Array, o: SendOptions = {}): Promise<Sent> {
    const sf = o.subflow ?? this.primary;
    if (!sf.alive) throw new StepError(`subflow ${sf.id} is ${sf.state}: no data can go on it`);
    const dsn = o.dsn ?? this.sndDsn;
    const ssn = sf.relativeSndNxt;
    const fin = o.dataFin ?? false;
    const dataLength = o.dataLength ?? data.length + (fin ? 1 : 0);
    const form = this.formFor(o.form ?? 'auto', sf, dsn, ssn);
    const options = this.mappingOptions(form, { dsn, ssn, dataLength, data, checksum: o.checksum ?? 'auto', fin });
    const seg = sf.send({ flags: 'PA', options, payload: data });
    if (form === 'mpc') this.mpcDataSent = true;
    if (form !== 'none' && dataLength === 0) this.fellBack('we sent an infinite mapping', seg.frame);
    this.sndDsn = bigMax(this.sndDsn, dsn + BigInt(data.length) + (fin ? 1n : 0n));
    this.stepFrame = seg.frame;
    const frames = [seg.frame];
    const sent: Sent = { frames, seq: seg.seq, ssn, dsn, end: dsn + BigInt(data.length) + (fin ? 1n : 0n), length: data.length };
    if (o.wait === false) return sent;
    const end = seqAdd(seg.seq, data.length);
    const reply = await this.exchange(
      (s) => (s.subflow === sf && (s.tcp.flags & TcpFlag.RST || (s.tcp.flags & TcpFlag.ACK && seqAtOrAfter(s.tcp.ack, end))) ? s : undefined),
      `a TCP ACK of the ${data.length} bytes of frame ${seg.frame}`, sf, seg, frames,
    );
    if (reply.tcp.flags & TcpFlag.RST) sent.reset = reply;
    else sent.ack = reply;
    return sent;
  }

  /** v1 maps the first data of the first subflow in MP_CAPABLE (RFC 8684 §3.1); the rest in DSS; none after a fallback. */
  private formFor(form: MappingForm, sf: Subflow, dsn: bigint, ssn: number): Exclude<MappingForm, 'auto'> {
    if (form !== 'auto') return form;
    if (!this.multipath) return 'none';
    const first = this.version === 1 && !this.mpcDataSent && sf === this.primary && dsn === this.localIdsn + 1n && ssn === 1;
    return first ? 'mpc' : 'dss';
  }

  private checksumValue(mode: ChecksumMode, dsn: bigint, ssn: number, dataLength: number, data: Uint8Array): number | undefined {
    if (mode === 'omit' || (mode === 'auto' && !this.checksum)) return undefined;
    // An infinite mapping covers no particular bytes: its checksum field is zero.
    if (dataLength === 0 && mode !== 'bad') return 0;
    const good = dssChecksum(dsn, ssn, dataLength, data);
    return mode === 'bad' ? wrongChecksum(good) : good;
  }

  private mappingOptions(form: Exclude<MappingForm, 'auto'>, m: { dsn: bigint; ssn: number; dataLength: number; data: Uint8Array; checksum: ChecksumMode; fin: boolean }): TcpOption[] {
    const checksum = this.checksumValue(m.checksum, m.dsn, m.ssn, m.dataLength, m.data);
    switch (form) {
      case 'none': return [];
      case 'mpc':
        return [mpCapable({
          version: this.version, flags: this.flags | (this.checksum ? MpCapableFlag.A : 0), senderKey: this.localKey, receiverKey: this.options.echoKey ?? this.remoteKey,
          dataLength: m.dataLength, ...(checksum === undefined ? {} : { checksum }),
        })];
      case 'dss':
        return [dss({
          ...(this.mptcp ? { dataAck: this.rcvDsn } : {}), dsn: m.dsn, ssn: m.ssn, dataLength: m.dataLength, payload: m.data, dataFin: m.fin,
          ...(checksum === undefined ? {} : { checksum }),
        })];
    }
  }

  /** One of our DSNs as people read it: relative to our IDSN (the first byte is 1), as tshark shows them. */
  relative(dsn: bigint): string {
    return (dsn - this.localIdsn).toString();
  }

  /** A DSS data ACK (expanded to 64 bits) in a segment, if it has one. */
  dataAckOf(s: Segment): bigint | undefined {
    const d = optionOf(s, 'DSS');
    return d?.dataAck === undefined ? undefined : expandDsn(d.dataAck, d.dataAckWidth ?? 8, this.sndDsn);
  }

  /** Waits for a DATA_ACK at or beyond `dsn` (StepTimeout otherwise); resolves with the segment. */
  waitDataAck(dsn: bigint, what?: string): Promise<Segment> {
    return this.waitFor((s) => {
      const a = this.dataAckOf(s);
      return a !== undefined && a >= dsn ? s : undefined;
    }, { what: what ?? `a DATA_ACK of ${hex64(dsn)}` });
  }

  /**
   * Sends DATA_FIN alone (RFC 8684 §3.3.3: subflow sequence number 0,
   * data-level length 1) and waits for the DATA_ACK that covers it.
   */
  async dataFin(o: { subflow?: Subflow } = {}): Promise<{ frames: number[]; dsn: bigint; ack: Segment }> {
    const sf = o.subflow ?? this.primary;
    const dsn = this.sndDsn;
    const checksum = this.checksum ? dssChecksum(dsn, 0, 1, new Uint8Array(0)) : undefined;
    const seg = sf.send({ flags: 'A', options: [dss({ dataAck: this.rcvDsn, dsn, ssn: 0, dataLength: 1, dataFin: true, ...(checksum === undefined ? {} : { checksum }) })] });
    this.sndDsn = dsn + 1n;
    this.stepFrame = seg.frame;
    const frames = [seg.frame];
    const ack = await this.exchange((s) => {
      const a = this.dataAckOf(s);
      return a !== undefined && a > dsn ? s : undefined;
    }, `a DATA_ACK of the DATA_FIN (${hex64(dsn + 1n)})`, sf, seg, frames);
    return { frames, dsn, ack };
  }

  // ------------------------------------------------------------- signals

  /** A pure ACK (or `flags`) carrying these options on a subflow; returns its frame. */
  signal(options: readonly TcpOption[], o: { subflow?: Subflow; flags?: string } = {}): number {
    const sf = o.subflow ?? this.primary;
    this.stepFrame = sf.send({ flags: o.flags ?? 'A', options }).frame;
    return this.stepFrame;
  }

  /** ADD_ADDR for an address of ours (default the endpoint's), v1 with its HMAC right, wrong or left out. */
  addAddr(o: { addrId: number; address?: string; port?: number; hmac?: 'good' | 'bad'; subflow?: Subflow }): number {
    const address = o.address ?? this.host.source;
    const port = o.port === undefined ? {} : { port: o.port };
    let option: TcpOption;
    if (this.version === 0) {
      option = addAddr({ version: 0, addrId: o.addrId, address, ...port });
    } else {
      const good = addAddrHmac(this.localKey, this.remoteKey, o.addrId, addressBytes(address), o.port);
      option = addAddr({ version: 1, addrId: o.addrId, address, ...port, hmac: o.hmac === 'bad' ? wrongU64(good) : good });
    }
    return this.signal([option], o.subflow ? { subflow: o.subflow } : {});
  }

  removeAddr(addrIds: readonly number[], o: { subflow?: Subflow } = {}): number {
    return this.signal([removeAddr(addrIds)], o);
  }

  /** MP_PRIO on a subflow (RFC 8684's 3-byte form; `addrId` gives RFC 6824's 4-byte one). */
  prio(backup: boolean, o: { subflow?: Subflow; addrId?: number } = {}): number {
    return this.signal([mpPrio(backup, o.addrId)], o.subflow ? { subflow: o.subflow } : {});
  }

  /** MP_FASTCLOSE with the peer's key (or `key`) in an ACK (RFC 8684 §3.5 option A) or, with `rst`, in a RST. */
  fastclose(o: { key?: bigint; rst?: boolean; subflow?: Subflow } = {}): number {
    return this.signal([mpFastclose(o.key ?? this.remoteKey)], { ...(o.subflow ? { subflow: o.subflow } : {}), flags: o.rst ? 'R' : 'A' });
  }

  // ---------------------------------------------------------------- joins

  /**
   * Opens a subflow with MP_JOIN: SYN with the token and our nonce; the
   * peer's SYN/ACK (its HMAC checked); the third ACK with our HMAC, sent
   * until the peer acknowledges it (RFC 8684 §3.2). A RST at either point
   * ends it; StepTimeout when the SYN gets no answer.
   */
  async join(o: JoinOptions = {}): Promise<JoinResult> {
    const sf = this.addSubflow();
    const nonce = (o.nonce ?? randomU32()) >>> 0;
    const token = o.token ?? this.remoteToken;
    const syn = sf.send({ flags: 'S', options: sf.synOptions([mpJoinSyn({ token, nonce, addrId: o.addrId ?? this.subflows.length - 1, backup: o.backup ?? false })]) });
    const frames = [syn.frame];
    this.stepFrame = syn.frame;
    const reply = await this.exchange(
      (s) => (s.subflow === sf && (s.tcp.flags & TcpFlag.RST || has(s.tcp.flags, SYN_ACK)) ? s : undefined),
      'an MP_JOIN SYN/ACK', sf, syn, frames,
    );
    if (reply.tcp.flags & TcpFlag.RST) return { subflow: sf, established: false, reset: reply, frames: [...frames, reply.frame] };
    const join = optionOf(reply, 'MP_JOIN');
    const result: JoinResult = { subflow: sf, synAck: reply, join, established: false, frames: [...frames, reply.frame] };
    if (!join || join.phase !== 'synack' || join.nonce === undefined) {
      // A SYN/ACK without MP_JOIN cannot make a subflow: close it (RFC 8684 §3.2).
      this.stepFrame = sf.send({ flags: 'R' }).frame;
      return result;
    }
    result.hmacOk = join.truncatedHmac === joinSynAckHmac(this.version, this.remoteKey, this.localKey, join.nonce, nonce);
    const auth = { version: this.version, senderKey: this.localKey, receiverKey: this.remoteKey, senderNonce: nonce, receiverNonce: join.nonce };
    const good = mpJoinAck({ auth });
    const ackOption = o.hmac === 'bad' && good.mptcp.name === 'MP_JOIN' && good.mptcp.hmac ? mpJoinAck({ hmac: good.mptcp.hmac.map((b) => b ^ 0x55) }) : good;
    const third = sf.send({ flags: 'A', options: [ackOption] });
    const thirdFrames = [third.frame];
    this.stepFrame = third.frame;
    try {
      const answer = await this.exchange(
        (s) => (s.subflow === sf && s.frame > third.frame && !(s.tcp.flags & TcpFlag.SYN) ? s : undefined),
        'the ACK of the MP_JOIN third ACK', sf, third, thirdFrames,
      );
      if (answer.tcp.flags & TcpFlag.RST) result.reset = answer;
      else result.established = true;
      result.frames.push(...thirdFrames, answer.frame);
    } catch (e) {
      if (!(e instanceof StepTimeout)) throw e;
      result.frames.push(...thirdFrames);
    }
    return result;
  }

  // -------------------------------------------------------------- closing

  /** A RST (with these options) on a subflow. */
  reset(sf: Subflow, options: readonly TcpOption[] = []): number {
    this.stepFrame = sf.send({ flags: 'R', options }).frame;
    return this.stepFrame;
  }

  /**
   * Ends whatever is left of the connection at once: a RST on every live
   * subflow, carrying MP_FASTCLOSE while MPTCP is in use (RFC 8684 §3.5
   * option R), so the peer frees everything; then stops listening.
   */
  abort(): void {
    for (const sf of this.subflows) {
      if (sf.alive) sf.send({ flags: 'R', options: this.multipath ? [mpFastclose(this.remoteKey)] : [] });
      sf.close();
    }
    this.inbox.wake();
  }

  // -------------------------------------------------------------- waiting

  /**
   * Resolves with the first non-undefined `match` of a segment that arrived
   * after frame `after` (default: the last step's); StepTimeout after
   * `timeoutMs` (default the timing's).
   */
  waitFor<T>(match: (s: Segment) => T | undefined, o: { what: string; after?: number; timeoutMs?: number }): Promise<T> {
    return this.inbox.waitFor(match, { ...o, after: o.after ?? this.stepFrame });
  }

  /** Like waitFor, but silence is an answer too: resolves undefined after `ms` (default the quiet time). */
  maybe<T>(match: (s: Segment) => T | undefined, o: { after?: number; ms?: number } = {}): Promise<T | undefined> {
    return this.inbox.maybe(match, { ...o, after: o.after ?? this.stepFrame });
  }

  /** Sends `sent` again until `match` fits; `frames` gets every transmission. */
  private exchange<T>(match: (s: Segment) => T | undefined, what: string, sf: Subflow, sent: SentSegment, frames: number[]): Promise<T> {
    return this.inbox.waitFor(match, { what, after: this.stepFrame, frames, resend: () => (sf.alive || sf.state === 'syn-sent' ? sf.resend(sent) : frames[frames.length - 1]!) });
  }

  private withIcmp(what: string, after: number): string {
    const icmp = this.strays.find((s) => s.frame > after && s.packet.icmp);
    return icmp?.packet.icmp ? `${what} (an ICMP type ${icmp.packet.icmp.type} code ${icmp.packet.icmp.code} error came instead, frame ${icmp.frame})` : what;
  }

  // ------------------------------------------------------------ receiving

  private onSegment(s: Segment): void {
    for (const f of s.packet.findings) this.findings.push({ ...f, frame: s.frame });
    if (this.mptcp) this.takeOptions(s);
    this.takeData(s);
    this.inbox.push(s);
  }

  private onStray(s: Stray): void {
    this.strays.push(s);
    const t = s.packet.tcp;
    // The peer opening a subflow towards us (to an address we announced): refused, we accept none.
    if (t && t.flags & TcpFlag.SYN && !(t.flags & TcpFlag.ACK)) {
      this.host.send(refusal(this.host.source, this.host.target, s.subflow.localPort, t.srcPort, seqAdd(t.seq, 1)));
    }
    this.inbox.wake();
  }

  private note(frame: number, code: string, message: string, severity: Finding['severity'] = 'warning'): void {
    this.findings.push({ severity, code, message, layer: 'mptcp', frame });
  }

  private takeOptions(s: Segment): void {
    // Once MPTCP is up every segment of a subflow carries an MPTCP option (a DSS at least); one without is the peer gone back to TCP (RFC 8684 §3.7).
    if (this.multipath && s.mptcp.length === 0 && !(s.tcp.flags & (TcpFlag.SYN | TcpFlag.RST))) {
      this.fellBack('its segments carry no MPTCP option any more', s.frame);
    }
    for (const m of s.mptcp) {
      switch (m.name) {
        case 'DSS': this.takeDss(s, m); break;
        case 'ADD_ADDR': this.takeAddAddr(s, m); break;
        case 'MP_FASTCLOSE':
          // RFC 8684 §3.5: the receiver of an MP_FASTCLOSE in an ACK resets every subflow.
          if (!(s.tcp.flags & TcpFlag.RST) && m.receiverKey === this.localKey) {
            for (const sf of this.subflows) if (sf.alive) sf.send({ flags: 'R' });
          }
          break;
        default: break;
      }
    }
  }

  private takeDss(s: Segment, m: MptcpDss): void {
    if (m.dataAck !== undefined) {
      const ack = expandDsn(m.dataAck, m.dataAckWidth ?? 8, this.sndDsn);
      if (ack > this.sndDsn) this.note(s.frame, 'probe.data_ack.unsent', `DATA_ACK ${hex64(ack)} acknowledges data never sent (next DSN ${hex64(this.sndDsn)})`);
      if (ack > this.dataAcked) this.dataAcked = ack;
    }
    if (m.dsn === undefined) return;
    if (m.infiniteMapping) {
      this.fellBack('it sent an infinite mapping', s.frame);
      return;
    }
    if (this.checksum && m.checksum === undefined) this.note(s.frame, 'probe.dss.checksum_missing', 'the peer\'s mapping has no DSS checksum although checksums were negotiated');
    this.stream.mapping(s, m);
  }

  private takeAddAddr(s: Segment, m: MptcpAddAddr): void {
    const address = addressText(m.address);
    if (m.echo) return;
    let hmacOk: boolean | undefined;
    if (m.form === 1) hmacOk = m.truncatedHmac !== undefined && m.truncatedHmac === addAddrHmac(this.remoteKey, this.localKey, m.addrId, m.address, m.port);
    const entry: PeerAddress = { frame: s.frame, addrId: m.addrId, address, port: m.port, hmacOk };
    this.peerAddresses.push(entry);
    if (hmacOk === false) this.note(s.frame, 'probe.add_addr.hmac', `the peer's ADD_ADDR for ${address} (id ${m.addrId}) has a wrong HMAC`);
    // RFC 8684 §3.4.1: echo what verifies (with the E bit, no HMAC); ignore the rest.
    if (hmacOk && s.subflow.alive) {
      const echo = addAddr({ version: 1, echo: true, addrId: m.addrId, address: m.address, ...(m.port === undefined ? {} : { port: m.port }) });
      entry.echoFrame = s.subflow.send({ flags: 'A', options: [echo] }).frame;
    }
  }

  private takeData(s: Segment): void {
    const sf = s.subflow;
    const len = s.tcp.payloadLength;
    const fin = (s.tcp.flags & TcpFlag.FIN) !== 0;
    if (s.tcp.flags & (TcpFlag.RST | TcpFlag.SYN)) return;
    const before = this.rcvDsn;
    if (this.multipath && s.inOrder && len > 0 && !this.stream.data(s, len)) {
      if (!optionOf(s, 'DSS')) this.fellBack('it sent data without a DSS mapping', s.frame);
      else this.note(s.frame, 'probe.dss.unmapped', 'the peer sent data outside any mapping it announced');
    }
    if (this.multipath) this.stream.takeDataFin(s);
    const dataLevelNews = this.rcvDsn !== before;
    if (!sf.alive && !(fin && s.inOrder)) return;
    if (len === 0 && !fin && !dataLevelNews) return;
    const options = this.multipath ? [dss({ dataAck: this.rcvDsn })] : [];
    // A subflow the peer closes is closed back (RFC 8684 §3.3.3: subflows close like TCP).
    const closeBack = fin && s.inOrder && !sf.finSent;
    sf.send({ flags: closeBack ? 'FA' : 'A', options });
  }

  private fellBack(reason: string, frame: number): void {
    this.fallback ??= { reason, frame };
  }
}

/** A RST+ACK refusing a SYN (as a closed port answers). */
function refusal(src: string, dst: string, sport: number, dport: number, ack: number): Uint8Array {
  return tcpSegment({ src, dst, sport, dport, seq: 0, ack, flags: 'RA', window: 0 });
}
