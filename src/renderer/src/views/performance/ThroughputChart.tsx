import { memo } from 'react'
import { CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts'
import { formatClock, formatCount } from '../common/format'
import { timeAxisProps } from './timeAxis'
import { ChartFigure, chartSizeProps, type ChartSize } from './ChartFigure'

export interface ThroughputChartProps {
  data: readonly { t: number; eventsPerSecond: number }[]
  /** Appends per second over the last 10 s, from the snapshot. */
  currentPerSecond: number | null
  domain: readonly [number, number]
  size: ChartSize
}

/** ThroughputChart draws events appended per second over the selected range. */
export const ThroughputChart = memo(function ThroughputChart(props: ThroughputChartProps) {
  const { data, currentPerSecond, domain, size } = props
  const summary =
    currentPerSecond === null
      ? 'No current figure.'
      : `Now ${formatCount(Math.round(currentPerSecond))} events/s (10 s window).`
  return (
    <ChartFigure title="Throughput" summary={summary}>
      <LineChart {...chartSizeProps(size)} data={data}>
        <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
        <XAxis {...timeAxisProps(domain)} />
        <YAxis width={72} tickFormatter={(value: number) => formatCount(value)} />
        <Tooltip
          labelFormatter={(t) => formatClock(Number(t), true)}
          formatter={(value) => `${formatCount(Math.round(Number(value)))} events/s`}
        />
        <Line
          dataKey="eventsPerSecond"
          name="events/s"
          stroke="var(--accent)"
          dot={false}
          isAnimationActive={false}
        />
      </LineChart>
    </ChartFigure>
  )
})
