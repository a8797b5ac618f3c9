import type { StatusTone } from './StatusBadge'
import './common.css'

export interface ProgressBarProps {
  /** The accessible name, e.g. "Overall verification progress". */
  label: string
  value: number
  max: number
  tone?: StatusTone
  /** Text shown beside the bar, e.g. "42% · 12 MiB/s · about 8 s left". */
  detail?: string
}

/**
 * ProgressBar is a native <progress>: it has the progressbar role and value for free, and
 * needs no inline style, which the page's CSP would otherwise have to allow.
 */
export function ProgressBar({ label, value, max, tone = 'neutral', detail }: ProgressBarProps) {
  const safeMax = max > 0 ? max : 1
  const clamped = Math.min(Math.max(value, 0), safeMax)
  return (
    <span className="progress">
      <progress
        className={`progress__bar progress__bar--${tone}`}
        aria-label={label}
        value={clamped}
        max={safeMax}
      />
      {detail !== undefined && <span className="progress__detail">{detail}</span>}
    </span>
  )
}
