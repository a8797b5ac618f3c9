import { SLA_ERROR_SLOT_MS, SLA_ERROR_WINDOW_MS } from '../limits'

/**
 * OutcomeCounter counts operations that succeeded and failed over the last minute, for the
 * append and query error rates. Memory is fixed: one ring of per-second slots, however
 * many operations are counted.
 *
 * Guarantee: `counts()` covers the current slot and the slots before it within
 * SLA_ERROR_WINDOW_MS, so it holds every outcome of the last 59 s and none older than
 * 60 s. Time comes only from the injected clock; a clock that steps back is treated as
 * standing still, so a count is never lost to a clock adjustment.
 */
export interface OutcomeCounts {
  ok: number
  failed: number
}

const SLOT_COUNT = SLA_ERROR_WINDOW_MS / SLA_ERROR_SLOT_MS

export class OutcomeCounter {
  private readonly ok = new Float64Array(SLOT_COUNT)
  private readonly failed = new Float64Array(SLOT_COUNT)
  /** The slot number (time / slot length) each position holds, or -1 when unused. */
  private readonly slotNumbers = new Float64Array(SLOT_COUNT).fill(-1)
  private latestMs = -Infinity

  constructor(private readonly nowMs: () => number) {}

  /** recordOk counts `count` operations that succeeded now. */
  recordOk(count = 1): void {
    this.ok[this.slotNow()]! += count
  }

  /** recordFailed counts `count` operations that failed now inside the store. */
  recordFailed(count = 1): void {
    this.failed[this.slotNow()]! += count
  }

  /** counts sums the outcomes of the last minute. */
  counts(): OutcomeCounts {
    const newest = Math.floor(this.now() / SLA_ERROR_SLOT_MS)
    const totals: OutcomeCounts = { ok: 0, failed: 0 }
    for (let position = 0; position < SLOT_COUNT; position++) {
      const slotNumber = this.slotNumbers[position]!
      if (slotNumber > newest - SLOT_COUNT && slotNumber <= newest) {
        totals.ok += this.ok[position]!
        totals.failed += this.failed[position]!
      }
    }
    return totals
  }

  /** errorRate is failed / all over the last minute, or null when nothing was counted. */
  errorRate(): number | null {
    return errorRate(this.counts())
  }

  /** slotNow is the position for the current slot, emptied if it still held an older one. */
  private slotNow(): number {
    const slotNumber = Math.floor(this.now() / SLA_ERROR_SLOT_MS)
    const position = ((slotNumber % SLOT_COUNT) + SLOT_COUNT) % SLOT_COUNT
    if (this.slotNumbers[position] !== slotNumber) {
      this.slotNumbers[position] = slotNumber
      this.ok[position] = 0
      this.failed[position] = 0
    }
    return position
  }

  private now(): number {
    const now = this.nowMs()
    if (now > this.latestMs) this.latestMs = now
    return this.latestMs
  }
}

/** errorRate is failed / (ok + failed), or null when both are zero. */
export function errorRate(counts: OutcomeCounts): number | null {
  const total = counts.ok + counts.failed
  return total === 0 ? null : counts.failed / total
}
