/**
 * Generates the benchmark capture: MPTCP v1 connections between two hosts'
 * address pairs, each with an initial subflow (MP_CAPABLE handshake with real
 * keys) and a joined one (MP_JOIN with real tokens and HMACs), then data
 * segments client -> server with a DSS mapping each (64-bit data ACK and DSN,
 * as Linux sends them) answered by pure data ACKs. Every segment is patched
 * into a per-subflow template, so millions of packets are written in seconds.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { PcapWriter } from '../src/capture/index.js';
import { joinAckHmac, joinSynAckHmac, keyToIdsn, keyToToken } from '../src/mptcp/index.js';
import { fillIpv4Checksum, fillTcpChecksum } from '../src/wire/checksum.js';
import { encodeMptcpOption } from '../src/wire/mptcp.js';
import type { MptcpOption } from '../src/wire/types.js';

export interface GenOptions {
  packets: number;
  /** Concurrent subflows; each pair of subflows is one MPTCP connection. */
  subflows: number;
  payload: number;
}

const ETH = 14;
const IP = 20;
const TCP_FIXED = 20;
const SYN = 0x02;
const ACK = 0x10;
const PSH = 0x08;

interface Segment {
  bytes: Uint8Array;
  /** Offset of the MPTCP option (kind byte). */
  mptcpAt: number;
}

/** Ethernet + IPv4 + TCP (NOP NOP timestamps, the MPTCP option, NOP padding) + payload. */
function segment(src: number, dst: number, sport: number, dport: number, flags: number, opt: MptcpOption, payload: number): Segment {
  const mp = encodeMptcpOption(opt);
  const optLen = 12 + mp.length + ((4 - (mp.length % 4)) % 4);
  const tcpLen = TCP_FIXED + optLen;
  const len = ETH + IP + tcpLen + payload;
  const b = new Uint8Array(len);
  const v = new DataView(b.buffer);
  b.set([0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1], 0);
  v.setUint16(12, 0x0800);
  v.setUint8(ETH, 0x45);
  v.setUint16(ETH + 2, len - ETH);
  v.setUint16(ETH + 6, 0x4000);
  v.setUint8(ETH + 8, 64);
  v.setUint8(ETH + 9, 6);
  v.setUint32(ETH + 12, src);
  v.setUint32(ETH + 16, dst);
  const t = ETH + IP;
  v.setUint16(t, sport);
  v.setUint16(t + 2, dport);
  v.setUint8(t + 12, (tcpLen / 4) << 4);
  v.setUint8(t + 13, flags);
  v.setUint16(t + 14, flags & SYN ? 64240 : 2000);
  b.set([1, 1, 8, 10], t + TCP_FIXED);
  const mptcpAt = t + TCP_FIXED + 12;
  b.set(mp, mptcpAt);
  for (let o = mptcpAt + mp.length; o < t + tcpLen; o++) b[o] = 1;
  for (let k = 0; k < payload; k++) b[t + tcpLen + k] = 0x61 + (k % 26);
  return { bytes: b, mptcpAt };
}

function dss(mapping: boolean): MptcpOption {
  return {
    name: 'DSS', subtype: 2, length: mapping ? 26 : 12, flags: mapping ? 0x0f : 0x03, dataFin: false,
    dataAck: 0n, dataAckWidth: 8,
    dsn: mapping ? 0n : undefined, dsnWidth: mapping ? 8 : undefined,
    ssn: mapping ? 0 : undefined, dataLength: mapping ? 0 : undefined,
    infiniteMapping: false,
  };
}

/** One direction pair of one subflow, with its sequence state. */
interface Subflow {
  data: Segment;
  ack: Segment;
  cSeq: number; // client's next sequence number
  sSeq: number;
  cIsn: number;
}

interface Connection {
  subflows: [Subflow, Subflow];
  cDsn: bigint; // client's next DSN
  sDsn: bigint;
}

