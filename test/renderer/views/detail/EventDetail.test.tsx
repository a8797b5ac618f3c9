// @vitest-environment jsdom
import { cleanup, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it } from 'vitest'
import { EventDetail } from '../../../../src/renderer/src/views/detail/EventDetail'
import { createFakeApi, HANDLE, makeEvent } from '../../support/fakeApi'
import { renderInspector, settle } from '../../support/renderInspector'

afterEach(cleanup)

const cause = makeEvent(1, { event_type: 'command_received', correlation_id: 'corr-1' })
const effect = makeEvent(2, {
  event_type: 'command_executed',
  correlation_id: 'corr-1',
  causation_id: cause.event_id,
  data: { order: { id: 'o-1', lines: [{ sku: 'a', deep: { hidden: 'x' } }] } },
  metadata: { trace: 't-9' },
})

async function renderDetail() {
  const rendered = renderInspector(<EventDetail event={effect} handle={HANDLE} />, {
    fake: createFakeApi(undefined, [cause, effect]),
  })
  await settle()
  return rendered
}

describe('Event detail', () => {
  it('shows data and metadata as trees whose deeper levels start collapsed', async () => {
    await renderDetail()
    const data = screen.getByRole('group', { name: 'Data' })
    expect(within(data).getByText('"o-1"')).toBeTruthy()
    const deep = within(data).getByText('deep:').closest('details') as HTMLDetailsElement
    expect(deep.open).toBe(false)
    await userEvent.click(within(data).getByText('deep:'))
    expect(deep.open).toBe(true)
    expect(within(screen.getByRole('group', { name: 'Metadata' })).getByText('"t-9"')).toBeTruthy()
  })

  it('opens the correlation chain in Query and the cause in place', async () => {
    const { inspector, fake } = await renderDetail()
    await userEvent.click(screen.getByRole('button', { name: 'corr-1' }))
    expect(inspector.store.getState().navigation).toMatchObject({
      view: 'query',
      queryFilter: { correlation_id: 'corr-1' },
    })
    await userEvent.click(screen.getByRole('button', { name: 'Open the cause' }))
    expect(fake.callsOf('getEvent')).toEqual([{ handle: HANDLE, event_id: cause.event_id }])
    expect(inspector.store.getState().selection.event).toEqual(cause)
    await userEvent.click(screen.getByRole('button', { name: 'Events caused by this one' }))
    expect(inspector.store.getState().navigation.queryFilter).toEqual({
      causation_id: effect.event_id,
    })
  })

  it('shows the checksum state, and the raw bytes only when asked', async () => {
    const { fake } = await renderDetail()
    expect(fake.callsOf('getRawRecord')).toEqual([{ handle: HANDLE, sequence: 2 }])
    expect(screen.getByText('Checksum verified')).toBeTruthy()
    expect(screen.queryByLabelText('Raw bytes')).toBeNull()
    await userEvent.click(screen.getByRole('button', { name: 'Show raw bytes' }))
    expect(screen.getByLabelText('Raw bytes').textContent).toBe('00000000  0a 0b 0c')
  })

  it('has a copy button for the event id', async () => {
    await renderDetail()
    const writes: string[] = []
    Object.defineProperty(navigator, 'clipboard', {
      configurable: true,
      value: { writeText: async (text: string) => void writes.push(text) },
    })
    await userEvent.click(screen.getByRole('button', { name: 'Copy event id' }))
    expect(writes).toEqual([effect.event_id])
    expect(await screen.findByText('Copied')).toBe(
      screen.getByRole('button', { name: 'Copy event id' }),
    )
  })
})
