/**
 * TCP timestamp round trips: per TCP direction, the TSval values in the
 * order first seen, with the time each was first seen, waiting for their
 * echo in the other direction's TSecr. A sample is the time from a value's
 * first sighting to its first echo (delayed ACKs included, as in what the
 * stack itself measures).
 *
 * Each direction's values sit in a ring of (value, time) pairs in one shared
 * pool, growing to at most MAX_TSVALS pairs (8 KiB); a peer that echoes
 * nothing, or is not in the capture, keeps it at MAX_UNECHOED until its
 * first echo. Values older than an echoed one leave (they will never be
 * echoed first).
 */
import { RegionPool } from '../mptcp/flat.js';
import type { RecordTable } from '../mptcp/flat.js';

/** TSval values waiting for their echo, per direction (a power of two); before the first echo, fewer. */
const MAX_TSVALS = 512;
const MAX_UNECHOED = 64;

/** A ring's numbers in its owner's record: first pair, pairs held, capacity (pairs), region offset, echoed yet, newest value. */
const HEAD = 0;
const COUNT = 1;
const CAP = 2;
const AT = 3;
const ECHOED = 4;
const LAST = 5;
export const TSVAL_FIELDS = 6;
export const TSVAL_TEMPLATE: readonly number[] = [0, 0, 0, 0, 0, 0];

const seqLt = (a: number, b: number): boolean => ((a - b) | 0) < 0;
const seqGt = (a: number, b: number): boolean => ((a - b) | 0) > 0;

/** Rings kept in their owners' records (`table` at `field`, one per TCP direction); methods take the owner's record offset. */
export class TsvalRings {
  private readonly pool = new RegionPool();

  constructor(private readonly table: RecordTable, private readonly field: number) {}

  /** The sender of ring `rec` sent `tsval` at `ns`. */
  add(rec: number, tsval: number, ns: number): void {
    const at = rec + this.field;
    const r = this.table.f;
    let count = r[at + COUNT]!;
    if (count > 0 && !seqGt(tsval, r[at + LAST]!)) return;
    let head = r[at + HEAD]!;
    let cap = r[at + CAP]!;
    const limit = r[at + ECHOED] !== 0 ? MAX_TSVALS : MAX_UNECHOED;
    if (count >= limit) {
      head = (head + 1) & (cap - 1);
      count--;
    } else if (count === cap) {
      this.grow(at);
      head = 0;
      cap = r[at + CAP]!;
    }
    const slot = r[at + AT]! + 2 * ((head + count) & (cap - 1));
    const f = this.pool.f;
    f[slot] = tsval;
    f[slot + 1] = ns;
    r[at + HEAD] = head;
    r[at + COUNT] = count + 1;
    r[at + LAST] = tsval;
  }

  /** The other direction echoed `tsecr`: the time it was first seen in ring `rec`, when this is its first echo. */
  echo(rec: number, tsecr: number): number | undefined {
    const r = this.table.f;
    const at = rec + this.field;
    let count = r[at + COUNT]!;
    if (count === 0) return undefined;
    let head = r[at + HEAD]!;
    const mask = r[at + CAP]! - 1;
    const region = r[at + AT]!;
    const f = this.pool.f;
    let sent: number | undefined;
    while (count > 0) {
      const v = f[region + 2 * head]!;
      if (v !== tsecr && !seqLt(v, tsecr)) break;
      const t = f[region + 2 * head + 1]!;
      head = (head + 1) & mask;
      count--;
      if (v === tsecr) {
        r[at + ECHOED] = 1;
        sent = t;
        break;
      }
    }
    r[at + HEAD] = head;
    r[at + COUNT] = count;
    return sent;
  }

  /** Doubles a full ring (16 pairs to start with), its pairs moved to the front in order. */
  private grow(at: number): void {
    const r = this.table.f;
    const cap = r[at + CAP]!;
    const next = cap === 0 ? 16 : cap * 2;
    if (this.pool.crowded(2 * next)) this.pool.repack(this.table, this.field + AT, this.field + CAP, 2);
    const to = this.pool.alloc(2 * next);
    if (cap > 0) {
      const from = r[at + AT]!;
      const head = r[at + HEAD]!;
      const f = this.pool.f;
      for (let k = 0; k < cap; k++) {
        const s = from + 2 * ((head + k) & (cap - 1));
        f[to + 2 * k] = f[s]!;
        f[to + 2 * k + 1] = f[s + 1]!;
      }
      this.pool.release(from, 2 * cap);
    }
    r[at + CAP] = next;
    r[at + AT] = to;
    r[at + HEAD] = 0;
  }
}
