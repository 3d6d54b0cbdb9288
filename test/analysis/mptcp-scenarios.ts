/**
 * Crafted MPTCP captures, one per hard case, each built from a few lines
 * that read like the trace they produce. Keys were picked so their IDSNs sit
 * just below 2^32 (v0 0x9ead: IDSN 0x62531ad7ffffbd43; v1 0x3a61: IDSN
 * 0xa4e7b27cffff9c5a), so a few segments carry 32-bit DSNs across 2^32.
 */
import {
  addAddrHmac, dssChecksum, joinAckHmac, joinSynAckHmac, keyToIdsn, keyToToken,
} from '../../src/mptcp/index.js';
import {
  Capture, Conversation, addAddr, capable, dss, fastclose, joinAck, joinSyn, joinSynAck, mpFail, prio, removeAddr, tcpRst,
} from './mptcp-craft.js';
import type { Host } from './mptcp-craft.js';

export const CLIENT: Host = { ip: '10.0.0.1', port: 40000 };
export const SERVER: Host = { ip: '10.0.0.2', port: 5201 };
export const CLIENT2: Host = { ip: '10.0.1.1', port: 40001 };
export const SERVER2: Host = { ip: '10.0.1.2', port: 5201 };

export const V0_KEY_A = 0x9eadn;
export const V1_KEY_A = 0x3a61n;
export const KEY_B = 0x1122334455667788n;

const H = 0x01;
const A = 0x80;
const C = 0x20;

const low32 = (v: bigint): bigint => BigInt.asUintN(32, v);
const add64 = (v: bigint, n: number): bigint => BigInt.asUintN(64, v + BigInt(n));

/** A connection's handshake on `sf` and the IDSNs it sets up. */
export function handshake(
  sf: Conversation, version: 0 | 1, keyA: bigint, keyB: bigint, flags = H, synAckFlags = flags, echo: [bigint, bigint] = [keyA, keyB],
): { idsnA: bigint; idsnB: bigint } {
  sf.send(0, { flags: 'S', options: [capable(version, flags, version === 0 ? keyA : undefined)] });
  sf.send(1, { flags: 'SA', options: [capable(version, synAckFlags, keyB)] });
  sf.send(0, { options: [capable(version, flags, echo[0], echo[1])] });
  return { idsnA: keyToIdsn(keyA, version), idsnB: keyToIdsn(keyB, version) };
}

/** v0, 32-bit DSNs and data ACKs: the client's DSNs cross 2^32 in the second segment. */
export function wrap32(): Capture {
  const cap = new Capture();
  const sf = new Conversation(cap, CLIENT, SERVER);
  const { idsnA, idsnB } = handshake(sf, 0, V0_KEY_A, KEY_B);
  let dsn = add64(idsnA, 1);
  for (let i = 0; i < 3; i++) {
    sf.send(0, { payload: 10000, options: [dss({ ack: low32(add64(idsnB, 1)), dsn: low32(dsn), ssn: sf.rel(0), len: 10000 })] });
    dsn = add64(dsn, 10000);
    sf.send(1, { options: [dss({ ack: low32(dsn) })] });
  }
  return cap;
}

/** v1: a 32-bit DSN with a 64-bit data ACK, then a 64-bit DSN with a 32-bit data ACK, across 2^32. */
export function mixedWidths(): Capture {
  const cap = new Capture();
  const sf = new Conversation(cap, CLIENT, SERVER);
  const { idsnA, idsnB } = handshake(sf, 1, V1_KEY_A, KEY_B);
  let dsn = add64(idsnA, 1);
  const ackB = add64(idsnB, 1);
  for (let i = 0; i < 2; i++) {
    sf.send(0, { payload: 15000, options: [dss({ ack: ackB, ack8: true, dsn: low32(dsn), ssn: sf.rel(0), len: 15000 })] });
    dsn = add64(dsn, 15000);
    sf.send(1, { options: [dss({ ack: dsn, ack8: true })] });
  }
  for (let i = 0; i < 2; i++) {
    sf.send(0, { payload: 15000, options: [dss({ ack: low32(ackB), dsn, dsn8: true, ssn: sf.rel(0), len: 15000 })] });
    dsn = add64(dsn, 15000);
    sf.send(1, { options: [dss({ ack: low32(dsn) })] });
  }
  return cap;
}

