/**
 * `mpscope summary` for people: one block per MPTCP connection (its
 * subflows, then one table per data direction), aligned columns, units
 * chosen per value; and `--json` for programs. Also the text helpers the
 * doctor report shares (units, tables, endpoints, JSON).
 */
import type {
  ConnectionSummary, Counted, DirectionSummary, SummaryReport, TcpConversationReport,
} from '../analysis/report/summary.js';
import type { DistributionStats } from '../analysis/report/distribution.js';
import type { Endpoint } from '../analysis/mptcp/types.js';

// ------------------------------------------------------------------ units

/** Whole bytes with thousands separators: 200,000. */
export function formatCount(n: number): string {
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Bytes in IEC units with one decimal past 1 KiB: 512 B, 195.3 KiB, 1.8 MiB. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${Math.round(n)} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}

/** At most three significant digits, trailing zeros dropped (values below 1000 here). */
function sig3(v: number): string {
  return String(Number(v.toPrecision(3)));
}

/** A time span with a unit fitting its size: 4 µs, 51.2 µs, 1.08 ms, 283 ms, 16.0 s. */
export function formatDuration(seconds: number): string {
  const s = Math.abs(seconds);
  if (s === 0) return '0 s';
  if (s < 1e-3) return `${sig3(seconds * 1e6)} µs`;
  if (s < 1) return `${sig3(seconds * 1e3)} ms`;
  if (s < 1000) return `${sig3(seconds)} s`;
  return `${seconds.toFixed(0)} s`;
}

/** Bits per second with a decimal prefix: 950 kbit/s, 1.48 Gbit/s. */
export function formatRate(bitsPerSecond: number): string {
  const prefixes = ['', 'k', 'M', 'G', 'T'];
  let v = bitsPerSecond;
  let p = 0;
  while (v >= 1000 && p < prefixes.length - 1) {
    v /= 1000;
    p++;
  }
  return `${sig3(v)} ${prefixes[p]}bit/s`;
}

export function formatPercent(fraction: number): string {
  const pc = fraction * 100;
  return pc === 0 || pc >= 10 ? `${pc.toFixed(1)}%` : `${pc.toFixed(2)}%`;
}

/** Capture-relative time in seconds, as tshark's relative time column (microseconds). */
export function formatOffset(seconds: number): string {
  return `${seconds.toFixed(6)} s`;
}

export function endpointText(e: Endpoint | undefined): string {
  if (e === undefined) return '?';
  return e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
}

// ----------------------------------------------------------------- tables

export type Align = 'left' | 'right';

/**
 * Aligned columns separated by two spaces; the header row first. Trailing
 * spaces are trimmed. A summary of thousands of connections makes tables
 * by the thousand: each cell is measured once and each line built in one
 * string, without arrays of parts.
 */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[], align: readonly Align[], indent = ''): string[] {
  // Every list of widths is made the same way: arrays of one kind, which the compiled code of these loops is specialised for.
  const headerWidths = cellWidths(headers);
  const widths = headerWidths.slice();
  const rowWidths: number[][] = [];
  for (let r = 0; r < rows.length; r++) {
    const w = cellWidths(rows[r]!);
    for (let i = 0; i < w.length && i < widths.length; i++) if (w[i]! > widths[i]!) widths[i] = w[i]!;
    rowWidths.push(w);
  }
  const line = (cells: readonly string[], cw: readonly number[]): string => {
    let s = indent;
    for (let i = 0; i < cells.length; i++) {
      const c = cells[i]!;
      // Cells past the headers' columns get no padding.
      const pad = spaces(i < widths.length ? widths[i]! - cw[i]! : 0);
      if (i > 0) s += '  ';
      s += align[i] === 'right' ? pad + c : c + pad;
    }
    return s.charCodeAt(s.length - 1) === 0x20 ? s.trimEnd() : s;
  };
  const out = [line(headers, headerWidths)];
  for (let r = 0; r < rows.length; r++) out.push(line(rows[r]!, rowWidths[r]!));
  return out;
}

function cellWidths(cells: readonly string[]): number[] {
  const w = new Array<number>(cells.length);
  for (let i = 0; i < cells.length; i++) w[i] = width(cells[i]!);
  return w;
}

const SPACES = ' '.repeat(64);

function spaces(n: number): string {
  return n <= 0 ? '' : n <= SPACES.length ? SPACES.slice(0, n) : ' '.repeat(n);
}

