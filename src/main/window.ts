// The main window never runs Node in the page, never leaves the app's own pages and never
// grants a browser permission: the renderer reaches the store only through the preload's
// named methods, so a compromised page can do no more than a user clicking in the UI.
import { BrowserWindow, shell } from 'electron'
import type { Session, WebContents, WebPreferences } from 'electron'
import { WINDOW_HEIGHT_MIN, WINDOW_WIDTH_MIN } from './shell/windowState'

/** secureWebPreferences are the webPreferences of every window; only `preload` is added. */
export const secureWebPreferences = Object.freeze({
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  experimentalFeatures: false,
  navigateOnDragDrop: false,
} as const satisfies WebPreferences)

/** MainWindowOptions say what the main window needs, resolved by the caller. */
export interface MainWindowOptions {
  preloadPath: string
  /** Remembered size and position (shell/windowState.ts); x and y left out to let the system place it. */
  bounds: { x?: number; y?: number; width: number; height: number }
  maximized: boolean
}

/** OpenExternal opens a URL in the user's browser (shell.openExternal in the app). */
export type OpenExternal = (url: string) => Promise<void>

/** isHttpsUrl tells whether a URL may be handed to the system browser. */
export function isHttpsUrl(url: string): boolean {
  return URL.canParse(url) && new URL(url).protocol === 'https:'
}

/**
 * createMainWindow makes the inspector window, hidden until its page is ready to show. It
 * does not load the page: the caller attaches the IPC bridge first, so the page's first
 * call finds its handler.
 */
export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const window = new BrowserWindow({
    ...options.bounds,
    minWidth: WINDOW_WIDTH_MIN,
    minHeight: WINDOW_HEIGHT_MIN,
    show: false,
    title: 'Lighthouse Store',
    webPreferences: { ...secureWebPreferences, preload: options.preloadPath },
  })
  window.once('ready-to-show', () => {
    if (options.maximized) window.maximize()
    window.show()
  })
  return window
}

/**
 * hardenWebContents keeps a page inside the app: navigation away is cancelled, new windows
 * are refused, and only https links are passed on to the system browser.
 */
export function hardenWebContents(
  contents: Pick<WebContents, 'on' | 'setWindowOpenHandler'>,
  openExternal: OpenExternal = (url) => shell.openExternal(url),
): void {
  const openIfHttps = (url: string): void => {
    if (!isHttpsUrl(url)) return
    openExternal(url).catch((error: unknown) => {
      console.error(`Lighthouse Store could not open ${url} in the browser:`, error)
    })
  }
  contents.on('will-navigate', (event) => {
    event.preventDefault()
    openIfHttps(event.url)
  })
  contents.on('will-attach-webview', (event) => {
    event.preventDefault()
  })
  contents.setWindowOpenHandler(({ url }) => {
    openIfHttps(url)
    return { action: 'deny' }
  })
}

/** denyAllPermissions refuses every permission request and check (camera, geolocation, …). */
export function denyAllPermissions(
  session: Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'>,
): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => {
    callback(false)
  })
  session.setPermissionCheckHandler(() => false)
}
