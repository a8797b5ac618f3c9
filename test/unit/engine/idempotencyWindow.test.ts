import { describe, expect, it } from 'vitest'
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { EventStore } from '../../../src/main/engine/eventStore'
import type { RememberedKey } from '../../../src/main/engine/idempotencyWindow'
import { readWindowBack } from '../../../src/main/engine/windowReadBack'
import { analyzeStore } from '../../../src/main/engine/analyzeStore'
import { nodeFileSystem } from '../../../src/main/engine/nodeFileSystem'
import { readIdentity, CLEAN_FILE } from '../../../src/main/engine/storeDirectory'
import { manifestName, sealedName } from '../../../src/main/engine/segmentNames'
import { IDEMPOTENCY_WINDOW_MS, READ_CHUNK_BYTES } from '../../../src/main/engine/limits'
import { SEGMENT_HEADER_BYTES } from '../../../src/main/engine/segmentHeader'
import { CountingFileSystem } from '../../support/countingFileSystem'
import { flipByte, truncateAt } from '../../support/corrupt'
import { tempDir } from '../../support/tempDir'

/**
 * After a crash there is no clean-shutdown marker to load the idempotency window from, so a
 * writer's open reads it back from the log. These tests crash a store by removing the marker
 * a close wrote (a crash never writes one) and check that a retry after the reopen is still
 * answered with the original result, whatever segment holds the original.
 */

const SEGMENT_BYTES = 4096

const keyed = (key: string, extra: object = {}) => ({
  event_type: 'command_received',
  aggregate_id: 'agg-1',
  idempotency_key: key,
  ...extra,
})
const filler = (n: number) => ({ event_type: 'agent_heartbeat', aggregate_id: `a-${n % 3}` })

/** A clock that moves 1 ms per reading, and can be moved on by hand. */
function steppingClock(startMs = Date.UTC(2026, 0, 1)) {
  const clock = { nowMs: startMs, read: () => (clock.nowMs += 1) }
  return clock
}

/** crash leaves the store as a killed writer would: no clean-shutdown marker. */
function crash(dir: string): void {
  rmSync(join(dir, CLEAN_FILE))
}

async function eventCount(store: EventStore): Promise<number> {
  return (await store.query({ limit: 1 })).total_count
}

async function appendFillers(store: EventStore, count: number): Promise<void> {
  for (let i = 0; i < count; i++) await store.append(filler(i))
}

