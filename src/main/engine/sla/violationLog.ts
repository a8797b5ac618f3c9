import { SLA_TARGET_IDS, TRIGGER_NAMES, type SlaViolation } from '../../../shared/sla'
import { assert } from '../errors'
import { SLA_VIOLATIONS_MAX } from '../limits'

/** FAULT_KINDS are the faults the store reports: an I/O error, or damage found. */
export const FAULT_KINDS = ['store_failed', 'damage'] as const
export type FaultKind = (typeof FAULT_KINDS)[number]

type Metric = SlaViolation['metric']

interface Stretch {
  /** Every metric is worse when larger (latency, rate, usage), so `observed` keeps the largest. */
  violation: SlaViolation
  open: boolean
}

/** OPEN_STRETCHES_MAX: one per SLA row, one per trigger, one per fault kind. */
const OPEN_STRETCHES_MAX = SLA_TARGET_IDS.length + TRIGGER_NAMES.length + FAULT_KINDS.length

/**
 * ViolationLog keeps the most recent stretches of time an SLA row or a trigger was over its
 * threshold, at most SLA_VIOLATIONS_MAX of them. A stretch is opened when its metric goes
 * over, keeps the worst value seen, and is ended when the metric is back under.
 *
 * Guarantee: an open stretch is never dropped to make room (the oldest ended one is), so
 * a metric never has two open stretches; open stretches are bounded by the number of
 * metrics (OPEN_STRETCHES_MAX), which the constructor checks against the bound.
 */
export class ViolationLog {
  /** Oldest first. */
  private readonly stretches: Stretch[] = []
  private readonly openByMetric = new Map<Metric, Stretch>()
  /** Stretches started per metric since the log was made, dropped ones included. */
  private readonly started = new Map<Metric, number>()

  /** `max` is SLA_VIOLATIONS_MAX except in tests of the bound itself. */
  constructor(private readonly max = SLA_VIOLATIONS_MAX) {
    assert(OPEN_STRETCHES_MAX < max, `a log of ${max} cannot keep ${OPEN_STRETCHES_MAX} open`)
  }

  /**
   * over records that `metric` is over `threshold` at `atMs` with value `observed`: it opens
   * a stretch, or raises the open one's observed value when this one is worse.
   */
  over(
    metric: Metric,
    window: SlaViolation['window'],
    observed: number,
    threshold: number,
    atMs: number,
  ): void {
    const open = this.openByMetric.get(metric)
    if (open) {
      open.violation.observed = Math.max(open.violation.observed, observed)
      open.violation.threshold = threshold
      return
    }
    const stretch: Stretch = {
      open: true,
      violation: {
        metric,
        window,
        observed,
        threshold,
        started_at: new Date(atMs).toISOString(),
        ended_at: null,
      },
    }
    this.stretches.push(stretch)
    this.openByMetric.set(metric, stretch)
    this.started.set(metric, (this.started.get(metric) ?? 0) + 1)
    if (this.stretches.length > this.max) this.dropOldestEnded()
  }

  /** under records that `metric` is back under its threshold at `atMs`, ending its stretch. */
  under(metric: Metric, atMs: number): void {
    const open = this.openByMetric.get(metric)
    if (!open) return
    open.open = false
    open.violation.ended_at = new Date(atMs).toISOString()
    this.openByMetric.delete(metric)
  }

  /** instant records a stretch that starts and ends at `atMs`, such as a fault. */
  instant(metric: Metric, observed: number, threshold: number, atMs: number): void {
    this.under(metric, atMs)
    this.over(metric, 'instant', observed, threshold, atMs)
    this.under(metric, atMs)
  }

  /** list returns copies of the stretches, most recent first. */
  list(): SlaViolation[] {
    return this.stretches.map((stretch) => ({ ...stretch.violation })).reverse()
  }

  /**
   * startedCounts counts the stretches each metric started since the log was made; unlike
   * the kept list it never shrinks, so it can be exported as a counter.
   */
  startedCounts(): Partial<Record<Metric, number>> {
    return Object.fromEntries(this.started)
  }

  /** count is how many stretches were kept. */
  get count(): number {
    return this.stretches.length
  }

  private dropOldestEnded(): void {
    const index = this.stretches.findIndex((stretch) => !stretch.open)
    assert(index >= 0, 'every kept violation is open')
    this.stretches.splice(index, 1)
  }
}
