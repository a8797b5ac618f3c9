/**
 * The transports' view of the host: each connection (a window's page, a WebSocket) gets
 * its own client, whose pushes go to that connection only and which is closed when the
 * connection ends; stores and jobs belong to the host and stay. Transports code against
 * these types (StoreHost.connect fits them), never against the host's classes.
 */
import { StoreError } from '../engine/errors'
import type { ErrorBody } from '../../shared/errorCodes'
import type { PushBatch } from '../../shared/push'
import type { StoreApi } from '../../shared/storeApi'

/**
 * PushSink delivers one connection's push batch. A returned promise holds back the next
 * batch until it settles: that is how a slow connection pushes back on the host.
 */
export type PushSink = (batch: PushBatch) => void | Promise<void>

/** StoreClient is one connection's StoreApi; close() ends its subscriptions and pushes. */
export type StoreClient = StoreApi & { close: () => void | Promise<void> }

/** ConnectStore opens a client whose pushes go to `sink`; it throws when the host is full. */
export type ConnectStore = (sink: PushSink) => StoreClient

/** closeClient closes a client without letting a failure to close escape unseen. */
export function closeClient(client: StoreClient): void {
  Promise.resolve()
    .then(() => client.close())
    .catch((error: unknown) => {
      console.error('Lighthouse Store: a store client failed to close:', error)
    })
}

/** connectionRefusal turns a failed connect into the error its caller is answered with. */
export function connectionRefusal(error: unknown): ErrorBody {
  if (error instanceof StoreError) return { code: error.code, message: error.message }
  console.error('Lighthouse Store: could not connect to the store host:', error)
  return { code: 'internal', message: 'Could not connect to the store host; see the app log.' }
}
