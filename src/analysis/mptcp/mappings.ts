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

/** Numbers per mapping in the table's array. */
const M = 5;
const SSN = 0;
const END = 1;
const DSN = 2;
const DSN_END = 3;
const FRAME = 4;

/**
 * Mappings in the order announced (DSN order but for resent data), used as
 * a queue from `head`. Each is a subflow range of payload [ssn, end) as
 * unwrapped relative sequence numbers, the relative DSN of its first byte
 * and one past its last (DATA_FIN included), and the frame announcing it.
 * They sit interleaved in one number array: no object per mapping, and the
 * newest ones share a cache line or two, which matters when thousands of
 * subflows take turns.
 */
export class MappingTable {
  private v: number[] = [];
  /** Index of the first live mapping's first number. */
  private head = 0;

  get size(): number {
    return (this.v.length - this.head) / M;
  }

  ssn(i: number): number {
    return this.v[i + SSN]!;
  }

  dsn(i: number): number {
    return this.v[i + DSN]!;
  }

  frame(i: number): number {
    return this.v[i + FRAME]!;
  }

  /**
   * Records a mapping and returns true, or returns false when it repeats the
   * last one (TSO copies): that one then names the newest frame announcing
   * it. An older mapping announced again (a retransmission) is added anew,
   * and being the newest, it is the one `find` gives.
   */
  add(ssn: number, end: number, dsn: number, dsnEnd: number, frame: number): boolean {
    const v = this.v;
    const i = v.length - M;
    if (i >= this.head && v[i + SSN] === ssn && v[i + END] === end && v[i + DSN] === dsn) {
      v[i + FRAME] = frame;
      return false;
    }
    if (this.size >= MAX_MAPPINGS) this.head += M;
    v.push(ssn, end, dsn, dsnEnd, frame);
    return true;
  }

  /** Index of the most recently announced mapping covering subflow sequence number `seq`, or -1. */
  find(seq: number): number {
    const v = this.v;
    for (let i = v.length - M; i >= this.head; i -= M) {
      if (v[i + SSN]! <= seq && seq < v[i + END]!) return i;
    }
    return -1;
  }

  /** Forgets every mapping (the subflow is gone). */
  clear(): void {
    this.v = [];
    this.head = 0;
  }

  /**
   * Forgets the mappings at the front whose data the peer acknowledged at
   * both levels: the data ACK passed `dsnUpTo` and the subflow ACK passed
   * `seqUpTo` (a subflow retransmits its own bytes whatever the data level
   * knows).
   */
  dropUpTo(dsnUpTo: number, seqUpTo: number): void {
    const v = this.v;
    while (this.head < v.length && v[this.head + DSN_END]! <= dsnUpTo && v[this.head + END]! <= seqUpTo) this.head += M;
    if (this.head === v.length) {
      v.length = 0;
      this.head = 0;
    } else if (this.head > 64 * M && this.head * 2 > v.length) {
      this.v = v.slice(this.head);
      this.head = 0;
    }
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
