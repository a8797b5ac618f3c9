// The preload is the renderer's only door to the main process. It exposes the StoreApi's
// named methods, a push subscription and the path of a dropped file, never ipcRenderer
// itself, so the page cannot send arbitrary IPC messages; the main process checks every
// call again (src/main/rpc/ipc.ts).
// Built as one CommonJS file: a sandboxed preload cannot require other modules.
import { contextBridge, ipcRenderer, webUtils } from 'electron'
import type { IpcRendererEvent } from 'electron'
import type { LighthouseBridge, PushListener } from '../shared/bridge'
import { BRIDGE_GLOBAL_NAME } from '../shared/bridge'
import { CALL_CHANNEL, PUSH_CHANNEL } from '../shared/push'
import type { PushBatch } from '../shared/push'
import type { Result, StoreApiMethod, StoreApiMethods } from '../shared/storeApi'

/** Most push listeners at once: more means a page leaks them (it never unsubscribes). */
export const PUSH_LISTENERS_MAX = 32

function call<M extends StoreApiMethod>(
  method: M,
  args?: StoreApiMethods[M]['args'],
): Promise<Result<StoreApiMethods[M]['result']>> {
  return ipcRenderer.invoke(CALL_CHANNEL, method, args) as Promise<
    Result<StoreApiMethods[M]['result']>
  >
}

// Spelled out method by method so that `satisfies` checks the set against the contract.
const api = {
  listRecent: () => call('listRecent'),
  openStore: (args) => call('openStore', args),
  createStore: (args) => call('createStore', args),
  openDemo: () => call('openDemo'),
  closeStore: (args) => call('closeStore', args),
  listOpen: () => call('listOpen'),
  summary: (args) => call('summary', args),
  query: (args) => call('query', args),
  getEvent: (args) => call('getEvent', args),
  getRawRecord: (args) => call('getRawRecord', args),
  subscribe: (args) => call('subscribe', args),
  unsubscribe: (args) => call('unsubscribe', args),
  listSegments: (args) => call('listSegments', args),
  startVerification: (args) => call('startVerification', args),
  cancelJob: (args) => call('cancelJob', args),
  getJob: (args) => call('getJob', args),
  runRecovery: (args) => call('runRecovery', args),
  rebuildIndexes: (args) => call('rebuildIndexes', args),
  listRecoveryReports: (args) => call('listRecoveryReports', args),
  getRecoveryReport: (args) => call('getRecoveryReport', args),
  slaSnapshot: (args) => call('slaSnapshot', args),
  slaHistory: (args) => call('slaHistory', args),
  setSlaThresholds: (args) => call('setSlaThresholds', args),
  approveRecovery: (args) => call('approveRecovery', args),
  health: (args) => call('health', args),
  append: (args) => call('append', args),
  startLoad: (args) => call('startLoad', args),
  stopLoad: (args) => call('stopLoad', args),
  startServer: (args) => call('startServer', args),
  stopServer: (args) => call('stopServer', args),
  serverStatus: (args) => call('serverStatus', args),
} satisfies LighthouseBridge['api']

let pushListeners = 0

/** onPush hands the listener each batch alone: the IPC event would carry `sender`. */
function onPush(listener: PushListener): () => void {
  if (typeof listener !== 'function') throw new TypeError('onPush needs a function.')
  if (pushListeners >= PUSH_LISTENERS_MAX) {
    throw new Error(`At most ${PUSH_LISTENERS_MAX} push listeners may be added; remove one first.`)
  }
  const forward = (_event: IpcRendererEvent, batch: PushBatch): void => listener(batch)
  ipcRenderer.on(PUSH_CHANNEL, forward)
  pushListeners += 1
  let subscribed = true
  return () => {
    if (!subscribed) return
    subscribed = false
    pushListeners -= 1
    ipcRenderer.removeListener(PUSH_CHANNEL, forward)
  }
}

const lighthouseBridge: LighthouseBridge = Object.freeze({
  version: __LIGHTHOUSE_VERSION__,
  api: Object.freeze(api),
  onPush,
  // Only the path of a File the page already holds: what a person dropped on the window.
  pathForFile: (file: File) => webUtils.getPathForFile(file),
})

contextBridge.exposeInMainWorld(BRIDGE_GLOBAL_NAME, lighthouseBridge)
