import { Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { LatencyHistogram } from '../../../../src/main/engine/metrics/latencyHistogram'
import {
  LATENCY_BUCKETS_US,
  LatencyHistogramMetric,
  histogramSamples,
} from '../../../../src/main/engine/telemetry/latencyHistogramMetric'
import { mulberry32 } from '../../../support/random'
import { sampleValue } from './exposition'

const SEED = Number(process.env.SEED ?? Date.now() % 2 ** 31)
console.log(
  `latency histogram metric: SEED=${SEED} (replay: SEED=${SEED} npx vitest run test/unit/engine/telemetry)`,
)

const NAME = 'test_duration_seconds'

function histogramOf(valuesUs: number[]): LatencyHistogram {
  const histogram = new LatencyHistogram()
  for (const value of valuesUs) histogram.record(value)
  return histogram
}

/** bucketCounts reads the `le` buckets of NAME from an exposition, in printed order. */
function bucketCounts(exposition: string): [le: string, count: number][] {
  return [
    ...exposition.matchAll(new RegExp(`^${NAME}_bucket\\{le="([^"]+)"\\} (\\S+)$`, 'gm')),
  ].map((m) => [m[1]!, Number(m[2])])
}

async function exposition(histogram: LatencyHistogram): Promise<string> {
  const registry = new Registry()
  new LatencyHistogramMetric(NAME, 'Test latencies.', () => histogram).register(registry)
  return registry.metrics()
}

describe('LatencyHistogramMetric', () => {
  it('renders a histogram in seconds with le buckets from 0.5 ms to 10 s, +Inf, _sum and _count', async () => {
    const values = [100, 100, 100, 1500, 1500, 30_000, 3_000_000, 20_000_000]
    const text = await exposition(histogramOf(values))
    expect(text).toContain(`# TYPE ${NAME} histogram\n`)
    expect(bucketCounts(text)).toEqual([
      ['0.0005', 3],
      ['0.001', 3],
      ['0.002', 5],
      ['0.005', 5],
      ['0.01', 5],
      ['0.02', 5],
      ['0.05', 6],
      ['0.1', 6],
      ['0.2', 6],
      ['0.5', 6],
      ['1', 6],
      ['2', 6],
      ['5', 7],
      ['10', 7],
      ['+Inf', 8],
    ])
    expect(sampleValue(text, `${NAME}_count`)).toBe(8)
    const sumSeconds = values.reduce((a, b) => a + b) / 1e6
    expect(sampleValue(text, `${NAME}_sum`)).toBeCloseTo(sumSeconds, 9)
  })

  it('an empty histogram has every bucket at 0', async () => {
    const text = await exposition(new LatencyHistogram())
    expect(bucketCounts(text).every(([, count]) => count === 0)).toBe(true)
    expect(sampleValue(text, `${NAME}_sum`)).toBe(0)
  })

  it('buckets are cumulative and match the exact counts within the histogram resolution', () => {
    const random = mulberry32(SEED)
    // Log-uniform from 10 µs to 30 s, so every bucket boundary has values near it.
    const values = Array.from({ length: 20_000 }, () => 10 * 3e6 ** random())
    const samples = histogramSamples(NAME, histogramOf(values))
    const buckets = samples.filter((s) => s.metricName === `${NAME}_bucket`)
    for (let i = 1; i < buckets.length; i++) {
      expect(buckets[i]!.value).toBeGreaterThanOrEqual(buckets[i - 1]!.value)
    }
    expect(buckets.at(-1)).toMatchObject({ labels: { le: '+Inf' }, value: values.length })
    LATENCY_BUCKETS_US.forEach((boundUs, i) => {
      // Values are rounded to the microsecond, and a bucket spans at most 1/128 of its bound.
      const atLeast = values.filter((v) => v <= boundUs).length
      const atMost = values.filter((v) => v < boundUs * (1 + 1 / 128) + 0.5).length
      expect(buckets[i]!.value, `le=${boundUs} µs`).toBeGreaterThanOrEqual(atLeast)
      expect(buckets[i]!.value, `le=${boundUs} µs`).toBeLessThanOrEqual(atMost)
    })
  })

  it('countAtOrBelow is exact below the smallest and from the largest value on', () => {
    const histogram = histogramOf([300, 5000, 70_000])
    expect(histogram.countAtOrBelow(0)).toBe(0)
    expect(histogram.countAtOrBelow(299)).toBe(0)
    expect(histogram.countAtOrBelow(300)).toBe(1)
    expect(histogram.countAtOrBelow(69_000)).toBe(2)
    expect(histogram.countAtOrBelow(70_000)).toBe(3)
    expect(new LatencyHistogram().countAtOrBelow(1000)).toBe(0)
  })
})