/** v1 SYN/ACK with the C flag (no new subflows to the server's address): a valid option. */
export function cFlag(): Capture {
  const cap = new Capture();
  const sf = new Conversation(cap, CLIENT, SERVER);
  const { idsnA, idsnB } = handshake(sf, 1, V1_KEY_A, KEY_B, H, H | C);
  sf.send(0, { payload: 100, options: [dss({ ack: add64(idsnB, 1), ack8: true, dsn: add64(idsnA, 1), dsn8: true, ssn: 1, len: 100 })] });
  return cap;
}

/** v0 third ACK echoing a server key other than the SYN/ACK's. */
export function wrongEcho(): Capture {
  const cap = new Capture();
  const sf = new Conversation(cap, CLIENT, SERVER);
  handshake(sf, 0, V0_KEY_A, KEY_B, H, H, [V0_KEY_A, KEY_B ^ 1n]);
  return cap;
}

/** A join whose SYN/ACK HMAC is wrong (its third ACK's is right), and a join naming an unknown token. */
export function badJoin(): Capture {
  const cap = new Capture();
  const sf = new Conversation(cap, CLIENT, SERVER);
  handshake(sf, 1, V1_KEY_A, KEY_B);
  const j = new Conversation(cap, CLIENT2, SERVER2, 7000, 9000);
  const ra = 0x01020304;
  const rb = 0x0a0b0c0d;
  j.send(0, { flags: 'S', options: [joinSyn(keyToToken(KEY_B, 1), ra, 2)] });
  j.send(1, { flags: 'SA', options: [joinSynAck(joinSynAckHmac(1, KEY_B, V1_KEY_A, rb, ra) ^ 1n, rb, 0)] });
  j.send(0, { options: [joinAck(joinAckHmac(1, V1_KEY_A, KEY_B, ra, rb))] });
  j.send(1, { flags: 'R' });
  const u = new Conversation(cap, { ip: '10.0.2.1', port: 40002 }, SERVER2, 11000, 12000);
  u.send(0, { flags: 'S', options: [joinSyn(0xdeadbeef, 5, 3)] });
  u.send(0, { flags: 'S', options: [joinSyn(0xdeadbeef, 5, 3)], seq: 11000 });
  u.send(1, { flags: 'RA' });
  return cap;
}

/**
 * v0 with checksums: a one-segment mapping, a 64 KB mapping over 45
 * segments, a wrong checksum, a segment cut by the snap length then
 * retransmitted whole, and a cut one never retransmitted.
 */
export function checksums(): Capture {
  const cap = new Capture();
  const sf = new Conversation(cap, CLIENT, SERVER);
  const { idsnA, idsnB } = handshake(sf, 0, V0_KEY_A, KEY_B, A | H);
  const ack = low32(add64(idsnB, 1));
  let dsn = add64(idsnA, 1);
  const map = (len: number, segs: number[], opts: { wrong?: boolean; snapFirst?: number; retransmit?: boolean } = {}): void => {
    const ssn = sf.rel(0);
    const start = sf.next[0];
    const payload = new Uint8Array(len);
    for (let i = 0; i < len; i++) payload[i] = (i * 7 + len) & 0xff;
    const csum = dssChecksum(dsn, ssn, len, payload) ^ (opts.wrong ? 0x5a5a : 0);
    let off = 0;
    segs.forEach((n, k) => {
      const options = k === 0 ? [dss({ ack, dsn: low32(dsn), ssn, len, checksum: csum })] : [dss({ ack })];
      sf.send(0, { payload: payload.slice(off, off + n), options, snap: k === 0 ? opts.snapFirst : undefined });
      off += n;
    });
    if (opts.retransmit) {
      sf.send(0, { payload: payload.slice(0, segs[0]), seq: start, options: [dss({ ack, dsn: low32(dsn), ssn, len, checksum: csum })] });
    }
    dsn = add64(dsn, len);
    sf.send(1, { options: [dss({ ack: low32(dsn) })] });
  };
  map(500, [500]);
  map(65000, [...Array(44).fill(1448), 65000 - 44 * 1448]);
  map(700, [700], { wrong: true });
  map(1000, [1000], { snapFirst: 100, retransmit: true });
  map(800, [800], { snapFirst: 200 });
  return cap;
}

