/**
 * The Protocol and Info columns of tshark's packet list, computed from a
 * decoded packet alone. The only state tshark keeps with sequence analysis
 * off, the window scale of each side, comes in as `winScale` (see
 * WindowScaleTracker); without it the raw window field is shown.
 */
import type { TcpAnnotation } from '../analysis/types.js';
import { u16, u32 } from '../wire/bytes.js';
import { mptcpOptionOverrun } from '../wire/mptcp.js';
import { fastOpenCookieLength, nextSoundOption, OPTION_KIND_MPTCP, OptionProblem, TcpOptionWalk } from '../wire/tcp-options.js';
import type { Packet, TcpRepr } from '../wire/types.js';
import { appSummary, linkSummary, icmpSummary, ipFragmentSummary, namedTcpPorts, type Summary } from './tshark/app.js';
import { analysisPrefix, payloadWithheld, writeAnalysisPrefix } from './tshark/tcp-analysis.js';
import { MAX_U_BYTES, putU } from './digits.js';
import { MAX_NUM_BYTES, putArrow, putNum, putText, TextLine, wordText, type WordText } from './tshark/line.js';
import { scaledWindow, WSCALE_UNKNOWN } from './tshark/winscale.js';

export { WindowScaleTracker, WSCALE_NONE, WSCALE_UNKNOWN } from './tshark/winscale.js';

const FLAG_NAMES = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR', 'AE'];
// Flag bits read on every packet, kept local (see TcpFlag).
const ACK = 0x010;
const URG = 0x020;
const RESERVED = 0xe00;

function flagsTextUncached(flags: number): string {
  let s = '';
  for (let i = 0; i < FLAG_NAMES.length; i++) {
    if (flags & (1 << i)) s += s === '' ? FLAG_NAMES[i] : ', ' + FLAG_NAMES[i];
  }
  if (flags & RESERVED) s += s === '' ? 'Reserved' : ', Reserved';
  return s === '' ? '<None>' : s;
}

/** One string per 12-bit flags value, built on first use. */
const FLAGS_TEXT: Array<string | undefined> = new Array(4096);

/** "FIN, SYN, ACK" as tshark names the set flags, "<None>" when none is. */
export function tcpFlagsText(flags: number): string {
  const f = flags & 0xfff;
  return FLAGS_TEXT[f] ??= flagsTextUncached(f);
}

/** One walk for the functions below: they run one at a time and never nest. */
const walk = new TcpOptionWalk();

/**
 * True when the segment carries at least one MPTCP option (tshark then names
 * the protocol MPTCP), counting one cut by the capture.
 */
export function hasMptcpOption(tcp: TcpRepr, pkt: Packet): boolean {
  const kinds = tcp.optionKinds ?? -1;
  if (kinds >= 0) return (kinds & OPTION_KIND_MPTCP) !== 0;
  const w = walk.over(pkt.data, tcp);
  while (w.next()) {
    if (w.kind === 30 && (w.sound || w.problem === OptionProblem.CUT)) return true;
  }
  return false;
}

/** Whether the capture ends inside the option (or header) at `offset`. */
export function isCutByCapture(pkt: Packet, offset: number): boolean {
  const f = pkt.findings;
  for (let i = 0; i < f.length; i++) if (f[i]!.code === 'truncated' && f[i]!.offset === offset) return true;
  return false;
}

/** What tshark appends when dissection stopped on the bytes: cut by the snap length or inconsistent. */
export function dissectionError(pkt: Packet, layers?: readonly string[]): string {
  const f = pkt.findings;
  let truncated = false;
  for (let i = 0; i < f.length; i++) {
    const x = f[i]!;
    if (layers && !layers.includes(x.layer)) continue;
    if (x.code === 'malformed') return '[Malformed Packet]';
    if (x.code === 'truncated') truncated = true;
  }
  return truncated ? '[Packet size limited during capture]' : '';
}

function hasFinding(pkt: Packet, layer: string, code: string): boolean {
  const f = pkt.findings;
  for (let i = 0; i < f.length; i++) if (f[i]!.layer === layer && f[i]!.code === code) return true;
  return false;
}

const TCP_MIN_HEADER = 20;

