/**
 * The DSN ranges sent in one direction of a connection, for telling
 * reinjections (the same data again on another subflow) and data-level
 * retransmissions apart from new data.
 *
 * Ranges arrive mostly in DSN order, so they are kept sorted by start in an
 * array used as a queue: new data is appended, data the peer acknowledged
 * long enough ago leaves from the front, and only resent data (rare) is
 * inserted in the middle. A range whose start is past every range sent so
 * far, the common case, is answered without a search.
 */

export interface SentRange<S, A> {
  start: number;
  end: number;
  frame: number;
  subflow: S;
  annotation: A;
}

export class SentLog<S, A> {
  private items: Array<SentRange<S, A>> = [];
  private head = 0;
  /** End of the furthest range ever added, and the longest range (bounds the backward scan). */
  private maxEnd = -Infinity;
  private maxLen = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  /** Appends to `out` every range overlapping [start, end), in DSN order. */
  collect(start: number, end: number, out: Array<SentRange<S, A>>): void {
    if (start >= this.maxEnd || this.size === 0) return;
    const items = this.items;
    // First range starting at or after `end`; ranges before it may overlap.
    let lo = this.head;
    let hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (items[mid]!.start < end) lo = mid + 1;
      else hi = mid;
    }
    let first = lo;
    while (first > this.head && items[first - 1]!.start + this.maxLen > start) first--;
    for (let i = first; i < lo; i++) {
      const r = items[i]!;
      if (r.end > start) out.push(r);
    }
  }

  /**
   * Adds a range; one sent again from the same start on the same subflow (a
   * TCP retransmission) takes the place of the earlier one, so later
   * reinjections name the latest copy.
   */
  add(r: SentRange<S, A>): void {
    const items = this.items;
    const n = items.length;
    if (n === this.head || items[n - 1]!.start < r.start) items.push(r);
    else {
      let lo = this.head;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (items[mid]!.start < r.start) lo = mid + 1;
        else hi = mid;
      }
      for (let i = lo; i < n && items[i]!.start === r.start; i++) {
        if (items[i]!.subflow === r.subflow) {
          items[i] = r;
          this.grow(r);
          return;
        }
      }
      items.splice(lo, 0, r);
    }
    this.grow(r);
  }

  private grow(r: SentRange<S, A>): void {
    if (r.end > this.maxEnd) this.maxEnd = r.end;
    if (r.end - r.start > this.maxLen) this.maxLen = r.end - r.start;
  }

  /** Forgets the ranges at the front that end at or before `upTo`. */
  dropUpTo(upTo: number): void {
    const items = this.items;
    while (this.head < items.length && items[this.head]!.end <= upTo) this.head++;
    if (this.head === items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > items.length) {
      this.items = items.slice(this.head);
      this.head = 0;
    }
  }
}
