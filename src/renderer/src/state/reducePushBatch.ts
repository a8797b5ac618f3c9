/**
 * reducePushBatch folds one push batch, arrived at `nowMs`, into the next state, so a batch
 * of hundreds of live events costs one store update and one render, not one per event. The
 * arrival is also a sample of the shown store's pace (paceSlice.ts).
 */
import type { StoredEvent } from '../../../shared/event'
import type { PushBatch, PushEvent } from '../../../shared/push'
import type { AppState } from './appStore'
import { liveEnded, liveWithEvents } from './liveSlice'
import { monitorWith, monitorWithJob, monitorWithTransition } from './monitorSlice'
import { navigationWithCommand } from './navigationSlice'
import { paceWithSample } from './paceSlice'
import { sessionWithStore, sessionWithoutStore } from './sessionSlice'

export function reducePushBatch(state: AppState, batch: PushBatch, nowMs: number): AppState {
  let next = state
  // Live events of one subscription are gathered and appended once, after the loop.
  const incoming = new Map<string, StoredEvent[]>()
  for (const push of batch) {
    if (push.type === 'events') {
      const gathered = incoming.get(push.subscription_id) ?? []
      for (const event of push.events) gathered.push(event)
      incoming.set(push.subscription_id, gathered)
    } else {
      next = reducePush(next, push)
    }
  }
  let live = next.live
  for (const [subscriptionId, events] of incoming) {
    live = liveWithEvents(live, subscriptionId, events)
  }
  return withPaceSample(live === next.live ? next : { ...next, live }, nowMs)
}

/** withPaceSample samples the newest sequence known of the shown store: summary or stream. */
function withPaceSample(state: AppState, nowMs: number): AppState {
  const handle = state.session.currentHandle
  if (handle === null) return state
  const sequence = Math.max(
    state.session.stores[handle]?.last_sequence ?? 0,
    state.live.rows.at(-1)?.sequence ?? 0,
  )
  return { ...state, pace: paceWithSample(state.pace, handle, { atMs: nowMs, sequence }) }
}

function reducePush(state: AppState, push: Exclude<PushEvent, { type: 'events' }>): AppState {
  const { monitor } = state
  switch (push.type) {
    case 'subscription_ended':
      return { ...state, live: liveEnded(state.live, push.subscription_id, push.reason) }
    case 'job':
      return { ...state, monitor: monitorWithJob(monitor, push.job) }
    case 'segments':
      return { ...state, monitor: monitorWith(monitor, 'segments', push.handle, push.segments) }
    case 'sla':
      return { ...state, monitor: monitorWith(monitor, 'sla', push.handle, push.snapshot) }
    case 'health':
      return { ...state, monitor: monitorWith(monitor, 'health', push.handle, push.health) }
    case 'load':
      return { ...state, monitor: monitorWith(monitor, 'load', push.handle, push.status) }
    case 'degradation':
      return {
        ...state,
        monitor: monitorWithTransition(monitor, push.handle, push.transition),
      }
    case 'store':
      return reduceStorePush(state, push)
    case 'menu':
      return reduceMenuPush(state, push)
  }
}

function reduceStorePush(state: AppState, push: Extract<PushEvent, { type: 'store' }>): AppState {
  if (push.summary !== null) {
    return { ...state, session: sessionWithStore(state.session, push.summary) }
  }
  const session = sessionWithoutStore(state.session, push.handle)
  const view = session.currentHandle === null ? 'start' : state.navigation.view
  return { ...state, session, navigation: { ...state.navigation, view } }
}

function reduceMenuPush(state: AppState, push: Extract<PushEvent, { type: 'menu' }>): AppState {
  const handle = push.handle ?? state.session.currentHandle
  if (handle === null) return state
  const session = { ...state.session, currentHandle: handle }
  if (push.command === 'show_store') {
    return { ...state, session, navigation: { ...state.navigation, view: 'live' } }
  }
  return {
    ...state,
    session,
    navigation: navigationWithCommand(state.navigation, { kind: push.command, handle }),
  }
}
