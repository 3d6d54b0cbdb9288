/**
 * A distribution of positive samples (round-trip times, in seconds) in
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
 */

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

export class Distribution {
  count = 0;
  min = Infinity;
  max = -Infinity;
  private sum = 0;
  private samples: number[] | undefined;
  private histogram: Uint32Array | undefined;

  add(x: number): void {
    if (!(x >= 0) || !Number.isFinite(x)) return;
    this.count++;
    this.sum += x;
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
    if (this.histogram !== undefined) {
      this.histogram[bucketOf(x)]!++;
      return;
    }
    (this.samples ??= []).push(x);
    if (this.samples.length > EXACT_SAMPLES) {
      const h = new Uint32Array(BUCKETS);
      for (const s of this.samples) h[bucketOf(s)]!++;
      this.histogram = h;
      this.samples = undefined;
    }
  }

  /** The nearest-rank percentile (0 < p <= 100); undefined for an empty series. */
  percentile(p: number): number | undefined {
    if (this.count === 0) return undefined;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    if (this.samples !== undefined) {
      // Sorted on demand: reports ask a few times at the end, never per packet.
      this.samples.sort((a, b) => a - b);
      return this.samples[rank - 1];
    }
    const h = this.histogram!;
    let seen = 0;
    for (let i = 0; i < h.length; i++) {
      seen += h[i]!;
      if (seen >= rank) return Math.min(this.max, Math.max(this.min, bucketMiddle(i)));
    }
    return this.max;
  }

  stats(): DistributionStats | undefined {
    if (this.count === 0) return undefined;
    return {
      count: this.count,
      min: this.min,
      median: this.percentile(50)!,
      p95: this.percentile(95)!,
      max: this.max,
      mean: this.sum / this.count,
      exact: this.histogram === undefined,
    };
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
