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
import { RecordTable, RegionPool, makeQueueRoom } from './flat.js';
import type { DssChecksumStatus } from './types.js';

/** Mappings kept at most per subflow direction, whatever the acknowledgements say. */
const MAX_MAPPINGS = 8192;

/** Numbers per mapping. */
const M = 5;
const SSN = 0;
const END = 1;
const DSN = 2;
const DSN_END = 3;
const FRAME = 4;

/**
 * A table's numbers in its owner's record: its region in the pool (offset,
 * size), the live part of it, and a copy of the newest mapping (valid while
 * the table holds any), so that the usual packet, whose data the newest
 * mapping covers, reads nothing but the record.
 */
const AT = 0;
const SIZE = 1;
const HEAD = 2;
const TAIL = 3;
const NEWEST = 4;
export const MAPPING_FIELDS = 4 + M;
export const MAPPING_TEMPLATE: readonly number[] = [0, 0, 0, 0, 0, 0, 0, 0, 0];
/** Smallest region: a dozen mappings. */
const FIRST_REGION = 64;

/**
 * The mapping tables of many subflow directions. Each is a queue of
 * mappings in the order announced (DSN order but for resent data): a
 * subflow range of payload [ssn, end) as unwrapped relative sequence
 * numbers, the relative DSN of its first byte and one past its last
 * (DATA_FIN included), and the frame announcing it. A table's bookkeeping
 * sits in its owner's record (`table` at `field`), its mappings in a region
 * of a shared pool: no object per table or per mapping, and appending
 * touches the record and the table's tail, which matters when thousands of
 * subflows take turns. Methods take the owner's record offset; mapping
 * indexes are pool offsets, valid until the next change.
 */
export class MappingSet {
  readonly pool = new RegionPool();
  /**
   * What `locate` found: the subflow sequence number and DSN where the
   * mapping starts, and the frame announcing it. NaN to start with: the
   * fields hold doubles from the first, so storing one never changes the
   * object's shape.
   */
  foundSsn = NaN;
  foundDsn = NaN;
  foundFrame = NaN;

  constructor(private readonly table: RecordTable, private readonly field: number) {}

  /** Mappings held by the table of record `rec`. */
  size(rec: number): number {
    const r = this.table.f;
    const k = rec + this.field;
    return (r[k + TAIL]! - r[k + HEAD]!) / M;
  }

  ssn(i: number): number {
    return this.pool.f[i + SSN]!;
  }

  dsn(i: number): number {
    return this.pool.f[i + DSN]!;
  }

  frame(i: number): number {
    return this.pool.f[i + FRAME]!;
  }

  /**
   * Records a mapping and returns true, or returns false when it repeats the
   * last one (TSO copies): that one then names the newest frame announcing
   * it. An older mapping announced again (a retransmission) is added anew,
   * and being the newest, it is the one `find` gives.
   */
  add(rec: number, ssn: number, end: number, dsn: number, dsnEnd: number, frame: number): boolean {
    const r = this.table.f;
    const k = rec + this.field;
    let head = r[k + HEAD]!;
    let tail = r[k + TAIL]!;
    if (tail > head) {
      const n = k + NEWEST;
      if (r[n + SSN] === ssn && r[n + END] === end && r[n + DSN] === dsn) {
        r[n + FRAME] = frame;
        this.pool.f[r[k + AT]! + tail - M + FRAME] = frame;
        return false;
      }
      if (tail - head >= MAX_MAPPINGS * M) r[k + HEAD] = head += M;
    }
    if (tail + M > r[k + SIZE]!) {
      this.makeRoom(k);
      tail = r[k + TAIL]!;
    }
    const p = this.pool.f;
    const at = r[k + AT]! + tail;
    p[at + SSN] = ssn;
    p[at + END] = end;
    p[at + DSN] = dsn;
    p[at + DSN_END] = dsnEnd;
    p[at + FRAME] = frame;
    r[k + TAIL] = tail + M;
    const n = k + NEWEST;
    r[n + SSN] = ssn;
    r[n + END] = end;
    r[n + DSN] = dsn;
    r[n + DSN_END] = dsnEnd;
    r[n + FRAME] = frame;
    return true;
  }

