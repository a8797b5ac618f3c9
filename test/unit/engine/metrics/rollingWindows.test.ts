import { describe, expect, it } from 'vitest'
import { RollingWindows } from '../../../../src/main/engine/metrics/rollingWindows'

/** A clock the test moves by hand. */
function manualClock(startMs: number): { nowMs: () => number; advance: (ms: number) => void } {
  let now = startMs
  return { nowMs: () => now, advance: (ms) => (now += ms) }
}

describe('RollingWindows', () => {
  it('a value stays in the 10 s window for 9 to 10 s and then expires', () => {
    const clock = manualClock(1_000_000)
    const windows = new RollingWindows(clock.nowMs)
    windows.record(500)
    clock.advance(9_999)
    expect(windows.snapshot('10s').count).toBe(1)
    clock.advance(1)
    expect(windows.snapshot('10s').count).toBe(0)
    expect(windows.snapshot('1m').count).toBe(1)
  })

  it('1 min and 5 min windows expire on 10 s slot boundaries', () => {
    const clock = manualClock(2_000_000)
    const windows = new RollingWindows(clock.nowMs)
    windows.record(100)
    clock.advance(59_999)
    expect(windows.snapshot('1m').count).toBe(1)
    clock.advance(1)
    expect(windows.snapshot('1m').count).toBe(0)
    expect(windows.snapshot('5m').count).toBe(1)
    clock.advance(240_000 - 1)
    expect(windows.snapshot('5m').count).toBe(1)
    clock.advance(1)
    expect(windows.snapshot('5m')).toEqual({
      count: 0,
      min: 0,
      max: 0,
      p50: 0,
      p95: 0,
      p99: 0,
      p999: 0,
    })
  })

  it('each window summarizes exactly the values still inside it', () => {
    const clock = manualClock(0)
    const windows = new RollingWindows(clock.nowMs)
    // One value per second for 6 minutes: value = second number + 1, in microseconds.
    for (let second = 0; second < 360; second++) {
      windows.record(second + 1)
      clock.advance(1000)
    }
    // Now is 360 s: the current second holds no value yet.
    const tenSeconds = windows.snapshot('10s')
    expect(tenSeconds).toMatchObject({ count: 9, min: 352, max: 360 })
    expect(windows.snapshot('1m')).toMatchObject({ count: 50, min: 311, max: 360 })
    expect(windows.snapshot('5m')).toMatchObject({ count: 290, min: 71, max: 360 })
  })

  it('a clock that steps back is treated as standing still', () => {
    const clock = manualClock(100_000)
    const windows = new RollingWindows(clock.nowMs)
    windows.record(1)
    clock.advance(15_000)
    windows.record(2)
    clock.advance(-15_000) // back into the second of the first value, now expired
    windows.record(3)
    expect(windows.snapshot('10s')).toMatchObject({ count: 2, min: 2, max: 3 })
    expect(windows.snapshot('1m')).toMatchObject({ count: 3, min: 1, max: 3 })
  })

  it('a ring slot reused after a long idle gap holds only new values', () => {
    const clock = manualClock(0)
    const windows = new RollingWindows(clock.nowMs)
    for (let i = 0; i < 100; i++) windows.record(1_000_000)
    clock.advance(3_600_000) // an hour later: same ring positions, long expired
    windows.record(10)
    for (const window of ['10s', '1m', '5m'] as const) {
      expect(windows.snapshot(window)).toMatchObject({ count: 1, max: 10, p99: 10 })
    }
  })

  it('a snapshot leaves the recorded data unchanged', () => {
    const clock = manualClock(0)
    const windows = new RollingWindows(clock.nowMs)
    for (let i = 1; i <= 1000; i++) windows.record(i)
    const first = windows.snapshot('1m')
    expect(windows.snapshot('1m')).toEqual(first)
    expect(windows.histogram('10s').count).toBe(1000)
  })
})
