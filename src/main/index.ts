// Electron entry point: app lifecycle and security wiring only. The store engine and host
// know nothing of Electron; everything here stays small enough to read in one sitting.
import { join } from 'node:path'
import { app, BrowserWindow, dialog, session } from 'electron'
import type { RendererSource } from './window'
import { createMainWindow, denyAllPermissions, hardenWebContents } from './window'

const preloadPath = join(import.meta.dirname, '../preload/index.js')

function rendererSource(): RendererSource {
  const devServerUrl = process.env['ELECTRON_RENDERER_URL']
  if (!app.isPackaged && devServerUrl !== undefined) return { kind: 'url', url: devServerUrl }
  return { kind: 'file', path: join(import.meta.dirname, '../renderer/index.html') }
}

function openMainWindow(): void {
  createMainWindow({ preloadPath, renderer: rendererSource() }).catch((error: unknown) => {
    const reason = error instanceof Error ? error.message : String(error)
    dialog.showErrorBox(
      'Lighthouse Store',
      `Lighthouse Store could not load its window (${reason}). Reinstall the app or run it from a fresh build.`,
    )
    app.exit(1)
  })
}

function focusExistingWindow(): void {
  const [window] = BrowserWindow.getAllWindows()
  if (window === undefined) return
  if (window.isMinimized()) window.restore()
  window.focus()
}

// A second copy would open the same stores and compete for their writer locks.
if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
  app.on('second-instance', focusExistingWindow)
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents))
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) openMainWindow()
  })
  app
    .whenReady()
    .then(() => {
      denyAllPermissions(session.defaultSession)
      openMainWindow()
    })
    .catch((error: unknown) => {
      console.error('Lighthouse Store could not start:', error)
      app.exit(1)
    })
}
