import type { SeqTable } from './seq.js';

/** Options and state shared by the tcpdump printers of one formatter. */
export interface PrintContext {
  /** Number of `-v` flags (0..3). */
  verbose: number;
  /** `-q`: shorter transport lines. */
  quiet: boolean;
  /** `-S`: absolute TCP sequence numbers. */
  absoluteSeq: boolean;
  /** `-e`: link-layer header printed. */
  linkHeader: boolean;
  /** Relative sequence number state. */
  seq: SeqTable;
}

/**
 * Where a protocol's bytes are: the frame's bytes, and the end of what may be
 * read (the capture, cut at the end of the enclosing IP packet as tcpdump
 * does, so link-layer padding is never taken for payload).
 */
export interface Span {
  data: Uint8Array;
  capEnd: number;
}
