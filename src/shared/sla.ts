/**
 * SLA monitoring shapes: latency summaries, the SLA targets of ADR-004, the degradation
 * triggers of ADR-001/003/004 and the health report. The engine produces them; the host,
 * the HTTP server and the UI read them. All latencies are in microseconds unless a field
 * name says otherwise.
 */
import type { StoreMode } from './report'

/** SlaLevel is kept apart from the store mode (report.ts StoreMode). */
export type SlaLevel = 'NORMAL' | 'WARNING' | 'EMERGENCY' | 'RECOVERING'

/** The latency series the store records, one histogram family each. */
export const LATENCY_SERIES = [
  'append',
  'batch_append',
  'fsync',
  'query_by_id',
  'range_query',
  'delivery',
  'verify',
] as const
export type LatencySeries = (typeof LATENCY_SERIES)[number]

export const LATENCY_WINDOWS = ['10s', '1m', '5m'] as const
export type LatencyWindow = (typeof LATENCY_WINDOWS)[number]

/** LatencySummary is read from one histogram; every figure is in microseconds. */
export interface LatencySummary {
  count: number
  min: number
  max: number
  p50: number
  p95: number
  p99: number
  p999: number
}

/** LatencyPoint summarizes the values recorded in [start_ms, start_ms + point_ms). */
export interface LatencyPoint extends LatencySummary {
  start_ms: number
}

/** The SLA rows of ADR-004 that are latencies; each is checked over the 1-minute window. */
export const SLA_TARGET_IDS = [
  'append_p50',
  'append_p95',
  'append_p99',
  'append_p999',
  'batch_append_p99',
  'query_by_id_p99',
  'range_query_p99',
  'delivery_p99',
] as const
export type SlaTargetId = (typeof SLA_TARGET_IDS)[number]

/** The degradation triggers with a measured value (warning and emergency thresholds). */
export const TRIGGER_NAMES = [
  'append_p99_ms',
  'append_error_rate',
  'disk_usage',
  'memory_usage',
  'append_backlog',
] as const
export type TriggerName = (typeof TRIGGER_NAMES)[number]

export interface TriggerThresholds {
  warning: number
  emergency: number
}

/**
 * SlaThresholds is the whole configuration: defaults from ADR-004, overridden by the
 * store's `sla.json` and at run time. Ratios are 0..1 (disk 0.8 means 80%).
 */
export interface SlaThresholds {
  /** Latency targets in milliseconds. */
  targets: Record<SlaTargetId, number>
  triggers: Record<TriggerName, TriggerThresholds>
  /** Disk usage at which every write is blocked, and below which it is allowed again. */
  disk_block: number
  disk_unblock: number
  /** How long a trigger must hold before the level rises (at most 30 s). */
  hold_ms: number
  /** How long every trigger must stay clear before the level falls (hysteresis). */
  clear_ms: number
  /** Memory usage is RSS over this, or over the machine's total memory when null. */
  memory_limit_bytes: number | null
}

/** A partial update of the thresholds; what is left out keeps its value. */
export interface SlaThresholdsPatch {
  targets?: Partial<Record<SlaTargetId, number>>
  triggers?: Partial<Record<TriggerName, Partial<TriggerThresholds>>>
  disk_block?: number
  disk_unblock?: number
  hold_ms?: number
  clear_ms?: number
  memory_limit_bytes?: number | null
}

/** SlaCompliance is one SLA row now: observed is null while the window holds no values. */
export interface SlaCompliance {
  id: SlaTargetId
  series: LatencySeries
  percentile: 'p50' | 'p95' | 'p99' | 'p999'
  window: LatencyWindow
  threshold_ms: number
  observed_ms: number | null
  ok: boolean | null
}

export type TriggerState = 'clear' | 'warning' | 'emergency'

export interface TriggerStatus {
  name: TriggerName
  value: number | null
  thresholds: TriggerThresholds
  state: TriggerState
  /** When the value first crossed into `state` (it counts once it held for hold_ms). */
  since: string | null
}

/** SlaViolation is one stretch of time an SLA row or a trigger was over its threshold. */
export interface SlaViolation {
  metric: SlaTargetId | TriggerName | 'store_failed' | 'damage'
  window: LatencyWindow | 'instant'
  observed: number
  threshold: number
  started_at: string
  /** null while it lasts. */
  ended_at: string | null
}

/** SlaTransition is one change of SLA level, recorded and pushed. */
export interface SlaTransition {
  from: SlaLevel
  to: SlaLevel
  at: string
  reason: string
  /** The figures that decided it, e.g. { append_p99_ms: 1250 }. */
  figures: Record<string, number>
}

/** WriteBlock says why appends are refused right now, when they are. */
export interface WriteBlock {
  code: 'emergency_mode' | 'disk_full'
  message: string
  /** For disk_full: bytes to free before writes resume (usage below disk_unblock). */
  free_bytes_needed?: number
}

export interface SlaSnapshot {
  level: SlaLevel
  since: string
  reason: string | null
  checked_at: string
  thresholds: SlaThresholds
  latency: Record<LatencySeries, Record<LatencyWindow, LatencySummary>>
  /** Events appended per second over the 10 s and 1 min windows. */
  throughput: { events_per_second_10s: number; events_per_second_1m: number }
  compliance: SlaCompliance[]
  triggers: TriggerStatus[]
  /** Most recent first, bounded. */
  violations: SlaViolation[]
  write_block: WriteBlock | null
  /** RECOVERING returns to NORMAL only after a passing verification and an approval. */
  recovery: { verification_passed_at: string | null; can_approve: boolean } | null
  /**
   * What keeps the monitor from working as configured, in sentences: an sla.json that was
   * ignored, a transition that could not be recorded. Absent when there is none.
   */
  problems?: string[]
}

export interface SlaHistory {
  point_ms: number
  latency: Record<LatencySeries, LatencyPoint[]>
  /** Events appended per point interval. */
  throughput: { start_ms: number; events: number }[]
  /** Most recent last, bounded. */
  transitions: SlaTransition[]
}

/** Health is the original system's health report. */
export interface Health {
  status: 'healthy' | 'degraded' | 'failed'
  current_sequence: number
  events_per_second: number
  disk_usage_bytes: number
  disk_free_bytes: number
  log_file_count: number
  average_append_latency_ms: number
  average_query_latency_ms: number
  append_error_rate: number
  query_error_rate: number
  checked_at: string
}

export interface Resources {
  disk_total_bytes: number
  disk_free_bytes: number
  /** used / (used + available), as df reports it. */
  disk_usage: number
  store_bytes: number
  rss_bytes: number
  heap_used_bytes: number
  heap_total_bytes: number
  memory_total_bytes: number
  /** rss / (memory limit or total memory). */
  memory_usage: number
  open_fds: number | null
  fd_limit: number | null
}

export interface ComponentHealth {
  name: 'storage' | 'append' | 'query' | 'sla' | 'disk' | 'memory' | 'descriptors'
  status: 'healthy' | 'degraded' | 'failed'
  detail: string
}

export interface DetailedHealth extends Health {
  mode: StoreMode
  sla_level: SlaLevel
  resources: Resources
  append_queue: { events: number; bytes: number; events_max: number; bytes_max: number }
  components: ComponentHealth[]
}
