import { OutcomeCounter, type OutcomeCounts } from './outcomeCounter'

/**
 * RecentOutcomes turns counts since the store opened (StoreMetrics.appends, .queries) into
 * counts of the last minute, without adding anything to the append path: each read adds
 * what changed since the previous read to the OutcomeCounter's current slot. The store's
 * evaluation timer reads every SLA_EVALUATE_INTERVAL_MS, so an outcome is placed at most
 * one evaluation late, and leaves the minute at most that much late.
 */
export class RecentOutcomes {
  private readonly counter: OutcomeCounter
  private seen: OutcomeCounts = { ok: 0, failed: 0 }

  constructor(
    /** Counts since the store opened; they only grow. */
    private readonly total: () => OutcomeCounts,
    nowMs: () => number,
  ) {
    this.counter = new OutcomeCounter(nowMs)
  }

  /** counts is the outcomes of the last minute, including those since the previous read. */
  counts(): OutcomeCounts {
    const { ok, failed } = this.total()
    if (ok > this.seen.ok) this.counter.recordOk(ok - this.seen.ok)
    if (failed > this.seen.failed) this.counter.recordFailed(failed - this.seen.failed)
    this.seen = { ok, failed }
    return this.counter.counts()
  }
}
