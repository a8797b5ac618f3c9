import { QUERY_LIMIT_DEFAULT, QUERY_LIMIT_MAX, QUERY_LIMIT_MIN } from '../engine/limits'
import type { ExpectedVersions } from '../engine/aggregateVersions'
import { streamEvents } from './eventStream'
import { httpError, readJson, sendJson } from './httpIo'
import type { StoreSource } from './apiServer'
import type { Route } from './route'

/**
 * The event routes of the HTTP API (docs/API.md). Bodies are validated by the engine,
 * which names the field and the limit; this layer only checks the envelope.
 */
export function eventRoutes(store: StoreSource): Route[] {
  return [
    {
      method: 'POST',
      path: '/events',
      scope: 'events.write',
      writes: true,
      async handle({ request, response }) {
        const result = await store().append(await readJson(request))
        sendJson(response, 201, result)
      },
    },
    {
      method: 'POST',
      path: '/events/batch',
      scope: 'events.write',
      writes: true,
      async handle({ request, response }) {
        const body = await readJson(request)
        if (typeof body !== 'object' || body === null || !('events' in body)) {
          throw httpError(
            400,
            'validation',
            'body: send {"events": [...], "expected_versions"?: {...}}',
          )
        }
        const { events, expected_versions } = body as {
          events: unknown
          expected_versions?: ExpectedVersions
        }
        const results = await store().appendBatch(
          events,
          expected_versions === undefined ? {} : { expected_versions },
        )
        sendJson(response, 201, { results })
      },
    },
    {
      method: 'POST',
      path: '/events/query',
      scope: 'events.query',
      async handle({ request, response }) {
        const query = await readJson(request)
        if (typeof query !== 'object' || query === null || Array.isArray(query)) {
          throw httpError(400, 'validation', 'body: send the query as a JSON object')
        }
        sendJson(response, 200, await store().query(query))
      },
    },
    {
      method: 'GET',
      path: '/events',
      scope: 'events.read',
      async handle({ url, response }) {
        const limit = pageLimit(url.searchParams.get('limit'))
        const cursor = url.searchParams.get('cursor')
        const page = await store().query({ limit, ...(cursor ? { cursor } : {}) })
        sendJson(response, 200, {
          events: page.events,
          next_cursor: page.next_cursor,
          has_more: page.has_more,
        })
      },
    },
    {
      method: 'GET',
      path: '/events/stream',
      scope: 'streams.subscribe',
      handle({ request, response, url }) {
        streamEvents(store(), request, response, url.searchParams)
      },
    },
    {
      method: 'GET',
      path: '/events/:event_id',
      scope: 'events.read',
      async handle({ params, response }) {
        const event = await store().getEvent(params['event_id']!)
        if (event === null) {
          throw httpError(
            404,
            'not_found',
            `event_id: no event ${params['event_id']} in this store`,
          )
        }
        sendJson(response, 200, event)
      },
    },
  ]
}

function pageLimit(text: string | null): number {
  if (text === null) return QUERY_LIMIT_DEFAULT
  const limit = Number(text)
  if (!/^\d+$/.test(text) || limit < QUERY_LIMIT_MIN || limit > QUERY_LIMIT_MAX) {
    throw httpError(
      400,
      'validation',
      `limit: must be a whole number from ${QUERY_LIMIT_MIN} to ${QUERY_LIMIT_MAX} (QUERY_LIMIT_MAX)`,
    )
  }
  return limit
}
