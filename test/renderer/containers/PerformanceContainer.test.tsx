// @vitest-environment jsdom
import { act, cleanup, screen } from '@testing-library/react'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  PerformanceContainer,
  SLA_HISTORY_POLL_MS,
} from '../../../src/renderer/src/containers/PerformanceContainer'
import { createFakeApi, HANDLE, ok } from '../support/fakeApi'
import { renderShownStore, settle } from '../support/renderInspector'
import { slaHistory, slaSnapshot } from '../views/fixtures'

beforeAll(() => {
  // recharts watches its container's size; jsdom has no ResizeObserver.
  globalThis.ResizeObserver ??= class {
    observe() {}
    unobserve() {}
    disconnect() {}
  }
})
afterEach(() => {
  cleanup()
  vi.useRealTimers()
})

async function renderPerformance() {
  const fake = createFakeApi()
  fake.answer('slaSnapshot', async () => ok(slaSnapshot()))
  fake.answer('slaHistory', async () => ok(slaHistory()))
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
  return renderShownStore(<PerformanceContainer />, { fake })
}

describe('PerformanceContainer', () => {
  it('draws the loaded snapshot and history, and reads the history again while shown', async () => {
    const { fake, result } = await renderPerformance()
    expect(fake.callsOf('slaSnapshot')).toEqual([{ handle: HANDLE }])
    expect(fake.callsOf('slaHistory')).toEqual([{ handle: HANDLE }])
    expect(screen.getByRole('figure', { name: 'Append latency' })).toBeTruthy()
    expect(screen.getByRole('table', { name: 'Latency SLAs' })).toBeTruthy()

    await act(async () => vi.advanceTimersByTime(SLA_HISTORY_POLL_MS))
    await settle()
    expect(fake.callsOf('slaHistory')).toHaveLength(2)

    result.unmount()
    await act(async () => vi.advanceTimersByTime(3 * SLA_HISTORY_POLL_MS))
    expect(fake.callsOf('slaHistory')).toHaveLength(2)
  })

  it('takes pushed snapshots without asking again', async () => {
    const { fake, connection } = await renderPerformance()
    const snapshot = slaSnapshot({ level: 'EMERGENCY' })
    act(() => connection.push([{ type: 'sla', handle: HANDLE, snapshot }]))
    expect(screen.getAllByText(/EMERGENCY/).length).toBeGreaterThan(0)
    expect(fake.callsOf('slaSnapshot')).toHaveLength(1)
  })
})
