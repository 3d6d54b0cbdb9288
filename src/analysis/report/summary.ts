/**
 * `mpscope summary`: per MPTCP connection and direction, what was delivered
 * and how each subflow took part; plain TCP conversations on request.
 *
 * Definitions (all byte counts are TCP payload or data-level bytes, never
 * headers):
 * - data-level bytes delivered in a direction: the DSN range the peer's data
 *   ACKs covered during the capture, i.e. the highest data ACK minus where
 *   delivery counting starts (relative DSN 1, the byte after the IDSN, when
 *   the connection's start was captured; else the first data ACK seen, or the
 *   first DSN seen when it came first), minus one for an acknowledged
 *   DATA_FIN (it takes a DSN but carries no byte). Without any data ACK in
 *   the capture, the DSN range sent stands in (`measuredBy: 'sent'`).
 * - duration: from the first data segment to the data ACK that caught up
 *   with all data sent (to the last data segment when nothing was
 *   acknowledged); goodput is delivered bytes over that duration.
 * - a subflow's data bytes: DSNs it was the first to carry; its share is
 *   that over the sum of all subflows' data bytes in the direction (so
 *   reinjections and retransmissions count once, on the first subflow).
 * - bytes sent: all TCP payload, retransmissions and reinjections included.
 * - retransmissions: segments tshark flags as (fast, spurious)
 *   retransmissions; reinjections: segments carrying DSNs first sent on
 *   another subflow, and the other way round, segments of this subflow
 *   whose DSNs were sent again on another one.
 * - RTT: see collect.ts (ACKs with Karn's rule, and TCP timestamps).
 */
import { ipv4ToString, ipv6ToString } from '../../wire/index.js';
import type { DataDir, Endpoint, Instant, MptcpConnection, MptcpSubflow } from '../mptcp/types.js';
import type { TcpConversationSummary } from '../tcp/tracker.js';
import type { ConnDirExtra, FlowExtra } from './collect.js';
import type { DistributionStats } from './distribution.js';
import type { CaptureAnalysis } from './run.js';

export interface Counted {
  count: number;
  bytes: number;
}

/** Round-trip times in seconds; undefined members had no sample. */
export interface RttSummary {
  ack?: DistributionStats | undefined;
  ts?: DistributionStats | undefined;
}

export interface SubflowDirectionSummary {
  stream: number;
  packets: number;
  /** TCP payload sent, retransmissions and reinjections included. */
  bytes: number;
  /** DSNs this subflow carried first. */
  dataBytes: number;
  /** dataBytes over the direction's total (0..1); undefined when the direction carried no data. */
  share?: number | undefined;
  retransmissions: Counted;
  /** Segments sent here with DSNs first sent on another subflow. */
  reinjectionsSent: Counted;
  /** Segments first sent here whose DSNs were sent again on another subflow. */
  reinjectedElsewhere: Counted;
  /** Old DSNs sent again on this same subflow under new subflow sequence numbers. */
  dataRetransmissions: Counted;
  rtt: RttSummary;
}

export interface DirectionSummary {
  dir: DataDir;
  from?: Endpoint | undefined;
  to?: Endpoint | undefined;
  /** Data-level bytes delivered (see the module comment). */
  dataBytes: number;
  /**
   * data-ack: from the data ACKs; sent: no data ACK captured, the DSN range
   * sent stands in; tcp: the connection fell back before any data, its TCP
   * payload (without retransmissions) stands in; none: no data.
   */
  measuredBy: 'data-ack' | 'sent' | 'tcp' | 'none';
  /** Delivered bytes that no captured subflow carried (subflows outside the capture). */
  notCaptured: number;
  /** Payload segments and bytes on all subflows, retransmissions included. */
  packets: number;
  bytes: number;
  /** Seconds from the capture's start to the first data segment, and the transfer's duration. */
  start?: number | undefined;
  duration?: number | undefined;
  goodputBitsPerSecond?: number | undefined;
  dataFin: boolean;
  dataFinAcked: boolean;
  subflows: SubflowDirectionSummary[];
}

