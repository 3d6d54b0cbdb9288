/**
 * The segments one side has sent and the other has not acknowledged yet:
 * what ACK round-trip times, retransmission timeouts and bytes in flight
 * are measured from.
 *
 * Entries sit in a ring in sending order (frame, first sequence number, next
 * sequence number, time). Segments usually go out in sequence order and ACKs
 * are cumulative, so while the ring is sorted (each segment starting at or
 * after the end of the one before it) an ACK only ever removes a prefix and
 * cuts the entry it falls into: constant work per packet. A retransmission
 * or reordering makes the ring unsorted; then every ACK walks the whole ring
 * until it drains, which is what tshark does on every ACK.
 */
import { seqGt, seqLt } from './seq.js';

/** tshark stops recording a side's segments when this many are unacknowledged. */
export const MAX_UNACKED = 1000;

const STRIDE = 4;
const FRAME = 0;
const SEQ = 1;
const NEXT = 2;
const TS = 3;

const EMPTY = new Float64Array(0);

/** What an ACK found: the oldest segment it acknowledges exactly. */
export interface AckMatch {
  frame: number;
  ts: number;
}

export class Unacked {
  private buf: Float64Array = EMPTY;
  /** Ring capacity in entries (a power of two) and the index of the oldest entry. */
  private cap = 0;
  private head = 0;
  count = 0;
  private sorted = true;

  private slot(i: number): number {
    return ((this.head + i) & (this.cap - 1)) * STRIDE;
  }

  add(frame: number, seq: number, next: number, ts: number): void {
    if (this.count === this.cap) this.grow();
    if (this.count > 0 && seqLt(seq, this.buf[this.slot(this.count - 1) + NEXT]!)) this.sorted = false;
    const at = this.slot(this.count);
    const b = this.buf;
    b[at + FRAME] = frame;
    b[at + SEQ] = seq;
    b[at + NEXT] = next;
    b[at + TS] = ts;
    this.count++;
  }

  private grow(): void {
    const cap = this.cap === 0 ? 8 : this.cap * 2;
    const next = new Float64Array(cap * STRIDE);
    const b = this.buf;
    for (let i = 0, to = 0; i < this.count; i++) {
      const from = this.slot(i);
      next[to++] = b[from]!;
      next[to++] = b[from + 1]!;
      next[to++] = b[from + 2]!;
      next[to++] = b[from + 3]!;
    }
    this.buf = next;
    this.cap = cap;
    this.head = 0;
  }

  /** Frame and time of the oldest segment still unacknowledged (count > 0). */
  oldestFrame(): number {
    return this.buf[this.slot(0) + FRAME]!;
  }

  oldestTs(): number {
    return this.buf[this.slot(0) + TS]!;
  }

  /**
   * Applies an acknowledgement number: segments it covers leave, a segment
   * it falls inside keeps only its unacknowledged part. Returns true and
   * fills `match` when a segment ends exactly at `ack` (the oldest such).
   */
  ack(ack: number, match: AckMatch): boolean {
    if (this.count === 0) return false;
    const found = this.sorted ? this.ackSorted(ack, match) : this.ackAll(ack, match);
    if (this.count === 0) {
      this.sorted = true;
      this.head = 0;
    }
    return found;
  }

  private ackSorted(ack: number, match: AckMatch): boolean {
    const b = this.buf;
    let found = false;
    while (this.count > 0) {
      const at = this.slot(0);
      const next = b[at + NEXT]!;
      if (next === ack) {
        match.frame = b[at + FRAME]!;
        match.ts = b[at + TS]!;
        found = true;
      } else if (!seqLt(next, ack)) {
        if (seqGt(ack, b[at + SEQ]!)) b[at + SEQ] = ack;
        break;
      }
      this.head = (this.head + 1) & (this.cap - 1);
      this.count--;
      if (found) break;
    }
    return found;
  }

  /** Every entry judged on its own, as tshark walks its list; keeps sending order. */
  private ackAll(ack: number, match: AckMatch): boolean {
    const b = this.buf;
    let found = false;
    let kept = 0;
    let sorted = true;
    let prevNext = 0;
    for (let i = 0; i < this.count; i++) {
      const at = this.slot(i);
      const seq = b[at + SEQ]!;
      const next = b[at + NEXT]!;
      if (next === ack) {
        if (!found) {
          match.frame = b[at + FRAME]!;
          match.ts = b[at + TS]!;
          found = true;
        }
        continue;
      }
      if (seqLt(next, ack)) continue;
      const start = seqGt(ack, seq) ? ack : seq;
      if (kept > 0 && seqLt(start, prevNext)) sorted = false;
      prevNext = next;
      const to = this.slot(kept++);
      b[to + FRAME] = b[at + FRAME]!;
      b[to + SEQ] = start;
      b[to + NEXT] = next;
      b[to + TS] = b[at + TS]!;
    }
    this.count = kept;
    this.sorted = sorted;
    return found;
  }

  /**
   * Bytes between the lowest unacknowledged sequence number and the highest
   * next sequence number, both taken relative to `base` as unsigned 32-bit
   * numbers (as tshark compares them).
   */
  span(base: number): number {
    const b = this.buf;
    if (this.sorted) {
      const first = (b[this.slot(0) + SEQ]! - base) >>> 0;
      const last = (b[this.slot(this.count - 1) + NEXT]! - base) >>> 0;
      if (first <= last) return last - first;
    }
    let first = 0xffffffff;
    let last = 0;
    for (let i = 0; i < this.count; i++) {
      const at = this.slot(i);
      const s = (b[at + SEQ]! - base) >>> 0;
      const n = (b[at + NEXT]! - base) >>> 0;
      if (s < first) first = s;
      if (n > last) last = n;
    }
    return (last - first) >>> 0;
  }

  /** Forgets every entry and gives the memory back. */
  release(): void {
    this.buf = EMPTY;
    this.cap = 0;
    this.head = 0;
    this.count = 0;
    this.sorted = true;
  }
}
