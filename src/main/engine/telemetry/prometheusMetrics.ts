/**
 * prometheusMetrics builds one store's Prometheus exposition (docs/OBSERVABILITY.md lists
 * every metric). Each store gets its own Registry, never prom-client's global one, so two
 * stores in one process never share or collide on a series.
 *
 * Guarantee: nothing here runs on the append path. Every value is read from the
 * MetricsSource by a collect callback when the registry is scraped (`registry.metrics()`,
 * served with `registry.contentType`), and label values come only from closed sets or from
 * the first METRICS_EVENT_TYPES_MAX event types, so the number of series is bounded.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client'
import type { StoreMode } from '../../../shared/report'
import { SLA_TARGET_IDS, TRIGGER_NAMES } from '../../../shared/sla'
import type { SlaLevel } from '../../../shared/sla'
import { METRICS_EVENT_TYPES_MAX } from '../limits'
import { LatencyHistogramMetric } from './latencyHistogramMetric'
import type { EventTypeCounts, MetricsSource, SlaViolationMetric } from './metricsSource'

export interface PrometheusMetricsOptions {
  /** Add prom-client's process and Node.js metrics (CPU, memory, event loop, GC). */
  processMetrics?: boolean
}

/** Sample is one series of a metric: its labels (none for a plain metric) and its value. */
interface Sample {
  labels: Record<string, string>
  value: number
}

interface MetricSpec {
  name: string
  help: string
  labelNames?: string[]
  read: () => Sample[]
}

// Object keys checked by `satisfies`, so a new mode or level cannot be left without a series.
const STORE_MODES = Object.keys({
  writable: 0,
  read_only: 0,
  needs_recovery: 0,
  failed: 0,
} satisfies Record<StoreMode, 0>)
const SLA_LEVELS = Object.keys({
  NORMAL: 0,
  WARNING: 0,
  EMERGENCY: 0,
  RECOVERING: 0,
} satisfies Record<SlaLevel, 0>)
const VIOLATION_METRICS: readonly SlaViolationMetric[] = [
  ...SLA_TARGET_IDS,
  ...TRIGGER_NAMES,
  'store_failed',
  'damage',
]

/** prometheusMetrics returns a new Registry whose metrics read `source` at every scrape. */
export function prometheusMetrics(
  source: MetricsSource,
  options: PrometheusMetricsOptions = {},
): Registry {
  const registry = new Registry()
  for (const spec of gaugeSpecs(source)) addGauge(registry, spec)
  for (const spec of counterSpecs(source)) addCounter(registry, spec)
  const { appendDuration, fsyncDuration } = source
  if (appendDuration) {
    new LatencyHistogramMetric(
      'lighthouse_append_duration_seconds',
      'Time from an append call to its acknowledgement (fsync included), since the process started.',
      appendDuration,
    ).register(registry)
  }
  if (fsyncDuration) {
    new LatencyHistogramMetric(
      'lighthouse_fsync_duration_seconds',
      'Time one fsync of the active segment took, since the process started.',
      fsyncDuration,
    ).register(registry)
  }
  if (options.processMetrics) collectDefaultMetrics({ register: registry })
  return registry
}

function gaugeSpecs(source: MetricsSource): MetricSpec[] {
  const specs: MetricSpec[] = [
    plain(
      'lighthouse_current_sequence',
      'Last sequence number stored; 0 while the store is empty.',
      source.currentSequence,
    ),
    oneHot(
      'lighthouse_store_mode',
      'Store mode: 1 for the current mode, 0 for the others.',
      'mode',
      STORE_MODES,
      source.mode,
    ),
    plain(
      'lighthouse_store_bytes',
      "Bytes of the store's segment files on disk.",
      () => source.storeSize().bytes,
    ),
    plain('lighthouse_segments', 'Segment files in the store.', () => source.storeSize().segments),
    plain(
      'lighthouse_disk_usage_bytes',
      "Bytes used on the store's filesystem, as df reports them.",
      () => source.diskSpace().usedBytes,
    ),
    plain(
      'lighthouse_disk_free_bytes',
      "Bytes available on the store's filesystem, as df reports them.",
      () => source.diskSpace().availableBytes,
    ),
    plain(
      'lighthouse_disk_usage_ratio',
      "Used / (used + available) on the store's filesystem: the disk trigger's figure (0..1).",
      () => diskUsageRatio(source),
    ),
  ]
  const { slaLevel, appendQueue, verification, activeConnections } = source
  if (slaLevel) {
    specs.push(
      oneHot(
        'lighthouse_sla_level',
        'SLA level: 1 for the current level, 0 for the others.',
        'level',
        SLA_LEVELS,
        slaLevel,
      ),
    )
  }
  if (appendQueue) {
    specs.push(
      plain(
        'lighthouse_append_queue_events',
        'Events waiting in the append queue.',
        () => appendQueue().events,
      ),
      plain(
        'lighthouse_append_queue_bytes',
        'Encoded bytes waiting in the append queue.',
        () => appendQueue().bytes,
      ),
    )
  }
  if (verification) {
    specs.push(
      plain('lighthouse_verification_running', '1 while a verification runs, else 0.', () =>
        verification().running ? 1 : 0,
      ),
      plain(
        'lighthouse_verification_done_bytes',
        'Bytes checked by the running or last verification.',
        () => verification().bytesDone,
      ),
      plain(
        'lighthouse_verification_total_bytes',
        'Bytes the running or last verification checks in all.',
        () => verification().bytesTotal,
      ),
      plain(
        'lighthouse_verification_done_files',
        'Files checked by the running or last verification.',
        () => verification().filesDone,
      ),
      plain(
        'lighthouse_verification_total_files',
        'Files the running or last verification checks in all.',
        () => verification().filesTotal,
      ),
    )
  }
  if (activeConnections) {
    specs.push(
      plain(
        'lighthouse_active_connections',
        'Open client connections (HTTP, SSE, WebSocket, IPC).',
        () => activeConnections(),
      ),
    )
  }
  return specs
}