export interface SubflowSummary {
  stream: number;
  master: boolean;
  backup: boolean;
  /** Which side opened it: 0 the client, 1 the server. */
  initiator: DataDir;
  src: Endpoint;
  dst: Endpoint;
  state: string;
  established: boolean;
  firstFrame: number;
  lastFrame: number;
  /** Seconds from the capture's start, and from the subflow's first to its last packet. */
  start: number;
  lifetime: number;
}

export interface ConnectionSummary {
  index: number;
  version?: 0 | 1 | undefined;
  client?: Endpoint | undefined;
  server?: Endpoint | undefined;
  checksums?: boolean | undefined;
  state: string;
  ending?: string | undefined;
  firstFrame: number;
  lastFrame: number;
  start: number;
  duration: number;
  subflows: SubflowSummary[];
  /** [client to server, server to client]. */
  directions: [DirectionSummary, DirectionSummary];
}

export interface TcpDirectionSummary {
  packets: number;
  bytes: number;
  retransmissions: Counted;
  rtt: RttSummary;
}

export interface TcpConversationReport {
  stream: number;
  /** A sent the first packet seen (the client when the SYN was captured). */
  a: Endpoint;
  b: Endpoint;
  state: string;
  firstFrame: number;
  lastFrame: number;
  start: number;
  duration: number;
  /** [A to B, B to A]. */
  directions: [TcpDirectionSummary, TcpDirectionSummary];
}

export interface SummaryReport {
  packets: number;
  /** Capture start (seconds since the Unix epoch) and length in seconds. */
  startTime?: number | undefined;
  duration: number;
  connections: ConnectionSummary[];
  /** Plain TCP conversations (not MPTCP subflows), when asked for. */
  tcp?: TcpConversationReport[] | undefined;
}

export interface SummaryOptions {
  /** Include plain TCP conversations. */
  tcp?: boolean | undefined;
  /** Leave the MPTCP connections out (a caller summarising them one at a time with `connectionSummary`). */
  withoutConnections?: boolean | undefined;
}

const NS = 1e9;

export function seconds(t: Instant): number {
  return t.sec + t.nsec / NS;
}

/** Seconds from `from` to `to`, computed without losing nanoseconds to large epoch values. */
export function interval(from: Instant, to: Instant): number {
  return to.sec - from.sec + (to.nsec - from.nsec) / NS;
}

/** Seconds rounded to the nanosecond, dropping the noise of subtracting epoch-sized doubles. */
function toNs(s: number): number {
  return Math.round(s * NS) / NS;
}

function counted(count: number, bytes: number): Counted {
  return { count, bytes };
}

export function rttOf(flow: FlowExtra | undefined): RttSummary {
  if (flow === undefined) return {};
  return { ack: flow.ackRtt.stats(), ts: flow.tsRtt.stats() };
}

/** The TCP direction (TcpAnnotation.dir) of a subflow's data direction. */
export function tcpDirOf(sub: MptcpSubflow, dir: DataDir): 0 | 1 {
  return dir === 0 ? sub.clientTcpDir : sub.clientTcpDir === 0 ? 1 : 0;
}

/**
 * Data-level bytes a subflow carried first in one direction (collect.ts
 * counts them against every DSN range sent before, so subflows sending
 * interleaved DSN ranges each get their own).
 */
export function newDataBytes(a: CaptureAnalysis, sub: MptcpSubflow, dir: DataDir): number {
  return a.extras.streams[sub.stream]?.flows[tcpDirOf(sub, dir)].newDataBytes ?? 0;
}

/** Data-level bytes delivered in one direction, and how they were measured. */
export function deliveredBytes(conn: MptcpConnection, dir: DataDir, extra: ConnDirExtra | undefined): { bytes: number; measuredBy: 'data-ack' | 'sent' | 'none' } {
  const d = conn.dirs[dir];
  const start = extra?.deliveryStart ?? (d.base === 'idsn' ? 1 : d.firstDsn);
  if (d.dataAck !== undefined && start !== undefined && (d.endDsn !== undefined || d.dataAck > start)) {
    const finAcked = d.dataFin !== undefined && d.dataFin.dsn < d.dataAck ? 1 : 0;
    return { bytes: Math.max(0, d.dataAck - start - finAcked), measuredBy: 'data-ack' };
  }
  if (d.endDsn !== undefined && d.firstDsn !== undefined) {
    return { bytes: Math.max(0, d.endDsn - (start ?? d.firstDsn)), measuredBy: 'sent' };
  }
  return { bytes: 0, measuredBy: 'none' };
}

