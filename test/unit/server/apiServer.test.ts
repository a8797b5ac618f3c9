import { once } from 'node:events'
import { request as httpRequest } from 'node:http'
import { connect } from 'node:net'
import { describe, expect, it, onTestFinished } from 'vitest'
import { EventStore } from '../../../src/main/engine/eventStore'
import { ApiServer, type ApiServerOptions } from '../../../src/main/server/apiServer'
import { HTTP_BODY_BYTES_MAX } from '../../../src/main/server/httpIo'
import { SCOPES, type Scope } from '../../../src/main/server/scopes'
import { tempDir } from '../../support/tempDir'
import { jsonRequest, send } from './httpClient'
import { ENTRIES, TOKENS } from './testTokens'

async function serve(
  options: Partial<ApiServerOptions> = {},
): Promise<{ server: ApiServer; store: EventStore }> {
  const store = await EventStore.open(tempDir(), { create: true })
  const server = await ApiServer.start({ store: () => store, tokens: ENTRIES, ...options })
  onTestFinished(async () => {
    await server.close()
    await store.close()
  })
  return { server, store }
}

const EVENT = { event_type: 'agent_registered', aggregate_id: 'agent-1', data: { name: 'a' } }

describe('HTTP API', () => {
  it('stores a POSTed event durably and serves it by id', async () => {
    const { server, store } = await serve()
    const created = await send(
      server.port,
      jsonRequest(TOKENS['events.write'], 'POST', '/events', EVENT),
    )
    expect(created.status).toBe(201)
    const ack = created.json as { sequence: number; event_id: string }
    expect(ack.sequence).toBe(1)
    expect(store.lastSequence).toBe(1)
    const fetched = await send(
      server.port,
      jsonRequest(TOKENS['events.read'], 'GET', `/events/${encodeURIComponent(ack.event_id)}`),
    )
    expect(fetched.status).toBe(200)
    expect(fetched.json).toMatchObject({ ...EVENT, sequence: 1, event_id: ack.event_id })
  })

  it('pages GET /events with the cursor, in sequence order, without gaps or repeats', async () => {
    const { server, store } = await serve()
    await store.appendBatch(
      Array.from({ length: 250 }, (_, i) => ({ ...EVENT, aggregate_id: `a-${i}` })),
    )
    const seen: number[] = []
    let cursor: string | null = ''
    let pages = 0
    while (cursor !== null) {
      const path: string = `/events?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`
      const page = await send(server.port, jsonRequest(TOKENS['events.read'], 'GET', path))
      expect(page.status).toBe(200)
      const body = page.json as {
        events: { sequence: number }[]
        next_cursor: string | null
        has_more: boolean
      }
      seen.push(...body.events.map((e) => e.sequence))
      expect(body.has_more).toBe(body.next_cursor !== null)
      cursor = body.next_cursor
      pages++
    }
    expect(pages).toBe(3)
    expect(seen).toEqual(Array.from({ length: 250 }, (_, i) => i + 1))
  })

  it('appends a batch atomically and answers the full query', async () => {
    const { server } = await serve()
    const batch = await send(
      server.port,
      jsonRequest(TOKENS['events.write'], 'POST', '/events/batch', {
        events: [EVENT, { ...EVENT, event_type: 'agent_heartbeat' }],
      }),
    )
    expect(batch.status).toBe(201)
    expect((batch.json as { results: unknown[] }).results).toHaveLength(2)
    const query = await send(
      server.port,
      jsonRequest(TOKENS['events.query'], 'POST', '/events/query', {
        event_types: ['agent_heartbeat'],
      }),
    )
    expect(query.status).toBe(200)
    expect(query.json).toMatchObject({ total_count: 1, has_more: false })
  })

  describe('authorization matrix', () => {
    const routes: { method: string; path: string; scope: Scope; body?: unknown; ok: number }[] = [
      { method: 'POST', path: '/events', scope: 'events.write', body: EVENT, ok: 201 },
      {
        method: 'POST',
        path: '/events/batch',
        scope: 'events.write',
        body: { events: [EVENT] },
        ok: 201,
      },
      { method: 'POST', path: '/events/query', scope: 'events.query', body: {}, ok: 200 },
      { method: 'GET', path: '/events?limit=5', scope: 'events.read', ok: 200 },
      { method: 'GET', path: '/events/1_1_nowhere', scope: 'events.read', ok: 404 },
    ]
    it('answers 401 without or with a bad token, 403 without the scope, and serves admin and the scope', async () => {
      const { server } = await serve()
      for (const route of routes) {
        const none = await send(
          server.port,
          jsonRequest(null, route.method, route.path, route.body),
        )
        expect(none.status, `${route.path} without a token`).toBe(401)
        expect(none.json).toMatchObject({ code: 'unauthorized' })
        const bad = await send(
          server.port,
          jsonRequest('not-a-token', route.method, route.path, route.body),
        )
        expect(bad.status, `${route.path} with a bad token`).toBe(401)
        for (const scope of SCOPES) {
          const answer = await send(
            server.port,
            jsonRequest(TOKENS[scope], route.method, route.path, route.body),
          )
          const allowed = scope === route.scope || scope === 'admin'
          expect(answer.status, `${route.method} ${route.path} as ${scope}`).toBe(
            allowed ? route.ok : 403,
          )
          if (!allowed) expect(answer.json).toMatchObject({ code: 'forbidden' })
        }
      }
    })

    it('serves GET /health without a token, saying only the status', async () => {
      const { server } = await serve()
      const answer = await send(server.port, { path: '/health' })
      expect(answer.status).toBe(200)
      expect(answer.json).toEqual({ status: 'healthy' })
    })
  })

  describe('hostile and bad input', () => {
    it('refuses malformed JSON, a wrong content type and invalid UTF-8 with 400 naming the body', async () => {
      const { server, store } = await serve()
      const token = TOKENS['events.write']
      const cases = [
        { headers: { 'content-type': 'application/json' }, body: '{"event_type":' },
        { headers: { 'content-type': 'text/plain' }, body: JSON.stringify(EVENT) },
        {
          headers: { 'content-type': 'application/json' },
          body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]),
        },
      ]
      for (const { headers, body } of cases) {
        const answer = await send(server.port, {
          method: 'POST',
          path: '/events',
          headers: { ...headers, authorization: `Bearer ${token}` },
          body,
        })
        expect(answer.status).toBe(400)
        expect(answer.json).toMatchObject({ code: 'validation' })
        expect((answer.json as { message: string }).message).toMatch(/^body:/)
      }
      expect(store.lastSequence).toBe(0)
    })

    it('refuses __proto__ keys, deep nesting and wrong types, naming the field, storing nothing', async () => {
      const { server, store } = await serve()
      let deep: unknown = 1
      for (let i = 0; i < 200; i++) deep = { d: deep }
      const bodies = [
        '{"event_type":"x","aggregate_id":"a","data":{"__proto__":{"polluted":true}}}',
        JSON.stringify({ event_type: 'x', aggregate_id: 'a', data: deep }),
        JSON.stringify({ event_type: 42, aggregate_id: 'a' }),
        JSON.stringify({ event_type: 'x', aggregate_id: 'a'.repeat(10_000) }),
      ]
      for (const body of bodies) {
        const answer = await send(server.port, {
          method: 'POST',
          path: '/events',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${TOKENS['events.write']}`,
          },
          body,
        })
        expect(answer.status, body.slice(0, 60)).toBe(400)
        expect(answer.json).toMatchObject({ code: 'validation' })
      }
      expect(store.lastSequence).toBe(0)
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
    })

    it('refuses a body over the limit from its Content-Length, before reading it', async () => {
      const { server } = await serve()
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest({
          host: '127.0.0.1',
          port: server.port,
          method: 'POST',
          path: '/events',
          headers: {
            authorization: `Bearer ${TOKENS['events.write']}`,
            'content-type': 'application/json',
            'content-length': String(64 * 1024 * 1024),
          },
        })
        req.on('response', (res) => {
          let body = ''
          res.on('data', (chunk: Buffer) => (body += chunk.toString()))
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
        })
        req.on('error', reject)
        req.write('{')
      })
      expect(answer.status).toBe(413)
      expect(JSON.parse(answer.body)).toMatchObject({ code: 'payload_too_large' })
    })

    it('answers 400 for a limit out of range, 404 for unknown routes and 405 for wrong methods', async () => {
      const { server } = await serve()
      const limit = await send(server.port, jsonRequest(TOKENS.admin, 'GET', '/events?limit=0'))
      expect(limit.status).toBe(400)
      expect((limit.json as { message: string }).message).toMatch(/^limit: .*10000/)
      expect((await send(server.port, jsonRequest(TOKENS.admin, 'GET', '/nope'))).status).toBe(404)
      expect(
        (await send(server.port, jsonRequest(TOKENS.admin, 'POST', '/events/query/x'))).status,
      ).toBe(404)
      expect(
        (await send(server.port, jsonRequest(TOKENS.admin, 'GET', '/events/batch'))).status,
      ).toBe(404)
      expect((await send(server.port, jsonRequest(TOKENS.admin, 'POST', '/health'))).status).toBe(
        405,
      )
    })

    it('drops a slow-loris client that never finishes its headers, and keeps serving others', async () => {
      const { server } = await serve({ headersTimeoutMs: 300 })
      const socket = connect(server.port, '127.0.0.1')
      await once(socket, 'connect')
      socket.write('POST /events HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: 1')
      const dripping = setInterval(() => socket.write('1'), 50)
      onTestFinished(() => clearInterval(dripping))
      const answer = await send(server.port, jsonRequest(TOKENS['events.read'], 'GET', '/events'))
      expect(answer.status).toBe(200)
      let received = ''
      socket.on('data', (chunk: Buffer) => (received += chunk.toString()))
      await once(socket, 'close')
      clearInterval(dripping)
      // Node answers 408 Request Timeout, then closes the connection.
      expect(received).toMatch(/^HTTP\/1\.1 408/)
    })

    it('cuts off a chunked body the moment it passes the limit, storing nothing, and keeps serving', async () => {
      const { server, store } = await serve()
      const req = httpRequest({
        host: '127.0.0.1',
        port: server.port,
        method: 'POST',
        path: '/events',
        headers: {
          authorization: `Bearer ${TOKENS['events.write']}`,
          'content-type': 'application/json',
          'transfer-encoding': 'chunked',
        },
      })
      const ended = new Promise<string>((resolve) => {
        req.on('response', (res) => resolve(`answered ${res.statusCode}`))
        req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'))
      })
      const chunk = Buffer.alloc(1024 * 1024, 0x20)
      let sent = 0
      while (sent <= HTTP_BODY_BYTES_MAX + chunk.length && !req.destroyed) {
        if (!req.write(chunk)) await Promise.race([once(req, 'drain'), ended])
        sent += chunk.length
      }
      expect(await ended).toMatch(/^(ECONNRESET|EPIPE)$/)
      expect(store.lastSequence).toBe(0)
      const answer = await send(
        server.port,
        jsonRequest(TOKENS['events.write'], 'POST', '/events', EVENT),
      )
      expect(answer.status).toBe(201)
    })

    it('forgets a request whose client leaves mid-body: no error reported, nothing stored', async () => {
      const internalErrors: unknown[] = []
      const { server, store } = await serve({
        onInternalError: (error) => internalErrors.push(error),
      })
      const socket = connect(server.port, '127.0.0.1')
      await once(socket, 'connect')
      socket.write(
        'POST /events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
          `Authorization: Bearer ${TOKENS['events.write']}\r\nContent-Length: 100\r\n\r\n{"event`,
      )
      await new Promise((resolve) => setTimeout(resolve, 50))
      socket.destroy()
      const answer = await send(
        server.port,
        jsonRequest(TOKENS['events.write'], 'POST', '/events', EVENT),
      )
      expect(answer.status).toBe(201)
      expect(store.lastSequence).toBe(1)
      expect(internalErrors).toEqual([])
    })

    it('keeps serving after hostile requests', async () => {
      const { server } = await serve()
      await send(server.port, {
        method: 'POST',
        path: '/events',
        headers: { 'content-type': 'application/json' },
        body: '{',
      })
      const answer = await send(
        server.port,
        jsonRequest(TOKENS['events.write'], 'POST', '/events', EVENT),
      )
      expect(answer.status).toBe(201)
    })
  })

  describe('host, origin and modes', () => {
    it('refuses unknown Host headers (DNS rebinding) unless allowed, and foreign origins', async () => {
      const { server } = await serve({ allowHosts: ['store.example'] })
      const auth = { authorization: `Bearer ${TOKENS.admin}` }
      const evil = await send(server.port, {
        path: '/events',
        headers: { ...auth, host: 'evil.example' },
      })
      expect(evil.status).toBe(403)
      const allowed = await send(server.port, {
        path: '/events',
        headers: { ...auth, host: `store.example:${server.port}` },
      })
      expect(allowed.status).toBe(200)
      const wrongPort = await send(server.port, {
        path: '/events',
        headers: { ...auth, host: 'localhost:1' },
      })
      expect(wrongPort.status).toBe(403)
      const foreign = await send(server.port, {
        path: '/events',
        headers: { ...auth, origin: 'https://evil.example' },
      })
      expect(foreign.status).toBe(403)
      expect(foreign.headers['access-control-allow-origin']).toBeUndefined()
    })

    it('allows the configured CORS origin and answers its preflight', async () => {
      const { server } = await serve({ corsOrigin: 'https://ui.example' })
      const preflight = await send(server.port, {
        method: 'OPTIONS',
        path: '/events',
        headers: { origin: 'https://ui.example' },
      })
      expect(preflight.status).toBe(204)
      expect(preflight.headers['access-control-allow-headers']).toContain('authorization')
      const answer = await send(server.port, {
        path: '/events',
        headers: { authorization: `Bearer ${TOKENS.admin}`, origin: 'https://ui.example' },
      })
      expect(answer.headers['access-control-allow-origin']).toBe('https://ui.example')
    })

    it('answers write routes with 403 read_only on a --read-only server and still serves reads', async () => {
      const { server } = await serve({ readOnly: true })
      const write = await send(server.port, jsonRequest(TOKENS.admin, 'POST', '/events', EVENT))
      expect(write.status).toBe(403)
      expect(write.json).toMatchObject({ code: 'read_only' })
      expect((await send(server.port, jsonRequest(TOKENS.admin, 'GET', '/events'))).status).toBe(
        200,
      )
    })

    it('rate-limits per token with 429 and Retry-After', async () => {
      const { server } = await serve({ ratePerSecond: 1, burst: 2 })
      const statuses: number[] = []
      let retryAfter: unknown
      for (let i = 0; i < 3; i++) {
        const answer = await send(server.port, jsonRequest(TOKENS.admin, 'GET', '/events'))
        statuses.push(answer.status)
        retryAfter = answer.headers['retry-after']
      }
      expect(statuses).toEqual([200, 200, 429])
      expect(Number(retryAfter)).toBeGreaterThanOrEqual(1)
    })
  })
})
