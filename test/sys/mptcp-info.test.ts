/**
 * Parsers of the kernel's MPTCP socket option structures, on bytes laid out
 * by hand from linux/mptcp.h and linux/tcp.h: full structs, the shorter ones
 * of older kernels, and arrays with more subflows than room.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeSockaddr, parseFullInfo, parseMptcpInfo, parseSubflowAddrs, parseTcpInfo } from '../../src/sys/index.js';
import { fullInfoRequest, subflowDataElements, subflowDataRequest, SUBFLOW_ADDRS_SIZE, SUBFLOW_INFO_SIZE, TCP_INFO_SIZE } from '../../src/sys/mptcp-info.js';

/** struct mptcp_info of Linux 6.10+ (96 bytes), little-endian. */
function mptcpInfoBytes(): Uint8Array {
  const b = new Uint8Array(96);
  const dv = new DataView(b.buffer);
  b.set([1, 2, 3, 8, 4, 5], 0);
  dv.setUint32(8, 0b11, true); // fallback + remote key received
  dv.setUint32(12, 0xdeadbeef, true);
  dv.setBigUint64(16, 0x0102030405060708n, true);
  dv.setBigUint64(24, 0x1112131415161718n, true);
  dv.setBigUint64(32, 0xfffffffffffffff0n, true);
  b.set([2, 3, 1], 40);
  dv.setUint32(44, 7, true);
  dv.setBigUint64(48, 100n, true);
  dv.setBigUint64(56, 200n, true);
  dv.setBigUint64(64, 300n, true);
  dv.setBigUint64(72, 400n, true);
  b[80] = 2;
  dv.setUint32(84, 11, true);
  dv.setUint32(88, 12, true);
  dv.setUint32(92, 13, true);
  return b;
}

test('MPTCP_INFO: every field of the 6.10 struct', () => {
  assert.deepEqual(parseMptcpInfo(mptcpInfoBytes()), {
    subflows: 1, addAddrSignal: 2, addAddrAccepted: 3, subflowsMax: 8, addAddrSignalMax: 4, addAddrAcceptedMax: 5,
    flags: 3, fallback: true, remoteKeyReceived: true, token: 0xdeadbeef,
    writeSeq: 0x0102030405060708n, sndUna: 0x1112131415161718n, rcvNxt: 0xfffffffffffffff0n,
    localAddrUsed: 2, localAddrMax: 3, csumEnabled: true,
    retransmits: 7, bytesRetrans: 100n, bytesSent: 200n, bytesReceived: 300n, bytesAcked: 400n,
    subflowsTotal: 2, lastDataSent: 11, lastDataRecv: 12, lastAckRecv: 13,
  });
});

test('MPTCP_INFO: older kernels write less, and less than the base is nothing', () => {
  const b = mptcpInfoBytes();
  const v516 = parseMptcpInfo(b, 48)!;
  assert.equal(v516.token, 0xdeadbeef);
  assert.equal(v516.csumEnabled, true);
  assert.equal(v516.bytesSent, undefined);
  assert.equal(v516.subflowsTotal, undefined);
  const v66 = parseMptcpInfo(b, 80)!;
  assert.equal(v66.bytesAcked, 400n);
  assert.equal(v66.subflowsTotal, undefined);
  assert.equal(parseMptcpInfo(b, 42), undefined);
});

function sockaddrs(local: Uint8Array, remote: Uint8Array): Uint8Array {
  const e = new Uint8Array(SUBFLOW_ADDRS_SIZE);
  e.set(local, 0);
  e.set(remote, 128);
  return e;
}

test('MPTCP_SUBFLOW_ADDRS: header, elements, and a kernel with more subflows than room', () => {
  const req = subflowDataRequest(2, SUBFLOW_ADDRS_SIZE);
  const dv = new DataView(req.buffer);
  assert.equal(dv.getUint32(0, true), 16);
  assert.equal(dv.getUint32(12, true), SUBFLOW_ADDRS_SIZE);
  // What the kernel writes back: 3 subflows exist, 2 fit.
  dv.setUint32(4, 3, true);
  dv.setUint32(8, SUBFLOW_ADDRS_SIZE, true);
  req.set(sockaddrs(encodeSockaddr({ family: 4, address: '10.0.1.1', port: 40000 }), encodeSockaddr({ family: 4, address: '10.0.1.2', port: 5201 })), 16);
  req.set(sockaddrs(encodeSockaddr({ family: 6, address: 'fd00:2::1', port: 40001 }), encodeSockaddr({ family: 6, address: 'fd00:1::2', port: 5201 })), 16 + SUBFLOW_ADDRS_SIZE);
  const { total, elements } = subflowDataElements(req, req.length);
  assert.equal(total, 3);
  assert.deepEqual(elements.map(parseSubflowAddrs), [
    { local: { family: 4, address: '10.0.1.1', port: 40000 }, remote: { family: 4, address: '10.0.1.2', port: 5201 } },
    { local: { family: 6, address: 'fd00:2::1', port: 40001 }, remote: { family: 6, address: 'fd00:1::2', port: 5201 } },
  ]);
  assert.deepEqual(subflowDataElements(req, 10), { total: 0, elements: [] });
});

