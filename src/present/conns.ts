/**
 * `mpscope conns` for people: one block per MPTCP connection (endpoints,
 * version, checksums, keys and tokens, state and how it ended, start and
 * duration, data each way) with a table of its subflows (4-tuple, TCP
 * stream, address ids, backup flag, how and when it joined or failed,
 * bytes); with `--tcp`, the plain TCP conversations after them. `--json`
 * gives the connection model itself.
 */
import type { DataDir, Instant, MptcpConnection, MptcpSubflow } from '../analysis/mptcp/types.js';
import type { TcpConversationReport } from '../analysis/report/summary.js';
import { endpointText, formatCount, formatDuration, formatJson, formatOffset, formatTable, formatTcpTable } from './summary.js';
import type { Align } from './summary.js';

export interface ConnsReport {
  packets: number;
  /** First packet's time: connection starts are shown relative to it. */
  startTime?: Instant | undefined;
  connections: MptcpConnection[];
  /** Plain TCP conversations (not MPTCP subflows), when asked for. */
  tcp?: TcpConversationReport[] | undefined;
}

const hex = (v: bigint | number, digits: number): string => `0x${v.toString(16).padStart(digits, '0')}`;

function since(from: Instant, to: Instant): number {
  return to.sec - from.sec + (to.nsec - from.nsec) / 1e9;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Data-level bytes of a direction (the DSN range sent), or undefined when no DSN was seen. */
function dataBytes(c: MptcpConnection, dir: DataDir): number | undefined {
  const d = c.dirs[dir];
  return d.firstDsn === undefined || d.endDsn === undefined ? undefined : d.endDsn - Math.min(d.firstDsn, 1);
}

function sideText(c: MptcpConnection, side: DataDir): string {
  const key = c.keys[side];
  const token = c.tokens[side];
  if (key === undefined) return token === undefined ? 'not captured' : `token ${hex(token, 8)}`;
  return `${hex(key, 16)}${token === undefined ? '' : ` (token ${hex(token, 8)})`}`;
}

function directionText(c: MptcpConnection, dir: DataDir): string {
  const data = dataBytes(c, dir);
  const sent = c.dirs[dir].bytes;
  if (data !== undefined) return `${formatCount(data)} bytes`;
  return sent > 0 ? `${formatCount(sent)} bytes of TCP payload, no DSN` : 'none';
}

function joinedText(s: MptcpSubflow): string {
  if (s.synFrame === undefined && s.synAckFrame === undefined) return 'handshake not captured';
  if (s.tokenStatus === 'bad') return `unknown token, frame ${s.synFrame ?? s.firstFrame}`;
  if (s.failure !== undefined) return `failed at frame ${s.failure.frame}: ${s.failure.reason}`;
  if (s.establishedFrame !== undefined) return `${s.master ? 'initial' : 'joined'}, frame ${s.establishedFrame}`;
  const tries = s.synRetransmissions > 0 ? ` (${plural(s.synRetransmissions, 'retransmission')})` : '';
  if (s.synAckFrame === undefined) return `SYN unanswered${tries}, frame ${s.synFrame}`;
  return `no third ACK, frame ${s.synAckFrame}`;
}

function endedText(s: MptcpSubflow): string {
  switch (s.state) {
    case 'reset': {
      const why = s.resetReason === undefined ? '' : ` (MP_TCPRST reason ${s.resetReason})`;
      return `reset, frame ${s.resetFrame}${why}`;
    }
    case 'closed':
      return `closed, frame ${s.finFrames[s.finFrames.length - 1]}`;
    case 'failed':
      return s.resetFrame === undefined ? '-' : `reset, frame ${s.resetFrame}`;
    default:
      return 'open';
  }
}

function subflowTable(c: MptcpConnection): string[] {
  const headers = ['stream', 'subflow', 'ids', 'backup', 'joined', 'ended', 'data c→s', 'data s→c', 'sent c→s', 'sent s→c'];
  const align: Align[] = ['right', 'left', 'left', 'left', 'left', 'left', 'right', 'right', 'right', 'right'];
  const rows = c.subflows.map((s) => [
    String(s.stream),
    `${endpointText(s.src)} → ${endpointText(s.dst)}`,
    s.master ? '-' : `${s.initiatorAddrId ?? '?'}/${s.listenerAddrId ?? '?'}`,
    s.backup ? 'yes' : 'no',
    joinedText(s),
    endedText(s),
    formatCount(s.stats[0].dataBytes),
    formatCount(s.stats[1].dataBytes),
    formatCount(s.stats[0].bytes),
    formatCount(s.stats[1].bytes),
  ]);
  return formatTable(headers, rows, align, '  ');
}

function findingsText(c: MptcpConnection): string | undefined {
  if (c.findings.length === 0) return undefined;
  const n = { error: 0, warning: 0, note: 0, chat: 0 };
  for (const f of c.findings) n[f.severity]++;
  const parts = [plural(n.error, 'error'), plural(n.warning, 'warning'), plural(n.note, 'note')].filter((p) => !p.startsWith('0 '));
  return `${parts.join(', ')}: ${c.findings.map((f) => f.code).join(', ')} (mpscope doctor explains them)`;
}

/** One connection's block of lines. */
export function formatConnection(c: MptcpConnection, origin: Instant | undefined): string[] {
  const first = c.subflows[0];
  const client = c.client ?? first?.src;
  const server = c.server ?? first?.dst;
  const version = c.version === undefined ? 'version unknown' : `v${c.version}`;
  const csum = c.checksums === undefined ? '' : `, checksums ${c.checksums ? 'on' : 'off'}`;
  const lines = [`MPTCP connection ${c.index}: ${endpointText(client)} → ${endpointText(server)}, ${version}${csum}`];
  const row = (label: string, text: string): void => {
    lines.push(`  ${label.padEnd(9)} ${text}`);
  };
  row('client', sideText(c, 0));
  row('server', sideText(c, 1));
  row('state', c.ending === undefined ? c.state : `${c.state}: ${c.ending}`);
  if (c.fallback !== undefined) row('fallback', `${c.fallback.cause} at frame ${c.fallback.frame}`);
  const start = origin === undefined ? '' : `${formatOffset(since(origin, c.firstTime))} `;
  row('time', `start ${start}(frame ${c.firstFrame}), duration ${formatDuration(since(c.firstTime, c.lastTime))}, last frame ${c.lastFrame}`);
  row('data', `client → server ${directionText(c, 0)}, server → client ${directionText(c, 1)}`);
  const f = findingsText(c);
  if (f !== undefined) row('findings', f);
  lines.push(...subflowTable(c));
  return lines;
}

function tcpTable(list: readonly TcpConversationReport[]): string[] {
  return formatTcpTable(list, [
    { header: 'bytes A→B', align: 'right', cell: (c) => formatCount(c.directions[0].bytes) },
    { header: 'bytes B→A', align: 'right', cell: (c) => formatCount(c.directions[1].bytes) },
  ]);
}

/** The whole listing as text lines (without the final newline). */
export function formatConns(r: ConnsReport): string {
  const lines = [`${formatCount(r.packets)} packets; ${plural(r.connections.length, 'MPTCP connection')}`];
  for (const c of r.connections) {
    lines.push('');
    lines.push(...formatConnection(c, r.startTime));
  }
  if (r.tcp !== undefined) {
    lines.push('');
    lines.push(`TCP conversations that are not MPTCP subflows: ${r.tcp.length}`);
    if (r.tcp.length > 0) lines.push(...tcpTable(r.tcp));
  }
  return lines.join('\n');
}

/** The connection model as JSON: keys and IDSNs as 0x hex strings. */
export function formatConnsJson(r: ConnsReport): string {
  return formatJson(r);
}
