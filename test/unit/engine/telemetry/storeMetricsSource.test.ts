import { afterEach, describe, expect, it } from 'vitest'
import type { EventStore } from '../../../../src/main/engine/eventStore'
import { prometheusMetrics } from '../../../../src/main/engine/telemetry/prometheusMetrics'
import { storeMetricsSource } from '../../../../src/main/engine/telemetry/storeMetricsSource'
import { DISK_TOTAL_BYTES, World, ordinaryEvent, stepUntil } from '../monitorHarness'
import { promtoolCheck, promtoolMissing, sampleValue, seriesOf } from './exposition'

/** The exposition of a live store: what `serve` exports at /metrics. */
const open: EventStore[] = []
afterEach(async () => {
  for (const store of open.splice(0)) await store.close()
})

async function liveStore(): Promise<{
  world: World
  store: EventStore
  text: () => Promise<string>
}> {
  const world = new World()
  world.diskUsage = 0.25
  const store = await world.open()
  open.push(store)
  const registry = prometheusMetrics(storeMetricsSource(store, { activeConnections: () => 2 }))
  return { world, store, text: () => registry.metrics() }
}

describe('the Prometheus exposition of a live store', () => {
  it('has the append and fsync histograms with a count per append, the queue, the level and the events by type', async () => {
    const { store, text } = await liveStore()
    await store.append(ordinaryEvent(1))
    await store.appendBatch([ordinaryEvent(2), ordinaryEvent(3)])
    await store.append({ event_type: 'command_received', aggregate_id: 'a' })
    const exposition = await text()
    expect(sampleValue(exposition, 'lighthouse_append_duration_seconds_count')).toBe(3)
    expect(sampleValue(exposition, 'lighthouse_append_duration_seconds_bucket{le="+Inf"}')).toBe(3)
    expect(sampleValue(exposition, 'lighthouse_fsync_duration_seconds_count')).toBeGreaterThan(0)
    expect(sampleValue(exposition, 'lighthouse_current_sequence')).toBe(4)
    expect(sampleValue(exposition, 'lighthouse_append_queue_events')).toBe(0)
    expect(sampleValue(exposition, 'lighthouse_sla_level{level="NORMAL"}')).toBe(1)
    expect(sampleValue(exposition, 'lighthouse_store_mode{mode="writable"}')).toBe(1)
    expect(sampleValue(exposition, 'lighthouse_active_connections')).toBe(2)
    expect(sampleValue(exposition, 'lighthouse_disk_usage_ratio')).toBeCloseTo(0.25)
    expect(sampleValue(exposition, 'lighthouse_disk_free_bytes')).toBe(0.75 * DISK_TOTAL_BYTES)
    expect(
      sampleValue(exposition, 'lighthouse_events_appended_total{event_type="agent_heartbeat"}'),
    ).toBe(3)
    expect(seriesOf(exposition, 'lighthouse_append_errors_total')).toHaveLength(1)
  })

  it('counts a violation and shows the level the monitor raised', async () => {
    const { world, store, text } = await liveStore()
    world.memoryUsage = 0.97
    await stepUntil(world, store, 'EMERGENCY')
    const exposition = await text()
    expect(sampleValue(exposition, 'lighthouse_sla_level{level="EMERGENCY"}')).toBe(1)
    expect(sampleValue(exposition, 'lighthouse_sla_violations_total{metric="memory_usage"}')).toBe(
      1,
    )
  })

  if (promtoolMissing !== null) console.log(`skipping the promtool check: ${promtoolMissing}`)
  it.skipIf(promtoolMissing !== null)('passes `promtool check metrics`', async () => {
    const { store, text } = await liveStore()
    await store.append(ordinaryEvent(1))
    expect(promtoolCheck(await text())).toEqual({ status: 0, output: '' })
  })
})
