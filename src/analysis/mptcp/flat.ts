/**
 * Flat number storage for per-flow state touched on every packet.
 *
 * V8 keeps a class field holding a non-integer (a nanosecond time, a
 * sequence number past 2^31, NaN, Infinity) in a separate heap box, so an
 * object of such counters spreads over many cache lines. With thousands of
 * flows taking turns, and the decoder's garbage flushing the caches between
 * two packets of one flow, every line touched per packet is a miss. Records
 * in one Float64Array keep a flow's numbers side by side: one or two lines
 * per packet.
 */

/** Records of `stride` numbers indexed 0, 1, 2...; a record not yet used holds the template's values. */
export class RecordTable {
  /** The numbers; replaced when the table grows, so read it again after `ensure`. */
  f: Float64Array;
  private used = 0;

  constructor(readonly stride: number, private readonly template: readonly number[], initial = 64) {
    this.f = new Float64Array(0);
    this.grow(initial);
  }

  /** Number of records made so far (indexes below it exist). */
  get size(): number {
    return this.used;
  }

  /** Makes sure record `i` exists; returns its offset in `f`. */
  ensure(i: number): number {
    if (i >= this.used) {
      if ((i + 1) * this.stride > this.f.length) this.grow(Math.max(i + 1, (this.f.length / this.stride) * 2));
      this.used = i + 1;
    }
    return i * this.stride;
  }

  private grow(records: number): void {
    const f = new Float64Array(records * this.stride);
    f.set(this.f);
    const t = this.template;
    for (let at = this.f.length; at < f.length; at += this.stride) {
      for (let k = 0; k < t.length; k++) f[at + k] = t[k]!;
    }
    this.f = f;
  }
}

/**
 * Variable-length regions of numbers in one Float64Array, sized in powers
 * of two from MIN_REGION: a region outgrowing its size moves to a bigger
 * one and its old place is reused by the next region of that size, so the
 * pool holds about what is live.
 */
export class RegionPool {
  static readonly MIN_REGION = 16;
  /** The numbers; replaced when the pool grows, so read it again after `alloc` or `resize`. */
  f = new Float64Array(1024);
  private end = 0;
  /** Free regions by size class (log2 of the size). */
  private readonly free: number[][] = [];

  /** A region of `size` numbers (a power of two, at least MIN_REGION); returns its offset. */
  alloc(size: number): number {
    const list = this.free[Math.log2(size)];
    if (list !== undefined && list.length > 0) return list.pop()!;
    if (this.end + size > this.f.length) {
      const f = new Float64Array(Math.max(this.f.length * 2, this.end + size));
      f.set(this.f);
      this.f = f;
    }
    const at = this.end;
    this.end += size;
    return at;
  }

  /** Gives back a region of `size` numbers at `at`. */
  release(at: number, size: number): void {
    (this.free[Math.log2(size)] ??= []).push(at);
  }

  /** Moves a region to one of `size` numbers, copying its first `keep`; returns the new offset. */
  resize(at: number, oldSize: number, size: number, keep: number): number {
    const to = this.alloc(size);
    this.f.copyWithin(to, at, at + keep);
    this.release(at, oldSize);
    return to;
  }
}
