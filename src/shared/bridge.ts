/**
 * LighthouseBridge is what the Electron preload puts on `window.lighthouse`: the StoreApi,
 * push subscriptions and the path of a dropped file, nothing else. The renderer reads it
 * through this type; in a browser the property is absent and the UI uses the WebSocket
 * bridge instead.
 */
import type { PushBatch } from './push'
import type { StoreApi } from './storeApi'

/** PushListener receives each push batch, in the order the host sent them. */
export type PushListener = (batch: PushBatch) => void

export interface LighthouseBridge {
  /** The app's version (package.json). */
  readonly version: string
  readonly api: StoreApi
  /** onPush adds a listener and returns the function that removes it. */
  onPush(listener: PushListener): () => void
  /**
   * pathForFile is where a File dropped on the window lives on disk, or '' for one that is
   * not on disk. A sandboxed page cannot read a File's path itself; the path only lets the
   * page ask to open that folder, which the main process checks like any typed-in path.
   */
  pathForFile(file: File): string
}

/** The window property the preload exposes the bridge as. */
export const BRIDGE_GLOBAL_NAME = 'lighthouse'
