/**
 * A simulated MPTCP server for the probe engine, as a ProbeTransport: it
 * answers what the endpoint sends the way RFC 8684 (or RFC 6824) says, in
 * either version, with switches for the misbehaviours the tests need (wrong
 * HMACs, malformed options, silence, refused joins, no MPTCP). Replies are
 * crafted with the probe library itself and arrive a millisecond later, as
 * from a network.
 */
import { addAddrHmac, dssChecksum, joinAckHmac, keyToIdsn, keyToToken } from '../../../src/mptcp/index.js';
import {
  addAddr, decodeCrafted, dss, mpCapable, mpFail, mpJoinSynAck, mpTcpRst, mss, optionBytes, tcpSegment,
} from '../../../src/probe/index.js';
import type { ProbeTransport } from '../../../src/probe/engine/transport.js';
import { MpCapableFlag } from '../../../src/wire/mptcp.js';
import type { MptcpOption, Packet, TcpOption } from '../../../src/wire/types.js';
import { TcpFlag } from '../../../src/wire/types.js';

export interface PeerBehaviour {
  /** Versions it speaks (default [1]); none: plain TCP. */
  versions?: ReadonlyArray<0 | 1>;
  /** Never answers anything. */
  silent?: boolean;
  /** Sets A in its SYN/ACK itself. */
  checksum?: boolean;
  /** Announces this address (ADD_ADDR, id 1) once data has flowed; with a wrong HMAC if asked. */
  announce?: { address: string; badHmac?: boolean };
  /** Its MP_JOIN SYN/ACKs carry a wrong HMAC. */
  badJoinHmac?: boolean;
  /** Refuses every MP_JOIN SYN with a RST. */
  refuseJoins?: boolean;
  /** Appends a malformed MPTCP option (MP_CAPABLE of length 5) to its SYN/ACK. */
  malformedSynAck?: boolean;
  /** Echoes ADD_ADDRs whatever their HMAC. */
  echoForged?: boolean;
  /** Takes new subflows after a fallback (which RFC 8684 §3.7 rules out). */
  joinAfterFallback?: boolean;
}

interface PeerSubflow {
  clientPort: number;
  iss: number;
  sndNxt: number;
  rcvNxt: number;
  addrId: number;
  established: boolean;
  conn: PeerConnection;
  /** MP_JOIN: the nonces. */
  ourNonce?: number;
  theirNonce?: number;
}

interface PeerConnection {
  version: 0 | 1;
  key: bigint;
  clientKey: bigint;
  checksum: boolean;
  /** Next DSN expected from the client. */
  rcvDsn: bigint;
  /** Data received ahead of rcvDsn: start -> end. */
  ahead: Map<bigint, bigint>;
  dataFinAt?: bigint | undefined;
  fallback: boolean;
  dataAcked: boolean;
  announced: boolean;
  subflows: PeerSubflow[];
}

const SERVER_PORT = 443;

export class SimMptcpPeer implements ProbeTransport {
  readonly kind = 'sim';
  readonly source = '10.9.0.1';
  readonly target = '10.9.0.2';
  /** Everything the endpoint sent. */
  readonly received: Packet[] = [];
  closed = false;
  private deliver: ((p: Uint8Array) => void) | undefined;
  private readonly byPort = new Map<number, PeerSubflow>();
  private readonly byToken = new Map<number, PeerConnection>();
  private nextKey = 0x1111_2222_3333_4444n;

  constructor(readonly behaviour: PeerBehaviour = {}) {}

  start(onPacket: (packet: Uint8Array) => void): void {
    this.deliver = onPacket;
  }

  close(): void {
    this.closed = true;
  }

  send(packet: Uint8Array): void {
    const p = decodeCrafted(packet);
    this.received.push(p);
    if (this.behaviour.silent || !p.tcp) return;
    this.take(p);
  }

