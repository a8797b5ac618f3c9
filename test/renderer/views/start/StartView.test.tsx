// @vitest-environment jsdom
import { act, cleanup, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it } from 'vitest'
import { StartView } from '../../../../src/renderer/src/views/start/StartView'
import { createFakeApi, fail, makeSummary, ok } from '../../support/fakeApi'
import { renderInspector, settle } from '../../support/renderInspector'

afterEach(cleanup)

describe('Start view', () => {
  it('offers follow mode when another process holds the store, and opens it read-only', async () => {
    const fake = createFakeApi()
    const following = makeSummary({ access: 'follow', mode: 'read_only' })
    fake.answer('openStore', async ({ access }) =>
      access === 'write' ? fail('store_locked', 'Held by pid 42.') : ok(following),
    )
    const { inspector } = renderInspector(<StartView />, { fake })
    await settle()
    await userEvent.type(screen.getByRole('textbox', { name: 'Store folder' }), '/data/orders')
    await userEvent.click(screen.getByRole('button', { name: 'Open' }))
    expect(screen.getByRole('alert').textContent).toContain(
      'Another process is writing to /data/orders',
    )
    await userEvent.click(screen.getByRole('button', { name: 'Open in follow (read-only) mode' }))
    expect(fake.callsOf('openStore').at(-1)).toEqual({ path: '/data/orders', access: 'follow' })
    expect(inspector.store.getState().navigation.view).toBe('live')
    expect(inspector.store.getState().session.stores['store-1']?.access).toBe('follow')
  })

  it('offers to go to Files and Recovery when the store is damaged', async () => {
    const fake = createFakeApi()
    fake.answer('openStore', async () => fail('needs_recovery', 'Segment 2 has a bad checksum.'))
    const { inspector } = renderInspector(<StartView />, { fake })
    await userEvent.type(screen.getByRole('textbox', { name: 'Store folder' }), '/data/broken')
    await userEvent.click(screen.getByRole('button', { name: 'Open' }))
    expect(screen.getByRole('alert').textContent).toContain('Segment 2 has a bad checksum.')
    await userEvent.click(screen.getByRole('button', { name: 'Go to Recovery' }))
    expect(inspector.store.getState().navigation.view).toBe('recovery')
  })

  it('lists recent stores in Electron and opens one', async () => {
    const fake = createFakeApi()
    fake.answer('listRecent', async () =>
      ok([
        {
          path: '/data/a',
          name: 'a',
          size_bytes: 1536,
          last_opened_at: '2026-11-27T03:00:00.000Z',
          exists: true,
        },
        {
          path: '/data/gone',
          name: 'gone',
          size_bytes: null,
          last_opened_at: '2026-11-26T03:00:00.000Z',
          exists: false,
        },
      ]),
    )
    renderInspector(<StartView />, { fake })
    await settle()
    expect(screen.getByRole('row', { name: /\/data\/a 1.5 KiB/ })).toBeTruthy()
    expect(screen.getByRole('button', { name: 'Open /data/gone' })).toHaveProperty('disabled', true)
    await userEvent.click(screen.getByRole('button', { name: 'Open /data/a' }))
    expect(fake.callsOf('openStore')).toEqual([{ path: '/data/a', access: 'write' }])
  })

  it('shows the served store instead of browsing in browser mode', async () => {
    const fake = createFakeApi()
    fake.answer('listRecent', async () => fail('not_available', 'Not in browser mode.'))
    const { inspector } = renderInspector(<StartView />, { fake, kind: 'browser' })
    await act(() => inspector.refreshStores())
    expect(screen.queryByRole('textbox', { name: 'Store folder' })).toBeNull()
    expect(screen.getByText(/served for one store/)).toBeTruthy()
    await userEvent.click(screen.getByRole('button', { name: 'Show orders' }))
    expect(inspector.store.getState().navigation.view).toBe('live')
  })
})
