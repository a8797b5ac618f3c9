import { useId, type ReactNode } from 'react'

/** ChartSize fixes a chart's size; without a width the chart fills its container's width. */
export interface ChartSize {
  width?: number
  height: number
}

/** chartSizeProps turns a ChartSize into recharts' width, height and responsive props. */
export function chartSizeProps(size: ChartSize) {
  return size.width === undefined
    ? { width: '100%' as const, height: size.height, responsive: true }
    : { width: size.width, height: size.height, responsive: false }
}

export interface ChartFigureProps {
  title: string
  /** A sentence with the figures the chart shows, for readers who cannot see it. */
  summary: string
  children: ReactNode
}

/** ChartFigure names a chart and gives its gist in text, so the chart is never the only source. */
export function ChartFigure({ title, summary, children }: ChartFigureProps) {
  const id = useId()
  return (
    <figure
      className="chart-figure"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-summary`}
    >
      <figcaption>
        <span id={`${id}-title`} className="chart-figure__title">
          {title}
        </span>{' '}
        <span id={`${id}-summary`} className="muted">
          {summary}
        </span>
      </figcaption>
      {children}
    </figure>
  )
}
