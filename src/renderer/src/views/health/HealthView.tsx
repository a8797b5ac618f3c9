import type { ComponentHealth, DetailedHealth } from '../../../../shared/sla'
import { ProgressBar } from '../common/ProgressBar'
import { StatusBadge, type StatusTone } from '../common/StatusBadge'
import {
  formatBytes,
  formatCount,
  formatLatencyMs,
  formatPercent,
  formatTime,
} from '../common/format'
import { HealthCard } from './HealthCard'
import '../common/common.css'
import './health.css'

export interface HealthViewProps {
  /** The latest detailed health report; null until the first arrives. */
  health: DetailedHealth | null
  /** Where Prometheus can scrape this store, or null when no metrics endpoint is served. */
  metricsUrl: string | null
}

const STATUS_TONES: Record<ComponentHealth['status'], StatusTone> = {
  healthy: 'ok',
  degraded: 'warn',
  failed: 'bad',
}

const STATUS_LABELS: Record<ComponentHealth['status'], string> = {
  healthy: 'Healthy',
  degraded: 'Degraded',
  failed: 'Failed',
}

/** HealthView shows the store's resources and each component's status, in figures. */
export function HealthView({ health, metricsUrl }: HealthViewProps) {
  if (health === null) {
    return (
      <section className="view health-view" aria-labelledby="health-view-title">
        <h2 id="health-view-title">Health</h2>
        <p className="muted" role="status">
          Waiting for the first health report…
        </p>
      </section>
    )
  }
  const { resources, append_queue: queue } = health
  // A gauge takes the colour of the component that judges it, so the two never disagree.
  const toneOf = (name: ComponentHealth['name']): StatusTone => {
    const component = health.components.find((candidate) => candidate.name === name)
    return component === undefined ? 'neutral' : STATUS_TONES[component.status]
  }
  return (
    <section className="view health-view" aria-labelledby="health-view-title">
      <div className="health-view__header">
        <h2 id="health-view-title">Health</h2>
        <StatusBadge tone={STATUS_TONES[health.status]} label={STATUS_LABELS[health.status]} />
        <span className="muted">
          mode {health.mode.replace('_', ' ')} · SLA level {health.sla_level} · checked{' '}
          {formatTime(health.checked_at)}
        </span>
      </div>
      <div className="health-view__cards">
        <HealthCard title="Disk">
          <ProgressBar
            label="Disk usage"
            value={resources.disk_usage}
            max={1}
            tone={toneOf('disk')}
            detail={`${formatPercent(resources.disk_usage)} used`}
          />
          <p>
            {formatBytes(resources.disk_free_bytes)} free of{' '}
            {formatBytes(resources.disk_total_bytes)}; this store uses{' '}
            {formatBytes(resources.store_bytes)}.
          </p>
        </HealthCard>
        <HealthCard title="Memory">
          <ProgressBar
            label="Memory usage"
            value={resources.memory_usage}
            max={1}
            tone={toneOf('memory')}
            detail={`${formatPercent(resources.memory_usage)} of ${formatBytes(resources.memory_total_bytes)}`}
          />
          <p>
            RSS {formatBytes(resources.rss_bytes)}; heap {formatBytes(resources.heap_used_bytes)}{' '}
            used of {formatBytes(resources.heap_total_bytes)}.
          </p>
        </HealthCard>
        <HealthCard title="File descriptors">
          {resources.open_fds === null || resources.fd_limit === null ? (
            <p className="muted">Not reported on this platform.</p>
          ) : (
            <ProgressBar
              label="Open file descriptors"
              value={resources.open_fds}
              max={resources.fd_limit}
              tone={toneOf('descriptors')}
              detail={`${formatCount(resources.open_fds)} open of ${formatCount(resources.fd_limit)}`}
            />
          )}
        </HealthCard>
        <HealthCard title="Append queue">
          <ProgressBar
            label="Queued events"
            value={queue.events}
            max={queue.events_max}
            tone={toneOf('append')}
            detail={`${formatCount(queue.events)} of ${formatCount(queue.events_max)} events`}
          />
          <ProgressBar
            label="Queued bytes"
            value={queue.bytes}
            max={queue.bytes_max}
            tone={toneOf('append')}
            detail={`${formatBytes(queue.bytes)} of ${formatBytes(queue.bytes_max)}`}
          />
        </HealthCard>
        <HealthCard title="Errors and latency">
          <dl className="health-view__facts">
            <dt>Append error rate</dt>
            <dd>{formatPercent(health.append_error_rate, 2)}</dd>
            <dt>Query error rate</dt>
            <dd>{formatPercent(health.query_error_rate, 2)}</dd>
            <dt>Average append</dt>
            <dd>{formatLatencyMs(health.average_append_latency_ms)}</dd>
            <dt>Average query</dt>
            <dd>{formatLatencyMs(health.average_query_latency_ms)}</dd>
            <dt>Appends per second</dt>
            <dd>{formatCount(Math.round(health.events_per_second))}</dd>
          </dl>
        </HealthCard>
        <HealthCard title="Metrics endpoint">
          {metricsUrl === null ? (
            <p className="muted">Not served.</p>
          ) : (
            <p>
              <code className="mono">{metricsUrl}</code>
            </p>
          )}
        </HealthCard>
      </div>
      <h3>Components</h3>
      <ul className="health-view__components" aria-label="Components">
        {health.components.map((component) => (
          <li key={component.name}>
            <span className="health-view__component-name">{component.name}</span>
            <StatusBadge
              tone={STATUS_TONES[component.status]}
              label={STATUS_LABELS[component.status]}
            />
            <span className="muted">{component.detail}</span>
          </li>
        ))}
      </ul>
    </section>
  )
}
