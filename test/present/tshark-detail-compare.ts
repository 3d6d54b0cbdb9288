/**
 * Runs `tshark -V` and mpscope's detail tree with analysis on the same
 * capture, cuts each frame's TCP section out of both (MPTCP options and the
 * analysis subtrees included) and lines them up, so a test can name the
 * reason of every line that differs.
 */
import { readFileSync } from 'node:fs';
import { Analyzer, MptcpTracker, mptcpStage } from '../../src/analysis/index.js';
import type { MptcpAnnotation, TcpAnnotation } from '../../src/analysis/index.js';
import { readCaptureBytes } from '../../src/capture/index.js';
import { DetailFormatter } from '../../src/present/detail.js';
import type { DetailAnalysisPrefs } from '../../src/present/detail.js';
import { decodePacket } from '../../src/wire/index.js';
import { TcpFlag } from '../../src/wire/types.js';
import type { Packet } from '../../src/wire/types.js';
import { tshark } from './tshark-helpers.js';

/** One set of tshark preferences and the same choices for mpscope. */
export interface Mode {
  name: string;
  tsharkArgs: string[];
  prefs: DetailAnalysisPrefs;
  /** tcp.relative_sequence_numbers */
  relative: boolean;
}

export const MODES: Record<'defaults' | 'mappings' | 'noAnalysis', Mode> = {
  defaults: { name: "tshark's default preferences", tsharkArgs: [], prefs: {}, relative: true },
  mappings: {
    name: 'analysis on, MPTCP mappings and reinjections',
    tsharkArgs: ['-o', 'mptcp.analyze_mappings:TRUE', '-o', 'mptcp.intersubflows_retransmission:TRUE'],
    prefs: { mptcpMappings: true, mptcpReinjections: true },
    relative: true,
  },
  noAnalysis: {
    name: 'tcp.analyze_sequence_numbers:FALSE, tcp.relative_sequence_numbers:FALSE',
    tsharkArgs: ['-o', 'tcp.analyze_sequence_numbers:FALSE', '-o', 'tcp.relative_sequence_numbers:FALSE'],
    prefs: { seq: false },
    relative: false,
  },
};

/** A packet and mpscope's analysis of it. */
export interface AnalysedFrame {
  packet: Packet;
  tcp: TcpAnnotation | undefined;
  mptcp: MptcpAnnotation | undefined;
}

/** A frame as mpscope saw it, with its tree. */
export interface OurFrame extends AnalysedFrame {
  tree: string[];
}

const isPcapng = (bytes: Uint8Array): boolean => bytes.length >= 4 && new DataView(bytes.buffer, bytes.byteOffset).getUint32(0) === 0x0a0d0d0a;

/**
 * mpscope's trees with analysis, built the way `read -V` builds them;
 * checksums unverified by default, as tshark shows them by default.
 */
export function ourFrames(file: string, mode: Mode, checksums: 'off' | 'verify' = 'off'): OurFrame[] {
  const bytes = new Uint8Array(readFileSync(file));
  const analyzer = new Analyzer({ tcp: { relativeSeq: mode.relative, summaries: false } });
  if (mode.prefs.mptcp !== false) analyzer.use(mptcpStage(new MptcpTracker()));
  const df = new DetailFormatter({ pcapng: isPcapng(bytes), checksums, analysis: mode.prefs });
  const out: OurFrame[] = [];
  readCaptureBytes(bytes, (f) => {
    const packet = decodePacket({ ...f, data: f.data.slice() });
    const a = analyzer.process(packet);
    out.push({ packet, tcp: a.tcp, mptcp: a.mptcp, tree: df.format(packet, a).split('\n') });
  });
  return out;
}

/** tshark's trees, by frame number. */
export function tsharkTrees(file: string, mode: Mode): Map<number, string[]> {
  return treesByFrame(tshark(['-V', ...mode.tsharkArgs, '-r', file]));
}

/** Splits `-V` output (tshark's or ours) into trees keyed by frame number. */
export function treesByFrame(text: string): Map<number, string[]> {
  const out = new Map<number, string[]>();
  let current: string[] | undefined;
  for (const line of text.split('\n')) {
    const m = /^Frame (\d+): /.exec(line);
    if (m) {
      current = [];
      out.set(Number(m[1]), current);
    }
    current?.push(line);
  }
  return out;
}

const depthOf = (l: string): number => (l.length - l.trimStart().length) / 4;