function counterSpecs(source: MetricsSource): MetricSpec[] {
  const specs: MetricSpec[] = []
  const { eventsAppended, slaViolations, errors } = source
  if (eventsAppended) {
    specs.push({
      name: 'lighthouse_events_appended_total',
      help: `Events appended, by event_type (the first ${METRICS_EVENT_TYPES_MAX} types; the series without event_type counts every other type).`,
      labelNames: ['event_type'],
      read: () => eventTypeSamples(eventsAppended()),
    })
  }
  if (slaViolations) {
    specs.push({
      name: 'lighthouse_sla_violations_total',
      help: 'SLA violations started, by metric (an SLA row, a degradation trigger, store_failed or damage).',
      labelNames: ['metric'],
      read: () => {
        const counts = slaViolations()
        return VIOLATION_METRICS.map((metric) => ({
          labels: { metric },
          value: counts[metric] ?? 0,
        }))
      },
    })
  }
  if (errors) {
    specs.push(
      plain(
        'lighthouse_append_errors_total',
        'Appends that failed inside the store (I/O or internal errors).',
        () => errors().append,
      ),
      plain(
        'lighthouse_query_errors_total',
        'Queries that failed inside the store (I/O or internal errors).',
        () => errors().query,
      ),
    )
  }
  return specs
}

function plain(name: string, help: string, read: () => number): MetricSpec {
  return { name, help, read: () => [{ labels: {}, value: read() }] }
}

/** oneHot is a state set: one series per possible state, 1 for the current one. */
function oneHot(
  name: string,
  help: string,
  label: string,
  states: readonly string[],
  current: () => string,
): MetricSpec {
  return {
    name,
    help,
    labelNames: [label],
    read: () => {
      const now = current()
      return states.map((state) => ({ labels: { [label]: state }, value: state === now ? 1 : 0 }))
    },
  }
}

/** eventTypeSamples labels the first METRICS_EVENT_TYPES_MAX types and sums the rest. */
function eventTypeSamples(counts: EventTypeCounts): Sample[] {
  const samples: Sample[] = []
  let others = counts.otherTypes
  for (const [eventType, count] of counts.byType) {
    if (samples.length < METRICS_EVENT_TYPES_MAX)
      samples.push({ labels: { event_type: eventType }, value: count })
    else others += count
  }
  // No label is the same as an empty one to Prometheus, and event types are never empty.
  if (others > 0) samples.push({ labels: {}, value: others })
  return samples
}

function diskUsageRatio(source: MetricsSource): number {
  const { usedBytes, availableBytes } = source.diskSpace()
  const total = usedBytes + availableBytes
  return total === 0 ? 0 : usedBytes / total
}

// Both set every series afresh at each scrape: reset() first, so a label that left the
// source leaves the exposition too.
function addGauge(registry: Registry, { name, help, labelNames = [], read }: MetricSpec): void {
  new Gauge({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset()
      for (const { labels, value } of read()) this.set(labels, value)
    },
  })
}

function addCounter(registry: Registry, { name, help, labelNames = [], read }: MetricSpec): void {
  new Counter({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset()
      for (const { labels, value } of read()) this.inc(labels, value)
    },
  })
}
