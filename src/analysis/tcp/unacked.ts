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
 *
 * A flow's ring lives in its conversation record (conversation.ts) while it
 * holds at most RING_INLINE entries, which is most of the time in
 * request/response traffic; a longer one moves to an array of its own and
 * stays there until the conversation is forgotten.
 */
import * as layout from './conversation.js';
import * as seqMath from './seq.js';

// Constants of this module, which the optimizing compiler builds into the code (see tracker.ts).
const { RING_CAP, RING_COUNT, RING_ENTRIES, RING_HEAD, RING_INLINE, RING_SORTED, RING_STRIDE } = layout;
const { seqGt, seqLt } = seqMath;

/** tshark stops recording a side's segments when this many are unacknowledged. */
export const MAX_UNACKED = 1000;

const FRAME = 0;
const SEQ = 1;
const NEXT = 2;
const TS = 3;

/** What an ACK found: the oldest segment it acknowledges exactly. */
export interface AckMatch {
  frame: number;
  ts: number;
}

/**
 * The rings of all flows. Each call names the flow by `flow`, the offset of
 * its slots in the store's array `f`; rings that left their record are kept
 * here by that offset.
 */
export class UnackedRings {
  private readonly spilled = new Map<number, Float64Array>();
  /** Set by `locate`: the array holding the ring's entries and the offset of entry 0. */
  private buf: Float64Array = new Float64Array(0);
  private base = 0;

  private locate(f: Float64Array, flow: number): number {
    const cap = f[flow + RING_CAP]!;
    if (cap === RING_INLINE) {
      this.buf = f;
      this.base = flow + RING_ENTRIES;
    } else {
      this.buf = this.spilled.get(flow)!;
      this.base = 0;
    }
    return cap;
  }

  /** Slot of the ring's entry `i` (0: the oldest), after `locate`. */
  private slot(f: Float64Array, flow: number, cap: number, i: number): number {
    return this.base + ((f[flow + RING_HEAD]! + i) & (cap - 1)) * RING_STRIDE;
  }

  add(f: Float64Array, flow: number, frame: number, seq: number, next: number, ts: number): void {
    let cap = this.locate(f, flow);
    const count = f[flow + RING_COUNT]!;
    if (count === cap) cap = this.grow(f, flow, cap, count);
    const b = this.buf;
    if (count > 0 && seqLt(seq, b[this.slot(f, flow, cap, count - 1) + NEXT]!)) f[flow + RING_SORTED] = 0;
    const at = this.slot(f, flow, cap, count);
    b[at + FRAME] = frame;
    b[at + SEQ] = seq;
    b[at + NEXT] = next;
    b[at + TS] = ts;
    f[flow + RING_COUNT] = count + 1;
  }

  /** Doubles the ring (out of the record when it was there), oldest entry first. */
  private grow(f: Float64Array, flow: number, cap: number, count: number): number {
    const bigger = new Float64Array(cap * 2 * RING_STRIDE);
    for (let i = 0, to = 0; i < count; i++) {
      const from = this.slot(f, flow, cap, i);
      for (let k = 0; k < RING_STRIDE; k++) bigger[to++] = this.buf[from + k]!;
    }
    this.spilled.set(flow, bigger);
    f[flow + RING_CAP] = cap * 2;
    f[flow + RING_HEAD] = 0;
    this.buf = bigger;
    this.base = 0;
    return cap * 2;
  }

  /** Entries in the ring. */
  count(f: Float64Array, flow: number): number {
    return f[flow + RING_COUNT]!;
  }

  /** Frame of the oldest segment still unacknowledged (count > 0). */
  oldestFrame(f: Float64Array, flow: number): number {
    const cap = this.locate(f, flow);
    return this.buf[this.slot(f, flow, cap, 0) + FRAME]!;
  }

  /** Time of the oldest segment still unacknowledged (count > 0). */
  oldestTs(f: Float64Array, flow: number): number {
    const cap = this.locate(f, flow);
    return this.buf[this.slot(f, flow, cap, 0) + TS]!;
  }

