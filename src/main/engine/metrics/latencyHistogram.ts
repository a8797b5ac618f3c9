import type { LatencySummary } from '../../../shared/sla'
import { assert } from '../errors'
import { LATENCY_VALUE_US_MAX } from '../limits'

/**
 * A latency histogram in microseconds with a fixed, bounded layout (HDR-style log-linear
 * buckets), so recording is O(1) without allocation and any two histograms merge exactly.
 *
 * Guarantee: values are rounded to the nearest microsecond; values 0..255 µs are counted
 * exactly, and above that each bucket spans at most 1/128 of its lower bound, so
 * `percentile(p)` differs from the exact nearest-rank percentile x of the recorded values by
 * at most x/256 + 0.5 µs (under 0.4% plus rounding). Values above LATENCY_VALUE_US_MAX
 * (1 hour) are counted in the top bucket and in `overflowCount`; their percentiles read as
 * 1 hour. min, max and mean are exact. Memory is one Float64Array of BUCKET_COUNT (~26 KB).
 */

/** Values below this are counted exactly, one bucket per microsecond. */
const EXACT_VALUES = 256
/** Buckets per power of two above EXACT_VALUES: the relative bucket width is 1/SUB_BUCKETS. */
const SUB_BUCKETS = 128

/** bucketIndex maps a rounded, clamped value in microseconds to its bucket. */
function bucketIndex(valueUs: number): number {
  // shift = floor(log2(value)) - 7 for values >= 256, else 0 (exact buckets).
  const shift = Math.max(0, 24 - Math.clz32(valueUs))
  return shift * SUB_BUCKETS + (valueUs >>> shift)
}

/** bucketMidpoint is the value a bucket reports: the middle of the values it holds. */
function bucketMidpoint(index: number): number {
  if (index < EXACT_VALUES) return index
  const shift = (index >> 7) - 1
  const width = 2 ** shift
  const lower = ((index & (SUB_BUCKETS - 1)) + SUB_BUCKETS) * width
  return lower + (width - 1) / 2
}

/** roundAndClamp turns a recorded value into the integer the buckets index. */
function roundAndClamp(valueUs: number): number {
  const rounded = Math.round(valueUs)
  return rounded > LATENCY_VALUE_US_MAX ? LATENCY_VALUE_US_MAX : rounded
}

/** BUCKET_COUNT is the number of buckets every histogram holds. */
export const BUCKET_COUNT = bucketIndex(LATENCY_VALUE_US_MAX) + 1

/** LatencySummary is the shared shape (src/shared/sla.ts) every reader of a histogram gets. */
export type { LatencySummary }

/** LatencyHistogram counts latencies in microseconds; see the module comment for its bounds. */
export class LatencyHistogram {
  private readonly counts = new Float64Array(BUCKET_COUNT)
  private total = 0
  private sumUs = 0
  private minUs = Infinity
  private maxUs = -Infinity
  private overflow = 0

  /** record counts one latency; a negative or NaN value is a bug in the caller. */
  record(valueUs: number): void {
    if (!(valueUs >= 0)) assert(false, `latency must be a non-negative number, got ${valueUs}`)
    if (valueUs > LATENCY_VALUE_US_MAX + 0.5) this.overflow++
    const index = bucketIndex(roundAndClamp(valueUs))
    this.counts[index]! += 1
    this.total++
    this.sumUs += valueUs
    if (valueUs < this.minUs) this.minUs = valueUs
    if (valueUs > this.maxUs) this.maxUs = valueUs
  }

  /** count is the number of values recorded. */
  get count(): number {
    return this.total
  }

  /** overflowCount is how many values exceeded LATENCY_VALUE_US_MAX and were clamped to it. */
  get overflowCount(): number {
    return this.overflow
  }

  /** min is the smallest value recorded, or 0 when empty. */
  get min(): number {
    return this.total === 0 ? 0 : this.minUs
  }

  /** max is the largest value recorded, or 0 when empty. */
  get max(): number {
    return this.total === 0 ? 0 : this.maxUs
  }

  /** mean is the exact arithmetic mean, or 0 when empty. */
  get mean(): number {
    return this.total === 0 ? 0 : this.sumUs / this.total
  }

  /**
   * percentile is the nearest-rank percentile p (0 < p <= 100) within the module's error
   * bound, kept inside [min, max]; 0 when empty.
   */
  percentile(p: number): number {
    assert(p > 0 && p <= 100, `percentile must be in (0, 100], got ${p}`)
    if (this.total === 0) return 0
    const rank = Math.max(1, Math.ceil((p / 100) * this.total))
    const last = bucketIndex(roundAndClamp(this.maxUs))
    let seen = 0
    for (let index = bucketIndex(roundAndClamp(this.minUs)); index <= last; index++) {
      seen += this.counts[index]!
      if (seen >= rank) return Math.min(this.maxUs, Math.max(this.minUs, bucketMidpoint(index)))
    }
    assert(false, `bucket counts sum to ${seen}, below the count ${this.total}`)
  }

  /** summary reads count, min, max and p50/p95/p99/p99.9 at once. */
  summary(): LatencySummary {
    return {
      count: this.total,
      min: this.min,
      max: this.max,
      p50: this.percentile(50),
      p95: this.percentile(95),
      p99: this.percentile(99),
      p999: this.percentile(99.9),
    }
  }

  /**
   * countAtOrBelow is how many recorded values are at most `valueUs`, within the bucket
   * resolution: values that share valueUs's bucket (at most valueUs/128 above it) count too.
   * Prometheus `le` buckets are read this way; below min and from max on it is exact.
   */
  countAtOrBelow(valueUs: number): number {
    if (!(valueUs >= 0)) assert(false, `latency must be a non-negative number, got ${valueUs}`)
    if (this.total === 0 || valueUs < this.minUs) return 0
    if (valueUs >= this.maxUs) return this.total
    const last = bucketIndex(roundAndClamp(valueUs))
    let seen = 0
    for (let index = bucketIndex(roundAndClamp(this.minUs)); index <= last; index++) {
      seen += this.counts[index]!
    }
    return seen
  }

  /** merge adds every value of `other` to this histogram, exactly as if recorded here. */
  merge(other: LatencyHistogram): void {
    if (other.total === 0) return
    const last = bucketIndex(roundAndClamp(other.maxUs))
    for (let index = bucketIndex(roundAndClamp(other.minUs)); index <= last; index++) {
      this.counts[index]! += other.counts[index]!
    }
    this.total += other.total
    this.sumUs += other.sumUs
    this.overflow += other.overflow
    if (other.minUs < this.minUs) this.minUs = other.minUs
    if (other.maxUs > this.maxUs) this.maxUs = other.maxUs
  }

  /** reset empties the histogram, touching only the buckets that can hold counts. */
  reset(): void {
    if (this.total === 0) return
    const first = bucketIndex(roundAndClamp(this.minUs))
    this.counts.fill(0, first, bucketIndex(roundAndClamp(this.maxUs)) + 1)
    this.total = 0
    this.sumUs = 0
    this.overflow = 0
    this.minUs = Infinity
    this.maxUs = -Infinity
  }
}
