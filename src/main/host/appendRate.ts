import { APPEND_RATE_BUCKET_MS, APPEND_RATE_WINDOW_MS } from './hostLimits'

const BUCKETS = APPEND_RATE_WINDOW_MS / APPEND_RATE_BUCKET_MS

/**
 * AppendRate counts appended events in one-second buckets, so the rate over the last
 * APPEND_RATE_WINDOW_MS costs a fixed ring of counters however fast the store appends.
 * The rate is the events of the window over the window's length: a store opened 2 s ago
 * that appended 100 events reports 10/s, not 50/s, which errs low rather than jumpy.
 */
export class AppendRate {
  private readonly counts = new Array<number>(BUCKETS).fill(0)
  /** The bucket number (time / bucket length) each slot of `counts` holds. */
  private readonly slots = new Array<number>(BUCKETS).fill(-1)

  constructor(private readonly nowMs: () => number = Date.now) {}

  add(events: number): void {
    const bucket = Math.floor(this.nowMs() / APPEND_RATE_BUCKET_MS)
    const slot = bucket % BUCKETS
    if (this.slots[slot] !== bucket) {
      this.slots[slot] = bucket
      this.counts[slot] = 0
    }
    this.counts[slot]! += events
  }

  /** perSecond is the events per second over the last APPEND_RATE_WINDOW_MS. */
  perSecond(): number {
    const newest = Math.floor(this.nowMs() / APPEND_RATE_BUCKET_MS)
    let events = 0
    for (let slot = 0; slot < BUCKETS; slot++) {
      if (this.slots[slot]! > newest - BUCKETS) events += this.counts[slot]!
    }
    return events / (APPEND_RATE_WINDOW_MS / 1000)
  }
}