/**
 * The Info text tshark gives a TCP segment with sequence analysis off:
 * ports, flags, raw sequence numbers, window, urgent pointer, length, and
 * the options it summarizes (MSS, WS, SACK_PERM, timestamps, SACK blocks,
 * Fast Open). Where tshark's dissection stops (a bogus header length, an
 * MPTCP option read past its end, the end of the capture) the text stops
 * there too, with tshark's marker.
 *
 * With the packet's TCP analysis (`analysis`), the text is tshark's with
 * sequence analysis on: its notes in front, the analysis's (relative)
 * numbers, its scaled window and relative SACK edges.
 */
export function tcpInfo(pkt: Packet, winScale: number = WSCALE_UNKNOWN, analysis?: TcpAnnotation): string {
  if (!pkt.tcp) return '';
  const w = scratchLine;
  w.pos = 0;
  writeTcpInfo(w, pkt, pkt.tcp, winScale, analysis);
  return w.decoded();
}

const scratchLine = new TextLine(256);

/** `tcpInfo` written into a line: the packet list's path, which makes no strings. */
export function writeTcpInfo(w: TextLine, pkt: Packet, tcp: TcpRepr, winScale: number, analysis: TcpAnnotation | undefined): void {
  const a = analysis?.quoted === true ? undefined : analysis;
  const flags = tcp.flags;
  if (a) writeAnalysisPrefix(w, a);
  w.room(HEAD_BYTES);
  let b = w.buf;
  let v = w.view;
  let p = putU(v, w.pos, tcp.srcPort);
  p = putU(v, putArrow(b, p), tcp.dstPort);
  p = putText(v, p, flagsSeqText(flags));
  p = a ? putNum(v, p, a.seq) : putU(v, p, tcp.seq);
  if (flags & ACK) p = a ? putNum(v, putText(v, p, ACK_TEXT), a.ack) : putU(v, putText(v, p, ACK_TEXT), tcp.ack);
  p = putNum(v, putText(v, p, WIN_TEXT), a ? a.windowSize : scaledWindow(tcp.window, flags, winScale));
  w.pos = p;
  const declared = tcp.dataOffset * 4;
  if (declared < TCP_MIN_HEADER) {
    w.str(', bogus TCP header length (');
    w.u(declared);
    w.str(', must be at least 20)');
    return;
  }
  const findings = pkt.findings;
  // The only other TCP-level inconsistency: a header longer than the segment.
  if (findings.length !== 0 && hasFinding(pkt, 'tcp', 'malformed')) {
    w.str(MALFORMED);
    return;
  }
  // One room for the rest: the urgent pointer, the length and the options (see TAIL_BYTES).
  w.room(TAIL_BYTES);
  b = w.buf;
  v = w.view;
  p = w.pos;
  if (flags & URG) p = putU(v, putText(v, p, URG_TEXT), tcp.urgentPointer);
  p = putU(v, putText(v, p, LEN_TEXT), tcp.payloadLength);
  // As int32 (putOption takes it back to u32): a number above 2^31 passed to a call is boxed.
  const sackBase = a?.relative === true ? (a.ackIsn ?? 0) | 0 : 0;
  // The option values are read in place: the list needs a few numbers, not the option objects.
  const data = pkt.data;
  const kinds = tcp.optionKinds ?? -1;
  if (kinds >= 0) {
    // All sound (the decoder checked them): a plain loop over whole options, and none at all without a listed kind.
    const end = (kinds & LISTED_KINDS) === 0 ? 0 : tcp.offset + tcp.length;
    for (let at = nextSoundOption(data, tcp.offset + TCP_MIN_HEADER, end); at < end; at = nextSoundOption(data, at + data[at + 1]!, end)) {
      p = putOption(b, v, p, data, data[at]!, at, data[at + 1]!, sackBase);
    }
  } else {
    const o = walk.over(data, tcp);
    while (o.next()) {
      if (!o.sound) continue;
      // tshark's dissection stops at an MPTCP option shorter than its own bytes announce.
      if (o.kind === 30 && mptcpOptionOverrun(data, o.at, o.length)) {
        w.pos = p;
        w.str(MALFORMED);
        return;
      }
      p = putOption(b, v, p, data, o.kind, o.at, o.length, sackBase);
    }
  }
  w.pos = p;
  if (findings.length !== 0 && hasFinding(pkt, 'tcp', 'truncated')) w.str(CUT);
}

