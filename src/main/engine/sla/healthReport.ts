import type { StoreMode } from '../../../shared/report'
import type {
  ComponentHealth,
  DetailedHealth,
  Health,
  Resources,
  SlaLevel,
  SlaThresholds,
  WriteBlock,
} from '../../../shared/sla'
import { FD_USAGE_WARNING } from '../limits'
import { percent } from './percent'

/**
 * The health report (`/health`, `/health/detailed`), built from plain figures the store
 * already has, so it costs no I/O and is the same wherever it is asked for.
 *
 * The status rule: each component is
 * - failed when it cannot do its job: the store is failed or needs recovery, every write is
 *   blocked for lack of disk, or the process has no file descriptor left;
 * - degraded when it works under a warning: the SLA level is not NORMAL or the monitor
 *   reports a problem of its own (an ignored sla.json, say), or a measured
 *   figure reached its warning threshold (the SLA triggers' warning values; for query
 *   errors the append error-rate warning; for descriptors FD_USAGE_WARNING of the limit);
 * - healthy otherwise, including figures the platform cannot tell and a store opened
 *   read-only on purpose.
 * The overall status is the worst component's. An SLA EMERGENCY is degraded, not failed:
 * reads go on and the refusal of appends is the store protecting itself.
 */

export interface HealthInputs {
  mode: StoreMode
  level: SlaLevel
  /** The last sequence stored, 0 for an empty store. */
  current_sequence: number
  events_per_second: number
  log_file_count: number
  average_append_latency_ms: number
  average_query_latency_ms: number
  /** Over the last minute; null when there was nothing to count. */
  append_error_rate: number | null
  query_error_rate: number | null
  resources: Resources
  append_queue: DetailedHealth['append_queue']
  /** What SlaMonitor.admit would refuse an ordinary append with now. */
  write_block: WriteBlock | null
  thresholds: SlaThresholds
  checked_at_ms: number
  /** SlaSnapshot.problems: the monitor is not working as configured. */
  sla_problems?: readonly string[]
}

type Status = ComponentHealth['status']
const RANK: Readonly<Record<Status, number>> = { healthy: 0, degraded: 1, failed: 2 }

/** buildHealth is the short report: the original system's fields. */
export function buildHealth(inputs: HealthInputs): Health {
  const detailed = buildDetailedHealth(inputs)
  return {
    status: detailed.status,
    current_sequence: detailed.current_sequence,
    events_per_second: detailed.events_per_second,
    disk_usage_bytes: detailed.disk_usage_bytes,
    disk_free_bytes: detailed.disk_free_bytes,
    log_file_count: detailed.log_file_count,
    average_append_latency_ms: detailed.average_append_latency_ms,
    average_query_latency_ms: detailed.average_query_latency_ms,
    append_error_rate: detailed.append_error_rate,
    query_error_rate: detailed.query_error_rate,
    checked_at: detailed.checked_at,
  }
}

/** buildDetailedHealth adds the mode, level, resources, queue and per-component report. */
export function buildDetailedHealth(inputs: HealthInputs): DetailedHealth {
  const components = [
    storageHealth(inputs.mode),
    slaHealth(inputs.level, inputs.sla_problems ?? []),
    appendHealth(inputs),
    queryHealth(inputs),
    diskHealth(inputs),
    memoryHealth(inputs),
    descriptorHealth(inputs.resources),
  ]
  const status = components.reduce<Status>(
    (worst, component) => (RANK[component.status] > RANK[worst] ? component.status : worst),
    'healthy',
  )
  return {
    status,
    current_sequence: inputs.current_sequence,
    events_per_second: inputs.events_per_second,
    disk_usage_bytes: inputs.resources.store_bytes,
    disk_free_bytes: inputs.resources.disk_free_bytes,
    log_file_count: inputs.log_file_count,
    average_append_latency_ms: inputs.average_append_latency_ms,
    average_query_latency_ms: inputs.average_query_latency_ms,
    append_error_rate: inputs.append_error_rate ?? 0,
    query_error_rate: inputs.query_error_rate ?? 0,
    checked_at: new Date(inputs.checked_at_ms).toISOString(),
    mode: inputs.mode,
    sla_level: inputs.level,
    resources: { ...inputs.resources },
    append_queue: { ...inputs.append_queue },
    components,
  }
}

