import {
  TRIGGER_NAMES,
  type SlaThresholds,
  type TriggerName,
  type TriggerState,
  type TriggerStatus,
  type TriggerThresholds,
} from '../../../shared/sla'
import type { ViolationLog } from './violationLog'

/**
 * TriggerTracker follows each degradation trigger's state (clear, warning, emergency) and
 * how long it has been on either side of each threshold, which is what the level machine
 * decides on.
 *
 * Hysteresis has two parts, so a value hovering at a threshold cannot flap the level:
 * - in value: a trigger enters a state when its value reaches the threshold (>=), and
 *   leaves it only when the value falls below the threshold less TRIGGER_HYSTERESIS_MARGIN
 *   (5%: a disk at 80% warns, and stops warning below 76%);
 * - in time: the level rises only once a state held for hold_ms, and falls only once every
 *   trigger stayed below for clear_ms (see SlaMonitor).
 * A value the sources cannot tell (null) counts as clear.
 */

/** TRIGGER_HYSTERESIS_MARGIN is how far below a threshold, relatively, a value must fall to leave it. */
export const TRIGGER_HYSTERESIS_MARGIN = 0.05

export type TriggerValues = Record<TriggerName, number | null>
export type RaisedState = Exclude<TriggerState, 'clear'>

const RANK: Readonly<Record<TriggerState, number>> = { clear: 0, warning: 1, emergency: 2 }

/** The window each trigger's value is measured over, as its violations record. */
const TRIGGER_WINDOWS: Readonly<Record<TriggerName, '1m' | 'instant'>> = {
  append_p99_ms: '1m',
  append_error_rate: '1m',
  disk_usage: 'instant',
  memory_usage: 'instant',
  append_backlog: 'instant',
}

/** triggerState is the state `value` puts a trigger in, given the state it was in. */
export function triggerState(
  value: number | null,
  thresholds: TriggerThresholds,
  previous: TriggerState,
): TriggerState {
  if (value === null) return 'clear'
  const stays = (state: RaisedState): boolean =>
    RANK[previous] >= RANK[state] && value >= thresholds[state] * (1 - TRIGGER_HYSTERESIS_MARGIN)
  if (value >= thresholds.emergency || stays('emergency')) return 'emergency'
  if (value >= thresholds.warning || stays('warning')) return 'warning'
  return 'clear'
}

interface Tracked {
  value: number | null
  state: TriggerState
  /** When the trigger entered `state`, or null while it has never left clear. */
  stateSinceMs: number | null
  /** When the state last crossed each threshold, up or down; -Infinity before any crossing. */
  crossedAtMs: Record<RaisedState, number>
}

export class TriggerTracker {
  private readonly tracked = Object.fromEntries(
    TRIGGER_NAMES.map((name): [TriggerName, Tracked] => [
      name,
      {
        value: null,
        state: 'clear',
        stateSinceMs: null,
        crossedAtMs: { warning: -Infinity, emergency: -Infinity },
      },
    ]),
  ) as Record<TriggerName, Tracked>

  constructor(private readonly violations: ViolationLog) {}

  /** update takes the values measured at `nowMs` and records violation stretches. */
  update(values: TriggerValues, thresholds: SlaThresholds['triggers'], nowMs: number): void {
    for (const name of TRIGGER_NAMES) {
      const tracked = this.tracked[name]
      const value = values[name]
      const state = triggerState(value, thresholds[name], tracked.state)
      for (const level of ['warning', 'emergency'] as const) {
        const wasAbove = RANK[tracked.state] >= RANK[level]
        if (wasAbove !== RANK[state] >= RANK[level]) tracked.crossedAtMs[level] = nowMs
      }
      if (state !== tracked.state) tracked.stateSinceMs = nowMs
      tracked.value = value
      tracked.state = state
      if (state === 'clear' || value === null) this.violations.under(name, nowMs)
      else {
        this.violations.over(name, TRIGGER_WINDOWS[name], value, thresholds[name][state], nowMs)
      }
    }
  }

  /** held lists the triggers that have been at `level` or above for at least `holdMs`. */
  held(level: RaisedState, holdMs: number, nowMs: number): TriggerName[] {
    return TRIGGER_NAMES.filter((name) => {
      const tracked = this.tracked[name]
      return RANK[tracked.state] >= RANK[level] && nowMs - tracked.crossedAtMs[level] >= holdMs
    })
  }

  /** clearFor says whether every trigger has been below `level` for at least `clearMs`. */
  clearFor(level: RaisedState, clearMs: number, nowMs: number): boolean {
    return TRIGGER_NAMES.every((name) => {
      const tracked = this.tracked[name]
      return RANK[tracked.state] < RANK[level] && nowMs - tracked.crossedAtMs[level] >= clearMs
    })
  }

  /** inState lists the triggers whose state is `level` or above right now, held or not. */
  inState(level: RaisedState): TriggerName[] {
    return TRIGGER_NAMES.filter((name) => RANK[this.tracked[name].state] >= RANK[level])
  }

  /** value is the trigger's last measured value, or null when it could not be told. */
  value(name: TriggerName): number | null {
    return this.tracked[name].value
  }

  /** figures holds the last measured value of the named triggers (all by default) that have one. */
  figures(names: readonly TriggerName[] = TRIGGER_NAMES): Record<string, number> {
    const figures: Record<string, number> = {}
    for (const name of names) {
      const value = this.tracked[name].value
      if (value !== null) figures[name] = value
    }
    return figures
  }

  /** status reports every trigger for a snapshot. */
  status(thresholds: SlaThresholds['triggers']): TriggerStatus[] {
    return TRIGGER_NAMES.map((name) => {
      const tracked = this.tracked[name]
      return {
        name,
        value: tracked.value,
        thresholds: { ...thresholds[name] },
        state: tracked.state,
        since: tracked.stateSinceMs === null ? null : new Date(tracked.stateSinceMs).toISOString(),
      }
    })
  }
}
