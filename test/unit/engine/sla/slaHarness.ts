import type {
  LatencySeries,
  LatencySummary,
  SlaThresholds,
  SlaTransition,
  TriggerName,
} from '../../../../src/shared/sla'
import type { DiskSpace } from '../../../../src/main/engine/sla/diskSpace'
import type { OutcomeCounts } from '../../../../src/main/engine/sla/outcomeCounter'
import {
  SlaMonitor,
  type MemoryUse,
  type SlaSources,
} from '../../../../src/main/engine/sla/slaMonitor'
import { SLA_EVALUATE_INTERVAL_MS } from '../../../../src/main/engine/limits'

/**
 * A monitor wired to sources the test sets by hand, and a clock that moves only when the
 * test says so. `runFor` calls evaluate() every SLA_EVALUATE_INTERVAL_MS, as the store will.
 */

export const START_MS = Date.UTC(2026, 0, 1)
export const DISK_TOTAL_BYTES = 1_000_000_000

export const EMPTY_SUMMARY: LatencySummary = {
  count: 0,
  min: 0,
  max: 0,
  p50: 0,
  p95: 0,
  p99: 0,
  p999: 0,
}

/** summaryAllAt is a window where every percentile is `ms` milliseconds. */
export function summaryAllAt(ms: number): LatencySummary {
  const us = ms * 1000
  return { count: 100, min: us, max: us, p50: us, p95: us, p99: us, p999: us }
}

/** diskAt is a filesystem at `usage` as df computes it, with no blocks reserved for root. */
export function diskAt(usage: number): DiskSpace {
  const available = Math.round((1 - usage) * DISK_TOTAL_BYTES)
  return { total_bytes: DISK_TOTAL_BYTES, free_bytes: available, available_bytes: available }
}

export interface FakeSources {
  latencyMs: Partial<Record<LatencySeries, number>>
  outcomes: OutcomeCounts
  disk: DiskSpace | null
  memory: MemoryUse | null
  backlog: number
}

export function healthySources(): FakeSources {
  return {
    latencyMs: {},
    outcomes: { ok: 1000, failed: 0 },
    disk: diskAt(0.5),
    memory: { rss_bytes: 100, total_bytes: 1000 },
    backlog: 0,
  }
}

/** setTrigger puts one trigger's measured value at `value`, in its own unit. */
export function setTrigger(sources: FakeSources, name: TriggerName, value: number): void {
  switch (name) {
    case 'append_p99_ms':
      sources.latencyMs.append = value
      return
    case 'append_error_rate':
      sources.outcomes = {
        ok: Math.round((1 - value) * 10_000),
        failed: Math.round(value * 10_000),
      }
      return
    case 'disk_usage':
      sources.disk = diskAt(value)
      return
    case 'memory_usage':
      sources.memory = { rss_bytes: Math.round(value * 1_000_000), total_bytes: 1_000_000 }
      return
    case 'append_backlog':
      sources.backlog = value
      return
  }
}

export class Harness {
  nowMs = START_MS
  readonly sources = healthySources()
  readonly transitions: SlaTransition[] = []
  readonly monitor: SlaMonitor

  constructor(thresholds?: SlaThresholds) {
    const fake = this.sources
    const sources: SlaSources = {
      latency: (series) => {
        const ms = fake.latencyMs[series]
        return ms === undefined ? EMPTY_SUMMARY : summaryAllAt(ms)
      },
      throughput: () => ({ events_per_second_10s: 5, events_per_second_1m: 4 }),
      appendOutcomes: () => ({ ...fake.outcomes }),
      disk: () => fake.disk,
      memory: () => fake.memory,
      backlog: () => fake.backlog,
    }
    this.monitor = new SlaMonitor({ sources, nowMs: () => this.nowMs, thresholds })
    this.monitor.onTransition((transition) => this.transitions.push(transition))
  }

  /** runFor advances the clock by `ms`, evaluating every interval; returns the transitions made. */
  runFor(ms: number): SlaTransition[] {
    const before = this.transitions.length
    for (let elapsed = 0; elapsed < ms; elapsed += SLA_EVALUATE_INTERVAL_MS) {
      this.nowMs += SLA_EVALUATE_INTERVAL_MS
      this.monitor.evaluate()
    }
    return this.transitions.slice(before)
  }

  /** runUntil evaluates until the level is `level` (or `limitMs` passes); returns the ms it took. */
  runUntil(level: SlaMonitor['level'], limitMs = 10 * 60_000): number {
    const start = this.nowMs
    while (this.monitor.level !== level && this.nowMs - start < limitMs) {
      this.runFor(SLA_EVALUATE_INTERVAL_MS)
    }
    return this.nowMs - start
  }
}
