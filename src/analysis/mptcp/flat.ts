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
 *
 * The arrays live in memory of their own (`Numbers`): pages mapped for
 * them, outside the C allocator. Freeing big arrays through it makes glibc
 * raise its mmap threshold, after which the capture reader's 1 MB chunks
 * come from the heap and fragment it (20-30 MB more at peak on a 5 million
 * packet capture). These pages start on a page boundary, so records whose
 * stride is a multiple of 8 numbers start on a cache line (`lineAligned`).
 * They are never grown in place: that would detach the old buffer, and the
 * first detached buffer makes V8 check every typed array access in the
 * process for it from then on (decoding included).
 */

/** The part of WebAssembly.Memory used here: pages of zeroes (the project's libraries do not declare it). */
declare const WebAssembly: { Memory: new (descriptor: { initial: number }) => { readonly buffer: ArrayBuffer } } | undefined;
const PAGE = 65536;

/** A stride rounded up to whole cache lines (8 numbers), so that every record starts on one. */
export function lineAligned(numbers: number): number {
  return Math.ceil(numbers / 8) * 8;
}

/** `n` zeroes in pages of their own where the platform gives them, else in a plain array. */
function zeroes(n: number): Float64Array {
  if (typeof WebAssembly !== 'undefined') {
    try {
      return new Float64Array(new WebAssembly.Memory({ initial: Math.max(1, Math.ceil((n * 8) / PAGE)) }).buffer, 0, n);
    } catch {
      // Address space refused (a ulimit -v): a plain array does.
    }
  }
  return new Float64Array(n);
}

/** A growable array of numbers, zeroes to start with. */
class Numbers {
  f: Float64Array;

  constructor(n: number) {
    this.f = zeroes(n);
  }

  /** Grows to `n` numbers, keeping the first `keep`; the array is replaced. */
  grow(n: number, keep: number): Float64Array {
    const buffer = this.f.buffer;
    // The pages already mapped may hold it.
    if (n * 8 <= buffer.byteLength) {
      this.f = new Float64Array(buffer, 0, n);
      return this.f;
    }
    const f = zeroes(Math.max(n, (2 * buffer.byteLength) / 8));
    f.set(this.f.subarray(0, keep));
    this.f = n === f.length ? f : f.subarray(0, n);
    return this.f;
  }
}

/** A growable array of int32s, zeroes to start with, in pages of its own like the records. */
export class Int32Column {
  /** The numbers; replaced when the column grows, so read it again after `ensure`. */
  a: Int32Array;
  /** A whole page, which the first one is anyway: 16384 indexes before the first growth (which throws away code compiled without it). */
  private readonly numbers = new Numbers(PAGE / 8);

  constructor() {
    this.a = int32s(this.numbers.f);
  }

  /** Makes sure index `i` exists. */
  ensure(i: number): Int32Array {
    if (i >= this.a.length) {
      const f = this.numbers.f;
      this.a = int32s(this.numbers.grow(Math.max(f.length * 2, Math.ceil((i + 1) / 2)), f.length));
    }
    return this.a;
  }
}

function int32s(f: Float64Array): Int32Array {
  return new Int32Array(f.buffer, f.byteOffset, 2 * f.length);
}

/** log2 of a power of two. */
function sizeClass(size: number): number {
  return 31 - Math.clz32(size);
}

/** A Float64Array's memory as u32 pairs, the view made anew only when the array was replaced. */
class U32Alias {
  private view: Uint32Array = new Uint32Array(0);
  /** The array `view` covers: comparing arrays is cheaper than reading a typed array's buffer. */
  private of: Float64Array | undefined;

  over(f: Float64Array): Uint32Array {
    if (this.of !== f) {
      this.view = new Uint32Array(f.buffer, f.byteOffset, 2 * f.length);
      this.of = f;
    }
    return this.view;
  }
}

/** Records of `stride` numbers indexed 0, 1, 2...; a record not yet used holds the template's values. */
export class RecordTable {
  /** The numbers; replaced when the table grows, so read it again after `ensure`. */
  f: Float64Array;
  private used = 0;
  private readonly numbers: Numbers;

  constructor(readonly stride: number, private readonly template: readonly number[], initial = 64) {
    this.numbers = new Numbers(0);
    this.f = this.numbers.f;
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
      // Record indexes are computed in doubles; kept a small integer, the field never changes the object's shape.
      this.used = (i + 1) | 0;
    }
    return i * this.stride;
  }

  /** The same memory as u32 pairs (fields that hold two 32-bit numbers), made anew only when the table grew. */
  u32(): Uint32Array {
    return this.alias.over(this.f);
  }

  private readonly alias = new U32Alias();

  private grow(records: number): void {
    const from = this.f.length;
    const f = this.numbers.grow(records * this.stride, from);
    const t = this.template;
    for (let at = from; at < f.length; at += this.stride) {
      for (let k = 0; k < t.length; k++) f[at + k] = t[k]!;
    }
    this.f = f;
  }
}

