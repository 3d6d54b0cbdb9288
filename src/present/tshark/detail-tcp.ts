/** The TCP section of the detail tree, options included. */
import type { Packet, TcpOption, TcpRepr } from '../../wire/types.js';
import { TcpFlag } from '../../wire/types.js';
import { isCutByCapture, tcpFlagsText } from '../info.js';
import { hexString } from './addr.js';
import { expectedTransportChecksum, type ChecksumMode } from './detail-ip.js';
import {
  closingNote, retransmittedLine, seqAckSubtree, showsRelative, streamLines, timestampsSubtree, type SegmentAnalysis,
} from './detail-analysis.js';
import { mptcpNode, mptcpOverrun, mptcpSubtypeText, type OptionAnalysis } from './detail-mptcp.js';
import { mptcpAnalysisSubtree } from './detail-mptcp-analysis.js';
import { bitLine, bits, hex, plural, setText, type Tree } from './tree.js';
import { WSCALE_NONE, WSCALE_UNKNOWN } from './winscale.js';

/** "·······A··S·": one letter per set bit, reserved bits as R. */
function flagLetters(flags: number): string {
  const letters = 'RRRACEUAPRSF';
  let s = '';
  for (let i = 0; i < 12; i++) s += flags & (1 << (11 - i)) ? letters[i] : '·';
  return s;
}

const KIND_NAMES: Readonly<Record<number, string>> = {
  0: 'End of Option List', 1: 'No-Operation', 2: 'Maximum Segment Size', 3: 'Window Scale', 4: 'SACK Permitted',
  5: 'SACK', 6: 'Echo', 7: 'Echo Reply', 8: 'Time Stamp Option', 9: 'Partial Order Connection Permitted',
  10: 'Partial Order Service Profile', 11: 'CC', 12: 'CC.NEW', 13: 'CC.ECHO', 14: 'TCP Alternate Checksum Request',
  15: 'TCP Alternate Checksum Data', 19: 'MD5 Signature Option', 27: 'Quick-Start Response', 28: 'User Timeout Option',
  29: 'The TCP Authentication Option', 30: 'Multipath TCP', 34: 'TCP Fast Open Cookie', 69: 'Encryption Negotiation (TCP-ENO)',
  253: 'RFC3692-style Experiment 1', 254: 'RFC3692-style Experiment 2',
};

function kindLine(kind: number): string {
  return `Kind: ${KIND_NAMES[kind] ?? 'Unknown'} (${kind})`;
}

/** Option names of the "Options:" summary line, as tshark lists them. */
const SUMMARY_NAMES: Readonly<Record<string, string>> = {
  eol: 'End of Option List (EOL)', nop: 'No-Operation (NOP)', mss: 'Maximum segment size', wscale: 'Window scale',
  sackPerm: 'SACK permitted', sack: 'SACK', timestamps: 'Timestamps', md5: 'TCP MD5 signature', userTimeout: 'User Timeout',
  tcpAo: 'TCP AO', mptcp: 'MPTCP',
};

function summaryName(o: TcpOption): string {
  if (o.type === 'fastOpen') return o.experimental ? 'Experimental' : 'TCP Fast Open';
  if (o.type === 'unknown') return o.kind === 253 || o.kind === 254 ? 'Experimental' : `Unknown (0x${o.kind.toString(16).padStart(2, '0')})`;
  return SUMMARY_NAMES[o.type]!;
}

/** EOL carries the zero padding after it; tshark shows one EOL per zero byte. */
function eolCount(o: TcpOption): number {
  for (let i = 1; i < o.raw.length; i++) if (o.raw[i] !== 0) return 1;
  return Math.max(1, o.raw.length);
}

/** a < b in sequence space (mod 2^32). */
function seqLt(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}

/**
 * RFC 2883 duplicate SACK: the first block reports data below the
 * acknowledgment number, or lies inside the second block.
 */
