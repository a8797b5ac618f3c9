import type { IncomingMessage, ServerResponse } from 'node:http'
import type { StoredEvent } from '../../shared/event'
import type { EventFilter } from '../../shared/query'
import type { EventStore } from '../engine/eventStore'
import { subscribe, type SubscriptionEnd } from '../engine/subscription'
import { httpError } from './httpIo'

/**
 * GET /events/stream: Server-Sent Events. Each event's `id:` is its sequence, so a
 * reconnecting EventSource sends `Last-Event-ID: N` and resumes at N+1 with no gap and no
 * duplicate (the subscription reads the stored events first, then goes live). Writes wait
 * for the socket to drain, so a slow client holds back only its own subscription, whose
 * bounded queue then overflows and ends the stream with an `end` event saying where to
 * resume, instead of growing memory.
 */

/** A comment line is sent this often so proxies and clients see the stream is alive. */
export const SSE_HEARTBEAT_MS = 15_000

const LIST_PARAMS = [
  'event_types',
  'aggregate_ids',
  'aggregate_types',
  'source_agents',
  'source_components',
] as const
const ID_PARAMS = ['correlation_id', 'causation_id'] as const

/** streamFilter reads the filter from query parameters named like EventFilter's fields. */
export function streamFilter(params: URLSearchParams): EventFilter {
  const filter: EventFilter = {}
  for (const name of LIST_PARAMS) {
    const values = params.getAll(name)
    if (values.length > 0) filter[name] = values
  }
  for (const name of ID_PARAMS) {
    const value = params.get(name)
    if (value !== null) filter[name] = value
  }
  return filter
}

/** startSequence is where the stream begins: after Last-Event-ID, else from_sequence, else new. */
export function startSequence(
  request: IncomingMessage,
  params: URLSearchParams,
): number | undefined {
  const lastId = request.headers['last-event-id']
  if (typeof lastId === 'string' && lastId !== '') return parseSequence(lastId, 'Last-Event-ID') + 1
  const from = params.get('from_sequence')
  return from === null ? undefined : parseSequence(from, 'from_sequence')
}

function parseSequence(text: string, field: string): number {
  const value = Number(text)
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value)) {
    throw httpError(400, 'validation', `${field}: must be a sequence number (a whole number >= 0)`)
  }
  return value
}

export function streamEvents(
  store: EventStore,
  request: IncomingMessage,
  response: ServerResponse,
  params: URLSearchParams,
): void {
  const filter = streamFilter(params)
  const fromSequence = startSequence(request, params)
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    'x-accel-buffering': 'no',
  })
  response.write(': stream open\n\n')
  const subscription = subscribe(store, {
    filter,
    ...(fromSequence === undefined ? {} : { fromSequence: Math.max(1, fromSequence) }),
    onEvents: (events) => writeEvents(response, events),
    onEnd: (end) => finish(response, end),
  })
  const heartbeat = setInterval(() => response.write(': heartbeat\n\n'), SSE_HEARTBEAT_MS)
  heartbeat.unref()
  response.on('close', () => {
    clearInterval(heartbeat)
    void subscription.close()
  })
}

async function writeEvents(response: ServerResponse, events: StoredEvent[]): Promise<void> {
  if (response.destroyed) return
  let text = ''
  for (const event of events) {
    text += `id: ${event.sequence}\nevent: event\ndata: ${JSON.stringify(event)}\n\n`
  }
  if (!response.write(text)) {
    await new Promise<void>((resolve) => {
      const done = (): void => {
        response.off('drain', done)
        response.off('close', done)
        resolve()
      }
      response.on('drain', done)
      response.on('close', done)
    })
  }
}

function finish(response: ServerResponse, end: SubscriptionEnd): void {
  if (response.destroyed) return
  if (end.reason !== 'closed') {
    const body = { reason: end.reason, message: end.message, resume_from: end.resumeFrom }
    response.write(`event: end\ndata: ${JSON.stringify(body)}\n\n`)
  }
  response.end()
}
