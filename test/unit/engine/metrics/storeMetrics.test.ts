import { describe, expect, it } from 'vitest'
import { join } from 'node:path'
import type { StoredEvent } from '../../../../src/shared/event'
import { LATENCY_SERIES } from '../../../../src/shared/sla'
import { EventStore } from '../../../../src/main/engine/eventStore'
import { subscribe } from '../../../../src/main/engine/subscription'
import { startVerification } from '../../../../src/main/engine/verifyJob'
import { OTHER_EVENT_TYPES, StoreMetrics } from '../../../../src/main/engine/metrics/storeMetrics'
import {
  APPEND_QUEUE_BYTES_MAX,
  APPEND_QUEUE_EVENTS_MAX,
  EVENT_TYPES_COUNTED_MAX,
} from '../../../../src/main/engine/limits'
import { FaultFileSystem } from '../../../support/faultFileSystem'
import { builtVerifyWorker } from '../../../support/builtWorker'
import { tempDir } from '../../../support/tempDir'

/**
 * StoreMetrics is what a store measures about itself. These tests drive a real store and
 * check that every operation lands in its series and counters, that only failures inside
 * the store count as failed, that per-type counting is bounded, and that rates and windows
 * follow the injected clock.
 */

const START_MS = Date.UTC(2026, 0, 1, 12)

/** A clock that stands still until the test moves it. */
function manualClock(): { nowMs: () => number; advance: (ms: number) => void } {
  let now = START_MS
  return { nowMs: () => now, advance: (ms) => (now += ms) }
}

/** acknowledge does what the append log and the write path do for one acknowledged append. */
function acknowledge(metrics: StoreMetrics, eventTypes: string[]): void {
  const startedAt = metrics.startTimer()
  metrics.groupCommitted(startedAt)
  metrics.appendAcknowledged(
    eventTypes.length > 1 ? 'batch_append' : 'append',
    startedAt,
    eventTypes,
  )
}

function event(type = 'agent_heartbeat', aggregate = 'agent-1'): Record<string, unknown> {
  return { event_type: type, aggregate_id: aggregate, data: { n: 1 } }
}

