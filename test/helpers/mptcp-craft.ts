/**
 * Hand-built MPTCP connections for report tests: a connection's keys,
 * tokens and IDSNs come from src/mptcp, its subflows are TCP conversations
 * on one timeline (test/analysis/tcp-craft.ts), and each step (handshakes,
 * joins with right or wrong HMACs, data with DSS mappings, data ACKs,
 * ADD_ADDR, MP_FAIL, resets) is one call, so a test reads like the trace it
 * checks. Subflow sequence numbers, DSNs and data ACKs follow the calls.
 */
import { addAddrHmac, dssChecksum, joinAckHmac, joinSynAckHmac, keyToIdsn, keyToToken } from '../../src/mptcp/index.js';
import { encodeMptcpOption } from '../../src/wire/index.js';
import type { MptcpOption } from '../../src/wire/types.js';
import { Talk, Timeline } from '../analysis/tcp-craft.js';
import type { Endpoint } from '../analysis/tcp-craft.js';

export type { Endpoint };
export { Timeline };

/** 'a' sends from the subflow's initiator, 'b' from its listener. */
export type Side = 'a' | 'b';

export function optionHex(o: MptcpOption): string {
  return Buffer.from(encodeMptcpOption(o)).toString('hex');
}

const H_V0 = 0x01; // HMAC-SHA1
const H_V1 = 0x01; // HMAC-SHA256
const A_FLAG = 0x80;

export interface ConnectionSpec {
  version: 0 | 1;
  clientKey: bigint;
  serverKey: bigint;
  checksums?: boolean;
}

/** DSN state of one data direction: next relative DSN to send (first byte 1) and the highest acknowledged. */
class DataDirection {
  next = 1;
  acked = 1;
  constructor(readonly idsn: bigint) {}
  raw(rel: number): bigint {
    return BigInt.asUintN(64, this.idsn + BigInt(rel));
  }
}

export class CraftedConnection {
  readonly tl = new Timeline();
  readonly subflows: CraftedSubflow[] = [];
  readonly dirs: [DataDirection, DataDirection];
  readonly tokens: [number, number];

  constructor(readonly spec: ConnectionSpec) {
    this.dirs = [new DataDirection(keyToIdsn(spec.clientKey, spec.version)), new DataDirection(keyToIdsn(spec.serverKey, spec.version))];
    this.tokens = [keyToToken(spec.clientKey, spec.version), keyToToken(spec.serverKey, spec.version)];
  }

  get keys(): [bigint, bigint] {
    return [this.spec.clientKey, this.spec.serverKey];
  }

  /** The initial subflow from the client; `handshake` sends its three MP_CAPABLE packets. */
  master(client: Endpoint, server: Endpoint): CraftedSubflow {
    const s = new CraftedSubflow(this, new Talk(this.tl, client, server), 0, 1000, 5000);
    this.subflows.push(s);
    return s;
  }

  /** Another subflow opened by `initiator` (0 the client, 1 the server) from `from` to `to`. */
  join(from: Endpoint, to: Endpoint, initiator: 0 | 1 = 0): CraftedSubflow {
    const n = this.subflows.length;
    const s = new CraftedSubflow(this, new Talk(this.tl, from, to), initiator, 100_000 * (n + 1), 900_000 * (n + 1));
    this.subflows.push(s);
    return s;
  }

  pcap(): Uint8Array {
    return this.tl.pcap();
  }
}

export interface SegmentOpts {
  /** Seconds after the previous frame (default 0.001). */
  dt?: number;
  /** Extra option bytes in hex (after the MPTCP options). */
  opts?: string;
  flags?: string;
}

export class CraftedSubflow {
  /** Next sequence number each side sends, raw. */
  private readonly seq: [number, number];
  private readonly isn: [number, number];
  nonceA = 0x11111111;
  nonceB = 0x22222222;

  constructor(
    readonly conn: CraftedConnection,
    readonly talk: Talk,
    /** Which connection side ('a' of this subflow) opened it: 0 the client, 1 the server. */
    readonly initiator: 0 | 1,
    isnA: number,
    isnB: number,
  ) {
    this.isn = [isnA, isnB];
    this.seq = [isnA, isnB];
  }

  /** Connection side (0 client, 1 server) of a subflow side. */
  sideOf(s: Side): 0 | 1 {
    return s === 'a' ? this.initiator : this.initiator === 0 ? 1 : 0;
  }

  private other(s: Side): Side {
    return s === 'a' ? 'b' : 'a';
  }

  private idx(s: Side): 0 | 1 {
    return s === 'a' ? 0 : 1;
  }

  /** Sends one segment from `s`; `len` payload bytes advance its sequence number. */
  send(s: Side, o: SegmentOpts & { mptcp?: MptcpOption[]; len?: number; seq?: number } = {}): this {
    const i = this.idx(s);
    const flags = o.flags ?? 'A';
    const opts = (o.mptcp ?? []).map(optionHex).join('') + (o.opts ?? '');
    const seq = o.seq ?? this.seq[i];
    const ack = flags.includes('A') ? this.seq[1 - i]! : 0;
    const spec = { seq, ack, f: flags, opts, len: o.len ?? 0, ...(o.dt === undefined ? {} : { dt: o.dt }) };
    if (s === 'a') this.talk.a(spec);
    else this.talk.b(spec);
    if (o.seq === undefined) {
      let adv = o.len ?? 0;
      if (flags.includes('S') || flags.includes('F')) adv++;
      this.seq[i] = (this.seq[i]! + adv) >>> 0;
    }
    return this;
  }

