// @vitest-environment jsdom
import { act, cleanup, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { LIVE_REFRESH_MS, LIVE_ROWS_MAX } from '../../../../src/renderer/src/state/liveSlice'
import { ROW_HEIGHT_PX } from '../../../../src/renderer/src/views/live/rowWindow'
import { LiveView } from '../../../../src/renderer/src/views/live/LiveView'
import { makeEvent } from '../../support/fakeApi'
import { renderInspector } from '../../support/renderInspector'

/*
 * jsdom lays nothing out, so the scroller gets a fixed viewport, a content height from the
 * virtualizer's spacer, and a scrollTop that is clamped and announced like a browser's.
 */
const VIEWPORT_PX = 10 * ROW_HEIGHT_PX
const scrollTops = new WeakMap<Element, number>()
const isScroller = (element: Element) => element.classList.contains('live-table__scroller')
const contentHeight = (element: Element) =>
  parseFloat((element.firstElementChild as HTMLElement | null)?.style.height ?? '0') || 0
const saved = ['clientHeight', 'scrollHeight', 'scrollTop'].map(
  (name) => [name, Object.getOwnPropertyDescriptor(Element.prototype, name)] as const,
)

beforeAll(() => {
  Object.defineProperties(Element.prototype, {
    clientHeight: {
      configurable: true,
      get() {
        return isScroller(this as Element) ? VIEWPORT_PX : 0
      },
    },
    scrollHeight: {
      configurable: true,
      get() {
        return contentHeight(this as Element)
      },
    },
    scrollTop: {
      configurable: true,
      get() {
        return scrollTops.get(this as Element) ?? 0
      },
      set(value: number) {
        const max = Math.max(0, contentHeight(this as Element) - VIEWPORT_PX)
        scrollTops.set(this as Element, Math.min(Math.max(0, value), max))
        // A browser reports every change of scrollTop with a scroll event; the table listens.
        ;(this as Element).dispatchEvent(new Event('scroll'))
      },
    },
  })
})
afterAll(() => {
  for (const [name, descriptor] of saved) {
    if (descriptor !== undefined) Object.defineProperty(Element.prototype, name, descriptor)
  }
})
// The table redraws at most every LIVE_REFRESH_MS, timed by Date: the tests move that clock.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] })
})
afterEach(() => {
  cleanup()
  vi.useRealTimers()
})

async function renderLive() {
  const rendered = renderInspector(<LiveView />)
  await act(() => rendered.inspector.loadStart())
  let next = 1
  /** pushEvents pushes `count` new events, by default a redraw interval after the last change. */
  const pushEvents = (count: number, { later = true } = {}) =>
    act(() => {
      if (later) vi.setSystemTime(Date.now() + LIVE_REFRESH_MS)
      const events = Array.from({ length: count }, () => makeEvent(next++))
      rendered.connection.push([{ type: 'events', subscription_id: 'sub-1', events }])
    })
  const scroller = () => document.querySelector('.live-table__scroller') as HTMLElement
  const shownSequences = () =>
    within(screen.getByRole('table', { name: 'Live events' }))
      .getAllByRole('row')
      .slice(1)
      .map((row) => Number(within(row).getAllByRole('cell')[0]?.textContent))
  return { ...rendered, pushEvents, scroller, shownSequences, user: userEvent.setup() }
}

const atBottom = (element: HTMLElement) =>
  element.scrollTop === element.scrollHeight - element.clientHeight

