// Electron entry point: app lifecycle and security wiring only. The store engine and host
// know nothing of Electron, and each piece of the shell (app protocol, menu, dialogs,
// window state) is a small module of its own; this file only connects them.
import { join } from 'node:path'
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, screen, session } from 'electron'
import { StoreHost } from './host/storeHost'
import { attachIpcBridge, originOf } from './rpc/ipc'
import type { IpcBridge } from './rpc/ipc'
import {
  APP_INDEX_URL,
  APP_SCHEME,
  APP_SCHEME_PRIVILEGES,
  createAppProtocolHandler,
} from './shell/appProtocol'
import { storePathArgument } from './shell/launchArgs'
import { buildMenuTemplate } from './shell/menu'
import { createStoreActions } from './shell/storeDialogs'
import { loadWindowState, saveWindowState } from './shell/windowState'
import { createMainWindow, denyAllPermissions, hardenWebContents } from './window'

const preloadPath = join(import.meta.dirname, '../preload/index.js')
const rendererDir = join(import.meta.dirname, '../renderer')
const development = !app.isPackaged
const userDataDir = app.getPath('userData')

/** The built page through the app protocol, or the dev server while developing. */
const rendererUrl =
  development && process.env['ELECTRON_RENDERER_URL'] !== undefined
    ? process.env['ELECTRON_RENDERER_URL']
    : APP_INDEX_URL

// Creating the host touches no disk (stores open on request, recent stores on first use),
// so a second instance that quits below costs nothing.
const host = StoreHost.create({ configDir: userDataDir, userDataDir })
// The shell's own client opens stores from the menu; its pushes are the window's business.
const shellClient = host.connect(() => undefined)
let mainWindow: BrowserWindow | null = null
let bridge: IpcBridge | null = null

const storeActions = createStoreActions({
  dialog,
  api: shellClient,
  window: () => mainWindow,
  push: (event) => bridge?.push([event]),
  onOpened: () => void refreshMenu(),
})

function fail(what: string, error: unknown): never {
  const reason = error instanceof Error ? error.message : String(error)
  dialog.showErrorBox('Lighthouse Store', `Lighthouse Store could not ${what} (${reason}).`)
  app.exit(1)
  throw error
}

async function refreshMenu(): Promise<void> {
  const recent = await shellClient.listRecent()
  const recentPaths = recent.ok
    ? recent.value.filter((store) => store.exists).map((store) => store.path)
    : []
  const template = buildMenuTemplate({
    actions: storeActions,
    recentPaths,
    development,
    platform: process.platform,
  })
  Menu.setApplicationMenu(Menu.buildFromTemplate(template))
}

async function openMainWindow(): Promise<void> {
  const workAreas = screen.getAllDisplays().map((display) => display.workArea)
  const state = await loadWindowState(userDataDir, workAreas)
  const window = createMainWindow({ preloadPath, ...state })
  mainWindow = window
  bridge = attachIpcBridge({
    ipcMain,
    webContents: window.webContents,
    allowedOrigins: [originOf(rendererUrl)],
    connect: (sink) => host.connect(sink),
  })
  window.on('close', () => {
    const closing = { bounds: window.getNormalBounds(), maximized: window.isMaximized() }
    saveWindowState(userDataDir, closing).catch((error: unknown) => {
      console.error('Lighthouse Store could not remember the window position:', error)
    })
  })
  window.on('closed', () => {
    mainWindow = null
    bridge = null
  })
  await window.loadURL(rendererUrl)
}

function focusMainWindow(): void {
  if (mainWindow === null) return
  if (mainWindow.isMinimized()) mainWindow.restore()
  mainWindow.focus()
}

/** openFromCommandLine opens the store a launch named, once the window can show it. */
function openFromCommandLine(argv: readonly string[], workingDirectory: string): void {
  const path = storePathArgument(argv, { packaged: app.isPackaged, workingDirectory })
  if (path !== null) storeActions.openPath(path)
}

// Privileged schemes must be registered before the app is ready.
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: APP_SCHEME_PRIVILEGES }])

// A second copy would compete for the same stores' writer locks: it hands its arguments
// to the first and quits.
if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
  app.on('second-instance', (_event, argv, workingDirectory) => {
    focusMainWindow()
    openFromCommandLine(argv, workingDirectory)
  })
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents))
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) {
      openMainWindow().catch((error: unknown) => fail('open its window', error))
    }
  })
  let hostClosed = false
  app.on('will-quit', (event) => {
    // Stores close cleanly (writer lock released, clean-shutdown marker written) before exit.
    if (hostClosed) return
    event.preventDefault()
    host
      .close()
      .catch((error: unknown) =>
        console.error('Lighthouse Store: closing the stores failed:', error),
      )
      .finally(() => {
        hostClosed = true
        app.quit()
      })
  })
  app
    .whenReady()
    .then(async () => {
      denyAllPermissions(session.defaultSession)
      protocol.handle(APP_SCHEME, createAppProtocolHandler(rendererDir))
      // With no store named on the command line, the app opens on the demo store (created
      // on first use), so there is something to look at; the Start view can open others.
      const named = storePathArgument(process.argv, {
        packaged: app.isPackaged,
        workingDirectory: process.cwd(),
      })
      if (named === null) {
        const demo = await shellClient.openDemo()
        if (!demo.ok) console.error('Lighthouse Store: the demo store did not open:', demo.error)
      }
      await refreshMenu()
      await openMainWindow()
      openFromCommandLine(process.argv, process.cwd())
    })
    .catch((error: unknown) => fail('start', error))
}
