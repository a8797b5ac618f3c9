import { beforeAll, describe, expect, it } from 'vitest'
import {
  copyFileSync,
  cpSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { EventInput, StoredEvent } from '../../../src/shared/event'
import type { EventQuery, QueryResult } from '../../../src/shared/query'
import { EventStore } from '../../../src/main/engine/eventStore'
import {
  decodeIndexSummary,
  indexName,
  INDEX_HEADER_BYTES,
} from '../../../src/main/engine/segmentIndex'
import { flipByte, truncateAt } from '../../support/corrupt'
import { expected as bruteForce } from '../../support/queryModel'

/**
 * Segment indexes are derived data: these tests damage them in every way we can think of
 * (in the manner of Kafka's index recovery tests) and check that a reader ignores them, a
 * writer rebuilds them, and every answer stays exactly what a scan of the log gives.
 */
const BASE_MS = Date.UTC(2026, 0, 1)
const EVENTS = 3000

/** Events with increasing times, 40 aggregates, and one aggregate that appears only late. */
function inputs(): EventInput[] {
  return Array.from({ length: EVENTS }, (_, i) => ({
    event_type: ['created', 'moved', 'closed'][i % 3]!,
    aggregate_id: i >= EVENTS - 50 ? 'late' : `agg-${(i * 7) % 40}`,
    aggregate_type: i % 5 === 0 ? 'order' : 'item',
    source_agent: i % 4 === 0 ? null : `agent-${i % 3}`,
    source_component: 'bridge',
    correlation_id: `corr-${Math.floor(i / 10)}`,
    causation_id: i % 2 ? `cause-${i % 13}` : null,
    timestamp: new Date(BASE_MS + i * 1000).toISOString(),
    data: { i, text: 'x'.repeat(300 + (i % 50)) },
    metadata: { host: `h${i % 3}` },
  }))
}

const QUERIES: EventQuery[] = [
  { aggregate_ids: ['agg-3'], limit: 1000 },
  { aggregate_ids: ['late'], limit: 1000 },
  { aggregate_ids: ['agg-3', 'agg-9'], event_types: ['moved'], limit: 1000 },
  { event_types: ['closed'], aggregate_types: ['order'], limit: 50, order: 'desc' },
  { source_agents: ['agent-2'], source_components: ['bridge'], limit: 200 },
  { correlation_id: 'corr-150', limit: 100 },
  { causation_id: 'cause-4', after_sequence: 1000, limit: 100 },
  { aggregate_ids: ['nowhere'], limit: 10 },
  {
    after_timestamp: new Date(BASE_MS + 1200 * 1000).toISOString(),
    before_timestamp: new Date(BASE_MS + 1300 * 1000).toISOString(),
    limit: 1000,
  },
  { event_types: ['created'], data_contains: { i: 999 }, limit: 10 },
  { limit: 30, order_by: 'timestamp', order: 'desc' },
]

/** What a query must return, computed by brute force (no index involved). */
function expected(all: StoredEvent[], q: EventQuery): { total: number; sequences: number[] } {
  const matching = bruteForce(all, q)
  return { total: matching.length, sequences: matching.slice(0, q.limit).map((e) => e.sequence) }
}

function answer(result: QueryResult): { total: number; sequences: number[] } {
  return { total: result.total_count, sequences: result.events.map((e) => e.sequence) }
}

describe('segment index', () => {
  let pristine: string
  let all: StoredEvent[]
  let sealed: number[]

  beforeAll(async () => {
    const root = mkdtempSync(join(tmpdir(), 'lhs-index-'))
    pristine = `${root}/store`
    const writer = await EventStore.open(pristine, { create: true, segmentBytesMax: 256 * 1024 })
    const events = inputs()
    for (let i = 0; i < events.length; i += 100) await writer.appendBatch(events.slice(i, i + 100))
    await writer.idle()
    await writer.close()
    const reader = await EventStore.open(pristine, { access: 'read' })
    all = []
    await reader.readAll((event) => all.push(event))
    sealed = reader
      .inspect()
      .segments.filter((s) => s.sealed)
      .map((s) => Number(/(\d{10})/.exec(s.name)![1]))
    await reader.close()
    expect(sealed.length).toBeGreaterThanOrEqual(4)
    return () => rmSync(root, { recursive: true, force: true })
  })

  /** A fresh copy of the store, so each test damages its own. */
  function copyStore(): string {
    const dir = mkdtempSync(join(tmpdir(), 'lhs-index-copy-'))
    cpSync(pristine, dir, { recursive: true })
    return dir
  }

  it('is written at seal time for every sealed segment, naming the segment it describes', () => {
    for (const n of sealed) {
      const summary = decodeIndexSummary(readFileSync(`${pristine}/${indexName(n)}`))
      if (typeof summary === 'string') throw new Error(summary)
      expect(summary.segmentNumber).toBe(n)
      expect(summary.members.length / 5).toBeGreaterThan(1)
    }
  })

  it('answers every query exactly like a brute-force scan, and says which index it used', async () => {
    const store = await EventStore.open(pristine, { access: 'read' })
    try {
      for (const n of sealed) expect(store.indexes.status(n)).toBe('usable')
      for (const query of QUERIES)
        expect(answer(await store.query(query))).toEqual(expected(all, query))
      const late = await store.query({ aggregate_ids: ['late'] })
      expect(late.plan.index_used).toContain('segment index: aggregate_id')
      const skipped = late.plan.segments_skipped.filter((s) => /segment index/.test(s.reason))
      expect(skipped.length).toBeGreaterThanOrEqual(sealed.length - 1)
      expect(skipped[0]!.reason).toBe('segment index: no event matches aggregate_id')
      const rare = await store.query({ correlation_id: 'corr-150' })
      expect(rare.plan.index_used).toContain('segment index: gzip members')
      expect(rare.plan.events_scanned).toBeLessThan(400)
    } finally {
      await store.close()
    }
  })

  it('narrows a time range to the gzip members that hold it', async () => {
    const store = await EventStore.open(pristine, { access: 'read' })
    try {
      const query = QUERIES[8]!
      const result = await store.query(query)
      expect(answer(result)).toEqual(expected(all, query))
      expect(result.plan.index_used).toContain('segment index: gzip members')
      expect(result.plan.events_scanned).toBeLessThan(600)
    } finally {
      await store.close()
    }
  })

  it('gets every event by sequence and by id by inflating one gzip member', async () => {
    const store = await EventStore.open(pristine, { access: 'read' })
    try {
      for (let sequence = 1; sequence <= all.length; sequence += 7) {
        expect(await store.getBySequence(sequence)).toEqual(all[sequence - 1])
      }
      const last = all.at(-1)!
      expect(await store.getEvent(last.event_id)).toEqual(last)
      expect(await store.getBySequence(all.length + 1)).toBeNull()
    } finally {
      await store.close()
    }
  })

  /** Each damage an index file can suffer; every one must leave answers unchanged. */
  const DAMAGE: [string, (path: string, other: string) => void][] = [
    ['deleted', (path) => unlinkSync(path)],
    ['emptied', (path) => writeFileSync(path, Buffer.alloc(0))],
    ['truncated to its header', (path) => truncateAt(path, INDEX_HEADER_BYTES)],
    ['a bit flipped in the header', (path) => flipByte(path, 20)],
    ['a bit flipped in the member table', (path) => flipByte(path, INDEX_HEADER_BYTES + 9)],
    ['a bit flipped in the postings', (path) => flipByte(path, readFileSync(path).length - 40)],
    ['a bit flipped in the checksum', (path) => flipByte(path, readFileSync(path).length - 1)],
    ['replaced by the index of another segment', (path, other) => copyFileSync(other, path)],
  ]

  it.each(DAMAGE)('an index %s is ignored by a reader, same answers', async (_name, damage) => {
    const dir = copyStore()
    try {
      const [target, other] = [sealed[1]!, sealed[2]!]
      damage(`${dir}/${indexName(target)}`, `${dir}/${indexName(other)}`)
      const store = await EventStore.open(dir, { access: 'read' })
      try {
        expect(store.indexes.status(target)).not.toBe('usable')
        for (const query of QUERIES)
          expect(answer(await store.query(query))).toEqual(expected(all, query))
        for (const sequence of [1, 700, 1400, 2100]) {
          expect(await store.getBySequence(sequence)).toEqual(all[sequence - 1])
        }
      } finally {
        await store.close()
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it.each(DAMAGE)('an index %s is rebuilt by a writer, same answers', async (_name, damage) => {
    const dir = copyStore()
    try {
      const [target, other] = [sealed[1]!, sealed[2]!]
      const original = readFileSync(`${dir}/${indexName(target)}`)
      damage(`${dir}/${indexName(target)}`, `${dir}/${indexName(other)}`)
      const store = await EventStore.open(dir)
      try {
        for (const query of QUERIES)
          expect(answer(await store.query(query))).toEqual(expected(all, query))
        await store.idle()
        expect(store.indexes.status(target)).toBe('usable')
        expect(readFileSync(`${dir}/${indexName(target)}`).equals(original)).toBe(true)
        for (const query of QUERIES)
          expect(answer(await store.query(query))).toEqual(expected(all, query))
        expect(store.mode).toBe('writable')
      } finally {
        await store.close()
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('stops trusting an index whose postings change under an open reader', async () => {
    const dir = copyStore()
    try {
      const store = await EventStore.open(dir, { access: 'read' })
      try {
        const target = sealed[0]!
        const path = `${dir}/${indexName(target)}`
        const summary = decodeIndexSummary(readFileSync(path))
        if (typeof summary === 'string') throw new Error(summary)
        // The last postings byte of aggregate_id, the field the first query asks for.
        const aggregates = summary.sections[1]!
        flipByte(path, aggregates.offset + aggregates.length - 1, 0x40)
        for (const query of QUERIES)
          expect(answer(await store.query(query))).toEqual(expected(all, query))
        expect(store.indexes.status(target)).toBe('index section checksum mismatch')
      } finally {
        await store.close()
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('ignores the index of a segment that is not sealed (left by an interrupted seal)', async () => {
    const dir = copyStore()
    try {
      const writer = await EventStore.open(dir)
      const active = writer.inspect().segments.at(-1)!
      await writer.close()
      const n = Number(/(\d{10})/.exec(active.name)![1])
      // Nothing is ever deleted: the stray index stays, and is never believed.
      copyFileSync(`${dir}/${indexName(sealed[0]!)}`, `${dir}/${indexName(n)}`)
      const store = await EventStore.open(dir, { access: 'read' })
      try {
        for (const query of QUERIES)
          expect(answer(await store.query(query))).toEqual(expected(all, query))
        expect(await store.getBySequence(all.length)).toEqual(all.at(-1))
        expect(store.indexes.status(n)).toBeUndefined()
      } finally {
        await store.close()
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
