import { request as httpRequest } from 'node:http'
import { describe, expect, it, onTestFinished } from 'vitest'
import { EventStore } from '../../../src/main/engine/eventStore'
import { ApiServer } from '../../../src/main/server/apiServer'
import { hashToken } from '../../../src/main/server/tokenFile'
import { tempDir } from '../../support/tempDir'
import { openSseStream } from './sseClient'

const TOKEN = 'stream-test-token-0123456789'

/** openStream opens GET /events/stream with this file's token. */
function openStream(port: number, path: string, headers: Record<string, string> = {}) {
  return openSseStream(port, path, { authorization: `Bearer ${TOKEN}`, ...headers })
}

async function serve(): Promise<{ server: ApiServer; store: EventStore }> {
  const store = await EventStore.open(tempDir(), { create: true })
  const server = await ApiServer.start({
    store: () => store,
    tokens: [{ name: 'sub', token_sha256: hashToken(TOKEN), scopes: ['streams.subscribe'] }],
  })
  onTestFinished(async () => {
    await server.close()
    await store.close()
  })
  return { server, store }
}

const event = (
  i: number,
  type = 'agent_heartbeat',
): { event_type: string; aggregate_id: string } => ({
  event_type: type,
  aggregate_id: `agent-${i}`,
})

describe('GET /events/stream (SSE)', () => {
  it('sends stored events from from_sequence, then live ones, each with its sequence as id', async () => {
    const { server, store } = await serve()
    await store.appendBatch([event(1), event(2), event(3)])
    const stream = await openStream(server.port, '/events/stream?from_sequence=2')
    expect(stream.response.headers['content-type']).toMatch(/^text\/event-stream/)
    await store.append(event(4))
    const got = await stream.next(3)
    expect(got.map((e) => e.id)).toEqual(['2', '3', '4'])
    expect(got.every((e) => e.event === 'event')).toBe(true)
    expect(JSON.parse(got[2]!.data)).toMatchObject({ sequence: 4, aggregate_id: 'agent-4' })
  })

  it('resumes after Last-Event-ID with no gap and no duplicate, and filters by type', async () => {
    const { server, store } = await serve()
    await store.appendBatch([event(1), event(2, 'agent_registered'), event(3), event(4)])
    const stream = await openStream(server.port, '/events/stream?event_types=agent_heartbeat', {
      'last-event-id': '1',
    })
    await store.append(event(5))
    const got = await stream.next(3)
    expect(got.map((e) => e.id)).toEqual(['3', '4', '5'])
  })

  it('refuses a Last-Event-ID that is not a sequence, naming it', async () => {
    const { server } = await serve()
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest({
        host: '127.0.0.1',
        port: server.port,
        path: '/events/stream',
        headers: { authorization: `Bearer ${TOKEN}`, 'last-event-id': 'abc' },
      })
      req.on('response', (res) => {
        let body = ''
        res.on('data', (chunk: Buffer) => (body += chunk.toString()))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      })
      req.on('error', reject)
      req.end()
    })
    expect(answer.status).toBe(400)
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'validation' })
    expect(answer.body).toContain('Last-Event-ID')
  })

  it('ends open streams when the server closes, so shutdown does not hang', async () => {
    const store = await EventStore.open(tempDir(), { create: true })
    onTestFinished(() => store.close())
    const server = await ApiServer.start({
      store: () => store,
      tokens: [{ name: 'sub', token_sha256: hashToken(TOKEN), scopes: ['streams.subscribe'] }],
    })
    const stream = await openStream(server.port, '/events/stream')
    const ended = new Promise<void>((resolve) => stream.response.on('end', () => resolve()))
    await server.close()
    await ended
    expect(stream.response.complete).toBe(true)
  })
})
