/** One captured packet as it comes out of a capture file, before any decoding. */
export interface Frame {
  /** 1-based frame number in the file (tshark's frame.number). */
  number: number;
  /** Link-layer type (LINKTYPE_* value, e.g. 1 Ethernet, 113 SLL, 276 SLL2, 101 raw IP). */
  linkType: number;
  /** Timestamp: whole seconds since the epoch (may be negative for odd files). */
  tsSec: number;
  /** Timestamp: nanoseconds within the second, 0..999_999_999. */
  tsNsec: number;
  /** Decimal digits of the timestamp resolution in the file (6 for microseconds, 9 for nanoseconds). */
  tsDigits: number;
  /** Length of the packet on the wire. */
  origLen: number;
  /**
   * Captured bytes (caplen = data.length). Readers may hand out a view into a
   * reused buffer: copy it (`data.slice()`) if you keep it past the callback.
   */
  data: Uint8Array;
  /**
   * Where `data` lies in the reader's buffer, set when the reader refills
   * one Frame with lazy data (the reuseFrames and lazyData options): `data`
   * is `bytes[start, start + capLen)`, and is only made when read. A decoder
   * that reads `bytes` in place spares making a view per frame.
   */
  bytes?: Uint8Array | undefined;
  start?: number | undefined;
  /** With `bytes`: data.length. */
  capLen?: number | undefined;
  /** pcapng interface id (0 for classic pcap). */
  ifIndex: number;
  /** Interface name where the file records one (pcapng if_name), for tcpdump's SLL2 output. */
  ifName?: string | undefined;
  /** pcapng epb_flags direction bits, or undefined. */
  direction?: number | undefined;
  /** pcapng packet comments (opt_comment of the packet block), in file order; undefined when there are none. */
  comments?: string[] | undefined;
}

export interface CaptureInterface {
  linkType: number;
  snapLen: number;
  tsDigits: number;
  name?: string | undefined;
  /**
   * Bytes of frame check sequence at the end of every frame, when the file
   * says (pcap link-type word bits 28-31, pcapng if_fcslen); absent when unknown.
   */
  fcsLen?: number | undefined;
}

export type CaptureFormat = 'pcap' | 'pcapng';
