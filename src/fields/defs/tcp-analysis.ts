/**
 * Fields of TCP conversation analysis (`analysis/tcp`), read from the
 * packet's TCP annotation, with tshark's names and value spellings:
 * `tcp.stream`, the scaled window, the SEQ/ACK analysis subtree
 * (`tcp.analysis.*`) and the per-stream times. Without the analysis they
 * are absent, and `tcp.seq` / `tcp.ack` / `tcp.nxtseq` stay raw.
 *
 * Layout follows tshark's tree: the stream index after the ports, the
 * scaled window after the raw one, then (after the options) the stream
 * timestamps and the analysis subtree.
 */
import { TcpAnalysisFlag as F } from '../../analysis/types.js';
import type { TcpAnnotation } from '../../analysis/types.js';
import { TcpFlag } from '../../wire/types.js';
import type { Packet } from '../../wire/types.js';
import { secondsToTime } from '../format.js';
import type { Definer, FieldRegistry } from '../registry.js';
import type { FieldContext, FieldResult, PacketAnnotations, TimeValue } from '../types.js';

declare module '../types.js' {
  interface PacketAnnotations {
    tcp?: TcpAnnotation | undefined;
  }
}

/** The analysis of the packet's own TCP header (not of one quoted in an ICMP error). */
export function tcpAnnotation(c: FieldContext): TcpAnnotation | undefined {
  const a = c.analysis?.tcp;
  return a !== undefined && c.packet.tcp !== undefined && a.quoted !== true ? a : undefined;
}

/**
 * The analysis of a header tshark reads past its length field: with a
 * length below 20 bytes it stops right after the sequence number, so the
 * acknowledgement, window and stream times are not shown.
 */
function complete(c: FieldContext): TcpAnnotation | undefined {
  const a = c.analysis?.tcp;
  const t = c.packet.tcp;
  return a !== undefined && (t === undefined || t.dataOffset >= 5) ? a : undefined;
}

/** The analysis subtree, when tshark shows it. */
function shown(c: FieldContext): TcpAnnotation | undefined {
  const a = tcpAnnotation(c);
  return a?.hasAnalysis === true ? a : undefined;
}

const flagsOf = (c: FieldContext): number => shown(c)?.flags ?? 0;

/** Seconds (as the annotation holds them) to an exact nanosecond time value. */
function span(seconds: number | undefined): TimeValue | undefined {
  return seconds === undefined ? undefined : secondsToTime(seconds);
}

/**
 * tshark shows no `data` for a segment its analysis calls a retransmission
 * or out of order, nor, when its reassembly runs (on by default), for a
 * spurious retransmission whose payload was all captured; a checksum found
 * bad (mpscope's fields always check) stops that reassembly. Keep-alives
 * and fast retransmissions keep their data. (Application dissectors are
 * skipped for more: the packet list's rule is present/tshark/tcp-analysis.ts.)
 */
export function analysisHidesData(p: Packet, analysis: PacketAnnotations | undefined, desegment = true, checksumsChecked = true): boolean {
  const a = analysis?.tcp;
  const t = p.tcp;
  if (a === undefined || t === undefined || a.quoted === true || a.hasAnalysis !== true) return false;
  if (a.flags & (F.RETRANSMISSION | F.OUT_OF_ORDER)) return true;
  const reassembles = desegment && !(checksumsChecked && t.checksumOk === false);
  return reassembles && (a.flags & F.SPURIOUS_RETRANSMISSION) !== 0 && t.payloadCaptured >= t.payloadLength;
}

/** The analysis calls the segment a (plain) retransmission. */
export function isRetransmission(c: FieldContext): boolean {
  return (flagsOf(c) & F.RETRANSMISSION) !== 0;
}

/** tcp.seq / tcp.ack as the analysis numbered them (relative by default); undefined without analysis. */
export function analysedSeq(c: FieldContext): number | undefined {
  return tcpAnnotation(c)?.seq;
}

export function analysedAck(c: FieldContext): number | undefined {
  return tcpAnnotation(c)?.ack;
}

