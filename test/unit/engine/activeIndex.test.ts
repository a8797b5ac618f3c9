import { beforeAll, describe, expect, it, vi } from 'vitest'
import fc from 'fast-check'
import { cpSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { StoredEvent } from '../../../src/shared/event'
import type { EventQuery } from '../../../src/shared/query'
import { EventStore } from '../../../src/main/engine/eventStore'
import { ActiveIndex } from '../../../src/main/engine/activeIndex'
import { nodeFileSystem } from '../../../src/main/engine/nodeFileSystem'
import { runQuery } from '../../../src/main/engine/queryRunner'
import { readSegmentRecords } from '../../../src/main/engine/segmentReader'
import type { SegmentInfo } from '../../../src/main/engine/segmentReader'
import {
  expectCursorWalk,
  expected,
  expectModelAnswer,
  inputs,
  queryArb,
} from '../../support/queryModel'
import { CountingFileSystem } from '../../support/countingFileSystem'
import type { FileHandle } from '../../../src/main/engine/fileSystem'
import { SEGMENT_HEADER_BYTES } from '../../../src/main/engine/segmentHeader'

const SEED = Number(process.env.SEED ?? Date.now() % 2 ** 31)
const NUM_RUNS = Number(process.env.NUM_RUNS ?? 100)
console.log(
  `active index differential: SEED=${SEED} NUM_RUNS=${NUM_RUNS} (replay: SEED=${SEED} npx vitest run test/unit/engine/activeIndex.test.ts)`,
)

const BIG_SEGMENT = 4 * 1024 * 1024
const COUNTED = 'active segment index: counted in memory'

/**
 * The whole store sits in its active segment. The writer's index is built three ways: by
 * catching up on records that were there when it opened, from the durable path as it
 * appends, and again by catching up on appends made before any query asked for it.
 */
describe('active segment index', () => {
  let dir: string
  let writer: EventStore
  let all: StoredEvent[]

  beforeAll(async () => {
    const root = mkdtempSync(join(tmpdir(), 'lhs-active-'))
    dir = `${root}/store`
    const events = inputs(400, SEED)
    const first = await EventStore.open(dir, { create: true, segmentBytesMax: BIG_SEGMENT })
    for (let i = 0; i < 150; i += 7) await first.appendBatch(events.slice(i, Math.min(i + 7, 150)))
    await first.close()
    // Without the index saved at that close, so the writer reads its records back.
    for (const name of readdirSync(dir))
      if (name.endsWith('.active-index')) rmSync(`${dir}/${name}`)
    writer = await EventStore.open(dir, { segmentBytesMax: BIG_SEGMENT })
    await writer.query({ limit: 1 }) // catches up on the 150 records
    for (let i = 150; i < 400; i += 5) await writer.appendBatch(events.slice(i, i + 5))
    all = []
    await writer.readAll((event) => all.push(event))
    expect(writer.inspect().segments).toHaveLength(1)
    return async () => {
      await writer.close()
      rmSync(root, { recursive: true, force: true })
    }
  })

  it('answers random filters, orders and pages like a brute-force scan (writer)', async () => {
    await fc.assert(
      fc.asyncProperty(queryArb, (query) => expectModelAnswer(writer, all, query)),
      { seed: SEED, numRuns: NUM_RUNS },
    )
    await fc.assert(
      fc.asyncProperty(queryArb, (query) => expectCursorWalk(writer, all, query)),
      { seed: SEED, numRuns: Math.ceil(NUM_RUNS / 4) },
    )
  })

  it('answers the same in a read-only store that catches up from the file', async () => {
    const reader = await EventStore.open(dir, { access: 'read' })
    try {
      await fc.assert(
        fc.asyncProperty(queryArb, (query) => expectModelAnswer(reader, all, query)),
        { seed: SEED + 1, numRuns: NUM_RUNS },
      )
      for (const sequence of [1, 150, 151, 400]) {
        expect(await reader.getBySequence(sequence)).toEqual(all[sequence - 1])
      }
      expect(await reader.getBySequence(401)).toBeNull()
    } finally {
      await reader.close()
    }
  })

  it('counts an exact filter in memory and reads only the page', async () => {
    for (const order of ['asc', 'desc'] as const) {
      const query: EventQuery = { event_types: ['command_received'], limit: 4, order }
      const result = await writer.query(query)
      const want = expected(all, query)
      expect(result.total_count).toBe(want.length)
      expect(result.events.map((e) => e.sequence)).toEqual(want.slice(0, 4).map((e) => e.sequence))
      expect(result.plan.index_used).toContain(COUNTED)
      expect(result.plan.events_scanned).toBe(4)
    }
  })

  it('answers a time range from the times it keeps, reading only the page', async () => {
    // Event times are not in sequence order: bound by the quartiles of the times.
    const times = all.map((e) => e.timestamp).sort()
    const query: EventQuery = {
      after_timestamp: times[100]!,
      before_timestamp: times[300]!,
      limit: 5,
    }
    const result = await writer.query(query)
    expect(result.total_count).toBe(expected(all, query).length)
    expect(result.total_count).toBeGreaterThan(5)
    expect(result.plan.events_scanned).toBe(5)
  })

  it('reads only candidate records when the filter also needs the event', async () => {
    const query: EventQuery = { aggregate_ids: ['a1'], data_contains: { status: 'ok' } }
    const result = await writer.query(query)
    expect(result.total_count).toBe(expected(all, query).length)
    expect(result.plan.index_used).toContain('active segment index: record offsets')
    expect(result.plan.events_scanned).toBe(all.filter((e) => e.aggregate_id === 'a1').length)
  })

  it('sees appends made after a query, through the durable path', async () => {
    const before = await writer.query({ aggregate_ids: ['late'] })
    expect(before.total_count).toBe(0)
    const added = await writer.append({ ...inputs(1, SEED)[0]!, aggregate_id: 'late' })
    const after = await writer.query({ aggregate_ids: ['late'] })
    expect(after.events.map((e) => e.sequence)).toEqual([added.sequence])
    expect(after.plan.index_used).toContain(COUNTED)
    expect((await writer.getBySequence(added.sequence))?.aggregate_id).toBe('late')
    all.push((await writer.getBySequence(added.sequence))!)
  })

  it('drops a field with too many values and still answers exactly', async () => {
    // Five values at most: the four event types stay indexed, the twenty correlation ids not.
    const active = new ActiveIndex(nodeFileSystem, dir, 5)
    const segment = activeSegmentOf(writer, dir)
    const read = (s: SegmentInfo, onRecord: Parameters<typeof readSegmentRecords>[3]) =>
      readSegmentRecords(nodeFileSystem, dir, s, onRecord)
    for (const query of [
      { correlation_id: 'c3' },
      { correlation_id: 'c3', event_types: ['agent_heartbeat'] },
      { event_types: ['agent_heartbeat'], limit: 3 },
    ] satisfies EventQuery[]) {
      const result = await runQuery(query, [segment], read, active)
      const want = expected(all, query)
      expect(result.total_count).toBe(want.length)
      expect(result.events.map((e) => e.sequence)).toEqual(
        want.slice(0, query.limit ?? 100).map((e) => e.sequence),
      )
      const counted = result.plan.index_used.includes(COUNTED)
      expect(counted).toBe(query.correlation_id === undefined)
    }
    await active.close()
  })
})

describe('active segment index: the file it keeps open', () => {
  it('reads through a fresh handle when another file was put under the name, and closes what it opened', async () => {
    const root = mkdtempSync(join(tmpdir(), 'lhs-active-handle-'))
    try {
      const events = inputs(12, SEED)
      const store = await EventStore.open(`${root}/a`, {
        create: true,
        segmentBytesMax: BIG_SEGMENT,
      })
      await store.appendBatch(events.slice(0, 10))
      await store.close()
      cpSync(`${root}/a`, `${root}/b`, { recursive: true })
      const other = await EventStore.open(`${root}/b`, { segmentBytesMax: BIG_SEGMENT })
      await other.appendBatch(events.slice(10))
      const want = await other.getBySequence(12)
      await other.close()

      const fs = new CountingFileSystem()
      const active = new ActiveIndex(fs, `${root}/a`)
      const before = segmentAt(`${root}/a`, 10)
      expect((await active.get(before, 3))?.sequence).toBe(3)
      const opened = fs.opened // the catch-up's own handle and the kept one
      expect((await active.get(before, 7))?.sequence).toBe(7)
      expect(fs.opened).toBe(opened)
      // As another process's recovery would: a new file, the old records and two more.
      renameSync(`${root}/b/${before.name}`, `${root}/a/${before.name}`)
      const after = segmentAt(`${root}/a`, 12)
      expect(await active.get(after, 12)).toEqual(want)
      expect((await active.get(after, 3))?.sequence).toBe(3)
      await active.close()
      expect(fs.opened).toBeGreaterThan(0)
      expect(fs.closed).toBe(fs.opened)
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })
})

describe('active segment index: gets racing a newer segment', () => {
  let root: string
  let segment: SegmentInfo
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'lhs-active-race-'))
    const store = await EventStore.open(`${root}/store`, {
      create: true,
      segmentBytesMax: BIG_SEGMENT,
    })
    await store.appendBatch(inputs(10, SEED))
    await store.close()
    segment = segmentAt(`${root}/store`, 10)
    return () => rmSync(root, { recursive: true, force: true })
  })

  it('a get whose file opens only after the index moved on answers from the offsets it took', async () => {
    const gate = new GatedOpens()
    const active = new ActiveIndex(gate, `${root}/store`)
    gate.holdAfter(1) // the catch-up opens its own handle; the get's kept one waits
    const getting = active.get(segment, 9)
    await gate.held
    // The writer rotated meanwhile: the index now describes the next, empty segment.
    active.addGroup(segment.segmentNumber + 1, 11, 11, [], SEGMENT_HEADER_BYTES, () => {
      throw new Error('no records')
    })
    gate.release()
    expect((await getting)?.sequence).toBe(9)
    await active.close()
    expect(gate.closed).toBe(gate.opened)
  })

  it('closes the kept file when the index moves on to a newer segment', async () => {
    const fs = new CountingFileSystem()
    const active = new ActiveIndex(fs, `${root}/store`)
    await active.get(segment, 4)
    const closedBefore = fs.closed
    active.addGroup(segment.segmentNumber + 1, 11, 11, [], SEGMENT_HEADER_BYTES, () => {
      throw new Error('no records')
    })
    await vi.waitFor(() => expect(fs.closed).toBe(closedBefore + 1))
    expect(fs.closed).toBe(fs.opened)
    await active.close()
  })
})

