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
  /** seq, ack, nxtseq (and SACK edges) are relative to the ISNs: the tracker's relativeSeq option, for analysed segments. */
  relative?: boolean | undefined;
  /** ISN of this direction and of the reverse one (raw u32), when known (SYN seen or first packet's seq minus one). */
  isn: number;
  /** Base of the acknowledgement numbers (the reverse direction's ISN), raw u32; 0 until known. SACK edges are relative to it. */
  ackIsn?: number | undefined;
  /**
   * tcp.window_size (scaled where the scale is known) and the window scale
   * of the sender: its shift count 0..14, or WINDOW_SCALE_UNKNOWN /
   * WINDOW_SCALE_NONE (tcp.window_size_scalefactor is 2^shift, or -1 / -2).
   */
  windowSize: number;
  windowScale: number;
  /** TcpAnalysisFlag bits. */
  flags: number;
  /**
   * tshark shows the SEQ/ACK analysis (`tcp.analysis`: flags, acks_frame,
   * RTTs, bytes in flight) on this packet. False when there was nothing to
   * report, and when tshark stops dissecting the segment before it (bogus
   * header length, options cut by the capture): `flags` is 0 then.
   */
  hasAnalysis?: boolean | undefined;
  /**
   * The segment length is unknown (a header quoted in an ICMP error, a
   * header longer than the segment): seq/ack are the raw values, there is no
   * nxtseq, the window is not scaled, and no analysis ran.
   */
  noSegment?: boolean | undefined;
  /** The annotation is for the TCP header quoted in an ICMP error (only stream and times are meaningful). */
  quoted?: boolean | undefined;
  /**
   * The segment would be a TCP duplicate ACK by tshark's rules, but it
   * carries an MPTCP-level change (a new data ACK, ADD_ADDR, REMOVE_ADDR,
   * MP_PRIO, MP_FAIL, MP_FASTCLOSE, MP_TCPRST, DATA_FIN...), so mpscope does
   * not count it (TcpTracker option `mptcpAwareDupAck`).
   */
  mptcpNotDupAck?: boolean | undefined;
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
  /**
   * tcp.completeness as tshark shows it on this packet (what the stream had
   * shown before it): SYN 1, SYN/ACK 2, pure ACK 4, data 8, FIN 16, RST 32.
   */
  completeness?: number | undefined;
  /** tcp.time_relative / tcp.time_delta (seconds since the stream's first packet / previous packet of the stream). */
  timeRelative: number;
  timeDelta: number;
}