/** The TCP section of a tree: its head line and everything under it. */
export function tcpLines(tree: readonly string[]): string[] {
  const start = tree.findIndex((l) => l.startsWith('Transmission Control Protocol'));
  if (start < 0) return [];
  let end = start + 1;
  while (end < tree.length && tree[end]!.startsWith(' ')) end++;
  return tree.slice(start, end);
}

/** The frame's "[Protocols in frame: ...]" line, as a one-line section. */
export function protocolsLine(tree: readonly string[]): string[] {
  const l = tree.find((x) => x.startsWith('    [Protocols in frame: '));
  return l === undefined ? [] : [l];
}

/** A line and the lines it sits under, outermost first ("[MPTCP analysis]", ...). */
export interface Line {
  text: string;
  path: string[];
}

export function withPaths(lines: readonly string[]): Line[] {
  const stack: string[] = [];
  return lines.map((text) => {
    const d = depthOf(text);
    stack.length = Math.max(0, d);
    const path = stack.slice(0, d).filter((s) => s !== undefined).map((s) => s.trim());
    stack[d] = text;
    return { text, path };
  });
}

/** tshark's lines in an MPTCP analysis subtree; the others there are mpscope's own. */
const TSHARK_MPTCP_ANALYSIS = /^\s+(\[Master flow: |\[Stream index: |\[TCP subflow stream id\(s\): |\[Related mapping: |Raw Data Sequence Number: |\[Data Sequence Number: |\[Reinjection of: |\[Expert Info \(Warning\/Protocol\): No mapping available\]$)/;

/** mpscope's own lines inside an MPTCP option node (computed values and checks tshark does not make). */
const OURS_IN_OPTION = /key token|key IDSN|\[HMAC Status|\[Checksum Status|\[Infinite mapping|\[Token Status|\[Key Echo Status|\[Key Status|\[Echo of the advertisement/;

/**
 * Leaves out mpscope's own lines: those inside MPTCP option nodes (with an
 * expert note under them) and in the MPTCP analysis subtree, and the DSS
 * checksum tshark 4.0 never shows.
 */
export function withoutOurs(lines: readonly Line[]): Line[] {
  return withoutSubtrees(lines, (l) => {
    const option = l.path.find((p) => p.startsWith('Multipath Transmission Control Protocol'));
    if (option !== undefined && (OURS_IN_OPTION.test(l.text) || (option.endsWith('Data Sequence Signal') && /^\s+Checksum: 0x/.test(l.text)))) return true;
    return l.path[l.path.length - 1] === '[MPTCP analysis]' && !TSHARK_MPTCP_ANALYSIS.test(l.text);
  });
}

/** tshark 4.0 calls a v1 MP_CAPABLE with the C flag an unsupported algorithm (it reads the v0 flag layout): leave that note out. */
export function withoutTsharkBugs(lines: readonly Line[]): Line[] {
  return withoutSubtrees(lines, (l) => l.text.includes('[Expert Info (Warning/Protocol): Unsupported algorithm]'));
}

/** The lines without each one `drop` picks and everything under it. */
function withoutSubtrees(lines: readonly Line[], drop: (l: Line) => boolean): Line[] {
  const out: Line[] = [];
  let skipUnder = -1;
  for (const l of lines) {
    const d = depthOf(l.text);
    if (skipUnder >= 0 && d > skipUnder) continue;
    skipUnder = -1;
    if (drop(l)) {
      skipUnder = d;
      continue;
    }
    out.push(l);
  }
  return out;
}

export interface LineDiff {
  /** 'tshark': the line is only in tshark's tree; 'ours': only in mpscope's. */
  side: 'tshark' | 'ours';
  line: Line;
}

/** The lines of `a` and `b` outside their longest common subsequence. */
export function diffLines(a: readonly Line[], b: readonly Line[]): LineDiff[] {
  // Only the part between the common head and tail needs the quadratic table.
  let head = 0;
  while (head < a.length && head < b.length && a[head]!.text === b[head]!.text) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail]!.text === b[b.length - 1 - tail]!.text) tail++;
  if (head + tail === a.length && head + tail === b.length) return [];
  return lcsDiff(a.slice(head, a.length - tail), b.slice(head, b.length - tail));
}

function lcsDiff(a: readonly Line[], b: readonly Line[]): LineDiff[] {
  const n = a.length;
  const m = b.length;
  const lcs: Uint16Array[] = Array.from({ length: n + 1 }, () => new Uint16Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] = a[i]!.text === b[j]!.text ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const out: LineDiff[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i]!.text === b[j]!.text) {
      i++;
      j++;
    } else if (j >= m || (i < n && lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      out.push({ side: 'tshark', line: a[i++]! });
    } else {
      out.push({ side: 'ours', line: b[j++]! });
    }
  }
  return out;
}

// ------------------------------------------------- where analyses differ

/**
 * Why mpscope's output differs from tshark's with analysis on: each a
 * deliberate difference of mpscope's analysis (README; the field-level
 * comparison is test/analysis/mptcp-tshark.test.ts), or tshark's
 * application dissectors, which mpscope does not have.
 */
export const REASONS = {
  mptcpDupAck: 'an ACK whose only change is at the MPTCP level (a new data ACK, ADD_ADDR, DATA_FIN...) is not a TCP duplicate ACK; tshark counts it, and numbers the later duplicates from it',
  zeroLength: 'a segment without payload: tshark gives it the DSN its sequence number would map to, or warns that no mapping covers it; it carries no data, so mpscope gives it no DSN',
  noOption: 'a packet of an MPTCP subflow without an MPTCP option (plain RST, fallen-back data): tshark attaches MPTCP analysis only to packets carrying one; mpscope shows the connection of every packet of the subflow, as its mptcp.* fields do',
  v1Syn: 'v1 MP_CAPABLE SYN: tshark opens the connection at the first key (the SYN/ACK); mpscope opens it at the SYN',
  midstream: 'a subflow whose handshake was not captured: tshark lists only subflows whose handshake it saw',
  noKeys: 'keys not captured: tshark has no relative data ACK or DSN; mpscope counts them from the first one seen',
  tcpRetransmission: 'a segment resent on the subflow that first carried its data (retransmission, keep-alive): tshark calls it a reinjection of the copy another subflow sent meanwhile',
  afterReset: 'data whose DSS mapping was announced after the peer reset the subflow: tshark stops mapping it',
  application: 'tshark hands the payload to an application dissector (SSH, DNS over TCP, HTTP) that reassembles its PDUs through TCP (and so marks resent PDU data even without sequence analysis); mpscope has no such dissectors and shows the payload as data',
} as const;

export type Reason = keyof typeof REASONS;

/** What each frame's reasons are decided from, beside its own packet and annotations. */
export interface FrameFacts {
  /** The segment starts below what its direction had sent before (resent on its own subflow). */
  resent: boolean[];
  /** Its direction sent an ACK earlier that mpscope did not count as a duplicate for its MPTCP-level change. */
  renumbered: boolean[];
  /** An RST was seen earlier on its TCP stream. */
  afterRst: boolean[];
}

export function frameFacts(frames: readonly AnalysedFrame[]): FrameFacts {
  const high = new Map<string, number>();
  const notDup = new Set<string>();
  const reset = new Set<number>();
  const facts: FrameFacts = { resent: [], renumbered: [], afterRst: [] };
  for (const f of frames) {
    const t = f.tcp;
    const tcp = f.packet.tcp;
    const key = t === undefined ? '' : `${t.stream}/${t.dir}`;
    let resent = false;
    if (t !== undefined && tcp !== undefined && tcp.payloadLength > 0) {
      const h = high.get(key);
      const end = (tcp.seq + tcp.payloadLength) >>> 0;
      if (h === undefined || ((end - h) | 0) > 0) high.set(key, end);
      resent = h !== undefined && ((tcp.seq - h) | 0) < 0;
    }
    facts.resent.push(resent);
    facts.renumbered.push(t !== undefined && notDup.has(key));
    if (t?.mptcpNotDupAck === true) notDup.add(key);
    facts.afterRst.push(t !== undefined && reset.has(t.stream));
    if (t !== undefined && (tcp?.flags ?? 0) & TcpFlag.RST) reset.add(t.stream);
  }
  return facts;
}

export function hasMptcpOption(f: AnalysedFrame): boolean {
  return f.packet.tcp?.options.some((o) => o.type === 'mptcp') ?? false;
}

export function isV1Syn(f: AnalysedFrame): boolean {
  const tcp = f.packet.tcp;
  if (tcp === undefined || (tcp.flags & (TcpFlag.SYN | TcpFlag.ACK)) !== TcpFlag.SYN) return false;
  return tcp.options.some((o) => o.type === 'mptcp' && o.mptcp.name === 'MP_CAPABLE' && o.mptcp.version === 1);
}

/** Some subflow the packet's connection lists had no captured handshake. */
export function listsMidstreamSubflow(m: MptcpAnnotation): boolean {
  return m.connection.subflows.slice(0, m.subflowCount).some((s) => s.synFrame === undefined && s.synAckFrame === undefined);
}

export function keysUnknown(m: MptcpAnnotation): boolean {
  return m.connection.keys[0] === undefined && m.connection.keys[1] === undefined;
}
