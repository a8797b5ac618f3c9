/**
 * MetricsSource is everything the Prometheus exposition reads, as plain callbacks that the
 * owner of a store implements. The exposition calls them only when it is scraped, so
 * nothing runs on the append path; each callback must be cheap and must not block.
 *
 * Members are plain functions, not methods: they are called detached from the object.
 * The first four are what any process that opened a store can know, a read-only one too.
 * The optional ones are measured by the process that writes or serves the store; a metric
 * whose callback is absent is left out of the exposition rather than printed as zero.
 */
import type { StoreMode } from '../../../shared/report'
import type { SlaLevel, SlaViolation } from '../../../shared/sla'
import type { LatencyHistogram } from '../metrics/latencyHistogram'

/** DiskSpace is the store's filesystem as `df` reports it (used excludes reserved blocks). */
export interface DiskSpace {
  usedBytes: number
  availableBytes: number
}

/** StoreSize is the store's segment files: their bytes on disk and how many there are. */
export interface StoreSize {
  bytes: number
  segments: number
}

/**
 * EventTypeCounts counts the events appended by type. `byType` keeps its insertion order and
 * never loses a key, so every exported counter only grows; the exposition labels the first
 * METRICS_EVENT_TYPES_MAX types and adds the rest to `otherTypes`.
 */
export interface EventTypeCounts {
  byType: ReadonlyMap<string, number>
  /** Events whose type the source stopped tracking to keep its map bounded. */
  otherTypes: number
}

/** AppendQueueDepth is what waits in the append queue now. */
export interface AppendQueueDepth {
  events: number
  bytes: number
}

/** VerificationProgress is the running verification, or the last one when none runs. */
export interface VerificationProgress {
  running: boolean
  bytesDone: number
  bytesTotal: number
  filesDone: number
  filesTotal: number
}

/** ErrorTotals counts operations that failed inside the store (never a client's bad input). */
export interface ErrorTotals {
  append: number
  query: number
}

/** SlaViolationMetric is what a violation is about: an SLA row, a trigger or a failure. */
export type SlaViolationMetric = SlaViolation['metric']

export interface MetricsSource {
  /** currentSequence is the last sequence stored, 0 while the store is empty. */
  currentSequence: () => number
  mode: () => StoreMode
  storeSize: () => StoreSize
  /** diskSpace is the last measurement; measure once before the first scrape. */
  diskSpace: () => DiskSpace
  slaLevel?: () => SlaLevel
  eventsAppended?: () => EventTypeCounts
  /** appendDuration holds every append's latency (µs) since the process started. */
  appendDuration?: () => LatencyHistogram
  /** fsyncDuration holds every fsync's latency (µs) since the process started. */
  fsyncDuration?: () => LatencyHistogram
  /** slaViolations counts violations started since the process started; absent keys are 0. */
  slaViolations?: () => Partial<Record<SlaViolationMetric, number>>
  appendQueue?: () => AppendQueueDepth
  /** verification is all zeros while no verification has run since the process started. */
  verification?: () => VerificationProgress
  activeConnections?: () => number
  errors?: () => ErrorTotals
}