test('tcp_info: the fields shown per subflow', () => {
  const b = new Uint8Array(232);
  const dv = new DataView(b.buffer);
  b[0] = 1;
  b[5] = 7;
  dv.setUint32(8, 204000, true);
  dv.setUint32(16, 1448, true);
  dv.setUint32(68, 350, true);
  dv.setUint32(72, 120, true);
  dv.setUint32(80, 10, true);
  dv.setUint32(100, 2, true);
  dv.setBigUint64(120, 5000n, true);
  dv.setBigUint64(128, 6000n, true);
  dv.setUint32(136, 40, true);
  dv.setUint32(140, 41, true);
  dv.setBigUint64(200, 7000n, true);
  dv.setBigUint64(208, 80n, true);
  const t = parseTcpInfo(b)!;
  assert.deepEqual([t.state, t.options, t.rto, t.sndMss, t.rtt, t.rttvar, t.sndCwnd, t.totalRetrans], [1, 7, 204000, 1448, 350, 120, 10, 2]);
  assert.deepEqual([t.bytesAcked, t.bytesReceived, t.segsOut, t.segsIn, t.bytesSent, t.bytesRetrans], [5000n, 6000n, 40, 41, 7000n, 80n]);
  assert.equal(parseTcpInfo(b, 104)!.bytesAcked, undefined);
  assert.equal(parseTcpInfo(b, 100), undefined);
});

test('MPTCP_FULL_INFO: request sizes, ids, addresses, tcp_info and the connection', () => {
  const head = fullInfoRequest(2);
  const dv = new DataView(head.buffer);
  assert.deepEqual([dv.getUint32(4, true), dv.getUint32(12, true), dv.getUint32(20, true)], [TCP_INFO_SIZE, SUBFLOW_INFO_SIZE, 2]);
  // The kernel's answer: its struct sizes (shorter tcp_info than asked), 2 subflows, the mptcp_info.
  dv.setUint32(0, 232, true);
  dv.setUint32(4, 232, true);
  dv.setUint32(8, SUBFLOW_INFO_SIZE, true);
  dv.setUint32(16, 2, true);
  head.set(mptcpInfoBytes(), 40);
  const sf = new Uint8Array(2 * SUBFLOW_INFO_SIZE);
  const tcp = new Uint8Array(2 * TCP_INFO_SIZE);
  const sfdv = new DataView(sf.buffer);
  sfdv.setUint32(0, 1, true);
  sf.set(sockaddrs(encodeSockaddr({ family: 4, address: '10.0.1.1', port: 1 }), encodeSockaddr({ family: 4, address: '10.0.1.2', port: 2 })), 8);
  sfdv.setUint32(SUBFLOW_INFO_SIZE, 3, true);
  sf.set(sockaddrs(encodeSockaddr({ family: 4, address: '10.0.2.1', port: 3 }), encodeSockaddr({ family: 4, address: '10.0.1.2', port: 2 })), SUBFLOW_INFO_SIZE + 8);
  new DataView(tcp.buffer).setUint32(68, 111, true);
  new DataView(tcp.buffer).setUint32(232 + 68, 222, true); // stride is the kernel's 232, not the 256 asked
  const { full, more } = parseFullInfo(head, 136, sf, tcp);
  assert.equal(more, 0);
  assert.equal(full.info?.token, 0xdeadbeef);
  assert.deepEqual(full.subflows.map((s) => [s.id, s.local?.address, s.remote?.port, s.tcp?.rtt]), [[1, '10.0.1.1', 2, 111], [3, '10.0.2.1', 2, 222]]);

  dv.setUint32(16, 5, true);
  assert.equal(parseFullInfo(head, 136, sf, tcp).more, 3, 'five subflows, room for two');
});
