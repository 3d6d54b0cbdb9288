/**
 * Which analysis a field's values come from, for a command or tap that runs
 * only the analysis its fields read: MPTCP connection analysis is a tracker
 * of its own, and the TCP measurements from ACKs cost time on every packet.
 */

/**
 * Whether any of the fields reads MPTCP connection analysis: Wireshark's
 * `mptcp.*` and mpscope's own `mpscope.mptcp.*` (its checks, findings and
 * 64-bit numbers; the few of those read off the option alone only cost the
 * analysis' time).
 */
export function readsMptcpAnalysis(names: readonly string[]): boolean {
  return names.some((n) => n.startsWith('mptcp.') || n.startsWith('mpscope.mptcp.'));
}

/** The fields that read what the TCP tracker measures from ACKs (TcpTrackerOptions.measurements). */
const MEASURED_FIELDS: ReadonlySet<string> = new Set([
  'tcp.analysis.acks_frame', 'tcp.analysis.ack_rtt', 'tcp.analysis.initial_rtt', 'tcp.analysis.bytes_in_flight',
  'tcp.analysis.push_bytes_sent', 'tcp.analysis.rto', 'tcp.analysis.rto_frame',
]);

/** Whether any of the fields reads the TCP measurements. */
export function readsMeasurements(names: readonly string[]): boolean {
  return names.some((n) => MEASURED_FIELDS.has(n));
}