function subflowDirection(sub: MptcpSubflow, dir: DataDir, flow: FlowExtra | undefined, data: number, total: number): SubflowDirectionSummary {
  const s = sub.stats[dir];
  return {
    stream: sub.stream,
    packets: s.packets,
    bytes: s.bytes,
    dataBytes: data,
    share: total > 0 ? data / total : undefined,
    retransmissions: counted(flow?.retransmissions ?? 0, flow?.retransmittedBytes ?? 0),
    reinjectionsSent: counted(s.reinjections, s.reinjectedBytes),
    reinjectedElsewhere: counted(s.reinjectedElsewhere, s.reinjectedElsewhereBytes),
    dataRetransmissions: counted(s.dataRetransmissions, s.dataRetransmittedBytes),
    rtt: rttOf(flow),
  };
}

/** Payload bytes not retransmitted: a fallen-back subflow's data, which has no DSNs. */
function tcpData(flow: FlowExtra | undefined): number {
  return flow === undefined ? 0 : flow.payloadBytes - flow.retransmittedBytes;
}

function direction(a: CaptureAnalysis, conn: MptcpConnection, dir: DataDir, origin: Instant): DirectionSummary {
  const extra = a.extras.conns[conn.index]?.dirs[dir];
  const d = conn.dirs[dir];
  const delivered = deliveredBytes(conn, dir, extra);
  let bytes = delivered.bytes;
  let measuredBy: DirectionSummary['measuredBy'] = delivered.measuredBy;
  // A connection that fell back before any data has no DSNs: its data is the TCP payload.
  const plain = measuredBy === 'none' && conn.fallback !== undefined;
  // Plain loops, and the byte counts in a typed array: arrays of one kind whatever the values (see formatTable).
  const n = conn.subflows.length;
  const flows: Array<FlowExtra | undefined> = [];
  const data = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const sub = conn.subflows[i]!;
    const f = a.extras.streams[sub.stream]?.flows[tcpDirOf(sub, dir)];
    flows.push(f);
    data[i] = plain ? tcpData(f) : f?.newDataBytes ?? 0;
    total += data[i]!;
  }
  if (plain && total > 0) {
    bytes = total;
    measuredBy = 'tcp';
  }
  const subflows: SubflowDirectionSummary[] = [];
  for (let i = 0; i < n; i++) subflows.push(subflowDirection(conn.subflows[i]!, dir, flows[i], data[i]!, total));
  let start: number | undefined;
  let duration: number | undefined;
  if (extra !== undefined && !Number.isNaN(extra.firstDataNs)) {
    const end = !Number.isNaN(extra.allAckedNs) && extra.allAckedNs >= extra.lastDataNs ? extra.allAckedNs
      : !Number.isNaN(extra.lastAckAdvanceNs) && extra.lastAckAdvanceNs >= extra.firstDataNs ? Math.max(extra.lastAckAdvanceNs, extra.lastDataNs)
        : extra.lastDataNs;
    start = a.extras.secondsSince(origin, extra.firstDataNs);
    duration = (end - extra.firstDataNs) / NS;
  } else if (measuredBy === 'tcp') {
    const first = Math.min(...flows.map((f) => f?.firstDataNs ?? Infinity).filter((x) => !Number.isNaN(x)));
    const last = Math.max(...flows.map((f) => f?.lastDataNs ?? -Infinity).filter((x) => !Number.isNaN(x)));
    if (Number.isFinite(first) && Number.isFinite(last)) {
      start = a.extras.secondsSince(origin, first);
      duration = (last - first) / NS;
    }
  }
  const from = dir === 0 ? conn.client : conn.server;
  const to = dir === 0 ? conn.server : conn.client;
  return {
    dir,
    from,
    to,
    dataBytes: bytes,
    measuredBy,
    notCaptured: measuredBy === 'data-ack' && bytes > total ? bytes - total : 0,
    packets: countPayloadPackets(a, conn, dir),
    bytes: d.bytes,
    start,
    duration,
    goodputBitsPerSecond: duration !== undefined && duration > 0 && bytes > 0 ? (bytes * 8) / duration : undefined,
    dataFin: d.dataFin !== undefined,
    dataFinAcked: d.dataFin?.ackFrame !== undefined,
    subflows,
  };
}