  /**
   * Applies an acknowledgement number: segments it covers leave, a segment
   * it falls inside keeps only its unacknowledged part. Returns true and
   * fills `match` when a segment ends exactly at `ack` (the oldest such).
   */
  ack(f: Float64Array, flow: number, ack: number, match: AckMatch): boolean {
    if (f[flow + RING_COUNT] === 0) return false;
    const cap = this.locate(f, flow);
    // ack as int32, taken back with >>> 0: passed as a number above 2^31 it would be boxed (see classifyResend).
    const found = f[flow + RING_SORTED] === 1 ? this.ackSorted(f, flow, cap, ack | 0, match) : this.ackAll(f, flow, cap, ack, match);
    if (f[flow + RING_COUNT] === 0) {
      f[flow + RING_SORTED] = 1;
      f[flow + RING_HEAD] = 0;
    }
    return found;
  }

  private ackSorted(f: Float64Array, flow: number, cap: number, ack32: number, match: AckMatch): boolean {
    const ack = ack32 >>> 0;
    const b = this.buf;
    let found = false;
    let count = f[flow + RING_COUNT]!;
    while (count > 0) {
      const at = this.slot(f, flow, cap, 0);
      const next = b[at + NEXT]!;
      if (next === ack) {
        match.frame = b[at + FRAME]!;
        match.ts = b[at + TS]!;
        found = true;
      } else if (!seqLt(next, ack)) {
        if (seqGt(ack, b[at + SEQ]!)) b[at + SEQ] = ack;
        break;
      }
      f[flow + RING_HEAD] = (f[flow + RING_HEAD]! + 1) & (cap - 1);
      count--;
      if (found) break;
    }
    f[flow + RING_COUNT] = count;
    return found;
  }

  /** Every entry judged on its own, as tshark walks its list; keeps sending order. */
  private ackAll(f: Float64Array, flow: number, cap: number, ack: number, match: AckMatch): boolean {
    const b = this.buf;
    const count = f[flow + RING_COUNT]!;
    let found = false;
    let kept = 0;
    let sorted = true;
    let prevNext = 0;
    for (let i = 0; i < count; i++) {
      const at = this.slot(f, flow, cap, i);
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
      const to = this.slot(f, flow, cap, kept++);
      b[to + FRAME] = b[at + FRAME]!;
      b[to + SEQ] = start;
      b[to + NEXT] = next;
      b[to + TS] = b[at + TS]!;
    }
    f[flow + RING_COUNT] = kept;
    f[flow + RING_SORTED] = sorted ? 1 : 0;
    return found;
  }

  /**
   * Bytes between the lowest unacknowledged sequence number and the highest
   * next sequence number, both taken relative to `base` as unsigned 32-bit
   * numbers (as tshark compares them). The ring is not empty.
   */
  span(f: Float64Array, flow: number, base: number): number {
    const cap = this.locate(f, flow);
    const b = this.buf;
    const count = f[flow + RING_COUNT]!;
    if (f[flow + RING_SORTED] === 1) {
      const first = (b[this.slot(f, flow, cap, 0) + SEQ]! - base) >>> 0;
      const last = (b[this.slot(f, flow, cap, count - 1) + NEXT]! - base) >>> 0;
      if (first <= last) return last - first;
    }
    let first = 0xffffffff;
    let last = 0;
    for (let i = 0; i < count; i++) {
      const at = this.slot(f, flow, cap, i);
      const s = (b[at + SEQ]! - base) >>> 0;
      const n = (b[at + NEXT]! - base) >>> 0;
      if (s < first) first = s;
      if (n > last) last = n;
    }
    return (last - first) >>> 0;
  }

  /** Forgets every entry of the flow's ring and gives its memory back; the ring is back in the record. */
  release(f: Float64Array, flow: number): void {
    this.spilled.delete(flow);
    f[flow + RING_CAP] = RING_INLINE;
    f[flow + RING_HEAD] = 0;
    f[flow + RING_COUNT] = 0;
    f[flow + RING_SORTED] = 1;
  }
}
