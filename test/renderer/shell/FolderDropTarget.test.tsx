// @vitest-environment jsdom
import { cleanup, fireEvent, screen } from '@testing-library/react'
import { StrictMode } from 'react'
import { afterEach, describe, expect, it } from 'vitest'
import { AppShell } from '../../../src/renderer/src/shell/AppShell'
import { DROP_NEEDS_DESKTOP_APP } from '../../../src/renderer/src/state/createInspector'
import type { BridgeKind } from '../../../src/renderer/src/api/storeConnection'
import { createFakeApi, fail } from '../support/fakeApi'
import { renderShownStore, settle } from '../support/renderInspector'

afterEach(cleanup)

async function renderShell(kind: BridgeKind, fake = createFakeApi()) {
  // StrictMode, as the page runs: effects run twice, and a drop must still open once.
  const rendered = await renderShownStore(
    <StrictMode>
      <AppShell />
    </StrictMode>,
    { kind, fake },
  )
  const state = () => rendered.inspector.store.getState()
  return { ...rendered, state }
}

/** A drag as the browser describes it: what it carries, and the files when dropped. */
function drag(files: File[], types = ['Files']) {
  return { dataTransfer: { types, files, dropEffect: 'none' } }
}

const over = () => screen.getByRole('main')

describe('dropping a folder on the window', () => {
  it('shows a drop target while files are dragged over, and hides it when they leave', async () => {
    await renderShell('electron')
    const folder = new File([], 'orders')
    fireEvent.dragEnter(over(), drag([folder]))
    expect(screen.getByText('Drop a store folder to open it')).toBeTruthy()
    // Crossing into a child fires enter there before leave here: still over the window.
    fireEvent.dragEnter(screen.getByRole('navigation'), drag([folder]))
    fireEvent.dragLeave(over(), drag([folder]))
    expect(screen.getByText('Drop a store folder to open it')).toBeTruthy()
    fireEvent.dragLeave(screen.getByRole('navigation'), drag([folder]))
    expect(screen.queryByText('Drop a store folder to open it')).toBeNull()
  })

  it('ignores a drag that carries no files, such as selected text', async () => {
    await renderShell('electron')
    fireEvent.dragEnter(over(), drag([], ['text/plain']))
    expect(screen.queryByText('Drop a store folder to open it')).toBeNull()
  })

  it('opens the dropped folder by its path in Electron, from any view', async () => {
    const { connection, fake, state } = await renderShell('electron')
    expect(state().navigation.view).toBe('live')
    const folder = new File([], 'orders')
    connection.placeOnDisk(folder, '/data/orders')
    fireEvent.dragEnter(over(), drag([folder]))
    fireEvent.drop(over(), drag([folder]))
    await settle()
    expect(fake.callsOf('openStore')).toEqual([{ path: '/data/orders', access: 'write' }])
    expect(state().navigation).toMatchObject({ view: 'live', command: null })
    expect(screen.queryByText('Drop a store folder to open it')).toBeNull()
  })

  it('offers what can be done when the dropped store cannot be opened as it is', async () => {
    const fake = createFakeApi()
    fake.answer('openStore', async () => fail('store_locked', 'Held by pid 42.'))
    const { connection, state } = await renderShell('electron', fake)
    const folder = new File([], 'orders')
    connection.placeOnDisk(folder, '/data/orders')
    fireEvent.drop(over(), drag([folder]))
    await settle()
    expect(state().navigation.view).toBe('start')
    expect(screen.getByRole('alert').textContent).toContain(
      'Another process is writing to /data/orders',
    )
    expect(screen.getByRole('button', { name: 'Open in follow (read-only) mode' })).toBeTruthy()
    expect(fake.callsOf('openStore')).toHaveLength(1)
  })

  it('says so when the dropped item is not on disk, and asks the host nothing', async () => {
    const { fake } = await renderShell('electron')
    fireEvent.drop(over(), drag([new File(['x'], 'note.txt')]))
    await settle()
    expect(screen.getByText(/Opening the dropped note.txt failed: It is not a folder/)).toBeTruthy()
    expect(fake.callsOf('openStore')).toEqual([])
  })

  it('tells a browser page that dropped folders open in the desktop app, before and after the drop', async () => {
    const { fake, state } = await renderShell('browser')
    const folder = new File([], 'orders')
    fireEvent.dragEnter(over(), drag([folder]))
    expect(screen.getByText('Dropped folders cannot be opened here')).toBeTruthy()
    expect(screen.getByText(DROP_NEEDS_DESKTOP_APP)).toBeTruthy()
    fireEvent.drop(over(), drag([folder]))
    await settle()
    expect(screen.queryByText('Dropped folders cannot be opened here')).toBeNull()
    expect(state().session.lastError).toMatchObject({ code: 'not_available' })
    expect(
      screen.getByText(new RegExp(`Opening the dropped orders failed: A browser does not tell`)),
    ).toBeTruthy()
    expect(fake.callsOf('openStore')).toEqual([])
    expect(state().navigation.view).toBe('live')
  })

  it('lets the page handle the drop itself, so it never navigates to the dropped file', async () => {
    await renderShell('electron')
    const folder = new File([], 'orders')
    expect(fireEvent.dragOver(over(), drag([folder]))).toBe(false)
    expect(fireEvent.drop(over(), drag([folder]))).toBe(false)
  })
})
