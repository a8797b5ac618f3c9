import { beforeAll, describe, expect, it } from 'vitest'
import fc from 'fast-check'
import type { StoredEvent } from '../../../src/shared/event'
import type { EventQuery } from '../../../src/shared/query'
import { EventStore } from '../../../src/main/engine/eventStore'
import {
  AGGREGATES,
  expectCursorWalk,
  expected,
  expectModelAnswer,
  inputs,
  queryArb,
  TYPES,
} from '../../support/queryModel'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const SEED = Number(process.env.SEED ?? Date.now() % 2 ** 31)
const NUM_RUNS = Number(process.env.NUM_RUNS ?? 150)
console.log(
  `query differential: SEED=${SEED} NUM_RUNS=${NUM_RUNS} (replay: SEED=${SEED} npx vitest run test/unit/engine/query.test.ts)`,
)

describe('query', () => {
  let store: EventStore
  let all: StoredEvent[]

  beforeAll(async () => {
    const root = mkdtempSync(join(tmpdir(), 'lhs-query-'))
    const dir = `${root}/store`
    // Small segments, so the store has many sealed segments and an active one, then reopen.
    const writer = await EventStore.open(dir, { create: true, segmentBytesMax: 16 * 1024 })
    const events = inputs(400, SEED)
    for (let i = 0; i < events.length; i += 7) await writer.appendBatch(events.slice(i, i + 7))
    await writer.idle()
    await writer.close()
    store = await EventStore.open(dir, { segmentBytesMax: 16 * 1024 })
    all = []
    await store.readAll((event) => all.push(event))
    expect(store.inspect().segments.filter((s) => s.sealed).length).toBeGreaterThan(3)
    // The generator must spread values, or the filters would test nothing.
    for (const type of TYPES) expect(all.some((e) => e.event_type === type)).toBe(true)
    for (const aggregate of AGGREGATES)
      expect(all.some((e) => e.aggregate_id === aggregate)).toBe(true)
    return async () => {
      await store.close()
      rmSync(root, { recursive: true, force: true })
    }
  })

  it('answers random filters, orders and pages exactly like a brute-force scan', async () => {
    await fc.assert(
      fc.asyncProperty(queryArb, (query) => expectModelAnswer(store, all, query)),
      { seed: SEED, numRuns: NUM_RUNS },
    )
  })

  it('walks every page through next_cursor with no gap and no duplicate', async () => {
    await fc.assert(
      fc.asyncProperty(queryArb, (query) => expectCursorWalk(store, all, query)),
      { seed: SEED, numRuns: Math.ceil(NUM_RUNS / 3) },
    )
  })

  it('leaves data and metadata out when asked', async () => {
    const { events } = await store.query({ limit: 3, include_data: false, include_metadata: false })
    for (const event of events) {
      expect(event).not.toHaveProperty('data')
      expect(event).not.toHaveProperty('metadata')
      expect(event.event_id).toBeTypeOf('string')
    }
    const withData = await store.query({ limit: 1, include_metadata: false })
    expect(withData.events[0]).toHaveProperty('data')
  })

  it('plans around segments outside the sequence range and says so', async () => {
    const result = await store.query({ after_sequence: 390, limit: 5 })
    expect(result.events.map((e) => e.sequence)).toEqual([391, 392, 393, 394, 395])
    expect(result.plan.segments_read).toBeLessThan(result.plan.segments_total)
    expect(result.plan.segments_skipped[0]?.reason).toMatch(/outside the range/)
    expect(result.plan.events_scanned).toBeLessThan(all.length)
    expect(result.execution_time_ms).toBeGreaterThanOrEqual(0)
  })

  it('counts an indexed filter from the postings and reads only the page in sequence order', async () => {
    for (const order of ['asc', 'desc'] as const) {
      const query: EventQuery = { event_types: ['command_received'], limit: 3, order }
      const want = expected(all, query)
      const result = await store.query(query)
      expect(result.total_count).toBe(want.length)
      expect(result.events.map((e) => e.sequence)).toEqual(want.slice(0, 3).map((e) => e.sequence))
      expect(result.plan.index_used).toContain('segment index: counted from postings')
      // The page's events, and the active segment's (scanned): far fewer than every match.
      const active = store.inspect().segments.at(-1)!.records
      expect(result.plan.events_scanned).toBeLessThanOrEqual(3 + active)
      const counted = result.plan.segments_skipped.filter((s) => /were counted/.test(s.reason))
      expect(counted.length).toBeGreaterThan(0)
      expect(result.plan.segments_read + result.plan.segments_skipped.length).toBe(
        result.plan.segments_total,
      )
    }
  })

  it('still reads every match when a filter needs the event (data_contains)', async () => {
    const query: EventQuery = { event_types: ['command_received'], data_contains: { status: 'ok' } }
    const result = await store.query(query)
    expect(result.total_count).toBe(expected(all, query).length)
    expect(result.plan.index_used).not.toContain('segment index: counted from postings')
  })

  it.each([
    [{ limit: 0 }, 'limit', '1 to 10000'],
    [{ limit: 10_001 }, 'limit', '1 to 10000'],
    [{ offset: 100_001 }, 'offset', 'QUERY_OFFSET_MAX'],
    [{ order_by: 'size' }, 'order_by', '"sequence" or "timestamp"'],
    [{ event_types: 'x' }, 'event_types', 'list of strings'],
    [{ data_contains: [1] }, 'data_contains', 'JSON object'],
    [{ after_timestamp: 'yesterday' }, 'after_timestamp', 'ISO-8601'],
    [{ cursor: 'garbage' }, 'cursor', 'not a cursor'],
  ])('refuses %j naming %s', async (query, field, words) => {
    await expect(store.query(query as EventQuery)).rejects.toMatchObject({
      code: 'validation',
      field,
    })
    await expect(store.query(query as EventQuery)).rejects.toThrow(words)
  })

  it('refuses a cursor from a different query', async () => {
    const first = await store.query({ event_types: ['command_received'], limit: 2 })
    await expect(
      store.query({ event_types: ['agent_heartbeat'], cursor: first.next_cursor! }),
    ).rejects.toThrow(/different query/)
  })

  it('gets one event by sequence or by id, sealed or active', async () => {
    for (const sequence of [1, 200, all.length]) {
      const event = await store.getBySequence(sequence)
      expect(event).toEqual(all[sequence - 1])
      expect(await store.getEvent(event!.event_id)).toEqual(event)
    }
    expect(await store.getBySequence(all.length + 1)).toBeNull()
    expect(await store.getEvent('123_5_other-node')).toBeNull()
    expect(await store.getEvent('not an id')).toBeNull()
  })
})
