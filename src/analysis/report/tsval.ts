/**
 * TCP timestamp round trips: per TCP direction, the TSval values in the
 * order first seen, with the time each was first seen, waiting for their
 * echo in the other direction's TSecr. A sample is the time from a value's
 * first sighting to its first echo (delayed ACKs included, as in what the
 * stack itself measures).
 *
 * Each direction's values sit in a ring in one shared pool, growing to at
 * most MAX_TSVALS entries; a peer that echoes nothing, or is not in the
 * capture, keeps it at MAX_UNECHOED until its first echo. Values older than
 * an echoed one leave (they will never be echoed first).
 *
 * An entry is normally one pool number: the value and its time as two u32,
 * the time counted in nanoseconds from the ring's base (the time of an
 * entry it held, moved forward as entries leave). A ring given a time
 * that offset cannot hold exactly (more than 4.29 s after its oldest entry,
 * before it, or not whole nanoseconds) keeps two doubles per entry from
 * then on. With thousands of directions taking turns, the pool's size is
 * what each packet pays for.
 */
import { RegionPool } from '../mptcp/flat.js';
import type { RecordTable } from '../mptcp/flat.js';

/** TSval values waiting for their echo, per direction (a power of two); before the first echo, fewer. */
const MAX_TSVALS = 512;
const MAX_UNECHOED = 64;
/** Entries of a new ring (a power of two). */
const FIRST_CAPACITY = 16;
const U32_LIMIT = 2 ** 32;
const NS = 1e9;

/**
 * A ring's numbers in its owner's record: first entry, entries in the pool,
 * region offset and size (pool numbers), flags, newest value, the base its
 * narrow times count from, and the newest narrow entries held back in the
 * record's next line, HELD_MAX at most. With thousands of directions taking
 * turns, a ring's place in the pool is seldom in the cache: holding entries
 * back visits it an eighth as often.
 */
const HEAD = 0;
const COUNT = 1;
const AT = 2;
const SIZE = 3;
const FLAGS = 4;
const LAST = 5;
const BASE = 6;
const HELD = 7;
const HELD_AT = 8;
const HELD_MAX = 8;
export const TSVAL_FIELDS = HELD_AT + HELD_MAX;
export const TSVAL_TEMPLATE: readonly number[] = new Array<number>(TSVAL_FIELDS).fill(0);
/** FLAGS bits: the other direction echoed one of its values; entries are two doubles. */
const ECHOED = 1;
const WIDE = 2;

const seqLt = (a: number, b: number): boolean => ((a - b) | 0) < 0;
const seqGt = (a: number, b: number): boolean => ((a - b) | 0) > 0;

/** Rings kept in their owners' records (`table` at `field`, one per TCP direction); methods take the owner's record offset. */
export class TsvalRings {
  private readonly pool = new RegionPool();

  constructor(private readonly table: RecordTable, private readonly field: number) {}

  /**
   * The sender of ring `rec` sent `tsval` at `sec` × 10^9 + `nsec` ns. The
   * time comes in two parts, small integers both, where nanoseconds past
   * 2^31 (2.1 s into a capture) would be a heap number at every call; for
   * the same reason values may be given signed or unsigned (their 32 bits
   * are what counts).
   */
  add(rec: number, tsval: number, sec: number, nsec: number): void {
    const ns = sec * NS + nsec;
    const at = rec + this.field;
    const r = this.table.f;
    const count = r[at + COUNT]!;
    const held = r[at + HELD]!;
    if (count + held > 0 && !seqGt(tsval, r[at + LAST]!)) return;
    const flags = r[at + FLAGS]!;
    if (count + held >= (flags & ECHOED ? MAX_TSVALS : MAX_UNECHOED)) {
      // The oldest entry leaves: it is in the pool, entries held back being fewer than any limit.
      r[at + HEAD] = (r[at + HEAD]! + 1) & (capacity(r, at) - 1);
      r[at + COUNT] = count - 1;
    }
    if ((flags & WIDE) === 0) {
      let offset = ns - r[at + BASE]!;
      if (count + held === 0 || (offset >>> 0) !== offset) {
        this.settle(at);
        offset = this.rebase(at, ns);
      }
      if (offset >= 0) {
        const k = r[at + HELD]!;
        const u = this.recordU32();
        const slot = 2 * (at + HELD_AT + k);
        u[slot] = tsval;
        u[slot + 1] = offset;
        r[at + HELD] = k + 1;
        r[at + LAST] = tsval;
        if (k + 1 === HELD_MAX) this.settle(at);
        return;
      }
    }
    // Wide (held entries went to the pool when it widened): straight into the pool.
    const n = r[at + COUNT]!;
    if (n === capacity(r, at)) this.grow(at);
    const slot = r[at + AT]! + 2 * ((r[at + HEAD]! + n) & (capacity(r, at) - 1));
    const f = this.pool.f;
    f[slot] = tsval >>> 0;
    f[slot + 1] = ns;
    r[at + COUNT] = n + 1;
    r[at + LAST] = tsval;
  }

