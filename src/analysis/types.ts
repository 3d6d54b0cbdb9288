/**
 * What stateful analysis attaches to each packet. Trackers are fed decoded
 * packets one at a time in capture order (single pass, streaming) and return
 * an annotation per packet; presenters and the field registry read them
 * (`FieldContext.analysis`), never the trackers' internals.
 *
 * The TCP tracker (`analysis/tcp/`) fills `tcp`; the MPTCP tracker
 * (`analysis/mptcp/`) reads `tcp` and fills `mptcp`.
 */

/** Bits of TcpAnnotation.flags, one per tshark `tcp.analysis.*` flag. */
export const TcpAnalysisFlag = {
  RETRANSMISSION: 1 << 0,
  FAST_RETRANSMISSION: 1 << 1,
  SPURIOUS_RETRANSMISSION: 1 << 2,
  OUT_OF_ORDER: 1 << 3,
  LOST_SEGMENT: 1 << 4, // "previous segment not captured"
  ACK_LOST_SEGMENT: 1 << 5, // "ACKed unseen segment"
  DUPLICATE_ACK: 1 << 6,
  WINDOW_UPDATE: 1 << 7,
  WINDOW_FULL: 1 << 8,
  ZERO_WINDOW: 1 << 9,
  ZERO_WINDOW_PROBE: 1 << 10,
  ZERO_WINDOW_PROBE_ACK: 1 << 11,
  KEEP_ALIVE: 1 << 12,
  KEEP_ALIVE_ACK: 1 << 13,
  REUSED_PORTS: 1 << 14,
} as const;

/** Window scale states besides a real shift count (tshark's tcp.window_size_scalefactor: -1 unknown, -2 no scaling). */
export const WINDOW_SCALE_UNKNOWN = -1;
export const WINDOW_SCALE_NONE = -2;

export interface TcpAnnotation {
  /** tcp.stream: conversation index, in order of first appearance, as Wireshark assigns them. */
  stream: number;
  /** 0 when the packet goes from the conversation's first-seen sender (the client when a SYN was seen), 1 for the other way. */
  dir: 0 | 1;
  /** tcp.seq / tcp.ack / tcp.nxtseq: relative to the direction's ISN (first byte of data is 1), or absolute when asked. */
  seq: number;
  ack: number;
  nxtseq: number;
  /** ISN of this direction and of the reverse one (raw u32), when known (SYN seen or first packet's seq minus one). */
  isn: number;
  /** tcp.window_size (scaled where the scale is known) and tcp.window_size_scalefactor. */
  windowSize: number;
  windowScale: number;
  /** TcpAnalysisFlag bits. */
  flags: number;
  /** tcp.analysis.duplicate_ack_num and duplicate_ack_frame. */
  dupAckNum?: number | undefined;
  dupAckFrame?: number | undefined;
  /** tcp.analysis.acks_frame and ack_rtt (seconds). */
  acksFrame?: number | undefined;
  ackRtt?: number | undefined;
  /** tcp.analysis.initial_rtt (seconds), on packets after the handshake completed. */
  initialRtt?: number | undefined;
  /** tcp.analysis.bytes_in_flight and push_bytes_sent. */
  bytesInFlight?: number | undefined;
  pushBytesSent?: number | undefined;
  /** tcp.analysis.rto and rto_frame for retransmissions. */
  rto?: number | undefined;
  rtoFrame?: number | undefined;
  /** tcp.time_relative / tcp.time_delta (seconds since the stream's first packet / previous packet of the stream). */
  timeRelative: number;
  timeDelta: number;
}
