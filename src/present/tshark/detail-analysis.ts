/**
 * The lines tshark adds to the TCP section from its conversation state: the
 * stream index and conversation completeness after the ports, relative
 * sequence numbers beside the raw ones, the closing notes under the flags,
 * and after the options the stream timestamps and the SEQ/ACK analysis.
 * They are read from the TCP annotation of `analysis/tcp`; the MPTCP
 * analysis subtree is in detail-mptcp-analysis.ts.
 */
import { TcpAnalysisFlag as F } from '../../analysis/types.js';
import type { TcpAnnotation } from '../../analysis/types.js';
import type { MptcpAnnotation } from '../../analysis/mptcp/types.js';
import { analysisHidesData, secondsToTime, TCP_ANALYSIS_FLAGS, timeText } from '../../fields/index.js';
import type { Packet } from '../../wire/types.js';
import type { Tree } from './tree.js';

/**
 * tshark's preferences that decide which analysis lines the tree shows. Each
 * defaults to tshark's own default.
 */
export interface DetailAnalysisPrefs {
  /** tcp.analyze_sequence_numbers: relative numbers and the SEQ/ACK analysis (default true). */
  seq?: boolean;
  /** mptcp.analyze_mptcp: the MPTCP analysis subtree and the relative DSS numbers (default true). */
  mptcp?: boolean;
  /** mptcp.analyze_mappings: the mapping and DSN of each segment (default false). */
  mptcpMappings?: boolean;
  /** mptcp.intersubflows_retransmission: the frames whose data a segment sends again on another subflow (default false). */
  mptcpReinjections?: boolean;
  /** mptcp.relative_sequence_numbers: DSNs and data ACKs counted from the IDSN (default true). */
  mptcpRelative?: boolean;
  /** tcp.desegment_tcp_streams: tshark's reassembly, which marks retransmitted payload as such (default true). */
  desegment?: boolean;
}

export type ResolvedPrefs = Readonly<Required<DetailAnalysisPrefs>>;

export function resolvePrefs(p: DetailAnalysisPrefs | undefined): ResolvedPrefs {
  return {
    seq: p?.seq ?? true,
    mptcp: p?.mptcp ?? true,
    mptcpMappings: p?.mptcpMappings ?? false,
    mptcpReinjections: p?.mptcpReinjections ?? false,
    mptcpRelative: p?.mptcpRelative ?? true,
    desegment: p?.desegment ?? true,
  };
}

/** Which side closes, as tshark notes it on a FIN. */
export type ClosingRole = 'active' | 'passive';

/** What the analysis knows of one segment, for the TCP section. */
export interface SegmentAnalysis {
  tcp: TcpAnnotation;
  mptcp: MptcpAnnotation | undefined;
  prefs: ResolvedPrefs;
  /** Set on a FIN: whether this side is the first of the conversation to close. */
  closing: ClosingRole | undefined;
}

/** tshark's analysis keeps the payload from the Data section (a retransmission, out of order...). */
export function withholdsPayload(a: SegmentAnalysis, pkt: Packet, checksumsChecked: boolean): boolean {
  return a.prefs.seq && analysisHidesData(pkt, { tcp: a.tcp }, a.prefs.desegment, checksumsChecked);
}

/** With reassembly on, tshark names a retransmission's payload after the "TCP payload" line. */
export function retransmittedLine(t: Tree, d: number, a: SegmentAnalysis, payloadLength: number): void {
  if (a.prefs.seq && a.prefs.desegment && a.tcp.hasAnalysis === true && a.tcp.flags & F.RETRANSMISSION) {
    t.add(d, `Retransmitted TCP segment data (${payloadLength} byte${payloadLength === 1 ? '' : 's'})`);
  }
}

/** Relative sequence numbers are shown: sequence analysis is on and the annotation counts from the ISNs. */
export function showsRelative(a: SegmentAnalysis): boolean {
  return a.prefs.seq && a.tcp.relative === true && a.tcp.noSegment !== true;
}

/**
 * tshark's words for a conversation's completeness bits (SYN 1, SYN/ACK 2,
 * ACK 4, data 8, FIN 16, RST 32): the handshake's steps by name, and once a
 * handshake was seen whole and the conversation ended (FIN or RST),
 * complete with or without data.
 */
