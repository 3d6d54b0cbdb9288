/**
 * Parsers for what the kernel's MPTCP socket options return (layouts of
 * linux/mptcp.h and linux/tcp.h). Each struct may be shorter than what is
 * parsed here (older kernels) or longer (newer ones): fields past the length
 * the kernel wrote stay undefined.
 */
import { MPTCP_INFO_FLAG_FALLBACK, MPTCP_INFO_FLAG_REMOTE_KEY_RECEIVED } from './constants.js';
import { decodeSockaddr, SOCKADDR_STORAGE_SIZE } from './sockaddr.js';
import type { SockAddr } from './sockaddr.js';

/** struct mptcp_info (MPTCP_INFO, Linux 5.16+; byte counters and timers from 6.6 on). */
export interface MptcpInfo {
  /** Subflows besides the initial one (the kernel's mptcpi_subflows). */
  subflows: number;
  addAddrSignal: number;
  addAddrAccepted: number;
  subflowsMax: number;
  addAddrSignalMax: number;
  addAddrAcceptedMax: number;
  /** mptcpi_flags: see `fallback` and `remoteKeyReceived`. */
  flags: number;
  /** Set only through sock_diag: getsockopt fails with EOPNOTSUPP on a connection that fell back. */
  fallback: boolean;
  remoteKeyReceived: boolean;
  /** This side's token (of its own key). */
  token: number;
  /** Next data sequence number to send, oldest unacknowledged one, next expected one (64-bit DSNs). */
  writeSeq: bigint;
  sndUna: bigint;
  rcvNxt: bigint;
  localAddrUsed: number;
  localAddrMax: number;
  csumEnabled: boolean;
  retransmits?: number;
  bytesRetrans?: bigint;
  bytesSent?: bigint;
  bytesReceived?: bigint;
  bytesAcked?: bigint;
  /** All subflows, the initial one included (6.10+). */
  subflowsTotal?: number;
  /** Milliseconds since the last data sent, data received, ACK received (6.10+). */
  lastDataSent?: number;
  lastDataRecv?: number;
  lastAckRecv?: number;
}

/** Bytes asked for MPTCP_INFO: the 6.10+ struct (older kernels write less). */
export const MPTCP_INFO_SIZE = 96;
/** The fields every MPTCP_INFO kernel fills (up to mptcpi_csum_enabled). */
const MPTCP_INFO_BASE = 43;

export function parseMptcpInfo(b: Uint8Array, len = b.length): MptcpInfo | undefined {
  if (len < MPTCP_INFO_BASE) return undefined;
  const dv = new DataView(b.buffer, b.byteOffset, len);
  const flags = dv.getUint32(8, true);
  const info: MptcpInfo = {
    subflows: b[0]!,
    addAddrSignal: b[1]!,
    addAddrAccepted: b[2]!,
    subflowsMax: b[3]!,
    addAddrSignalMax: b[4]!,
    addAddrAcceptedMax: b[5]!,
    flags,
    fallback: (flags & MPTCP_INFO_FLAG_FALLBACK) !== 0,
    remoteKeyReceived: (flags & MPTCP_INFO_FLAG_REMOTE_KEY_RECEIVED) !== 0,
    token: dv.getUint32(12, true),
    writeSeq: dv.getBigUint64(16, true),
    sndUna: dv.getBigUint64(24, true),
    rcvNxt: dv.getBigUint64(32, true),
    localAddrUsed: b[40]!,
    localAddrMax: b[41]!,
    csumEnabled: b[42]! !== 0,
  };
  if (len >= 80) {
    info.retransmits = dv.getUint32(44, true);
    info.bytesRetrans = dv.getBigUint64(48, true);
    info.bytesSent = dv.getBigUint64(56, true);
    info.bytesReceived = dv.getBigUint64(64, true);
    info.bytesAcked = dv.getBigUint64(72, true);
  }
  if (len >= MPTCP_INFO_SIZE) {
    info.subflowsTotal = b[80]!;
    info.lastDataSent = dv.getUint32(84, true);
    info.lastDataRecv = dv.getUint32(88, true);
    info.lastAckRecv = dv.getUint32(92, true);
  }
  return info;
}

/** A subflow's addresses (MPTCP_SUBFLOW_ADDRS), with its id when MPTCP_FULL_INFO gave it. */
export interface SubflowAddrs {
  /** Subflow id (1 = the initial subflow), MPTCP_FULL_INFO only. */
  id?: number;
  local: SockAddr | undefined;
  remote: SockAddr | undefined;
}

/** struct mptcp_subflow_data: the header both array options share. */
export const SUBFLOW_DATA_SIZE = 16;
/** struct mptcp_subflow_addrs: two sockaddr_storage. */
export const SUBFLOW_ADDRS_SIZE = 2 * SOCKADDR_STORAGE_SIZE;

/** A buffer for MPTCP_SUBFLOW_ADDRS / MPTCP_TCPINFO with room for `count` elements of `size` bytes. */
export function subflowDataRequest(count: number, size: number): Uint8Array {
  const b = new Uint8Array(SUBFLOW_DATA_SIZE + count * size);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, SUBFLOW_DATA_SIZE, true);
  dv.setUint32(12, size, true);
  return b;
}

