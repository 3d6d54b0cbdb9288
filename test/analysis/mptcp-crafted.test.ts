/**
 * The hard cases on crafted captures (mptcp-scenarios.ts): what the model
 * and the fields say, value by value. Their tshark comparison is in
 * mptcp-tshark.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MptcpConnection } from '../../src/analysis/mptcp/index.js';
import { keyToIdsn, keyToToken } from '../../src/mptcp/index.js';
import * as S from './mptcp-scenarios.js';
import { analyze, ourFields } from './mptcp-support.js';
import type { Analysis } from './mptcp-support.js';

const run = (build: () => { bytes(): Uint8Array }): Analysis => analyze(build().bytes());
const conn = (a: Analysis, i = 0): MptcpConnection => a.tracker.connections()[i]!;
/** One field's value per frame, as -T fields prints it. */
const column = (a: Analysis, field: string): string[] => ourFields(a, [field]).map((r) => r[0]!);
const at = (a: Analysis, frames: number[], get: (i: number) => unknown): unknown[] => frames.map((f) => get(f - 1));

describe('crafted MPTCP captures', () => {
  it('32-bit DSNs crossing 2^32 carry into the high half', () => {
    const a = run(S.wrap32);
    const idsn = keyToIdsn(S.V0_KEY_A, 0);
    assert.equal(conn(a).dirs[0].baseDsn, idsn);
    assert.deepEqual(at(a, [4, 6, 8], (i) => a.mptcp[i]?.dsn), [1, 10001, 20001]);
    assert.deepEqual(at(a, [5, 7, 9], (i) => a.mptcp[i]?.dataAck), [10001, 20001, 30001]);
    const raw = column(a, 'mptcp.rawdsn64');
    assert.equal(raw[7], String(idsn + 20001n));
    assert.equal(BigInt(raw[7]!) >> 32n, (idsn >> 32n) + 1n, 'the third segment is past 2^32');
    assert.equal(column(a, 'mpscope.mptcp.rawack64')[8], String(idsn + 30001n));
  });

  it('DSN width from the m flag and data ACK width from the a flag, independently', () => {
    const a = run(S.mixedWidths);
    assert.deepEqual(at(a, [4, 6, 8, 10], (i) => a.mptcp[i]?.dsn), [1, 15001, 30001, 45001]);
    assert.deepEqual(at(a, [4, 6, 8, 10], (i) => a.mptcp[i]?.dataAck), [1, 1, 1, 1]);
    assert.deepEqual(at(a, [5, 7, 9, 11], (i) => a.mptcp[i]?.dataAck), [15001, 30001, 45001, 60001]);
    assert.deepEqual(column(a, 'mpscope.mptcp.dss.dsn_width').filter(Boolean), ['4', '4', '8', '8']);
  });

  it('a v1 MP_CAPABLE with the C flag is valid', () => {
    const c = conn(run(S.cFlag));
    assert.equal(c.noJoinToServerAddress, true);
    assert.deepEqual(c.findings, []);
  });

  it('v1 with the third ACK lost: the first data packet\'s MP_CAPABLE brings the key and an implicit mapping', () => {
    const a = run(S.v1LostThirdAck);
    const c = conn(a);
    assert.deepEqual(c.keys, [S.V1_KEY_A, S.KEY_B]);
    assert.equal(c.keyEcho, 'good');
    assert.deepEqual(at(a, [3, 4], (i) => a.mptcp[i]?.dsn), [1, 301]);
    assert.deepEqual(at(a, [3, 4], (i) => a.mptcp[i]?.relatedMapping), [3, 3]);
    assert.equal(a.mptcp[4]?.dataAck, 501);
    assert.equal(c.subflows[0]!.establishedFrame, 3);
  });

  it('a third ACK echoing a wrong key is an error', () => {
    const a = run(S.wrongEcho);
    const c = conn(a);
    assert.equal(c.keyEcho, 'bad');
    assert.equal(a.mptcp[2]?.keyEcho, 'bad');
    assert.deepEqual(c.findings.map((f) => [f.code, f.severity, f.frames]), [['mptcp.key_echo.bad', 'error', [3]]]);
    assert.equal(column(a, 'mpscope.mptcp.key_echo_status')[2], 'bad');
  });

  it('join HMACs are checked in the SYN/ACK and the third ACK; unknown tokens get a connection of their own', () => {
    const a = run(S.badJoin);
    const c = conn(a);
    const join = c.subflows[1]!;
    assert.deepEqual([join.token, join.tokenStatus, join.synAckHmac, join.ackHmac], [keyToToken(S.KEY_B, 1), 'good', 'bad', 'good']);
    assert.deepEqual(column(a, 'mpscope.mptcp.join_hmac_status').slice(4, 6), ['bad', 'good']);
    assert.deepEqual(c.findings.map((f) => [f.code, f.frames]), [['mptcp.join.hmac_bad', [5]]]);
    const orphan = conn(a, 1);
    assert.equal(orphan.origin, 'join');
    const sf = orphan.subflows[0]!;
    assert.deepEqual([sf.tokenStatus, sf.synRetransmissions, sf.state, sf.failure?.reason], ['bad', 1, 'failed', 'reset']);
    assert.deepEqual(orphan.findings.map((f) => [f.code, f.frames]), [['mptcp.join.unknown_token', [8, 9]], ['mptcp.join.failed', [10]]]);
  });

  it('DSS checksums gathered across segments and retransmissions: good, bad, not checkable', () => {
    const a = run(S.checksums);
    const c = conn(a);
    assert.equal(c.checksums, true);
    assert.deepEqual(c.dssChecksums, { good: 3, bad: 1, unchecked: 1, badFrames: [52], uncheckedFrames: [57] });
    const status = column(a, 'mpscope.mptcp.dss_checksum_status');
    const mapping = column(a, 'mpscope.mptcp.dss_checksum_mapping');
    // The 64 KB mapping announced at frame 6 completes at its 45th segment (frame 50).
    assert.deepEqual([status[3], status[49], status[51], status[54]], ['good', 'good', 'bad', 'good']);
    assert.deepEqual([mapping[49], mapping[54]], ['6', '54'], 'the retransmission completes the mapping whose first copy was cut');
    assert.deepEqual(c.findings.map((f) => [f.code, f.frames]), [
      ['mptcp.dss.checksum_bad', [52]],
      ['mptcp.dss.checksum_unchecked', [57]],
    ]);
    assert.match(c.findings[1]!.message, /cut by the capture/);
  });

  it('a capture starting mid-connection counts DSNs from the first one seen', () => {
    const a = run(S.midConnection);
    const c = conn(a);
    assert.equal(c.origin, 'midstream');
    assert.deepEqual(c.dirs.map((d) => d.base), ['first-seen', 'first-seen']);
    assert.equal(c.dirs[0].baseDsn, 0x0123456789abcdefn - 1n);
    assert.deepEqual(at(a, [1, 3, 5], (i) => a.mptcp[i]?.dsn), [1, 1001, 2001]);
    assert.deepEqual(at(a, [2, 4, 6], (i) => a.mptcp[i]?.dataAck), [1001, 2001, 3001]);
    assert.deepEqual(at(a, [1, 3, 5], (i) => a.mptcp[i]?.dataAck), [1, 1, 1]);
    assert.equal(column(a, 'mptcp.rawdsn64')[2], String(0x0123456789abcdefn + 1000n));
  });

  it('reinjection, data-level retransmission and TCP retransmission told apart', () => {
    const a = run(S.twoSubflows);
    const c = conn(a);
    assert.deepEqual(a.mptcp[11]?.reinjectionOf, [11], 'the second subflow resends frame 11\'s DSNs');
    assert.deepEqual(a.mptcp[10]?.reinjectedIn, [12]);
    assert.deepEqual(a.mptcp[12]?.dataRetransmissionOf, [11], 'new subflow bytes, old DSNs: a data-level retransmission');
    assert.equal(a.mptcp[13]?.reinjectionOf, undefined, 'a TCP retransmission is not a reinjection');
    assert.equal(a.mptcp[13]?.dsn, 1);
    const [first, second] = c.subflows;
    assert.deepEqual([first!.stats[0].dataBytes, first!.stats[0].dataRetransmissions, second!.stats[0].reinjections], [1000, 1, 1]);
    assert.equal(column(a, 'mptcp.reinjection_of')[11], '11');
    assert.equal(column(a, 'mpscope.mptcp.data_retransmission_of')[12], '11');
  });

  it('addresses, priorities, DATA_FIN, MP_TCPRST and MP_FASTCLOSE are events with their checks', () => {
    const a = run(S.twoSubflows);
    const c = conn(a);
    assert.deepEqual(c.addresses.map((x) => [x.frame, x.addrId, x.address, x.hmac, x.echoFrame, x.joinAttempts, x.removedFrame]), [
      [4, 5, '10.0.1.2', 'good', 6, [7], undefined],
      [5, 6, '10.0.9.9', 'bad', undefined, [], 17],
    ]);
    assert.equal(a.mptcp[5]?.addAddrEchoOf, 4);
    const join = c.subflows[1]!;
    assert.deepEqual([join.initiatorAddrId, join.listenerAddrId, join.backup], [2, 5, false]);
    assert.deepEqual(c.events.map((e) => `${e.kind}@${e.frame}`), [
      'add_addr@4', 'add_addr@5', 'join@9', 'mp_prio@16', 'remove_addr@17', 'data_fin@18', 'data_fin_acked@19', 'data_fin@19',
      'data_fin_acked@20', 'tcprst@21', 'fastclose@21', 'subflow_reset@21', 'fastclose@22', 'subflow_reset@22',
    ]);
    assert.deepEqual(c.dirs.map((d) => d.dataFin), [{ frame: 18, dsn: 1001, ackFrame: 19 }, { frame: 19, dsn: 1, ackFrame: 20 }]);
    assert.deepEqual(at(a, [21, 22], (i) => a.mptcp[i]?.fastcloseKey), ['good', 'bad']);
    assert.equal(c.state, 'fastclosed');
    assert.deepEqual(c.findings.map((f) => f.code).sort(), [
      'mptcp.add_addr.hmac_bad', 'mptcp.fastclose', 'mptcp.fastclose.key_bad', 'mptcp.tcprst',
    ]);
  });

  it('fallback: SYN/ACK without MP_CAPABLE, options removed mid-stream, infinite mapping after MP_FAIL', () => {
    const a = run(S.fallbacks);
    const [plain, stripped, failing] = a.tracker.connections();
    assert.deepEqual(plain!.fallback, { cause: 'synack-without-mp-capable', frame: 2, stream: 0 });
    assert.deepEqual(stripped!.fallback, { cause: 'data-without-dss', frame: 9, stream: 1 });
    assert.deepEqual(failing!.fallback, { cause: 'infinite-mapping', frame: 15, stream: 2 });
    assert.deepEqual(failing!.events.map((e) => `${e.kind}@${e.frame}`), ['mp_fail@14', 'fallback@15']);
    assert.equal(failing!.events[0]!.dsn, 1);
    assert.deepEqual(at(a, [13, 15, 16], (i) => a.mptcp[i]?.dsn), [1, 101, 201]);
    assert.equal(a.mptcp[12]?.dssChecksum, 'bad');
    assert.deepEqual(column(a, 'mpscope.mptcp.fallback').filter(Boolean), ['synack-without-mp-capable', 'data-without-dss', 'infinite-mapping']);
    assert.ok(a.tracker.connections().every((c) => c.state === 'fallback'));
  });

  it('findings are fields, one node per finding', () => {
    const a = run(S.wrongEcho);
    const rows = ourFields(a, ['mpscope.mptcp.finding.code', 'mpscope.mptcp.finding.severity', 'mptcp.stream', 'mptcp.analysis']);
    assert.deepEqual(rows[2], ['mptcp.key_echo.bad', 'error', '0', '1']);
    assert.deepEqual(rows[0], ['', '', '0', '1']);
  });
});
