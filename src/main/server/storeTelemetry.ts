import type { Registry } from 'prom-client'
import type { DetailedHealth } from '../../shared/sla'
import { buildDetailedHealth } from '../engine/sla/healthReport'
import { ResourceMonitor, type ResourceSample } from '../engine/sla/resourceMonitor'
import { defaultSlaThresholds } from '../engine/sla/slaConfig'
import { OTHER_EVENT_TYPES } from '../engine/metrics/storeMetrics'
import type { MetricsSource } from '../engine/telemetry/metricsSource'
import { prometheusMetrics } from '../engine/telemetry/prometheusMetrics'
import type { StoreSource } from './apiServer'

/**
 * StoreTelemetry is what `serve` reports about its store: the Prometheus exposition
 * (GET /metrics) and the detailed health (GET /health/detailed).
 *
 * Interim, on purpose in one place: the engine does not yet offer its own MetricsSource
 * adapter or store.health(), so both are built here from what it exposes today
 * (store.metrics, store.appendQueue, store.inspect()) and the engine's own health rules
 * (buildDetailedHealth with the default SLA thresholds). Error rates and the average
 * latencies count since the store opened, and no SLA write block is known here. When the
 * engine has both, `metricsSource` and `detailedHealth` become calls to them.
 *
 * The source reads the store through StoreSource at every scrape, so a store reopened
 * after recovery is reported (its counters start again, which Prometheus reads as a reset).
 */
export class StoreTelemetry {
  private readonly resources: ResourceMonitor
  private readonly registry: Registry

  constructor(
    private readonly store: StoreSource,
    dir: string,
    activeConnections: () => number,
  ) {
    this.resources = new ResourceMonitor(dir)
    this.registry = prometheusMetrics(this.metricsSource(activeConnections), {
      processMetrics: true,
    })
  }

  /** metrics measures the disk and memory once, then renders the exposition. */
  async metrics(): Promise<{ contentType: string; text: string }> {
    await this.sample()
    return { contentType: this.registry.contentType, text: await this.registry.metrics() }
  }

  async detailedHealth(): Promise<DetailedHealth> {
    const sample = await this.sample()
    const store = this.store()
    const report = store.inspect()
    const { metrics } = store
    return buildDetailedHealth({
      mode: report.mode,
      level: report.sla_level,
      current_sequence: store.lastSequence,
      events_per_second: metrics.eventsPerSecond('10s'),
      log_file_count: report.segments.length,
      average_append_latency_ms: metrics.cumulative('append').mean / 1000,
      average_query_latency_ms: metrics.cumulative('range_query').mean / 1000,
      append_error_rate: failedShare(metrics.appends),
      query_error_rate: failedShare(metrics.queries),
      resources: sample.resources,
      append_queue: store.appendQueue,
      write_block: null,
      thresholds: defaultSlaThresholds(),
      checked_at_ms: sample.sampled_at_ms,
    })
  }

  private sample(): Promise<ResourceSample> {
    return this.resources.sample(this.store().inspect().bytes)
  }

  private metricsSource(activeConnections: () => number): MetricsSource {
    const store = this.store
    return {
      currentSequence: () => store().lastSequence,
      mode: () => store().mode,
      storeSize: () => {
        const report = store().inspect()
        return { bytes: report.bytes, segments: report.segments.length }
      },
      diskSpace: () => {
        const disk = this.resources.latest()?.disk
        return disk
          ? { usedBytes: disk.total_bytes - disk.free_bytes, availableBytes: disk.available_bytes }
          : { usedBytes: 0, availableBytes: 0 }
      },
      slaLevel: () => store().inspect().sla_level,
      eventsAppended: () => {
        const { [OTHER_EVENT_TYPES]: otherTypes = 0, ...named } =
          store().metrics.snapshot().events_appended_by_type
        return { byType: new Map(Object.entries(named)), otherTypes }
      },
      appendDuration: () => store().metrics.cumulative('append'),
      fsyncDuration: () => store().metrics.cumulative('fsync'),
      appendQueue: () => store().appendQueue,
      activeConnections,
      errors: () => ({
        append: store().metrics.appends.failed,
        query: store().metrics.queries.failed,
      }),
    }
  }
}

/** failedShare is the share of calls that failed inside the store, null before any call. */
function failedShare(counts: { ok: number; failed: number; rejected: number }): number | null {
  const all = counts.ok + counts.failed + counts.rejected
  return all === 0 ? null : counts.failed / all
}
