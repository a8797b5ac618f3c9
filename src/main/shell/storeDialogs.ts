/**
 * The menu's store actions: the folder picker runs in the main process, the host opens or
 * creates the store, and the renderer is told to show it with a `menu` push. The renderer
 * never sees the dialog or chooses a path itself. Failures are shown in a native error box
 * with the host's sentence, since there may be no page yet to show them.
 */
import type { BrowserWindow, Dialog, OpenDialogOptions } from 'electron'
import type { MenuCommand, PushEvent } from '../../shared/push'
import type { Result, StoreApi, StoreSummary } from '../../shared/storeApi'
import type { MenuActions } from './menu'

export interface StoreDialogsOptions {
  dialog: Pick<Dialog, 'showOpenDialog' | 'showErrorBox'>
  api: Pick<StoreApi, 'openStore' | 'createStore' | 'openDemo'>
  /** The window the dialogs belong to, when there is one. */
  window: () => BrowserWindow | null
  push: (event: PushEvent) => void
  /** Called after a store was opened, e.g. to refresh Open Recent. */
  onOpened: () => void
}

const ERROR_TITLE = 'Lighthouse Store'

/** createStoreActions returns the menu's actions; openPath also serves second launches. */
export function createStoreActions(
  options: StoreDialogsOptions,
): MenuActions & { openPath(path: string): void } {
  const show = async (opening: Promise<Result<StoreSummary>>, doing: string): Promise<void> => {
    const result = await opening
    if (!result.ok) {
      options.dialog.showErrorBox(ERROR_TITLE, `Could not ${doing}: ${result.error.message}`)
      return
    }
    options.push({ type: 'menu', command: 'show_store', handle: result.value.handle })
    options.onOpened()
  }
  const choose = async (dialogOptions: OpenDialogOptions): Promise<string | null> => {
    const window = options.window()
    const choice =
      window === null
        ? await options.dialog.showOpenDialog(dialogOptions)
        : await options.dialog.showOpenDialog(window, dialogOptions)
    return choice.canceled ? null : (choice.filePaths[0] ?? null)
  }
  const run = (action: () => Promise<void>): void => {
    action().catch((error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error)
      options.dialog.showErrorBox(ERROR_TITLE, `The menu action failed: ${reason}`)
    })
  }
  const openAt = (path: string): Promise<void> =>
    show(options.api.openStore({ path, access: 'write' }), `open the store at ${path}`)
  const openPath = (path: string): void => run(() => openAt(path))
  const command = (name: MenuCommand) => (): void => options.push({ type: 'menu', command: name })

  return {
    openStore: () =>
      run(async () => {
        const path = await choose({ title: 'Open Store', properties: ['openDirectory'] })
        if (path !== null) await openAt(path)
      }),
    newStore: () =>
      run(async () => {
        const path = await choose({
          title: 'New Store',
          buttonLabel: 'Create Store Here',
          properties: ['openDirectory', 'createDirectory', 'promptToCreate'],
        })
        if (path !== null)
          await show(options.api.createStore({ path }), `create a store at ${path}`)
      }),
    openRecent: openPath,
    openPath,
    openDemo: () => run(() => show(options.api.openDemo(), 'open the demo store')),
    verify: command('verify'),
    runRecovery: command('run_recovery'),
  }
}
