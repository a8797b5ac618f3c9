/**
 * Selectors read what components show. They return values already in state (or
 * primitives), so zustand's equality check keeps a live stream from re-rendering
 * components whose part did not change.
 */
import type { StoredEvent } from '../../../shared/event'
import type { JobInfo, JobKind, StoreSummary } from '../../../shared/storeApi'
import type { AppState } from './appStore'

export function selectCurrentStore(state: AppState): StoreSummary | null {
  const handle = state.session.currentHandle
  return handle === null ? null : (state.session.stores[handle] ?? null)
}

/** selectVisibleRows is what the Live table shows: the frozen rows while paused. */
export function selectVisibleRows(state: AppState): StoredEvent[] {
  return state.live.paused?.rows ?? state.live.rows
}

/** selectNewWhilePaused counts the events that arrived since the pause. */
export function selectNewWhilePaused(state: AppState): number {
  const { paused, received } = state.live
  return paused === null ? 0 : received - paused.received
}

/** selectUnseenCount is the "N new" below a Live table scrolled away from the newest row. */
export function selectUnseenCount(state: AppState): number {
  const { following, paused, received, unseenFrom } = state.live
  return following || paused !== null ? 0 : received - unseenFrom
}

/** selectLatestJob is the newest job of a kind on the shown store, or null. */
export function selectLatestJob(state: AppState, kind: JobKind): JobInfo | null {
  const handle = state.session.currentHandle
  for (let index = state.monitor.jobs.length - 1; index >= 0; index -= 1) {
    const job = state.monitor.jobs[index]
    if (job !== undefined && job.kind === kind && job.handle === handle) return job
  }
  return null
}
