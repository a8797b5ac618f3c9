/**
 * The WebSocket client is the browser mode's StoreConnection: StoreApi calls as numbered
 * `call` messages over the bridge (wireProtocol.ts), results matched back by id, push
 * batches handed to listeners.
 *
 * Every call resolves exactly once, and never rejects: with the host's answer, or with
 * `store_closed` when the link drops before the answer came (the host may or may not have
 * run it). A lost link is retried with exponential backoff; calls made while it is down
 * fail at once rather than hang behind a host that may be gone for minutes. Calls made
 * before the very first link wait for it, so the page can start asking straight away.
 */
import type { ErrorBody, ErrorCode } from '../../../shared/errorCodes'
import type { PushBatch } from '../../../shared/push'
import { STORE_API_METHODS } from '../../../shared/storeApi'
import type { Result, StoreApi } from '../../../shared/storeApi'
import { BRIDGE_CALLS_IN_FLIGHT_MAX, BRIDGE_MESSAGE_BYTES_MAX } from '../../../shared/wireProtocol'
import type { CallMessage, ServerMessage } from '../../../shared/wireProtocol'
import type {
  ConnectionListener,
  ConnectionState,
  PushListener,
  StoreConnection,
} from './storeConnection'

/** The first retry waits this long; each failed attempt doubles it up to the max. */
export const RECONNECT_DELAY_MS_MIN = 250
export const RECONNECT_DELAY_MS_MAX = 10_000

/** The part of the browser's WebSocket the client uses, so tests can hand it a fake. */
export interface WebSocketLike {
  send(data: string): void
  close(): void
  onopen: ((event: Event) => void) | null
  onclose: ((event: CloseEvent) => void) | null
  onmessage: ((event: MessageEvent) => void) | null
  onerror: ((event: Event) => void) | null
}

export interface WsClientOptions {
  url: string
  createSocket?: (url: string) => WebSocketLike
}

/** WsClient is a StoreConnection that can be shut down for good. */
export interface WsClient extends StoreConnection {
  close(): void
}

type Resolve = (result: Result<unknown>) => void

function failure(code: ErrorCode, message: string): Result<never> {
  const error: ErrorBody = { code, message }
  return { ok: false, error }
}

const DISCONNECTED = failure(
  'store_closed',
  'The connection to the store host was lost before it answered; it is reconnecting.',
)

function byteLength(text: string): number {
  // UTF-8 needs at most 3 bytes per UTF-16 unit, so short messages skip the encoding.
  if (text.length * 3 <= BRIDGE_MESSAGE_BYTES_MAX) return text.length
  return new TextEncoder().encode(text).length
}

/** createWsClient connects to the bridge at `url` and keeps reconnecting until closed. */
export function createWsClient(options: WsClientOptions): WsClient {
  const createSocket = options.createSocket ?? ((url: string) => new WebSocket(url))
  const pending = new Map<number, Resolve>()
  const queued: string[] = []
  const pushListeners = new Set<PushListener>()
  const stateListeners = new Set<ConnectionListener>()
  let state: ConnectionState = 'connecting'
  let socket: WebSocketLike | null = null
  let nextId = 1
  let retryDelayMs = RECONNECT_DELAY_MS_MIN
  let retryTimer: ReturnType<typeof setTimeout> | null = null
  let shutDown = false

  const setState = (next: ConnectionState): void => {
    if (next === state) return
    state = next
    for (const listener of stateListeners) listener(next)
  }

  const failPending = (): void => {
    for (const resolve of pending.values()) resolve(DISCONNECTED)
    pending.clear()
    queued.length = 0
  }

  const onMessage = (event: MessageEvent): void => {
    const message = parseServerMessage(event.data)
    if (message === null) {
      console.warn('Lighthouse bridge sent a message the page does not understand; ignored.')
    } else if (message.kind === 'push') {
      for (const listener of pushListeners) listener(message.batch)
    } else {
      pending.get(message.id)?.(message.result)
      pending.delete(message.id)
    }
  }

  const connect = (): void => {
    retryTimer = null
    const current = createSocket(options.url)
    socket = current
    current.onopen = () => {
      retryDelayMs = RECONNECT_DELAY_MS_MIN
      setState('open')
      for (const text of queued.splice(0)) current.send(text)
    }
    current.onmessage = onMessage
    // A connection attempt that fails also fires close, so retrying lives here alone.
    current.onclose = () => {
      if (socket !== current) return
      socket = null
      failPending()
      if (shutDown) return
      setState('reconnecting')
      retryTimer = setTimeout(connect, retryDelayMs)
      retryDelayMs = Math.min(retryDelayMs * 2, RECONNECT_DELAY_MS_MAX)
    }
  }

  const call = (method: string, args: unknown): Promise<Result<unknown>> => {
    if (shutDown || state === 'reconnecting') return Promise.resolve(DISCONNECTED)
    if (pending.size >= BRIDGE_CALLS_IN_FLIGHT_MAX) {
      return Promise.resolve(
        failure('overloaded', 'Too many requests are waiting for the store host; try again.'),
      )
    }
    const message: CallMessage = { kind: 'call', id: nextId++, method }
    if (args !== undefined) message.args = args
    const text = JSON.stringify(message)
    if (byteLength(text) > BRIDGE_MESSAGE_BYTES_MAX) {
      return Promise.resolve(
        failure('payload_too_large', 'The request is larger than the bridge accepts.'),
      )
    }
    return new Promise((resolve) => {
      pending.set(message.id, resolve)
      if (state === 'open' && socket !== null) socket.send(text)
      else queued.push(text)
    })
  }

  connect()
  return {
    kind: 'browser',
    api: storeApiOver(call),
    onPush: (listener) => addListener(pushListeners, listener),
    onState: (listener) => addListener(stateListeners, listener),
    state: () => state,
    pathForFile: null,
    close: () => {
      shutDown = true
      if (retryTimer !== null) clearTimeout(retryTimer)
      socket?.close()
      failPending()
    },
  }
}

function addListener<T>(listeners: Set<T>, listener: T): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

/** storeApiOver builds every StoreApi method from one generic call. */
function storeApiOver(call: (method: string, args: unknown) => Promise<Result<unknown>>) {
  const methods = Object.fromEntries(
    STORE_API_METHODS.map((method) => [method, (args?: unknown) => call(method, args)]),
  )
  // The host checks each method's arguments and answers in the method's own result type;
  // the wire carries JSON, so the typed view is asserted here once, not at every call site.
  return methods as unknown as StoreApi
}

function parseServerMessage(data: unknown): ServerMessage | null {
  if (typeof data !== 'string') return null
  let message: unknown
  try {
    message = JSON.parse(data)
  } catch {
    return null
  }
  if (typeof message !== 'object' || message === null || !('kind' in message)) return null
  if (message.kind === 'push' && 'batch' in message && Array.isArray(message.batch)) {
    return { kind: 'push', batch: message.batch as PushBatch }
  }
  if (message.kind === 'result' && 'id' in message && 'result' in message) {
    if (typeof message.id === 'number' && isResult(message.result)) {
      return { kind: 'result', id: message.id, result: message.result }
    }
  }
  return null
}

function isResult(value: unknown): value is Result<unknown> {
  return typeof value === 'object' && value !== null && 'ok' in value
}
