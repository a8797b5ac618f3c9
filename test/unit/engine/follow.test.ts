import {
  appendFileSync,
  cpSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { describe, expect, it } from 'vitest'
import { EventStore } from '../../../src/main/engine/eventStore'
import { follow } from '../../../src/main/engine/follow'
import type { FollowEnd } from '../../../src/main/engine/follow'
import { subscribe } from '../../../src/main/engine/subscription'
import type { Subscription } from '../../../src/main/engine/subscription'
import { ValidationError } from '../../../src/main/engine/errors'
import { CountingFileSystem } from '../../support/countingFileSystem'
import { tempDir } from '../../support/tempDir'
import { mulberry32 } from '../../support/random'

/**
 * Follow mode with an in-process writer: a reader opened read-only on the same directory,
 * kept up to date by follow() (watching plus polling), and the incremental refresh under it.
 * followProcess.test.ts does the same with a writer in another process.
 */
const SEED = process.env.SEED ? Number(process.env.SEED) : Math.floor(Math.random() * 2 ** 31)
console.log(
  `follow: SEED=${SEED} (replay: SEED=${SEED} npx vitest run test/unit/engine/follow.test.ts)`,
)

const event = (i: number) => ({
  event_type: 'shadow_updated',
  aggregate_id: `agent-${i % 4}`,
  data: { i, pad: 'f'.repeat(i % 150) },
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function until(what: string, predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const started = Date.now()
  while (!predicate()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting until ${what}`)
    await sleep(1)
  }
}

/** collect subscribes from `fromSequence` and keeps the delivered sequences and their times. */
function collect(store: EventStore, fromSequence = 1) {
  const sequences: number[] = []
  const seenAt = new Map<number, number>()
  const subscription: Subscription = subscribe(store, {
    fromSequence,
    onEvents: (events) => {
      const now = performance.now()
      for (const e of events) {
        sequences.push(e.sequence)
        seenAt.set(e.sequence, now)
      }
    },
  })
  return { sequences, seenAt, subscription }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}

describe('follow', () => {
  it('a reader sees every event of an in-process writer once, in order, across rotation and sealing', async () => {
    const random = mulberry32(SEED)
    const dir = `${tempDir()}/store`
    const writer = await EventStore.open(dir, { create: true, segmentBytesMax: 4096 })
    await writer.append(event(0))
    const reader = await EventStore.open(dir, { access: 'read' })
    const follower = follow(reader, { pollMs: 50 })
    const seen = collect(reader)
    let next = 1
    for (let round = 0; round < 60; round++) {
      const size = random() < 0.3 ? 1 + Math.floor(random() * 15) : 1
      await writer.appendBatch(Array.from({ length: size }, () => event(next++)))
      if (random() < 0.2) await sleep(Math.floor(random() * 8))
    }
    await writer.idle()
    const last = writer.lastSequence
    await until(`the reader reached ${last}`, () => seen.sequences.length >= last)
    expect(seen.sequences).toEqual(Array.from({ length: last }, (_, i) => i + 1))
    expect(reader.mode).toBe('read_only')
    expect(readdirSync(dir).filter((n) => n.endsWith('.log.gz')).length).toBeGreaterThan(3)
    // The last seals may land after the last event was seen: the reader catches up with them.
    const names = (store: EventStore) =>
      store
        .inspect()
        .segments.map((s) => s.name)
        .join(' ')
    await until('the reader sees the last seals', () => names(reader) === names(writer))
    expect(reader.inspect().event_count).toBe(last)
    await seen.subscription.close()
    await follower.close()
    expect(await follower.stopped).toEqual({ reason: 'closed' })
    await reader.close()
    await writer.close()
  })

  it('with the watcher, new appends are seen well within 250 ms (latency logged)', async () => {
    const dir = `${tempDir()}/store`
    const writer = await EventStore.open(dir, { create: true })
    const reader = await EventStore.open(dir, { access: 'read' })
    const follower = follow(reader)
    const seen = collect(reader)
    const latencies: number[] = []
    for (let i = 1; i <= 20; i++) {
      await writer.append(event(i))
      const durableAt = performance.now()
      await until(`event ${i} seen`, () => seen.seenAt.has(i))
      latencies.push(Math.max(0, seen.seenAt.get(i)! - durableAt))
      await sleep(5)
    }
    console.log(
      `follow latency (watcher ${follower.watching ? 'on' : 'unavailable'}, poll 250 ms): ` +
        `median ${median(latencies).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms after the append resolved`,
    )
    expect(median(latencies)).toBeLessThan(250)
    await seen.subscription.close()
    await follower.close()
    await reader.close()
    await writer.close()
  })

  it('with watching off, polling alone still sees new appends within about pollMs', async () => {
    const dir = `${tempDir()}/store`
    const writer = await EventStore.open(dir, { create: true })
    const reader = await EventStore.open(dir, { access: 'read' })
    const follower = follow(reader, { pollMs: 40, watch: null })
    expect(follower.watching).toBe(false)
    const seen = collect(reader)
    const latencies: number[] = []
    for (let i = 1; i <= 8; i++) {
      await writer.append(event(i))
      const durableAt = performance.now()
      await until(`event ${i} seen`, () => seen.seenAt.has(i))
      latencies.push(Math.max(0, seen.seenAt.get(i)! - durableAt))
    }
    console.log(
      `follow latency, polling only every 40 ms: median ${median(latencies).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms`,
    )
    expect(seen.sequences).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
    expect(median(latencies)).toBeLessThan(250)
    await seen.subscription.close()
    await follower.close()
    await reader.close()
    await writer.close()
  })

  it('close() stops the watcher and the timer: nothing is refreshed after it', async () => {
    const dir = `${tempDir()}/store`
    const writer = await EventStore.open(dir, { create: true })
    const reader = await EventStore.open(dir, { access: 'read' })
    const follower = follow(reader, { pollMs: 10 })
    await until('a refresh', () => follower.refreshes > 0)
    await follower.close()
    const count = follower.refreshes
    await writer.append(event(1))
    await sleep(60)
    expect(follower.refreshes).toBe(count)
    expect(follower.watching).toBe(false)
    expect(reader.lastSequence).toBe(0)
    await reader.close()
    await writer.close()
  })

  it('a store directory that disappears stops following with a sentence saying so', async () => {
    const dir = `${tempDir()}/store`
    const writer = await EventStore.open(dir, { create: true })
    await writer.append(event(1))
    await writer.close()
    const reader = await EventStore.open(dir, { access: 'read' })
    const errors: unknown[] = []
    const follower = follow(reader, { pollMs: 10, onError: (error) => errors.push(error) })
    rmSync(dir, { recursive: true, force: true })
    const end: FollowEnd = await follower.stopped
    expect(end.reason).toBe('error')
    expect(errors).toHaveLength(1)
    expect(String(errors[0])).toMatch(/store directory .* is gone/)
    await follower.close()
    await reader.close()
  })

  it.each([
    [{ pollMs: 5 }, 'FOLLOW_POLL_MS_MIN'],
    [{ pollMs: 120_000 }, 'FOLLOW_POLL_MS_MAX'],
    [{ pollMs: 1.5 }, 'pollMs'],
  ])('refuses %j with a validation error naming %s', async (options, named) => {
    const dir = `${tempDir()}/store`
    const writer = await EventStore.open(dir, { create: true })
    const reader = await EventStore.open(dir, { access: 'read' })
    expect(() => follow(reader, options)).toThrow(ValidationError)
    expect(() => follow(reader, options)).toThrow(named)
    await reader.close()
    await writer.close()
  })

  it('refuses a store opened for writing: its own appends reach its listeners already', async () => {
    const writer = await EventStore.open(`${tempDir()}/store`, { create: true })
    expect(() => follow(writer)).toThrow(/open for writing/)
    await writer.close()
  })
})

describe('incremental refresh', () => {
  it('reads only the new bytes of the active segment, and nothing when nothing changed', async () => {
    const dir = `${tempDir()}/store`
    const writer = await EventStore.open(dir, { create: true })
    for (let i = 0; i < 20; i++) {
      await writer.appendBatch(Array.from({ length: 200 }, (_, k) => event(i * 200 + k)))
    }
    const fs = new CountingFileSystem()
    const reader = await EventStore.open(dir, { access: 'read', fs })
    const seen: number[] = []
    reader.onAppend((events) => seen.push(...events.map((e) => e.sequence)))
    await reader.refresh()
    const log = readdirSync(dir).find((n) => n.endsWith('.log'))!
    const logBytes = statSync(`${dir}/${log}`).size
    expect(logBytes).toBeGreaterThan(500_000)
    fs.resetCounts()
    expect(await reader.refresh()).toBe(0)
    expect(fs.bytesReadOf((n) => n === log)).toBe(0)
    await writer.append(event(4000))
    expect(await reader.refresh()).toBe(1)
    expect(seen).toEqual([4001])
    const read = fs.bytesReadOf((n) => n === log)
    console.log(
      `refresh after one append to a ${logBytes}-byte active segment read ${read} bytes of it`,
    )
    // The scan of the new record, and reading it back for the listener: a few KiB at most.
    expect(read).toBeLessThan(8 * 1024)
    await reader.close()
    await writer.close()
  })

  /**
   * tornTailFixture makes a store holding events 1-5, and the exact bytes a writer appends
   * next: a batch of two (6, 7) and a single event (8). Tests write them piece by piece.
   */
  async function tornTailFixture() {
    const dir = `${tempDir()}/store`
    const writer = await EventStore.open(dir, { create: true })
    for (let i = 1; i <= 5; i++) await writer.append(event(i))
    await writer.close()
    const donor = `${dir}-donor`
    cpSync(dir, donor, { recursive: true })
    const other = await EventStore.open(donor)
    await other.appendBatch([event(6), event(7)])
    await other.append(event(8))
    await other.close()
    const log = readdirSync(dir).find((n) => n.endsWith('.log'))!
    const before = statSync(`${dir}/${log}`).size
    const tail = readFileSync(`${donor}/${log}`).subarray(before)
    rmSync(donor, { recursive: true, force: true })
    const recordEnds: number[] = []
    for (let at = 0; at < tail.length;) {
      at += 64 + tail.readUInt32BE(at + 8)
      recordEnds.push(at)
    }
    return { dir, path: `${dir}/${log}`, tail, recordEnds }
  }

  it('a tail still being written is waited for, not reported as damage, and a batch only counts whole', async () => {
    const { dir, path, tail, recordEnds } = await tornTailFixture()
    const reader = await EventStore.open(dir, { access: 'read' })
    const seen: number[][] = []
    reader.onAppend((events) => seen.push(events.map((e) => e.sequence)))
    const [end6, end7, end8] = recordEnds as [number, number, number]
    // Half of record 6.
    appendFileSync(path, tail.subarray(0, 40))
    expect(await reader.refresh()).toBe(0)
    expect(reader.mode).toBe('read_only')
    // Record 6 whole and half of 7: the batch (6, 7) is not complete yet.
    appendFileSync(path, tail.subarray(40, end6 + 10))
    expect(await reader.refresh()).toBe(0)
    appendFileSync(path, tail.subarray(end6 + 10, end7))
    expect(await reader.refresh()).toBe(2)
    appendFileSync(path, tail.subarray(end7, end8))
    expect(await reader.refresh()).toBe(1)
    expect(seen).toEqual([[6, 7], [8]])
    expect(reader.mode).toBe('read_only')
    expect(reader.inspect().event_count).toBe(8)
    await reader.close()
  })

  it('garbage after the last record is waited for as a torn tail, and read only once', async () => {
    const { dir, path } = await tornTailFixture()
    const fs = new CountingFileSystem()
    const reader = await EventStore.open(dir, { access: 'read', fs })
    appendFileSync(path, Buffer.from('this is not a record, it is what a dying writer left'))
    expect(await reader.refresh()).toBe(0)
    expect(reader.mode).toBe('read_only')
    fs.resetCounts()
    expect(await reader.refresh()).toBe(0)
    expect(fs.bytesReadOf((n) => n.endsWith('.log'))).toBe(0)
    await reader.close()
  })

  it('a new segment whose header is not written yet is waited for', async () => {
    const dir = `${tempDir()}/store`
    const writer = await EventStore.open(dir, { create: true })
    await writer.append(event(1))
    await writer.close()
    const reader = await EventStore.open(dir, { access: 'read' })
    writeFileSync(`${dir}/segment-0000000002.log`, Buffer.alloc(0))
    expect(await reader.refresh()).toBe(0)
    expect(reader.mode).toBe('read_only')
    expect(reader.inspect().event_count).toBe(1)
    await reader.close()
  })
})
