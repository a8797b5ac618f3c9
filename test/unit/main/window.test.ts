// Electron is mocked at the module boundary: these tests check what the app asks Electron
// for (preferences, handlers), not Electron itself, so they run without the binary.
// vi.mock is hoisted above the imports, so window.ts sees the fake module.
import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { Session, WebContents } from 'electron'
import {
  createMainWindow,
  denyAllPermissions,
  hardenWebContents,
  isHttpsUrl,
  secureWebPreferences,
} from '../../../src/main/window'

const electronFake = vi.hoisted(() => {
  class FakeBrowserWindow {
    static created: FakeBrowserWindow[] = []
    readonly loadURL = vi.fn()
    readonly loadFile = vi.fn()
    readonly show = vi.fn()
    readonly maximize = vi.fn()
    private readyListener: (() => void) | undefined
    readonly once = vi.fn((event: string, listener: () => void) => {
      if (event === 'ready-to-show') this.readyListener = listener
    })
    constructor(readonly options: { webPreferences?: Record<string, unknown> }) {
      FakeBrowserWindow.created.push(this)
    }
    readyToShow(): void {
      this.readyListener?.()
    }
  }
  return { FakeBrowserWindow, openExternal: vi.fn(() => Promise.resolve()) }
})

vi.mock('electron', () => ({
  BrowserWindow: electronFake.FakeBrowserWindow,
  shell: { openExternal: electronFake.openExternal },
}))

type Listener = (...args: unknown[]) => unknown

const windowState = { bounds: { x: 10, y: 20, width: 900, height: 700 }, maximized: false }

/** fakeWebContents records the listeners and window-open handler the app installs. */
function fakeWebContents() {
  const listeners = new Map<string, Listener>()
  let windowOpenHandler: Listener | undefined
  const contents = {
    on: vi.fn((event: string, listener: Listener) => {
      listeners.set(event, listener)
      return contents
    }),
    setWindowOpenHandler: vi.fn((handler: Listener) => {
      windowOpenHandler = handler
    }),
  }
  return {
    contents: contents as unknown as Pick<WebContents, 'on' | 'setWindowOpenHandler'>,
    emit(event: string, ...args: unknown[]) {
      const listener = listeners.get(event)
      if (listener === undefined) throw new Error(`no listener for ${event}`)
      return listener(...args)
    },
    openWindow(url: string) {
      if (windowOpenHandler === undefined) throw new Error('no window open handler')
      return windowOpenHandler({ url })
    },
  }
}

function navigationEvent(url: string) {
  return { url, preventDefault: vi.fn() }
}

beforeEach(() => {
  electronFake.FakeBrowserWindow.created.length = 0
  electronFake.openExternal.mockClear()
})

describe('main window', () => {
  it('isolates the page from Node: context isolation and sandbox on, node integration off', () => {
    expect(secureWebPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    })
  })

  it('opens with the secure preferences plus the preload and nothing else', () => {
    createMainWindow({ preloadPath: '/app/out/preload/index.js', ...windowState })

    const [window] = electronFake.FakeBrowserWindow.created
    expect(window?.options.webPreferences).toEqual({
      ...secureWebPreferences,
      preload: '/app/out/preload/index.js',
    })
  })

  it('opens at the remembered bounds, hidden until the page is ready', () => {
    createMainWindow({ preloadPath: '/p.js', ...windowState })

    const [window] = electronFake.FakeBrowserWindow.created
    expect(window?.options).toMatchObject({ x: 10, y: 20, width: 900, height: 700, show: false })
  })

  it('leaves loading the page to the caller, which attaches the IPC bridge first', () => {
    createMainWindow({ preloadPath: '/p.js', ...windowState })

    const [window] = electronFake.FakeBrowserWindow.created
    expect(window?.loadURL).not.toHaveBeenCalled()
    expect(window?.loadFile).not.toHaveBeenCalled()
  })

  it('maximizes a window that was maximized, once it is ready to show', () => {
    createMainWindow({ preloadPath: '/p.js', ...windowState, maximized: true })

    const [window] = electronFake.FakeBrowserWindow.created
    window?.readyToShow()
    expect(window?.maximize).toHaveBeenCalledOnce()
    expect(window?.show).toHaveBeenCalledOnce()
  })
})

