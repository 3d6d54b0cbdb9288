/**
 * Distributions of positive samples (round-trip times, in seconds) in
 * bounded memory, for minimum / median / 95th percentile reports.
 *
 * The first EXACT_SAMPLES samples are kept as they are, so small series
 * (most subflows of a capture) give exact percentiles. Past that, they move
 * into a fixed log-scale histogram: buckets of 2% width between 1 µs and
 * 1000 s (1047 counters), and a percentile is the geometric middle of its
 * bucket, so its relative error is at most 1%. Minimum, maximum, count and
 * mean stay exact in both modes. Memory per series is therefore at most
 * 8 KiB of samples or 4 KiB of counters, whatever the capture's length.
 *
 * Percentiles use the nearest-rank definition: the p-th percentile is the
 * smallest sample such that at least p% of the samples are at or below it
 * (the median of an even count is the lower middle sample).
 *
 * `DistributionSet` holds many series (two per TCP direction in a capture)
 * in flat storage: adding a sample touches the numbers of the series in its
 * owner's record and the line its sample goes to, nothing else.
 * `Distribution` is one series.
 */
import { RecordTable, RegionPool } from '../mptcp/flat.js';

export const EXACT_SAMPLES = 1024;
const LOW = 1e-6;
const HIGH = 1e3;
const RATIO = 1.02;
const LOG_RATIO = Math.log(RATIO);
const BUCKETS = Math.ceil(Math.log(HIGH / LOW) / LOG_RATIO) + 2;

export interface DistributionStats {
  count: number;
  min: number;
  median: number;
  p95: number;
  max: number;
  mean: number;
  /** False once the series outgrew the exact samples and percentiles come from the histogram. */
  exact: boolean;
}

/**
 * A series' numbers in its owner's record, in two parts. The first, one
 * cache line that every sample touches: count, extremes, sum, and up to
 * HELD_MAX samples held back (nanoseconds, two per number). The second,
 * touched when the held samples go to their place, every HELD_MAX samples:
 * where the samples are (region offset and size, in pool numbers) or the
 * histogram, and how they are kept. With thousands of series taking turns,
 * a series' place in the pool is seldom in the cache: holding samples back
 * visits it a sixth as often.
 *
 * Round trips are whole nanoseconds over 1e9, so a sample is normally kept
 * as its nanoseconds, two per pool number (half the memory); a series given
 * a sample that is not (one the same division would not give back exactly,
 * or past 2^32 ns) keeps doubles from then on, and such a sample is never
 * held back.
 */
const COUNT = 0;
const MIN = 1;
const MAX = 2;
const SUM = 3;
const HELD = 4;
const HELD_AT = 5;
const HELD_MAX = 6;
const AT = 0;
const SIZE = 1;
const HIST = 2;
/** How the exact samples are kept: FLAGS bits. */
const FLAGS = 3;
const WIDE = 1;
/** The exact samples are in order (none stored since they were sorted). */
const SORTED = 2;
const NONE = -1;
export const DISTRIBUTION_FIELDS = 8;
export const DISTRIBUTION_TEMPLATE: readonly number[] = [0, Infinity, -Infinity, 0, 0, 0, 0, 0];
export const DISTRIBUTION_COLD_FIELDS = 4;
export const DISTRIBUTION_COLD_TEMPLATE: readonly number[] = [NONE, 0, NONE, 0];
const NS = 1e9;
const U32_LIMIT = 2 ** 32;

/**
 * Many series, each kept in its owner's record (`table`, the first part at
 * `field`, the second at `coldField`), their exact samples in a shared
 * pool. Methods take the owner's record offset.
 */
export class DistributionSet {
  private readonly samples = new RegionPool();
  private readonly histograms: Uint32Array[] = [];

  constructor(private readonly table: RecordTable, private readonly field: number, private readonly coldField: number) {}

  add(rec: number, x: number): void {
    if (!(x >= 0) || !Number.isFinite(x)) return;
    const r = this.table.f;
    const at = rec + this.field;
    const ns = Math.round(x * NS);
    const held = ns < U32_LIMIT && ns / NS === x;
    // A sample kept as a double is not held back: what is held goes first, so the samples reach their place in order.
    if (!held) this.settle(rec);
    const n = r[at + COUNT]!;
    r[at + COUNT] = n + 1;
    r[at + SUM]! += x;
    if (x < r[at + MIN]!) r[at + MIN] = x;
    if (x > r[at + MAX]!) r[at + MAX] = x;
    if (!held) {
      this.store(rec, x, n);
      return;
    }
    const k = r[at + HELD]!;
    this.recordU32()[2 * (at + HELD_AT) + k] = ns;
    r[at + HELD] = k + 1;
    if (k + 1 === HELD_MAX) this.settle(rec);
  }