function isDsack(blocks: ReadonlyArray<readonly [number, number]>, ack: number): boolean {
  const first = blocks[0];
  if (!first) return false;
  if (seqLt(first[0], ack)) return true;
  const second = blocks[1];
  return second !== undefined && !seqLt(first[0], second[0]) && !seqLt(second[1], first[1]);
}

/** How SACK edges are shown: relative to the acknowledged side's ISN (with the suffix tshark adds), or raw. */
interface SackView {
  base: number;
  suffix: string;
}

const RAW_SACK: SackView = { base: 0, suffix: '' };

function sackView(an: SegmentAnalysis | undefined): SackView {
  return an !== undefined && showsRelative(an) ? { base: an.tcp.ackIsn ?? 0, suffix: ' (relative)' } : RAW_SACK;
}

interface OptionContext {
  sack: SackView;
  mptcp: OptionAnalysis | undefined;
}

const NO_ANALYSIS: OptionContext = { sack: RAW_SACK, mptcp: undefined };

function optionNode(t: Tree, d: number, o: TcpOption, pkt: Packet, tcp: TcpRepr, quoted: boolean, oc: OptionContext): void {
  const isSyn = (tcp.flags & TcpFlag.SYN) !== 0;
  switch (o.type) {
    case 'eol':
      for (let i = eolCount(o); i > 0; i--) {
        t.add(d, 'TCP Option - End of Option List (EOL)');
        t.add(d + 1, kindLine(0));
      }
      return;
    case 'nop':
      t.add(d, 'TCP Option - No-Operation (NOP)');
      t.add(d + 1, kindLine(1));
      return;
    case 'mss':
      t.add(d, `TCP Option - Maximum segment size: ${o.mss} bytes`);
      if (!isSyn) t.expert(d + 1, 'Warning', 'Protocol', 'The non-SYN packet does contain a MSS option');
      t.add(d + 1, kindLine(2));
      t.add(d + 1, `Length: ${o.length}`);
      t.add(d + 1, `MSS Value: ${o.mss}`);
      return;
    case 'wscale': {
      const mult = 2 ** Math.min(o.shift, 14);
      t.add(d, `TCP Option - Window scale: ${o.shift} (multiply by ${mult})`);
      t.add(d + 1, kindLine(3));
      t.add(d + 1, `Length: ${o.length}`);
      t.add(d + 1, `Shift count: ${o.shift}`);
      if (o.shift > 14) t.expert(d + 2, 'Warning', 'Protocol', 'Window scale shift exceeds 14');
      t.add(d + 1, `[Multiplier: ${mult}]`);
      return;
    }
    case 'sackPerm':
      t.add(d, 'TCP Option - SACK permitted');
      t.add(d + 1, kindLine(4));
      t.add(d + 1, `Length: ${o.length}`);
      return;
    case 'sack': {
      const { base, suffix } = oc.sack;
      const edge = (v: number): number => (v - base) >>> 0;
      t.add(d, `TCP Option - SACK ${o.blocks.map(([l, r]) => `${edge(l)}-${edge(r)}`).join(' ')}`);
      t.add(d + 1, kindLine(5));
      t.add(d + 1, `Length: ${o.length}`);
      for (const [l, r] of o.blocks) {
        t.add(d + 1, `left edge = ${edge(l)}${suffix}`);
        t.add(d + 1, `right edge = ${edge(r)}${suffix}`);
      }
      t.add(d + 1, `[TCP SACK Count: ${o.blocks.length}]`);
      if (isDsack(o.blocks, tcp.ack)) {
        const [l, r] = o.blocks[0]!;
        t.add(d + 1, `[D-SACK Left Edge = ${edge(l)}${suffix}]`);
        t.add(d + 1, `[D-SACK Right Edge = ${edge(r)}${suffix}]`);
        t.add(d + 1, 'D-SACK Sequence');
        t.expert(d + 2, 'Warning', 'Sequence', 'D-SACK Sequence');
      }
      return;
    }
    case 'timestamps':
      t.add(d, `TCP Option - Timestamps: TSval ${o.tsval}, TSecr ${o.tsecr}`);
      t.add(d + 1, kindLine(8));
      t.add(d + 1, `Length: ${o.length}`);
      t.add(d + 1, `Timestamp value: ${o.tsval}`);
      t.add(d + 1, `Timestamp echo reply: ${o.tsecr}`);
      return;
    case 'md5':
      t.add(d, 'TCP Option - TCP MD5 signature');
      t.add(d + 1, kindLine(19));
      t.add(d + 1, `Length: ${o.length}`);
      t.add(d + 1, `MD5 digest: ${hexString(o.digest)}`);
      return;
    case 'userTimeout': {
      const v = (o.granularityMinutes ? 0x8000 : 0) | o.timeout;
      t.add(d, 'TCP Option - User Timeout');
      t.add(d + 1, kindLine(28));
      t.add(d + 1, `Length: ${o.length}`);
      t.add(d + 1, bitLine(v, 16, 0x8000, 'Granularity', o.granularityMinutes ? 'Minutes' : 'Seconds'));
      t.add(d + 1, bitLine(v, 16, 0x7fff, 'User Timeout', `${o.timeout}`));
      return;
    }
    case 'tcpAo':
      t.add(d, 'TCP Option - TCP AO');
      t.add(d + 1, kindLine(29));
      t.add(d + 1, `Length: ${o.length}`);
      t.add(d + 1, `AO KeyID: ${o.keyId}`);
      t.add(d + 1, `AO RNextKeyID: ${o.rnextKeyId}`);
      t.add(d + 1, `AO MAC: ${hexString(o.mac)}`);
      return;
    case 'fastOpen':
      t.add(d, o.experimental ? 'TCP Option - Experimental: Fast Open' : 'TCP Option - TCP Fast Open');
      t.add(d + 1, kindLine(o.kind));
      t.add(d + 1, `Length: ${o.length}`);
      if (o.experimental) t.add(d + 1, 'Experiment Identifier: Fast Open (0xf989)');
      if (o.cookie.length === 0) {
        t.add(d + 1, 'Fast Open Cookie Request');
      } else {
        t.add(d + 1, `Fast Open Cookie: ${hexString(o.cookie)}`);
        if (isSyn && !(tcp.flags & TcpFlag.ACK)) t.expert(d + 2, 'Note', 'Sequence', 'TCP SYN with TFO Cookie');
      }
      return;
    case 'mptcp':
      mptcpNode(t, d, o, pkt, quoted ? undefined : tcp, oc.mptcp);
      return;
    case 'unknown':
      t.add(d, o.kind === 253 || o.kind === 254 ? 'TCP Option - Experimental' : 'TCP Option - Unknown');
      t.add(d + 1, kindLine(o.kind));
      t.add(d + 1, `Length: ${o.length}`);
      if (o.data.length) t.add(d + 1, `Payload: ${hexString(o.data)}`);
      return;
  }
}

