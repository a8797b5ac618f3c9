import fc from 'fast-check'
import { expect } from 'vitest'
import type { EventStore } from '../../src/main/engine/eventStore'
import type { EventInput, JsonValue, StoredEvent } from '../../src/shared/event'
import type { EventQuery } from '../../src/shared/query'
import { containsSubset } from '../../src/main/engine/containsSubset'

// The query tests' model: seeded events, random queries over them, and the answer a
// brute-force scan gives, which every store layout must give too.

export const TYPES = ['command_received', 'command_executed', 'agent_heartbeat', 'shadow_updated']
export const AGGREGATES = ['a0', 'a1', 'a2', 'a3', 'a4', 'a5']
const SOURCES = ['scout', 'builder', null]
const BASE_MS = Date.UTC(2026, 0, 1)

/** Events with non-monotonic timestamps, nested data and arrays, from a seeded generator. */
export function inputs(count: number, seed: number): EventInput[] {
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
export function expected(all: StoredEvent[], q: EventQuery): StoredEvent[] {
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
export const queryArb: fc.Arbitrary<EventQuery> = fc.record(
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

/** expectModelAnswer checks one page of `query` against the brute-force answer over `all`. */
export async function expectModelAnswer(
  store: EventStore,
  all: StoredEvent[],
  query: EventQuery,
): Promise<void> {
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
}

/** expectCursorWalk pages through every match of `query` by cursor: no gap, no duplicate. */
export async function expectCursorWalk(
  store: EventStore,
  all: StoredEvent[],
  query: EventQuery,
): Promise<void> {
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
}