/** A capture starting mid-connection: no handshake, 64-bit DSNs and data ACKs, and an odd ISN. */
export function midConnection(): Capture {
  const cap = new Capture();
  const sf = new Conversation(cap, CLIENT, SERVER, 0x7ffffff0, 0x12345678);
  // Pretend 100 bytes went before the capture started on both levels.
  sf.next[0] = (sf.next[0] + 101) >>> 0;
  let dsn = 0x0123456789abcdefn;
  const ack = 0x0fedcba987654321n;
  for (let i = 0; i < 3; i++) {
    sf.send(0, { payload: 1000, options: [dss({ ack, ack8: true, dsn, dsn8: true, ssn: sf.rel(0), len: 1000 })] });
    dsn = add64(dsn, 1000);
    sf.send(1, { options: [dss({ ack: dsn, ack8: true })] });
  }
  return cap;
}

/**
 * Two subflows: new data, a reinjection of it on the second subflow, a
 * data-level retransmission on the first subflow under new subflow sequence
 * numbers, and a plain TCP retransmission; then ADD_ADDR (good and bad
 * HMACs, an echo), a join to the advertised address, MP_PRIO, REMOVE_ADDR,
 * DATA_FIN both ways, MP_TCPRST and MP_FASTCLOSE.
 */
export function twoSubflows(): Capture {
  const cap = new Capture();
  const sf = new Conversation(cap, CLIENT, SERVER);
  const { idsnA, idsnB } = handshake(sf, 1, V1_KEY_A, KEY_B);
  const ackB = add64(idsnB, 1);
  const srv2 = new Uint8Array([10, 0, 1, 2]);
  sf.send(1, { options: [addAddr(5, '10.0.1.2', { hmac: addAddrHmac(KEY_B, V1_KEY_A, 5, srv2) }), dss({ ack: add64(idsnA, 1), ack8: true })] });
  sf.send(1, { options: [addAddr(6, '10.0.9.9', { hmac: 0x1234n }), dss({ ack: add64(idsnA, 1), ack8: true })] });
  sf.send(0, { options: [addAddr(5, '10.0.1.2', { echo: true }), dss({ ack: ackB, ack8: true })] });
  const j = new Conversation(cap, CLIENT2, SERVER2, 7000, 9000);
  const ra = 0x01020304;
  const rb = 0x0a0b0c0d;
  j.send(0, { flags: 'S', options: [joinSyn(keyToToken(KEY_B, 1), ra, 2, true)] });
  j.send(1, { flags: 'SA', options: [joinSynAck(joinSynAckHmac(1, KEY_B, V1_KEY_A, rb, ra), rb, 5)] });
  j.send(0, { options: [joinAck(joinAckHmac(1, V1_KEY_A, KEY_B, ra, rb))] });
  j.send(1, { options: [dss({ ack: add64(idsnA, 1), ack8: true })] });
  const d1 = add64(idsnA, 1);
  const seq1 = sf.next[0];
  sf.send(0, { payload: 1000, options: [dss({ ack: ackB, ack8: true, dsn: d1, dsn8: true, ssn: sf.rel(0), len: 1000 })] }); // new data
  j.send(0, { payload: 1000, options: [dss({ ack: ackB, ack8: true, dsn: d1, dsn8: true, ssn: j.rel(0), len: 1000 })] }); // reinjection
  sf.send(0, { payload: 1000, options: [dss({ ack: ackB, ack8: true, dsn: d1, dsn8: true, ssn: sf.rel(0), len: 1000 })] }); // data-level retransmission
  sf.send(0, { payload: 1000, seq: seq1, options: [dss({ ack: ackB, ack8: true })] }); // TCP retransmission
  const d2 = add64(d1, 1000);
  sf.send(1, { options: [dss({ ack: d2, ack8: true })] });
  j.send(0, { options: [prio(false), dss({ ack: ackB, ack8: true })] });
  sf.send(1, { options: [removeAddr(6), dss({ ack: d2, ack8: true })] });
  sf.send(0, { options: [dss({ ack: ackB, ack8: true, dsn: d2, dsn8: true, ssn: 0, len: 1, fin: true })] });
  sf.send(1, { options: [dss({ ack: add64(d2, 1), ack8: true, dsn: ackB, dsn8: true, ssn: 0, len: 1, fin: true })] });
  sf.send(0, { options: [dss({ ack: add64(ackB, 1), ack8: true })] });
  j.send(0, { flags: 'RA', options: [tcpRst(2), fastclose(KEY_B)] });
  sf.send(0, { flags: 'RA', options: [fastclose(KEY_B ^ 0xffn)] });
  return cap;
}

