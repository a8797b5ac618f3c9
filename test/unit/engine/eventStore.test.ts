import { describe, expect, it } from 'vitest'
import { readdirSync } from 'node:fs'
import { EventStore } from '../../../src/main/engine/eventStore'
import { tempDir } from '../../support/tempDir'

const event = (i: number) => ({
  event_type: 'agent_heartbeat',
  aggregate_id: `agent-${i % 3}`,
  data: { i },
})

describe('EventStore', () => {
  it('stores events with contiguous sequences and reads them back after reopening', async () => {
    const dir = `${tempDir()}/store`
    const store = await EventStore.open(dir, { create: true, nodeId: 'node_a_1' })
    const results = await Promise.all([1, 2, 3].map((i) => store.append(event(i))))
    expect(results.map((r) => r.sequence)).toEqual([1, 2, 3])
    await store.close()
    const again = await EventStore.open(dir)
    const { events } = await again.query({ limit: 10 })
    expect(events.map((e) => e.data)).toEqual([{ i: 1 }, { i: 2 }, { i: 3 }])
    expect((await again.append(event(4))).sequence).toBe(4)
    await again.close()
  })

  it('rotation many times then restart keeps every event and the sequence', async () => {
    const dir = `${tempDir()}/store`
    const store = await EventStore.open(dir, { create: true, segmentBytesMax: 4096 })
    for (let i = 1; i <= 300; i++) await store.append(event(i))
    await store.idle()
    await store.close()
    const files = readdirSync(dir)
    expect(files.filter((f) => f.endsWith('.log.gz')).length).toBeGreaterThan(5)
    const again = await EventStore.open(dir, { segmentBytesMax: 4096 })
    expect(again.inspect().event_count).toBe(300)
    expect((await again.append(event(301))).sequence).toBe(301)
    const seen: number[] = []
    await again.readAll((e) => seen.push(e.sequence))
    expect(seen).toEqual(Array.from({ length: 301 }, (_, i) => i + 1))
    await again.close()
    const verify = await EventStore.verify(dir)
    expect(verify.ok).toBe(true)
  })
})

describe('onAppend', () => {
  it('hands every durable event to listeners once, in order, before the append resolves', async () => {
    const store = await EventStore.open(`${tempDir()}/store`, { create: true })
    const seen: number[] = []
    const stop = store.onAppend((events) => seen.push(...events.map((e) => e.sequence)))
    const first = store.append(event(1))
    const batch = store.appendBatch([event(2), event(3)])
    expect((await first).sequence).toBe(1)
    expect(seen).toContain(1)
    await batch
    expect(seen).toEqual([1, 2, 3])
    stop()
    await store.append(event(4))
    expect(seen).toEqual([1, 2, 3])
    await store.close()
  })
})

describe('onAppendCount', () => {
  it('tells how many events became durable, with or without event listeners, until stopped', async () => {
    const store = await EventStore.open(`${tempDir()}/store`, { create: true })
    const counts: number[] = []
    const stop = store.onAppendCount((count) => counts.push(count))
    await Promise.all([store.append(event(1)), store.appendBatch([event(2), event(3)])])
    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(3)
    const seen: number[] = []
    store.onAppend((events) => seen.push(...events.map((e) => e.sequence)))
    await store.appendBatch([event(4), event(5)])
    expect(counts.at(-1)).toBe(2)
    expect(seen).toEqual([4, 5])
    stop()
    await store.append(event(6))
    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(5)
    await store.close()
  })

  it("counts what a reader's refresh finds", async () => {
    const dir = `${tempDir()}/store`
    const writer = await EventStore.open(dir, { create: true, segmentBytesMax: 4096 })
    await writer.append(event(1))
    const reader = await EventStore.open(dir, { access: 'read' })
    const counts: number[] = []
    reader.onAppendCount((count) => counts.push(count))
    for (let i = 2; i <= 40; i++) await writer.append(event(i))
    expect(await reader.refresh()).toBe(39)
    expect(counts).toEqual([39])
    await reader.close()
    await writer.close()
  })
})

describe('refresh', () => {
  it('lets a reader see what a writer appended after the reader opened', async () => {
    const dir = `${tempDir()}/store`
    const writer = await EventStore.open(dir, { create: true, segmentBytesMax: 4096 })
    await writer.append(event(1))
    const reader = await EventStore.open(dir, { access: 'read' })
    const seen: number[] = []
    reader.onAppend((events) => seen.push(...events.map((e) => e.sequence)))
    for (let i = 2; i <= 40; i++) await writer.append(event(i))
    expect(await reader.refresh()).toBe(39)
    expect(seen).toEqual(Array.from({ length: 39 }, (_, i) => i + 2))
    expect(reader.inspect().event_count).toBe(40)
    await reader.close()
    await writer.close()
  })
})
