import { describe, expect, it } from 'vitest'
import type { LatencySeries } from '../../../../src/shared/sla'
import { defaultSlaThresholds } from '../../../../src/main/engine/sla/slaConfig'
import { SlaEvaluator } from '../../../../src/main/engine/sla/slaEvaluator'
import { ViolationLog } from '../../../../src/main/engine/sla/violationLog'
import { EMPTY_SUMMARY, START_MS, summaryAllAt } from './slaHarness'

function evaluatorWith(
  latencyMs: Partial<Record<LatencySeries, number>>,
  log = new ViolationLog(),
) {
  const windows: string[] = []
  const evaluator = new SlaEvaluator((series, window) => {
    windows.push(window)
    const ms = latencyMs[series]
    return ms === undefined ? EMPTY_SUMMARY : summaryAllAt(ms)
  }, log)
  return { evaluator, log, windows }
}

describe('SlaEvaluator', () => {
  it('reports every ADR-004 row over the 1-minute window, in milliseconds', () => {
    const { evaluator, windows } = evaluatorWith({ append: 3, query_by_id: 0.5 })

    const rows = evaluator.evaluate(defaultSlaThresholds().targets, START_MS)

    expect(rows.map((row) => [row.id, row.observed_ms, row.ok])).toEqual([
      ['append_p50', 3, false],
      ['append_p95', 3, true],
      ['append_p99', 3, true],
      ['append_p999', 3, true],
      ['batch_append_p99', null, null],
      ['query_by_id_p99', 0.5, true],
      ['range_query_p99', null, null],
      ['delivery_p99', null, null],
    ])
    expect(new Set(windows)).toEqual(new Set(['1m']))
    expect(rows[0]).toMatchObject({ series: 'append', percentile: 'p50', threshold_ms: 2 })
  })

  it('records one violation stretch per row, with its worst value, ended when back within', () => {
    const latency: Partial<Record<LatencySeries, number>> = { range_query: 150 }
    const { evaluator, log } = evaluatorWith(latency)
    const targets = defaultSlaThresholds().targets

    evaluator.evaluate(targets, START_MS)
    latency.range_query = 300
    evaluator.evaluate(targets, START_MS + 1000)
    latency.range_query = 120
    evaluator.evaluate(targets, START_MS + 2000)
    expect(log.list()).toEqual([
      {
        metric: 'range_query_p99',
        window: '1m',
        observed: 300,
        threshold: 100,
        started_at: new Date(START_MS).toISOString(),
        ended_at: null,
      },
    ])

    latency.range_query = 80
    evaluator.evaluate(targets, START_MS + 3000)
    expect(log.list()[0]?.ended_at).toBe(new Date(START_MS + 3000).toISOString())
  })

  it('a row that loses its values ends its stretch', () => {
    const latency: Partial<Record<LatencySeries, number>> = { delivery: 500 }
    const { evaluator, log } = evaluatorWith(latency)
    evaluator.evaluate(defaultSlaThresholds().targets, START_MS)
    delete latency.delivery

    evaluator.evaluate(defaultSlaThresholds().targets, START_MS + 1000)

    expect(log.list()[0]?.ended_at).not.toBeNull()
  })
})

describe('ViolationLog', () => {
  it('keeps at most its bound, dropping the oldest ended stretch and never an open one', () => {
    const log = new ViolationLog(20)
    log.over('disk_usage', 'instant', 0.85, 0.8, START_MS)
    for (let i = 0; i < 50; i++) log.instant('damage', 1, 0, START_MS + i)

    const list = log.list()

    expect(list).toHaveLength(20)
    expect(list.at(-1)).toMatchObject({ metric: 'disk_usage', ended_at: null })
    expect(list[0]?.started_at).toBe(new Date(START_MS + 49).toISOString())
  })
})