/** Fallbacks: a server without MPTCP; options removed mid-stream; an infinite mapping after MP_FAIL. */
export function fallbacks(): Capture {
  const cap = new Capture();
  const plain = new Conversation(cap, CLIENT, SERVER);
  plain.send(0, { flags: 'S', options: [capable(1, H)] });
  plain.send(1, { flags: 'SA' });
  plain.send(0, {});
  plain.send(0, { payload: 100 });

  const stripped = new Conversation(cap, CLIENT2, SERVER, 3000, 4000);
  const s = handshake(stripped, 1, V1_KEY_A + 1n, KEY_B + 1n);
  stripped.send(0, { payload: 100, options: [dss({ ack: add64(s.idsnB, 1), ack8: true, dsn: add64(s.idsnA, 1), dsn8: true, ssn: 1, len: 100 })] });
  stripped.send(0, { payload: 100 });

  const failing = new Conversation(cap, { ip: '10.0.2.1', port: 40003 }, SERVER, 5000, 6000);
  const f = handshake(failing, 0, V0_KEY_A + 2n, KEY_B + 2n, A | H);
  const dsn = add64(f.idsnA, 1);
  failing.send(0, { payload: 100, options: [dss({ ack: low32(add64(f.idsnB, 1)), dsn: low32(dsn), ssn: 1, len: 100, checksum: 0 })] });
  failing.send(1, { options: [mpFail(dsn)] });
  failing.send(0, { payload: 100, options: [dss({ ack: low32(add64(f.idsnB, 1)), dsn: low32(add64(dsn, 100)), ssn: 0, len: 0, checksum: 0 })] });
  failing.send(0, { payload: 100 });
  return cap;
}

/** v1 whose third ACK is lost before the capture point: the first data packet's MP_CAPABLE brings the client's key and maps its data. */
export function v1LostThirdAck(): Capture {
  const cap = new Capture();
  const sf = new Conversation(cap, CLIENT, SERVER);
  sf.send(0, { flags: 'S', options: [capable(1, H)] });
  sf.send(1, { flags: 'SA', options: [capable(1, H, KEY_B)] });
  sf.send(0, { flags: 'PA', payload: 300, options: [capable(1, H, V1_KEY_A, KEY_B, { dataLength: 500 })] });
  sf.send(0, { flags: 'PA', payload: 200, options: [dss({ ack: add64(keyToIdsn(KEY_B, 1), 1), ack8: true })] });
  sf.send(1, { options: [dss({ ack: add64(keyToIdsn(V1_KEY_A, 1), 501), ack8: true })] });
  return cap;
}
