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
import { secondsToTime } from '../format.js';
import type { Definer, FieldRegistry } from '../registry.js';
import type { FieldContext, FieldResult, TimeValue } from '../types.js';

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

const FLAG_FIELDS: ReadonlyArray<[name: string, description: string, bits: number]> = [
  ['tcp.analysis.retransmission', 'This frame is a (suspected) retransmission', F.RETRANSMISSION | F.FAST_RETRANSMISSION | F.SPURIOUS_RETRANSMISSION],
  ['tcp.analysis.fast_retransmission', 'This frame is a (suspected) fast retransmission', F.FAST_RETRANSMISSION],
  ['tcp.analysis.spurious_retransmission', 'This frame is a (suspected) spurious retransmission', F.SPURIOUS_RETRANSMISSION],
  ['tcp.analysis.out_of_order', 'This frame is a (suspected) out-of-order segment', F.OUT_OF_ORDER],
  ['tcp.analysis.reused_ports', 'A new tcp session is started with the same ports as an earlier session in this trace', F.REUSED_PORTS],
  ['tcp.analysis.lost_segment', 'Previous segment(s) not captured (common at capture start)', F.LOST_SEGMENT],
  ['tcp.analysis.ack_lost_segment', "ACKed segment that wasn't captured (common at capture start)", F.ACK_LOST_SEGMENT],
  ['tcp.analysis.window_update', 'TCP window update', F.WINDOW_UPDATE],
  ['tcp.analysis.window_full', 'TCP window specified by the receiver is now completely full', F.WINDOW_FULL],
  ['tcp.analysis.keep_alive', 'TCP keep-alive segment', F.KEEP_ALIVE],
  ['tcp.analysis.keep_alive_ack', 'ACK to a TCP keep-alive segment', F.KEEP_ALIVE_ACK],
  ['tcp.analysis.zero_window_probe', 'TCP Zero Window Probe', F.ZERO_WINDOW_PROBE],
  ['tcp.analysis.zero_window', 'TCP Zero Window segment', F.ZERO_WINDOW],
  ['tcp.analysis.zero_window_probe_ack', 'ACK to a TCP Zero Window Probe', F.ZERO_WINDOW_PROBE_ACK],
];

/** The two duplicate-ACK items tshark adds (the field and its expert note), as `-T fields` prints them. */
const TWICE: readonly boolean[] = [true, true];

/** The stream timestamps, then the SEQ/ACK analysis subtree, where tshark puts them after the options. */
export function defineTcpAnalysisFields(r: FieldRegistry): void {
  const d = r.definer('tcp');
  d.field('tcp.time_relative', 'reltime', 'Time since first frame in this TCP stream', (c) => span(complete(c)?.timeRelative));
  d.field('tcp.time_delta', 'reltime', 'Time since previous frame in this TCP stream', (c) => span(complete(c)?.timeDelta));

  d.field('tcp.analysis', 'none', 'SEQ/ACK analysis', (c) => (shown(c) ? true : undefined));
  const under = { parent: 'tcp.analysis' };
  d.field('tcp.analysis.acks_frame', 'framenum', 'This is an ACK to the segment in frame', (c) => shown(c)?.acksFrame, under);
  d.field('tcp.analysis.ack_rtt', 'reltime', 'The RTT to ACK the segment was', (c) => span(shown(c)?.ackRtt), under);
  d.field('tcp.analysis.initial_rtt', 'reltime', 'iRTT', (c) => span(shown(c)?.initialRtt), under);
  d.field('tcp.analysis.bytes_in_flight', 'uint32', 'Bytes in flight', (c) => shown(c)?.bytesInFlight, under);
  d.field('tcp.analysis.push_bytes_sent', 'uint32', 'Bytes sent since last PSH flag', (c) => shown(c)?.pushBytesSent, under);
  d.field('tcp.analysis.flags', 'none', 'TCP Analysis Flags', (c) => (flagsOf(c) ? true : undefined), under);
  const inFlags = { parent: 'tcp.analysis.flags' };
  for (const [name, description, bits] of FLAG_FIELDS) {
    d.field(name, 'none', description, (c) => (flagsOf(c) & bits ? true : undefined), inFlags);
  }
  d.field('tcp.analysis.duplicate_ack', 'none', 'Duplicate ACK', (c): FieldResult => (flagsOf(c) & F.DUPLICATE_ACK ? TWICE : undefined), inFlags);
  d.field('tcp.analysis.duplicate_ack_num', 'uint32', 'Duplicate ACK #', (c) => shown(c)?.dupAckNum, under);
  d.field('tcp.analysis.duplicate_ack_frame', 'framenum', 'Duplicate to the ACK in frame', (c) => shown(c)?.dupAckFrame, under);
  d.field('tcp.analysis.rto', 'reltime', 'The RTO for this segment was', (c) => span(shown(c)?.rto), inFlags);
  d.field('tcp.analysis.rto_frame', 'framenum', 'RTO based on delta from frame', (c) => shown(c)?.rtoFrame, inFlags);
}
