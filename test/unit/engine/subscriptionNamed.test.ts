import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { EventStore } from '../../../src/main/engine/eventStore'
import {
  CONSUMERS_DIR,
  readConsumerPosition,
  subscribeNamed,
} from '../../../src/main/engine/namedSubscription'
import type { NamedSubscription } from '../../../src/main/engine/namedSubscription'
import { StoreError, ValidationError } from '../../../src/main/engine/errors'
import { tempDir } from '../../support/tempDir'

/** Named subscriptions keep their acknowledged position in consumers/<name>.json. */
const event = (i: number) => ({
  event_type: 'agent_heartbeat',
  aggregate_id: `a-${i % 3}`,
  data: { i },
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function until(what: string, predicate: () => boolean): Promise<void> {
  const started = Date.now()
  while (!predicate()) {
    if (Date.now() - started > 10_000) throw new Error(`timed out waiting until ${what}`)
    await sleep(2)
  }
}

async function appendSingles(store: EventStore, from: number, count: number): Promise<void> {
  for (let i = from; i < from + count; i++) await store.append(event(i))
}

describe('subscribeNamed', () => {
  it('resumes right after the acknowledged position, across a reopen, and quickly', async () => {
    const dir = `${tempDir()}/store`
    let store = await EventStore.open(dir, { create: true, segmentBytesMax: 4096 })
    await appendSingles(store, 1, 40)
    const seen: number[] = []
    let sub: NamedSubscription = await subscribeNamed(store, 'billing', {
      onEvents: async (events) => {
        seen.push(...events.map((e) => e.sequence))
        // This consumer handles (and acknowledges) events up to 25 only.
        const upTo = Math.min(events.at(-1)!.sequence, 25)
        if (upTo >= events[0]!.sequence) await sub.ack(upTo)
      },
    })
    await until('40 delivered', () => seen.length === 40)
    // A brand-new consumer starts at the first event.
    expect(seen[0]).toBe(1)
    await sub.close()
    await store.close()

    store = await EventStore.open(dir, { segmentBytesMax: 4096 })
    expect(await readConsumerPosition(store, 'billing')).toBe(25)
    await appendSingles(store, 41, 5)
    const again: number[] = []
    let firstMs = -1
    const started = performance.now()
    sub = await subscribeNamed(store, 'billing', {
      onEvents: (events) => {
        if (firstMs < 0) firstMs = performance.now() - started
        again.push(...events.map((e) => e.sequence))
      },
    })
    expect(sub.acknowledged).toBe(25)
    await until('the rest delivered', () => again.length === 20)
    expect(again).toEqual(Array.from({ length: 20 }, (_, i) => i + 26))
    console.log(
      `named subscription: resumed after 25, next event delivered in ${firstMs.toFixed(1)} ms`,
    )
    expect(firstMs).toBeLessThan(1000)
    await sub.close()
    await store.close()
  })

  it('ack is durable: the position file is written whole and read back', async () => {
    const store = await EventStore.open(`${tempDir()}/store`, { create: true })
    await appendSingles(store, 1, 10)
    const sub = await subscribeNamed(store, 'audit.v2_x-1', { onEvents: () => undefined })
    await until('delivered', () => sub.position === 10)
    await Promise.all([sub.ack(3), sub.ack(7), sub.ack(10)])
    expect(sub.acknowledged).toBe(10)
    const dir = `${store.files.dir}/${CONSUMERS_DIR}`
    expect(readdirSync(dir)).toEqual(['audit.v2_x-1.json'])
    const file = JSON.parse(readFileSync(`${dir}/audit.v2_x-1.json`, 'utf8')) as Record<
      string,
      unknown
    >
    expect(file).toMatchObject({
      format: 'lighthouse-consumer',
      version: 1,
      name: 'audit.v2_x-1',
      acknowledged_sequence: 10,
    })
    expect(await readConsumerPosition(store, 'audit.v2_x-1')).toBe(10)
    await sub.close()
    await store.close()
    expect((await EventStore.verify(store.files.dir)).ok).toBe(true)
  })

  it('acknowledgements only move forward and never past what was delivered', async () => {
    const store = await EventStore.open(`${tempDir()}/store`, { create: true })
    await appendSingles(store, 1, 5)
    const sub = await subscribeNamed(store, 'c', { onEvents: () => undefined })
    await until('delivered', () => sub.position === 5)
    await expect(sub.ack(6)).rejects.toThrow(/6 was not delivered yet/)
    await sub.ack(4)
    await expect(sub.ack(2)).rejects.toThrow(/acknowledgements only move forward/)
    await expect(sub.ack(-1)).rejects.toThrow(ValidationError)
    await sub.ack(4)
    expect(sub.acknowledged).toBe(4)
    await sub.close()
    await store.close()
  })

  it.each(['', 'a/b', '../x', 'x'.repeat(65), 'sp ace', 'é'])(
    'refuses the consumer name %j, naming the rule',
    async (name) => {
      const store = await EventStore.open(`${tempDir()}/store`, { create: true })
      await expect(subscribeNamed(store, name, { onEvents: () => undefined })).rejects.toThrow(
        /name must be 1 to 64 letters, digits/,
      )
      await store.close()
    },
  )

  it('a store opened read-only refuses named subscriptions and writes nothing', async () => {
    const dir = `${tempDir()}/store`
    const writer = await EventStore.open(dir, { create: true })
    await appendSingles(writer, 1, 3)
    await writer.close()
    const before = readdirSync(dir).sort()
    const reader = await EventStore.open(dir, { access: 'read' })
    const attempt = subscribeNamed(reader, 'c', { onEvents: () => undefined })
    await expect(attempt).rejects.toThrow(StoreError)
    await expect(subscribeNamed(reader, 'c', { onEvents: () => undefined })).rejects.toThrow(
      /a reader never writes there\. Open the store for writing/,
    )
    expect(readdirSync(dir).sort()).toEqual(before)
    expect(existsSync(`${dir}/${CONSUMERS_DIR}`)).toBe(false)
    await reader.close()
  })

  it('one subscription per name at a time; the name is free again after close', async () => {
    const store = await EventStore.open(`${tempDir()}/store`, { create: true })
    const first = await subscribeNamed(store, 'c', { onEvents: () => undefined })
    await expect(subscribeNamed(store, 'c', { onEvents: () => undefined })).rejects.toThrow(
      /already subscribed/,
    )
    await first.close()
    const second = await subscribeNamed(store, 'c', { onEvents: () => undefined })
    await second.close()
    await store.close()
  })

  it('a damaged position file is refused with a sentence saying what to do', async () => {
    const store = await EventStore.open(`${tempDir()}/store`, { create: true })
    const sub = await subscribeNamed(store, 'c', { onEvents: () => undefined })
    await sub.close()
    writeFileSync(`${store.files.dir}/${CONSUMERS_DIR}/c.json`, '{"format":"lighthouse-consumer"')
    await expect(readConsumerPosition(store, 'c')).rejects.toThrow(
      /not a valid consumer position\. Remove it/,
    )
    await store.close()
  })
})