/** A low surrogate: the second half of a pair, which adds no code point. */
const LOW_SURROGATE = /[\udc00-\udfff]/;

/** Display width: code points (the text here has no wide characters). */
function width(s: string): number {
  // Nearly every cell has none: one scan in the regular expression engine is cheaper than a loop over its characters while the table code is not yet compiled.
  if (!LOW_SURROGATE.test(s)) return s.length;
  let n = s.length;
  for (let i = 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // The second half of a surrogate pair adds no code point.
    if (c >= 0xdc00 && c <= 0xdfff) {
      const h = s.charCodeAt(i - 1);
      if (h >= 0xd800 && h <= 0xdbff) n--;
    }
  }
  return n;
}

// ------------------------------------------------------------------- JSON

/** JSON with 2-space indentation; bigints (keys, IDSNs) as hex strings, undefined members left out. */
export function formatJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `0x${v.toString(16).padStart(16, '0')}` : v), 2);
}

// ---------------------------------------------------------------- summary

function countedText(c: Counted): string {
  return c.count === 0 ? '0' : `${c.count} (${formatBytes(c.bytes)})`;
}

function rttText(d: DistributionStats | undefined): string {
  if (d === undefined) return '-';
  const approx = d.exact ? '' : '~';
  return `${formatDuration(d.min)} / ${approx}${formatDuration(d.median)} / ${approx}${formatDuration(d.p95)} (${d.count})`;
}

const DIRECTION_NAMES = ['client → server', 'server → client'] as const;

function directionHeadline(d: DirectionSummary): string {
  const name = DIRECTION_NAMES[d.dir];
  if (d.measuredBy === 'none') return `${name}: no data`;
  const what = d.measuredBy === 'data-ack' ? 'delivered (data ACKed)'
    : d.measuredBy === 'sent' ? 'sent, no data ACK captured' : 'sent as plain TCP after the fallback';
  let s = `${name}: ${formatCount(d.dataBytes)} byte${d.dataBytes === 1 ? '' : 's'} ${what}`;
  if (d.notCaptured > 0) s += ` (${formatCount(d.notCaptured)} of them carried by subflows not in the capture)`;
  if (d.duration !== undefined) s += `, in ${formatDuration(d.duration)}`;
  if (d.goodputBitsPerSecond !== undefined) s += `, goodput ${formatRate(d.goodputBitsPerSecond)}`;
  if (d.dataFin) s += d.dataFinAcked ? ', DATA_FIN acknowledged' : ', DATA_FIN not acknowledged';
  return s;
}

