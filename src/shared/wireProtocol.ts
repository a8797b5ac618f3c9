/**
 * The WebSocket bridge's messages: the same StoreApi calls and pushes as Electron IPC,
 * as JSON text frames. A client numbers its calls; the server answers each id once.
 */
import type { PushBatch } from './push'
import type { Result } from './storeApi'

export interface CallMessage {
  kind: 'call'
  /** Chosen by the client, unique among its calls in flight. */
  id: number
  method: string
  args?: unknown
}

export type ServerMessage =
  { kind: 'result'; id: number; result: Result<unknown> } | { kind: 'push'; batch: PushBatch }

/** The bridge's path on the server. */
export const BRIDGE_PATH = '/bridge'
/** Largest text frame either side accepts: a full append batch (10 MiB) plus JSON overhead. */
export const BRIDGE_MESSAGE_BYTES_MAX = 11 * 1024 * 1024
/** Most calls one client may have in flight; more are answered `overloaded`. */
export const BRIDGE_CALLS_IN_FLIGHT_MAX = 256
