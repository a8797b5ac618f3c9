import { describe, expect, it } from 'vitest'
import { EventStore } from '../../../src/main/engine/eventStore'
import { jsonRequest, send } from './httpClient'
import { openSseStream, type SseEvent } from './sseClient'
import { serveStore } from './storeServerHarness'
import { TOKENS } from './testTokens'

const SUBSCRIBE = { authorization: `Bearer ${TOKENS['streams.subscribe']}` }

async function appendEvents(port: number, from: number, count: number): Promise<void> {
  const events = Array.from({ length: count }, (_, i) => ({
    event_type: 'agent_heartbeat',
    aggregate_id: `agent-${from + i}`,
  }))
  const answer = await send(
    port,
    jsonRequest(TOKENS['events.write'], 'POST', '/events/batch', { events }),
  )
  expect(answer.status).toBe(201)
}

function sequences(events: SseEvent[]): number[] {
  return events.filter((event) => event.event === 'event').map((event) => Number(event.id))
}

describe('SSE resume across a restart of serve', () => {
  it('resumes with Last-Event-ID on a new server over the same store: no gap, no duplicate', async () => {
    const first = await serveStore()
    await appendEvents(first.port, 1, 5)
    const before = await openSseStream(first.port, '/events/stream?from_sequence=1', SUBSCRIBE)
    await appendEvents(first.port, 6, 3)
    const seen = sequences(await before.next(8))
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
    const ended = new Promise<void>((resolve) => before.response.once('end', resolve))
    await first.server.close()
    await ended

    // Written while no server runs, then more once the new one is up: both must arrive.
    const offline = await EventStore.open(first.dir)
    await offline.appendBatch([
      { event_type: 'agent_heartbeat', aggregate_id: 'agent-9' },
      { event_type: 'agent_heartbeat', aggregate_id: 'agent-10' },
    ])
    await offline.close()
    const second = await serveStore({ dir: first.dir })
    const lastEventId = String(seen.at(-1))
    const after = await openSseStream(second.port, '/events/stream', {
      ...SUBSCRIBE,
      'last-event-id': lastEventId,
    })
    await appendEvents(second.port, 11, 2)
    const resumed = sequences(await after.next(4))
    expect(resumed).toEqual([9, 10, 11, 12])
    expect([...seen, ...resumed]).toEqual(Array.from({ length: 12 }, (_, i) => i + 1))
  })
})
