import type { EventInput } from '../../../shared/event'
import type { SlaTransition } from '../../../shared/sla'

/**
 * How the store records an SLA transition in its own log: one event per transition, of a
 * degradation or recovery type (so appendAdmission lets it in during EMERGENCY and
 * RECOVERING), carrying the transition whole in `data`. Its `timestamp` is the transition's
 * time, not the append's, so the log says when the level changed even if the event was
 * queued behind others.
 */

/** SLA_AGGREGATE_ID is the aggregate every transition event belongs to: the store's level. */
export const SLA_AGGREGATE_ID = 'sla-level'
export const SLA_AGGREGATE_TYPE = 'sla_level'
export const SLA_SOURCE_COMPONENT = 'sla_monitor'

export type TransitionEventType =
  'degradation_triggered' | 'degradation_cleared' | 'recovery_started' | 'recovery_completed'

/**
 * transitionEventType names a transition: a rise (to WARNING or EMERGENCY) triggers
 * degradation; WARNING -> NORMAL clears it; EMERGENCY -> RECOVERING starts recovery, and
 * the approved RECOVERING -> NORMAL completes it.
 */
export function transitionEventType(transition: SlaTransition): TransitionEventType {
  switch (transition.to) {
    case 'WARNING':
    case 'EMERGENCY':
      return 'degradation_triggered'
    case 'RECOVERING':
      return 'recovery_started'
    case 'NORMAL':
      return transition.from === 'RECOVERING' ? 'recovery_completed' : 'degradation_cleared'
  }
}

/** transitionEvent is the event that records `transition`. */
export function transitionEvent(transition: SlaTransition): EventInput {
  return {
    event_type: transitionEventType(transition),
    aggregate_id: SLA_AGGREGATE_ID,
    aggregate_type: SLA_AGGREGATE_TYPE,
    source_component: SLA_SOURCE_COMPONENT,
    timestamp: transition.at,
    data: {
      from: transition.from,
      to: transition.to,
      at: transition.at,
      reason: transition.reason,
      figures: { ...transition.figures },
    },
  }
}