describe('Live view', () => {
  it('follows the newest event as events stream in', async () => {
    const live = await renderLive()
    live.pushEvents(40)
    expect(atBottom(live.scroller())).toBe(true)
    expect(live.shownSequences()).toContain(40)
    expect(screen.queryByRole('button', { name: /new/ })).toBeNull()
  })

  it('stops following when scrolled away, counts what is new, and jumps back on request', async () => {
    const live = await renderLive()
    live.pushEvents(40)
    act(() => {
      live.scroller().scrollTop = 0
    })
    live.pushEvents(7)
    expect(live.scroller().scrollTop).toBe(0)
    await live.user.click(screen.getByRole('button', { name: '7 new ↓' }))
    expect(atBottom(live.scroller())).toBe(true)
    expect(live.shownSequences()).toContain(47)
    expect(screen.queryByRole('button', { name: /new ↓/ })).toBeNull()
  })

  it('keeps the rows in view still while older rows leave the bounded buffer above them', async () => {
    const live = await renderLive()
    live.pushEvents(LIVE_ROWS_MAX)
    act(() => {
      live.scroller().scrollTop = 5000 * ROW_HEIGHT_PX
    })
    const before = live.shownSequences()
    expect(before).toContain(5001)
    live.pushEvents(100)
    expect(live.shownSequences()).toEqual(before)
    expect(live.scroller().scrollTop).toBe(4900 * ROW_HEIGHT_PX)
    expect(screen.getByRole('button', { name: '100 new ↓' })).toBeTruthy()
  })

  it('keeps the rows it showed while paused and catches up on resume', async () => {
    const live = await renderLive()
    live.pushEvents(5)
    await live.user.click(screen.getByRole('button', { name: 'Pause' }))
    live.pushEvents(3)
    expect(live.shownSequences()).toEqual([1, 2, 3, 4, 5])
    expect(screen.getByRole('status')).toHaveProperty('textContent', 'Paused · 3 new since pausing')
    await live.user.click(screen.getByRole('button', { name: 'Resume' }))
    expect(live.shownSequences()).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
  })

  it('says when older rows were dropped from the bounded buffer', async () => {
    const live = await renderLive()
    expect(screen.queryByText(/older rows were dropped/)).toBeNull()
    live.pushEvents(LIVE_ROWS_MAX + 25)
    expect(screen.getByText(/25 older rows were dropped from view/)).toBeTruthy()
    expect(live.shownSequences().at(-1)).toBe(LIVE_ROWS_MAX + 25)
  })

  it('resubscribes with the quick filters when they change', async () => {
    const live = await renderLive()
    await live.user.type(screen.getByRole('combobox', { name: 'Type' }), 'command_failed')
    await live.user.type(screen.getByRole('textbox', { name: 'Source agent' }), 'agent-7')
    await live.user.click(screen.getByRole('button', { name: 'Apply filters' }))
    expect(live.fake.callsOf('subscribe').at(-1)).toMatchObject({
      handle: 'store-1',
      filter: { event_types: ['command_failed'], source_agents: ['agent-7'] },
    })
    expect(live.fake.callsOf('unsubscribe')).toEqual([{ subscription_id: 'sub-1' }])
    // Events of the old subscription no longer reach the table.
    live.pushEvents(2)
    expect(screen.queryAllByRole('row')).toHaveLength(1)
  })

  it('redraws a busy stream at most every LIVE_REFRESH_MS, always ending on the newest', async () => {
    const live = await renderLive()
    live.pushEvents(3)
    expect(live.shownSequences()).toEqual([1, 2, 3])
    live.pushEvents(2, { later: false })
    expect(live.shownSequences()).toEqual([1, 2, 3])
    expect(screen.getByRole('status').textContent).toBe('3 events received')
    // The redraw is due one interval after the last; the page's real timer brings it.
    await act(() => new Promise((resolve) => setTimeout(resolve, LIVE_REFRESH_MS)))
    expect(live.shownSequences()).toEqual([1, 2, 3, 4, 5])
    expect(screen.getByRole('status').textContent).toBe('5 events received')
  })

  it('opens the detail of a clicked row', async () => {
    const live = await renderLive()
    live.pushEvents(3)
    await live.user.click(screen.getAllByRole('row')[2] as HTMLElement)
    expect(screen.getByRole('heading', { name: 'Event 2' })).toBeTruthy()
  })
})
