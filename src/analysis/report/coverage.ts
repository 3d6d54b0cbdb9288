/**
 * The DSN ranges of one data direction already sent, to tell new data from
 * data sent again. Everything below the data ACK counts as sent (it was
 * delivered), so ranges leave once acknowledged: what stays is in flight.
 *
 * Ranges are disjoint [start, end) pairs above a floor (the data ACK). The
 * highest one and the floor sit in the owner's record, the others (holes
 * waiting for data sent elsewhere, rare) in a list beside it: data arriving
 * in order extends the highest range, and a data ACK moves the floor,
 * without reading anything but the record.
 */
import { RecordTable } from '../mptcp/flat.js';

/** Holes kept at most (a capture missing much of a direction without its data ACKs); past that the oldest count as sent. */
const MAX_RANGES = 4096;

/** The numbers in the owner's record: the highest range (NaN: no range), the floor, and how many lower ranges the list holds. */
const LAST_START = 0;
const LAST_END = 1;
const FLOOR = 2;
const LOWER = 3;
export const COVERAGE_FIELDS = 4;
export const COVERAGE_TEMPLATE: readonly number[] = [NaN, NaN, -Infinity, 0];

/** Coverages kept in their owners' records (`table` at `field`); methods take the owner's record offset. */
export class CoverageSet {
  /** Lower ranges by owner record: [start, end) pairs in order, below the highest range. */
  private readonly lower = new Map<number, number[]>();

  constructor(private readonly table: RecordTable, private readonly field: number) {}

  /** Notes [start, end) as sent; returns how many of its bytes were not sent before. */
  add(rec: number, start: number, end: number): number {
    const r = this.table.f;
    const k = rec + this.field;
    const lastEnd = r[k + LAST_END]!;
    // Usual case: the range continues or follows the highest one (which ends above the floor).
    if (start >= lastEnd) {
      if (end <= start) return 0;
      if (start !== lastEnd) {
        this.list(rec).push(r[k + LAST_START]!, lastEnd);
        r[k + LOWER]!++;
        r[k + LAST_START] = start;
      }
      r[k + LAST_END] = end;
      return end - start;
    }
    const s = Math.max(start, r[k + FLOOR]!);
    if (end <= s) return 0;
    if (Number.isNaN(lastEnd)) {
      r[k + LAST_START] = s;
      r[k + LAST_END] = end;
      return end - s;
    }
    // Data sent again, or into a hole: merge with every range it touches.
    const all = this.list(rec);
    all.push(r[k + LAST_START]!, lastEnd);
    let covered = 0;
    let lo = s;
    let hi = end;
    const kept: number[] = [];
    for (let i = 0; i < all.length; i += 2) {
      const a = all[i]!;
      const b = all[i + 1]!;
      if (b < s || a > end) {
        kept.push(a, b);
        continue;
      }
      covered += Math.max(0, Math.min(b, end) - Math.max(a, s));
      lo = Math.min(lo, a);
      hi = Math.max(hi, b);
    }
    // Insert the merged range in order.
    let at = 0;
    while (at < kept.length && kept[at]! < lo) at += 2;
    kept.splice(at, 0, lo, hi);
    const cut = kept.length > 2 * MAX_RANGES ? kept[kept.length - 2 * MAX_RANGES]! : undefined;
    this.setRanges(rec, kept);
    if (cut !== undefined) this.advance(rec, cut);
    return end - s - covered;
  }

  /** The data ACK reached `ack`: everything below it counts as sent. */
  advance(rec: number, ack: number): void {
    const r = this.table.f;
    const k = rec + this.field;
    if (ack <= r[k + FLOOR]!) return;
    r[k + FLOOR] = ack;
    if (r[k + LOWER]! > 0) {
      const list = this.lower.get(rec)!;
      let h = 0;
      while (h < list.length && list[h + 1]! <= ack) h += 2;
      if (h < list.length) {
        if (list[h]! < ack) list[h] = ack;
        if (h > 0) list.splice(0, h);
        r[k + LOWER] = list.length / 2;
        return;
      }
      this.lower.delete(rec);
      r[k + LOWER] = 0;
    }
    if (r[k + LAST_END]! <= ack) {
      r[k + LAST_START] = NaN;
      r[k + LAST_END] = NaN;
    } else if (r[k + LAST_START]! < ack) {
      r[k + LAST_START] = ack;
    }
  }

  private list(rec: number): number[] {
    let list = this.lower.get(rec);
    if (list === undefined) {
      list = [];
      this.lower.set(rec, list);
    }
    return list;
  }

  /** Replaces every range by `ranges` (in order, at least one pair): the highest to the record, the others to the list. */
  private setRanges(rec: number, ranges: number[]): void {
    const r = this.table.f;
    const k = rec + this.field;
    const n = ranges.length;
    r[k + LAST_START] = ranges[n - 2]!;
    r[k + LAST_END] = ranges[n - 1]!;
    ranges.length = n - 2;
    r[k + LOWER] = ranges.length / 2;
    if (ranges.length > 0) this.lower.set(rec, ranges);
    else this.lower.delete(rec);
  }
}

/** One coverage on its own. */
export class DsnCoverage {
  static readonly MAX_RANGES = MAX_RANGES;
  private readonly set: CoverageSet;

  constructor() {
    const table = new RecordTable(COVERAGE_FIELDS, COVERAGE_TEMPLATE, 1);
    table.ensure(0);
    this.set = new CoverageSet(table, 0);
  }

  /** Notes [start, end) as sent; returns how many of its bytes were not sent before. */
  add(start: number, end: number): number {
    return this.set.add(0, start, end);
  }

  /** The data ACK reached `ack`: everything below it counts as sent. */
  advance(ack: number): void {
    this.set.advance(0, ack);
  }
}