  /** The held samples of series `rec` go to their place. */
  private settle(rec: number): void {
    const r = this.table.f;
    const at = rec + this.field;
    const held = r[at + HELD]!;
    if (held === 0) return;
    r[at + HELD] = 0;
    const before = r[at + COUNT]! - held;
    const from = 2 * (at + HELD_AT);
    // Usually they go as they are, nanoseconds, to the series' samples or its histogram: no trip through seconds and back per sample (a double handed to a call is a heap number).
    const cold = rec + this.coldField;
    const u = this.recordU32();
    const hist = r[cold + HIST]!;
    if (hist !== NONE) {
      const h = this.histograms[hist]!;
      for (let k = 0; k < held; k++) h[bucketOfNs(u[from + k]!)]!++;
      return;
    }
    const size = r[cold + SIZE]!;
    if ((r[cold + FLAGS]! & WIDE) === 0 && before + held <= 2 * size && before + held <= EXACT_SAMPLES) {
      r[cold + FLAGS] = 0;
      const samples = this.samples.u32();
      const to = 2 * r[cold + AT]! + before;
      for (let k = 0; k < held; k++) samples[to + k] = u[from + k]!;
      return;
    }
    for (let k = 0; k < held; k++) this.store(rec, u[from + k]! / NS, before + k);
  }

  /** Puts sample `x`, the series' sample number `n` (from 0), in its place: the exact samples, or the histogram once they are full. */
  private store(rec: number, x: number, n: number): void {
    const r = this.table.f;
    const at = rec + this.coldField;
    const hist = r[at + HIST]!;
    if (hist !== NONE) {
      this.histograms[hist]![bucketOf(x)]!++;
      return;
    }
    if (n === EXACT_SAMPLES) {
      this.toHistogram(at, x);
      return;
    }
    let wide = (r[at + FLAGS]! & WIDE) !== 0;
    r[at + FLAGS] = wide ? WIDE : 0;
    const ns = Math.round(x * NS);
    if (!wide && !(ns < U32_LIMIT && ns / NS === x)) {
      this.widen(at, n);
      wide = true;
    }
    const size = r[at + SIZE]!;
    if (n === (wide ? size : 2 * size)) {
      const grown = size === 0 ? RegionPool.MIN_REGION : size * 2;
      if (this.samples.crowded(grown)) this.repack();
      r[at + AT] = size === 0 ? this.samples.alloc(grown) : this.samples.resize(r[at + AT]!, size, grown, wide ? n : n / 2);
      r[at + SIZE] = grown;
    }
    if (wide) this.samples.f[r[at + AT]! + n] = x;
    else this.samples.u32()[2 * r[at + AT]! + n] = ns;
  }

  /** The records as u32s. */
  private recordU32(): Uint32Array {
    return this.table.u32();
  }

  /** The series' `n` samples move from nanoseconds to doubles. */
  private widen(at: number, n: number): void {
    const r = this.table.f;
    const size = r[at + SIZE]!;
    r[at + FLAGS] = WIDE;
    if (size === 0) return;
    // Twice the numbers hold as many doubles as there were nanosecond pairs.
    if (this.samples.crowded(2 * size)) this.repack();
    const to = this.samples.alloc(2 * size);
    const from = r[at + AT]!;
    const u = this.samples.u32();
    const f = this.samples.f;
    for (let k = 0; k < n; k++) f[to + k] = u[2 * from + k]! / NS;
    this.samples.release(from, size);
    r[at + AT] = to;
    r[at + SIZE] = 2 * size;
  }

  count(rec: number): number {
    return this.table.f[rec + this.field + COUNT]!;
  }

  min(rec: number): number {
    return this.table.f[rec + this.field + MIN]!;
  }

  max(rec: number): number {
    return this.table.f[rec + this.field + MAX]!;
  }

