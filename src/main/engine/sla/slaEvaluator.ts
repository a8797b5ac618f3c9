import {
  SLA_TARGET_IDS,
  type LatencySeries,
  type LatencySummary,
  type LatencyWindow,
  type SlaCompliance,
  type SlaTargetId,
} from '../../../shared/sla'
import type { ViolationLog } from './violationLog'

/**
 * The SLA rows of ADR-004 and their check. Each row compares one percentile of one latency
 * series over the 1-minute window with its target; a row is over while its observed value
 * is above the target, and each such stretch is recorded in the violation log.
 */

/** LatencySource reads one latency summary (microseconds) for a series and a window. */
export type LatencySource = (series: LatencySeries, window: LatencyWindow) => LatencySummary

type Percentile = SlaCompliance['percentile']

/** SLA_ROWS says which series and percentile each SLA target reads. */
export const SLA_ROWS: Readonly<
  Record<SlaTargetId, { series: LatencySeries; percentile: Percentile }>
> = {
  append_p50: { series: 'append', percentile: 'p50' },
  append_p95: { series: 'append', percentile: 'p95' },
  append_p99: { series: 'append', percentile: 'p99' },
  append_p999: { series: 'append', percentile: 'p999' },
  batch_append_p99: { series: 'batch_append', percentile: 'p99' },
  query_by_id_p99: { series: 'query_by_id', percentile: 'p99' },
  range_query_p99: { series: 'range_query', percentile: 'p99' },
  delivery_p99: { series: 'delivery', percentile: 'p99' },
}

/** SLA_WINDOW is the window every SLA row is checked over. */
export const SLA_WINDOW: LatencyWindow = '1m'

/**
 * SlaEvaluator computes every row's compliance and records violation stretches: a row over
 * its target opens (or extends) one; a row back within it, or without values, ends it.
 */
export class SlaEvaluator {
  constructor(
    private readonly latency: LatencySource,
    private readonly violations: ViolationLog,
  ) {}

  /** evaluate checks every row against `targets` (milliseconds) at `nowMs`. */
  evaluate(targets: Readonly<Record<SlaTargetId, number>>, nowMs: number): SlaCompliance[] {
    return SLA_TARGET_IDS.map((id) => {
      const { series, percentile } = SLA_ROWS[id]
      const summary = this.latency(series, SLA_WINDOW)
      const threshold = targets[id]
      const observed = summary.count === 0 ? null : summary[percentile] / 1000
      const ok = observed === null ? null : observed <= threshold
      if (observed !== null && !ok) {
        this.violations.over(id, SLA_WINDOW, observed, threshold, nowMs)
      } else {
        this.violations.under(id, nowMs)
      }
      return {
        id,
        series,
        percentile,
        window: SLA_WINDOW,
        threshold_ms: threshold,
        observed_ms: observed,
        ok,
      }
    })
  }
}
