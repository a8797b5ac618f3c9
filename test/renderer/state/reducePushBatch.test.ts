// @vitest-environment jsdom
import { describe, expect, it } from 'vitest'
import type { JobInfo } from '../../../src/shared/storeApi'
import { createAppStore } from '../../../src/renderer/src/state/appStore'
import type { AppState } from '../../../src/renderer/src/state/appStore'
import {
  NO_LIVE_FILTER,
  liveSubscribed,
  liveSubscribing,
} from '../../../src/renderer/src/state/liveSlice'
import { JOBS_KEPT_MAX } from '../../../src/renderer/src/state/monitorSlice'
import { reducePushBatch } from '../../../src/renderer/src/state/reducePushBatch'
import {
  selectCurrentStore,
  selectLatestJob,
  selectNewWhilePaused,
  selectUnseenCount,
  selectVisibleRows,
} from '../../../src/renderer/src/state/selectors'
import { sessionWithStore } from '../../../src/renderer/src/state/sessionSlice'
import { HANDLE, makeEvent, makeSummary } from '../support/fakeApi'

/** When the batches arrive; only the pace samples read it. */
const T0 = Date.UTC(2026, 10, 27, 3, 0, 0)

function stateWithStore(): AppState {
  const state = createAppStore('electron', 'open').getState()
  return {
    ...state,
    session: { ...sessionWithStore(state.session, makeSummary()), currentHandle: HANDLE },
    live: liveSubscribed(liveSubscribing(NO_LIVE_FILTER), 'sub-1'),
  }
}

function job(id: string, overrides: Partial<JobInfo> = {}): JobInfo {
  return {
    job_id: id,
    handle: HANDLE,
    kind: 'verify',
    state: 'running',
    started_at: '2026-11-27T03:00:00.000Z',
    finished_at: null,
    progress: null,
    report: null,
    error: null,
    ...overrides,
  }
}

describe('reducePushBatch', () => {
  it('applies a whole batch in one store update', () => {
    const store = createAppStore('electron', 'open')
    store.setState(stateWithStore())
    let updates = 0
    store.subscribe(() => (updates += 1))
    const batch = [
      { type: 'events' as const, subscription_id: 'sub-1', events: [makeEvent(1), makeEvent(2)] },
      { type: 'job' as const, job: job('j1') },
      { type: 'events' as const, subscription_id: 'sub-1', events: [makeEvent(3)] },
    ]
    store.setState((state) => reducePushBatch(state, batch, T0))
    expect(updates).toBe(1)
    expect(selectVisibleRows(store.getState()).map((row) => row.sequence)).toEqual([1, 2, 3])
    expect(selectLatestJob(store.getState(), 'verify')?.job_id).toBe('j1')
  })

  it('replaces a job in place when it is pushed again, and bounds the remembered jobs', () => {
    let state = stateWithStore()
    state = reducePushBatch(state, [{ type: 'job', job: job('j1') }], T0)
    state = reducePushBatch(state, [{ type: 'job', job: job('j1', { state: 'done' }) }], T0)
    expect(state.monitor.jobs).toEqual([job('j1', { state: 'done' })])
    const many = Array.from({ length: JOBS_KEPT_MAX + 5 }, (_, index) => ({
      type: 'job' as const,
      job: job(`many-${index}`),
    }))
    state = reducePushBatch(state, many, T0)
    expect(state.monitor.jobs).toHaveLength(JOBS_KEPT_MAX)
    expect(state.monitor.jobs.at(-1)?.job_id).toBe(`many-${JOBS_KEPT_MAX + 4}`)
  })

  it('updates the header summary from a store push and drops a closed store', () => {
    let state = stateWithStore()
    state = reducePushBatch(
      state,
      [
        {
          type: 'store',
          handle: HANDLE,
          summary: makeSummary({ event_count: 99, sla_level: 'EMERGENCY' }),
        },
      ],
      T0,
    )
    expect(selectCurrentStore(state)).toMatchObject({ event_count: 99, sla_level: 'EMERGENCY' })
    state = reducePushBatch(state, [{ type: 'store', handle: HANDLE, summary: null }], T0)
    expect(selectCurrentStore(state)).toBeNull()
    expect(state.navigation.view).toBe('start')
  })

  it('turns the menu commands into a shown store and pending commands', () => {
    let state = stateWithStore()
    state = reducePushBatch(state, [{ type: 'menu', command: 'show_store', handle: 'other' }], T0)
    expect(state.session.currentHandle).toBe('other')
    expect(state.navigation.view).toBe('live')
    state = reducePushBatch(state, [{ type: 'menu', command: 'verify' }], T0)
    expect(state.navigation).toMatchObject({
      view: 'files',
      command: { id: 1, kind: 'verify', handle: 'other' },
    })
    state = reducePushBatch(state, [{ type: 'menu', command: 'run_recovery' }], T0)
    expect(state.navigation).toMatchObject({
      view: 'recovery',
      command: { id: 2, kind: 'run_recovery' },
    })
  })

  it('samples the newest sequence known of the shown store at every batch, for its pace', () => {
    let state = stateWithStore()
    expect(selectCurrentStore(state)?.last_sequence).toBe(3)
    // A batch without events samples the summary's newest; one with events, the stream's.
    state = reducePushBatch(
      state,
      [{ type: 'subscription_ended', subscription_id: 'an-old-one', reason: 'closed' }],
      T0,
    )
    state = reducePushBatch(
      state,
      [{ type: 'events', subscription_id: 'sub-1', events: [makeEvent(4), makeEvent(5)] }],
      T0 + 100,
    )
    expect(state.pace).toEqual({
      handle: HANDLE,
      samples: [
        { atMs: T0, sequence: 3 },
        { atMs: T0 + 100, sequence: 5 },
      ],
    })
  })

  it('records SLA snapshots and transitions per store', () => {
    const transition = {
      from: 'NORMAL' as const,
      to: 'WARNING' as const,
      at: 'now',
      reason: 'disk',
      figures: {},
    }
    const state = reducePushBatch(
      stateWithStore(),
      [
        { type: 'degradation', handle: HANDLE, transition },
        { type: 'subscription_ended', subscription_id: 'sub-1', reason: 'overflow' },
      ],
      T0,
    )
    expect(state.monitor.transitions[HANDLE]).toEqual([transition])
    expect(state.live).toMatchObject({ status: 'ended', endReason: 'overflow' })
  })
})

describe('live selectors', () => {
  it('count what arrived since the user scrolled away, and since pausing', () => {
    let state = stateWithStore()
    state = { ...state, live: { ...state.live, following: false, unseenFrom: 0 } }
    state = reducePushBatch(
      state,
      [{ type: 'events', subscription_id: 'sub-1', events: [makeEvent(1), makeEvent(2)] }],
      T0,
    )
    expect(selectUnseenCount(state)).toBe(2)
    state = { ...state, live: { ...state.live, paused: { rows: state.live.rows, received: 2 } } }
    state = reducePushBatch(
      state,
      [{ type: 'events', subscription_id: 'sub-1', events: [makeEvent(3)] }],
      T0,
    )
    expect(selectNewWhilePaused(state)).toBe(1)
    expect(selectUnseenCount(state)).toBe(0)
    expect(selectVisibleRows(state)).toHaveLength(2)
  })
})
