/**
 * The Live view's buffer: the events of one subscription, newest last, bounded by
 * LIVE_ROWS_MAX with a count of the older rows dropped. Pausing freezes what is shown while
 * the buffer keeps filling; following tracks whether the view sticks to the newest row.
 */
import type { StoredEvent } from '../../../shared/event'
import type { SubscriptionEndReason } from '../../../shared/push'
import { appendBounded } from './liveBuffer'

/** LIVE_ROWS_MAX bounds the rows the Live view keeps (and so the renderer's memory). */
export const LIVE_ROWS_MAX = 10_000
/**
 * LIVE_REFRESH_MS: what follows the stream (the Live table, its counts, the store header)
 * redraws at most this often. At thousands of events a second nobody reads faster, and
 * every redraw replaces every visible row; a quiet stream still shows each event at once.
 */
export const LIVE_REFRESH_MS = 250

/** Quick filters; an empty string means "any". */
export interface LiveFilter {
  event_type: string
  aggregate_id: string
  source_agent: string
}

export const NO_LIVE_FILTER: LiveFilter = { event_type: '', aggregate_id: '', source_agent: '' }

export type LiveStatus = 'idle' | 'subscribing' | 'live' | 'ended'

export interface LiveState {
  filter: LiveFilter
  status: LiveStatus
  subscriptionId: string | null
  endReason: SubscriptionEndReason | null
  rows: StoredEvent[]
  /** Rows pushed out of the buffer since the subscription started. */
  dropped: number
  /** Events received since the subscription started. */
  received: number
  /**
   * Events that arrived while a subscribe call was still out, by subscription id: over IPC
   * a push may overtake the call's answer, and these become the rows once the id is known.
   */
  early: Record<string, StoredEvent[]>
  /** What the view showed when paused, and `received` at that moment; null while running. */
  paused: { rows: StoredEvent[]; received: number } | null
  following: boolean
  /** `received` when the user scrolled away from the newest row. */
  unseenFrom: number
}

export function initialLive(): LiveState {
  return {
    filter: NO_LIVE_FILTER,
    status: 'idle',
    subscriptionId: null,
    endReason: null,
    rows: [],
    dropped: 0,
    received: 0,
    early: {},
    paused: null,
    following: true,
    unseenFrom: 0,
  }
}

/**
 * liveSubscribing starts over for a new subscription (another store or filter): the person
 * asked for different rows, so a pause on the old ones ends too.
 */
export function liveSubscribing(filter: LiveFilter): LiveState {
  return { ...initialLive(), filter, status: 'subscribing' }
}

export function liveSubscribed(live: LiveState, subscriptionId: string): LiveState {
  const early = live.early[subscriptionId] ?? []
  const started: LiveState = { ...live, status: 'live', subscriptionId, early: {} }
  return liveWithEvents(started, subscriptionId, early)
}

/** liveWithEvents takes the events of one push; those of other subscriptions are ignored. */
export function liveWithEvents(
  live: LiveState,
  subscriptionId: string,
  events: readonly StoredEvent[],
): LiveState {
  if (live.status === 'subscribing') {
    const stashed = appendBounded(live.early[subscriptionId] ?? [], events, LIVE_ROWS_MAX)
    return { ...live, early: { ...live.early, [subscriptionId]: stashed.rows } }
  }
  if (subscriptionId !== live.subscriptionId || events.length === 0) return live
  const { rows, dropped } = appendBounded(live.rows, events, LIVE_ROWS_MAX)
  return { ...live, rows, dropped: live.dropped + dropped, received: live.received + events.length }
}

export function liveEnded(
  live: LiveState,
  subscriptionId: string,
  reason: SubscriptionEndReason,
): LiveState {
  if (subscriptionId !== live.subscriptionId) return live
  return { ...live, status: 'ended', endReason: reason }
}

export function livePaused(live: LiveState): LiveState {
  if (live.paused !== null) return live
  return { ...live, paused: { rows: live.rows, received: live.received } }
}

/** liveResumed shows the buffer again; the view is back on the newest rows. */
export function liveResumed(live: LiveState): LiveState {
  if (live.paused === null) return live
  return { ...live, paused: null, following: true }
}

export function liveFollowing(live: LiveState, following: boolean): LiveState {
  if (live.following === following) return live
  return { ...live, following, unseenFrom: live.received }
}