/** The next sequence number with analysis; `null` when the analysis knows there is none (no segment length). */
export function analysedNxtseq(c: FieldContext): number | null | undefined {
  const a = tcpAnnotation(c);
  if (a === undefined) return undefined;
  return a.noSegment === true || complete(c) === undefined ? null : a.nxtseq;
}

/** What SACK edges are measured from: the acknowledged side's ISN with relative numbering, else 0. */
export function sackBase(c: FieldContext): number {
  const a = tcpAnnotation(c);
  return a?.relative === true ? a.ackIsn ?? 0 : 0;
}

/** `tcp.stream` and `tcp.completeness`, also for a header quoted in an ICMP error (tshark files it under its conversation too). */
export function defineTcpStreamField(d: Definer): void {
  d.field('tcp.stream', 'uint32', 'Stream index', (c) => c.analysis?.tcp?.stream);
  d.field('tcp.completeness', 'uint8', 'Conversation completeness', (c) => c.analysis?.tcp?.completeness);
}

/** `tcp.window_size` and `tcp.window_size_scalefactor` (the multiplier, or -1 unknown, -2 no scaling; absent on SYNs). */
export function defineTcpWindowFields(d: Definer): void {
  // A quoted header has one too: its raw window, as tshark shows it.
  d.field('tcp.window_size', 'uint32', 'Calculated window size', (c) => complete(c)?.windowSize);
  d.field('tcp.window_size_scalefactor', 'int32', 'Window size scaling factor', (c) => {
    const a = tcpAnnotation(c);
    if (a === undefined || complete(c) === undefined || c.packet.tcp!.flags & TcpFlag.SYN) return undefined;
    return a.windowScale >= 0 ? 2 ** a.windowScale : a.windowScale;
  });
}

/** An analysis flag field, shown by tshark as an expert item whose message is the field's description. */
export interface TcpAnalysisFlagInfo {
  readonly name: string;
  /** TcpAnalysisFlag bits that set it. */
  readonly bits: number;
  readonly severity: 'chat' | 'note' | 'warning';
  readonly message: string;
}

/**
 * The analysis flag fields in the order tshark adds their expert items (a
 * fast or spurious retransmission is also a retransmission, noted after it).
 * A duplicate ACK is shown differently (its number and original frame).
 */
export const TCP_ANALYSIS_FLAGS: readonly TcpAnalysisFlagInfo[] = [
  { name: 'tcp.analysis.reused_ports', bits: F.REUSED_PORTS, severity: 'note', message: 'A new tcp session is started with the same ports as an earlier session in this trace' },
  { name: 'tcp.analysis.fast_retransmission', bits: F.FAST_RETRANSMISSION, severity: 'note', message: 'This frame is a (suspected) fast retransmission' },
  { name: 'tcp.analysis.spurious_retransmission', bits: F.SPURIOUS_RETRANSMISSION, severity: 'note', message: 'This frame is a (suspected) spurious retransmission' },
  {
    name: 'tcp.analysis.retransmission', bits: F.RETRANSMISSION | F.FAST_RETRANSMISSION | F.SPURIOUS_RETRANSMISSION,
    severity: 'note', message: 'This frame is a (suspected) retransmission',
  },
  { name: 'tcp.analysis.out_of_order', bits: F.OUT_OF_ORDER, severity: 'warning', message: 'This frame is a (suspected) out-of-order segment' },
  { name: 'tcp.analysis.lost_segment', bits: F.LOST_SEGMENT, severity: 'warning', message: 'Previous segment(s) not captured (common at capture start)' },
  { name: 'tcp.analysis.ack_lost_segment', bits: F.ACK_LOST_SEGMENT, severity: 'warning', message: "ACKed segment that wasn't captured (common at capture start)" },
  { name: 'tcp.analysis.window_update', bits: F.WINDOW_UPDATE, severity: 'chat', message: 'TCP window update' },
  { name: 'tcp.analysis.window_full', bits: F.WINDOW_FULL, severity: 'warning', message: 'TCP window specified by the receiver is now completely full' },
  { name: 'tcp.analysis.keep_alive', bits: F.KEEP_ALIVE, severity: 'note', message: 'TCP keep-alive segment' },
  { name: 'tcp.analysis.keep_alive_ack', bits: F.KEEP_ALIVE_ACK, severity: 'note', message: 'ACK to a TCP keep-alive segment' },
  { name: 'tcp.analysis.zero_window_probe', bits: F.ZERO_WINDOW_PROBE, severity: 'note', message: 'TCP Zero Window Probe' },
  { name: 'tcp.analysis.zero_window', bits: F.ZERO_WINDOW, severity: 'warning', message: 'TCP Zero Window segment' },
  { name: 'tcp.analysis.zero_window_probe_ack', bits: F.ZERO_WINDOW_PROBE_ACK, severity: 'note', message: 'ACK to a TCP Zero Window Probe' },
];

