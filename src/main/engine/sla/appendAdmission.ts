import type { SlaLevel, WriteBlock } from '../../../shared/sla'

/**
 * Which appends may proceed in each SLA level. In EMERGENCY and RECOVERING reads continue
 * and ordinary appends are refused with a retryable code, so the store keeps its data safe
 * without losing what it acknowledged; only the store's own degradation, recovery and
 * emergency records (or an admin's) still go in, so the log keeps the story of the episode.
 * A disk block refuses every write, those included: the disk is what is at risk.
 */

export interface AdmitOptions {
  /** The store itself writes the events (a transition record). */
  internal?: boolean
  /** The caller holds the admin scope. */
  admin?: boolean
}

/** SLA_EVENT_TYPES are the known event types of the degradation episode itself. */
const SLA_EVENT_TYPES: ReadonlySet<string> = new Set([
  'degradation_triggered',
  'recovery_completed',
])
const SLA_EVENT_TYPE_PREFIXES = ['emergency_', 'degradation_', 'recovery_'] as const

/** isSlaEventType says whether an event type records degradation, recovery or emergency. */
export function isSlaEventType(eventType: string): boolean {
  return (
    SLA_EVENT_TYPES.has(eventType) ||
    SLA_EVENT_TYPE_PREFIXES.some((prefix) => eventType.startsWith(prefix))
  )
}

/**
 * admitAppend returns why an append of `eventTypes` is refused, or null when it may go on.
 * A batch is admitted only as a whole: one ordinary event in it refuses all of it.
 */
export function admitAppend(
  level: SlaLevel,
  diskBlock: WriteBlock | null,
  eventTypes: readonly string[],
  options: AdmitOptions,
): WriteBlock | null {
  if (diskBlock) return diskBlock
  if (level !== 'EMERGENCY' && level !== 'RECOVERING') return null
  const privileged = options.internal === true || options.admin === true
  if (privileged && eventTypes.length > 0 && eventTypes.every(isSlaEventType)) return null
  return {
    code: 'emergency_mode',
    message:
      `The store is in ${level} mode, so appends are refused for now; reads continue. ` +
      (level === 'EMERGENCY'
        ? 'Retry once the SLA triggers have cleared.'
        : 'Retry after a passing verification and an operator approval.'),
  }
}
