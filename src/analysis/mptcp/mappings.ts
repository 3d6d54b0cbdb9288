/**
 * DSS mappings of one subflow direction, and the gathering of a mapping's
 * payload for its DSS checksum.
 *
 * Linux announces one mapping for up to 64 KB of data spread over many
 * segments (and capture points on a host see GSO/GRO super-segments), so a
 * data segment takes its DSN from whichever mapping covers its subflow
 * sequence range, not from the option it carries.
 */
import { DssChecksum } from '../../mptcp/index.js';
import type { DssChecksumStatus } from './types.js';

/** Mappings kept at most per subflow direction, whatever the acknowledgements say. */
const MAX_MAPPINGS = 8192;

export interface Mapping {
  /** Subflow range of the payload it maps, as unwrapped relative sequence numbers: [ssn, end). */
  ssn: number;
  end: number;
  /** Relative DSN of its first byte, and one past its last (DATA_FIN included). */
  dsn: number;
  dsnEnd: number;
  frame: number;
}

export class MappingTable {
  /** In the order announced, which is DSN order but for resent data. */
  private list: Mapping[] = [];

  get size(): number {
    return this.list.length;
  }

  /**
   * Records a mapping and returns true, or returns false when it repeats a
   * recent one (TSO copies, retransmissions): that one then names the newest
   * frame announcing it, as a reader following the stream last saw it.
   */
  add(m: Mapping): boolean {
    const list = this.list;
    for (let i = list.length - 1, stop = Math.max(0, list.length - 8); i >= stop; i--) {
      const o = list[i]!;
      if (o.ssn === m.ssn && o.end === m.end && o.dsn === m.dsn) {
        o.frame = m.frame;
        return false;
      }
    }
    if (list.length >= MAX_MAPPINGS) list.shift();
    list.push(m);
    return true;
  }

  /** The most recently announced mapping covering subflow sequence number `seq`. */
  find(seq: number): Mapping | undefined {
    const list = this.list;
    for (let i = list.length - 1; i >= 0; i--) {
      const m = list[i]!;
      if (m.ssn <= seq && seq < m.end) return m;
    }
    return undefined;
  }

  /**
   * Forgets the mappings at the front whose data the peer acknowledged at
   * both levels: the data ACK passed `dsnUpTo` and the subflow ACK passed
   * `seqUpTo` (a subflow retransmits its own bytes whatever the data level
   * knows).
   */
  dropUpTo(dsnUpTo: number, seqUpTo: number): void {
    const list = this.list;
    let n = 0;
    while (n < list.length && list[n]!.dsnEnd <= dsnUpTo && list[n]!.end <= seqUpTo) n++;
    if (n > 0) this.list = list.slice(n);
  }
}

/**
 * Collects the payload of one mapping with a DSS checksum, in subflow order,
 * from whatever segments carry it: pieces arriving ahead of a gap are copied
 * aside until the gap fills (a retransmission may complete a segment that
 * the capture cut).
 */
export class ChecksumGather {
  private next: number;
  private readonly sum: DssChecksum;
  private parked: Array<{ start: number; bytes: Uint8Array }> = [];
  /** A segment carrying part of it was cut by the snap length. */
  cut = false;

  constructor(
    readonly frame: number,
    /** Unwrapped relative subflow range of the payload. */
    readonly start: number,
    readonly end: number,
    /** DSN end of the mapping: once the data ACK passes it, the missing payload will not come. */
    readonly dsnEnd: number,
    dsn64: bigint,
    ssn: number,
    dataLength: number,
    checksum: number,
  ) {
    this.next = start;
    this.sum = new DssChecksum(dsn64, ssn, dataLength, checksum);
  }

  get complete(): boolean {
    return this.next >= this.end;
  }

  status(): DssChecksumStatus {
    return this.sum.status();
  }

  /**
   * Offers a segment at subflow sequence `seq` whose captured payload is
   * `data[offset, offset + captured)` out of `length` bytes on the wire.
   * Returns true when this completed the mapping.
   */
  feed(seq: number, length: number, data: Uint8Array, offset: number, captured: number): boolean {
    if (this.complete) return false;
    if (captured < length && seq + captured < this.end && seq + length > this.next) this.cut = true;
    const from = Math.max(seq, this.next);
    const to = Math.min(seq + captured, this.end);
    if (from >= to) return false;
    if (seq <= this.next) {
      this.sum.update(data, offset + (from - seq), offset + (to - seq));
      this.next = to;
      this.drain();
    } else {
      this.parked.push({ start: from, bytes: data.slice(offset + (from - seq), offset + (to - seq)) });
    }
    return this.complete;
  }

  private drain(): void {
    let progress = true;
    while (progress && this.parked.length > 0 && !this.complete) {
      progress = false;
      for (const p of this.parked) {
        const pEnd = p.start + p.bytes.length;
        if (p.start <= this.next && pEnd > this.next) {
          this.sum.update(p.bytes, this.next - p.start, Math.min(p.bytes.length, this.end - p.start));
          this.next = Math.min(pEnd, this.end);
          progress = true;
        }
      }
      this.parked = this.parked.filter((p) => p.start + p.bytes.length > this.next);
    }
  }
}
