// ipc.ts imports only Electron's types, so fakes of ipcMain and webContents stand in for
// Electron at the boundary: these tests check what reaches the host and what the page gets.
import { describe, expect, it, vi } from 'vitest'
import type { IpcBridgeOptions } from '../../../src/main/rpc/ipc'
import { attachIpcBridge, originOf } from '../../../src/main/rpc/ipc'
import type { PushBatch } from '../../../src/shared/push'
import { CALL_CHANNEL, PUSH_CHANNEL } from '../../../src/shared/push'
import { STORE_API_METHODS } from '../../../src/shared/storeApi'
import { fakeHost, VALID_ARGS } from './fakeStoreApi'

const APP_PAGE = 'lighthouse://app/index.html'

type Handler = (event: unknown, method: unknown, args: unknown) => Promise<unknown>

function fakeElectron() {
  const handlers = new Map<string, Handler>()
  const listeners = new Map<string, () => void>()
  const ipcMain = {
    handle: vi.fn((channel: string, handler: Handler) => void handlers.set(channel, handler)),
    removeHandler: vi.fn((channel: string) => void handlers.delete(channel)),
  }
  let destroyed = false
  const webContents = {
    send: vi.fn(),
    isDestroyed: () => destroyed,
    on: vi.fn((event: string, listener: () => void) => {
      listeners.set(event, listener)
      return webContents
    }),
  }
  const host = fakeHost()
  const bridge = attachIpcBridge({
    ipcMain: ipcMain,
    webContents: webContents as unknown as IpcBridgeOptions['webContents'],
    allowedOrigins: ['lighthouse://app'],
    connect: host.connect,
  })
  /** invoke calls CALL_CHANNEL as a frame of `sender` showing `url` would. */
  const invoke = (
    method: unknown,
    args: unknown,
    from: { sender?: unknown; url?: string; parent?: unknown } = {},
  ) => {
    const handler = handlers.get(CALL_CHANNEL)
    if (handler === undefined) throw new Error('no handler on the call channel')
    const senderFrame = { url: from.url ?? APP_PAGE, parent: from.parent ?? null }
    return handler({ sender: from.sender ?? webContents, senderFrame }, method, args)
  }
  return {
    ipcMain,
    webContents,
    host,
    bridge,
    invoke,
    handlers,
    emit: (event: string) => listeners.get(event)?.(),
    destroy: () => {
      destroyed = true
      listeners.get('destroyed')?.()
    },
  }
}

describe('IPC bridge', () => {
  it.each(STORE_API_METHODS)('reaches %s through the registered handler', async (method) => {
    const electron = fakeElectron()

    const result = await electron.invoke(method, VALID_ARGS[method])

    expect(result).toEqual({ ok: true, value: method })
    expect(electron.host.clients[0]?.client[method]).toHaveBeenCalledExactlyOnceWith(
      VALID_ARGS[method],
    )
  })

  it('answers bad arguments and unknown methods through the dispatcher', async () => {
    const electron = fakeElectron()

    await expect(electron.invoke('summary', { handle: 3 })).resolves.toMatchObject({
      ok: false,
      error: { code: 'validation' },
    })
    await expect(electron.invoke('eval', 'x')).resolves.toMatchObject({
      ok: false,
      error: { code: 'unknown_method' },
    })
  })

  it.each([
    ['another window', { sender: { id: 99 } }],
    ['an embedded frame', { parent: { url: APP_PAGE } }],
    ['a page from another origin', { url: 'https://evil.example/' }],
    ['a file:// page', { url: 'file:///tmp/index.html' }],
    ['a frame that is gone', { url: 'not a url' }],
  ])('refuses a call from %s with forbidden and never reaches the host', async (_name, from) => {
    const electron = fakeElectron()

    const result = await electron.invoke('listOpen', undefined, from)

    expect(result).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    expect(electron.host.clients).toHaveLength(0)
  })

  it('refuses a call whose sender frame is null (navigated away or destroyed)', async () => {
    const electron = fakeElectron()
    const handler = electron.handlers.get(CALL_CHANNEL)
    const result = await handler?.(
      { sender: electron.webContents, senderFrame: null },
      'listOpen',
      undefined,
    )
    expect(result).toMatchObject({ ok: false, error: { code: 'forbidden' } })
  })

  it("sends the host's pushes to the page on the push channel", async () => {
    const electron = fakeElectron()
    await electron.invoke('listOpen', undefined)
    const batch: PushBatch = [{ type: 'menu', command: 'verify' }]

    await electron.host.clients[0]?.sink(batch)
    electron.bridge.push([{ type: 'menu', command: 'run_recovery' }])

    expect(electron.webContents.send.mock.calls).toEqual([
      [PUSH_CHANNEL, batch],
      [PUSH_CHANNEL, [{ type: 'menu', command: 'run_recovery' }]],
    ])
  })

  it('gives a reloaded page a new client and closes the old one', async () => {
    const electron = fakeElectron()
    await electron.invoke('listOpen', undefined)

    electron.emit('did-navigate')
    await electron.invoke('listOpen', undefined)

    const [first, second] = electron.host.clients
    await vi.waitFor(() => expect(first?.client.close).toHaveBeenCalledOnce())
    expect(second?.client.close).not.toHaveBeenCalled()
  })

  it('removes its handler, closes its client and stops pushing when the window closes', async () => {
    const electron = fakeElectron()
    await electron.invoke('listOpen', undefined)

    electron.destroy()
    electron.bridge.push([{ type: 'menu', command: 'verify' }])

    expect(electron.ipcMain.removeHandler).toHaveBeenCalledExactlyOnceWith(CALL_CHANNEL)
    expect(electron.handlers.has(CALL_CHANNEL)).toBe(false)
    await vi.waitFor(() => expect(electron.host.clients[0]?.client.close).toHaveBeenCalledOnce())
    expect(electron.webContents.send).not.toHaveBeenCalled()
  })
})

describe('originOf', () => {
  it('gives the app protocol an origin, which WHATWG URL leaves as "null"', () => {
    expect(originOf('lighthouse://app/index.html')).toBe('lighthouse://app')
    expect(originOf('http://localhost:5173/')).toBe('http://localhost:5173')
    expect(originOf('garbage')).toBe('null')
  })
})
