/**
 * The header's two badges, kept apart as DESIGN.md keeps them: the store mode (can it be
 * written?) and the SLA level (is it keeping its promises?).
 */
import type { SlaLevel } from '../../../shared/sla'
import type { StoreSummary } from '../../../shared/storeApi'
import type { StatusTone } from '../views/common/StatusBadge'

export interface Badge {
  label: string
  tone: StatusTone
  /** The longer explanation on hover. */
  title: string
}

/** modeBadge: writable, read-only, following (read-only behind another writer), needs recovery, failed. */
export function modeBadge(store: Pick<StoreSummary, 'mode' | 'access' | 'reason'>): Badge {
  const why = store.reason ?? ''
  switch (store.mode) {
    case 'writable':
      return { label: 'writable', tone: 'ok', title: 'Appends are accepted.' }
    case 'read_only':
      return store.access === 'follow'
        ? {
            label: 'following',
            tone: 'neutral',
            title: why || 'Read-only, following another writer.',
          }
        : { label: 'read-only', tone: 'neutral', title: why || 'Opened read-only.' }
    case 'needs_recovery':
      return { label: 'needs recovery', tone: 'bad', title: why || 'Damage found; run recovery.' }
    case 'failed':
      return {
        label: 'failed',
        tone: 'bad',
        title: why || 'An I/O error made the store read-only.',
      }
  }
}

const SLA_BADGES: Record<SlaLevel, Badge> = {
  NORMAL: { label: 'SLA normal', tone: 'ok', title: 'Every SLA trigger is clear.' },
  WARNING: {
    label: 'SLA warning',
    tone: 'warn',
    title: 'A trigger is over its warning threshold.',
  },
  EMERGENCY: {
    label: 'SLA emergency',
    tone: 'bad',
    title: 'Emergency mode: reads continue, appends are refused.',
  },
  RECOVERING: {
    label: 'SLA recovering',
    tone: 'busy',
    title: 'Triggers cleared; appends stay restricted until verification and approval.',
  },
}

export function slaBadge(level: SlaLevel): Badge {
  return SLA_BADGES[level]
}
