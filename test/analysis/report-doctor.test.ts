/**
 * `mpscope doctor` diagnoses: crafted captures for each case the lab and
 * the corpus do not show (joins failing every way, fallbacks, MP_FAIL,
 * ADD_ADDR problems, stalls, reinjection, idle subflows), the seed 000 case,
 * and what the lab and corpus captures really contain.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { diagnose } from '../../src/analysis/report/doctor/index.js';
import type { DoctorFinding, DoctorReport } from '../../src/analysis/report/doctor/index.js';
import { analyzeCaptureBytes } from '../../src/analysis/report/run.js';
import { formatDoctor } from '../../src/present/doctor.js';
import { CraftedConnection } from '../helpers/mptcp-craft.js';
import type { CraftedSubflow } from '../helpers/mptcp-craft.js';
import { CORPUS, ROOT, SKIP_NO_SHARED } from '../helpers/shared.js';

const CLIENT = { ip: '10.0.0.1', port: 40000 };
const SERVER = { ip: '10.0.0.2', port: 80 };

function v1(): CraftedConnection {
  return new CraftedConnection({ version: 1, clientKey: 0x0102030405060708n, serverKey: 0x1112131415161718n });
}

function doctor(c: CraftedConnection, opts: { tcp?: boolean } = {}): DoctorReport {
  return diagnose(analyzeCaptureBytes(c.pcap()), opts);
}

function findings(r: DoctorReport): DoctorFinding[] {
  return r.connections.flatMap((c) => c.findings);
}

/** The one finding with this code. */
function one(r: DoctorReport, code: string): DoctorFinding {
  const list = findings(r).filter((f) => f.code === code);
  assert.equal(list.length, 1, `expected one ${code}, got: ${findings(r).map((f) => f.code).join(', ')}`);
  return list[0]!;
}

function codes(r: DoctorReport): string[] {
  return findings(r).map((f) => `${f.severity} ${f.code}`);
}

/** A connection with data both ways on its initial subflow, for joins to be added to. */
function established(c: CraftedConnection): CraftedSubflow {
  const m = c.master(CLIENT, SERVER).handshake();
  m.data('a', 100);
  m.ack('b');
  return m;
}