/** A malformed option: cut by the capture (tshark shows what it read), or a bad length (tshark's note). */
function malformedOptionNode(t: Tree, d: number, o: TcpOption, pkt: Packet): void {
  if (isCutByCapture(pkt, o.offset)) {
    if (o.kind === 30) {
      // As far as tshark gets into a cut MPTCP option: its kind, length and subtype.
      t.add(d, 'Multipath Transmission Control Protocol' + (o.raw.length >= 3 ? `: ${mptcpSubtypeText(o.raw[2]! >> 4)}` : ''));
    } else {
      t.add(d, `TCP Option - ${KNOWN_TITLES[o.kind] ?? 'Unknown'}`);
    }
    t.add(d + 1, kindLine(o.kind));
    if (o.raw.length >= 2) t.add(d + 1, `Length: ${o.raw[1]}`);
    if (o.kind === 30 && o.raw.length >= 3) {
      t.add(d + 1, `${bits(o.raw[2]!, 8, 0xf0)} = Multipath TCP subtype: ${mptcpSubtypeText(o.raw[2]! >> 4)} (${o.raw[2]! >> 4})`);
    }
    return;
  }
  t.add(d, o.malformed!);
  t.expert(d + 1, 'Note', 'Sequence', o.malformed!);
}

const KNOWN_TITLES: Readonly<Record<number, string>> = {
  2: 'Maximum segment size', 3: 'Window scale', 4: 'SACK permitted', 5: 'SACK', 8: 'Timestamps', 19: 'TCP MD5 signature',
  28: 'User Timeout', 29: 'TCP AO', 30: 'MPTCP', 34: 'TCP Fast Open',
};