/** What the Info column says of one sound option of `kind` and `len` bytes at `at`, written at `p` (`v` views `b`); the next position. */
function putOption(b: Uint8Array, v: DataView, p: number, data: Uint8Array, kind: number, at: number, len: number, sackBase: number): number {
  switch (kind) {
    case 2: return putU(v, putText(v, p, MSS_TEXT), u16(data, at + 2));
    case 3: return putU(v, putText(v, p, WS_TEXT), 2 ** Math.min(data[at + 2]!, 14));
    case 4: return putText(v, p, SACK_PERM_TEXT);
    case 8: return putU(v, putText(v, putU(v, putText(v, p, TSVAL_TEXT), u32(data, at + 2)), TSECR_TEXT), u32(data, at + 6));
    case 5:
      for (let block = at + 2; block + 8 <= at + len; block += 8) {
        p = putU(v, putText(v, p, SLE_TEXT), (u32(data, block) - sackBase) >>> 0);
        p = putU(v, putText(v, p, SRE_TEXT), (u32(data, block + 4) - sackBase) >>> 0);
      }
      return p;
    case 34:
    case 254: {
      const cookie = fastOpenCookieLength(data, at, kind, len);
      return cookie < 0 ? p : putText(v, p, cookie === 0 ? TFO_REQUEST_TEXT : TFO_COOKIE_TEXT);
    }
    case 19: return putText(v, p, MD5_TEXT);
    case 28: return putU(v, putText(v, p, USER_TO_TEXT), u16(data, at + 2) & 0x7fff);
    // tshark appends this one without a separating space.
    case 29: return putText(v, p, AO_TEXT);
    default: return p;
  }
}

/** optionKinds bits of the options the Info column names (kinds 2, 3, 4, 5, 8, 19, 28, 29, and Fast Open's 34 and 254). */
const LISTED_KINDS = (1 << 2) | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 8) | (1 << 19) | (1 << 28) | (1 << 29) | (1 << 31);

const ACK_TEXT = wordText(' Ack=');
const WIN_TEXT = wordText(' Win=');
const LEN_TEXT = wordText(' Len=');
const URG_TEXT = wordText(' Urg=');
const TSVAL_TEXT = wordText(' TSval=');
const TSECR_TEXT = wordText(' TSecr=');
const MSS_TEXT = wordText(' MSS=');
const WS_TEXT = wordText(' WS=');
const SACK_PERM_TEXT = wordText(' SACK_PERM');
const SLE_TEXT = wordText(' SLE=');
const SRE_TEXT = wordText(' SRE=');
const TFO_REQUEST_TEXT = wordText(' TFO=R');
const TFO_COOKIE_TEXT = wordText(' TFO=C');
const MD5_TEXT = wordText(' MD5');
const USER_TO_TEXT = wordText(' USER_TO=');
const AO_TEXT = wordText('TCP AO');
/** " [", the longest flags text ("FIN, SYN, RST, PSH, ACK, URG, ECE, CWR, AE, Reserved"), "] Seq=". */
const MAX_FLAGS_BYTES = 2 + 52 + 6;
/** Room for ports, flags, Seq, Ack and Win. */
const HEAD_BYTES = 2 * MAX_U_BYTES + 5 + MAX_FLAGS_BYTES + 3 * (5 + MAX_NUM_BYTES);
/**
 * Room for what follows the window: " Urg=" and " Len=" with their numbers,
 * and the options. An options area holds at most 40 bytes, and no option says
 * more than 5 characters per byte of it (SACK_PERM: 10 for 2).
 */
const TAIL_BYTES = 2 * (5 + MAX_U_BYTES) + 5 * 40;

/**
 * " [flags] Seq=" per 12-bit flags value. Those of the eight classic flags
 * are made up front: made on first use, the first segment of a new
 * combination (the first data after a capture's handshakes) threw away the
 * compiled Info code. The rest (AE, reserved bits) are made on first use.
 */
const FLAGS_SEQ: Array<WordText | undefined> = new Array(4096);
for (let f = 0; f < 256; f++) FLAGS_SEQ[f] = wordText(' [' + tcpFlagsText(f) + '] Seq=');

