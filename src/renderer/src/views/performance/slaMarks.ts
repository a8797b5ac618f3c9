/**
 * Which SLA thresholds and violations belong on which latency chart. Target ids are
 * `{series}_{percentile}` (sla.ts SLA_TARGET_IDS), so the series is everything before the
 * last underscore.
 */
import {
  SLA_TARGET_IDS,
  type LatencySeries,
  type SlaSnapshot,
  type SlaTargetId,
  type SlaViolation,
} from '../../../../shared/sla'

export type Percentile = 'p50' | 'p95' | 'p99' | 'p999'

export interface ThresholdMark {
  percentile: Percentile
  thresholdMs: number
}

export interface ViolationMark {
  metric: string
  x1: number
  x2: number
}

function splitTarget(id: SlaTargetId): { series: string; percentile: Percentile } {
  const cut = id.lastIndexOf('_')
  return { series: id.slice(0, cut), percentile: id.slice(cut + 1) as Percentile }
}

/** The append p99 trigger is a latency too, so its violations belong on the append chart. */
const TRIGGER_SERIES: Partial<Record<string, LatencySeries>> = { append_p99_ms: 'append' }

function seriesOfMetric(metric: string): string | undefined {
  if ((SLA_TARGET_IDS as readonly string[]).includes(metric)) {
    return splitTarget(metric as SlaTargetId).series
  }
  return TRIGGER_SERIES[metric]
}

/** thresholdMarks lists the SLA targets of one series, in milliseconds. */
export function thresholdMarks(
  targets: SlaSnapshot['thresholds']['targets'],
  series: LatencySeries,
): ThresholdMark[] {
  return SLA_TARGET_IDS.map((id) => ({ ...splitTarget(id), thresholdMs: targets[id] }))
    .filter((target) => target.series === series)
    .map(({ percentile, thresholdMs }) => ({ percentile, thresholdMs }))
}

/** violationMarks clips one series' violations to [startMs, endMs]; ongoing ones run to the end. */
export function violationMarks(
  violations: readonly SlaViolation[],
  series: LatencySeries,
  startMs: number,
  endMs: number,
): ViolationMark[] {
  return violations
    .filter((violation) => seriesOfMetric(violation.metric) === series)
    .map((violation) => ({
      metric: violation.metric,
      x1: Math.max(Date.parse(violation.started_at), startMs),
      x2: Math.min(violation.ended_at === null ? endMs : Date.parse(violation.ended_at), endMs),
    }))
    .filter((mark) => mark.x1 < mark.x2)
}