function optionsSection(t: Tree, tcp: TcpRepr, pkt: Packet, quoted: boolean, oc: OptionContext): boolean {
  const names: string[] = [];
  let stopped = false;
  for (const o of tcp.options) {
    if (o.malformed || (o.type === 'mptcp' && mptcpOverrun(o))) break;
    if (o.type === 'eol') for (let i = eolCount(o); i > 0; i--) names.push(summaryName(o));
    else names.push(summaryName(o));
  }
  t.add(1, `Options: (${tcp.dataOffset * 4 - 20} bytes)${names.length ? ', ' + names.join(', ') : ''}`);
  // tshark counts NOPs "in a row within a 32-bit word": a NOP on a word
  // boundary after others restarts the count; other options do not.
  let nops = 0;
  let overrun = false;
  for (const o of tcp.options) {
    if (o.type === 'nop') {
      if (nops === 0 || (o.offset - tcp.offset) % 4 !== 0) {
        if (++nops === 4) t.expert(2, 'Warning', 'Protocol', '4 NOP in a row - a router may have removed some options');
      } else {
        nops = 0;
      }
    }
    if (o.malformed) {
      malformedOptionNode(t, 2, o, pkt);
      stopped = true;
      break;
    }
    optionNode(t, 2, o, pkt, tcp, quoted, oc);
    if (o.type === 'mptcp' && mptcpOverrun(o)) {
      overrun = true;
      break;
    }
  }
  const hasMss = tcp.options.some((o) => o.type === 'mss');
  if (!stopped && !overrun && tcp.flags & TcpFlag.SYN && !hasMss) t.expert(2, 'Note', 'Protocol', 'The SYN packet does not contain a MSS option');
  return overrun;
}

function checksumLines(t: Tree, tcp: TcpRepr, pkt: Packet, checksums: ChecksumMode): void {
  const c = hex(tcp.checksum, 4);
  if (checksums === 'off' || tcp.checksumOk === undefined) {
    t.add(1, `Checksum: ${c} [unverified]`);
    t.add(1, '[Checksum Status: Unverified]');
  } else if (tcp.checksumOk) {
    t.add(1, `Checksum: ${c} [correct]`);
    t.add(1, '[Checksum Status: Good]');
    t.add(1, `[Calculated Checksum: ${c}]`);
  } else {
    const should = hex(expectedTransportChecksum(pkt, tcp.offset, 16, 6, tcp.dataOffset * 4 + tcp.payloadLength), 4);
    t.add(1, `Checksum: ${c} incorrect, should be ${should}(maybe caused by "TCP checksum offload"?)`);
    t.expert(2, 'Error', 'Checksum', `Bad checksum [should be ${should}]`);
    t.add(1, '[Checksum Status: Bad]');
    t.add(1, `[Calculated Checksum: ${should}]`);
  }
}

/** The SEQ/ACK and MPTCP analysis subtrees after the options, as the preferences ask. */
function analysisSubtrees(t: Tree, pkt: Packet, an: SegmentAnalysis): void {
  if (an.prefs.seq && an.tcp.hasAnalysis === true) seqAckSubtree(t, 1, an.tcp);
  if (an.mptcp !== undefined && an.prefs.mptcp) mptcpAnalysisSubtree(t, 1, an.mptcp, pkt, an.prefs);
}

export interface TcpSectionResult {
  /** tshark would stop with "[Malformed Packet: MPTCP]". */
  mptcpOverrun: boolean;
  /** The payload was shown in the TCP section itself (a reset's cause), not as Data. */
  payloadShown: boolean;
}

