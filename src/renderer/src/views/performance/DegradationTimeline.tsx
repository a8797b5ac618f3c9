import { memo } from 'react'
import { CartesianGrid, Line, LineChart, XAxis, YAxis } from 'recharts'
import type { SlaTransition } from '../../../../shared/sla'
import { formatTime } from '../common/format'
import { timeAxisProps } from './timeAxis'
import { ChartFigure, chartSizeProps, type ChartSize } from './ChartFigure'
import { LEVELS } from './historyRange'

export interface DegradationTimelineProps {
  steps: readonly { t: number; level: number }[]
  /** The transitions inside the range, oldest first. */
  transitions: readonly SlaTransition[]
  domain: readonly [number, number]
  size: ChartSize
}

/** DegradationTimeline draws the SLA level as steps and lists each change with its reason. */
export const DegradationTimeline = memo(function DegradationTimeline(
  props: DegradationTimelineProps,
) {
  const { steps, transitions, domain, size } = props
  const summary =
    transitions.length === 0
      ? `${LEVELS[steps[0]?.level ?? 0]} throughout this range.`
      : `${transitions.length} level change(s) in this range.`
  return (
    <ChartFigure title="SLA level" summary={summary}>
      <LineChart {...chartSizeProps(size)} data={steps}>
        <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
        <XAxis {...timeAxisProps(domain)} />
        <YAxis
          type="number"
          domain={[0, LEVELS.length - 1]}
          ticks={LEVELS.map((_, index) => index)}
          tickFormatter={(index: number) => LEVELS[index] ?? ''}
          width={96}
        />
        <Line
          dataKey="level"
          type="stepAfter"
          stroke="var(--warn)"
          dot={false}
          isAnimationActive={false}
        />
      </LineChart>
      {transitions.length > 0 && (
        <ol className="transition-list" aria-label="Level changes">
          {transitions.map((transition) => (
            <li key={`${transition.at}:${transition.to}`}>
              <span className="mono">{formatTime(transition.at)}</span> {transition.from} →{' '}
              {transition.to}: {transition.reason}
            </li>
          ))}
        </ol>
      )}
    </ChartFigure>
  )
})
