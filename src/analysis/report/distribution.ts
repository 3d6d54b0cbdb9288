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

/** A series' numbers in its owner's record: count, extremes, sum, and where its samples are (region offset and size) or its histogram. */
const COUNT = 0;
const MIN = 1;
const MAX = 2;
const SUM = 3;
const AT = 4;
const SIZE = 5;
const HIST = 6;
const NONE = -1;
export const DISTRIBUTION_FIELDS = 7;
export const DISTRIBUTION_TEMPLATE: readonly number[] = [0, Infinity, -Infinity, 0, NONE, 0, NONE];

/**
 * Many series, each kept in its owner's record (`table` at `field`), their
 * exact samples in a shared pool. Methods take the owner's record offset.
 */
export class DistributionSet {
  private readonly samples = new RegionPool();
  private readonly histograms: Uint32Array[] = [];

  constructor(private readonly table: RecordTable, private readonly field: number) {}

  add(rec: number, x: number): void {
    if (!(x >= 0) || !Number.isFinite(x)) return;
    const r = this.table.f;
    const at = rec + this.field;
    const n = r[at + COUNT]!;
    r[at + COUNT] = n + 1;
    r[at + SUM]! += x;
    if (x < r[at + MIN]!) r[at + MIN] = x;
    if (x > r[at + MAX]!) r[at + MAX] = x;
    const hist = r[at + HIST]!;
    if (hist !== NONE) {
      this.histograms[hist]![bucketOf(x)]!++;
      return;
    }
    if (n === EXACT_SAMPLES) {
      this.toHistogram(at, x);
      return;
    }
    const size = r[at + SIZE]!;
    if (n === size) {
      const grown = size === 0 ? RegionPool.MIN_REGION : size * 2;
      if (this.samples.crowded(grown)) this.repack();
      r[at + AT] = size === 0 ? this.samples.alloc(grown) : this.samples.resize(r[at + AT]!, size, grown, n);
      r[at + SIZE] = grown;
    }
    this.samples.f[r[at + AT]! + n] = x;
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
    const r = this.table.f;
    const at = rec + this.field;
    const rank = Math.max(1, Math.ceil((p / 100) * n));
    const hist = r[at + HIST]!;
    if (hist === NONE) {
      // Sorted on demand: reports ask a few times at the end, never per packet.
      const region = r[at + AT]!;
      const f = this.samples.f;
      f.subarray(region, region + n).sort();
      return f[region + rank - 1];
    }
    const h = this.histograms[hist]!;
    let seen = 0;
    for (let b = 0; b < h.length; b++) {
      seen += h[b]!;
      if (seen >= rank) return Math.min(r[at + MAX]!, Math.max(r[at + MIN]!, bucketMiddle(b)));
    }
    return r[at + MAX];
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
      exact: r[at + HIST] === NONE,
    };
  }

  /** The exact samples and `x` move into a histogram; their region goes back to the pool. */
  private toHistogram(at: number, x: number): void {
    const r = this.table.f;
    const h = new Uint32Array(BUCKETS);
    const region = r[at + AT]!;
    const f = this.samples.f;
    for (let k = 0; k < EXACT_SAMPLES; k++) h[bucketOf(f[region + k]!)]!++;
    h[bucketOf(x)]!++;
    this.samples.release(region, r[at + SIZE]!);
    r[at + AT] = NONE;
    r[at + SIZE] = 0;
    r[at + HIST] = this.histograms.length;
    this.histograms.push(h);
    if (this.samples.sparse) this.repack();
  }

  private repack(): void {
    this.samples.repack(this.table, this.field + AT, this.field + SIZE, 1);
  }
}

/** One series: on its own, or a view of one in a set. */
export class Distribution {
  private readonly set: DistributionSet;
  private readonly rec: number;

  constructor(set?: DistributionSet, rec = 0) {
    if (set === undefined) {
      const table = new RecordTable(DISTRIBUTION_FIELDS, DISTRIBUTION_TEMPLATE, 1);
      table.ensure(0);
      set = new DistributionSet(table, 0);
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
