/**
 * The native menu, built as a plain template so tests can read it without Electron. Menu
 * items only start actions; what they do lives in storeDialogs.ts and in the renderer,
 * which acts on the `menu` pushes (Verify, Run Recovery) for the store it shows.
 */
import type { MenuItemConstructorOptions } from 'electron'

/** Most stores listed under Open Recent. */
export const RECENT_MENU_ITEMS_MAX = 10

export interface MenuActions {
  openStore(): void
  openRecent(path: string): void
  newStore(): void
  openDemo(): void
  verify(): void
  runRecovery(): void
}

export interface MenuOptions {
  actions: MenuActions
  /** Paths of recently opened stores, newest first. */
  recentPaths: readonly string[]
  /** DevTools are offered only to developers (an unpackaged app). */
  development: boolean
  /** On macOS the first menu is the app's own. */
  platform: NodeJS.Platform
}

/** buildMenuTemplate returns the application menu for Menu.buildFromTemplate. */
export function buildMenuTemplate(options: MenuOptions): MenuItemConstructorOptions[] {
  const { actions } = options
  const recent = options.recentPaths.slice(0, RECENT_MENU_ITEMS_MAX)
  const file: MenuItemConstructorOptions = {
    label: 'File',
    submenu: [
      { label: 'Open Store…', accelerator: 'CmdOrCtrl+O', click: () => actions.openStore() },
      {
        label: 'Open Recent',
        enabled: recent.length > 0,
        submenu: recent.map((path) => ({ label: path, click: () => actions.openRecent(path) })),
      },
      { label: 'New Store…', accelerator: 'CmdOrCtrl+N', click: () => actions.newStore() },
      { label: 'Open Demo Store', click: () => actions.openDemo() },
      { type: 'separator' },
      options.platform === 'darwin' ? { role: 'close' } : { role: 'quit' },
    ],
  }
  const store: MenuItemConstructorOptions = {
    label: 'Store',
    submenu: [
      { label: 'Verify', click: () => actions.verify() },
      { label: 'Run Recovery', click: () => actions.runRecovery() },
    ],
  }
  const view: MenuItemConstructorOptions = {
    label: 'View',
    submenu: [
      { role: 'reload' },
      ...(options.development ? [{ role: 'toggleDevTools' } as const] : []),
      { type: 'separator' },
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
    ],
  }
  const appMenu: MenuItemConstructorOptions[] =
    options.platform === 'darwin' ? [{ role: 'appMenu' }] : []
  return [...appMenu, file, { role: 'editMenu' }, store, view, { role: 'windowMenu' }]
}