describe('idempotency window read back after a crash', () => {
  it('answers retries with the original results, for keys in sealed segments and the active log', async () => {
    const dir = `${tempDir()}/store`
    const store = await EventStore.open(dir, { create: true, segmentBytesMax: SEGMENT_BYTES })
    const originals = [await store.append(keyed('early'))]
    await appendFillers(store, 60)
    originals.push(...(await store.appendBatch([keyed('batch-1'), keyed('batch-2')])))
    await appendFillers(store, 60)
    originals.push(await store.append(keyed('late')))
    await store.idle()
    await store.close()
    expect(readdirSync(dir).filter((name) => name.endsWith('.log.gz')).length).toBeGreaterThan(2)
    crash(dir)

    const again = await EventStore.open(dir, { segmentBytesMax: SEGMENT_BYTES })
    expect(again.mode).toBe('writable')
    const before = await eventCount(again)
    const retried = [await again.append(keyed('early', { data: { retry: true } }))]
    retried.push(...(await again.appendBatch([keyed('batch-1'), keyed('batch-2')])))
    retried.push(await again.append(keyed('late')))
    expect(retried).toEqual(originals)
    expect(await eventCount(again)).toBe(before)
    await again.close()
  })

  it('reads back the same window that a clean close saves', async () => {
    const dir = `${tempDir()}/store`
    const clock = steppingClock()
    const options = { segmentBytesMax: SEGMENT_BYTES, nowMs: clock.read }
    const store = await EventStore.open(dir, { create: true, ...options })
    for (let i = 0; i < 40; i++) {
      await store.append(i % 3 === 0 ? keyed(`k-${i % 9}`) : filler(i))
      // Move past the window now and then, so a key can be stored again once forgotten.
      if (i % 13 === 12) clock.nowMs += IDEMPOTENCY_WINDOW_MS / 2
    }
    await store.idle()
    await store.close()
    const saved = (
      JSON.parse(readFileSync(join(dir, CLEAN_FILE), 'utf8')) as { idempotency: RememberedKey[] }
    ).idempotency
    expect(saved.length).toBeGreaterThan(2)

    const storeId = Buffer.from((await readIdentity(nodeFileSystem, dir)).store_id, 'hex')
    const analysis = await analyzeStore(nodeFileSystem, dir, {
      storeId,
      deep: false,
      checkDigest: true,
      writerActive: false,
    })
    const readBack = await readWindowBack(nodeFileSystem, dir, analysis.segments, clock.nowMs)
    // The same keys, sequences and ids; the time is the id's append time, which the live
    // window took from the clock a moment later.
    expect(readBack.map((entry) => entry.slice(0, 3))).toEqual(saved.map((e) => e.slice(0, 3)))
    for (const [, , eventId, atMs] of readBack) {
      expect(atMs).toBe(Number(BigInt(eventId.split('_')[0]!) / 1_000_000n))
    }
  })

  // The log is searched READ_CHUNK_BYTES at a time: put the name across the end of the
  // first chunk, counted from the file's start and from the first record's.
  it.each([READ_CHUNK_BYTES - 7, SEGMENT_HEADER_BYTES + READ_CHUNK_BYTES - 7])(
    'finds a key whose field name lies across two chunks it reads (name at byte %i)',
    async (across) => {
      // The clock is fixed, so the same events give the same bytes: build once to see where
      // the name lands, then again with the padding that moves it into place.
      const build = async (padding: number) => {
        const dir = `${tempDir()}/store`
        const clock = steppingClock()
        const store = await EventStore.open(dir, { create: true, nowMs: clock.read })
        await store.append({ ...filler(1), data: { pad: 'x'.repeat(600_000) } })
        await store.append({ ...filler(2), data: { pad: 'y'.repeat(padding) } })
        const original = await store.append(keyed('across'))
        await store.close()
        const log = readdirSync(dir).find((name) => name.endsWith('.log'))!
        const nameAt = readFileSync(join(dir, log)).lastIndexOf('idempotency_key')
        return { dir, clock, original, nameAt }
      }
      const first = await build(400_000)
      const { dir, clock, original, nameAt } = await build(400_000 + across - first.nameAt)
      expect(nameAt).toBe(across)
      crash(dir)

      const again = await EventStore.open(dir, { nowMs: clock.read })
      expect(await again.append(keyed('across'))).toEqual(original)
      await again.close()
    },
  )

  it('does not take a key named inside data for an idempotency key', async () => {
    const dir = `${tempDir()}/store`
    const store = await EventStore.open(dir, { create: true })
    await store.append({ ...filler(1), data: { idempotency_key: 'in-data' } })
    await store.close()
    crash(dir)

    const again = await EventStore.open(dir)
    expect((await again.append(keyed('in-data'))).sequence).toBe(2)
    await again.close()
  })

  it('forgets the keys of a batch cut off with a torn tail', async () => {
    const dir = `${tempDir()}/store`
    const store = await EventStore.open(dir, { create: true })
    await store.append(keyed('kept'))
    await store.appendBatch([keyed('torn-1'), keyed('torn-2')])
    await store.close()
    crash(dir)
    const log = join(
      dir,
      readdirSync(dir).find((name) => name.endsWith('.log'))!,
    )
    truncateAt(log, statSync(log).size - 10)

    const again = await EventStore.open(dir)
    expect(again.openReport?.actions.map((action) => action.kind)).toEqual(['truncated'])
    expect((await again.append(keyed('kept'))).sequence).toBe(1)
    const stored = await again.appendBatch([keyed('torn-1'), keyed('torn-2')])
    expect(stored.map((result) => result.sequence)).toEqual([2, 3])
    await again.close()
  })

  it('does not read sealed segments whose events are all older than the window', async () => {
    const dir = `${tempDir()}/store`
    const clock = steppingClock()
    // Segments that rotate by age too, so the jump past the window starts a fresh one.
    const segmentAgeMs = IDEMPOTENCY_WINDOW_MS / 2
    const options = { segmentBytesMax: SEGMENT_BYTES, segmentAgeMs, nowMs: clock.read }
    const store = await EventStore.open(dir, { create: true, ...options })
    const old = await store.append(keyed('old'))
    await appendFillers(store, 60)
    clock.nowMs += IDEMPOTENCY_WINDOW_MS + 1
    await store.append(filler(0))
    await store.idle()
    // Every segment sealed by now ended before the jump (the last one rotated by age).
    const oldSealed = readdirSync(dir).filter((name) => name.endsWith('.log.gz'))
    expect(oldSealed.length).toBeGreaterThan(1)
    await appendFillers(store, 60)
    const recent = await store.append(keyed('recent'))
    await store.idle()
    await store.close()
    crash(dir)

    const counting = new CountingFileSystem()
    const again = await EventStore.open(dir, { ...options, fs: counting })
    expect(counting.bytesReadOf((name) => oldSealed.includes(name))).toBe(0)
    expect(await again.append(keyed('recent'))).toEqual(recent)
    expect((await again.append(keyed('old'))).sequence).toBeGreaterThan(old.sequence)
    await again.close()
  })

  it('opens in needs_recovery, naming the file, when a sealed segment it reads back is damaged', async () => {
    const dir = `${tempDir()}/store`
    const store = await EventStore.open(dir, { create: true, segmentBytesMax: SEGMENT_BYTES })
    await appendFillers(store, 80)
    await store.idle()
    await store.close()
    crash(dir)
    const newestSealed = readdirSync(dir)
      .filter((name) => name.endsWith('.log.gz'))
      .sort()
      .at(-1)!
    // Inside the deflate data of the first gzip member: the file keeps its size, so the
    // open trusts the manifest, and only reading the data back finds the damage.
    flipByte(join(dir, newestSealed), 100, 0xff)
    const number = Number(/(\d{10})/.exec(newestSealed)![1])
    expect(readdirSync(dir)).toContain(manifestName(number))
    expect(newestSealed).toBe(sealedName(number))

    const again = await EventStore.open(dir, { segmentBytesMax: SEGMENT_BYTES })
    expect(again.mode).toBe('needs_recovery')
    expect(again.openReport?.problems.map((problem) => problem.file)).toEqual([newestSealed])
    await again.close()
  })
})
