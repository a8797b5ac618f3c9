// @vitest-environment jsdom
import { describe, expect, it } from 'vitest'
import {
  LIVE_ROWS_MAX,
  NO_LIVE_FILTER,
  liveFollowing,
  livePaused,
  liveResumed,
  liveSubscribed,
  liveSubscribing,
  liveWithEvents,
} from '../../../src/renderer/src/state/liveSlice'
import { appendBounded } from '../../../src/renderer/src/state/liveBuffer'
import { makeEvent } from '../support/fakeApi'

const events = (from: number, count: number) =>
  Array.from({ length: count }, (_, index) => makeEvent(from + index))

function liveOn(id = 'sub-1') {
  return liveSubscribed(liveSubscribing(NO_LIVE_FILTER), id)
}

describe('live buffer', () => {
  it.each([
    { before: 3, incoming: 2, max: 4, rows: [2, 3, 4, 5], dropped: 1 },
    { before: 2, incoming: 6, max: 4, rows: [5, 6, 7, 8], dropped: 4 },
    { before: 0, incoming: 3, max: 4, rows: [1, 2, 3], dropped: 0 },
  ])(
    'appendBounded keeps the newest $max of $before + $incoming rows',
    ({ before, incoming, max, rows, dropped }) => {
      const result = appendBounded(events(1, before), events(before + 1, incoming), max)
      expect(result.rows.map((row) => row.sequence)).toEqual(rows)
      expect(result.dropped).toBe(dropped)
    },
  )

  it('keeps at most LIVE_ROWS_MAX rows and counts the dropped ones', () => {
    let live = liveOn()
    live = liveWithEvents(live, 'sub-1', events(1, LIVE_ROWS_MAX))
    live = liveWithEvents(live, 'sub-1', events(LIVE_ROWS_MAX + 1, 250))
    expect(live.rows).toHaveLength(LIVE_ROWS_MAX)
    expect(live.rows[0]?.sequence).toBe(251)
    expect(live.dropped).toBe(250)
    expect(live.received).toBe(LIVE_ROWS_MAX + 250)
  })

  it('ignores events of another subscription', () => {
    const live = liveOn('sub-2')
    expect(liveWithEvents(live, 'sub-1', events(1, 3))).toBe(live)
  })

  it('keeps events that overtake the subscribe answer and shows them once the id is known', () => {
    let live = liveSubscribing(NO_LIVE_FILTER)
    live = liveWithEvents(live, 'sub-7', events(1, 2))
    live = liveWithEvents(live, 'sub-old', events(90, 1))
    live = liveSubscribed(live, 'sub-7')
    expect(live.rows.map((row) => row.sequence)).toEqual([1, 2])
    expect(live.early).toEqual({})
  })

  it('pausing freezes the shown rows while the buffer keeps filling; resuming follows again', () => {
    let live = liveWithEvents(liveOn(), 'sub-1', events(1, 3))
    live = liveFollowing(live, false)
    live = livePaused(live)
    live = liveWithEvents(live, 'sub-1', events(4, 2))
    expect(live.paused?.rows.map((row) => row.sequence)).toEqual([1, 2, 3])
    expect(live.rows).toHaveLength(5)
    live = liveResumed(live)
    expect(live.paused).toBeNull()
    expect(live.following).toBe(true)
  })

  it('a new subscription starts empty, running and following', () => {
    const filter = { ...NO_LIVE_FILTER, event_type: 'command_failed' }
    expect(liveSubscribing(filter)).toMatchObject({
      filter,
      status: 'subscribing',
      rows: [],
      paused: null,
      following: true,
    })
  })
})
