/**
 * storeMetricsSource is the MetricsSource of a live store (a writer, or a follower), for
 * `serve`'s /metrics: everything prometheusMetrics reads, taken from the store's own
 * metrics, append queue and SLA monitor at scrape time. What only the serving process
 * knows (connections, the running verification) comes in `extras`.
 *
 *   const registry = prometheusMetrics(storeMetricsSource(store, { activeConnections }), {
 *     processMetrics: true,
 *   })
 *   response.end(await registry.metrics())
 */
import type { EventStore } from '../eventStore'
import { LatencyHistogram } from '../metrics/latencyHistogram'
import type { LatencySeries } from '../../../shared/sla'
import type { MetricsSource, VerificationProgress } from './metricsSource'

export interface StoreMetricsExtras {
  activeConnections?: () => number
  verification?: () => VerificationProgress
}

/**
 * APPEND_DURATION_SERIES: `lighthouse_append_duration_seconds` times every append call,
 * single or batch, from the call to its acknowledgement.
 */
const APPEND_DURATION_SERIES: readonly LatencySeries[] = ['append', 'batch_append']

export function storeMetricsSource(
  store: EventStore,
  extras: StoreMetricsExtras = {},
): MetricsSource {
  const { metrics, monitor } = store
  return {
    currentSequence: () => store.lastSequence,
    mode: () => store.mode,
    storeSize: () => {
      const report = store.inspect()
      return { bytes: report.bytes, segments: report.segments.length }
    },
    diskSpace: () => {
      // A filesystem that could not be read reports zeros, as the reader's `metrics` does.
      const disk = monitor.diskSpace()
      if (disk === null) return { usedBytes: 0, availableBytes: 0 }
      return { usedBytes: disk.total_bytes - disk.free_bytes, availableBytes: disk.available_bytes }
    },
    slaLevel: () => monitor.level,
    eventsAppended: () => metrics.eventTypeCounts(),
    appendDuration: () => {
      const merged = new LatencyHistogram()
      for (const series of APPEND_DURATION_SERIES) merged.merge(metrics.cumulative(series))
      return merged
    },
    fsyncDuration: () => metrics.cumulative('fsync'),
    slaViolations: () => monitor.violationCounts(),
    appendQueue: () => store.appendQueue,
    errors: () => ({ append: metrics.appends.failed, query: metrics.queries.failed }),
    ...extras,
  }
}
