/**
 * The notes tshark's TCP sequence analysis puts in front of the Info column
 * ("[TCP Dup ACK 986#1] ", "[TCP Retransmission] "...). tshark prepends
 * each one as it prints the analysis, so they read in the reverse of its
 * printing order: zero-window notes first, port reuse last.
 */
import { TcpAnalysisFlag as F } from '../../analysis/types.js';
import type { TcpAnnotation } from '../../analysis/types.js';
import type { TextLine } from './line.js';

/** Flags in the order the notes appear, each with its text (duplicate ACKs are spelled with their numbers). */
const NOTES: ReadonlyArray<[flag: number, text: string]> = [
  [F.ZERO_WINDOW_PROBE_ACK, '[TCP ZeroWindowProbeAck] '],
  [F.ZERO_WINDOW, '[TCP ZeroWindow] '],
  [F.ZERO_WINDOW_PROBE, '[TCP ZeroWindowProbe] '],
  [F.DUPLICATE_ACK, ''],
  [F.KEEP_ALIVE_ACK, '[TCP Keep-Alive ACK] '],
  [F.KEEP_ALIVE, '[TCP Keep-Alive] '],
  [F.WINDOW_FULL, '[TCP Window Full] '],
  [F.WINDOW_UPDATE, '[TCP Window Update] '],
  [F.ACK_LOST_SEGMENT, '[TCP ACKed unseen segment] '],
  [F.LOST_SEGMENT, '[TCP Previous segment not captured] '],
  [F.OUT_OF_ORDER, '[TCP Out-Of-Order] '],
  [F.SPURIOUS_RETRANSMISSION, '[TCP Spurious Retransmission] '],
  [F.FAST_RETRANSMISSION, '[TCP Fast Retransmission] '],
  [F.RETRANSMISSION, '[TCP Retransmission] '],
  [F.REUSED_PORTS, '[TCP Port numbers reused] '],
];

/** One string per combination of the flags without a number, built on first use. */
const cache = new Map<number, string>();

function notes(flags: number): string {
  let s = cache.get(flags);
  if (s === undefined) {
    s = '';
    for (const [flag, text] of NOTES) if (flags & flag) s += text;
    cache.set(flags, s);
  }
  return s;
}

/** The Info prefix for a segment's analysis ('' when it has none to show). */
export function analysisPrefix(a: TcpAnnotation): string {
  const flags = a.hasAnalysis === true ? a.flags : 0;
  if (flags === 0) return '';
  if ((flags & F.DUPLICATE_ACK) === 0) return notes(flags);
  // The duplicate-ACK note sits between the zero-window notes and the rest.
  const zero = F.ZERO_WINDOW_PROBE_ACK | F.ZERO_WINDOW | F.ZERO_WINDOW_PROBE;
  return notes(flags & zero) + '[TCP Dup ACK ' + a.dupAckFrame + '#' + a.dupAckNum + '] ' + notes(flags & ~zero & ~F.DUPLICATE_ACK);
}

/** `analysisPrefix` written into a line. */
export function writeAnalysisPrefix(w: TextLine, a: TcpAnnotation): void {
  const flags = a.hasAnalysis === true ? a.flags : 0;
  if (flags === 0) return;
  if ((flags & F.DUPLICATE_ACK) === 0) {
    w.str(notes(flags));
    return;
  }
  w.str(analysisPrefix(a));
}

/**
 * tshark does not hand a segment's payload to application dissectors when
 * its analysis calls it a retransmission, out of order or a keep-alive, nor
 * a spurious retransmission it could reassemble (whole payload captured):
 * the columns stay TCP's.
 */
export function payloadWithheld(a: TcpAnnotation, payloadCaptured: number, payloadLength: number): boolean {
  if (a.hasAnalysis !== true) return false;
  const f = a.flags;
  if (f & (F.RETRANSMISSION | F.OUT_OF_ORDER | F.KEEP_ALIVE)) return true;
  return (f & F.SPURIOUS_RETRANSMISSION) !== 0 && payloadCaptured >= payloadLength;
}
