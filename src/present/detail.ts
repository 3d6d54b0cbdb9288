/**
 * The packet detail tree of `tshark -V` (4.0): Frame, link layer, IP, TCP
 * with its options and one "Multipath Transmission Control Protocol" node
 * per MPTCP option, UDP, ICMP, Data. Field names and layout follow tshark
 * where tshark has the field; lines tshark does not compute (key tokens and
 * IDSNs, DSS checksum and HMAC checks) are added in the same bracketed
 * style. tshark's connection-level lines (stream index, conversation
 * completeness, relative numbers, stream timestamps, SEQ/ACK and MPTCP
 * analysis) come from the packet's analysis annotations when given.
 */
import type { PacketAnnotations } from '../fields/types.js';
import type { Packet } from '../wire/types.js';
import { TcpFlag } from '../wire/types.js';
import { cutPorts, isCutByCapture } from './info.js';
import { dataSection, icmpSection, udpSection } from './tshark/detail-other.js';
import { ipSection, type ChecksumMode } from './tshark/detail-ip.js';
import { frameSection, linkProtocols, linkSection, type FrameTimes } from './tshark/detail-link.js';
import {
  resolvePrefs, withholdsPayload, type ClosingRole, type DetailAnalysisPrefs, type ResolvedPrefs, type SegmentAnalysis,
} from './tshark/detail-analysis.js';
import { tcpSection } from './tshark/detail-tcp.js';
import { Tree } from './tshark/tree.js';
import { WindowScaleTracker, WSCALE_UNKNOWN } from './tshark/winscale.js';

export type { ChecksumMode } from './tshark/detail-ip.js';
export type { FrameTimes } from './tshark/detail-link.js';
export type { DetailAnalysisPrefs } from './tshark/detail-analysis.js';

export interface DetailOptions {
  /**
   * The capture is pcapng: the frame line names the interface, as tshark
   * does for pcapng. By default a packet with an interface name (which only
   * pcapng records) is taken to come from one.
   */
  pcapng?: boolean;
  /** Reference timestamps for the frame's time deltas; without them those lines are left out. */
  times?: FrameTimes | undefined;
  /** Window scale of the segment's direction (WindowScaleTracker.observe); unknown by default. */
  winScale?: number;
  /**
   * 'verify' (default) shows the checksum verification of the decoder in
   * tshark's checksum-checking layout; 'off' shows tshark's default
   * "[unverified]" lines.
   */
  checksums?: ChecksumMode;
  /** A hex dump of the whole frame follows (-x): Data nodes then leave out their own dump. */
  hex?: boolean;
  /** tshark's analysis preferences: which of the analysis annotations' lines are shown. */
  analysis?: DetailAnalysisPrefs;
  /**
   * On a FIN with analysis: whether its side is the first of the
   * conversation to close (DetailFormatter keeps track).
   */
  closing?: ClosingRole | undefined;
}

/** Codes whose findings the tree already shows in place (checksum lines, option nodes, MPTCP nodes). */
const SHOWN_IN_PLACE = new Set([
  'ip.checksum.bad', 'tcp.option.bad_length', 'tcp.option.wscale_shift_invalid', 'truncated', 'ip.fragment',
]);

const LAYER_TITLES: Readonly<Record<string, string>> = {
  eth: 'Ethernet', sll: 'SLL', null: 'Null', ppp: 'PPP', ip: 'IPv4', ipv6: 'IPv6', tcp: 'TCP', udp: 'UDP',
  icmp: 'ICMP', icmpv6: 'ICMPv6', mptcp: 'MPTCP',
};

function layerFindings(t: Tree, pkt: Packet, layers: readonly string[]): void {
  for (const f of pkt.findings) {
    if (!layers.includes(f.layer) || SHOWN_IN_PLACE.has(f.code) || f.layer === 'mptcp') continue;
    if (f.layer === 'tcp' && f.code === 'malformed') continue;
    t.finding(1, f);
  }
}