export function completenessText(c: number): string {
  switch (c) {
    case 1: return 'Incomplete, SYN_SENT';
    case 3: return 'Incomplete, CLIENT_ESTABLISHED';
    case 7: return 'Incomplete, ESTABLISHED';
    case 15: return 'Incomplete, DATA';
  }
  if ((c & 7) === 7 && (c & 48) !== 0) return c & 8 ? 'Complete, WITH_DATA' : 'Complete, NO_DATA';
  return 'Incomplete';
}

/** The two lines after the ports. */
export function streamLines(t: Tree, d: number, a: TcpAnnotation): void {
  t.add(d, `[Stream index: ${a.stream}]`);
  const c = a.completeness ?? 0;
  t.add(d, `[Conversation completeness: ${completenessText(c)} (${c})]`);
}

/** The note under "[TCP Flags: ...]" on a FIN. */
export function closingNote(t: Tree, d: number, role: ClosingRole): void {
  t.expert(d, 'Note', 'Sequence', role === 'active' ? 'This frame initiates the connection closing' : 'This frame undergoes the connection closing');
}

function seconds(v: number): string {
  return `${timeText(secondsToTime(v))} seconds`;
}

/** "[Timestamps]": time since the stream's first frame and since its previous one. */
export function timestampsSubtree(t: Tree, d: number, a: TcpAnnotation): void {
  t.add(d, '[Timestamps]');
  t.add(d + 1, `[Time since first frame in this TCP stream: ${seconds(a.timeRelative)}]`);
  t.add(d + 1, `[Time since previous frame in this TCP stream: ${seconds(a.timeDelta)}]`);
}

/**
 * "[SEQ/ACK analysis]": the segment this one acknowledges and its RTT, the
 * handshake's RTT, bytes in flight, then the analysis flags, each an expert
 * note under the flags node (a duplicate ACK's number and original frame
 * come after that node, the note under the frame, as tshark nests them).
 */
export function seqAckSubtree(t: Tree, d: number, a: TcpAnnotation): void {
  t.add(d, '[SEQ/ACK analysis]');
  const e = d + 1;
  if (a.acksFrame !== undefined) {
    t.add(e, `[This is an ACK to the segment in frame: ${a.acksFrame}]`);
    if (a.ackRtt !== undefined) t.add(e, `[The RTT to ACK the segment was: ${seconds(a.ackRtt)}]`);
  }
  if (a.initialRtt !== undefined) t.add(e, `[iRTT: ${seconds(a.initialRtt)}]`);
  if (a.bytesInFlight !== undefined) {
    t.add(e, `[Bytes in flight: ${a.bytesInFlight}]`);
    if (a.pushBytesSent !== undefined) t.add(e, `[Bytes sent since last PSH flag: ${a.pushBytesSent}]`);
  }
  const flags = a.flags;
  if (flags === 0) return;
  t.add(e, '[TCP Analysis Flags]');
  // tshark notes the zero-window flags last, after the duplicate ACK's item.
  const zero = F.ZERO_WINDOW_PROBE | F.ZERO_WINDOW | F.ZERO_WINDOW_PROBE_ACK;
  flagNotes(t, e + 1, a, flags & ~zero);
  if (flags & F.DUPLICATE_ACK) t.add(e + 1, '[This is a TCP duplicate ack]');
  flagNotes(t, e + 1, a, flags & zero);
  // Beside the flags node, after all it holds.
  if (flags & F.DUPLICATE_ACK && a.dupAckNum !== undefined) {
    t.add(e, `[Duplicate ACK #: ${a.dupAckNum}]`);
    t.add(e, `[Duplicate to the ACK in frame: ${a.dupAckFrame}]`);
    t.expert(e + 1, 'Note', 'Sequence', `Duplicate ACK (#${a.dupAckNum})`);
  }
}

/** One expert note per analysis flag among `flags`, in tshark's order; a retransmission's RTO after its note. */
function flagNotes(t: Tree, d: number, a: TcpAnnotation, flags: number): void {
  for (const f of TCP_ANALYSIS_FLAGS) {
    if ((flags & f.bits) === 0) continue;
    t.expert(d, f.severity, 'Sequence', f.message);
    if (f.bits & F.RETRANSMISSION && a.rto !== undefined) {
      t.add(d, `[The RTO for this segment was: ${seconds(a.rto)}]`);
      t.add(d, `[RTO based on delta from frame: ${a.rtoFrame}]`);
    }
  }
}
