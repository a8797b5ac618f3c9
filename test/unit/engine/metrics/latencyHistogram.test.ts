import { describe, expect, it } from 'vitest'
import { mulberry32 } from '../../../support/random'
import { LatencyHistogram } from '../../../../src/main/engine/metrics/latencyHistogram'
import { LATENCY_VALUE_US_MAX } from '../../../../src/main/engine/limits'

const SEED = Number(process.env.SEED ?? Date.now() % 2 ** 31)
console.log(
  `latency histogram: SEED=${SEED} (replay: SEED=${SEED} npx vitest run test/unit/engine/metrics)`,
)

/** The nearest-rank percentile of sorted values: the definition the histogram approximates. */
function exactPercentile(sorted: number[], p: number): number {
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1]!
}

/** The documented bound: relative error 1/256 of the exact value plus half a microsecond. */
function errorBound(exact: number): number {
  return exact / 256 + 0.5
}

const DISTRIBUTIONS: [string, (random: () => number) => number][] = [
  ['uniform 0..2 ms', (random) => random() * 2000],
  ['log-normal around 50 µs', (random) => Math.exp(Math.log(50) + 0.8 * gaussian(random))],
  // Pareto with alpha 1.1: a heavy tail reaching seconds and, rarely, beyond the 1 h clamp.
  ['pareto heavy tail from 10 µs', (random) => Math.min(10 / (1 - random()) ** (1 / 1.1), 3e9)],
  [
    'bimodal: 95% fast, 5% stalled fsync',
    (random) => (random() < 0.95 ? 20 + random() * 30 : 5e4 + random() * 2e5),
  ],
  ['integers below 256 µs (exact range)', (random) => Math.floor(random() * 256)],
]

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())
}

describe('LatencyHistogram', () => {
  it.each(DISTRIBUTIONS)(
    'percentiles stay within x/256 + 0.5 µs of the exact ones: %s',
    (name, draw) => {
      const random = mulberry32(SEED ^ name.length)
      const histogram = new LatencyHistogram()
      const values: number[] = []
      for (let i = 0; i < 50_000; i++) {
        const value = draw(random)
        values.push(value)
        histogram.record(value)
      }
      const sorted = values.map((value) => Math.round(value)).sort((a, b) => a - b)
      for (const p of [1, 50, 90, 95, 99, 99.9, 99.99, 100]) {
        const exact = exactPercentile(sorted, p)
        expect(
          Math.abs(histogram.percentile(p) - exact),
          `p${p} exact ${exact}`,
        ).toBeLessThanOrEqual(errorBound(exact))
      }
      expect(histogram.count).toBe(values.length)
      expect(histogram.min).toBe(Math.min(...values))
      expect(histogram.max).toBe(Math.max(...values))
      expect(histogram.mean).toBeCloseTo(
        values.reduce((sum, value) => sum + value, 0) / values.length,
        6,
      )
    },
  )

  it('a bucket boundary sweep keeps every single value within the bound', () => {
    for (let value = 0; value < 2 ** 32; value = Math.floor(value * 1.003) + 1) {
      if (value > LATENCY_VALUE_US_MAX) break
      const histogram = new LatencyHistogram()
      histogram.record(value)
      histogram.record(value + 1e9 > LATENCY_VALUE_US_MAX ? value : value + 1e9)
      // p1 of two values is the lower one; min/max clamping must not hide the bucket error.
      const reported = histogram.percentile(1)
      expect(Math.abs(reported - value), `value ${value}`).toBeLessThanOrEqual(errorBound(value))
    }
  })

  it('values above one hour are counted in the top bucket and as overflow', () => {
    const histogram = new LatencyHistogram()
    histogram.record(10)
    histogram.record(5 * LATENCY_VALUE_US_MAX)
    histogram.record(LATENCY_VALUE_US_MAX)
    expect(histogram.count).toBe(3)
    expect(histogram.overflowCount).toBe(1)
    expect(histogram.max).toBe(5 * LATENCY_VALUE_US_MAX)
    expect(Math.abs(histogram.percentile(100) - LATENCY_VALUE_US_MAX)).toBeLessThanOrEqual(
      errorBound(LATENCY_VALUE_US_MAX),
    )
  })

  it('merging two histograms equals recording every value in one', () => {
    const random = mulberry32(SEED)
    const left = new LatencyHistogram()
    const right = new LatencyHistogram()
    const both = new LatencyHistogram()
    for (let i = 0; i < 10_000; i++) {
      const value = 10 / (1 - random()) ** (1 / 1.5)
      ;(i % 3 === 0 ? left : right).record(value)
      both.record(value)
    }
    left.merge(right)
    expect(left.summary()).toEqual(both.summary())
    expect(left.mean).toBeCloseTo(both.mean, 6)
  })

  it('reset empties the histogram so it reads like a new one', () => {
    const histogram = new LatencyHistogram()
    for (const value of [3, 300, 30_000, 3e9]) histogram.record(value)
    histogram.reset()
    expect(histogram.summary()).toEqual(new LatencyHistogram().summary())
    histogram.record(7)
    expect(histogram.summary()).toEqual({
      count: 1,
      min: 7,
      max: 7,
      p50: 7,
      p95: 7,
      p99: 7,
      p999: 7,
    })
  })

  it('a negative or NaN latency is refused as a bug', () => {
    const histogram = new LatencyHistogram()
    expect(() => histogram.record(-1)).toThrow(/non-negative/)
    expect(() => histogram.record(Number.NaN)).toThrow(/non-negative/)
    expect(histogram.count).toBe(0)
  })
})
