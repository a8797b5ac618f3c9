import { describe, expect, it, vi } from 'vitest'
import { storePathArgument } from '../../../src/main/shell/launchArgs'
import type { StoreDialogsOptions } from '../../../src/main/shell/storeDialogs'
import { createStoreActions } from '../../../src/main/shell/storeDialogs'

function setup(choice: { canceled: boolean; filePaths: string[] }, opened = true) {
  const answer = opened
    ? { ok: true, value: { handle: 'h-7' } }
    : { ok: false, error: { code: 'not_a_store', message: '/x is not a store.' } }
  const options = {
    dialog: { showOpenDialog: vi.fn(() => Promise.resolve(choice)), showErrorBox: vi.fn() },
    api: {
      openStore: vi.fn(() => Promise.resolve(answer)),
      createStore: vi.fn(() => Promise.resolve(answer)),
      openDemo: vi.fn(() => Promise.resolve(answer)),
    },
    window: () => null,
    push: vi.fn(),
    onOpened: vi.fn(),
  }
  const actions = createStoreActions(options as unknown as StoreDialogsOptions)
  return { options, actions }
}

describe('store dialogs', () => {
  it('opens the chosen folder in the host and tells the page to show it', async () => {
    const { options, actions } = setup({ canceled: false, filePaths: ['/data/store'] })

    actions.openStore()

    await vi.waitFor(() => expect(options.push).toHaveBeenCalledOnce())
    expect(options.api.openStore).toHaveBeenCalledExactlyOnceWith({
      path: '/data/store',
      access: 'write',
    })
    expect(options.push).toHaveBeenCalledWith({
      type: 'menu',
      command: 'show_store',
      handle: 'h-7',
    })
    expect(options.onOpened).toHaveBeenCalledOnce()
  })

  it('creates a store in the chosen folder', async () => {
    const { options, actions } = setup({ canceled: false, filePaths: ['/data/new'] })
    actions.newStore()
    await vi.waitFor(() => expect(options.push).toHaveBeenCalledOnce())
    expect(options.api.createStore).toHaveBeenCalledExactlyOnceWith({ path: '/data/new' })
  })

  it('does nothing when the dialog is cancelled', async () => {
    const { options, actions } = setup({ canceled: true, filePaths: [] })
    actions.openStore()
    await vi.waitFor(() => expect(options.dialog.showOpenDialog).toHaveBeenCalledOnce())
    await new Promise((resolve) => setImmediate(resolve))
    expect(options.api.openStore).not.toHaveBeenCalled()
    expect(options.push).not.toHaveBeenCalled()
  })

  it("shows the host's sentence when a store cannot be opened", async () => {
    const { options, actions } = setup({ canceled: false, filePaths: [] }, false)
    actions.openPath('/x')
    await vi.waitFor(() => expect(options.dialog.showErrorBox).toHaveBeenCalledOnce())
    expect(options.dialog.showErrorBox).toHaveBeenCalledWith(
      'Lighthouse Store',
      'Could not open the store at /x: /x is not a store.',
    )
    expect(options.push).not.toHaveBeenCalled()
  })

  it('passes Verify and Run Recovery to the page as menu pushes', () => {
    const { options, actions } = setup({ canceled: true, filePaths: [] })
    actions.verify()
    actions.runRecovery()
    expect(options.push.mock.calls).toEqual([
      [{ type: 'menu', command: 'verify' }],
      [{ type: 'menu', command: 'run_recovery' }],
    ])
  })
})

describe('store path on the command line', () => {
  it('takes the last plain argument, resolved against the launching directory', () => {
    const context = { packaged: true, workingDirectory: '/home/me' }
    expect(storePathArgument(['/opt/app', '--allow-file-access', 'stores/a'], context)).toBe(
      '/home/me/stores/a',
    )
    expect(storePathArgument(['/opt/app'], context)).toBeNull()
  })

  it('skips the app directory of an unpackaged run', () => {
    const context = { packaged: false, workingDirectory: '/w' }
    expect(storePathArgument(['electron', '/w/project'], context)).toBeNull()
    expect(storePathArgument(['electron', '/w/project', '/data/s'], context)).toBe('/data/s')
  })
})
