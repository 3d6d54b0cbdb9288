/**
 * What a transport decoder needs from the IP layer beneath it: where the IP
 * header is (for the checksum pseudo-header) and how long the segment is on
 * the wire (the IP lengths, not the capture, decide tcp.len).
 */
export interface TransportContext {
  /** Offset of the IPv4/IPv6 header in the same byte array; -1 when there is none. */
  ipOffset: number;
  /** Segment length (header + payload) the IP header announces; -1 when unknown. */
  segmentLength: number;
  /** Verify the checksum when the whole segment is captured (default true). */
  verifyChecksum?: boolean | undefined;
}
