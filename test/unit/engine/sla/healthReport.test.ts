import { describe, expect, it } from 'vitest'
import type { ComponentHealth } from '../../../../src/shared/sla'
import {
  buildDetailedHealth,
  buildHealth,
  type HealthInputs,
} from '../../../../src/main/engine/sla/healthReport'
import { defaultSlaThresholds } from '../../../../src/main/engine/sla/slaConfig'
import { START_MS } from './slaHarness'

function inputs(overrides: Partial<HealthInputs> = {}): HealthInputs {
  return {
    mode: 'writable',
    level: 'NORMAL',
    current_sequence: 1234,
    events_per_second: 50,
    log_file_count: 3,
    average_append_latency_ms: 0.4,
    average_query_latency_ms: 1.2,
    append_error_rate: 0,
    query_error_rate: null,
    resources: {
      disk_total_bytes: 1000,
      disk_free_bytes: 500,
      disk_usage: 0.5,
      store_bytes: 300,
      rss_bytes: 100,
      heap_used_bytes: 50,
      heap_total_bytes: 60,
      memory_total_bytes: 1000,
      memory_usage: 0.1,
      open_fds: 20,
      fd_limit: 1024,
    },
    append_queue: { events: 0, bytes: 0, events_max: 50_000, bytes_max: 64 * 1024 * 1024 },
    write_block: null,
    thresholds: defaultSlaThresholds(),
    checked_at_ms: START_MS,
    ...overrides,
  }
}

function component(input: HealthInputs, name: ComponentHealth['name']): ComponentHealth {
  const found = buildDetailedHealth(input).components.find((c) => c.name === name)
  if (!found) throw new Error(`no ${name} component`)
  return found
}

const base = inputs()
const resources = (extra: Partial<HealthInputs['resources']>) => ({ ...base.resources, ...extra })

describe('health report', () => {
  it('a writable store within every threshold is healthy, with the original fields', () => {
    expect(buildHealth(inputs())).toEqual({
      status: 'healthy',
      current_sequence: 1234,
      events_per_second: 50,
      disk_usage_bytes: 300,
      disk_free_bytes: 500,
      log_file_count: 3,
      average_append_latency_ms: 0.4,
      average_query_latency_ms: 1.2,
      append_error_rate: 0,
      query_error_rate: 0,
      checked_at: new Date(START_MS).toISOString(),
    })
  })

  it('the detailed report names every component once', () => {
    const detailed = buildDetailedHealth(inputs())
    expect(detailed.components.map((c) => c.name)).toEqual([
      'storage',
      'sla',
      'append',
      'query',
      'disk',
      'memory',
      'descriptors',
    ])
    expect(detailed).toMatchObject({ mode: 'writable', sla_level: 'NORMAL', status: 'healthy' })
  })

  const cases: [
    string,
    Partial<HealthInputs>,
    ComponentHealth['name'],
    ComponentHealth['status'],
  ][] = [
    ['a store opened read-only', { mode: 'read_only' }, 'storage', 'healthy'],
    ['a store that needs recovery', { mode: 'needs_recovery' }, 'storage', 'failed'],
    ['a failed store', { mode: 'failed' }, 'storage', 'failed'],
    ['SLA level WARNING', { level: 'WARNING' }, 'sla', 'degraded'],
    ['SLA level EMERGENCY', { level: 'EMERGENCY' }, 'sla', 'degraded'],
    ['SLA level RECOVERING', { level: 'RECOVERING' }, 'sla', 'degraded'],
    ['append errors at the warning rate', { append_error_rate: 0.01 }, 'append', 'degraded'],
    [
      'a backlog at the warning count',
      { append_queue: { ...base.append_queue, events: 1000 } },
      'append',
      'degraded',
    ],
    ['query errors at the warning rate', { query_error_rate: 0.02 }, 'query', 'degraded'],
    [
      'disk at the warning usage',
      { resources: resources({ disk_usage: 0.8 }) },
      'disk',
      'degraded',
    ],
    [
      'disk writes blocked',
      { write_block: { code: 'disk_full', message: 'full', free_bytes_needed: 10 } },
      'disk',
      'failed',
    ],
    [
      'disk space unknown',
      { resources: resources({ disk_total_bytes: 0, disk_usage: 0 }) },
      'disk',
      'healthy',
    ],
    [
      'memory at the warning usage',
      { resources: resources({ memory_usage: 0.9 }) },
      'memory',
      'degraded',
    ],
    [
      'descriptors at 80% of the limit',
      { resources: resources({ open_fds: 820 }) },
      'descriptors',
      'degraded',
    ],
    [
      'every descriptor in use',
      { resources: resources({ open_fds: 1024 }) },
      'descriptors',
      'failed',
    ],
    ['descriptors unknown', { resources: resources({ open_fds: null }) }, 'descriptors', 'healthy'],
  ]

  it.each(cases)(
    '%s makes %s %s, and the overall status the worst',
    (_, overrides, name, status) => {
      const input = inputs(overrides)

      expect(component(input, name).status).toBe(status)
      expect(buildHealth(input).status).toBe(status)
    },
  )

  it('the worst component wins when several are off', () => {
    const input = inputs({ level: 'EMERGENCY', mode: 'failed' })
    expect(buildHealth(input).status).toBe('failed')
    expect(component(input, 'storage').detail).toMatch(/I\/O error/)
  })
})