/** The sequence and acknowledgement numbers, relative beside raw when the analysis counts from the ISNs. */
function numberLines(t: Tree, tcp: TcpRepr, bogus: boolean, relative: SegmentAnalysis['tcp'] | undefined): void {
  const f = tcp.flags;
  const ack = (f & TcpFlag.ACK) !== 0;
  if (relative) {
    t.add(1, `Sequence Number: ${relative.seq}    (relative sequence number)`);
    t.add(1, `Sequence Number (raw): ${tcp.seq}`);
  } else {
    t.add(1, `Sequence Number: ${tcp.seq}`);
  }
  if (!bogus) {
    // SYN and FIN each take a sequence number, but tshark counts one even when both are set.
    const next = relative ? relative.nxtseq : (tcp.seq + tcp.payloadLength + (f & (TcpFlag.SYN | TcpFlag.FIN) ? 1 : 0)) % 2 ** 32;
    t.add(1, `[Next Sequence Number: ${next}${relative ? '    (relative sequence number)' : ''}]`);
  }
  if (ack && relative) {
    t.add(1, `Acknowledgment Number: ${relative.ack}    (relative ack number)`);
    t.add(1, `Acknowledgment number (raw): ${tcp.ack}`);
    return;
  }
  t.add(1, `Acknowledgment Number: ${tcp.ack}`);
  if (!ack) {
    if (tcp.ack !== 0) t.expert(2, 'Note', 'Protocol', 'The acknowledgment number field is nonzero while the ACK flag is not set');
    t.add(1, `Acknowledgment number (raw): ${tcp.ack}`);
  }
}

/**
 * The TCP section at depth 0. `quoted`: the header quoted in an ICMP error,
 * whose segment length is unknown (no Len, no next sequence number). `an`:
 * what conversation analysis knows of the segment, for tshark's stateful lines.
 */
