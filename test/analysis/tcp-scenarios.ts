/**
 * Hand-built TCP conversations, one per analysis rule, each with the frames
 * where the rule fires. The tests check the expectations directly and, when
 * tshark is installed, compare every analysis field and the Info column
 * with tshark's on the same packets.
 */
import { Talk, Timeline, ipFrame, synOpts, tcpSegment } from './tcp-craft.js';

export interface Scenario {
  name: string;
  timeline: Timeline;
  /** Frame number to the Info prefix mpscope must give it (exactly), for the frames that matter. */
  notes: Record<number, string>;
}

const C = 5000;
const S = 1000;
let nextPort = 41000;

/** A client/server pair on fresh ports (no application dissector claims port 45000). */
function talk(tl: Timeline): Talk {
  return new Talk(tl, { ip: '10.0.0.1', port: nextPort++ }, { ip: '10.0.0.2', port: 45000 });
}

/** Three-way handshake with optional window scale shifts; client ISN C, server ISN S. */
function handshake(t: Talk, ws?: number, serverWs = ws, serverWin = 65160): Talk {
  t.a({ seq: C, f: 'S', opts: synOpts(ws), win: 64240 });
  t.b({ seq: S, ack: C + 1, f: 'SA', opts: synOpts(serverWs), win: serverWin });
  t.a({ seq: C + 1, ack: S + 1, win: 502 });
  return t;
}

function scenario(name: string, build: (t: Talk, tl: Timeline) => void, notes: Record<number, string>): Scenario {
  const timeline = new Timeline();
  build(talk(timeline), timeline);
  return { name, timeline, notes };
}

const r = (x: number) => x >>> 0;