describe('a store records latency and counts', () => {
  it('every series has counts after appends, batches, gets, queries, a live delivery and a verify', async () => {
    const dir = join(tempDir(), 'store')
    const store = await EventStore.open(dir, { create: true, nodeId: 'metrics' })
    try {
      const first = await store.append(event())
      await store.append(event())
      await store.appendBatch([event('shadow_updated'), event('shadow_updated')])
      expect(await store.getEvent(first.event_id)).not.toBeNull()
      expect(await store.getBySequence(2)).not.toBeNull()
      expect((await store.query({ limit: 10 })).events).toHaveLength(4)

      const delivered: StoredEvent[] = []
      const subscription = subscribe(store, {
        onEvents: (events) => void delivered.push(...events),
      })
      await store.append(event())
      await expect.poll(() => delivered.length).toBe(1)
      await subscription.close()

      const job = startVerification(dir, {
        workerPath: builtVerifyWorker(),
        metrics: store.metrics,
      })
      const result = await job.done
      expect(result.ok).toBe(true)

      const { latency, appends, queries, events_appended } = store.metrics.snapshot()
      const countOf = (series: (typeof LATENCY_SERIES)[number]) => latency[series]['1m'].count
      expect(countOf('append')).toBe(3)
      expect(countOf('batch_append')).toBe(1)
      expect(countOf('query_by_id')).toBe(2)
      expect(countOf('range_query')).toBe(1)
      expect(countOf('delivery')).toBe(1)
      expect(countOf('verify')).toBe(result.files_total)
      // One fdatasync per group commit: these appends were awaited one at a time.
      expect(countOf('fsync')).toBe(4)
      for (const series of LATENCY_SERIES) {
        const summary = latency[series]['5m']
        expect(summary.count, series).toBeGreaterThan(0)
        expect(summary.max, series).toBeGreaterThanOrEqual(summary.p50)
        expect(store.metrics.cumulative(series).count, series).toBe(summary.count)
        const points = store.metrics.latencyHistory(series)
        expect(
          points.reduce((sum, point) => sum + point.count, 0),
          series,
        ).toBe(summary.count)
      }
      expect(appends).toEqual({ ok: 4, failed: 0, rejected: 0 })
      expect(queries).toEqual({ ok: 3, failed: 0, rejected: 0 })
      expect(events_appended).toBe(5)
      expect(store.metrics.snapshot().events_appended_by_type).toEqual({
        agent_heartbeat: 3,
        shadow_updated: 2,
      })
    } finally {
      await store.close()
    }
  })

  it('a reader store records its queries', async () => {
    const dir = join(tempDir(), 'store')
    const writer = await EventStore.open(dir, { create: true, nodeId: 'metrics' })
    await writer.append(event())
    const reader = await EventStore.open(dir, { access: 'read' })
    try {
      await reader.getBySequence(1)
      await reader.query({})
      expect(reader.metrics.latency('query_by_id', '10s').count).toBe(1)
      expect(reader.metrics.latency('range_query', '10s').count).toBe(1)
      expect(reader.metrics.queries).toEqual({ ok: 2, failed: 0, rejected: 0 })
    } finally {
      await reader.close()
      await writer.close()
    }
  })

  it('an I/O fault counts as failed; validation errors and version conflicts count as rejected', async () => {
    const fs = new FaultFileSystem({ dirs: ['/data'] })
    const store = await EventStore.open('/data/store', { fs, create: true, nodeId: 'metrics' })
    await store.append(event())
    await expect(store.append({ event_type: 'agent_heartbeat' })).rejects.toMatchObject({
      code: 'validation',
    })
    expect(() => store.submit([{ aggregate_id: 'a' }])).toThrow()
    await expect(
      store.append(event(), { expected_versions: { 'agent-1': 5 } }),
    ).rejects.toMatchObject({ code: 'version_conflict' })
    await expect(store.appendBatch([])).rejects.toMatchObject({ code: 'validation' })
    await expect(store.getBySequence(0)).rejects.toMatchObject({ code: 'validation' })
    expect(store.metrics.appends).toEqual({ ok: 1, failed: 0, rejected: 4 })

    fs.failNext('datasync', 'EIO', { pathIncludes: 'segment-' })
    await expect(store.append(event())).rejects.toMatchObject({ code: 'store_failed' })
    // The store is failed now: refusing appends is the store failing, not the caller.
    await expect(store.append(event())).rejects.toMatchObject({ code: 'store_failed' })
    expect(store.metrics.appends).toEqual({ ok: 1, failed: 2, rejected: 4 })
    expect(store.metrics.queries).toEqual({ ok: 0, failed: 0, rejected: 1 })
    expect(store.metrics.latency('append', '1m').count).toBe(1)
    await store.close()
  })

  it('reports the append queue depth while appends wait for a group commit', async () => {
    const store = await EventStore.open(join(tempDir(), 'store'), { create: true })
    try {
      const waiting = [store.append(event()), store.append(event()), store.append(event())]
      const depth = store.appendQueue
      expect(depth.events).toBe(3)
      expect(depth.bytes).toBeGreaterThan(3 * 64)
      expect(depth.events_max).toBe(APPEND_QUEUE_EVENTS_MAX)
      expect(depth.bytes_max).toBe(APPEND_QUEUE_BYTES_MAX)
      await Promise.all(waiting)
      expect(store.appendQueue).toMatchObject({ events: 0, bytes: 0 })
    } finally {
      await store.close()
    }
  })

  it('with recordLatency off nothing is timed or counted per event, and outcomes are still counted', async () => {
    const store = await EventStore.open(join(tempDir(), 'store'), {
      create: true,
      recordLatency: false,
    })
    try {
      await store.append(event())
      await store.getBySequence(1)
      for (const series of LATENCY_SERIES) {
        expect(store.metrics.cumulative(series).count, series).toBe(0)
      }
      expect(store.metrics.appends.ok).toBe(1)
      expect(store.metrics.queries.ok).toBe(1)
      expect(store.metrics.snapshot().events_appended).toBe(0)
    } finally {
      await store.close()
    }
  })
})

