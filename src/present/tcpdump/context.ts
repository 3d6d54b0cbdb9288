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
