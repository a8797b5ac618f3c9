import { beforeAll, describe, expect, it } from 'vitest'
import fc from 'fast-check'
import type { EventInput, JsonValue, StoredEvent } from '../../../src/shared/event'
import type { EventQuery } from '../../../src/shared/query'
import { EventStore } from '../../../src/main/engine/eventStore'
import { containsSubset } from '../../../src/main/engine/containsSubset'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const SEED = Number(process.env.SEED ?? Date.now() % 2 ** 31)
const NUM_RUNS = Number(process.env.NUM_RUNS ?? 150)
console.log(
  `query differential: SEED=${SEED} NUM_RUNS=${NUM_RUNS} (replay: SEED=${SEED} npx vitest run test/unit/engine/query.test.ts)`,
)

const TYPES = ['command_received', 'command_executed', 'agent_heartbeat', 'shadow_updated']
const AGGREGATES = ['a0', 'a1', 'a2', 'a3', 'a4', 'a5']
const SOURCES = ['scout', 'builder', null]
const BASE_MS = Date.UTC(2026, 0, 1)

/** Events with non-monotonic timestamps, nested data and arrays, from a seeded generator. */
function inputs(count: number, seed: number): EventInput[] {
  let state = seed >>> 0
  const next = (n: number) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    // The high bits: an LCG's low bits repeat with a short period.
    return (state >>> 16) % n
  }
  return Array.from({ length: count }, (_, i) => ({
    event_type: TYPES[next(TYPES.length)]!,
    aggregate_id: AGGREGATES[next(AGGREGATES.length)]!,
    aggregate_type: next(2) ? 'shadow' : 'agent',
    source_agent: SOURCES[next(SOURCES.length)]!,
    source_component: next(3) ? 'bridge' : 'cli',
    correlation_id: `c${next(20)}`,
    causation_id: next(2) ? `x${next(10)}` : null,
    timestamp: new Date(BASE_MS + next(1000) * 60_000).toISOString(),
    data: {
      i,
      status: next(2) ? 'ok' : 'failed',
      tags: ['t' + next(3), 't' + next(3)],
      nested: { n: next(4) },
    },
    metadata: { host: `h${next(3)}` },
  }))
}

/** What the query should return, computed by brute force over every event. */
function expected(all: StoredEvent[], q: EventQuery): StoredEvent[] {
  const matching = all.filter(
    (e) =>
      (!q.event_types || q.event_types.includes(e.event_type)) &&
      (!q.aggregate_ids || q.aggregate_ids.includes(e.aggregate_id)) &&
      (!q.aggregate_types || q.aggregate_types.includes(e.aggregate_type)) &&
      (!q.source_agents || q.source_agents.includes(e.source_agent as string)) &&
      (!q.source_components || q.source_components.includes(e.source_component)) &&
      (q.correlation_id === undefined || e.correlation_id === q.correlation_id) &&
      (q.causation_id === undefined || e.causation_id === q.causation_id) &&
      (q.after_sequence === undefined || e.sequence > q.after_sequence) &&
      (q.before_sequence === undefined || e.sequence < q.before_sequence) &&
      (q.after_timestamp === undefined ||
        Date.parse(e.timestamp) > Date.parse(q.after_timestamp)) &&
      (q.before_timestamp === undefined ||
        Date.parse(e.timestamp) < Date.parse(q.before_timestamp)) &&
      (q.data_contains === undefined || containsSubset(e.data, q.data_contains)) &&
      (q.metadata_contains === undefined || containsSubset(e.metadata, q.metadata_contains)),
  )
  const sign = q.order === 'desc' ? -1 : 1
  return matching.sort((a, b) => {
    const byTime =
      q.order_by === 'timestamp' ? Date.parse(a.timestamp) - Date.parse(b.timestamp) : 0
    return sign * (byTime !== 0 ? byTime : a.sequence - b.sequence)
  })
}

const pick = <T>(values: T[]) => fc.subarray(values, { minLength: 1 })
const time = fc
  .integer({ min: -10, max: 1010 })
  .map((m) => new Date(BASE_MS + m * 60_000).toISOString())
const queryArb: fc.Arbitrary<EventQuery> = fc.record(
  {
    event_types: pick(TYPES),
    aggregate_ids: pick(AGGREGATES),
    aggregate_types: pick(['shadow', 'agent']),
    source_agents: pick(['scout', 'builder']),
    source_components: pick(['bridge', 'cli']),
    correlation_id: fc.integer({ min: 0, max: 21 }).map((n) => `c${n}`),
    causation_id: fc.integer({ min: 0, max: 10 }).map((n) => `x${n}`),
    after_sequence: fc.integer({ min: 0, max: 420 }),
    before_sequence: fc.integer({ min: 0, max: 420 }),
    after_timestamp: time,
    before_timestamp: time,
    data_contains: fc.constantFrom<{ [key: string]: JsonValue }>(
      { status: 'ok' },
      { tags: ['t1'] },
      { nested: { n: 2 } },
      { tags: ['t0', 't2'], status: 'failed' },
    ),
    metadata_contains: fc.integer({ min: 0, max: 3 }).map((n) => ({ host: `h${n}` })),
    limit: fc.integer({ min: 1, max: 60 }),
    offset: fc.integer({ min: 0, max: 30 }),
    order_by: fc.constantFrom('sequence' as const, 'timestamp' as const),
    order: fc.constantFrom('asc' as const, 'desc' as const),
  },
  { requiredKeys: [] },
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
      fc.asyncProperty(queryArb, async (query) => {
        const want = expected(all, query)
        const offset = query.offset ?? 0
        const limit = query.limit ?? 100
        const got = await store.query(query)
        expect(got.total_count).toBe(want.length)
        expect(got.events.map((e) => e.sequence)).toEqual(
          want.slice(offset, offset + limit).map((e) => e.sequence),
        )
        expect(got.has_more).toBe(want.length > offset + limit)
        expect(got.next_cursor !== null).toBe(got.has_more)
      }),
      { seed: SEED, numRuns: NUM_RUNS },
    )
  })

  it('walks every page through next_cursor with no gap and no duplicate', async () => {
    await fc.assert(
      fc.asyncProperty(queryArb, async (query) => {
        const { offset: _offset, ...rest } = query
        const want = expected(all, rest).map((e) => e.sequence)
        const seen: number[] = []
        let cursor: string | undefined
        for (let pages = 0; pages < 500; pages++) {
          const page = await store.query({ ...rest, limit: rest.limit ?? 100, cursor })
          seen.push(...page.events.map((e) => e.sequence))
          if (!page.next_cursor) break
          cursor = page.next_cursor
        }
        expect(seen).toEqual(want)
      }),
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