describe('StoreMetrics', () => {
  it('counts events per type by name up to the bound, and the rest as other', () => {
    const metrics = new StoreMetrics(manualClock().nowMs)
    const types = Array.from({ length: EVENT_TYPES_COUNTED_MAX + 5 }, (_, i) => `type_${i}`)
    acknowledge(metrics, types)
    acknowledge(metrics, ['type_0'])
    acknowledge(metrics, [`type_${EVENT_TYPES_COUNTED_MAX + 1}`])
    const byType = metrics.snapshot().events_appended_by_type
    expect(Object.keys(byType)).toHaveLength(EVENT_TYPES_COUNTED_MAX + 1)
    expect(byType['type_0']).toBe(2)
    expect(byType[`type_${EVENT_TYPES_COUNTED_MAX - 1}`]).toBe(1)
    expect(byType[`type_${EVENT_TYPES_COUNTED_MAX}`]).toBeUndefined()
    expect(byType[OTHER_EVENT_TYPES]).toBe(6)
    expect(metrics.snapshot().events_appended).toBe(EVENT_TYPES_COUNTED_MAX + 7)
  })

  it('event rates over 10 s and 1 min follow the injected clock', () => {
    const clock = manualClock()
    const metrics = new StoreMetrics(clock.nowMs)
    acknowledge(metrics, Array<string>(50).fill('a'))
    clock.advance(5000)
    acknowledge(metrics, Array<string>(50).fill('a'))
    expect(metrics.eventsPerSecond('10s')).toBe(10)
    expect(metrics.eventsPerSecond('1m')).toBeCloseTo(100 / 60)
    clock.advance(10_000)
    expect(metrics.eventsPerSecond('10s')).toBe(0)
    expect(metrics.eventsPerSecond('1m')).toBeCloseTo(100 / 60)
    clock.advance(60_000)
    expect(metrics.snapshot().throughput).toEqual({
      events_per_second_10s: 0,
      events_per_second_1m: 0,
    })
  })

  it('throughput history sums the events of each point and keeps at most a day', () => {
    const clock = manualClock()
    const metrics = new StoreMetrics(clock.nowMs)
    const { point_ms: pointMs } = metrics.history()
    acknowledge(metrics, ['a'])
    acknowledge(metrics, ['a'])
    clock.advance(pointMs)
    acknowledge(metrics, ['a'])
    const points = metrics.history().throughput
    expect(points.map((point) => point.events)).toEqual([2, 1])
    expect(points[1]!.start_ms - points[0]!.start_ms).toBe(pointMs)
    clock.advance(24 * 60 * 60 * 1000)
    expect(metrics.history().throughput).toEqual([])
  })

  it('latency windows and history follow the injected clock', () => {
    const clock = manualClock()
    const metrics = new StoreMetrics(clock.nowMs)
    metrics.record('append', 1500)
    expect(metrics.latency('append', '10s')).toMatchObject({ count: 1, p99: 1500 })
    clock.advance(11_000)
    expect(metrics.latency('append', '10s').count).toBe(0)
    expect(metrics.latency('append', '1m').count).toBe(1)
    expect(metrics.latencyHistory('append')).toEqual([
      expect.objectContaining({ count: 1, max: 1500 }),
    ])
    clock.advance(1000)
    metrics.record('append', 900)
    expect(metrics.latency('append', '1m')).toMatchObject({ count: 2, min: 900, max: 1500 })
    expect(metrics.cumulative('append').count).toBe(2)
    expect(metrics.latency('fsync', '5m').count).toBe(0)
    expect(metrics.history().latency.fsync).toEqual([])
  })
})
