import { describe, expect, it } from 'vitest'
import { mulberry32 } from '../../../support/random'
import { LatencyHistory } from '../../../../src/main/engine/metrics/latencyHistory'
import { LatencyHistogram } from '../../../../src/main/engine/metrics/latencyHistogram'

const SEED = Number(process.env.SEED ?? Date.now() % 2 ** 31)
console.log(
  `latency history: SEED=${SEED} (replay: SEED=${SEED} npx vitest run test/unit/engine/metrics)`,
)

const HOUR_MS = 60 * 60 * 1000

function manualClock(startMs: number): { nowMs: () => number; advance: (ms: number) => void } {
  let now = startMs
  return { nowMs: () => now, advance: (ms) => (now += ms) }
}

function exactPercentile(sorted: number[], p: number): number {
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1]!
}

describe('LatencyHistory', () => {
  it('24 h of data at one value per second is downsampled to at most 300 points of 288 s', () => {
    const clock = manualClock(1_700_000_000_000)
    const history = new LatencyHistory(clock.nowMs)
    expect(history.pointMs).toBe(288_000)
    let most = 0
    for (let second = 0; second < 30 * 3600; second++) {
      history.record(100 + (second % 50))
      clock.advance(1000)
      if (second % 600 === 0) most = Math.max(most, history.points().length)
    }
    const points = history.points()
    most = Math.max(most, points.length)
    expect(most).toBeLessThanOrEqual(300)
    expect(points.length).toBeGreaterThanOrEqual(299)
    expect(points[0]!.start_ms).toBeGreaterThan(clock.nowMs() - 24 * HOUR_MS - 288_000)
    const starts = points.map((point) => point.start_ms)
    expect(starts).toEqual([...starts].sort((a, b) => a - b))
  })

  it('points older than 24 h are dropped even when no new values arrive', () => {
    const clock = manualClock(0)
    const history = new LatencyHistory(clock.nowMs)
    history.record(5)
    clock.advance(12 * HOUR_MS)
    history.record(6)
    expect(history.points().map((point) => point.max)).toEqual([5, 6])
    clock.advance(13 * HOUR_MS)
    expect(history.points().map((point) => point.max)).toEqual([6])
    clock.advance(12 * HOUR_MS)
    expect(history.points()).toEqual([])
  })

  it("a point's p99 is the p99 of its merged raw values, not the average of per-second p99s", () => {
    const clock = manualClock(0)
    const history = new LatencyHistory(clock.nowMs)
    // One 288 s point of 100 values a second: 282 quiet seconds at ~1 ms and 6 seconds of
    // ~100 ms stalls. Stalls are 2.1% of the values, so the merged p99 is a stall, while
    // only 6 of 288 per-second p99s are.
    const random = mulberry32(SEED)
    const raw: number[] = []
    const perSecondP99: number[] = []
    for (let second = 0; second < 288; second++) {
      const stalled = second % 50 === 0
      const perSecond = new LatencyHistogram()
      for (let i = 0; i < 100; i++) {
        const value = stalled ? 100_000 + random() * 10_000 : 1000 + random() * 100
        raw.push(value)
        perSecond.record(value)
        history.record(value)
      }
      perSecondP99.push(perSecond.percentile(99))
      clock.advance(1000)
    }
    const [point] = history.points()
    const sorted = raw.map((value) => Math.round(value)).sort((a, b) => a - b)
    const exactP99 = exactPercentile(sorted, 99)
    const averageOfP99s = perSecondP99.reduce((sum, p99) => sum + p99, 0) / perSecondP99.length
    expect(point).toBeDefined()
    expect(point!.count).toBe(raw.length)
    expect(Math.abs(point!.p99 - exactP99)).toBeLessThanOrEqual(exactP99 / 256 + 0.5)
    expect(point!.min).toBe(Math.min(...raw))
    expect(point!.max).toBe(Math.max(...raw))
    // The constructed case: the merged p99 is a stall (>= 100 ms) while the average of the
    // per-second p99s is about 3 ms, far outside the error bound of either.
    expect(exactP99).toBeGreaterThanOrEqual(100_000)
    expect(averageOfP99s).toBeLessThan(5000)
    expect(Math.abs(point!.p99 - averageOfP99s)).toBeGreaterThan(exactP99 / 256 + 0.5)
  })

  it('p99 of every point matches its raw values within the error bound on random data', () => {
    const clock = manualClock(0)
    const history = new LatencyHistory(clock.nowMs, { spanMs: 3_000_000, pointsMax: 300 })
    const random = mulberry32(SEED ^ 0x5bd1e995)
    const raw = new Map<number, number[]>()
    for (let step = 0; step < 40_000; step++) {
      const value = 20 / (1 - random()) ** (1 / 1.2)
      const startMs = Math.floor(clock.nowMs() / history.pointMs) * history.pointMs
      const values = raw.get(startMs) ?? []
      values.push(value)
      raw.set(startMs, values)
      history.record(value)
      clock.advance(Math.floor(random() * 100))
    }
    const points = history.points()
    expect(points.length).toBeLessThanOrEqual(300)
    for (const point of points) {
      const sorted = raw
        .get(point.start_ms)!
        .map((value) => Math.round(value))
        .sort((a, b) => a - b)
      const exact = exactPercentile(sorted, 99)
      expect(point.count).toBe(sorted.length)
      expect(Math.abs(point.p99 - exact), `point at ${point.start_ms}`).toBeLessThanOrEqual(
        exact / 256 + 0.5,
      )
    }
  })
})
