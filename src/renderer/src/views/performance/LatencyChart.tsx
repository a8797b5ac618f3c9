import { memo } from 'react'
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceArea,
  ReferenceLine,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts'
import { formatClock, formatLatencyMs } from '../common/format'
import { timeAxisProps } from './timeAxis'
import { ChartFigure, chartSizeProps, type ChartSize } from './ChartFigure'
import type { LatencyDatum } from './historyRange'
import type { Percentile, ThresholdMark, ViolationMark } from './slaMarks'
import { labelledThresholds } from './thresholdLabels'

export const PERCENTILE_LINES: readonly { key: Percentile; name: string; colour: string }[] = [
  { key: 'p50', name: 'p50', colour: 'var(--chart-1)' },
  { key: 'p95', name: 'p95', colour: 'var(--chart-2)' },
  { key: 'p99', name: 'p99', colour: 'var(--chart-3)' },
  { key: 'p999', name: 'p99.9', colour: 'var(--chart-4)' },
]

const PERCENTILE_NAMES = Object.fromEntries(PERCENTILE_LINES.map((line) => [line.key, line.name]))

export interface LatencyChartProps {
  title: string
  data: readonly LatencyDatum[]
  thresholds: readonly ThresholdMark[]
  violations: readonly ViolationMark[]
  /** [start, end] of the selected range in epoch ms. */
  domain: readonly [number, number]
  size: ChartSize
}

/** LatencyChart draws one series' percentiles in ms against its SLA thresholds. */
export const LatencyChart = memo(function LatencyChart(props: LatencyChartProps) {
  const { title, data, thresholds, violations, domain, size } = props
  const dataMaxMs = Math.max(0, ...data.map((datum) => datum.p999))
  const labelled = labelledThresholds(thresholds, dataMaxMs)
  return (
    <ChartFigure title={title} summary={latencySummary(data.at(-1), thresholds, violations.length)}>
      <LineChart {...chartSizeProps(size)} data={data}>
        <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
        <XAxis {...timeAxisProps(domain)} />
        <YAxis unit=" ms" width={72} />
        <Tooltip
          labelFormatter={(t) => formatClock(Number(t), true)}
          formatter={(value) => formatLatencyMs(Number(value))}
        />
        <Legend />
        {violations.map((violation) => (
          <ReferenceArea
            key={`${violation.metric}:${violation.x1}`}
            x1={violation.x1}
            x2={violation.x2}
            fill="var(--bad)"
            fillOpacity={0.12}
            ifOverflow="hidden"
          />
        ))}
        {thresholds.map((threshold) => (
          <ReferenceLine
            key={threshold.percentile}
            y={threshold.thresholdMs}
            stroke="var(--bad)"
            strokeDasharray="6 3"
            ifOverflow="extendDomain"
            label={
              labelled.has(threshold.percentile)
                ? {
                    value: `${PERCENTILE_NAMES[threshold.percentile]} SLA ${formatLatencyMs(threshold.thresholdMs)}`,
                    position: 'insideTopRight',
                    fill: 'var(--bad)',
                    fontSize: 11,
                  }
                : undefined
            }
          />
        ))}
        {PERCENTILE_LINES.map((line) => (
          <Line
            key={line.key}
            dataKey={line.key}
            name={line.name}
            stroke={line.colour}
            // A lone point draws no line: show it as a dot until a second one arrives.
            dot={data.length === 1}
            strokeWidth={1.5}
            isAnimationActive={false}
          />
        ))}
      </LineChart>
    </ChartFigure>
  )
})

function latencySummary(
  latest: LatencyDatum | undefined,
  thresholds: readonly ThresholdMark[],
  violationCount: number,
): string {
  if (latest === undefined) return 'No values in this range.'
  const now = PERCENTILE_LINES.map((line) => `${line.name} ${formatLatencyMs(latest[line.key])}`)
  const limits = thresholds.map(
    (threshold) =>
      `${PERCENTILE_NAMES[threshold.percentile]} ≤ ${formatLatencyMs(threshold.thresholdMs)}`,
  )
  return [
    `Latest: ${now.join(', ')}.`,
    limits.length > 0 ? `SLA: ${limits.join(', ')}.` : 'No SLA target.',
    violationCount > 0 ? `${violationCount} violation(s) marked.` : '',
  ]
    .filter(Boolean)
    .join(' ')
}