const STORAGE: Readonly<Record<StoreMode, { status: Status; detail: string }>> = {
  writable: { status: 'healthy', detail: 'writable' },
  read_only: { status: 'healthy', detail: 'open read-only' },
  needs_recovery: { status: 'failed', detail: 'damage found: read-only until recover runs' },
  failed: { status: 'failed', detail: 'an I/O error made the store read-only: reopen it' },
}

function storageHealth(mode: StoreMode): ComponentHealth {
  return { name: 'storage', ...STORAGE[mode] }
}

/** slaHealth is degraded out of NORMAL, and when the monitor reports a problem of its own. */
function slaHealth(level: SlaLevel, problems: readonly string[]): ComponentHealth {
  const state =
    level === 'NORMAL'
      ? 'NORMAL'
      : level === 'WARNING'
        ? 'WARNING: alerts only'
        : `${level}: reads continue, appends are refused`
  if (level === 'NORMAL' && problems.length === 0) {
    return { name: 'sla', status: 'healthy', detail: state }
  }
  return { name: 'sla', status: 'degraded', detail: [state, ...problems].join('; ') }
}

function appendHealth(inputs: HealthInputs): ComponentHealth {
  const { append_queue: queue, thresholds } = inputs
  const problems: string[] = []
  const rate = inputs.append_error_rate
  if (rate !== null && rate >= thresholds.triggers.append_error_rate.warning) {
    problems.push(`error rate ${percent(rate)}`)
  }
  if (queue.events >= thresholds.triggers.append_backlog.warning) {
    problems.push(`${queue.events} events waiting`)
  }
  if (queue.events >= queue.events_max || queue.bytes >= queue.bytes_max) {
    problems.push('the append queue is full: appends are refused as overloaded')
  }
  return measured('append', problems, `${queue.events} events waiting`)
}

function queryHealth(inputs: HealthInputs): ComponentHealth {
  const rate = inputs.query_error_rate
  const warning = inputs.thresholds.triggers.append_error_rate.warning
  const problems = rate !== null && rate >= warning ? [`error rate ${percent(rate)}`] : []
  return measured('query', problems, `error rate ${rate === null ? 'n/a' : percent(rate)}`)
}

function diskHealth(inputs: HealthInputs): ComponentHealth {
  const { resources, write_block: block } = inputs
  if (block?.code === 'disk_full') return { name: 'disk', status: 'failed', detail: block.message }
  if (resources.disk_total_bytes === 0) {
    return { name: 'disk', status: 'healthy', detail: 'disk space unknown' }
  }
  const usage = resources.disk_usage
  const problems =
    usage >= inputs.thresholds.triggers.disk_usage.warning ? [`${percent(usage)} used`] : []
  return measured('disk', problems, `${percent(usage)} used`)
}

function memoryHealth(inputs: HealthInputs): ComponentHealth {
  const usage = inputs.resources.memory_usage
  const warning = inputs.thresholds.triggers.memory_usage.warning
  const problems = usage >= warning ? [`${percent(usage)} of memory in use`] : []
  return measured('memory', problems, `${percent(usage)} of memory in use`)
}

function descriptorHealth(resources: Resources): ComponentHealth {
  const { open_fds: open, fd_limit: limit } = resources
  if (open === null || limit === null) {
    return { name: 'descriptors', status: 'healthy', detail: 'descriptor use unknown' }
  }
  const detail = `${open} of ${limit} file descriptors open`
  if (open >= limit) return { name: 'descriptors', status: 'failed', detail }
  return {
    name: 'descriptors',
    status: open >= FD_USAGE_WARNING * limit ? 'degraded' : 'healthy',
    detail,
  }
}

/** measured is degraded with its problems listed, or healthy with the usual detail. */
function measured(
  name: ComponentHealth['name'],
  problems: string[],
  usual: string,
): ComponentHealth {
  return problems.length > 0
    ? { name, status: 'degraded', detail: problems.join('; ') }
    : { name, status: 'healthy', detail: usual }
}
