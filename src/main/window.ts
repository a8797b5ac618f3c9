// The main window never runs Node in the page, never leaves the app's own pages and never
// grants a browser permission: the renderer reaches the store only through the preload's
// named methods, so a compromised page can do no more than a user clicking in the UI.
import { BrowserWindow, shell } from 'electron'
import type { Session, WebContents, WebPreferences } from 'electron'

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

/** RendererSource says where the inspector page comes from: the dev server or the built file. */
export type RendererSource = { kind: 'url'; url: string } | { kind: 'file'; path: string }

/** MainWindowOptions are the paths the main window needs, resolved by the caller. */
export interface MainWindowOptions {
  preloadPath: string
  renderer: RendererSource
}

/** OpenExternal opens a URL in the user's browser (shell.openExternal in the app). */
export type OpenExternal = (url: string) => Promise<void>

/** isHttpsUrl tells whether a URL may be handed to the system browser. */
export function isHttpsUrl(url: string): boolean {
  return URL.canParse(url) && new URL(url).protocol === 'https:'
}

/** createMainWindow opens the inspector window and resolves once its page has loaded. */
export async function createMainWindow(options: MainWindowOptions): Promise<BrowserWindow> {
  const window = new BrowserWindow({
    width: 1280,
    height: 800,
    show: false,
    title: 'Lighthouse Store',
    webPreferences: { ...secureWebPreferences, preload: options.preloadPath },
  })
  window.once('ready-to-show', () => window.show())
  if (options.renderer.kind === 'url') {
    await window.loadURL(options.renderer.url)
  } else {
    await window.loadFile(options.renderer.path)
  }
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
