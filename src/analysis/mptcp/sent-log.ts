/**
 * The DSN ranges sent in one direction of a connection, for telling
 * reinjections (the same data again on another subflow) and data-level
 * retransmissions apart from new data.
 *
 * Ranges arrive mostly in DSN order, so they are kept sorted by start in a
 * queue: new data is appended, data the peer acknowledged long enough ago
 * leaves from the front, and only resent data (rare) is inserted in the
 * middle. A range whose start is past every range sent so far, the common
 * case, is answered without a search. Each range is four numbers (start,
 * end, frame, owner) in a region of a pool shared by all the logs, and a
 * log's bookkeeping sits in its owner's record (see mappings.ts for why):
 * no object per log or per segment.
 */
import { RecordTable, RegionPool, makeQueueRoom } from './flat.js';

/** Numbers per range. */
const R = 4;
const START = 0;
const END = 1;
const FRAME = 2;
const OWNER = 3;

/**
 * Ranges kept at most: when the data ACKs are not in the capture (one
 * direction captured), nothing else would ever let the oldest go.
 */
const MAX_RANGES = 4096;
/** Smallest region: sixteen ranges. */
const FIRST_REGION = 64;

/**
 * A log's numbers in its owner's record: its region (offset, size), the
 * live part of it, the end of the furthest range ever added and the longest
 * range (bounds the backward scan), and the start of the last range (valid
 * while the log holds any), so that appending new data reads nothing but
 * the record.
 */
const AT = 0;
const SIZE = 1;
const HEAD = 2;
const TAIL = 3;
const MAX_END = 4;
const MAX_LEN = 5;
const LAST_START = 6;
export const SENT_FIELDS = 7;
export const SENT_TEMPLATE: readonly number[] = [0, 0, 0, 0, -Infinity, 0, 0];

/** The sent logs of many connection directions; methods take the owner's record offset, range indexes are pool offsets. */
export class SentLogs {
  readonly pool = new RegionPool();

  constructor(private readonly table: RecordTable, private readonly field: number) {}

  size(rec: number): number {
    const r = this.table.f;
    const k = rec + this.field;
    return (r[k + TAIL]! - r[k + HEAD]!) / R;
  }

  start(i: number): number {
    return this.pool.f[i + START]!;
  }

  end(i: number): number {
    return this.pool.f[i + END]!;
  }

  frame(i: number): number {
    return this.pool.f[i + FRAME]!;
  }

  /** Who sent the range (the tracker's subflow index). */
  owner(i: number): number {
    return this.pool.f[i + OWNER]!;
  }

  /** Appends to `out` the index of every range overlapping [from, to), in DSN order; valid until the next change. */
  collect(rec: number, from: number, to: number, out: number[]): void {
    const r = this.table.f;
    const k = rec + this.field;
    if (from >= r[k + MAX_END]!) return;
    const at = r[k + AT]!;
    const head = at + r[k + HEAD]!;
    const tail = at + r[k + TAIL]!;
    if (head === tail) return;
    const v = this.pool.f;
    const maxLen = r[k + MAX_LEN]!;
    // First range starting at or after `to`; ranges before it may overlap.
    const stop = firstFrom(v, head, tail, to);
    let first = stop;
    while (first > head && v[first - R + START]! + maxLen > from) first -= R;
    for (let i = first; i < stop; i += R) if (v[i + END]! > from) out.push(i);
  }

  /**
   * Adds a range; one sent again from the same start by the same owner (a
   * TCP retransmission) takes the place of the earlier one, so later
   * reinjections name the latest copy.
   */
  add(rec: number, start: number, end: number, frame: number, owner: number): void {
    const r = this.table.f;
    const k = rec + this.field;
    let head = r[k + HEAD]!;
    let tail = r[k + TAIL]!;
    const append = tail === head || r[k + LAST_START]! < start;
    if (append && tail - head >= MAX_RANGES * R) r[k + HEAD] = head += R;
    let v = this.pool.f;
    if (!append) {
      const at = r[k + AT]!;
      const from = firstFrom(v, at + head, at + tail, start);
      for (let i = from; i < at + tail && v[i + START] === start; i += R) {
        if (v[i + OWNER] === owner) {
          v[i + END] = end;
          v[i + FRAME] = frame;
          this.grow(k, start, end);
          return;
        }
      }
    }
    if (tail + R > r[k + SIZE]!) {
      this.makeRoom(k);
      head = r[k + HEAD]!;
      tail = r[k + TAIL]!;
      v = this.pool.f;
    }
    const at = r[k + AT]!;
    let i = at + tail;
    if (append) {
      r[k + LAST_START] = start;
    } else {
      // Resent data: its place in DSN order, before the ranges with the same start (the last range stays last).
      i = firstFrom(v, at + head, at + tail, start);
      v.copyWithin(i + R, i, at + tail);
    }
    v[i + START] = start;
    v[i + END] = end;
    v[i + FRAME] = frame;
    v[i + OWNER] = owner;
    r[k + TAIL] = tail + R;
    this.grow(k, start, end);
  }

  /** Forgets the ranges at the front that end at or before `upTo`. */
  dropUpTo(rec: number, upTo: number): void {
    const r = this.table.f;
    const k = rec + this.field;
    const at = r[k + AT]!;
    let head = r[k + HEAD]!;
    const tail = r[k + TAIL]!;
    const v = this.pool.f;
    while (head < tail && v[at + head + END]! <= upTo) head += R;
    if (head === tail) {
      r[k + HEAD] = 0;
      r[k + TAIL] = 0;
    } else {
      r[k + HEAD] = head;
    }
  }

  /** Forgets every range (the connection or its subflows are gone) and gives the room back. */
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

  private grow(k: number, start: number, end: number): void {
    const r = this.table.f;
    if (end > r[k + MAX_END]!) r[k + MAX_END] = end;
    if (end - start > r[k + MAX_LEN]!) r[k + MAX_LEN] = end - start;
  }

  /** Room for one more range (AT, SIZE, HEAD, TAIL are the queue layout makeQueueRoom expects). */
  private makeRoom(k: number): void {
    makeQueueRoom(this.pool, this.table, k, this.field, R, FIRST_REGION);
  }

  private repack(): void {
    this.pool.repack(this.table, this.field + AT, this.field + SIZE, 1);
  }
}

/** Index of the first range in [head, tail) starting at or after `x`. */
function firstFrom(v: Float64Array, head: number, tail: number, x: number): number {
  let lo = head / R;
  let hi = tail / R;
  // Regions start at multiples of 16, so every range index is a multiple of R.
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (v[mid * R + START]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo * R;
}

/** One log on its own. */
export class SentLog {
  private readonly logs: SentLogs;

  constructor() {
    const table = new RecordTable(SENT_FIELDS, SENT_TEMPLATE, 1);
    table.ensure(0);
    this.logs = new SentLogs(table, 0);
  }

  get size(): number {
    return this.logs.size(0);
  }

  start(i: number): number {
    return this.logs.start(i);
  }

  end(i: number): number {
    return this.logs.end(i);
  }

  frame(i: number): number {
    return this.logs.frame(i);
  }

  owner(i: number): number {
    return this.logs.owner(i);
  }

  collect(from: number, to: number, out: number[]): void {
    this.logs.collect(0, from, to, out);
  }

  add(start: number, end: number, frame: number, owner: number): void {
    this.logs.add(0, start, end, frame, owner);
  }

  dropUpTo(upTo: number): void {
    this.logs.dropUpTo(0, upTo);
  }

  clear(): void {
    this.logs.clear(0);
  }
}
