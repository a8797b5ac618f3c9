// @vitest-environment jsdom
import { act, cleanup, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it } from 'vitest'
import type { BridgeKind } from '../../../src/renderer/src/api/storeConnection'
import { AppShell } from '../../../src/renderer/src/shell/AppShell'
import { SHORTCUTS, shortcutFor } from '../../../src/renderer/src/shell/shortcuts'
import { makeEvent } from '../support/fakeApi'
import { renderShownStore } from '../support/renderInspector'

afterEach(cleanup)

async function renderShell(kind: BridgeKind = 'electron') {
  const rendered = await renderShownStore(<AppShell />, { kind })
  const state = () => rendered.inspector.store.getState()
  return { ...rendered, state, user: userEvent.setup({ delay: null }) }
}

/** The overlay's rows as [keys, description], read the way a person reads them. */
function overlayRows(): [string[], string][] {
  const dialog = screen.getByRole('dialog', { name: 'Keyboard shortcuts' })
  return within(dialog)
    .getAllByRole('row')
    .map((row) => {
      const [keys, description] = within(row).getAllByRole('cell')
      const kbds = [...keys!.querySelectorAll('kbd')].map((kbd) => kbd.textContent ?? '')
      return [kbds, description!.textContent ?? '']
    })
}

const keyPress = (key: string) => new KeyboardEvent('keydown', { key })

describe('keyboard shortcuts', () => {
  it('? opens the help overlay on its Close button; Escape closes it and gives focus back', async () => {
    const { user, state } = await renderShell()
    const pause = screen.getByRole('button', { name: 'Pause' })
    pause.focus()
    await user.keyboard('?')
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Close' }))
    await user.keyboard('{Escape}')
    expect(screen.queryByRole('dialog')).toBeNull()
    expect(state().navigation.helpOpen).toBe(false)
    expect(document.activeElement).toBe(pause)
  })

  it.each<BridgeKind>(['electron', 'browser'])(
    'lists in the %s overlay exactly the keys that act there',
    async (kind) => {
      const { user } = await renderShell(kind)
      await user.keyboard('?')
      const rows = overlayRows()
      for (const [keys, description] of rows) {
        // A listed key in the overlay's own state (open for Escape, closed for the rest).
        const helpOpen = description === 'Close this overlay'
        for (const key of keys) {
          expect(shortcutFor(keyPress(key), { bridge: kind, helpOpen })?.description).toBe(
            description,
          )
        }
      }
      const listed = new Set(rows.flatMap(([keys]) => keys))
      for (const key of SHORTCUTS.flatMap((shortcut) => shortcut.keys)) {
        const acts = [true, false].some(
          (helpOpen) => shortcutFor(keyPress(key), { bridge: kind, helpOpen }) !== null,
        )
        expect(acts, `key ${key}`).toBe(listed.has(key))
      }
      // A served page shows one store: it has no Open, so it does not advertise one.
      expect(listed.has('o')).toBe(kind === 'electron')
    },
  )

  it('o goes to Start and puts focus in the store folder field', async () => {
    const { user, state } = await renderShell()
    await user.keyboard('o')
    expect(state().navigation.view).toBe('start')
    await waitFor(() => expect(document.activeElement).toBe(screen.getByLabelText('Store folder')))
  })

  it('/ goes to Live and puts focus in the first filter; typing there triggers nothing', async () => {
    const { user, state } = await renderShell()
    await user.keyboard('o')
    // Off the Live view, with the focus where `o` puts it and then taken away, as a click would.
    const folder = screen.getByLabelText('Store folder')
    await waitFor(() => expect(document.activeElement).toBe(folder))
    act(() => folder.blur())
    await user.keyboard('/')
    expect(state().navigation.view).toBe('live')
    const filter = screen.getByRole('form', { name: 'Live filters' }).querySelector('input')
    await waitFor(() => expect(document.activeElement).toBe(filter))
    await user.keyboard('p?')
    expect(state().live.paused).toBeNull()
    expect(state().navigation.helpOpen).toBe(false)
    expect(filter?.value).toBe('p?')
  })

  it('p pauses and resumes the live events, but not behind the open overlay', async () => {
    const { user, state } = await renderShell()
    await user.keyboard('p')
    expect(state().live.paused).not.toBeNull()
    await user.keyboard('p')
    expect(state().live.paused).toBeNull()
    await user.keyboard('?p')
    expect(state().live.paused).toBeNull()
  })

  it('k and j move the selection through the live events', async () => {
    const { user, state, connection } = await renderShell()
    act(() =>
      connection.push([
        { type: 'events', subscription_id: 'sub-1', events: [1, 2, 3].map((n) => makeEvent(n)) },
      ]),
    )
    await user.keyboard('k')
    expect(state().selection.event?.sequence).toBe(3)
    await user.keyboard('kk')
    expect(state().selection.event?.sequence).toBe(1)
    await user.keyboard('j')
    expect(state().selection.event?.sequence).toBe(2)
  })
})
