/**
 * LatencyHistogramMetric exports a LatencyHistogram (microseconds) as a Prometheus histogram
 * in seconds. prom-client's Histogram only counts its own observe() calls and has no way to
 * take counts that were bucketed elsewhere, so this is a custom metric object: the registry
 * accepts anything with a name and an async get() returning the sample values (the shape
 * prom-client's own metrics return), and renders it like any other histogram.
 *
 * Guarantee: the `le` buckets are cumulative and end with `+Inf` equal to `_count`, because
 * each is read with LatencyHistogram.countAtOrBelow, which never decreases as `le` grows.
 * A bucket may include values up to 1/128 above its bound (the histogram's resolution).
 */
import type { Metric, Registry } from 'prom-client'
import type { LatencyHistogram } from '../metrics/latencyHistogram'

/**
 * LATENCY_BUCKETS_US are the `le` bounds (0.5 ms to 10 s), placed on the ADR-004 targets
 * (2, 5, 10, 50, 100 ms and the 1 s emergency trigger) so alerts can compare against them.
 */
export const LATENCY_BUCKETS_US = [
  500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000, 2_000_000,
  5_000_000, 10_000_000,
] as const

const MICROSECONDS_PER_SECOND = 1_000_000

/** HistogramSample is one line of the exposition, as prom-client's registry renders it. */
export interface HistogramSample {
  metricName: string
  labels: Record<string, string>
  value: number
}

/** histogramSamples reads one histogram as `_bucket` lines, `_sum` and `_count` (seconds). */
export function histogramSamples(name: string, histogram: LatencyHistogram): HistogramSample[] {
  const count = histogram.count
  const buckets = LATENCY_BUCKETS_US.map((boundUs) => ({
    metricName: `${name}_bucket`,
    labels: { le: String(boundUs / MICROSECONDS_PER_SECOND) },
    value: histogram.countAtOrBelow(boundUs),
  }))
  return [
    ...buckets,
    { metricName: `${name}_bucket`, labels: { le: '+Inf' }, value: count },
    // The histogram keeps an exact mean, so mean x count is its sum (up to float rounding).
    {
      metricName: `${name}_sum`,
      labels: {},
      value: (histogram.mean * count) / MICROSECONDS_PER_SECOND,
    },
    { metricName: `${name}_count`, labels: {}, value: count },
  ]
}

export class LatencyHistogramMetric {
  readonly type = 'histogram'
  /** Workers' histograms add up, should the registry ever be merged across a cluster. */
  readonly aggregator = 'sum'

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly read: () => LatencyHistogram,
  ) {}

  /** register adds the metric to `registry`, which reads it at every scrape. */
  register(registry: Registry): void {
    // Metric is a union of prom-client's classes; the registry itself needs only this shape.
    registry.registerMetric(this as unknown as Metric)
  }

  /** get is what the registry calls at scrape time. */
  get(): Promise<{
    name: string
    help: string
    type: string
    aggregator: string
    values: HistogramSample[]
  }> {
    const { name, help, type, aggregator } = this
    return Promise.resolve({
      name,
      help,
      type,
      aggregator,
      values: histogramSamples(name, this.read()),
    })
  }

  /** reset is required by Registry.resetMetrics; the counts belong to the source, not to us. */
  reset(): void {}
}
