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
 * end, frame, owner) interleaved in one array: no object per segment, and
 * the newest ranges share a cache line or two, which matters when thousands
 * of connections take turns.
 */

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

export class SentLog {
  private v: number[] = [];
  /** Index of the first live range's first number. */
  private head = 0;
  /** End of the furthest range ever added, and the longest range (bounds the backward scan). */
  private maxEnd = -Infinity;
  private maxLen = 0;

  get size(): number {
    return (this.v.length - this.head) / R;
  }

  start(i: number): number {
    return this.v[i + START]!;
  }

  end(i: number): number {
    return this.v[i + END]!;
  }

  frame(i: number): number {
    return this.v[i + FRAME]!;
  }

  /** Who sent the range (the tracker's subflow index). */
  owner(i: number): number {
    return this.v[i + OWNER]!;
  }

  /** Appends to `out` the index of every range overlapping [from, to), in DSN order; valid until the next change. */
  collect(from: number, to: number, out: number[]): void {
    if (from >= this.maxEnd || this.v.length === this.head) return;
    const v = this.v;
    // First range starting at or after `to`; ranges before it may overlap.
    const stop = this.firstFrom(to);
    let first = stop;
    while (first > this.head && v[first - R + START]! + this.maxLen > from) first -= R;
    for (let i = first; i < stop; i += R) if (v[i + END]! > from) out.push(i);
  }

  /**
   * Adds a range; one sent again from the same start by the same owner (a
   * TCP retransmission) takes the place of the earlier one, so later
   * reinjections name the latest copy.
   */
  add(start: number, end: number, frame: number, owner: number): void {
    const v = this.v;
    const n = v.length;
    if (n === this.head || v[n - R + START]! < start) {
      v.push(start, end, frame, owner);
      if (n - this.head >= MAX_RANGES * R) this.dropFront();
    } else {
      const at = this.firstFrom(start);
      for (let i = at; i < n && v[i + START] === start; i += R) {
        if (v[i + OWNER] === owner) {
          v[i + END] = end;
          v[i + FRAME] = frame;
          this.grow(start, end);
          return;
        }
      }
      v.splice(at, 0, start, end, frame, owner);
    }
    this.grow(start, end);
  }

  /** Forgets the ranges at the front that end at or before `upTo`. */
  dropUpTo(upTo: number): void {
    const v = this.v;
    while (this.head < v.length && v[this.head + END]! <= upTo) this.head += R;
    this.compact();
  }

  /** Forgets every range (the connection or its subflows are gone). */
  clear(): void {
    this.v = [];
    this.head = 0;
  }

  private dropFront(): void {
    this.head += R;
    this.compact();
  }

  private compact(): void {
    const v = this.v;
    if (this.head === v.length) {
      v.length = 0;
      this.head = 0;
    } else if (this.head > 1024 * R && this.head * 2 > v.length) {
      this.v = v.slice(this.head);
      this.head = 0;
    }
  }

  /** Index of the first range starting at or after `x`. */
  private firstFrom(x: number): number {
    const v = this.v;
    let lo = this.head / R;
    let hi = v.length / R;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (v[mid * R + START]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo * R;
  }

  private grow(start: number, end: number): void {
    if (end > this.maxEnd) this.maxEnd = end;
    if (end - start > this.maxLen) this.maxLen = end - start;
  }
}