function flagsSeqText(flags: number): WordText {
  const f = flags & 0xfff;
  return FLAGS_SEQ[f] ??= wordText(' [' + tcpFlagsText(f) + '] Seq=');
}

const MALFORMED = '[Malformed Packet]';
const CUT = '[Packet size limited during capture]';

/**
 * "sport → dport" of a transport header too short to decode: the one place
 * the columns read bytes themselves, because tshark shows the ports it got.
 */
export function cutTransportPorts(pkt: Packet, at: number): string {
  const ports = cutPorts(pkt, at);
  return ports ? ports[0] + ' → ' + ports[1] : '';
}

/** The two ports at the start of a transport header, when the capture has them. */
export function cutPorts(pkt: Packet, at: number): [number, number] | undefined {
  const d = pkt.data;
  if (at + 4 > d.length) return undefined;
  return [(d[at]! << 8) | d[at + 1]!, (d[at + 2]! << 8) | d[at + 3]!];
}

const scratch: Summary = { protocol: '', info: '' };

/**
 * Fills `out` when an application protocol names the TCP segment, whose
 * columns then are that protocol's; false when they stay TCP's.
 */
export function tcpAppSummary(pkt: Packet, tcp: TcpRepr, out: Summary, analysis: TcpAnnotation | undefined): boolean {
  // The ports first, on every segment: a test first reached by the first payload (after a capture's
  // handshakes) threw away the compiled list code.
  if (!namedTcpPorts(tcp)) return false;
  const withheld = analysis !== undefined && payloadWithheld(analysis, tcp.payloadCaptured, tcp.payloadLength);
  if (withheld || !appSummary(pkt, out)) return false;
  if (analysis !== undefined) out.info = analysisPrefix(analysis) + out.info;
  return true;
}

/**
 * Fills `out` with the Protocol and Info columns. Application protocols get
 * a short best-effort summary; everything else is named by its innermost
 * decoded layer. `analysis`: the packet's TCP analysis, when it ran.
 */
export function summarize(pkt: Packet, winScale: number, out: Summary, analysis?: TcpAnnotation): Summary {
  const ip = pkt.ip;
  const tcp = pkt.tcp;
  if (tcp) {
    if (tcpAppSummary(pkt, tcp, out, analysis)) return out;
    out.protocol = hasMptcpOption(tcp, pkt) ? 'MPTCP' : 'TCP';
    out.info = tcpInfo(pkt, winScale, analysis);
    return out;
  }
  if (pkt.udp) {
    if (appSummary(pkt, out)) return out;
    const u = pkt.udp;
    out.protocol = 'UDP';
    out.info = u.srcPort + ' → ' + u.dstPort + ' Len=' + (u.udpLength >= 8 ? u.udpLength - 8 : 0) + dissectionError(pkt, ['udp']);
    return out;
  }
  if (pkt.icmp) return icmpSummary(pkt, pkt.icmp, out);
  if (ip) {
    if (ip.isFragment) return ipFragmentSummary(pkt, out);
    out.protocol = ip.version === 4 ? 'IPv4' : 'IPv6';
    out.info = dissectionError(pkt);
    const ports = ip.protocol === 6 || ip.protocol === 17 ? cutTransportPorts(pkt, ip.offset + ip.length) : '';
    if (ports !== '') {
      // The transport header is cut short after the ports: tshark names the transport and shows them.
      out.protocol = ip.protocol === 6 ? 'TCP' : 'UDP';
      out.info = ports + '[Packet size limited during capture]';
    }
    return out;
  }
  return linkSummary(pkt, out);
}

/** Protocol column (TCP, MPTCP, UDP, DNS, ICMP, ICMPv6, ARP...). */
export function protocolColumn(pkt: Packet): string {
  return summarize(pkt, WSCALE_UNKNOWN, scratch).protocol;
}

/** Info column; `winScale` as returned by WindowScaleTracker.observe for this packet, `analysis` the packet's TCP analysis when it ran. */
export function infoColumn(pkt: Packet, winScale: number = WSCALE_UNKNOWN, analysis?: TcpAnnotation): string {
  return summarize(pkt, winScale, scratch, analysis).info;
}