  /** Resends the SYN or SYN/ACK of side `s` (same ISN). */
  resendSyn(s: Side, mptcp: MptcpOption[], dt?: number): this {
    const i = this.idx(s);
    return this.send(s, { flags: s === 'a' ? 'S' : 'SA', mptcp, seq: this.isn[i], ...(dt === undefined ? {} : { dt }) });
  }

  // ------------------------------------------------------------ MP_CAPABLE

  capableSyn(): MptcpOption {
    const { version, clientKey, checksums } = this.conn.spec;
    const flags = (version === 0 ? H_V0 : H_V1) | (checksums ? A_FLAG : 0);
    return version === 0
      ? { name: 'MP_CAPABLE', subtype: 0, length: 12, version, flags, senderKey: clientKey }
      : { name: 'MP_CAPABLE', subtype: 0, length: 4, version, flags };
  }

  capableSynAck(): MptcpOption {
    const { version, serverKey, checksums } = this.conn.spec;
    const flags = (version === 0 ? H_V0 : H_V1) | (checksums ? A_FLAG : 0);
    return { name: 'MP_CAPABLE', subtype: 0, length: 12, version, flags, senderKey: serverKey };
  }

  capableAck(echo?: { clientKey?: bigint; serverKey?: bigint }): MptcpOption {
    const { version, clientKey, serverKey, checksums } = this.conn.spec;
    const flags = (version === 0 ? H_V0 : H_V1) | (checksums ? A_FLAG : 0);
    return { name: 'MP_CAPABLE', subtype: 0, length: 20, version, flags, senderKey: echo?.clientKey ?? clientKey, receiverKey: echo?.serverKey ?? serverKey };
  }

  /** SYN, SYN/ACK and third ACK of the initial subflow, all with MP_CAPABLE (`plainSynAck`: the server answers without it). */
  handshake(o: { plainSynAck?: boolean } = {}): this {
    this.send('a', { flags: 'S', mptcp: [this.capableSyn()] });
    if (o.plainSynAck) {
      this.send('b', { flags: 'SA' });
      this.send('a', {});
      return this;
    }
    this.send('b', { flags: 'SA', mptcp: [this.capableSynAck()] });
    this.send('a', { mptcp: [this.capableAck()] });
    return this;
  }

  // --------------------------------------------------------------- MP_JOIN

  /** The initiator's and the listener's keys. */
  private joinKeys(): [bigint, bigint] {
    const k = this.conn.keys;
    return [k[this.initiator], k[this.initiator === 0 ? 1 : 0]];
  }

  joinSynOption(o: { token?: number; backup?: boolean; addrId?: number } = {}): MptcpOption {
    const listener = this.initiator === 0 ? 1 : 0;
    return {
      name: 'MP_JOIN', subtype: 1, length: 12, phase: 'syn', backup: o.backup ?? false, addrId: o.addrId ?? 2,
      token: o.token ?? this.conn.tokens[listener], nonce: this.nonceA,
    };
  }

  joinSynAckOption(o: { badHmac?: boolean; addrId?: number } = {}): MptcpOption {
    const [keyA, keyB] = this.joinKeys();
    const mac = joinSynAckHmac(this.conn.spec.version, keyB, keyA, this.nonceB, this.nonceA);
    return {
      name: 'MP_JOIN', subtype: 1, length: 16, phase: 'synack', backup: false, addrId: o.addrId ?? 0,
      truncatedHmac: o.badHmac ? mac ^ 0xffn : mac, nonce: this.nonceB,
    };
  }

  joinAckOption(o: { badHmac?: boolean } = {}): MptcpOption {
    const [keyA, keyB] = this.joinKeys();
    const mac = joinAckHmac(this.conn.spec.version, keyA, keyB, this.nonceA, this.nonceB).slice();
    if (o.badHmac) mac[0]! ^= 0xff;
    return { name: 'MP_JOIN', subtype: 1, length: 24, phase: 'ack', backup: false, addrId: 0, hmac: mac };
  }

  joinSyn(o: { token?: number; backup?: boolean; dt?: number } = {}): this {
    return this.send('a', { flags: 'S', mptcp: [this.joinSynOption(o)], ...(o.dt === undefined ? {} : { dt: o.dt }) });
  }

  joinSynAck(o: { badHmac?: boolean; dt?: number } = {}): this {
    return this.send('b', { flags: 'SA', mptcp: [this.joinSynAckOption(o)], ...(o.dt === undefined ? {} : { dt: o.dt }) });
  }

  joinAck(o: { badHmac?: boolean; dt?: number } = {}): this {
    return this.send('a', { mptcp: [this.joinAckOption(o)], ...(o.dt === undefined ? {} : { dt: o.dt }) });
  }