/** `withheld`: tshark's analysis keeps the TCP payload from the Data section. */
function protocolsInFrame(pkt: Packet, withheld: boolean): string {
  let s = linkProtocols(pkt);
  const ip = pkt.ip;
  if (!ip) return pkt.link && pkt.payloadLength > 0 ? s + ':data' : s;
  s += ip.version === 4 ? ':ip' : ':ipv6';
  if (pkt.tcp) {
    s += ':tcp';
    // tshark names the protocol once per MPTCP option (one cut by the capture included).
    for (const o of pkt.tcp.options) if (o.type === 'mptcp' || (o.kind === 30 && isCutByCapture(pkt, o.offset))) s += ':mptcp';
    // Data on a reset is shown as the reset's cause, not as data.
    if (pkt.tcp.flags & 0x004 || withheld) return s;
  } else if (pkt.udp) {
    s += ':udp';
  } else if (pkt.icmp) {
    s += pkt.icmp.layer === 'icmpv6' ? ':icmpv6' : ':icmp';
    const q = pkt.icmp.quote;
    if (q?.ip) s += (q.ip.version === 4 ? ':ip' : ':ipv6') + (q.tcp ? ':tcp' : q.udp ? ':udp' : '');
    // Neighbor Discovery messages carry options, not data.
    const ndp = pkt.icmp.layer === 'icmpv6' && pkt.icmp.type >= 133 && pkt.icmp.type <= 137;
    return q || ndp ? s : pkt.icmp.payloadLength > 0 ? s + ':data' : s;
  } else if (!ip.isFragment && (ip.protocol === 6 || ip.protocol === 17)) {
    // The transport header is cut by the capture: tshark still enters the transport.
    return s + (ip.protocol === 6 ? ':tcp' : ':udp');
  }
  return pkt.payloadLength > 0 ? s + ':data' : s;
}

/** The detail tree of one packet, lines joined with "\n" (no trailing newline); `analysis` adds tshark's stateful lines. */
export function formatDetail(pkt: Packet, opts: DetailOptions = {}, analysis?: PacketAnnotations): string {
  return detailTree(pkt, opts, analysis, resolvePrefs(opts.analysis));
}

function detailTree(pkt: Packet, opts: DetailOptions, analysis: PacketAnnotations | undefined, prefs: ResolvedPrefs): string {
  const t = new Tree();
  buildTree(t, pkt, opts, analysis, prefs);
  return t.toString();
}

/** A pcapng file's packet comments, each an expert item of its own, above the frame as tshark shows them. */
function commentSection(t: Tree, comments: readonly string[]): void {
  t.add(0, 'Packet comments');
  for (const c of comments) {
    t.add(1, c);
    t.expert(2, 'Comment', 'Comment', c);
  }
}

function buildTree(t: Tree, pkt: Packet, opts: DetailOptions, analysis: PacketAnnotations | undefined, prefs: ResolvedPrefs): void {
  const checksums = opts.checksums ?? 'verify';
  const withHex = opts.hex ?? false;
  const a = analysis?.tcp;
  const an: SegmentAnalysis | undefined = a === undefined || a.quoted === true || pkt.tcp === undefined
    ? undefined
    : { tcp: a, mptcp: analysis!.mptcp, prefs, closing: opts.closing };
  const withheld = an !== undefined && withholdsPayload(an, pkt, checksums === 'verify');
  if (pkt.comments !== undefined) commentSection(t, pkt.comments);
  frameSection(t, pkt, { pcapng: opts.pcapng ?? pkt.ifName !== undefined, times: opts.times, protocols: protocolsInFrame(pkt, withheld) });
  linkSection(t, pkt);
  layerFindings(t, pkt, ['frame', 'raw', 'eth', 'sll', 'null', 'ppp']);
  const ip = pkt.ip;
  if (ip) {
    ipSection(t, pkt, ip, 0, checksums);
    layerFindings(t, pkt, [ip.layer]);
  }
  let stoppedBy: string | undefined;
  let payloadShown = false;
  if (pkt.tcp) {
    const r = tcpSection(t, pkt, pkt.tcp, opts.winScale ?? WSCALE_UNKNOWN, checksums, false, an);
    payloadShown = r.payloadShown || withheld;
    layerFindings(t, pkt, ['tcp']);
    if (r.mptcpOverrun) stoppedBy = 'MPTCP';
    else if (pkt.findings.some((f) => f.layer === 'tcp' && f.code === 'malformed') && pkt.tcp.dataOffset >= 5) stoppedBy = 'TCP';
  } else if (pkt.udp) {
    udpSection(t, pkt, pkt.udp, checksums);
    layerFindings(t, pkt, ['udp']);
  } else if (pkt.icmp) {
    icmpSection(t, pkt, pkt.icmp, checksums, withHex);
    layerFindings(t, pkt, [pkt.icmp.layer]);
  } else if (ip && !ip.isFragment && (ip.protocol === 6 || ip.protocol === 17)) {
    // A transport header cut by the capture: tshark still shows the ports it got.
    const ports = cutPorts(pkt, ip.offset + ip.length);
    if (ports) {
      t.add(0, `${ip.protocol === 6 ? 'Transmission Control Protocol' : 'User Datagram Protocol'}, Src Port: ${ports[0]}, Dst Port: ${ports[1]}`);
      t.add(1, `Source Port: ${ports[0]}`);
      t.add(1, `Destination Port: ${ports[1]}`);
    }
    stoppedBy = '';
  }
  if (!pkt.icmp && !payloadShown && stoppedBy === undefined && pkt.payloadLength > 0 && (pkt.link || ip)) {
    dataSection(t, pkt.data.subarray(pkt.payloadOffset, pkt.payloadOffset + pkt.payloadLength), 0, withHex);
  }
  if (stoppedBy) {
    t.add(0, `[Malformed Packet: ${stoppedBy}]`);
    t.expert(1, 'Error', 'Malformed', 'Malformed Packet (Exception occurred)');
  }
  const cut = pkt.findings.find((f) => f.code === 'truncated');
  if (cut) {
    const inMptcp = pkt.tcp?.options.some((o) => o.kind === 30 && isCutByCapture(pkt, o.offset)) ?? false;
    const layer = inMptcp ? 'MPTCP' : LAYER_TITLES[cut.layer] ?? cut.layer.toUpperCase();
    t.add(0, `[Packet size limited during capture: ${layer} truncated]`);
  }
}