/** Segments with payload sent in one direction on all subflows. */
function countPayloadPackets(a: CaptureAnalysis, conn: MptcpConnection, dir: DataDir): number {
  let n = 0;
  for (const sub of conn.subflows) n += a.extras.streams[sub.stream]?.flows[tcpDirOf(sub, dir)].dataPackets ?? 0;
  return n;
}

function subflowSummary(sub: MptcpSubflow, origin: Instant): SubflowSummary {
  return {
    stream: sub.stream,
    master: sub.master,
    backup: sub.backup,
    initiator: sub.initiator,
    src: sub.src,
    dst: sub.dst,
    state: sub.state,
    established: sub.establishedFrame !== undefined,
    firstFrame: sub.firstFrame,
    lastFrame: sub.lastFrame,
    start: interval(origin, sub.firstTime),
    lifetime: interval(sub.firstTime, sub.lastTime),
  };
}

function subflowSummaries(conn: MptcpConnection, origin: Instant): SubflowSummary[] {
  const list: SubflowSummary[] = [];
  for (const s of conn.subflows) list.push(subflowSummary(s, origin));
  return list;
}

export function connectionSummary(a: CaptureAnalysis, conn: MptcpConnection): ConnectionSummary {
  const origin = a.firstTime ?? conn.firstTime;
  return {
    index: conn.index,
    version: conn.version,
    client: conn.client,
    server: conn.server,
    checksums: conn.checksums,
    state: conn.state,
    ending: conn.ending,
    firstFrame: conn.firstFrame,
    lastFrame: conn.lastFrame,
    start: interval(origin, conn.firstTime),
    duration: interval(conn.firstTime, conn.lastTime),
    subflows: subflowSummaries(conn, origin),
    directions: [direction(a, conn, 0, origin), direction(a, conn, 1, origin)],
  };
}

export function endpointOf(addr: number | Uint8Array, port: number): Endpoint {
  return { address: typeof addr === 'number' ? ipv4ToString(addr) : ipv6ToString(addr), port };
}

/** Streams that are MPTCP subflows. */
export function subflowStreams(a: CaptureAnalysis): Set<number> {
  const set = new Set<number>();
  for (const c of a.connections) for (const s of c.subflows) set.add(s.stream);
  return set;
}

/** Plain TCP conversations, in stream order. */
export function plainConversations(a: CaptureAnalysis): TcpConversationSummary[] {
  const mp = subflowStreams(a);
  return a.tcp.filter((c) => c !== undefined && !mp.has(c.stream));
}

function tcpDirection(flow: FlowExtra | undefined): TcpDirectionSummary {
  return {
    packets: flow?.packets ?? 0,
    bytes: flow?.payloadBytes ?? 0,
    retransmissions: counted(flow?.retransmissions ?? 0, flow?.retransmittedBytes ?? 0),
    rtt: rttOf(flow),
  };
}

export function tcpConversationReport(a: CaptureAnalysis, c: TcpConversationSummary): TcpConversationReport {
  const st = a.extras.streams[c.stream];
  const origin = a.firstTime === undefined ? c.firstTime : seconds(a.firstTime);
  return {
    stream: c.stream,
    a: endpointOf(c.addrA, c.portA),
    b: endpointOf(c.addrB, c.portB),
    state: c.state,
    firstFrame: c.firstFrame,
    lastFrame: c.lastFrame,
    start: toNs(c.firstTime - origin),
    duration: toNs(c.lastTime - c.firstTime),
    directions: [tcpDirection(st?.flows[0]), tcpDirection(st?.flows[1])],
  };
}

export function summarize(a: CaptureAnalysis, opts: SummaryOptions = {}): SummaryReport {
  return {
    packets: a.packets,
    startTime: a.firstTime === undefined ? undefined : seconds(a.firstTime),
    duration: a.firstTime !== undefined && a.lastTime !== undefined ? interval(a.firstTime, a.lastTime) : 0,
    connections: opts.withoutConnections ? [] : a.connections.map((c) => connectionSummary(a, c)),
    tcp: opts.tcp ? plainConversations(a).map((c) => tcpConversationReport(a, c)) : undefined,
  };
}