function addr(a: number, b: number, c: number, d: number): number {
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

export function generate(path: string, opts: GenOptions): void {
  const fd = openSync(path, 'w');
  const writer = new PcapWriter((chunk) => { writeSync(fd, chunk); }, { linkType: 1, nano: false });
  let n = 0;
  let sec = 1_700_000_000;
  let usec = 0;
  const emit = (bytes: Uint8Array): void => {
    fillIpv4Checksum(bytes, ETH);
    fillTcpChecksum(bytes, ETH, ETH + IP);
    if (++usec === 1_000_000) { usec = 0; sec++; }
    n++;
    writer.write({ number: n, linkType: 1, tsSec: sec, tsNsec: usec * 1000, tsDigits: 6, origLen: bytes.length, data: bytes, ifIndex: 0 });
  };
  const setSeqAck = (s: Segment, seq: number, ack: number): void => {
    const v = new DataView(s.bytes.buffer);
    v.setUint32(ETH + IP + 4, seq >>> 0);
    v.setUint32(ETH + IP + 8, ack >>> 0);
    v.setUint32(ETH + IP + TCP_FIXED + 4, n >>> 0); // TSval
  };

  const connections: Connection[] = [];
  const nConn = Math.max(1, Math.floor(opts.subflows / 2));
  for (let i = 0; i < nConn && n < opts.packets; i++) {
    const kc = 0x1000_0000_0000_0000n + BigInt(i) * 0x9e37_79b9n;
    const ks = 0x2000_0000_0000_0000n + BigInt(i) * 0x7f4a_7c15n;
    const hostC = [addr(10, 1, i >> 8, i & 0xff), addr(10, 2, i >> 8, i & 0xff)];
    const hostS = addr(10, 200, 0, 1);
    const subs: Subflow[] = [];
    for (let k = 0; k < 2; k++) {
      const sport = 30000 + (i % 30000);
      const cIsn = (i * 2654435761 + k * 97) >>> 0;
      const sIsn = (cIsn ^ 0x5a5a5a5a) >>> 0;
      const nonceC = 0x1234 + i;
      const nonceS = 0x5678 + i;
      // Handshake: MP_CAPABLE on the first subflow, MP_JOIN on the second.
      const hs: Array<[number, number, number, number, number, MptcpOption, number, number]> = k === 0
        ? [
            [hostC[0]!, hostS, sport, 443, SYN, { name: 'MP_CAPABLE', subtype: 0, length: 4, version: 1, flags: 0x01 }, cIsn, 0],
            [hostS, hostC[0]!, 443, sport, SYN | ACK, { name: 'MP_CAPABLE', subtype: 0, length: 12, version: 1, flags: 0x01, senderKey: ks }, sIsn, cIsn + 1],
            [hostC[0]!, hostS, sport, 443, ACK, { name: 'MP_CAPABLE', subtype: 0, length: 20, version: 1, flags: 0x01, senderKey: kc, receiverKey: ks }, cIsn + 1, sIsn + 1],
          ]
        : [
            [hostC[1]!, hostS, sport, 443, SYN, { name: 'MP_JOIN', subtype: 1, length: 12, phase: 'syn', backup: false, addrId: 1, token: keyToToken(ks, 1), nonce: nonceC }, cIsn, 0],
            [hostS, hostC[1]!, 443, sport, SYN | ACK, { name: 'MP_JOIN', subtype: 1, length: 16, phase: 'synack', backup: false, addrId: 0, truncatedHmac: joinSynAckHmac(1, ks, kc, nonceS, nonceC), nonce: nonceS }, sIsn, cIsn + 1],
            [hostC[1]!, hostS, sport, 443, ACK, { name: 'MP_JOIN', subtype: 1, length: 24, phase: 'ack', backup: false, addrId: 0, hmac: joinAckHmac(1, kc, ks, nonceC, nonceS) }, cIsn + 1, sIsn + 1],
          ];
      for (const [src, dst, sp, dp, flags, opt, seq, ack] of hs) {
        const s = segment(src, dst, sp, dp, flags, opt, 0);
        setSeqAck(s, seq, ack);
        emit(s.bytes);
      }
      subs.push({
        data: segment(hostC[k]!, hostS, sport, 443, ACK | PSH, dss(true), opts.payload),
        ack: segment(hostS, hostC[k]!, 443, sport, ACK, dss(false), 0),
        cSeq: (cIsn + 1) >>> 0, sSeq: (sIsn + 1) >>> 0, cIsn,
      });
    }
    connections.push({ subflows: subs as [Subflow, Subflow], cDsn: keyToIdsn(kc, 1) + 1n, sDsn: keyToIdsn(ks, 1) + 1n });
  }

  // Data: each round visits every connection, alternating its subflows; a mapping per segment, then its data ACK.
  for (let round = 0; n < opts.packets; round++) {
    for (const c of connections) {
      if (n >= opts.packets) break;
      const sf = c.subflows[round & 1]!;
      const d = sf.data;
      const dv = new DataView(d.bytes.buffer);
      setSeqAck(d, sf.cSeq, sf.sSeq);
      dv.setBigUint64(d.mptcpAt + 4, c.sDsn);
      dv.setBigUint64(d.mptcpAt + 12, c.cDsn);
      dv.setUint32(d.mptcpAt + 20, (sf.cSeq - sf.cIsn) >>> 0);
      dv.setUint16(d.mptcpAt + 24, opts.payload);
      emit(d.bytes);
      sf.cSeq = (sf.cSeq + opts.payload) >>> 0;
      c.cDsn += BigInt(opts.payload);
      if (n >= opts.packets) break;
      const a = sf.ack;
      setSeqAck(a, sf.sSeq, sf.cSeq);
      new DataView(a.bytes.buffer).setBigUint64(a.mptcpAt + 4, c.cDsn);
      emit(a.bytes);
    }
  }
  writer.close();
  closeSync(fd);
}
