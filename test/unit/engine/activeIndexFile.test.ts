import { readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it, vi } from 'vitest'
import type { StoredEvent } from '../../../src/shared/event'
import { EventStore } from '../../../src/main/engine/eventStore'
import {
  activeIndexName,
  loadActiveIndex,
  saveActiveIndex,
} from '../../../src/main/engine/activeIndexFile'
import { nodeFileSystem } from '../../../src/main/engine/nodeFileSystem'
import { ActiveIndex } from '../../../src/main/engine/activeIndex'
import { compileFilter } from '../../../src/main/engine/eventFilter'
import { readSegmentRecords } from '../../../src/main/engine/segmentReader'
import { runQuery } from '../../../src/main/engine/queryRunner'
import type { FileHandle, FileSystem } from '../../../src/main/engine/fileSystem'
import { FaultFileSystem } from '../../support/faultFileSystem'
import type { SegmentInfo } from '../../../src/main/engine/segmentReader'
import { expected, expectModelAnswer, inputs, queryArb } from '../../support/queryModel'
import { CountingFileSystem } from '../../support/countingFileSystem'
import { flipByte } from '../../support/corrupt'
import { tempDir } from '../../support/tempDir'

const SEED = Number(process.env.SEED ?? Date.now() % 2 ** 31)
const NUM_RUNS = Number(process.env.NUM_RUNS ?? 60)
console.log(
  `saved active index: SEED=${SEED} NUM_RUNS=${NUM_RUNS} (replay: SEED=${SEED} npx vitest run test/unit/engine/activeIndexFile.test.ts)`,
)

const BIG_SEGMENT = 4 * 1024 * 1024
const COUNTED = 'active segment index: counted in memory'

/** A store whose events all sit in the active segment, closed cleanly; and its events. */
async function closedStore(count: number): Promise<{ dir: string; all: StoredEvent[] }> {
  const dir = `${tempDir()}/store`
  const store = await EventStore.open(dir, { create: true, segmentBytesMax: BIG_SEGMENT })
  const events = inputs(count, SEED)
  for (let i = 0; i < count; i += 10) await store.appendBatch(events.slice(i, i + 10))
  const all: StoredEvent[] = []
  await store.readAll((event) => all.push(event))
  await store.close()
  return { dir, all }
}

const logOf = (dir: string) => `${dir}/${readdirSync(dir).find((n) => n.endsWith('.log'))!}`

/** expectModelAnswers checks seeded random queries against a brute-force scan of `all`. */
async function expectModelAnswers(store: EventStore, all: StoredEvent[], seed: number) {
  await fc.assert(
    fc.asyncProperty(queryArb, (query) => expectModelAnswer(store, all, query)),
    { seed, numRuns: NUM_RUNS },
  )
}

/** activeSegment describes the store's only segment, all of its 100 records durable. */
function activeSegment(dir: string): SegmentInfo {
  const size = statSync(logOf(dir)).size
  return {
    segmentNumber: 1,
    name: 'segment-0000000001.log',
    sealed: false,
    firstSequence: 1,
    lastSequence: 100,
    records: 100,
    bytes: size,
    rawBytes: size,
  }
}

/** cutAfter cuts the store's log after event `last` (as a recovery would); its new size. */
async function cutAfter(dir: string, last: number): Promise<number> {
  let end = 0
  await readSegmentRecords(nodeFileSystem, dir, activeSegment(dir), (record) => {
    if (record.header.sequence === last) end = record.end
  })
  truncateSync(logOf(dir), end)
  rmSync(`${dir}/CLEAN`, { force: true })
  return end
}

/**
 * HeldFileSystem holds two steps of saved-index loads until released, one at a time: the
 * close of the first log file opened (a load's check of the last record), then the second
 * read of a saved index file.
 */
class HeldFileSystem implements FileSystem {
  holding: 'check' | 'file' | null = null
  private releases: (() => void)[] = []
  private logOpens = 0
  private indexReads = 0

  release(): void {
    this.holding = null
    this.releases.shift()?.()
  }

  private hold(what: 'check' | 'file'): Promise<void> {
    return new Promise((resolve) => {
      this.releases.push(resolve)
      this.holding = what
    })
  }

