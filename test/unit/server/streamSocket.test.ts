import { describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { SCOPES } from '../../../src/main/server/scopes'
import { STREAM_PATH } from '../../../src/main/server/streamSocket'
import type { StoredEvent } from '../../../src/shared/event'
import { serveStore, type Served } from './storeServerHarness'
import { jsonRequest, send } from './httpClient'
import { TOKENS } from './testTokens'

type StreamMessage = { events?: StoredEvent[]; end?: unknown; error?: { code: string } }

/** connect opens /stream with the given headers; resolves with the socket or the refusal status. */
function connect(
  served: Served,
  headers: Record<string, string>,
): Promise<
  | { ws: WebSocket; messages: StreamMessage[]; next: (n: number) => Promise<StreamMessage[]> }
  | number
> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${served.port}${STREAM_PATH}`, { headers })
    const messages: StreamMessage[] = []
    const waiters: (() => void)[] = []
    ws.on('message', (data) => {
      messages.push(JSON.parse((data as Buffer).toString('utf8')) as StreamMessage)
      for (const wake of waiters.splice(0)) wake()
    })
    ws.on('close', () => {
      for (const wake of waiters.splice(0)) wake()
    })
    ws.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0))
    ws.on('open', () =>
      resolve({
        ws,
        messages,
        next: async (n) => {
          while (messages.length < n && ws.readyState === WebSocket.OPEN) {
            await new Promise<void>((wake) => waiters.push(wake))
          }
          return messages.slice(0, n)
        },
      }),
    )
  })
}

const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` })

async function appendOne(served: Served, aggregate: string): Promise<void> {
  const answer = await send(
    served.port,
    jsonRequest(TOKENS['events.write'], 'POST', '/events', {
      event_type: 'agent_heartbeat',
      aggregate_id: aggregate,
    }),
  )
  expect(answer.status).toBe(201)
}

describe('WebSocket /stream', () => {
  it('streams stored events from from_sequence, then live ones, filtered, without gap or repeat', async () => {
    const served = await serveStore()
    for (const aggregate of ['a', 'b', 'a']) await appendOne(served, aggregate)
    const stream = await connect(served, bearer(TOKENS['streams.subscribe']))
    if (typeof stream === 'number') throw new Error(`refused with ${stream}`)
    stream.ws.send(
      JSON.stringify({ subscribe: { filter: { aggregate_ids: ['a'] }, from_sequence: 1 } }),
    )
    await stream.next(1)
    await appendOne(served, 'b')
    await appendOne(served, 'a')
    const sequences = (): number[] =>
      stream.messages.flatMap((message) => (message.events ?? []).map((event) => event.sequence))
    while (sequences().length < 3) await stream.next(stream.messages.length + 1)
    expect(sequences()).toEqual([1, 3, 5])
    stream.ws.close()
  })

  it('admits only a token with streams.subscribe (or admin), and refuses foreign origins', async () => {
    const served = await serveStore()
    expect(await connect(served, {})).toBe(401)
    expect(await connect(served, bearer('not-a-token'))).toBe(401)
    for (const scope of SCOPES) {
      const result = await connect(served, bearer(TOKENS[scope]))
      const allowed = scope === 'streams.subscribe' || scope === 'admin'
      if (allowed) {
        expect(typeof result, scope).not.toBe('number')
        if (typeof result !== 'number') result.ws.close()
      } else {
        expect(result, scope).toBe(403)
      }
    }
    const foreign = await connect(served, {
      ...bearer(TOKENS.admin),
      origin: 'https://evil.example',
    })
    expect(foreign).toBe(403)
  })

  it('answers a bad subscribe request with a validation error naming the field, then closes', async () => {
    const served = await serveStore()
    const stream = await connect(served, bearer(TOKENS.admin))
    if (typeof stream === 'number') throw new Error(`refused with ${stream}`)
    stream.ws.send(JSON.stringify({ subscribe: { from_sequence: -3 } }))
    const [message] = await stream.next(1)
    expect(message?.error?.code).toBe('validation')
    expect(JSON.stringify(message)).toContain('subscribe.from_sequence')
    await new Promise<void>((resolve) => stream.ws.once('close', () => resolve()))
  })

  it('ends open streams when the server closes', async () => {
    const served = await serveStore()
    const stream = await connect(served, bearer(TOKENS.admin))
    if (typeof stream === 'number') throw new Error(`refused with ${stream}`)
    stream.ws.send(JSON.stringify({ subscribe: {} }))
    const closed = new Promise<number>((resolve) =>
      stream.ws.once('close', (code) => resolve(code)),
    )
    await served.server.close()
    expect(await closed).toBe(1001)
  })
})