test('seed 000: SYN/ACKs captured but the SYNs retransmitted after them — the replies never reached the client', () => {
  // The experiment of seeds/000: an MPTCP v0 connection whose two extra subflows never come up.
  const c = new CraftedConnection({ version: 0, clientKey: 7076236588249283789n, serverKey: 0x0123456789abcdefn });
  const m = c.master({ ip: '10.0.0.1', port: 56162 }, { ip: '10.0.0.2', port: 64000 }).handshake();
  m.data('a', 11, { dt: 10 });
  m.ack('b');
  const j1 = c.join({ ip: '10.2.0.1', port: 44917 }, { ip: '10.0.0.2', port: 64000 });
  const j2 = c.join({ ip: '10.1.0.1', port: 40313 }, { ip: '10.0.0.2', port: 64000 });
  j1.joinSyn(); // 6
  j2.joinSyn(); // 7
  j1.joinSynAck(); // 8
  j2.joinSynAck(); // 9
  j2.resendSyn('a', [j2.joinSynOption()], 1); // 10
  j1.resendSyn('a', [j1.joinSynOption()]); // 11
  j1.resendSyn('b', [j1.joinSynAckOption()]); // 12
  j2.resendSyn('b', [j2.joinSynAckOption()]); // 13
  j2.resendSyn('a', [j2.joinSynOption()], 2); // 14
  j1.resendSyn('a', [j1.joinSynOption()]); // 15
  m.rst('a', undefined, { dt: 1 }); // 16
  m.rst('b'); // 17
  const r = doctor(c);
  const lost = findings(r).filter((f) => f.code === 'join.synack_lost');
  assert.deepEqual(lost.map((f) => [f.severity, f.stream, f.frames]), [
    ['error', 1, [6, 8, 11, 12, 15]],
    ['error', 2, [7, 9, 10, 13, 14]],
  ]);
  assert.match(lost[0]!.title, /join 10\.2\.0\.1:44917 → 10\.0\.0\.2:64000 \(tcp\.stream 1\) never completed: the SYN\/ACK was captured \(frame 8\) but the SYN was retransmitted after it/);
  assert.match(lost[0]!.meaning, /never reached the client's TCP stack/);
  assert.ok(lost[0]!.check.some((c) => c.includes('rp_filter')));
  assert.deepEqual(lost[0]!.facts, { synRetransmissions: 2, synAckRetransmissions: 1, synAckFrame: 8, synRetransmissionsAfterSynAck: 2 });
  assert.equal(r.counts.error, 2);
  // The joins' HMACs were right: the verified list says so.
  assert.ok(r.connections[0]!.verified.includes('MP_JOIN SYN/ACK HMACs: 2 good'));
});

test('a join SYN nobody answers', () => {
  const c = v1();
  established(c);
  const j = c.join({ ip: '10.0.1.1', port: 40001 }, SERVER);
  j.joinSyn(); // 6
  j.resendSyn('a', [j.joinSynOption()], 1); // 7
  j.resendSyn('a', [j.joinSynOption()], 2); // 8
  const f = one(doctor(c), 'join.no_synack');
  assert.equal(f.severity, 'error');
  assert.deepEqual(f.frames, [6, 7, 8]);
  assert.match(f.title, /no SYN\/ACK answered 3 SYNs/);
  assert.ok(f.check[0]!.includes('ip route get 10.0.0.2 from 10.0.1.1'));
});

test('a join SYN sent just before the capture ends is only in progress', () => {
  const c = v1();
  established(c);
  c.join({ ip: '10.0.1.1', port: 40001 }, SERVER).joinSyn();
  const f = one(doctor(c), 'join.in_progress');
  assert.equal(f.severity, 'note');
});

test('a SYN/ACK with no third ACK', () => {
  const c = v1();
  established(c);
  const j = c.join({ ip: '10.0.1.1', port: 40001 }, SERVER);
  j.joinSyn().joinSynAck(); // 6, 7
  j.resendSyn('b', [j.joinSynAckOption()], 1); // 8
  const f = one(doctor(c), 'join.no_third_ack');
  assert.deepEqual([f.severity, f.frames], ['error', [6, 7, 8]]);
  assert.match(f.meaning, /retransmitted its SYN\/ACK 1 time/);
});

test('a bad MP_JOIN HMAC in the SYN/ACK, then the initiator resets: one finding, the HMAC', () => {
  const c = v1();
  established(c);
  const j = c.join({ ip: '10.0.1.1', port: 40001 }, SERVER);
  j.joinSyn().joinSynAck({ badHmac: true }); // 6, 7
  j.rst('a', 1); // 8
  const r = doctor(c);
  const f = one(r, 'join.hmac_bad');
  assert.deepEqual([f.severity, f.stream, f.frames], ['error', 1, [6, 7]]);
  assert.match(f.title, /HMAC in the SYN\/ACK does not match .* the join failed/);
  assert.deepEqual(codes(r).filter((x) => x.includes('join')), ['error join.hmac_bad']);
});

test('a bad MP_JOIN HMAC in the third ACK', () => {
  const c = v1();
  established(c);
  const j = c.join({ ip: '10.0.1.1', port: 40001 }, SERVER);
  j.joinSyn().joinSynAck().joinAck({ badHmac: true }); // 6, 7, 8
  j.rst('b'); // 9
  const f = one(doctor(c), 'join.hmac_bad');
  assert.deepEqual(f.frames, [6, 8]);
  assert.match(f.title, /HMAC in the third ACK/);
});

test('a join naming an unknown token, refused by the listener', () => {
  const c = v1();
  established(c);
  const j = c.join({ ip: '10.0.1.1', port: 40001 }, SERVER);
  j.joinSyn({ token: 0xdeadbeef }); // 6
  j.rst('b', 1); // 7
  const r = doctor(c);
  // The token matches nothing, so the join stands alone as a connection of its own.
  assert.equal(r.connections.length, 2);
  const f = one(r, 'join.unknown_token');
  assert.deepEqual([f.severity, f.connection, f.stream, f.frames], ['error', 1, 1, [6, 7]]);
  assert.match(f.title, /token 0xdeadbeef, which no connection in the capture has, and was reset/);
  assert.match(f.check[0]!, /load balancers/);
});

test('a join refused with MP_TCPRST gives the reason and what it means', () => {
  const c = v1();
  established(c);
  const j = c.join({ ip: '10.0.1.1', port: 40001 }, SERVER);
  j.joinSyn(); // 6
  j.rst('b', 3); // 7: administratively prohibited
  const f = one(doctor(c), 'join.reset');
  assert.deepEqual([f.severity, f.frames], ['error', [6, 7]]);
  assert.match(f.title, /was reset by the server \(MP_TCPRST: Administratively prohibited\)/);
  assert.match(f.check[0]!, /ip mptcp limits show/);
  assert.equal(f.facts?.reasonCode, 3);
});

test('SYN/ACK without MP_CAPABLE: fallback, server without MPTCP or option stripped', () => {
  const c = v1();
  const m = c.master(CLIENT, SERVER).handshake({ plainSynAck: true });
  m.plainData('a', 500);
  const r = doctor(c);
  const f = one(r, 'fallback.synack_without_mp_capable');
  assert.deepEqual([f.severity, f.frames], ['warning', [1, 2]]);
  assert.match(f.meaning, /does not speak MPTCP .* or a middlebox removed the option/);
  assert.equal(r.counts.error, 0);
});

test('MPTCP options removed mid-stream', () => {
  const c = v1();
  const m = established(c); // frames 1-5
  m.plainData('a', 700); // 6
  const f = one(doctor(c), 'fallback.options_removed');
  assert.deepEqual([f.severity, f.frames], ['warning', [6]]);
});

test('MP_FAIL after a payload change: an error', () => {
  const c = new CraftedConnection({ version: 1, clientKey: 0x0102030405060708n, serverKey: 0x1112131415161718n, checksums: true });
  const m = established(c);
  m.mpFail('b', 1); // 6
  const f = one(doctor(c), 'mptcp.mp_fail');
  assert.deepEqual([f.severity, f.frames], ['error', [6]]);
});

test('DSS checksums: good ones verified, a bad one is an error with its mapping\'s frame', () => {
  const c = new CraftedConnection({ version: 1, clientKey: 0x0102030405060708n, serverKey: 0x1112131415161718n, checksums: true });
  const m = c.master(CLIENT, SERVER).handshake();
  m.data('a', 500); // 4
  m.data('a', 500, { badChecksum: true }); // 5
  m.data('b', 300); // 6
  m.ack('a'); // 7
  const r = doctor(c);
  const f = one(r, 'dss.checksum_bad');
  assert.deepEqual([f.severity, f.frames, f.facts], ['error', [5], { bad: 1, good: 2, unchecked: 0 }]);
  assert.match(f.title, /^1 DSS checksum of 3 does not match its mapping and payload$/);
  assert.ok(r.connections[0]!.verified.includes('DSS checksums: 2 good, 1 bad'));
});

test('ADD_ADDR never used while the connection went on for seconds; a bad ADD_ADDR HMAC', () => {
  const c = v1();
  const m = established(c);
  m.addAddr('b', '10.0.9.1', 5); // 6
  m.addAddr('a', '10.0.9.1', 5, { echo: true }); // 7
  m.addAddr('b', '10.0.8.1', 6, { badHmac: true }); // 8
  m.data('a', 100, { dt: 3 }); // 9
  m.ack('b'); // 10
  const r = doctor(c);
  const unused = one(r, 'add_addr.unused');
  assert.deepEqual([unused.severity, unused.frames], ['warning', [6]]);
  assert.match(unused.title, /ADD_ADDR 10\.0\.9\.1 \(id 5\) from the server was never used/);
  assert.match(unused.meaning, /open 3\.0 s after the advertisement/);
  const bad = one(r, 'add_addr.hmac_bad');
  assert.deepEqual([bad.severity, bad.frames], ['error', [8]]);
  // The bad one is reported once, as an HMAC failure (not also as unused or unechoed).
  assert.deepEqual(codes(r), ['error add_addr.hmac_bad', 'warning add_addr.unused']);
});

test('an ADD_ADDR v1 that is never echoed', () => {
  const c = v1();
  const m = established(c);
  m.addAddr('b', '10.0.9.1', 5); // 6
  const f = one(doctor(c), 'add_addr.no_echo');
  assert.deepEqual([f.severity, f.frames], ['warning', [6]]);
});

test('a data-level stall: data outstanding for 2 s before the data ACK moves', () => {
  const c = v1();
  const m = c.master(CLIENT, SERVER).handshake();
  m.data('a', 1000, { dt: 0.1 }); // 4
  m.data('a', 1000); // 5
  m.ack('b', { upTo: 1001, dt: 0.01 }); // 6: the first segment only
  m.ack('b', { dt: 2 }); // 7
  const f = one(doctor(c), 'data.stall');
  assert.equal(f.severity, 'warning');
  assert.deepEqual(f.frames, [6, 7]);
  assert.match(f.title, /client → server: the data ACK stood still 1 time while data was outstanding, longest 2\.000 s/);
  assert.equal(f.facts?.dataAck, 1001);
  // A shorter threshold finds it too; a longer one does not.
  assert.equal(findings(diagnose(analyzeCaptureBytes(c.pcap(), { stallSeconds: 3 }))).filter((x) => x.code === 'data.stall').length, 0);
});

test('heavy reinjection: most data sent again on another subflow', () => {
  const c = v1();
  const m = c.master(CLIENT, SERVER).handshake();
  const j = c.join({ ip: '10.0.1.1', port: 40001 }, SERVER).joinHandshake(); // 4-6
  m.data('a', 1000, { dt: 0.1 }); // 7
  m.data('a', 1000); // 8
  j.data('a', 1000, { dsn: 1 }); // 9: DSNs 1-1000 again
  m.ack('b'); // 10
  const f = one(doctor(c), 'reinjection.heavy');
  assert.deepEqual([f.severity, f.frames], ['warning', [9]]);
  assert.match(f.title, /client → server: 1 reinjection \(1000 bytes, 50\.0% of the 2000 bytes delivered\) of data first sent on tcp\.stream 0/);
});

test('an established subflow left idle while the other carries everything', () => {
  const c = v1();
  const m = c.master(CLIENT, SERVER).handshake();
  c.join({ ip: '10.0.1.1', port: 40001 }, SERVER).joinHandshake(); // 4-6
  for (let i = 0; i < 70; i++) m.data('a', 1000, { dt: 0.01 });
  m.ack('b');
  const r = doctor(c);
  const f = one(r, 'subflow.idle');
  assert.deepEqual([f.severity, f.stream, f.frames], ['warning', 1, [6]]);
  assert.match(f.title, /10\.0\.1\.1:40001 → 10\.0\.0\.2:80 \(tcp\.stream 1\) was nearly unused: it carried 0\.00% of the new data client → server \(tcp\.stream 0 carried the rest\)/);
  // A backup subflow left idle is what backup means: no finding.
  const b = v1();
  const bm = b.master(CLIENT, SERVER).handshake();
  b.join({ ip: '10.0.1.1', port: 40001 }, SERVER).joinHandshake({ backup: true });
  for (let i = 0; i < 70; i++) bm.data('a', 1000, { dt: 0.01 });
  bm.ack('b');
  assert.deepEqual(findings(doctor(b)).filter((x) => x.code === 'subflow.idle'), []);
  // The collector reads the B flag of the join's SYN in place.
  const streams = analyzeCaptureBytes(b.pcap()).extras.streams;
  assert.deepEqual(streams.map((st) => st.joinedAsBackup), [false, true]);
});

test('an MP_CAPABLE SYN without answer; plain TCP conversations with --tcp', () => {
  const c = v1();
  const m = c.master(CLIENT, SERVER);
  m.send('a', { flags: 'S', mptcp: [m.capableSyn()] });
  m.resendSyn('a', [m.capableSyn()], 1);
  const plain = c.master({ ip: '10.0.0.1', port: 50000 }, { ip: '10.0.0.3', port: 443 });
  plain.send('a', { flags: 'S' });
  plain.send('b', { flags: 'RA' });
  const r = doctor(c, { tcp: true });
  const f = one(r, 'connection.no_answer');
  assert.deepEqual([f.severity, f.frames], ['warning', [1, 2]]);
  assert.match(f.title, /got no answer in the capture \(1 retransmission\)/);
  assert.deepEqual(r.tcp?.map((t) => [t.stream, t.findings.map((x) => `${x.severity} ${x.code} ${x.frames.join(',')}`)]), [[1, ['warning tcp.refused 3,4']]]);
});

test('lab captures: what each one shows, and nothing more', () => {
  const lab = (name: string): DoctorReport => diagnose(analyzeCaptureBytes(readFileSync(join(ROOT, 'test/fixtures/lab', `${name}.pcapng`))));
  const summary = (r: DoctorReport): string[] => findings(r).map((f) => `${f.severity} ${f.code}${f.stream === undefined ? '' : ` ${f.stream}`} ${f.frames.join(',')}`);
  const csum = lab('mptcp-v4-csum');
  assert.deepEqual(summary(csum), []);
  assert.ok(csum.connections[0]!.verified.includes('DSS checksums: 19 good'));
  assert.deepEqual(summary(lab('mptcp-fallback')), ['warning fallback.synack_without_mp_capable 0 1,2']);
  // The backup subflow (tcp.stream 2) stays idle as it should; the close is MP_FASTCLOSE on frames 372-373.
  assert.deepEqual(summary(lab('mptcp-backup-fastclose')), ['note connection.fastclose 0 372,373']);
  // The server also announced 10.0.4.1, which the client never joined; the join by 10.0.2.1 carried little upload.
  assert.deepEqual(summary(lab('mptcp-v4-2subflows')), ['note add_addr.unused 4', 'note subflow.idle 1 8']);
  assert.deepEqual(summary(lab('mptcp-loss')), ['note add_addr.unused 4', 'note subflow.idle 1 8', 'note reinjection 382,383,384,385,386,387,388']);
  const v6 = lab('mptcp-v6');
  assert.deepEqual(summary(v6), ['note subflow.idle 2 12']);
  assert.equal(v6.counts.error, 0);
  assert.ok(v6.connections[0]!.verified.includes('MP_JOIN third-ACK HMACs: 2 good'));
});

test('corpus: ns-3 joins without answer, client_2 refused joins, fastclose', { skip: SKIP_NO_SHARED }, () => {
  const corpus = (name: string): DoctorReport => diagnose(analyzeCaptureBytes(readFileSync(join(CORPUS, name))));
  const iperf = corpus('pymptcpanalyzer/iperf-mptcp-0-0.pcap');
  assert.deepEqual(findings(iperf).map((f) => [f.code, f.stream, f.frames.length]), [['join.no_synack', 1, 3], ['join.no_synack', 3, 3]]);
  // client_2: tcp.stream 1 and 9 join on a second attempt (after RSTs and early ACKs), so only two joins fail.
  const client2 = corpus('pymptcpanalyzer/client_2.pcap');
  const errors = findings(client2).filter((f) => f.severity === 'error').map((f) => [f.connection, f.code, f.stream, f.frames.join(',')]);
  assert.deepEqual(errors, [[0, 'join.reset', 6, '275,806,865'], [1, 'join.no_synack', 7, '277']]);
  assert.deepEqual(findings(client2).filter((f) => f.code === 'connection.fastclose').map((f) => [f.connection, f.frames.join(',')]), [[1, '2051'], [3, '2775,2846,2883']]);
  // tcpdump's mptcp-aa-v1: an old Linux truncating the ADD_ADDR HMAC to its leftmost bits: a warning, not a forgery.
  const aa = corpus('tcpdump/mptcp-aa-v1.pcap');
  assert.deepEqual(findings(aa).map((f) => [f.severity, f.code, f.frames.join(',')]), [['warning', 'add_addr.hmac_leftmost', '13']]);
  const fclose = corpus('tcpdump/mptcp-fclose.pcap');
  assert.deepEqual(codes(fclose), ['note connection.fastclose']);
  assert.ok(fclose.connections[0]!.verified.includes('MP_FASTCLOSE keys: 1 good'));
  const text = formatDoctor(iperf);
  assert.match(text, /\n {2}verified: key echo in the third ACK: 1 good\n {12}MP_JOIN tokens: 3 good\n/);
  assert.match(text, /^2,560 packets, 12\.3 s; 1 MPTCP connection; 2 errors, 0 warnings, 0 notes/);
  assert.match(text, /\n {2}\[error\] join 10\.1\.1\.1:43376 → 10\.2\.0\.1:5001 \(tcp\.stream 1\) never completed: no SYN\/ACK answered 3\n {10}SYNs\n {6}seen in frames 24, 534, 1520\n/);
  // server_2's connection 1 starts mid-stream: its sides are unknown, its first subflow still names it.
  const server2 = corpus('pymptcpanalyzer/server_2.pcap');
  const mid = server2.connections[1]!;
  assert.deepEqual([mid.client, mid.server, mid.firstSubflow], [undefined, undefined, { src: { address: '11.0.0.1', port: 60453 }, dst: { address: '11.0.0.2', port: 5201 } }]);
  assert.equal(server2.connections[0]!.firstSubflow, undefined, 'a connection with its handshake needs none');
  assert.match(formatDoctor(server2), /\nMPTCP connection 1 \(version unknown\): 11\.0\.0\.1:60453 → 11\.0\.0\.2:5201, reset \(subflows reset\), 1 subflow\n/);
});
