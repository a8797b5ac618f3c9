import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { FileHandle } from '../../../src/main/engine/fileSystem'
import { nodeFileSystem } from '../../../src/main/engine/nodeFileSystem'
import { SmallReads } from '../../../src/main/engine/smallReads'
import {
  SMALL_READ_BACKOFF_MS,
  SMALL_READ_BYTES_MAX,
  SMALL_READ_SLOW_COUNT_MAX,
  SMALL_READ_SLOW_MS,
  SMALL_READ_WINDOW,
} from '../../../src/main/engine/limits'
import { tempDir } from '../../support/tempDir'
import { CountingFileSystem } from '../../support/countingFileSystem'
import { EventStore } from '../../../src/main/engine/eventStore'

/**
 * A handle over `bytes` that counts which way it was read; each synchronous read advances
 * the fake clock by the next of `syncMs` (0 when they run out), as a disk that slow would.
 */
function fakeHandle(bytes: Buffer, clock: { now: number }, syncMs: number[] = []) {
  const calls = { read: 0, readSync: 0 }
  const copy = (buffer: Buffer, offset: number, length: number, position: number) =>
    bytes.copy(buffer, offset, position, Math.min(bytes.length, position + length))
  const handle: FileHandle = {
    read: async (buffer, offset, length, position) => {
      calls.read++
      return copy(buffer, offset, length, position)
    },
    readSync: (buffer, offset, length, position) => {
      calls.readSync++
      clock.now += syncMs.shift() ?? 0
      return copy(buffer, offset, length, position)
    },
    write: () => Promise.reject(new Error('read only')),
    datasync: () => Promise.resolve(),
    truncate: () => Promise.reject(new Error('read only')),
    size: async () => bytes.length,
    close: () => Promise.resolve(),
  }
  return { handle, calls }
}

const SLOW = SMALL_READ_SLOW_MS + 1

describe('SmallReads', () => {
  it('reads on the calling thread while reads are quick, and gives the bytes asked for', async () => {
    const clock = { now: 0 }
    const { handle, calls } = fakeHandle(Buffer.from('0123456789'), clock)
    const reads = new SmallReads(() => clock.now)
    expect((await reads.read(handle, 2, 5)).toString()).toBe('23456')
    expect((await reads.read(handle, 8, 5)).toString()).toBe('89') // the file ends sooner
    // The short read asks once more and is told the file ends (0 bytes).
    expect(calls).toEqual({ read: 0, readSync: 3 })
  })

  it('sends large reads, and handles that cannot read synchronously, to the thread pool', async () => {
    const clock = { now: 0 }
    const big = fakeHandle(Buffer.alloc(SMALL_READ_BYTES_MAX + 1), clock)
    const reads = new SmallReads(() => clock.now)
    expect((await reads.read(big.handle, 0, SMALL_READ_BYTES_MAX + 1)).length).toBe(
      SMALL_READ_BYTES_MAX + 1,
    )
    expect((await reads.read(big.handle, 0, SMALL_READ_BYTES_MAX)).length).toBe(
      SMALL_READ_BYTES_MAX,
    )
    expect(big.calls).toEqual({ read: 1, readSync: 1 })
    const poolOnly = fakeHandle(Buffer.from('abc'), clock)
    const withoutReadSync: FileHandle = { ...poolOnly.handle, readSync: undefined }
    expect((await reads.read(withoutReadSync, 0, 3)).toString()).toBe('abc')
    expect(poolOnly.calls).toEqual({ read: 1, readSync: 0 })
  })

  it(`goes to the pool for a while after ${SMALL_READ_SLOW_COUNT_MAX} slow reads among the last ${SMALL_READ_WINDOW}, not after one`, async () => {
    const clock = { now: 0 }
    const slowThenQuick = [
      SLOW,
      0,
      SLOW,
      0,
      0,
      ...Array<number>(SMALL_READ_SLOW_COUNT_MAX).fill(SLOW),
    ]
    const { handle, calls } = fakeHandle(Buffer.from('x'), clock, slowThenQuick)
    const reads = new SmallReads(() => clock.now)
    for (let i = 0; i < 5; i++) await reads.read(handle, 0, 1)
    expect(reads.onThread).toBe(true) // two slow ones so far
    for (let i = 0; i < SMALL_READ_SLOW_COUNT_MAX - 2; i++) await reads.read(handle, 0, 1)
    expect(reads.onThread).toBe(false)
    const onThreadSoFar = calls.readSync
    for (let i = 0; i < 3; i++) expect((await reads.read(handle, 0, 1)).toString()).toBe('x')
    expect(calls).toEqual({ read: 3, readSync: onThreadSoFar })
    clock.now += SMALL_READ_BACKOFF_MS
    expect(reads.onThread).toBe(true)
    await reads.read(handle, 0, 1)
    expect(calls.readSync).toBe(onThreadSoFar + 1)
  })

  it('forgets slow reads older than the window', async () => {
    const clock = { now: 0 }
    const gap = Array<number>(SMALL_READ_WINDOW).fill(0)
    const spread = [SLOW, ...gap, SLOW, ...gap, SLOW, ...gap, SLOW, ...gap]
    const { handle, calls } = fakeHandle(Buffer.from('x'), clock, [...spread])
    const reads = new SmallReads(() => clock.now)
    for (let i = 0; i < spread.length; i++) await reads.read(handle, 0, 1)
    expect(reads.onThread).toBe(true)
    expect(calls).toEqual({ read: 0, readSync: spread.length })
  })

  it('answers a failed read on the thread with a rejected promise, not a throw, and reads on', async () => {
    const clock = { now: 0 }
    const { handle } = fakeHandle(Buffer.from('x'), clock)
    const failing: FileHandle = {
      ...handle,
      readSync: () => {
        throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' })
      },
    }
    const reads = new SmallReads(() => clock.now)
    const reading = reads.read(failing, 0, 1)
    await expect(reading).rejects.toMatchObject({ code: 'EIO' })
    expect((await reads.read(handle, 0, 1)).toString()).toBe('x')
  })

  it('reads a real file through nodeFileSystem on the thread', async () => {
    const path = join(tempDir(), 'file')
    writeFileSync(path, 'hello, small reads')
    const handle = await nodeFileSystem.open(path, 'read')
    try {
      expect(handle).toHaveProperty('readSync')
      const reads = new SmallReads()
      expect((await reads.read(handle, 7, 100)).toString()).toBe('small reads')
    } finally {
      await handle.close()
    }
  })
})

