/**
 * The packet detail tree of `tshark -V` (4.0): Frame, link layer, IP, TCP
 * with its options and one "Multipath Transmission Control Protocol" node
 * per MPTCP option, UDP, ICMP, Data. Field names and layout follow tshark
 * where tshark has the field; lines tshark cannot produce from one packet
 * (key tokens and IDSNs, DSS checksum status, why HMACs are not checked)
 * are added in the same bracketed style. tshark's connection-level lines
 * (stream index, conversation completeness, relative numbers, timestamps
 * per stream, MPTCP analysis) need connection state and are not printed.
 */
import type { Packet } from '../wire/types.js';
import { cutPorts, isCutByCapture } from './info.js';
import { dataSection, icmpSection, udpSection } from './tshark/detail-other.js';
import { ipSection, type ChecksumMode } from './tshark/detail-ip.js';
import { frameSection, linkProtocols, linkSection, type FrameTimes } from './tshark/detail-link.js';
import { tcpSection } from './tshark/detail-tcp.js';
import { Tree } from './tshark/tree.js';
import { WindowScaleTracker, WSCALE_UNKNOWN } from './tshark/winscale.js';

export type { ChecksumMode } from './tshark/detail-ip.js';
export type { FrameTimes } from './tshark/detail-link.js';

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

function protocolsInFrame(pkt: Packet): string {
  let s = linkProtocols(pkt);
  const ip = pkt.ip;
  if (!ip) return pkt.link && pkt.payloadLength > 0 ? s + ':data' : s;
  s += ip.version === 4 ? ':ip' : ':ipv6';
  if (pkt.tcp) {
    s += ':tcp';
    // tshark names the protocol once per MPTCP option (one cut by the capture included).
    for (const o of pkt.tcp.options) if (o.type === 'mptcp' || (o.kind === 30 && isCutByCapture(pkt, o.offset))) s += ':mptcp';
    // Data on a reset is shown as the reset's cause, not as data.
    if (pkt.tcp.flags & 0x004) return s;
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

/** The detail tree of one packet, lines joined with "\n" (no trailing newline). */
export function formatDetail(pkt: Packet, opts: DetailOptions = {}): string {
  const t = new Tree();
  const checksums = opts.checksums ?? 'verify';
  const withHex = opts.hex ?? false;
  frameSection(t, pkt, { pcapng: opts.pcapng ?? pkt.ifName !== undefined, times: opts.times, protocols: protocolsInFrame(pkt) });
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
    const r = tcpSection(t, pkt, pkt.tcp, opts.winScale ?? WSCALE_UNKNOWN, checksums);
    payloadShown = r.payloadShown;
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
  return t.toString();
}

/**
 * Detail trees for a stream of packets: keeps the reference timestamps and
 * window scales tshark's frame and TCP sections show.
 */
export class DetailFormatter {
  private readonly winScale = new WindowScaleTracker();
  private times: FrameTimes | undefined;
  private displayed = false;
  private readonly opts: Omit<DetailOptions, 'times' | 'winScale'>;

  constructor(opts: Omit<DetailOptions, 'times' | 'winScale'> = {}) {
    this.opts = opts;
  }

  /** A packet that was read but is not shown: it still moves the time references and window scales. */
  skip(pkt: Packet): void {
    this.winScale.observe(pkt);
    this.noteCaptured(pkt);
  }

  format(pkt: Packet): string {
    const scale = this.winScale.observe(pkt);
    if (!this.times) this.noteCaptured(pkt);
    const times = this.times!;
    if (!this.displayed) {
      // The first packet shown is its own previous displayed packet.
      times.prevDisplayedSec = pkt.tsSec;
      times.prevDisplayedNsec = pkt.tsNsec;
      this.displayed = true;
    }
    const text = formatDetail(pkt, { ...this.opts, times, winScale: scale });
    this.noteCaptured(pkt);
    times.prevDisplayedSec = pkt.tsSec;
    times.prevDisplayedNsec = pkt.tsNsec;
    return text;
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
