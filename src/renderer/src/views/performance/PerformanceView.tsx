import { useMemo, useState } from 'react'
import type { LatencySeries, SlaHistory, SlaSnapshot } from '../../../../shared/sla'
import { StatusBadge, type StatusTone } from '../common/StatusBadge'
import { formatTime } from '../common/format'
import type { ChartSize } from './ChartFigure'
import { DegradationTimeline } from './DegradationTimeline'
import { LatencyChart } from './LatencyChart'
import { SlaTable } from './SlaTable'
import { ThroughputChart } from './ThroughputChart'
import { TimeRangeSelector } from './TimeRangeSelector'
import {
  TIME_RANGES,
  filterHistory,
  historyEndMs,
  latencyChartData,
  levelTimeline,
  throughputChartData,
  type TimeRangeId,
} from './historyRange'
import { thresholdMarks, violationMarks } from './slaMarks'
import '../common/common.css'
import './performance.css'

/** The charted series and their titles; `verify` has no SLA and its own view (Files). */
export const CHARTED_SERIES: readonly { series: LatencySeries; title: string }[] = [
  { series: 'append', title: 'Append latency' },
  { series: 'batch_append', title: 'Batch append latency' },
  { series: 'fsync', title: 'fsync latency' },
  { series: 'query_by_id', title: 'Query by id latency' },
  { series: 'range_query', title: 'Range query latency' },
  { series: 'delivery', title: 'Subscription delivery latency' },
]

const LEVEL_TONES: Record<SlaSnapshot['level'], StatusTone> = {
  NORMAL: 'ok',
  WARNING: 'warn',
  EMERGENCY: 'bad',
  RECOVERING: 'busy',
}

export interface PerformanceViewProps {
  /** The latest SLA snapshot (about once a second); null until the first arrives. */
  snapshot: SlaSnapshot | null
  /** The latency and throughput history; null until it arrives. */
  history: SlaHistory | null
  /** Fixed chart size (tests, print); without a width, charts fill their container. */
  chartSize?: ChartSize
  initialRange?: TimeRangeId
}

const DEFAULT_CHART_SIZE: ChartSize = { height: 220 }

/** PerformanceView charts latency against the SLAs, throughput and the SLA level over time. */
export function PerformanceView({
  snapshot,
  history,
  chartSize = DEFAULT_CHART_SIZE,
  initialRange = '1h',
}: PerformanceViewProps) {
  const [rangeId, setRangeId] = useState<TimeRangeId>(initialRange)
  const rangeMs = TIME_RANGES.find((range) => range.id === rangeId)!.ms
  const checkedAtMs = snapshot === null ? null : Date.parse(snapshot.checked_at)
  const endMs = history === null ? null : historyEndMs(history, checkedAtMs)

  // The snapshot changes every second; of it, only the level shapes these transforms.
  const charts = useMemo(() => {
    if (history === null || endMs === null) return null
    const domain = [endMs - rangeMs, endMs] as const
    const shown = filterHistory(history, rangeMs, endMs)
    return {
      domain,
      latency: Object.fromEntries(
        CHARTED_SERIES.map(({ series }) => [series, latencyChartData(shown.latency[series])]),
      ) as Record<LatencySeries, ReturnType<typeof latencyChartData>>,
      throughput: throughputChartData(shown),
      levelSteps: levelTimeline(history.transitions, domain[0], endMs, snapshot?.level ?? 'NORMAL'),
      transitions: history.transitions.filter((transition) => {
        const at = Date.parse(transition.at)
        return at > domain[0] && at <= endMs
      }),
    }
  }, [history, rangeMs, endMs, snapshot?.level])

  const targets = snapshot?.thresholds.targets
  const marks = useMemo(() => {
    if (charts === null) return null
    const [startMs, stopMs] = charts.domain
    return Object.fromEntries(
      CHARTED_SERIES.map(({ series }) => [
        series,
        {
          thresholds: targets === undefined ? [] : thresholdMarks(targets, series),
          violations: violationMarks(snapshot?.violations ?? [], series, startMs, stopMs),
        },
      ]),
    )
  }, [charts, targets, snapshot?.violations])

  return (
    <section className="view performance-view" aria-labelledby="performance-view-title">
      <div className="performance-view__header">
        <h2 id="performance-view-title">Performance</h2>
        {snapshot !== null && (
          <p>
            <StatusBadge tone={LEVEL_TONES[snapshot.level]} label={snapshot.level} /> since{' '}
            {formatTime(snapshot.since)}
            {snapshot.reason !== null && <>: {snapshot.reason}</>}
          </p>
        )}
        <TimeRangeSelector value={rangeId} onChange={setRangeId} />
      </div>
      {snapshot !== null && <SlaTable compliance={snapshot.compliance} />}
      {charts === null || marks === null ? (
        <p className="muted" role="status">
          Waiting for the first measurements…
        </p>
      ) : (
        <div className="performance-view__charts">
          {CHARTED_SERIES.map(({ series, title }) => (
            <LatencyChart
              key={series}
              title={title}
              data={charts.latency[series]}
              thresholds={marks[series]!.thresholds}
              violations={marks[series]!.violations}
              domain={charts.domain}
              size={chartSize}
            />
          ))}
          <ThroughputChart
            data={charts.throughput}
            currentPerSecond={snapshot?.throughput.events_per_second_10s ?? null}
            domain={charts.domain}
            size={chartSize}
          />
          <DegradationTimeline
            steps={charts.levelSteps}
            transitions={charts.transitions}
            domain={charts.domain}
            size={chartSize}
          />
        </div>
      )}
    </section>
  )
}