export const SCENARIOS: Scenario[] = [
  scenario('handshake, data, relative numbers, ACK RTT', (t) => {
    handshake(t, 7);
    t.a({ seq: C + 1, ack: S + 1, f: 'PA', len: 100, win: 502 });
    t.b({ seq: S + 1, ack: C + 101, win: 509, dt: 0.02 });
  }, { 4: '', 5: '' }),

  scenario('retransmission after a timeout', (t) => {
    handshake(t);
    t.a({ seq: C + 1, ack: S + 1, f: 'PA', len: 100, win: 502 });
    t.a({ seq: C + 1, ack: S + 1, f: 'PA', len: 100, win: 502, dt: 0.3 });
    t.b({ seq: S + 1, ack: C + 101, win: 509 });
  }, { 5: '[TCP Retransmission] ' }),

  scenario('three duplicate ACKs and a fast retransmission', (t) => {
    handshake(t);
    for (let i = 0; i < 4; i++) t.a({ seq: C + 1 + 100 * i, ack: S + 1, f: 'A', len: 100, win: 502 });
    t.b({ seq: S + 1, ack: C + 101, win: 509 });
    t.b({ seq: S + 1, ack: C + 101, win: 509 });
    t.b({ seq: S + 1, ack: C + 101, win: 509 });
    t.b({ seq: S + 1, ack: C + 101, win: 509 });
    t.a({ seq: C + 101, ack: S + 1, f: 'A', len: 100, win: 502 });
  }, { 9: '[TCP Dup ACK 8#1] ', 10: '[TCP Dup ACK 8#2] ', 11: '[TCP Dup ACK 8#3] ', 12: '[TCP Fast Retransmission] ' }),

  scenario('spurious retransmission of acknowledged data', (t) => {
    handshake(t);
    t.a({ seq: C + 1, ack: S + 1, f: 'PA', len: 100, win: 502 });
    t.b({ seq: S + 1, ack: C + 101, win: 509 });
    t.a({ seq: C + 1, ack: S + 1, f: 'PA', len: 100, win: 502, dt: 0.2 });
  }, { 6: '[TCP Spurious Retransmission] ' }),

  scenario('lost segment, out-of-order fill, ACKed unseen segment', (t) => {
    handshake(t);
    t.a({ seq: C + 1, ack: S + 1, f: 'PA', len: 100, win: 502 });
    t.a({ seq: C + 201, ack: S + 1, f: 'PA', len: 100, win: 502 });
    t.a({ seq: C + 101, ack: S + 1, f: 'PA', len: 100, win: 502, dt: 0.0005 });
    t.b({ seq: S + 1, ack: C + 401, win: 509 });
    t.b({ seq: S + 1, ack: C + 401, win: 509 });
  }, { 5: '[TCP Previous segment not captured] ', 6: '[TCP Out-Of-Order] ', 7: '[TCP ACKed unseen segment] ', 8: '[TCP Dup ACK 7#1] ' }),

  scenario('window update, window full, zero window, probes and their ACKs', (t) => {
    handshake(t, 0, 0, 100);
    t.a({ seq: C + 1, ack: S + 1, f: 'PA', len: 100, win: 502 });
    t.b({ seq: S + 1, ack: C + 101, win: 200 });
    t.b({ seq: S + 1, ack: C + 101, win: 300 });
    t.a({ seq: C + 101, ack: S + 1, f: 'PA', len: 300, win: 502 });
    t.b({ seq: S + 1, ack: C + 401, win: 0 });
    t.a({ seq: C + 401, ack: S + 1, f: 'A', len: 1, win: 502, dt: 0.2 });
    t.b({ seq: S + 1, ack: C + 401, win: 0 });
    t.a({ seq: C + 401, ack: S + 1, f: 'A', len: 1, win: 502, dt: 0.4 });
    t.b({ seq: S + 1, ack: C + 401, win: 0 });
    t.b({ seq: S + 1, ack: C + 401, win: 1000 });
  }, {
    4: '[TCP Window Full] ', 6: '[TCP Window Update] ', 7: '[TCP Window Full] ', 8: '[TCP ZeroWindow] ',
    9: '[TCP ZeroWindowProbe] ', 10: '[TCP ZeroWindowProbeAck] [TCP ZeroWindow] ', 11: '[TCP ZeroWindowProbe] ',
    12: '[TCP ZeroWindowProbeAck] [TCP ZeroWindow] ', 13: '[TCP Window Update] ',
  }),

  scenario('keep-alives and their ACKs', (t) => {
    handshake(t);
    t.a({ seq: C + 1, ack: S + 1, f: 'PA', len: 10, win: 502 });
    t.b({ seq: S + 1, ack: C + 11, win: 509 });
    t.a({ seq: C + 10, ack: S + 1, win: 502, dt: 60 });
    t.b({ seq: S + 1, ack: C + 11, win: 509 });
    t.a({ seq: C + 10, ack: S + 1, len: 1, win: 502, dt: 60 });
    t.b({ seq: S + 1, ack: C + 11, win: 509 });
  }, { 6: '[TCP Keep-Alive] ', 7: '[TCP Keep-Alive ACK] ', 8: '[TCP Keep-Alive] ', 9: '[TCP Keep-Alive ACK] ' }),

  scenario('port reuse: a new SYN after the close, a SYN/ACK with a new ISN', (t) => {
    handshake(t);
    t.a({ seq: C + 1, ack: S + 1, f: 'FA', win: 502 });
    t.b({ seq: S + 1, ack: C + 2, f: 'FA', win: 502 });
    t.a({ seq: C + 2, ack: S + 2, win: 502 });
    t.a({ seq: C + 90000, f: 'S', opts: synOpts(2), win: 64240, dt: 5 });
    t.b({ seq: S + 70000, ack: C + 90001, f: 'SA', opts: synOpts(3), win: 65160 });
    t.a({ seq: C + 90001, ack: S + 70001, win: 502 });
    t.b({ seq: S + 80000, ack: C + 90001, f: 'SA', opts: synOpts(3), win: 65160 });
  }, { 7: '[TCP Port numbers reused] ', 10: '[TCP Previous segment not captured] [TCP Port numbers reused] ' }),

  scenario('SYN retransmission and scales: a shift above 14, a SYN/ACK without the option', (t) => {
    t.a({ seq: C, f: 'S', opts: synOpts(15), win: 64240 });
    t.a({ seq: C, f: 'S', opts: synOpts(15), win: 64240, dt: 1 });
    t.b({ seq: S, ack: C + 1, f: 'SA', opts: synOpts(), win: 65160 });
    t.a({ seq: C + 1, ack: S + 1, win: 502 });
    t.b({ seq: S + 1, ack: C + 1, win: 3 });
  }, { 2: '[TCP Retransmission] ', 5: '[TCP Window Update] ' }),

  scenario('sequence numbers wrapping 2^32', (t) => {
    const W = 0xffffff00;
    t.a({ seq: W, f: 'S', opts: synOpts(), win: 64240 });
    t.b({ seq: S, ack: r(W + 1), f: 'SA', opts: synOpts(), win: 65160 });
    t.a({ seq: r(W + 1), ack: S + 1, win: 502 });
    t.a({ seq: r(W + 1), ack: S + 1, f: 'PA', len: 0xa0, win: 502 });
    t.b({ seq: S + 1, ack: r(W + 0x200), win: 509 });
    t.a({ seq: r(W + 0x150), ack: S + 1, f: 'PA', len: 0x10, win: 502 });
    t.b({ seq: S + 1, ack: r(W + 0x200), win: 509 });
    t.a({ seq: r(W + 0x160), ack: S + 1, f: 'PA', len: 0x200, win: 502 });
  }, {
    5: '[TCP ACKed unseen segment] ', 6: '[TCP Previous segment not captured] [TCP Spurious Retransmission] ',
    7: '[TCP Dup ACK 5#1] [TCP ACKed unseen segment] ',
  }),

  scenario('SACK blocks shrink the bytes in flight', (t) => {
    handshake(t);
    for (let i = 0; i < 5; i++) t.a({ seq: C + 1 + 100 * i, ack: S + 1, f: 'A', len: 100, win: 502 });
    const sack = (l: number, rr: number) => `0101 050a ${r(l).toString(16).padStart(8, '0')} ${r(rr).toString(16).padStart(8, '0')}`;
    t.b({ seq: S + 1, ack: C + 101, win: 509, opts: sack(C + 201, C + 401) });
    t.a({ seq: C + 501, ack: S + 1, f: 'A', len: 100, win: 502 });
  }, { 9: '', 10: '' }),

  scenario('midstream start: no handshake, unknown window scale', (t) => {
    t.a({ seq: C, ack: S, f: 'PA', len: 10, win: 502 });
    t.b({ seq: S, ack: C + 10, win: 509 });
    t.a({ seq: C + 10, ack: S, f: 'PA', len: 10, win: 502 });
  }, { 1: '', 2: '' }),

  scenario('RST in the middle, then a new connection on the same ports', (t) => {
    handshake(t);
    t.a({ seq: C + 1, ack: S + 1, f: 'PA', len: 10, win: 502 });
    t.b({ seq: S + 1, ack: C + 11, f: 'RA', win: 0 });
    t.a({ seq: C + 5000, f: 'S', opts: synOpts(), win: 64240, dt: 1 });
    t.b({ seq: S + 9000, ack: C + 5001, f: 'SA', opts: synOpts(), win: 65160 });
  }, { 5: '', 6: '[TCP Port numbers reused] ' }),

  scenario('IPv6 conversation', (_t, tl) => {
    const t6 = new Talk(tl, { ip: '20010db8000000000000000000000001', port: 41999 }, { ip: '20010db8000000000000000000000002', port: 45000 });
    handshake(t6, 6);
    t6.a({ seq: C + 1, ack: S + 1, f: 'PA', len: 100, win: 502 });
    t6.a({ seq: C + 1, ack: S + 1, f: 'PA', len: 100, win: 502, dt: 0.3 });
  }, { 5: '[TCP Retransmission] ' }),

  scenario('ICMP error quoting a TCP header before its conversation', (t, tl) => {
    const quoted = ipFrame('10.0.0.9', '10.0.0.2', 6, tcpSegment({ ip: '10.0.0.9', port: 33333 }, { ip: '10.0.0.2', port: 45000 }, { seq: 77, f: 'S' }));
    const ipPart = quoted.subarray(14);
    const icmp = new Uint8Array(8 + ipPart.length);
    icmp[0] = 3;
    icmp[1] = 1;
    icmp.set(ipPart, 8);
    tl.push(ipFrame('10.0.0.254', '10.0.0.9', 1, icmp));
    handshake(t);
    new Talk(tl, { ip: '10.0.0.9', port: 33333 }, { ip: '10.0.0.2', port: 45000 }).a({ seq: 77, f: 'S', opts: synOpts(), win: 64240 });
  }, { 5: '' }),
];