function directionTable(d: DirectionSummary): string[] {
  const headers = ['stream', 'segments', 'bytes sent', 'new data', 'share', 'retrans', 'reinjected here', 'resent elsewhere', 'RTT ack min/med/p95 (n)', 'RTT TSval min/med/p95 (n)'];
  const align: Align[] = ['right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'left', 'left'];
  const rows: string[][] = [];
  for (const s of d.subflows) {
    rows.push([
      String(s.stream),
      formatCount(s.packets),
      formatBytes(s.bytes),
      formatBytes(s.dataBytes),
      s.share === undefined ? '-' : formatPercent(s.share),
      countedText(s.retransmissions),
      countedText(s.reinjectionsSent),
      countedText(s.reinjectedElsewhere),
      rttText(s.rtt.ack),
      rttText(s.rtt.ts),
    ]);
  }
  return formatTable(headers, rows, align, '    ');
}

function subflowTable(c: ConnectionSummary): string[] {
  const headers = ['stream', 'role', 'endpoints', 'state', 'first', 'last', 'start', 'lifetime'];
  const align: Align[] = ['right', 'left', 'left', 'left', 'right', 'right', 'right', 'right'];
  const rows: string[][] = [];
  for (const s of c.subflows) {
    rows.push([
      String(s.stream),
      (s.master ? 'initial' : s.initiator === 0 ? 'join' : 'join by server') + (s.backup ? ', backup' : ''),
      `${endpointText(s.src)} → ${endpointText(s.dst)}`,
      s.state,
      String(s.firstFrame),
      String(s.lastFrame),
      formatOffset(s.start),
      formatDuration(s.lifetime),
    ]);
  }
  return formatTable(headers, rows, align, '    ');
}

export function formatConnectionSummary(c: ConnectionSummary): string[] {
  const version = c.version === undefined ? 'version unknown' : `v${c.version}`;
  // Without the handshake the sides are unknown: the first subflow's ends still say which connection this is.
  const first = c.subflows[0];
  const lines = [`MPTCP connection ${c.index} (${version}): ${endpointText(c.client ?? first?.src)} → ${endpointText(c.server ?? first?.dst)}`];
  const facts = [
    c.ending === undefined ? c.state : `${c.state} (${c.ending})`,
    `frames ${c.firstFrame}-${c.lastFrame}`,
    `start ${formatOffset(c.start)}`,
    `duration ${formatDuration(c.duration)}`,
  ];
  if (c.checksums !== undefined) facts.push(c.checksums ? 'DSS checksums on' : 'DSS checksums off');
  lines.push(`  ${facts.join(', ')}`);
  lines.push(`  subflows (${c.subflows.length}):`);
  lines.push(...subflowTable(c));
  for (const d of c.directions) {
    lines.push('');
    lines.push(`  ${directionHeadline(d)}`);
    if (d.measuredBy !== 'none' || d.subflows.some((s) => s.packets > 0)) lines.push(...directionTable(d));
  }
  return lines;
}

/** A column of a TCP conversation table: its header, its alignment and a row's cell. */
export interface TcpColumn {
  header: string;
  align: Align;
  cell(c: TcpConversationReport): string;
}

/** The columns every TCP conversation table opens with. */
const TCP_LEAD: readonly TcpColumn[] = [
  { header: 'stream', align: 'right', cell: (c) => String(c.stream) },
  { header: 'A → B', align: 'left', cell: (c) => `${endpointText(c.a)} → ${endpointText(c.b)}` },
  { header: 'state', align: 'left', cell: (c) => c.state },
  { header: 'start', align: 'right', cell: (c) => formatOffset(c.start) },
  { header: 'duration', align: 'right', cell: (c) => formatDuration(c.duration) },
];

/** Plain TCP conversations, one row each: stream, endpoints, state, start and duration, then `more`. */
export function formatTcpTable(list: readonly TcpConversationReport[], more: readonly TcpColumn[]): string[] {
  const columns = [...TCP_LEAD, ...more];
  const rows = list.map((c) => columns.map((col) => col.cell(c)));
  return formatTable(columns.map((col) => col.header), rows, columns.map((col) => col.align), '  ');
}

function tcpTable(list: readonly TcpConversationReport[]): string[] {
  return formatTcpTable(list, [
    { header: 'bytes A→B', align: 'right', cell: (c) => formatBytes(c.directions[0].bytes) },
    { header: 'bytes B→A', align: 'right', cell: (c) => formatBytes(c.directions[1].bytes) },
    { header: 'retrans A→B', align: 'right', cell: (c) => countedText(c.directions[0].retransmissions) },
    { header: 'retrans B→A', align: 'right', cell: (c) => countedText(c.directions[1].retransmissions) },
    { header: 'RTT A→B ack min/med/p95 (n)', align: 'left', cell: (c) => rttText(c.directions[0].rtt.ack) },
  ]);
}

/** The whole report as text lines (without the final newline). */
export function formatSummary(r: SummaryReport): string {
  const lines: string[] = [];
  writeSummaryOf(r, r.connections, r.connections.length, (line) => { lines.push(line); });
  return lines.join('\n');
}

/**
 * The report's lines, each handed to `emit` as soon as it is made, for a
 * report whose connections come one at a time (`count` of them): each can
 * be summarised when its turn comes and dropped after its lines, so that
 * neither the summaries of thousands of connections nor their text is
 * ever held whole.
 */
export function writeSummaryOf(
  r: Omit<SummaryReport, 'connections'>, connections: Iterable<ConnectionSummary>, count: number, emit: (line: string) => void,
): void {
  emit(`${formatCount(r.packets)} packets, ${formatDuration(r.duration)}; ${count} MPTCP connection${count === 1 ? '' : 's'}`);
  for (const c of connections) {
    emit('');
    for (const l of formatConnectionSummary(c)) emit(l);
  }
  if (r.tcp !== undefined) {
    emit('');
    emit(`TCP conversations that are not MPTCP subflows: ${r.tcp.length}`);
    if (r.tcp.length > 0) for (const l of tcpTable(r.tcp)) emit(l);
  }
  emit('');
  emit('bytes: TCP payload; new data: data-level bytes a subflow carried first; RTT from ACKs (Karn\'s rule) and from TCP timestamps, measured at the capture point; ~: within 1% (histogram)');
}

export function formatSummaryJson(r: SummaryReport): string {
  return formatJson(r);
}