/** The elements of a filled mptcp_subflow_data array: how many subflows exist, and the bytes of those that fit. */
export function subflowDataElements(b: Uint8Array, len: number): { total: number; elements: Uint8Array[] } {
  if (len < SUBFLOW_DATA_SIZE) return { total: 0, elements: [] };
  const dv = new DataView(b.buffer, b.byteOffset, len);
  const total = dv.getUint32(4, true);
  const stride = dv.getUint32(12, true);
  const elements: Uint8Array[] = [];
  for (let off = SUBFLOW_DATA_SIZE; stride > 0 && off + stride <= len && elements.length < total; off += stride) {
    elements.push(b.subarray(off, off + stride));
  }
  return { total, elements };
}

export function parseSubflowAddrs(e: Uint8Array): SubflowAddrs {
  return { local: decodeSockaddr(e, 0), remote: decodeSockaddr(e, SOCKADDR_STORAGE_SIZE) };
}

/** The part of struct tcp_info worth showing per subflow (times in microseconds). */
export interface TcpInfo {
  state: number;
  /** TCPI_OPT_* bits: timestamps 1, SACK 2, window scale 4, ECN 8. */
  options: number;
  rto: number;
  sndMss: number;
  rcvMss: number;
  unacked: number;
  lost: number;
  retrans: number;
  pmtu: number;
  rtt: number;
  rttvar: number;
  sndCwnd: number;
  totalRetrans: number;
  bytesAcked?: bigint;
  bytesReceived?: bigint;
  segsOut?: number;
  segsIn?: number;
  bytesSent?: bigint;
  bytesRetrans?: bigint;
}

/** tcp_info bytes asked for: up to tcpi_bytes_retrans and beyond (the kernel copies what it has). */
export const TCP_INFO_SIZE = 256;

export function parseTcpInfo(b: Uint8Array, len = b.length): TcpInfo | undefined {
  if (len < 104) return undefined;
  const dv = new DataView(b.buffer, b.byteOffset, len);
  const u32 = (off: number): number => dv.getUint32(off, true);
  const info: TcpInfo = {
    state: b[0]!,
    options: b[5]!,
    rto: u32(8),
    sndMss: u32(16),
    rcvMss: u32(20),
    unacked: u32(24),
    lost: u32(32),
    retrans: u32(36),
    pmtu: u32(60),
    rtt: u32(68),
    rttvar: u32(72),
    sndCwnd: u32(80),
    totalRetrans: u32(100),
  };
  if (len >= 144) {
    info.bytesAcked = dv.getBigUint64(120, true);
    info.bytesReceived = dv.getBigUint64(128, true);
    info.segsOut = u32(136);
    info.segsIn = u32(140);
  }
  if (len >= 216) {
    info.bytesSent = dv.getBigUint64(200, true);
    info.bytesRetrans = dv.getBigUint64(208, true);
  }
  return info;
}

/** A subflow as MPTCP_FULL_INFO (6.6+) or MPTCP_SUBFLOW_ADDRS (5.16+) describe it. */
export interface Subflow extends SubflowAddrs {
  /** MPTCP_FULL_INFO only. */
  tcp?: TcpInfo;
}

/** MPTCP_FULL_INFO in one consistent snapshot: the connection and each subflow's id, addresses and tcp_info. */
export interface MptcpFullInfo {
  info: MptcpInfo | undefined;
  subflows: Subflow[];
}

/** struct mptcp_full_info up to its mptcp_info member; then struct mptcp_info. */
export const FULL_INFO_HEAD = 40;
/** struct mptcp_subflow_info: u32 id, padding, mptcp_subflow_addrs. */
export const SUBFLOW_INFO_SIZE = 8 + SUBFLOW_ADDRS_SIZE;

/** The request header for `count` subflows (pointers are filled in by the addon). */
export function fullInfoRequest(count: number): Uint8Array {
  const head = new Uint8Array(FULL_INFO_HEAD + MPTCP_INFO_SIZE);
  const dv = new DataView(head.buffer);
  dv.setUint32(4, TCP_INFO_SIZE, true);
  dv.setUint32(12, SUBFLOW_INFO_SIZE, true);
  dv.setUint32(20, count, true);
  return head;
}

/** Parses a filled request; `more` is set when the kernel had more subflows than room was given for. */
export function parseFullInfo(head: Uint8Array, len: number, sfinfo: Uint8Array, tcpinfo: Uint8Array): { full: MptcpFullInfo; more: number } {
  const dv = new DataView(head.buffer, head.byteOffset);
  const tcpStride = dv.getUint32(4, true);
  const sfStride = dv.getUint32(12, true);
  const total = dv.getUint32(16, true);
  const room = dv.getUint32(20, true);
  const n = Math.min(total, room);
  const subflows: Subflow[] = [];
  for (let i = 0; i < n; i++) {
    const sf = sfinfo.subarray(i * sfStride, (i + 1) * sfStride);
    const addrs = sf.length >= SUBFLOW_INFO_SIZE ? parseSubflowAddrs(sf.subarray(8)) : { local: undefined, remote: undefined };
    const sub: Subflow = { id: sf.length >= 4 ? new DataView(sf.buffer, sf.byteOffset).getUint32(0, true) : 0, ...addrs };
    const tcp = parseTcpInfo(tcpinfo.subarray(i * tcpStride, (i + 1) * tcpStride));
    if (tcp) sub.tcp = tcp;
    subflows.push(sub);
  }
  const info = parseMptcpInfo(head.subarray(FULL_INFO_HEAD), Math.max(0, len - FULL_INFO_HEAD));
  return { full: { info, subflows }, more: Math.max(0, total - room) };
}