  /** A complete join. */
  joinHandshake(o: { backup?: boolean } = {}): this {
    return this.joinSyn(o).joinSynAck().joinAck();
  }

  // ------------------------------------------------------------------ data

  private dss(s: Side, map?: { dsn: number; ssn: number; len: number; fin?: boolean; checksum?: number }): MptcpOption {
    const dir = this.sideOf(s);
    const peer = this.conn.dirs[dir === 0 ? 1 : 0];
    const own = this.conn.dirs[dir];
    const fin = map?.fin ? 0x10 : 0;
    const base: MptcpOption = {
      name: 'DSS', subtype: 2, length: 12, flags: 0x03 | fin, dataFin: fin !== 0, dataAck: peer.raw(peer.acked), dataAckWidth: 8,
      infiniteMapping: false,
    };
    if (map === undefined) return base;
    const withCsum = map.checksum !== undefined;
    return {
      ...base, length: 26 + (withCsum ? 2 : 0), flags: 0x0f | fin, dsn: own.raw(map.dsn), dsnWidth: 8, ssn: map.ssn, dataLength: map.len,
      ...(withCsum ? { checksum: map.checksum } : {}),
    };
  }

  /**
   * `len` new data bytes from `s` with a DSS mapping for them (and a data
   * ACK). With checksums on, the mapping carries the right DSS checksum over
   * the payload ('x' bytes), or a wrong one with `badChecksum`.
   */
  data(s: Side, len: number, o: SegmentOpts & { dsn?: number; badChecksum?: boolean } = {}): this {
    const dir = this.sideOf(s);
    const d = this.conn.dirs[dir];
    const dsn = o.dsn ?? d.next;
    const i = this.idx(s);
    const ssn = (this.seq[i]! - this.isn[i]!) >>> 0;
    if (o.dsn === undefined) d.next += len;
    let checksum: number | undefined;
    if (this.conn.spec.checksums) {
      checksum = dssChecksum(d.raw(dsn), ssn, len, new Uint8Array(len).fill(0x78));
      if (o.badChecksum) checksum ^= 0x0101;
    }
    return this.send(s, { ...o, len, mptcp: [this.dss(s, { dsn, ssn, len, ...(checksum === undefined ? {} : { checksum }) })] });
  }

  /** A pure ACK from `s` carrying a data ACK for everything the other direction sent so far. */
  ack(s: Side, o: SegmentOpts & { upTo?: number } = {}): this {
    const dir = this.sideOf(s);
    const peer = this.conn.dirs[dir === 0 ? 1 : 0];
    peer.acked = o.upTo ?? peer.next;
    return this.send(s, { ...o, mptcp: [this.dss(s)] });
  }

  /** DATA_FIN from `s` (a mapping of length 1 for the FIN alone). */
  dataFin(s: Side, o: SegmentOpts = {}): this {
    const d = this.conn.dirs[this.sideOf(s)];
    const dsn = d.next;
    d.next += 1;
    return this.send(s, { ...o, mptcp: [this.dss(s, { dsn, ssn: 0, len: 1, fin: true })] });
  }

  /** Data without any MPTCP option (what a middlebox stripping options leaves). */
  plainData(s: Side, len: number, o: SegmentOpts = {}): this {
    return this.send(s, { ...o, len });
  }

  // -------------------------------------------------------------- signals

  addAddr(s: Side, address: string, addrId: number, o: SegmentOpts & { badHmac?: boolean; echo?: boolean } = {}): this {
    const bytes = new Uint8Array(address.split('.').map(Number));
    const sender = this.sideOf(s);
    const keys = this.conn.keys;
    const mac = addAddrHmac(keys[sender], keys[sender === 0 ? 1 : 0], addrId, bytes);
    const opt: MptcpOption = o.echo
      ? { name: 'ADD_ADDR', subtype: 3, length: 8, form: 1, echo: true, ipVersion: 4, addrId, address: bytes }
      : { name: 'ADD_ADDR', subtype: 3, length: 16, form: 1, echo: false, ipVersion: 4, addrId, address: bytes, truncatedHmac: o.badHmac ? mac ^ 1n : mac };
    return this.send(s, { ...o, mptcp: [opt] });
  }

  mpFail(s: Side, dsn: number, o: SegmentOpts = {}): this {
    const peer = this.conn.dirs[this.sideOf(s) === 0 ? 1 : 0];
    return this.send(s, { ...o, mptcp: [{ name: 'MP_FAIL', subtype: 6, length: 12, dsn: peer.raw(dsn) }] });
  }

  /** RST from `s`, with MP_TCPRST when a reason is given. */
  rst(s: Side, reason?: number, o: SegmentOpts = {}): this {
    const mptcp: MptcpOption[] = reason === undefined ? [] : [{ name: 'MP_TCPRST', subtype: 8, length: 4, flags: 0, reason }];
    return this.send(s, { ...o, flags: 'RA', mptcp });
  }

  fin(s: Side, o: SegmentOpts = {}): this {
    return this.send(s, { ...o, flags: 'FA', mptcp: [this.dss(s)] });
  }
}