  private reply(sf: { clientPort: number }, spec: { seq: number; ack: number; flags: string; options?: readonly TcpOption[]; payload?: Uint8Array }): void {
    const bytes = tcpSegment({ src: this.target, dst: this.source, sport: SERVER_PORT, dport: sf.clientPort, window: 65535, ...spec });
    setTimeout(() => {
      if (!this.closed) this.deliver?.(bytes);
    }, 1);
  }

  private segment(sf: PeerSubflow, flags: string, options: readonly TcpOption[] = []): void {
    this.reply(sf, { seq: sf.sndNxt, ack: sf.rcvNxt, flags, options });
    if (flags.includes('F') || flags.includes('S')) sf.sndNxt = (sf.sndNxt + 1) >>> 0;
  }

  private dataAck(c: PeerConnection): TcpOption[] {
    return c.fallback ? [] : [dss({ dataAck: c.rcvDsn })];
  }

  private take(p: Packet): void {
    const t = p.tcp!;
    const mptcp = t.options.flatMap((o) => (o.type === 'mptcp' ? [o.mptcp] : []));
    const find = <N extends MptcpOption['name']>(name: N): Extract<MptcpOption, { name: N }> | undefined =>
      mptcp.find((m) => m.name === name) as Extract<MptcpOption, { name: N }> | undefined;
    if (t.flags & TcpFlag.SYN) return this.onSyn(t.srcPort, t.seq, find('MP_CAPABLE'), find('MP_JOIN'));
    const sf = this.byPort.get(t.srcPort);
    if (!sf) return;
    const c = sf.conn;
    if (t.flags & TcpFlag.RST) {
      if (find('MP_FASTCLOSE')) for (const s of c.subflows) this.byPort.delete(s.clientPort);
      this.byPort.delete(sf.clientPort);
      return;
    }
    if (!sf.established && !this.establish(sf, find('MP_CAPABLE'), find('MP_JOIN'))) return;
    this.signals(sf, find('ADD_ADDR'), find('REMOVE_ADDR'), find('MP_FASTCLOSE'));
    const len = t.payloadLength;
    const fresh = t.seq === sf.rcvNxt;
    if (fresh) sf.rcvNxt = (sf.rcvNxt + len + (t.flags & TcpFlag.FIN ? 1 : 0)) >>> 0;
    const map = this.mapping(sf, len, find('MP_CAPABLE'), find('DSS'));
    if (!fresh && len > 0) return this.segment(sf, 'A', this.dataAck(c));
    if (!map && len === 0) return;
    if (map === 'reset') return;
    const extra = map?.fail === undefined ? [] : [mpFail(map.fail)];
    if (len > 0 || map) this.segment(sf, 'A', [...this.dataAck(c), ...extra]);
    this.maybeAnnounce(c);
  }