  async open(path: string, mode: 'read' | 'readwrite'): Promise<FileHandle> {
    const handle = await nodeFileSystem.open(path, mode)
    if (!path.endsWith('.log') || ++this.logOpens !== 1) return handle
    const close = async () => {
      await this.hold('check')
      await handle.close()
    }
    return new Proxy(handle, {
      get: (target, key) => {
        if (key === 'close') return close
        const value: unknown = Reflect.get(target, key)
        return typeof value === 'function' ? (value as () => unknown).bind(target) : value
      },
    })
  }

  async readFile(path: string): Promise<Buffer> {
    if (path.endsWith('.active-index') && ++this.indexReads === 2) await this.hold('file')
    return nodeFileSystem.readFile(path)
  }

  create = nodeFileSystem.create.bind(nodeFileSystem)
  rename = nodeFileSystem.rename.bind(nodeFileSystem)
  unlink = nodeFileSystem.unlink.bind(nodeFileSystem)
  mkdir = nodeFileSystem.mkdir.bind(nodeFileSystem)
  readdir = nodeFileSystem.readdir.bind(nodeFileSystem)
  size = nodeFileSystem.size.bind(nodeFileSystem)
  syncDir = nodeFileSystem.syncDir.bind(nodeFileSystem)
}

/** firstQuery opens the store and asks one counted query: log bytes read, and the answer. */
async function firstQuery(dir: string, access: 'read' | 'write' = 'write') {
  const fs = new CountingFileSystem()
  const store = await EventStore.open(dir, { fs, access, segmentBytesMax: BIG_SEGMENT })
  fs.resetCounts()
  const result = await store.query({ event_types: ['agent_heartbeat'], limit: 3 })
  return { store, result, logBytesRead: fs.bytesReadOf((name) => name.endsWith('.log')) }
}

