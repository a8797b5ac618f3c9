import { afterEach, describe, expect, it } from 'vitest'
import type { EventStore } from '../../../src/main/engine/eventStore'
import { APPEND_QUEUE_EVENTS_MAX, BATCH_EVENTS_MAX } from '../../../src/main/engine/limits'
import { World, allEvents, ordinaryEvent } from './monitorHarness'

/**
 * Backpressure: the append queue is bounded, so a burst beyond it is refused at once with
 * a retryable `overloaded`, instead of growing memory, and nothing acknowledged is lost.
 * The "10x burst" is scaled down to what fills the queue while fsync is held: held fsyncs
 * make the queue's depth, not the machine's speed, decide which appends are refused.
 */
const open: EventStore[] = []
afterEach(async () => {
  for (const store of open.splice(0)) await store.close()
})

/** BURST_BATCHES of full batches are 10% more events than the queue holds. */
const BURST_BATCHES = Math.ceil((APPEND_QUEUE_EVENTS_MAX * 1.1) / BATCH_EVENTS_MAX)

describe('a burst beyond the append queue', () => {
  it('is refused as overloaded at once, loses nothing acknowledged, and the queue drains to empty', async () => {
    const world = new World()
    const store = await world.open()
    open.push(store)
    const baseline = await store.append(ordinaryEvent(0))
    world.gate.close()
    const outcomes: Promise<{ ok: number[] } | { code: string }>[] = []
    for (let b = 0; b < BURST_BATCHES; b++) {
      const batch = Array.from({ length: BATCH_EVENTS_MAX }, (_, i) => ordinaryEvent(b * 1000 + i))
      outcomes.push(
        store.appendBatch(batch, {}).then(
          (results) => ({ ok: results.map((r) => r.sequence) }),
          (error: { code: string }) => ({ code: error.code }),
        ),
      )
    }
    // While fsync is held the queue is at its bound, not past it, and refusals have answered.
    expect(store.appendQueue.events).toBeLessThanOrEqual(APPEND_QUEUE_EVENTS_MAX)
    expect(store.appendQueue.events).toBeGreaterThan(APPEND_QUEUE_EVENTS_MAX - BATCH_EVENTS_MAX)
    expect(store.health().components.find((c) => c.name === 'append')?.detail).toMatch(
      /events waiting/,
    )

    world.gate.open()
    const settled = await Promise.all(outcomes)
    const refused = settled.filter((o): o is { code: string } => 'code' in o)
    const acked = settled.flatMap((o) => ('ok' in o ? o.ok : []))
    expect(refused.length).toBeGreaterThan(0)
    expect(new Set(refused.map((o) => o.code))).toEqual(new Set(['overloaded']))
    expect(acked.length + refused.length * BATCH_EVENTS_MAX).toBe(BURST_BATCHES * BATCH_EVENTS_MAX)
    expect(store.metrics.appends).toMatchObject({ failed: 0, rejected: refused.length })

    // Back to baseline: an empty queue, and the next append is acknowledged at once.
    await store.idle()
    expect(store.appendQueue).toMatchObject({ events: 0, bytes: 0 })
    const after = await store.append(ordinaryEvent(1))
    expect(after.sequence).toBe(baseline.sequence + acked.length + 1)

    await store.close()
    open.pop()
    const reader = await world.open({ access: 'read' })
    open.push(reader)
    const stored = new Set((await allEvents(reader)).map((event) => event.sequence))
    for (const sequence of acked) expect(stored.has(sequence)).toBe(true)
    expect(stored.size).toBe(acked.length + 2)
  })

  it('a refused append leaves no idempotency key behind: its retry is stored once there is room', async () => {
    const world = new World()
    const store = await world.open()
    open.push(store)
    world.gate.close()
    const filler = Array.from({ length: APPEND_QUEUE_EVENTS_MAX / BATCH_EVENTS_MAX }, (_, b) =>
      store.appendBatch(
        Array.from({ length: BATCH_EVENTS_MAX }, (_, i) => ordinaryEvent(b * 1000 + i)),
      ),
    )
    const keyed = { ...ordinaryEvent(7), idempotency_key: 'retry-me' }
    await expect(store.append(keyed)).rejects.toMatchObject({ code: 'overloaded' })
    world.gate.open()
    await Promise.all(filler)
    const retried = await store.append(keyed)
    expect((await store.getBySequence(retried.sequence))?.idempotency_key).toBe('retry-me')
  })
})