  /**
   * Finds the most recently announced mapping covering subflow sequence
   * number `seq` (see `find`) and leaves its start and frame in `foundSsn`,
   * `foundDsn` and `foundFrame`; false when none covers it.
   */
  locate(rec: number, seq: number): boolean {
    const r = this.table.f;
    const k = rec + this.field;
    if (r[k + TAIL]! === r[k + HEAD]!) return false;
    const n = k + NEWEST;
    if (r[n + SSN]! <= seq && seq < r[n + END]!) {
      this.foundSsn = r[n + SSN]!;
      this.foundDsn = r[n + DSN]!;
      this.foundFrame = r[n + FRAME]!;
      return true;
    }
    const i = this.find(rec, seq);
    if (i < 0) return false;
    const p = this.pool.f;
    this.foundSsn = p[i + SSN]!;
    this.foundDsn = p[i + DSN]!;
    this.foundFrame = p[i + FRAME]!;
    return true;
  }

  /** Index of the most recently announced mapping covering subflow sequence number `seq`, or -1. */
  find(rec: number, seq: number): number {
    const r = this.table.f;
    const k = rec + this.field;
    const at = r[k + AT]!;
    const first = at + r[k + HEAD]!;
    const p = this.pool.f;
    for (let i = at + r[k + TAIL]! - M; i >= first; i -= M) {
      if (p[i + SSN]! <= seq && seq < p[i + END]!) return i;
    }
    return -1;
  }

  /** Forgets every mapping of a table (the subflow is gone) and gives its room back. */
  clear(rec: number): void {
    const r = this.table.f;
    const k = rec + this.field;
    if (r[k + SIZE]! > 0) this.pool.release(r[k + AT]!, r[k + SIZE]!);
    r[k + AT] = 0;
    r[k + SIZE] = 0;
    r[k + HEAD] = 0;
    r[k + TAIL] = 0;
    if (this.pool.sparse) this.repack();
  }

  /**
   * Forgets the mappings at the front whose data the peer acknowledged at
   * both levels: the data ACK passed `dsnUpTo` and the subflow ACK passed
   * `seqUpTo` (a subflow retransmits its own bytes whatever the data level
   * knows).
   */
  dropUpTo(rec: number, dsnUpTo: number, seqUpTo: number): void {
    const r = this.table.f;
    const k = rec + this.field;
    const at = r[k + AT]!;
    let head = r[k + HEAD]!;
    const tail = r[k + TAIL]!;
    const p = this.pool.f;
    while (head < tail && p[at + head + DSN_END]! <= dsnUpTo && p[at + head + END]! <= seqUpTo) head += M;
    if (head === tail) {
      r[k + HEAD] = 0;
      r[k + TAIL] = 0;
    } else {
      r[k + HEAD] = head;
    }
  }

  /** Room for one more mapping (AT, SIZE, HEAD, TAIL are the queue layout makeQueueRoom expects). */
  private makeRoom(k: number): void {
    makeQueueRoom(this.pool, this.table, k, this.field, M, FIRST_REGION);
  }

  private repack(): void {
    this.pool.repack(this.table, this.field + AT, this.field + SIZE, 1);
  }
}

/** One mapping table on its own. */
export class MappingTable {
  private readonly set: MappingSet;

  constructor() {
    const table = new RecordTable(MAPPING_FIELDS, MAPPING_TEMPLATE, 1);
    table.ensure(0);
    this.set = new MappingSet(table, 0);
  }

  get size(): number {
    return this.set.size(0);
  }

  ssn(i: number): number {
    return this.set.ssn(i);
  }

  dsn(i: number): number {
    return this.set.dsn(i);
  }

  frame(i: number): number {
    return this.set.frame(i);
  }

  add(ssn: number, end: number, dsn: number, dsnEnd: number, frame: number): boolean {
    return this.set.add(0, ssn, end, dsn, dsnEnd, frame);
  }

  find(seq: number): number {
    return this.set.find(0, seq);
  }

  clear(): void {
    this.set.clear(0);
  }

  dropUpTo(dsnUpTo: number, seqUpTo: number): void {
    this.set.dropUpTo(0, dsnUpTo, seqUpTo);
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