describe('the active segment index saved at a clean close', () => {
  it('is loaded by the next open, not rebuilt, and answers like a brute-force scan', async () => {
    const { dir, all } = await closedStore(300)
    expect(readdirSync(dir)).toContain(activeIndexName(1))
    const { store, result, logBytesRead } = await firstQuery(dir)
    const logBytes = statSync(logOf(dir)).size
    console.log(
      `first query after a clean open: ${logBytesRead} of the log's ${logBytes} bytes read`,
    )
    expect(result.plan.index_used).toContain(COUNTED)
    // The check of the last indexed record and the page's records: not the log read back.
    expect(logBytesRead).toBeLessThan(logBytes / 2)
    await expectModelAnswers(store, all, SEED)
    for (const sequence of [1, 150, 300]) {
      expect(await store.getBySequence(sequence)).toEqual(all[sequence - 1])
    }
    await store.close()
  })

  it('still describes a prefix after more appends: a reader loads it and reads on', async () => {
    const { dir, all } = await closedStore(200)
    const writer = await EventStore.open(dir, { segmentBytesMax: BIG_SEGMENT })
    const more = inputs(260, SEED + 1).slice(200)
    for (let i = 0; i < more.length; i += 10) await writer.appendBatch(more.slice(i, i + 10))
    await writer.readAll((event) => (event.sequence > 200 ? all.push(event) : undefined))
    // The writer stays open (as if it had crashed): the file is the one of the first close.
    const { store, logBytesRead } = await firstQuery(dir, 'read')
    expect(logBytesRead).toBeLessThan(statSync(logOf(dir)).size / 2)
    await expectModelAnswers(store, all, SEED + 2)
    await store.close()
    await writer.close()
  })

  it('is loaded too when the writer appends before its first query', async () => {
    const { dir, all } = await closedStore(300)
    const fs = new CountingFileSystem()
    const writer = await EventStore.open(dir, { fs, segmentBytesMax: BIG_SEGMENT })
    const more = inputs(320, SEED + 4).slice(300)
    await writer.appendBatch(more)
    await writer.readAll((event) => (event.sequence > 300 ? all.push(event) : undefined))
    fs.resetCounts()
    const result = await writer.query({ event_types: ['agent_heartbeat'], limit: 3 })
    expect(fs.bytesReadOf((name) => name.endsWith('.log'))).toBeLessThan(
      statSync(logOf(dir)).size / 2,
    )
    expect(result.total_count).toBe(all.filter((e) => e.event_type === 'agent_heartbeat').length)
    await expectModelAnswers(writer, all, SEED + 5)
    await writer.close()
  })

  it('is loaded once for first queries that come together; none reads the log back', async () => {
    const { dir } = await closedStore(300)
    const fs = new CountingFileSystem()
    const store = await EventStore.open(dir, { fs, segmentBytesMax: BIG_SEGMENT })
    fs.resetCounts()
    const answers = await Promise.all(
      ['agent_heartbeat', 'command_received', 'command_executed'].map((type) =>
        store.query({ event_types: [type], limit: 2 }),
      ),
    )
    expect(answers.every((a) => a.plan.index_used.includes(COUNTED))).toBe(true)
    expect(fs.bytesReadOf((name) => name.endsWith('.log'))).toBeLessThan(
      statSync(logOf(dir)).size / 2,
    )
    await store.close()
  })

  it('is not adopted by a segment that changed identity while it was being read', async () => {
    const { dir } = await closedStore(100)
    const segment = activeSegment(dir)
    // The same number listed with another first sequence (a recovery in another process).
    const moved = { ...segment, firstSequence: 5, lastSequence: 104 }
    const index = new ActiveIndex(nodeFileSystem, dir)
    const filter = compileFilter({ event_types: ['agent_heartbeat'] })
    await Promise.allSettled([
      index.matchSegment(segment, filter),
      index.matchSegment(moved, filter),
    ])
    // The log holds events 1 to 100: nothing of it can be counted as the moved segment's.
    expect(await index.matchSegment(moved, filter)).toBeNull()
    await index.close()
  })

  it('a load that ends after the index was reset is not adopted, even for the same segment', async () => {
    const { dir } = await closedStore(100)
    // Hold the first load at its check of the log, and the second at its read of the file.
    const fs = new HeldFileSystem()
    const index = new ActiveIndex(fs, dir)
    const query = { event_types: ['agent_heartbeat'] }
    const filter = compileFilter(query)
    const first = index.matchSegment(activeSegment(dir), filter).catch(() => null)
    await vi.waitFor(() => expect(fs.holding).toBe('check'))
    // Meanwhile another process cuts the log's last batch and writes other, larger events.
    await cutAfter(dir, 90)
    const writer = await EventStore.open(dir, { segmentBytesMax: BIG_SEGMENT })
    await writer.appendBatch(
      inputs(10, SEED + 8).map((e) => ({ ...e, data: { ...e.data, pad: 'y'.repeat(300) } })),
    )
    const all: StoredEvent[] = []
    await writer.readAll((event) => all.push(event))
    await writer.close()
    index.invalidate() // the reader's refresh saw the store change
    const segment = activeSegment(dir)
    const second = index.matchSegment(segment, filter)
    await vi.waitFor(() => expect(fs.holding).toBe('file'))
    fs.release() // the first load ends, with the index of the old log
    await first
    fs.release() // then the second's
    await second
    const read = (s: SegmentInfo, onRecord: Parameters<typeof readSegmentRecords>[3]) =>
      readSegmentRecords(nodeFileSystem, dir, s, onRecord)
    const result = await runQuery({ ...query, limit: 1000 }, [segment], read, index)
    expect(result.events.map((e) => e.event_id)).toEqual(
      expected(all, query).map((e) => e.event_id),
    )
    await index.close()
  })

  it('a close whose save fails still closes: the lock is released, the store reopens', async () => {
    const fs = new FaultFileSystem({ dirs: ['/s'] })
    const store = await EventStore.open('/s/store', { fs, create: true })
    await store.appendBatch(inputs(20, SEED))
    fs.failNext('create', 'ENOSPC', { pathIncludes: '.active-index' })
    await store.close()
    expect(fs.calls.create).toBeGreaterThan(0)
    const again = await EventStore.open('/s/store', { fs })
    expect((await again.query({ limit: 100 })).total_count).toBe(20)
    await again.close()
  })

  it('is ignored when damaged: the index is rebuilt from the log and answers the same', async () => {
    const { dir, all } = await closedStore(200)
    const file = `${dir}/${activeIndexName(1)}`
    flipByte(file, Math.floor(statSync(file).size / 2))
    const { store, result, logBytesRead } = await firstQuery(dir)
    expect(logBytesRead).toBeGreaterThan(statSync(logOf(dir)).size * 0.9)
    const heartbeats = all.filter((e) => e.event_type === 'agent_heartbeat')
    expect(result.total_count).toBe(heartbeats.length)
    expect(result.events).toEqual(heartbeats.slice(0, 3))
    await store.close()
  })

  it('is not trusted when the log no longer holds its last record as it was', async () => {
    const { dir } = await closedStore(100)
    const log = logOf(dir)
    const size = statSync(log).size
    const segment = activeSegment(dir)
    expect((await loadActiveIndex(nodeFileSystem, dir, segment))?.count).toBe(100)
    expect(await loadActiveIndex(nodeFileSystem, dir, { ...segment, firstSequence: 2 })).toBeNull()
    expect(await loadActiveIndex(nodeFileSystem, dir, { ...segment, segmentNumber: 2 })).toBeNull()
    // The last record's digest (the log's last 32 bytes) is another record's now.
    flipByte(log, size - 5)
    expect(await loadActiveIndex(nodeFileSystem, dir, segment)).toBeNull()
    truncateSync(log, size - 10)
    const shorter = { ...segment, bytes: size - 10, rawBytes: size - 10, records: 99 }
    expect(await loadActiveIndex(nodeFileSystem, dir, shorter)).toBeNull()
  })

  it('is not trusted once the log was cut below its end and grew again with other events', async () => {
    const { dir } = await closedStore(100)
    const file = `${dir}/${activeIndexName(1)}`
    const saved = readFileSync(file)
    const sizeBefore = statSync(logOf(dir)).size
    // A recovery cut the last batch of 10; the writer appended 10 other events in its place.
    const writer = await EventStore.open(dir, { segmentBytesMax: BIG_SEGMENT })
    const kept: StoredEvent[] = []
    await writer.readAll((event) => (event.sequence <= 90 ? kept.push(event) : undefined))
    await writer.close()
    const cut = await cutAfter(dir, 90)
    const regrown = await EventStore.open(dir, { segmentBytesMax: BIG_SEGMENT })
    // Larger events: the log grows past its old end, so only the last record's bytes tell.
    const other = inputs(10, SEED + 6).map((e) => ({
      ...e,
      data: { ...e.data, pad: 'x'.repeat(300) },
    }))
    await regrown.appendBatch(other)
    const all: StoredEvent[] = []
    await regrown.readAll((event) => all.push(event))
    await regrown.close()
    expect(all.slice(0, 90)).toEqual(kept)
    expect(all).toHaveLength(100)
    expect(statSync(logOf(dir)).size).toBeGreaterThan(Math.max(cut, sizeBefore))
    writeFileSync(file, saved) // the index of the log before the cut
    expect(await loadActiveIndex(nodeFileSystem, dir, activeSegment(dir))).toBeNull()
    const { store } = await firstQuery(dir)
    await expectModelAnswers(store, all, SEED + 7)
    await store.close()
  })

  it('saves what its count covers: postings of later sequences are left out', async () => {
    const { dir } = await closedStore(100)
    const segment = activeSegment(dir)
    const loaded = (await loadActiveIndex(nodeFileSystem, dir, segment))!
    // As if the index were at 60 records when saving began and at 100 by its end.
    const at60 = { ...loaded, count: 60, end: loaded.offsets[60]! }
    await saveActiveIndex(nodeFileSystem, dir, at60)
    const saved = (await loadActiveIndex(nodeFileSystem, dir, segment))!
    expect(saved.count).toBe(60)
    const sequences = saved.postings.flatMap((postings) =>
      [...(postings?.values() ?? [])].flatMap((s) => (typeof s === 'number' ? [s] : s)),
    )
    expect(Math.max(...sequences)).toBe(60)
    expect(sequences.length).toBeGreaterThan(60)
  })

  it("is replaced at the next clean close, and another segment's file is removed", async () => {
    const { dir } = await closedStore(100)
    const writer = await EventStore.open(dir, { segmentBytesMax: 16 * 1024 })
    const more = inputs(300, SEED + 3)
    for (let i = 0; i < more.length; i += 10) await writer.appendBatch(more.slice(i, i + 10))
    await writer.idle()
    const newest = writer.inspect().segments.at(-1)!
    await writer.query({ limit: 1 }) // the newest segment, indexed through the durable path
    await writer.close()
    const saved = readdirSync(dir).filter((n) => n.endsWith('.active-index'))
    expect(saved).toEqual([activeIndexName(Number(/\d+/.exec(newest.name)![0]))])
    expect(saved[0]).not.toBe(activeIndexName(1))
  })
})