  private onSyn(port: number, seq: number, mpc: Extract<MptcpOption, { name: 'MP_CAPABLE' }> | undefined, join: Extract<MptcpOption, { name: 'MP_JOIN' }> | undefined): void {
    const versions = this.behaviour.versions ?? [1];
    if (join) {
      const c = this.byToken.get(join.token ?? -1);
      const refused = !c || this.behaviour.refuseJoins || (c.fallback && !this.behaviour.joinAfterFallback);
      if (refused) {
        const v1 = c ? c.version === 1 : versions.includes(1);
        this.reply({ clientPort: port }, { seq: 0, ack: (seq + 1) >>> 0, flags: 'RA', options: v1 ? [mpTcpRst(c ? 3 : 1)] : [] });
        return;
      }
      const sf: PeerSubflow = { clientPort: port, iss: 7000, sndNxt: 7000, rcvNxt: (seq + 1) >>> 0, addrId: join.addrId, established: false, conn: c, ourNonce: 0x0badcafe, theirNonce: join.nonce ?? 0 };
      this.byPort.set(port, sf);
      c.subflows.push(sf);
      const auth = { version: c.version, senderKey: c.key, receiverKey: c.clientKey, senderNonce: sf.ourNonce!, receiverNonce: sf.theirNonce! };
      const option = this.behaviour.badJoinHmac ? mpJoinSynAck({ nonce: sf.ourNonce!, hmac: 0x1234n }) : mpJoinSynAck({ auth });
      this.segment(sf, 'SA', [mss(1460), option]);
      return;
    }
    const sf: PeerSubflow = { clientPort: port, iss: 5000, sndNxt: 5000, rcvNxt: (seq + 1) >>> 0, addrId: 0, established: false, conn: undefined as unknown as PeerConnection };
    const speaks = mpc !== undefined && versions.includes(mpc.version as 0 | 1);
    if (!speaks) {
      sf.conn = { version: 1, key: 0n, clientKey: 0n, checksum: false, rcvDsn: 0n, ahead: new Map(), fallback: true, dataAcked: false, announced: true, subflows: [sf] };
      this.byPort.set(port, sf);
      this.segment(sf, 'SA', [mss(1460)]);
      return;
    }
    const version = mpc.version as 0 | 1;
    const key = this.nextKey;
    this.nextKey += 0x0101_0101n;
    const checksum = this.behaviour.checksum === true || (mpc.flags & MpCapableFlag.A) !== 0;
    const c: PeerConnection = {
      version, key, clientKey: mpc.senderKey ?? 0n, checksum, rcvDsn: 0n, ahead: new Map(), fallback: false,
      dataAcked: false, announced: false, subflows: [sf],
    };
    if (version === 0) c.rcvDsn = keyToIdsn(c.clientKey, 0) + 1n;
    sf.conn = c;
    this.byPort.set(port, sf);
    this.byToken.set(keyToToken(key, version), c);
    const flags = (this.behaviour.checksum ? MpCapableFlag.A : 0) | MpCapableFlag.H;
    const options: TcpOption[] = [mss(1460), mpCapable({ version, flags, senderKey: key })];
    if (this.behaviour.malformedSynAck) options.push(optionBytes(Uint8Array.of(30, 5, 0x01, 0x81, 0)));
    this.segment(sf, 'SA', options);
  }

  /** The third ACK of a handshake: MP_CAPABLE's keys, or MP_JOIN's HMAC. Returns false when the subflow is refused. */
  private establish(sf: PeerSubflow, mpc: Extract<MptcpOption, { name: 'MP_CAPABLE' }> | undefined, join: Extract<MptcpOption, { name: 'MP_JOIN' }> | undefined): boolean {
    const c = sf.conn;
    if (sf.ourNonce !== undefined) {
      const good = joinAckHmac(c.version, c.clientKey, c.key, sf.theirNonce!, sf.ourNonce);
      if (!join?.hmac || !join.hmac.every((b, i) => b === good[i])) {
        this.segment(sf, 'R', c.version === 1 ? [mpTcpRst(1)] : []);
        this.byPort.delete(sf.clientPort);
        return false;
      }
      sf.established = true;
      this.segment(sf, 'A', this.dataAck(c));
      return true;
    }
    if (mpc && c.version === 1 && mpc.senderKey !== undefined) {
      c.clientKey = mpc.senderKey;
      c.rcvDsn = keyToIdsn(c.clientKey, 1) + 1n;
      if (mpc.flags & MpCapableFlag.A) c.checksum = true;
    }
    sf.established = true;
    return true;
  }

  private signals(sf: PeerSubflow, add: Extract<MptcpOption, { name: 'ADD_ADDR' }> | undefined, remove: Extract<MptcpOption, { name: 'REMOVE_ADDR' }> | undefined, close: Extract<MptcpOption, { name: 'MP_FASTCLOSE' }> | undefined): void {
    const c = sf.conn;
    if (add && !add.echo && c.version === 1) {
      const good = addAddrHmac(c.clientKey, c.key, add.addrId, add.address, add.port);
      if (good === add.truncatedHmac || this.behaviour.echoForged) {
        this.segment(sf, 'A', [addAddr({ version: 1, echo: true, addrId: add.addrId, address: add.address, ...(add.port === undefined ? {} : { port: add.port }) })]);
      }
    }
    if (remove) {
      for (const s of c.subflows) if (remove.addrIds.includes(s.addrId) && s !== sf && this.byPort.has(s.clientPort)) this.segment(s, 'FA', this.dataAck(c));
    }
    if (close && close.receiverKey === c.key) {
      for (const s of c.subflows) {
        if (!this.byPort.has(s.clientPort)) continue;
        this.segment(s, 'RA', c.version === 1 ? [mpTcpRst(0)] : []);
        this.byPort.delete(s.clientPort);
      }
    }
  }