describe('web contents hardening', () => {
  it('cancels every navigation away from the app', () => {
    const page = fakeWebContents()
    hardenWebContents(page.contents, electronFake.openExternal)

    for (const url of ['https://example.com/', 'http://example.com/', 'file:///etc/passwd']) {
      const event = navigationEvent(url)
      page.emit('will-navigate', event)
      expect(event.preventDefault).toHaveBeenCalledOnce()
    }
  })

  it('refuses to attach a <webview>', () => {
    const page = fakeWebContents()
    hardenWebContents(page.contents, electronFake.openExternal)

    const event = navigationEvent('about:blank')
    page.emit('will-attach-webview', event)
    expect(event.preventDefault).toHaveBeenCalledOnce()
  })

  it('denies every new window', () => {
    const page = fakeWebContents()
    hardenWebContents(page.contents, electronFake.openExternal)

    for (const url of ['https://example.com/', 'http://example.com/', 'about:blank']) {
      expect(page.openWindow(url)).toEqual({ action: 'deny' })
    }
  })

  it('hands https links to the system browser', () => {
    const page = fakeWebContents()
    hardenWebContents(page.contents, electronFake.openExternal)

    page.openWindow('https://example.com/docs')
    page.emit('will-navigate', navigationEvent('https://example.com/help'))

    expect(electronFake.openExternal.mock.calls).toEqual([
      ['https://example.com/docs'],
      ['https://example.com/help'],
    ])
  })

  it('never hands a non-https URL to the system browser', () => {
    const page = fakeWebContents()
    hardenWebContents(page.contents, electronFake.openExternal)

    const unsafe = [
      'http://example.com/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'smb://host/share',
      'not a url',
    ]
    for (const url of unsafe) {
      page.openWindow(url)
      page.emit('will-navigate', navigationEvent(url))
    }
    expect(electronFake.openExternal).not.toHaveBeenCalled()
  })

  it('uses shell.openExternal when no opener is given', () => {
    const page = fakeWebContents()
    hardenWebContents(page.contents)

    page.openWindow('https://example.com/')
    expect(electronFake.openExternal).toHaveBeenCalledWith('https://example.com/')
  })
})

describe('permissions', () => {
  function fakeSession() {
    const handlers: { request?: Listener; check?: Listener } = {}
    const session = {
      setPermissionRequestHandler: vi.fn((handler: Listener) => {
        handlers.request = handler
      }),
      setPermissionCheckHandler: vi.fn((handler: Listener) => {
        handlers.check = handler
      }),
    }
    return {
      session: session as unknown as Pick<
        Session,
        'setPermissionRequestHandler' | 'setPermissionCheckHandler'
      >,
      handlers,
    }
  }

  it('denies every permission request', () => {
    const { session, handlers } = fakeSession()
    denyAllPermissions(session)

    for (const permission of ['media', 'geolocation', 'notifications', 'openExternal']) {
      const callback = vi.fn()
      handlers.request?.({}, permission, callback, {})
      expect(callback).toHaveBeenCalledExactlyOnceWith(false)
    }
  })

  it('answers every permission check with no', () => {
    const { session, handlers } = fakeSession()
    denyAllPermissions(session)

    expect(handlers.check?.({}, 'clipboard-read', 'file://', {})).toBe(false)
    expect(handlers.check?.(null, 'media', 'https://example.com', {})).toBe(false)
  })
})

describe('isHttpsUrl', () => {
  it('accepts only https URLs', () => {
    expect(isHttpsUrl('https://example.com')).toBe(true)
    expect(isHttpsUrl('HTTPS://EXAMPLE.COM')).toBe(true)
    expect(isHttpsUrl('http://example.com')).toBe(false)
    expect(isHttpsUrl('file:///tmp/x')).toBe(false)
    expect(isHttpsUrl('')).toBe(false)
  })
})