  /** The nearest-rank percentile (0 < p <= 100); undefined for an empty series. */
  percentile(rec: number, p: number): number | undefined {
    const n = this.count(rec);
    if (n === 0) return undefined;
    this.settle(rec);
    const r = this.table.f;
    const at = rec + this.coldField;
    const rank = Math.max(1, Math.ceil((p / 100) * n));
    const hist = r[at + HIST]!;
    if (hist === NONE) {
      // Sorted on demand, once for all the percentiles asked before the next sample: reports ask at the end, never per packet.
      const region = r[at + AT]!;
      const flags = r[at + FLAGS]!;
      const sort = (flags & SORTED) === 0;
      r[at + FLAGS] = flags | SORTED;
      if (flags & WIDE) {
        const f = this.samples.f;
        if (sort) f.subarray(region, region + n).sort();
        return f[region + rank - 1];
      }
      const u = this.samples.u32();
      if (sort) u.subarray(2 * region, 2 * region + n).sort();
      return u[2 * region + rank - 1]! / NS;
    }
    const h = this.histograms[hist]!;
    let seen = 0;
    for (let b = 0; b < h.length; b++) {
      seen += h[b]!;
      if (seen >= rank) return Math.min(this.max(rec), Math.max(this.min(rec), bucketMiddle(b)));
    }
    return this.max(rec);
  }

  stats(rec: number): DistributionStats | undefined {
    const n = this.count(rec);
    if (n === 0) return undefined;
    const r = this.table.f;
    const at = rec + this.field;
    return {
      count: n,
      min: r[at + MIN]!,
      median: this.percentile(rec, 50)!,
      p95: this.percentile(rec, 95)!,
      max: r[at + MAX]!,
      mean: r[at + SUM]! / n,
      exact: r[rec + this.coldField + HIST] === NONE,
    };
  }

  /** The exact samples and `x` move into a histogram; their region goes back to the pool. */
  private toHistogram(at: number, x: number): void {
    const r = this.table.f;
    const h = new Uint32Array(BUCKETS);
    // Read in place, nanoseconds as they are: a sample returned as seconds would be a heap number each.
    const region = r[at + AT]!;
    if (r[at + FLAGS]! & WIDE) {
      const f = this.samples.f;
      for (let k = 0; k < EXACT_SAMPLES; k++) h[bucketOf(f[region + k]!)]!++;
    } else {
      const u = this.samples.u32();
      for (let k = 0; k < EXACT_SAMPLES; k++) h[bucketOfNs(u[2 * region + k]!)]!++;
    }
    h[bucketOf(x)]!++;
    this.samples.release(r[at + AT]!, r[at + SIZE]!);
    r[at + AT] = NONE;
    r[at + SIZE] = 0;
    r[at + HIST] = this.histograms.length;
    this.histograms.push(h);
    if (this.samples.sparse) this.repack();
  }

  private repack(): void {
    this.samples.repack(this.table, this.coldField + AT, this.coldField + SIZE, 1);
  }
}

/** One series: on its own, or a view of one in a set. */
export class Distribution {
  private readonly set: DistributionSet;
  private readonly rec: number;

  constructor(set?: DistributionSet, rec = 0) {
    if (set === undefined) {
      const table = new RecordTable(DISTRIBUTION_FIELDS + DISTRIBUTION_COLD_FIELDS, [...DISTRIBUTION_TEMPLATE, ...DISTRIBUTION_COLD_TEMPLATE], 1);
      table.ensure(0);
      set = new DistributionSet(table, 0, DISTRIBUTION_FIELDS);
    }
    this.set = set;
    this.rec = rec;
  }

  get count(): number {
    return this.set.count(this.rec);
  }

  get min(): number {
    return this.set.min(this.rec);
  }

  get max(): number {
    return this.set.max(this.rec);
  }

  add(x: number): void {
    this.set.add(this.rec, x);
  }

  /** The nearest-rank percentile (0 < p <= 100); undefined for an empty series. */
  percentile(p: number): number | undefined {
    return this.set.percentile(this.rec, p);
  }

  stats(): DistributionStats | undefined {
    return this.set.stats(this.rec);
  }
}

/** The bucket of a sample given in nanoseconds (a small integer below 2^31 ns, where seconds would be a double). */
function bucketOfNs(ns: number): number {
  return bucketOf(ns / NS);
}

function bucketOf(x: number): number {
  if (x <= LOW) return 0;
  if (x >= HIGH) return BUCKETS - 1;
  return 1 + Math.floor(Math.log(x / LOW) / LOG_RATIO);
}

/** Geometric middle of a bucket (its lower edge for the two open-ended ones). */
function bucketMiddle(i: number): number {
  if (i === 0) return LOW;
  if (i === BUCKETS - 1) return HIGH;
  return LOW * RATIO ** (i - 1) * Math.sqrt(RATIO);
}