/**
 * Variable-length regions of numbers in one Float64Array, sized in powers
 * of two from MIN_REGION: a region outgrowing its size moves to a bigger
 * one and its old place is reused by the next region of that size.
 *
 * Regions of many owners growing together (every subflow's table at once)
 * leave freed places of every size behind, so the owner of the regions
 * calls `repack` when `crowded` or `sparse` says so: the live regions move,
 * densely, to a new array (memory that was touched is what a process
 * holds, so the array's used end is what counts). Each region's offset and
 * size live in its owner's record, where `repack` finds and updates them.
 */
export class RegionPool {
  static readonly MIN_REGION = 16;
  /** Below this many numbers a pool is never worth repacking. */
  static readonly REPACK_MIN = 1 << 16;
  /** The numbers; replaced when the pool grows or is repacked, so read it again after `alloc`, `resize` or `repack`. */
  f: Float64Array;
  private numbers = new Numbers(1024);
  /**
   * Numbers in live regions, and the end of the used part. Sizes and
   * offsets arrive as doubles read from records; they are kept small
   * integers (`| 0`, exact below 2^31) so that no field or free list ever
   * changes its shape, which would undo the optimized code using it.
   */
  private used = 0;
  private end = 0;
  /** Free regions by size class (log2 of the size). */
  private readonly free: number[][] = Array.from({ length: 32 }, () => []);

  constructor() {
    this.f = this.numbers.f;
  }

  /** The pool as u32 pairs (entries of 32 bits, two per number), made anew only when the pool's array was replaced. */
  u32(): Uint32Array {
    return this.alias.over(this.f);
  }

  private readonly alias = new U32Alias();

  /** A region of `size` numbers (a power of two, at least MIN_REGION); returns its offset. */
  alloc(size: number): number {
    this.used = (this.used + size) | 0;
    const list = this.free[sizeClass(size)]!;
    if (list.length > 0) return list.pop()!;
    if (this.end + size > this.f.length) this.f = this.numbers.grow(Math.max(this.f.length * 2, this.end + size), this.end);
    const at = this.end;
    this.end = (this.end + size) | 0;
    return at;
  }

  /** Gives back a region of `size` numbers at `at`. */
  release(at: number, size: number): void {
    this.used = (this.used - size) | 0;
    this.free[sizeClass(size)]!.push(at | 0);
  }

  /** Moves a region to one of `size` numbers, copying its first `keep`; returns the new offset. */
  resize(at: number, oldSize: number, size: number, keep: number): number {
    const to = this.alloc(size);
    this.f.copyWithin(to, at, at + keep);
    this.release(at, oldSize);
    return to;
  }

  /** A region of `size` would make a large pool grow while at least a quarter of it is free space: repack first. */
  crowded(size: number): boolean {
    if (this.end + size <= this.f.length || this.f.length < RegionPool.REPACK_MIN) return false;
    return this.free[sizeClass(size)]!.length === 0 && this.used + size <= this.f.length * 0.75;
  }

  /** Most of a large pool is free space: worth a repack. */
  get sparse(): boolean {
    return this.f.length >= RegionPool.REPACK_MIN && this.used * 4 < this.end;
  }

  /**
   * Moves every live region into a new array, one after the other, and
   * updates the owners' records: the regions are those of the records of
   * `table` whose number at `sizeField` is above 0, that many times `unit`
   * numbers long, at the offset found at `atField`.
   */
  repack(table: RecordTable, atField: number, sizeField: number, unit: number): void {
    const old = this.f;
    this.numbers = new Numbers(Math.max(1024, 2 ** Math.ceil(Math.log2(this.used * 1.25 + 1))));
    this.f = this.numbers.f;
    for (const list of this.free) list.length = 0;
    this.end = 0;
    this.used = 0;
    const r = table.f;
    const stride = table.stride;
    for (let rec = 0; rec < table.size * stride; rec += stride) {
      const size = r[rec + sizeField]! * unit;
      if (size <= 0) continue;
      const from = r[rec + atField]!;
      const to = this.alloc(size);
      this.f.set(old.subarray(from, from + size), to);
      r[rec + atField] = to;
    }
  }
}

/**
 * Room for one more entry of `entry` numbers in a queue of entries kept in a
 * pool region, whose record fields from `k` on are [region offset, region
 * size, head, tail] (the layout sent logs and mapping tables share; `field`
 * is where those fields start in a record, for repacking): the live entries
 * move to the front of the region, or to a region sized for twice as many.
 */
export function makeQueueRoom(pool: RegionPool, table: RecordTable, k: number, field: number, entry: number, firstRegion: number): void {
  const r = table.f;
  const size = r[k + 1]!;
  const head = r[k + 2]!;
  const live = r[k + 3]! - head;
  const want = Math.max(firstRegion, 2 ** Math.ceil(Math.log2(2 * (live + entry))));
  if (want !== size) {
    if (pool.crowded(want)) pool.repack(table, field, field + 1, 1);
    const to = pool.alloc(want);
    if (size > 0) {
      const from = r[k]!;
      pool.f.copyWithin(to, from + head, from + head + live);
      pool.release(from, size);
    }
    r[k] = to;
    r[k + 1] = want;
  } else {
    const to = r[k]!;
    pool.f.copyWithin(to, to + head, to + head + live);
  }
  r[k + 2] = 0;
  r[k + 3] = live;
  if (pool.sparse) pool.repack(table, field, field + 1, 1);
}