  /** The entries of the ring whose numbers are at `at` held back in its record go to the pool, after the others. */
  private settle(at: number): void {
    const r = this.table.f;
    const held = r[at + HELD]!;
    if (held === 0) return;
    const count = r[at + COUNT]!;
    while (count + held > capacity(r, at)) this.grow(at);
    const region = r[at + AT]!;
    const mask = r[at + SIZE]! - 1;
    const head = r[at + HEAD]!;
    const u = this.pool.u32();
    const from = this.recordU32();
    for (let k = 0; k < held; k++) {
      const to = 2 * (region + ((head + count + k) & mask));
      u[to] = from[2 * (at + HELD_AT + k)]!;
      u[to + 1] = from[2 * (at + HELD_AT + k) + 1]!;
    }
    r[at + COUNT] = count + held;
    r[at + HELD] = 0;
  }

  /** The other direction echoed `tsecr` (signed or unsigned): the time it was first seen in ring `rec`, when this is its first echo. */
  echo(rec: number, echoed: number): number | undefined {
    const tsecr = echoed >>> 0;
    const r = this.table.f;
    const at = rec + this.field;
    if (r[at + COUNT]! + r[at + HELD]! === 0) return undefined;
    this.settle(at);
    let count = r[at + COUNT]!;
    let head = r[at + HEAD]!;
    const mask = capacity(r, at) - 1;
    const region = r[at + AT]!;
    const wide = (r[at + FLAGS]! & WIDE) !== 0;
    const f = this.pool.f;
    const u = this.pool.u32();
    let sent: number | undefined;
    while (count > 0) {
      const i = region + (wide ? 2 * head : head);
      const v = wide ? f[i]! : u[2 * i]!;
      if (v !== tsecr && !seqLt(v, tsecr)) break;
      head = (head + 1) & mask;
      count--;
      if (v === tsecr) {
        r[at + FLAGS] = r[at + FLAGS]! | ECHOED;
        sent = wide ? f[i + 1]! : r[at + BASE]! + u[2 * i + 1]!;
        break;
      }
    }
    r[at + HEAD] = head;
    r[at + COUNT] = count;
    return sent;
  }

  /**
   * A narrow ring's base for an entry at `ns`: that time when the ring is
   * empty, else its earliest entry's (capture times need not grow), the
   * others' offsets moving down to it. Returns the entry's offset from the
   * new base, or -1 when it cannot be narrow: the ring is then wide.
   */
  private rebase(at: number, ns: number): number {
    const r = this.table.f;
    const count = r[at + COUNT]!;
    if (count === 0) {
      if (ns !== Math.floor(ns)) return this.widen(at);
      r[at + BASE] = ns;
      return 0;
    }
    const u = this.pool.u32();
    const region = r[at + AT]!;
    const mask = r[at + SIZE]! - 1;
    const head = r[at + HEAD]!;
    let shift = U32_LIMIT;
    for (let k = 0; k < count; k++) shift = Math.min(shift, u[2 * (region + ((head + k) & mask)) + 1]!);
    const offset = ns - r[at + BASE]! - shift;
    if ((offset >>> 0) !== offset) return this.widen(at);
    for (let k = 0; k < count; k++) u[2 * (region + ((head + k) & mask)) + 1]! -= shift;
    r[at + BASE] = r[at + BASE]! + shift;
    return offset;
  }

  /** A narrow ring's entries become two doubles each, in order from the front of a region twice the size. Returns -1. */
  private widen(at: number): number {
    const r = this.table.f;
    const size = r[at + SIZE]!;
    const count = r[at + COUNT]!;
    const head = r[at + HEAD]!;
    if (this.pool.crowded(2 * size)) this.repack();
    const to = this.pool.alloc(2 * size);
    const from = r[at + AT]!;
    const base = r[at + BASE]!;
    const u = this.pool.u32();
    const f = this.pool.f;
    for (let k = 0; k < count; k++) {
      const i = 2 * (from + ((head + k) & (size - 1)));
      f[to + 2 * k] = u[i]!;
      f[to + 2 * k + 1] = base + u[i + 1]!;
    }
    if (size > 0) this.pool.release(from, size);
    r[at + AT] = to;
    r[at + SIZE] = 2 * size;
    r[at + HEAD] = 0;
    r[at + FLAGS] = r[at + FLAGS]! | WIDE;
    return -1;
  }

  /** Doubles a full ring (FIRST_CAPACITY entries to start with), its entries moved to the front in order. */
  private grow(at: number): void {
    const r = this.table.f;
    const size = r[at + SIZE]!;
    const next = size === 0 ? FIRST_CAPACITY : size * 2;
    if (this.pool.crowded(next)) this.repack();
    const to = this.pool.alloc(next);
    if (size > 0) {
      const from = r[at + AT]!;
      const head = r[at + HEAD]!;
      // Entries are copied as u32s: a narrow entry read as a double could be a NaN, which need not keep its bits.
      const words = r[at + FLAGS]! & WIDE ? 4 : 2;
      const entries = (2 * size) / words;
      const u = this.pool.u32();
      for (let k = 0; k < entries; k++) {
        const s = 2 * from + words * ((head + k) & (entries - 1));
        for (let w = 0; w < words; w++) u[2 * to + words * k + w] = u[s + w]!;
      }
      this.pool.release(from, size);
    }
    r[at + SIZE] = next;
    r[at + AT] = to;
    r[at + HEAD] = 0;
  }

  private repack(): void {
    this.pool.repack(this.table, this.field + AT, this.field + SIZE, 1);
  }

  /** The records as u32 pairs. */
  private recordU32(): Uint32Array {
    return this.table.u32();
  }
}

/** Entries a ring's region holds. */
function capacity(r: Float64Array, at: number): number {
  const size = r[at + SIZE]!;
  return r[at + FLAGS]! & WIDE ? size / 2 : size;
}
