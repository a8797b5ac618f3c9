// @vitest-environment jsdom
import { act, cleanup, screen, within } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { StoreSummary } from '../../../src/shared/storeApi'
import { StoreHeader } from '../../../src/renderer/src/shell/StoreHeader'
import { createFakeApi, makeEvent, makeSummary } from '../support/fakeApi'
import { renderInspector } from '../support/renderInspector'

afterEach(() => {
  cleanup()
  vi.useRealTimers()
})

async function renderHeader(summary: StoreSummary) {
  const rendered = renderInspector(<StoreHeader />, { fake: createFakeApi(summary) })
  await act(() => rendered.inspector.loadStart())
  return { ...within(screen.getByRole('banner', { name: 'Store' })), rendered }
}

/** figure reads one figure of the header by its term, the way a person reads the list. */
function figure(term: string): string | null {
  return screen.getByText(term, { selector: 'dt' }).nextElementSibling?.textContent ?? null
}

describe('Store header', () => {
  it.each([
    [{ mode: 'writable', access: 'write', sla_level: 'NORMAL' }, 'writable', 'SLA normal'],
    [{ mode: 'read_only', access: 'follow', sla_level: 'WARNING' }, 'following', 'SLA warning'],
    [{ mode: 'read_only', access: 'write', sla_level: 'EMERGENCY' }, 'read-only', 'SLA emergency'],
    [
      { mode: 'needs_recovery', access: 'write', sla_level: 'RECOVERING' },
      'needs recovery',
      'SLA recovering',
    ],
    [{ mode: 'failed', access: 'write', sla_level: 'NORMAL' }, 'failed', 'SLA normal'],
  ] as const)(
    'shows the store mode and the SLA level as two badges: %o',
    async (fields, mode, sla) => {
      const header = await renderHeader(makeSummary(fields))
      expect(header.getByText(mode)).toBeTruthy()
      expect(header.getByText(sla)).toBeTruthy()
    },
  )

  it('shows path, sequence range, count, size, segments and append rate', async () => {
    const header = await renderHeader(
      makeSummary({
        first_sequence: 1,
        last_sequence: 12345,
        event_count: 12345,
        bytes: 3 * 1024 * 1024,
        segments: 4,
        append_rate: 251.6,
      }),
    )
    expect(header.getByText('/data/orders')).toBeTruthy()
    expect(header.getByText('1 – 12,345')).toBeTruthy()
    expect(header.getByText('12,345')).toBeTruthy()
    expect(header.getByText('3 MiB')).toBeTruthy()
    expect(header.getByText('4')).toBeTruthy()
    expect(header.getByText('252 ev/s')).toBeTruthy()
  })

  it('moves the counts and the rate with the live stream between the host summaries', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const header = await renderHeader(
      makeSummary({ first_sequence: 1, last_sequence: 1000, event_count: 1000, append_rate: 40 }),
    )
    const pushRange = (first: number, last: number) =>
      act(() => {
        vi.setSystemTime(Date.now() + 1000)
        const events = Array.from({ length: last - first + 1 }, (_, i) => makeEvent(first + i))
        header.rendered.connection.push([{ type: 'events', subscription_id: 'sub-1', events }])
      })
    pushRange(1001, 1500)
    expect(figure('Events')).toBe('1,500')
    expect(figure('Sequences')).toBe('1 – 1,500')
    expect(figure('Append rate')).toBe('40 ev/s')
    pushRange(1501, 2000)
    expect(figure('Events')).toBe('2,000')
    expect(figure('Append rate')).toBe('500 ev/s')
  })
})
