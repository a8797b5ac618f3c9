/**
 * The Electron IPC transport: StoreApi calls arrive on CALL_CHANNEL through the dispatcher,
 * pushes leave on PUSH_CHANNEL. Only the top frame of our own window, showing a page from
 * one of our origins, may call: anything else that reaches the channel (another window, an
 * injected frame, a page navigated elsewhere) is answered `forbidden` and never reaches
 * the host.
 */
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron'
import { CALL_CHANNEL, PUSH_CHANNEL } from '../../shared/push'
import type { PushBatch } from '../../shared/push'
import type { Result } from '../../shared/storeApi'
import type { Dispatch } from './dispatcher'
import { createDispatcher } from './dispatcher'
import type { ConnectStore, StoreClient } from './storeClient'
import { closeClient, connectionRefusal } from './storeClient'

export type IpcBridgeWebContents = Pick<WebContents, 'send' | 'isDestroyed' | 'on'>

export interface IpcBridgeOptions {
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>
  /** Our window's page: the only sender accepted, and where pushes go. */
  webContents: IpcBridgeWebContents
  /** Origins our page is served from: the app protocol's, or the dev server's. */
  allowedOrigins: readonly string[]
  connect: ConnectStore
}

/** IpcBridge is the attached transport: push() sends to the page, dispose() detaches it. */
export interface IpcBridge {
  push(batch: PushBatch): void
  dispose(): void
}

/**
 * attachIpcBridge serves one window's page. The page gets a fresh client at its first call
 * after each load, so a reload ends the old page's subscriptions instead of pushing them
 * to a page that no longer knows them. There is one CALL_CHANNEL handler, so one bridge
 * at a time: dispose (or close the window) before attaching another.
 */
export function attachIpcBridge(options: IpcBridgeOptions): IpcBridge {
  const { ipcMain, webContents } = options
  const allowedOrigins: ReadonlySet<string> = new Set(options.allowedOrigins)
  let session: { client: StoreClient; dispatch: Dispatch } | null = null
  let disposed = false

  const push = (batch: PushBatch): void => {
    if (!webContents.isDestroyed()) webContents.send(PUSH_CHANNEL, batch)
  }
  const endSession = (): void => {
    if (session !== null) closeClient(session.client)
    session = null
  }
  const currentSession = (): { client: StoreClient; dispatch: Dispatch } => {
    if (session === null) {
      const client = options.connect(push)
      session = { client, dispatch: createDispatcher({ api: client }) }
    }
    return session
  }

  ipcMain.handle(
    CALL_CHANNEL,
    async (event: IpcMainInvokeEvent, method: unknown, args: unknown): Promise<Result<unknown>> => {
      const refusal = senderRefusal(event, webContents, allowedOrigins)
      if (refusal !== null) return { ok: false, error: { code: 'forbidden', message: refusal } }
      try {
        return await currentSession().dispatch(method, args)
      } catch (error) {
        // Only connect throws here (a full host); dispatch itself never rejects.
        return { ok: false, error: connectionRefusal(error) }
      }
    },
  )
  const dispose = (): void => {
    if (disposed) return
    disposed = true
    ipcMain.removeHandler(CALL_CHANNEL)
    endSession()
  }
  webContents.on('did-navigate', endSession)
  webContents.on('destroyed', dispose)
  return { push, dispose }
}

/** senderRefusal says why a call's sender is not our page, or returns null when it is. */
function senderRefusal(
  event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>,
  webContents: IpcBridgeWebContents,
  allowedOrigins: ReadonlySet<string>,
): string | null {
  if (event.sender !== webContents) return 'Calls are accepted only from the inspector window.'
  const frame = event.senderFrame
  if (frame === null || frame.parent !== null) {
    return 'Calls are accepted only from the top frame of the inspector window.'
  }
  if (!allowedOrigins.has(originOf(frame.url))) {
    return 'Calls are accepted only from the inspector page.'
  }
  return null
}

/**
 * originOf returns scheme://host of a URL. WHATWG URL gives a custom scheme's origin as
 * "null", so the app protocol's origin is built from its parts.
 */
export function originOf(url: string): string {
  if (!URL.canParse(url)) return 'null'
  const parsed = new URL(url)
  return `${parsed.protocol}//${parsed.host}`
}
