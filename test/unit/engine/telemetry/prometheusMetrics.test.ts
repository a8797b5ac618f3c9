import { register as globalRegistry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { METRICS_EVENT_TYPES_MAX } from '../../../../src/main/engine/limits'
import { LatencyHistogram } from '../../../../src/main/engine/metrics/latencyHistogram'
import type { MetricsSource } from '../../../../src/main/engine/telemetry/metricsSource'
import { prometheusMetrics } from '../../../../src/main/engine/telemetry/prometheusMetrics'
import { fullSource, promtoolCheck, promtoolMissing, sampleValue, seriesOf } from './exposition'

const EXPECTED: [name: string, type: string][] = [
  ['lighthouse_current_sequence', 'gauge'],
  ['lighthouse_store_mode', 'gauge'],
  ['lighthouse_store_bytes', 'gauge'],
  ['lighthouse_segments', 'gauge'],
  ['lighthouse_disk_usage_bytes', 'gauge'],
  ['lighthouse_disk_free_bytes', 'gauge'],
  ['lighthouse_disk_usage_ratio', 'gauge'],
  ['lighthouse_sla_level', 'gauge'],
  ['lighthouse_events_appended_total', 'counter'],
  ['lighthouse_append_duration_seconds', 'histogram'],
  ['lighthouse_fsync_duration_seconds', 'histogram'],
  ['lighthouse_sla_violations_total', 'counter'],
  ['lighthouse_append_queue_events', 'gauge'],
  ['lighthouse_append_queue_bytes', 'gauge'],
  ['lighthouse_verification_running', 'gauge'],
  ['lighthouse_verification_done_bytes', 'gauge'],
  ['lighthouse_verification_total_bytes', 'gauge'],
  ['lighthouse_verification_done_files', 'gauge'],
  ['lighthouse_verification_total_files', 'gauge'],
  ['lighthouse_active_connections', 'gauge'],
  ['lighthouse_append_errors_total', 'counter'],
  ['lighthouse_query_errors_total', 'counter'],
]

const exposition = (source: MetricsSource) => prometheusMetrics(source).metrics()

describe('prometheusMetrics', () => {
  it('exposes every metric with HELP and TYPE, and only those', async () => {
    const text = await exposition(fullSource(new LatencyHistogram(), new LatencyHistogram()))
    for (const [name, type] of EXPECTED) {
      expect(text, name).toMatch(new RegExp(`^# HELP ${name} \\S.*$`, 'm'))
      expect(text, name).toContain(`\n# TYPE ${name} ${type}\n`)
    }
    const typed = [...text.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1])
    expect(typed.sort()).toEqual(EXPECTED.map(([name]) => name).sort())
  })

  it('reads the source at scrape time, never before', async () => {
    let sequence = 0
    let reads = 0
    const source = {
      ...fullSource(new LatencyHistogram(), new LatencyHistogram()),
      currentSequence: () => {
        reads++
        return sequence
      },
    }
    const registry = prometheusMetrics(source)
    expect(reads).toBe(0)
    sequence = 7
    expect(sampleValue(await registry.metrics(), 'lighthouse_current_sequence')).toBe(7)
    sequence = 9
    expect(sampleValue(await registry.metrics(), 'lighthouse_current_sequence')).toBe(9)
    expect(reads).toBe(2)
  })

  it('prints the figures it is given', async () => {
    const text = await exposition(fullSource(new LatencyHistogram(), new LatencyHistogram()))
    const expected: [string, number][] = [
      ['lighthouse_store_bytes', 123_456],
      ['lighthouse_segments', 3],
      ['lighthouse_disk_usage_bytes', 800],
      ['lighthouse_disk_free_bytes', 200],
      ['lighthouse_disk_usage_ratio', 0.8],
      ['lighthouse_events_appended_total{event_type="command_received"}', 30],
      ['lighthouse_append_queue_bytes', 7000],
      ['lighthouse_verification_done_bytes', 10],
      ['lighthouse_active_connections', 5],
      ['lighthouse_query_errors_total', 2],
    ]
    for (const [series, value] of expected) expect(sampleValue(text, series), series).toBe(value)
  })

  it('state gauges have one series per mode and level, 1 for the current one', async () => {
    const text = await exposition(fullSource(new LatencyHistogram(), new LatencyHistogram()))
    expect(seriesOf(text, 'lighthouse_store_mode').sort()).toEqual([
      'lighthouse_store_mode{mode="failed"}',
      'lighthouse_store_mode{mode="needs_recovery"}',
      'lighthouse_store_mode{mode="read_only"}',
      'lighthouse_store_mode{mode="writable"}',
    ])
    expect(sampleValue(text, 'lighthouse_store_mode{mode="writable"}')).toBe(1)
    expect(sampleValue(text, 'lighthouse_store_mode{mode="failed"}')).toBe(0)
    expect(seriesOf(text, 'lighthouse_sla_level')).toHaveLength(4)
    expect(sampleValue(text, 'lighthouse_sla_level{level="WARNING"}')).toBe(1)
    expect(sampleValue(text, 'lighthouse_sla_level{level="NORMAL"}')).toBe(0)
  })

  it('counts violations for every known metric, 0 where the source has none', async () => {
    const text = await exposition(fullSource(new LatencyHistogram(), new LatencyHistogram()))
    // 8 SLA rows + 5 triggers + store_failed + damage
    expect(seriesOf(text, 'lighthouse_sla_violations_total')).toHaveLength(15)
    expect(sampleValue(text, 'lighthouse_sla_violations_total{metric="append_p99"}')).toBe(2)
    expect(sampleValue(text, 'lighthouse_sla_violations_total{metric="damage"}')).toBe(0)
  })

  it(`labels at most ${METRICS_EVENT_TYPES_MAX} event types and counts the rest in one unlabelled series`, async () => {
    const byType = new Map<string, number>()
    for (let i = 0; i < METRICS_EVENT_TYPES_MAX + 50; i++) byType.set(`type_${i}`, 2)
    const source = {
      ...fullSource(new LatencyHistogram(), new LatencyHistogram()),
      eventsAppended: () => ({ byType, otherTypes: 5 }),
    }
    const text = await exposition(source)
    const series = seriesOf(text, 'lighthouse_events_appended_total')
    expect(series).toHaveLength(METRICS_EVENT_TYPES_MAX + 1)
    expect(series).toContain('lighthouse_events_appended_total{event_type="type_0"}')
    expect(series).not.toContain(
      `lighthouse_events_appended_total{event_type="type_${METRICS_EVENT_TYPES_MAX}"}`,
    )
    expect(sampleValue(text, 'lighthouse_events_appended_total')).toBe(50 * 2 + 5)
  })

  it('leaves out what the source cannot tell, rather than printing zeros', async () => {
    const text = await exposition({
      currentSequence: () => 3,
      mode: () => 'read_only',
      storeSize: () => ({ bytes: 10, segments: 1 }),
      diskSpace: () => ({ usedBytes: 1, availableBytes: 1 }),
    })
    const typed = [...text.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1])
    expect(typed.sort()).toEqual(
      [
        'lighthouse_current_sequence',
        'lighthouse_disk_free_bytes',
        'lighthouse_disk_usage_bytes',
        'lighthouse_disk_usage_ratio',
        'lighthouse_segments',
        'lighthouse_store_bytes',
        'lighthouse_store_mode',
      ].sort(),
    )
  })

  it('adds process metrics only when asked, and never touches the global registry', async () => {
    const source = fullSource(new LatencyHistogram(), new LatencyHistogram())
    const withProcess = await prometheusMetrics(source, { processMetrics: true }).metrics()
    expect(withProcess).toContain('# TYPE process_cpu_user_seconds_total counter')
    expect(await exposition(source)).not.toContain('process_cpu_user_seconds_total')
    expect(globalRegistry.getMetricsAsArray()).toEqual([])
  })

  it.skipIf(promtoolMissing !== null)(
    'passes `promtool check metrics` with every metric',
    async () => {
      const append = new LatencyHistogram()
      for (const us of [120, 900, 4000, 2e6]) append.record(us)
      const text = await exposition(fullSource(append, new LatencyHistogram()))
      expect(promtoolCheck(text)).toEqual({ status: 0, output: '' })
    },
  )

  it.skipIf(promtoolMissing !== null)(
    "with process metrics promtool parses it and objects only to prom-client's nodejs_*_total gauges",
    async () => {
      const source = fullSource(new LatencyHistogram(), new LatencyHistogram())
      const check = promtoolCheck(
        await prometheusMetrics(source, { processMetrics: true }).metrics(),
      )
      // 3 is lint findings only; a parse error would be 1.
      expect(check.status).toBe(3)
      for (const line of check.output.split('\n')) {
        expect(line).toMatch(
          /^nodejs_\w+_total non-counter metrics should not have "_total" suffix$/,
        )
      }
    },
  )
  if (promtoolMissing !== null) console.log(`skipping the promtool check: ${promtoolMissing}`)
})
