import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocket, WebSocketServer, type RawData } from 'ws'
import type { StoredEvent } from '../../shared/event'
import type { EventFilter } from '../../shared/query'
import { StoreError } from '../engine/errors'
import { subscribe, type Subscription, type SubscriptionEnd } from '../engine/subscription'
import { refuse } from '../rpc/ws'
import type { ApiServer, StoreSource } from './apiServer'
import { HttpError } from './httpIo'

/**
 * WebSocket /stream (streams.subscribe scope): a live event stream for programs that
 * prefer a socket to SSE. The upgrade passes the same Host, Origin, token, scope and rate
 * checks as every HTTP request. The client sends one message,
 *   {"subscribe": {"filter": {...EventFilter}, "from_sequence": N}}
 * and then receives `{"events": [...]}` messages in sequence order (stored events from N
 * first, then live ones, no gap and no duplicate), and finally `{"end": {reason, message,
 * resume_from}}` before the server closes the socket. Each send waits for the previous one
 * to be flushed, so a slow reader holds back only its own subscription, whose bounded
 * queue then overflows and ends it (reason `overflow`, with where to resume).
 */

export const STREAM_PATH = '/stream'
/** Largest message a client may send (the subscribe request). */
export const STREAM_MESSAGE_BYTES_MAX = 64 * 1024
/** Most /stream sockets open at once. */
export const STREAM_SOCKETS_MAX = 256

const CLOSE_NORMAL = 1000
const CLOSE_POLICY = 1008
const CLOSE_GOING_AWAY = 1001

export interface StreamSocket {
  close(): Promise<void>
}

export function attachStreamSocket(api: ApiServer, store: StoreSource): StreamSocket {
  const wss = new WebSocketServer({ noServer: true, maxPayload: STREAM_MESSAGE_BYTES_MAX })
  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (new URL(request.url ?? '/', 'http://localhost').pathname !== STREAM_PATH) return
    socket.on('error', () => socket.destroy())
    try {
      api.admitUpgrade(request, 'streams.subscribe')
    } catch (error) {
      const answer = error instanceof HttpError ? error : null
      refuse(
        socket,
        answer?.status ?? 500,
        answer?.body.code ?? 'internal',
        answer?.message ?? 'refused',
      )
      return
    }
    if (wss.clients.size >= STREAM_SOCKETS_MAX) {
      refuse(
        socket,
        503,
        'overloaded',
        `At most ${STREAM_SOCKETS_MAX} streams may be open (STREAM_SOCKETS_MAX)`,
      )
      return
    }
    wss.handleUpgrade(request, socket, head, (ws) => serveStream(ws, store))
  }
  api.httpServer.on('upgrade', onUpgrade)
  return {
    close: async () => {
      api.httpServer.off('upgrade', onUpgrade)
      for (const ws of wss.clients) ws.close(CLOSE_GOING_AWAY, 'The server is shutting down.')
      await new Promise<void>((resolve) => wss.close(() => resolve()))
    },
  }
}

function serveStream(ws: WebSocket, store: StoreSource): void {
  let subscription: Subscription | null = null
  ws.on('close', () => void subscription?.close())
  ws.once('message', (data: RawData, isBinary: boolean) => {
    let request: { filter: EventFilter; fromSequence: number | undefined }
    try {
      request = parseSubscribe(data, isBinary)
      subscription = subscribe(store(), {
        filter: request.filter,
        ...(request.fromSequence === undefined ? {} : { fromSequence: request.fromSequence }),
        onEvents: (events) => send(ws, { events }),
        onEnd: (end) => finish(ws, end),
      })
    } catch (error) {
      const code = error instanceof StoreError ? error.code : 'validation'
      const message = error instanceof Error ? error.message : String(error)
      ws.send(JSON.stringify({ error: { code, message } }))
      ws.close(CLOSE_POLICY, code)
    }
  })
}

function parseSubscribe(
  data: RawData,
  isBinary: boolean,
): { filter: EventFilter; fromSequence: number | undefined } {
  if (isBinary)
    throw new StoreError('validation', 'message: send the subscribe request as JSON text')
  let parsed: unknown
  try {
    parsed = JSON.parse(textOf(data))
  } catch {
    throw new StoreError('validation', 'message: not valid JSON')
  }
  const body = (parsed as { subscribe?: unknown } | null)?.subscribe
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new StoreError(
      'validation',
      'subscribe: send {"subscribe": {"filter": {...}, "from_sequence": N}}',
    )
  }
  const { filter = {}, from_sequence: from } = body as { filter?: unknown; from_sequence?: unknown }
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) {
    throw new StoreError('validation', 'subscribe.filter: must be an object (an EventFilter)')
  }
  if (from !== undefined && (!Number.isSafeInteger(from) || (from as number) < 1)) {
    throw new StoreError('validation', 'subscribe.from_sequence: must be a whole number >= 1')
  }
  return { filter: filter, fromSequence: from as number | undefined }
}

function textOf(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8')
  if (Buffer.isBuffer(data)) return data.toString('utf8')
  return Buffer.from(new Uint8Array(data)).toString('utf8')
}

function send(ws: WebSocket, message: { events: StoredEvent[] }): Promise<void> {
  if (ws.readyState !== WebSocket.OPEN) return Promise.resolve()
  return new Promise((resolve) => ws.send(JSON.stringify(message), () => resolve()))
}

function finish(ws: WebSocket, end: SubscriptionEnd): void {
  if (ws.readyState !== WebSocket.OPEN) return
  const body = { reason: end.reason, message: end.message, resume_from: end.resumeFrom }
  ws.send(JSON.stringify({ end: body }))
  ws.close(CLOSE_NORMAL, end.reason)
}