export function tcpSection(
  t: Tree, pkt: Packet, tcp: TcpRepr, winScale: number, checksums: ChecksumMode, quoted = false, an?: SegmentAnalysis,
): TcpSectionResult {
  const f = tcp.flags;
  const ack = (f & TcpFlag.ACK) !== 0;
  const hl = tcp.dataOffset * 4;
  const bogus = hl < 20 || quoted;
  const relative = an !== undefined && showsRelative(an) ? an.tcp : undefined;
  let head = `Transmission Control Protocol, Src Port: ${tcp.srcPort}, Dst Port: ${tcp.dstPort}, Seq: ${relative ? relative.seq : tcp.seq}`;
  if (ack) head += `, Ack: ${relative ? relative.ack : tcp.ack}`;
  if (!bogus) head += `, Len: ${tcp.payloadLength}`;
  t.add(0, head);
  t.add(1, `Source Port: ${tcp.srcPort}`);
  t.add(1, `Destination Port: ${tcp.dstPort}`);
  if (an) streamLines(t, 1, an.tcp);
  if (!bogus) t.add(1, `[TCP Segment Len: ${tcp.payloadLength}]`);
  numberLines(t, tcp, bogus, relative);
  t.add(1, bitLine(tcp.dataOffset << 4, 8, 0xf0, 'Header Length', `${hl} bytes (${tcp.dataOffset})`));
  if (hl < 20) {
    t.expert(2, 'Error', 'Protocol', `Bogus TCP header length (${hl}, must be at least 20)`);
    return { mptcpOverrun: false, payloadShown: false };
  }
  t.add(1, `Flags: ${hex(f, 3)} (${tcpFlagsText(f)})`);
  t.add(2, bitLine(f, 12, 0xe00, 'Reserved', setText(f, 0xe00)));
  t.add(2, bitLine(f, 12, 0x100, 'Accurate ECN', setText(f, 0x100)));
  t.add(2, bitLine(f, 12, 0x080, 'Congestion Window Reduced', setText(f, 0x080)));
  t.add(2, bitLine(f, 12, 0x040, 'ECN-Echo', setText(f, 0x040)));
  t.add(2, bitLine(f, 12, 0x020, 'Urgent', setText(f, 0x020)));
  t.add(2, bitLine(f, 12, 0x010, 'Acknowledgment', setText(f, 0x010)));
  t.add(2, bitLine(f, 12, 0x008, 'Push', setText(f, 0x008)));
  t.add(2, bitLine(f, 12, 0x004, 'Reset', setText(f, 0x004)));
  if (f & TcpFlag.RST) t.expert(3, 'Warning', 'Sequence', 'Connection reset (RST)');
  t.add(2, bitLine(f, 12, 0x002, 'Syn', setText(f, 0x002)));
  if (f & TcpFlag.SYN) {
    t.expert(3, 'Chat', 'Sequence', ack
      ? `Connection establish acknowledge (SYN+ACK): server port ${tcp.srcPort}`
      : `Connection establish request (SYN): server port ${tcp.dstPort}`);
  }
  t.add(2, bitLine(f, 12, 0x001, 'Fin', setText(f, 0x001)));
  if (f & TcpFlag.FIN) t.expert(3, 'Chat', 'Sequence', 'Connection finish (FIN)');
  t.add(2, `[TCP Flags: ${flagLetters(f)}]`);
  if (an?.closing) closingNote(t, 3, an.closing);
  t.add(1, `Window: ${tcp.window}`);
  const syn = (f & TcpFlag.SYN) !== 0;
  t.add(1, `[Calculated window size: ${syn || winScale < 0 ? tcp.window : tcp.window * 2 ** winScale}]`);
  if (!syn) {
    t.add(1, winScale === WSCALE_UNKNOWN ? '[Window size scaling factor: -1 (unknown)]'
      : winScale === WSCALE_NONE ? '[Window size scaling factor: -2 (no window scaling used)]'
      : `[Window size scaling factor: ${2 ** winScale}]`);
  }
  const malformedHeader = pkt.findings.some((x) => x.layer === 'tcp' && x.code === 'malformed');
  if (malformedHeader) {
    // The header is longer than the segment: tshark stops after the window.
    return { mptcpOverrun: false, payloadShown: false };
  }
  checksumLines(t, tcp, pkt, checksums);
  t.add(1, `Urgent Pointer: ${tcp.urgentPointer}`);
  if (!(f & TcpFlag.URG) && tcp.urgentPointer !== 0) {
    t.expert(2, 'Note', 'Protocol', 'The urgent pointer field is nonzero while the URG flag is not set');
  }
  const oc: OptionContext = an === undefined ? NO_ANALYSIS : {
    sack: sackView(an),
    mptcp: an.mptcp === undefined ? undefined : { mptcp: an.mptcp, prefs: an.prefs },
  };
  const overrun = hl > 20 ? optionsSection(t, tcp, pkt, quoted, oc) : false;
  if (quoted) return { mptcpOverrun: false, payloadShown: false };
  if (an) {
    // tshark adds the stream times before reading the options, so an option it stops at does not hide them.
    timestampsSubtree(t, 1, an.tcp);
    if (!overrun) analysisSubtrees(t, pkt, an);
  }
  if (overrun || tcp.payloadCaptured === 0) return { mptcpOverrun: overrun, payloadShown: false };
  if (f & TcpFlag.RST) {
    // Data on a reset is the peer's reason, as text.
    const cause = pkt.data.subarray(tcp.payloadOffset, tcp.payloadOffset + tcp.payloadCaptured);
    t.add(1, `Reset cause: ${String.fromCharCode(...cause).replace(/[^\x20-\x7e]/g, '\\')}`);
    return { mptcpOverrun: false, payloadShown: true };
  }
  t.add(1, `TCP payload (${plural(tcp.payloadLength, 'byte')})`);
  if (an) retransmittedLine(t, 1, an, tcp.payloadLength);
  return { mptcpOverrun: false, payloadShown: false };
}

