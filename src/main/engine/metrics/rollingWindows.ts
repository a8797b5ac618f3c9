import { assert } from '../errors'
import { LATENCY_COARSE_SLOT_MS, LATENCY_FINE_SLOT_MS } from '../limits'
import type { LatencySummary, LatencyWindow } from '../../../shared/sla'
import { LatencyHistogram } from './latencyHistogram'

/**
 * Rolling latency windows of 10 s, 1 min and 5 min, built from rings of per-slot histograms
 * so memory is fixed (41 histograms, ~1.1 MB) however many values are recorded.
 *
 * Guarantee: a window of W ms covers the current slot and the W/slot - 1 slots before it,
 * so it holds every value recorded in the last W - slot ms and none older than W ms. The
 * 10 s window uses 1 s slots; 1 min and 5 min use 10 s slots. Time comes only from the
 * injected clock; a clock that steps back is treated as standing still.
 */

/** LatencyWindow names a rolling window (the shared LATENCY_WINDOWS). */
export type { LatencyWindow }

/** LATENCY_WINDOW_MS is each window's length. */
export const LATENCY_WINDOW_MS: Readonly<Record<LatencyWindow, number>> = {
  '10s': 10_000,
  '1m': 60_000,
  '5m': 300_000,
}

/** HistogramRing holds one histogram per time slot for the last `slotCount` slots. */
class HistogramRing {
  private readonly slots: LatencyHistogram[]
  /** The slot number (time / slotMs) each histogram holds, or -1 when unused. */
  private readonly slotNumbers: Float64Array
  private current: LatencyHistogram
  private currentNumber = -1

  constructor(
    private readonly slotMs: number,
    private readonly slotCount: number,
  ) {
    this.slots = Array.from({ length: slotCount }, () => new LatencyHistogram())
    this.slotNumbers = new Float64Array(slotCount).fill(-1)
    this.current = this.slots[0]!
  }

  /** slotAt is the histogram for the slot holding nowMs, emptied if it held an older slot. */
  slotAt(nowMs: number): LatencyHistogram {
    const slotNumber = Math.floor(nowMs / this.slotMs)
    if (slotNumber === this.currentNumber) return this.current
    const position = ((slotNumber % this.slotCount) + this.slotCount) % this.slotCount
    const slot = this.slots[position]!
    if (this.slotNumbers[position] !== slotNumber) {
      slot.reset()
      this.slotNumbers[position] = slotNumber
    }
    this.current = slot
    this.currentNumber = slotNumber
    return slot
  }

  /** mergeRecent adds the slot holding nowMs and the `slotsBack - 1` before it to target. */
  mergeRecent(target: LatencyHistogram, nowMs: number, slotsBack: number): void {
    assert(
      slotsBack <= this.slotCount,
      `window needs ${slotsBack} slots, ring has ${this.slotCount}`,
    )
    const newest = Math.floor(nowMs / this.slotMs)
    for (let position = 0; position < this.slotCount; position++) {
      const slotNumber = this.slotNumbers[position]!
      if (slotNumber > newest - slotsBack && slotNumber <= newest) {
        target.merge(this.slots[position]!)
      }
    }
  }
}

/** RollingWindows records latencies and summarizes the last 10 s, 1 min or 5 min. */
export class RollingWindows {
  private readonly fine = new HistogramRing(
    LATENCY_FINE_SLOT_MS,
    LATENCY_WINDOW_MS['10s'] / LATENCY_FINE_SLOT_MS,
  )
  private readonly coarse = new HistogramRing(
    LATENCY_COARSE_SLOT_MS,
    LATENCY_WINDOW_MS['5m'] / LATENCY_COARSE_SLOT_MS,
  )
  private readonly scratch = new LatencyHistogram()
  private latestMs = -Infinity

  constructor(private readonly nowMs: () => number) {}

  /** record counts one latency, in microseconds, at the clock's current time. */
  record(valueUs: number): void {
    const now = this.now()
    this.fine.slotAt(now).record(valueUs)
    this.coarse.slotAt(now).record(valueUs)
  }

  /**
   * merge counts every value of `values` as recorded at `atMs` (a time of the same clock):
   * a caller that gathers a second's values in one histogram folds them in at once.
   */
  merge(values: LatencyHistogram, atMs: number): void {
    const at = this.now(atMs)
    this.fine.slotAt(at).merge(values)
    this.coarse.slotAt(at).merge(values)
  }

  /** histogram merges the window's slots into a histogram the caller may keep. */
  histogram(window: LatencyWindow): LatencyHistogram {
    const merged = new LatencyHistogram()
    this.mergeWindow(merged, window)
    return merged
  }

  /** snapshot summarizes the window: count, min, max and p50/p95/p99/p99.9 in microseconds. */
  snapshot(window: LatencyWindow): LatencySummary {
    this.scratch.reset()
    this.mergeWindow(this.scratch, window)
    return this.scratch.summary()
  }

  private mergeWindow(target: LatencyHistogram, window: LatencyWindow): void {
    const windowMs = LATENCY_WINDOW_MS[window]
    const now = this.now()
    if (windowMs <= LATENCY_WINDOW_MS['10s']) {
      this.fine.mergeRecent(target, now, windowMs / LATENCY_FINE_SLOT_MS)
    } else {
      this.coarse.mergeRecent(target, now, windowMs / LATENCY_COARSE_SLOT_MS)
    }
  }

  private now(atMs = this.nowMs()): number {
    const now = atMs
    if (now > this.latestMs) this.latestMs = now
    return this.latestMs
  }
}