/** MPTCP DSS with a 4-byte data ACK, as option hex. */
export const dssAck = (dataAck: number, fin = false) => `1e08 20${fin ? '11' : '01'} ${r(dataAck).toString(16).padStart(8, '0')}`;

/**
 * An MPTCP subflow whose pure ACKs repeat the TCP ACK while the data ACK
 * moves on: tshark calls them duplicate ACKs, mpscope does not.
 */
export function mptcpDataAckScenario(): Scenario {
  return scenario('MPTCP: a new data ACK on an otherwise identical ACK', (t) => {
    t.a({ seq: C, f: 'S', opts: '1e0c 0081 1122334455667788', win: 64240 });
    t.b({ seq: S, ack: C + 1, f: 'SA', opts: '1e0c 0081 99aabbccddeeff00', win: 65160 });
    t.a({ seq: C + 1, ack: S + 1, win: 502, opts: '1e14 0081 1122334455667788 99aabbccddeeff00' });
    t.b({ seq: S + 1, ack: C + 1, win: 509, opts: dssAck(100) });
    t.b({ seq: S + 1, ack: C + 1, win: 509, opts: dssAck(200) });
    t.b({ seq: S + 1, ack: C + 1, win: 509, opts: dssAck(200) });
    t.b({ seq: S + 1, ack: C + 1, win: 509, opts: dssAck(200, true) });
    t.b({ seq: S + 1, ack: C + 1, win: 509, opts: `${dssAck(200)} 1e08 3101 0a000009` });
  }, { 5: '', 6: '[TCP Dup ACK 5#1] ', 7: '', 8: '' });
}