/**
 * Detail trees for a stream of packets: keeps the reference timestamps and
 * window scales tshark's frame and TCP sections show, and which side of each
 * TCP conversation closed first.
 */
export class DetailFormatter {
  private readonly winScale = new WindowScaleTracker();
  private times: FrameTimes | undefined;
  private displayed = false;
  private readonly opts: Omit<DetailOptions, 'times' | 'winScale' | 'closing'>;
  private readonly prefs: ResolvedPrefs;
  /** Per tcp.stream: bit 1 << dir set once that side sent a FIN while the other had not. */
  private readonly closers = new Map<number, number>();

  constructor(opts: Omit<DetailOptions, 'times' | 'winScale' | 'closing'> = {}) {
    this.opts = opts;
    this.prefs = resolvePrefs(opts.analysis);
  }

  /** A packet that was read but is not shown: it still moves the time references, window scales and closing sides. */
  skip(pkt: Packet, analysis?: PacketAnnotations): void {
    this.winScale.observe(pkt);
    this.closing(pkt, analysis);
    this.noteCaptured(pkt);
  }

  /** The tree of a packet, with tshark's stateful lines when its analysis annotations are given. */
  format(pkt: Packet, analysis?: PacketAnnotations): string {
    const t = new Tree();
    this.formatInto(t, pkt, analysis);
    return t.toString();
  }

  /**
   * The tree of a packet built into `t`: a Tree subclass can gather what it
   * needs of the nodes (the expert statistics keep only the expert items).
   */
  formatInto(t: Tree, pkt: Packet, analysis?: PacketAnnotations): void {
    const scale = this.winScale.observe(pkt);
    const closing = this.closing(pkt, analysis);
    if (!this.times) this.noteCaptured(pkt);
    const times = this.times!;
    if (!this.displayed) {
      // The first packet shown is its own previous displayed packet.
      times.prevDisplayedSec = pkt.tsSec;
      times.prevDisplayedNsec = pkt.tsNsec;
      this.displayed = true;
    }
    buildTree(t, pkt, { ...this.opts, times, winScale: scale, closing }, analysis, this.prefs);
    this.noteCaptured(pkt);
    times.prevDisplayedSec = pkt.tsSec;
    times.prevDisplayedNsec = pkt.tsNsec;
  }

  /**
   * tshark's closing note on a FIN: the side that sends one while the other
   * side has not yet closed initiates the closing, the other undergoes it.
   */
  private closing(pkt: Packet, analysis: PacketAnnotations | undefined): ClosingRole | undefined {
    const a = analysis?.tcp;
    if (a === undefined || a.quoted === true || pkt.tcp === undefined || (pkt.tcp.flags & TcpFlag.FIN) === 0) return undefined;
    const seen = this.closers.get(a.stream) ?? 0;
    if (seen & (1 << (1 - a.dir))) return 'passive';
    this.closers.set(a.stream, seen | (1 << a.dir));
    return 'active';
  }

  private noteCaptured(pkt: Packet): void {
    if (!this.times) {
      this.times = {
        firstSec: pkt.tsSec, firstNsec: pkt.tsNsec,
        prevCapturedSec: pkt.tsSec, prevCapturedNsec: pkt.tsNsec,
        prevDisplayedSec: pkt.tsSec, prevDisplayedNsec: pkt.tsNsec,
      };
      return;
    }
    this.times.prevCapturedSec = pkt.tsSec;
    this.times.prevCapturedNsec = pkt.tsNsec;
  }
}
