/**
 * A StoreConnection is how the renderer reaches a store host: the StoreApi calls, the push
 * batches and the state of the link. The Electron bridge and the WebSocket client both
 * provide one, so nothing above this folder knows which transport it runs on.
 */
import type { PushBatch } from '../../../shared/push'
import type { StoreApi } from '../../../shared/storeApi'

/** Which host the page talks to: the desktop app's preload, or `serve` over WebSocket. */
export type BridgeKind = 'electron' | 'browser'

/**
 * ConnectionState: `connecting` before the first link, `open` while calls can be made,
 * `reconnecting` after a lost link (calls fail with `store_closed` until it is back).
 */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting'

export type PushListener = (batch: PushBatch) => void
export type ConnectionListener = (state: ConnectionState) => void

export interface StoreConnection {
  kind: BridgeKind
  api: StoreApi
  /** Listens to push batches; returns the function that stops listening. */
  onPush(listener: PushListener): () => void
  /** Listens to connection changes; returns the function that stops listening. */
  onState(listener: ConnectionListener): () => void
  state(): ConnectionState
  /**
   * Where a File dropped on the page lives on disk ('' when it is not on disk); null where
   * the page can never know: a browser does not tell a web page the paths of dropped files.
   */
  pathForFile: ((file: File) => string) | null
}
