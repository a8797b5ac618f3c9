import './common.css'

export type StatusTone = 'ok' | 'warn' | 'bad' | 'busy' | 'neutral'

/** The icon each tone shows next to its text, so status never rests on colour alone. */
const TONE_ICONS: Record<StatusTone, string> = {
  ok: '✓',
  warn: '⚠',
  bad: '✕',
  busy: '↻',
  neutral: '○',
}

export interface StatusBadgeProps {
  tone: StatusTone
  /** The visible text; it carries the meaning on its own. */
  label: string
  /** Overrides the tone's icon, e.g. '?' for a missing file. */
  icon?: string
  /** A longer explanation shown on hover. */
  title?: string
}

/** StatusBadge shows a status as colour, icon and text together. */
export function StatusBadge({ tone, label, icon, title }: StatusBadgeProps) {
  return (
    <span className={`status-badge status-badge--${tone}`} title={title}>
      <span className="status-badge__icon" aria-hidden="true">
        {icon ?? TONE_ICONS[tone]}
      </span>
      {label}
    </span>
  )
}