/** The two duplicate-ACK items tshark adds (the field and its expert note), as `-T fields` prints them. */
const TWICE: readonly boolean[] = [true, true];

/** The stream timestamps, then the SEQ/ACK analysis subtree, where tshark puts them after the options. */
export function defineTcpAnalysisFields(r: FieldRegistry): void {
  const d = r.definer('tcp');
  const timestamps = { json: { group: 'Timestamps' } };
  d.field('tcp.time_relative', 'reltime', 'Time since first frame in this TCP stream', (c) => span(complete(c)?.timeRelative), timestamps);
  d.field('tcp.time_delta', 'reltime', 'Time since previous frame in this TCP stream', (c) => span(complete(c)?.timeDelta), timestamps);

  d.field('tcp.analysis', 'none', 'SEQ/ACK analysis', (c) => (shown(c) ? true : undefined));
  const under = { parent: 'tcp.analysis' };
  d.field('tcp.analysis.acks_frame', 'framenum', 'This is an ACK to the segment in frame', (c) => shown(c)?.acksFrame, under);
  d.field('tcp.analysis.ack_rtt', 'reltime', 'The RTT to ACK the segment was', (c) => span(shown(c)?.ackRtt), under);
  d.field('tcp.analysis.initial_rtt', 'reltime', 'iRTT', (c) => span(shown(c)?.initialRtt), under);
  d.field('tcp.analysis.bytes_in_flight', 'uint32', 'Bytes in flight', (c) => shown(c)?.bytesInFlight, under);
  d.field('tcp.analysis.push_bytes_sent', 'uint32', 'Bytes sent since last PSH flag', (c) => shown(c)?.pushBytesSent, under);
  d.field('tcp.analysis.flags', 'none', 'TCP Analysis Flags', (c) => (flagsOf(c) ? true : undefined), under);
  const inFlags = { parent: 'tcp.analysis.flags' };
  for (const { name, bits, severity, message } of TCP_ANALYSIS_FLAGS) {
    d.field(name, 'none', message, (c) => (flagsOf(c) & bits ? true : undefined), {
      ...inFlags, json: { expert: { severity, group: 'sequence', message } },
    });
  }
  // The flag item, then (in JSON, under the frame it duplicates) the expert item of the same name.
  d.field('tcp.analysis.duplicate_ack', 'none', 'Duplicate ACK', (c): FieldResult => (flagsOf(c) & F.DUPLICATE_ACK ? TWICE : undefined), {
    ...inFlags, json: { once: true },
  });
  d.field('tcp.analysis.duplicate_ack_num', 'uint32', 'Duplicate ACK #', (c) => shown(c)?.dupAckNum, under);
  d.field('tcp.analysis.duplicate_ack_frame', 'framenum', 'Duplicate to the ACK in frame', (c) => shown(c)?.dupAckFrame, {
    ...under,
    json: {
      expert: {
        severity: 'note', group: 'sequence', placement: 'subtree', name: 'tcp.analysis.duplicate_ack',
        message: (c) => `Duplicate ACK (#${shown(c)?.dupAckNum})`,
      },
    },
  });
  d.field('tcp.analysis.rto', 'reltime', 'The RTO for this segment was', (c) => span(shown(c)?.rto), inFlags);
  d.field('tcp.analysis.rto_frame', 'framenum', 'RTO based on delta from frame', (c) => shown(c)?.rtoFrame, inFlags);
}
