import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createStore } from 'zustand/vanilla'
import { subscribeThrottled } from '../../../src/renderer/src/state/subscribeThrottled'

const INTERVAL_MS = 250

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

function throttled() {
  const store = createStore(() => ({ value: 0 }))
  const seen: number[] = []
  const stop = subscribeThrottled(store, () => seen.push(store.getState().value), INTERVAL_MS)
  const set = (value: number) => store.setState({ value })
  return { set, seen, stop }
}

describe('subscribeThrottled', () => {
  it('calls at once for a change after a quiet interval', () => {
    const { set, seen } = throttled()
    set(1)
    expect(seen).toEqual([1])
    vi.advanceTimersByTime(INTERVAL_MS)
    set(2)
    expect(seen).toEqual([1, 2])
  })

  it('calls once for a burst, when the interval is over, with the newest value', () => {
    const { set, seen } = throttled()
    set(1)
    set(2)
    set(3)
    expect(seen).toEqual([1])
    vi.advanceTimersByTime(INTERVAL_MS - 1)
    expect(seen).toEqual([1])
    vi.advanceTimersByTime(1)
    expect(seen).toEqual([1, 3])
    vi.advanceTimersByTime(10 * INTERVAL_MS)
    expect(seen).toEqual([1, 3])
  })

  it('calls at most once per interval however long changes keep coming', () => {
    const { set, seen } = throttled()
    for (let ms = 0; ms < 10 * INTERVAL_MS; ms += 10) {
      set(ms)
      vi.advanceTimersByTime(10)
    }
    // One call at 0 ms, 250 ms, … 2500 ms: the last one delivers the final change.
    expect(seen).toHaveLength(11)
    expect(seen.at(-1)).toBe(10 * INTERVAL_MS - 10)
  })

  it('calls at once when a change finds the interval over though the timer is late', () => {
    const { set, seen } = throttled()
    set(1)
    set(2)
    // The clock moves but the timer has not run, as in a background tab.
    vi.setSystemTime(Date.now() + INTERVAL_MS)
    set(3)
    expect(seen).toEqual([1, 3])
    vi.advanceTimersByTime(INTERVAL_MS)
    expect(seen).toEqual([1, 3])
  })

  it('calls nothing after it stopped, not even a pending call', () => {
    const { set, seen, stop } = throttled()
    set(1)
    set(2)
    stop()
    vi.advanceTimersByTime(INTERVAL_MS)
    set(3)
    expect(seen).toEqual([1])
  })
})