describe('active segment index in a reader', () => {
  it('lets go of the file it kept once a refresh finds the segments changed', async () => {
    const root = mkdtempSync(join(tmpdir(), 'lhs-active-reader-'))
    try {
      const events = inputs(40, SEED)
      const writer = await EventStore.open(`${root}/store`, { create: true, segmentBytesMax: 8192 })
      await writer.appendBatch(events.slice(0, 2))
      const fs = new CountingFileSystem()
      const reader = await EventStore.open(`${root}/store`, { access: 'read', fs })
      expect((await reader.getBySequence(2))?.sequence).toBe(2) // from the active segment
      expect(fs.closed).toBeLessThan(fs.opened) // its file is kept open
      for (const event of events.slice(2)) await writer.append(event) // rotates, then seals
      await writer.idle()
      expect(writer.inspect().segments.filter((s) => s.sealed).length).toBeGreaterThan(0)
      expect(await reader.refresh()).toBe(38)
      await vi.waitFor(() => expect(fs.closed).toBe(fs.opened))
      expect((await reader.getBySequence(40))?.sequence).toBe(40)
      await reader.close()
      await writer.close()
      expect(fs.closed).toBe(fs.opened)
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })
})

/**
 * GatedOpens is the real disk, except that the open after `holdNext` waits for `release`,
 * so a test can change what the index knows while a read waits for its file.
 */
class GatedOpens extends CountingFileSystem {
  private opensToPass = Number.POSITIVE_INFINITY
  private gate: Promise<void> = Promise.resolve()
  private releaseGate = (): void => undefined
  private heldNow = (): void => undefined
  /** Resolves once the held open has started waiting. */
  held = Promise.resolve()

  /** holdAfter lets `opens` more opens through, then holds the next until `release`. */
  holdAfter(opens: number): void {
    this.opensToPass = opens
    this.gate = new Promise((resolve) => (this.releaseGate = resolve))
    this.held = new Promise((resolve) => (this.heldNow = resolve))
  }

  release(): void {
    this.releaseGate()
  }

  override async open(path: string, mode: 'read' | 'readwrite'): Promise<FileHandle> {
    if (this.opensToPass-- === 0) {
      this.heldNow()
      await this.gate
    }
    return super.open(path, mode)
  }
}

/** segmentAt describes the one raw segment of a closed store that holds `records`. */
function segmentAt(dir: string, records: number): SegmentInfo {
  const name = readdirSync(dir).find((f) => f.endsWith('.log'))!
  const bytes = statSync(`${dir}/${name}`).size
  return {
    segmentNumber: Number(/(\d+)/.exec(name)![1]),
    name,
    sealed: false,
    firstSequence: 1,
    lastSequence: records,
    records,
    bytes,
    rawBytes: bytes,
  }
}

/** activeSegmentOf describes the store's one raw segment as the read path sees it. */
function activeSegmentOf(store: EventStore, dir: string): SegmentInfo {
  const info = store.inspect().segments[0]!
  const bytes = statSync(`${dir}/${info.name}`).size
  return {
    segmentNumber: Number(/(\d+)/.exec(info.name)![1]),
    name: info.name,
    sealed: false,
    firstSequence: info.first_sequence!,
    lastSequence: info.last_sequence!,
    records: info.records,
    bytes,
    rawBytes: bytes,
  }
}