/**
 * The store's gets read on the thread, its query pages through the pool. This file's
 * module copy of threadSmallReads sees only the reads below, fewer than the slow ones a
 * backoff takes (SMALL_READ_SLOW_COUNT_MAX), so a slow machine cannot turn it off here.
 */
describe('SmallReads in a store', () => {
  it('reads a get on the thread, sealed or active, and a page of many spans through the pool', async () => {
    expect(SMALL_READ_SLOW_COUNT_MAX).toBeGreaterThan(2)
    const fs = new CountingFileSystem()
    const store = await EventStore.open(`${tempDir()}/store`, {
      create: true,
      fs,
      segmentBytesMax: 256 * 1024,
    })
    const events = (from: number, count: number, aggregate: (n: number) => string) =>
      Array.from({ length: count }, (_, i) => ({
        event_type: 'note',
        aggregate_id: aggregate(from + i),
        data: { text: 'x'.repeat(400) },
      }))
    for (let n = 1; n <= 600; n += 100) await store.appendBatch(events(n, 100, () => 'old'))
    await store.idle()
    expect(store.inspect().segments.some((s) => s.sealed)).toBe(true)
    // The active segment: two matches far apart (more than ACTIVE_READ_GAP_BYTES), so two spans.
    const first = store.lastSequence + 1
    await store.appendBatch(
      events(first, 300, (n) => (n === first || n === first + 299 ? 'edge' : 'mid')),
    )
    const active = store.inspect().segments.at(-1)!
    expect(active.sealed).toBe(false)
    expect(active.first_sequence).toBeLessThanOrEqual(first)

    let before = fs.syncReads
    expect((await store.getBySequence(5))?.sequence).toBe(5) // sealed
    expect(fs.syncReads).toBe(before + 1)
    before = fs.syncReads
    expect((await store.getBySequence(first + 10))?.sequence).toBe(first + 10) // active
    expect(fs.syncReads).toBe(before + 1)
    before = fs.syncReads
    const page = await store.query({ aggregate_ids: ['edge'], after_sequence: first - 1 })
    expect(page.events.map((e) => e.sequence)).toEqual([first, first + 299])
    expect(fs.syncReads).toBe(before)

    await store.close()
    expect(fs.closed).toBe(fs.opened)
  })
})
