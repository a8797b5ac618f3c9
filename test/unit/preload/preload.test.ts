// The preload runs against a mocked electron: the test records what it hands the page
// through contextBridge, and what it asks of ipcRenderer.
import { beforeAll, describe, expect, it, vi } from 'vitest'
import type { LighthouseBridge } from '../../../src/shared/bridge'
import { BRIDGE_GLOBAL_NAME } from '../../../src/shared/bridge'
import { CALL_CHANNEL, PUSH_CHANNEL } from '../../../src/shared/push'
import { STORE_API_METHODS } from '../../../src/shared/storeApi'
import { VALID_ARGS } from '../rpc/fakeStoreApi'

const electronFake = vi.hoisted(() => {
  // Replaced at build time by electron.vite.config.ts; a test defines it itself.
  Object.assign(globalThis, { __LIGHTHOUSE_VERSION__: '9.8.7' })
  const listeners = new Map<string, ((...args: unknown[]) => void)[]>()
  return {
    exposed: new Map<string, unknown>(),
    listeners,
    webUtils: {
      getPathForFile: vi.fn((file: { name: string }) => `/dropped/${file.name}`),
    },
    ipcRenderer: {
      invoke: vi.fn((..._args: unknown[]) => Promise.resolve({ ok: true, value: null })),
      on: vi.fn((channel: string, listener: (...args: unknown[]) => void) => {
        listeners.set(channel, [...(listeners.get(channel) ?? []), listener])
      }),
      removeListener: vi.fn((channel: string, listener: (...args: unknown[]) => void) => {
        listeners.set(
          channel,
          (listeners.get(channel) ?? []).filter((other) => other !== listener),
        )
      }),
    },
  }
})

vi.mock('electron', () => ({
  contextBridge: {
    exposeInMainWorld: (name: string, value: unknown) => electronFake.exposed.set(name, value),
  },
  ipcRenderer: electronFake.ipcRenderer,
  webUtils: electronFake.webUtils,
}))

let bridge: LighthouseBridge
let pushListenersMax: number

beforeAll(async () => {
  pushListenersMax = (await import('../../../src/preload/index')).PUSH_LISTENERS_MAX
  bridge = electronFake.exposed.get(BRIDGE_GLOBAL_NAME) as LighthouseBridge
})

function emitPush(batch: unknown): void {
  const sender = { id: 1, send: vi.fn() }
  for (const listener of electronFake.listeners.get(PUSH_CHANNEL) ?? []) listener({ sender }, batch)
}

describe('preload', () => {
  it('exposes one global, window.lighthouse, and nothing else', () => {
    expect([...electronFake.exposed.keys()]).toEqual([BRIDGE_GLOBAL_NAME])
  })

  it('exposes the version, the api, onPush and pathForFile only: never ipcRenderer', () => {
    expect(Object.keys(bridge).sort()).toEqual(['api', 'onPush', 'pathForFile', 'version'])
    expect(bridge.version).toBe('9.8.7')
    expect(Object.values(bridge)).not.toContain(electronFake.ipcRenderer)
    expect(Object.isFrozen(bridge)).toBe(true)
  })

  it('offers exactly the methods of the contract', () => {
    expect(Object.keys(bridge.api).sort()).toEqual([...STORE_API_METHODS].sort())
    expect(Object.isFrozen(bridge.api)).toBe(true)
  })

  it.each(STORE_API_METHODS)(
    'sends %s on the call channel with its name and arguments',
    async (method) => {
      electronFake.ipcRenderer.invoke.mockClear()
      const args = VALID_ARGS[method]

      const call = bridge.api[method] as (args?: unknown) => Promise<unknown>
      await expect(call(args)).resolves.toEqual({ ok: true, value: null })

      expect(electronFake.ipcRenderer.invoke).toHaveBeenCalledExactlyOnceWith(
        CALL_CHANNEL,
        method,
        args,
      )
    },
  )

  it('answers the path of a dropped file with webUtils, and nothing else of electron', () => {
    const file = new File([], 'orders')
    expect(bridge.pathForFile(file)).toBe('/dropped/orders')
    expect(electronFake.webUtils.getPathForFile).toHaveBeenCalledExactlyOnceWith(file)
    expect(Object.values(bridge)).not.toContain(electronFake.webUtils)
    expect(Object.values(bridge)).not.toContain(electronFake.webUtils.getPathForFile)
  })

  it('hands a push listener the batch alone, never the IPC event', () => {
    const listener = vi.fn()
    const unsubscribe = bridge.onPush(listener)

    emitPush([{ type: 'menu', command: 'verify' }])
    unsubscribe()
    emitPush([{ type: 'menu', command: 'run_recovery' }])

    expect(listener.mock.calls).toEqual([[[{ type: 'menu', command: 'verify' }]]])
  })

  it('removes only its own listener, once, however often unsubscribe is called', () => {
    const kept = vi.fn()
    const removed = vi.fn()
    const keep = bridge.onPush(kept)
    const remove = bridge.onPush(removed)

    remove()
    remove()
    emitPush([])

    expect(kept).toHaveBeenCalledOnce()
    expect(removed).not.toHaveBeenCalled()
    keep()
  })

  it('refuses more than PUSH_LISTENERS_MAX listeners, and a listener that is not a function', () => {
    const unsubscribes = Array.from({ length: pushListenersMax }, () => bridge.onPush(vi.fn()))
    expect(() => bridge.onPush(vi.fn())).toThrow(`At most ${pushListenersMax} push listeners`)
    for (const unsubscribe of unsubscribes) unsubscribe()
    expect(() => bridge.onPush('alert(1)' as unknown as () => void)).toThrow('needs a function')
  })
})