  /**
   * The data level: a mapping's data taken in order (or kept ahead of a
   * gap), checksums checked as RFC 8684 says. 'reset' when the subflow was
   * reset for a broken mapping; `fail` the DSN to put in MP_FAIL.
   */
  private mapping(sf: PeerSubflow, len: number, mpc: Extract<MptcpOption, { name: 'MP_CAPABLE' }> | undefined, d: Extract<MptcpOption, { name: 'DSS' }> | undefined): { fail?: bigint } | 'reset' | undefined {
    const c = sf.conn;
    if (c.fallback) return len > 0 ? {} : undefined;
    let dsn: bigint | undefined;
    let ssn = 0;
    let dataLength = 0;
    let checksum: number | undefined;
    let fin = false;
    if (mpc?.dataLength !== undefined) {
      dsn = keyToIdsn(c.clientKey, 1) + 1n;
      ssn = 1;
      dataLength = mpc.dataLength;
      checksum = mpc.checksum;
    } else if (d?.dsn !== undefined) {
      dsn = d.dsn;
      ssn = d.ssn ?? 0;
      dataLength = d.dataLength ?? 0;
      checksum = d.checksum;
      fin = d.dataFin;
    }
    if (dsn === undefined) return len > 0 ? {} : undefined;
    if (dataLength === 0) {
      c.fallback = true;
      return {};
    }
    if (c.checksum !== (checksum !== undefined)) {
      this.segment(sf, 'R', c.version === 1 ? [mpTcpRst(1)] : []);
      this.byPort.delete(sf.clientPort);
      return 'reset';
    }
    if (checksum !== undefined) {
      const payloadLength = dataLength - (fin ? 1 : 0);
      const data = this.received.at(-1)!;
      const bytes = data.data.subarray(data.tcp!.payloadOffset, data.tcp!.payloadOffset + payloadLength);
      const good = dssChecksum(dsn, ssn, dataLength, bytes);
      if (good !== checksum) {
        if (!c.dataAcked) {
          c.fallback = true;
          return {};
        }
        return { fail: dsn };
      }
    }
    const end = dsn + BigInt(dataLength - (fin ? 1 : 0));
    if (fin) c.dataFinAt = end;
    if (dsn <= c.rcvDsn) c.rcvDsn = end > c.rcvDsn ? end : c.rcvDsn;
    else c.ahead.set(dsn, end);
    for (let moved = true; moved; ) {
      moved = false;
      for (const [start, stop] of c.ahead) {
        if (start <= c.rcvDsn) {
          if (stop > c.rcvDsn) c.rcvDsn = stop;
          c.ahead.delete(start);
          moved = true;
        }
      }
    }
    if (c.dataFinAt !== undefined && c.rcvDsn === c.dataFinAt) {
      c.rcvDsn += 1n;
      c.dataFinAt = undefined;
    }
    c.dataAcked = true;
    return {};
  }

  private maybeAnnounce(c: PeerConnection): void {
    const a = this.behaviour.announce;
    if (!a || c.announced || c.fallback || c.version !== 1 || !c.dataAcked) return;
    c.announced = true;
    const sf = c.subflows[0]!;
    const good = addAddrHmac(c.key, c.clientKey, 1, Uint8Array.from(a.address.split('.').map(Number)));
    this.segment(sf, 'A', [addAddr({ version: 1, addrId: 1, address: a.address, hmac: a.badHmac ? good ^ 1n : good })]);
  }
}
