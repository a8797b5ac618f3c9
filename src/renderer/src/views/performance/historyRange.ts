/**
 * The Performance view's time ranges and the pure transforms from SLA history to chart
 * data. Kept apart from the components so they are tested directly and memoized by them.
 */
import type { LatencyPoint, LatencySeries, SlaHistory, SlaLevel } from '../../../../shared/sla'

export const TIME_RANGES = [
  { id: '5m', label: '5 min', ms: 5 * 60_000 },
  { id: '1h', label: '1 h', ms: 60 * 60_000 },
  { id: '24h', label: '24 h', ms: 24 * 60 * 60_000 },
] as const
export type TimeRangeId = (typeof TIME_RANGES)[number]['id']

/** More points than a chart is wide only costs render time, so charts get at most this many. */
export const CHART_POINTS_MAX = 600

/** historyEndMs is where the charts end: the later of the last check and the last point. */
export function historyEndMs(history: SlaHistory, checkedAtMs: number | null): number {
  const lastStart = Math.max(-Infinity, ...history.throughput.map((point) => point.start_ms))
  const lastEnd = Number.isFinite(lastStart) ? lastStart + history.point_ms : 0
  return Math.max(lastEnd, checkedAtMs ?? 0)
}

/**
 * filterHistory keeps the points that start within [endMs - rangeMs, endMs). Transitions are
 * kept whole: the timeline needs the last one before the range to know its starting level.
 */
export function filterHistory(history: SlaHistory, rangeMs: number, endMs: number): SlaHistory {
  const inRange = (point: { start_ms: number }) =>
    point.start_ms >= endMs - rangeMs && point.start_ms < endMs
  const latency = Object.fromEntries(
    Object.entries(history.latency).map(([series, points]) => [series, points.filter(inRange)]),
  ) as Record<LatencySeries, LatencyPoint[]>
  return { ...history, latency, throughput: history.throughput.filter(inRange) }
}

/** LatencyDatum is one chart point: percentiles in milliseconds at time `t`. */
export interface LatencyDatum {
  t: number
  p50: number
  p95: number
  p99: number
  p999: number
}

/**
 * latencyChartData converts microseconds to milliseconds and merges neighbouring points
 * down to `pointsMax`, keeping each percentile's maximum so no spike is averaged away.
 */
export function latencyChartData(
  points: readonly LatencyPoint[],
  pointsMax = CHART_POINTS_MAX,
): LatencyDatum[] {
  const size = Math.max(1, Math.ceil(points.length / pointsMax))
  const data: LatencyDatum[] = []
  for (let index = 0; index < points.length; index += size) {
    const bucket = points.slice(index, index + size)
    const peak = (key: 'p50' | 'p95' | 'p99' | 'p999') =>
      Math.max(...bucket.map((point) => point[key])) / 1000
    data.push({
      t: bucket[0]!.start_ms,
      p50: peak('p50'),
      p95: peak('p95'),
      p99: peak('p99'),
      p999: peak('p999'),
    })
  }
  return data
}

/** throughputChartData gives events per second for each history point. */
export function throughputChartData(history: SlaHistory): { t: number; eventsPerSecond: number }[] {
  const seconds = history.point_ms / 1000
  return history.throughput.map((point) => ({
    t: point.start_ms,
    eventsPerSecond: point.events / seconds,
  }))
}

export const LEVELS: readonly SlaLevel[] = ['NORMAL', 'WARNING', 'EMERGENCY', 'RECOVERING']

/**
 * levelTimeline gives the SLA level as steps across [startMs, endMs]: the level in force at
 * startMs (from the last transition before it, or the first one's `from`, or the current
 * level when there were none), then one step per transition inside the range.
 */
export function levelTimeline(
  transitions: SlaHistory['transitions'],
  startMs: number,
  endMs: number,
  currentLevel: SlaLevel,
): { t: number; level: number }[] {
  const at = (iso: string) => Date.parse(iso)
  const before = transitions.filter((transition) => at(transition.at) <= startMs).at(-1)
  const inside = transitions.filter((t) => at(t.at) > startMs && at(t.at) <= endMs)
  const startLevel = before?.to ?? inside[0]?.from ?? currentLevel
  const steps = [
    { t: startMs, level: LEVELS.indexOf(startLevel) },
    ...inside.map((transition) => ({ t: at(transition.at), level: LEVELS.indexOf(transition.to) })),
  ]
  return [...steps, { t: endMs, level: steps.at(-1)!.level }]
}