/**
 * A bulk transfer seen at the receiver through a lossy, reordering path:
 * lost segments are missing from the capture, the receiver sends duplicate
 * ACKs with SACK blocks, the sender retransmits (fast or after a timeout),
 * and the receiver's window opens and closes. Seeded, so it reproduces.
 */
export function lossyTransfer(seed: number, segments = 400): Timeline {
  let s = seed >>> 0;
  const rand = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296);
  const tl = new Timeline();
  const t = new Talk(tl, { ip: '10.9.0.1', port: 40000 + (seed % 1000) }, { ip: '10.9.0.2', port: 45000 });
  const mss = 1000;
  const isn = (seed * 2654435761) >>> 0;
  const at = (i: number) => r(isn + 1 + i * mss);
  t.a({ seq: isn, f: 'S', opts: synOpts(3), win: 64240 });
  t.b({ seq: S, ack: r(isn + 1), f: 'SA', opts: synOpts(2), win: 65160, dt: 0.01 });
  t.a({ seq: r(isn + 1), ack: S + 1, win: 8000, dt: 0.01 });
  const received = new Set<number>();
  let cum = 0;
  let dups = 0;
  let pending: number[] = [];
  let window = 4000;
  const ackNow = (dt: number) => {
    while (received.has(cum)) cum++;
    const above = [...received].filter((i) => i > cum).sort((x, y) => x - y);
    let opts = '';
    if (above.length > 0) {
      const left = above[0]!;
      let right = left;
      while (received.has(right + 1)) right++;
      opts = `0101 050a ${at(left).toString(16).padStart(8, '0')} ${at(right + 1).toString(16).padStart(8, '0')}`;
    }
    const roll = rand();
    if (roll < 0.02) window = 0;
    else if (roll < 0.1 || window === 0) window = 2000 + Math.floor(rand() * 4000);
    t.b({ seq: S + 1, ack: at(cum), win: window, opts, dt });
    return above.length > 0;
  };
  for (let i = 0; i < segments; i++) {
    pending.push(i);
    if (rand() < 0.1) pending.reverse();
    if (pending.length < 2 && i < segments - 1) continue;
    for (const k of pending) {
      if (rand() < 0.08) continue;
      received.add(k);
      t.a({ seq: at(k), ack: S + 1, f: rand() < 0.3 ? 'PA' : 'A', len: mss, win: 8000, dt: 0.0002 + rand() * 0.002 });
    }
    pending = [];
    if (ackNow(0.0001 + rand() * 0.003)) dups++;
    else dups = 0;
    // The sender resends the hole after three duplicates (fast) or, sometimes, much later (timeout).
    if (dups >= 3 || (dups > 0 && rand() < 0.05)) {
      received.add(cum);
      t.a({ seq: at(cum), ack: S + 1, f: 'A', len: mss, win: 8000, dt: dups >= 3 ? 0.001 : 0.3 });
      ackNow(0.001);
      dups = 0;
    }
  }
  for (let k = 0; k <= segments; k++) received.add(k);
  ackNow(0.5);
  return tl;
}
