// @vitest-environment jsdom
import { describe, expect, it } from 'vitest'
import {
  filterHistory,
  historyEndMs,
  latencyChartData,
  levelTimeline,
  throughputChartData,
} from '../../../../src/renderer/src/views/performance/historyRange'
import {
  thresholdMarks,
  violationMarks,
} from '../../../../src/renderer/src/views/performance/slaMarks'
import { timeTicks } from '../../../../src/renderer/src/views/performance/timeAxis'
import { NOW_MS, THRESHOLDS, iso, slaHistory, slaSnapshot } from '../fixtures'

const MINUTE = 60_000

describe('filterHistory', () => {
  it.each([
    ['5 min', 5 * MINUTE, 5],
    ['1 h', 60 * MINUTE, 60],
    ['24 h keeps all two hours', 24 * 60 * MINUTE, 120],
  ])('keeps the points that start inside %s before the end', (_claim, rangeMs, count) => {
    const shown = filterHistory(slaHistory(), rangeMs, NOW_MS)
    expect(shown.throughput).toHaveLength(count)
    expect(shown.latency.append).toHaveLength(count)
    expect(shown.latency.delivery).toHaveLength(count)
    expect(shown.latency.append[0]!.start_ms).toBeGreaterThanOrEqual(NOW_MS - rangeMs)
    expect(shown.latency.append.at(-1)!.start_ms).toBe(NOW_MS - MINUTE)
  })

  it('keeps every transition for the timeline to start from', () => {
    expect(filterHistory(slaHistory(), 5 * MINUTE, NOW_MS).transitions).toHaveLength(3)
  })
})

describe('historyEndMs', () => {
  it('ends at the later of the last point and the last check', () => {
    const history = slaHistory()
    expect(historyEndMs(history, null)).toBe(NOW_MS)
    expect(historyEndMs(history, NOW_MS + 5_000)).toBe(NOW_MS + 5_000)
  })
})

describe('latencyChartData', () => {
  const point = (start_ms: number, p50: number) => ({
    start_ms,
    count: 1,
    min: p50,
    max: p50,
    p50,
    p95: p50 * 2,
    p99: p50 * 3,
    p999: p50 * 4,
  })

  it('converts microseconds to milliseconds', () => {
    expect(latencyChartData([point(0, 1_500)])).toEqual([
      { t: 0, p50: 1.5, p95: 3, p99: 4.5, p999: 6 },
    ])
  })

  it('merges neighbours down to the limit, keeping each bucket peak', () => {
    const points = [
      point(0, 1_000),
      point(10, 9_000),
      point(20, 2_000),
      point(30, 1_000),
      point(40, 500),
    ]
    expect(latencyChartData(points, 2)).toEqual([
      { t: 0, p50: 9, p95: 18, p99: 27, p999: 36 },
      { t: 30, p50: 1, p95: 2, p99: 3, p999: 4 },
    ])
  })
})

describe('throughputChartData', () => {
  it('gives events per second of each point', () => {
    expect(throughputChartData(slaHistory())[0]).toEqual({
      t: NOW_MS - 120 * MINUTE,
      eventsPerSecond: 400,
    })
  })
})

describe('levelTimeline', () => {
  const { transitions } = slaHistory()

  it('starts from the level in force before the range and steps at each change', () => {
    expect(levelTimeline(transitions, NOW_MS - 75 * MINUTE, NOW_MS, 'WARNING')).toEqual([
      { t: NOW_MS - 75 * MINUTE, level: 1 },
      { t: NOW_MS - 60 * MINUTE, level: 0 },
      { t: NOW_MS - 10 * MINUTE, level: 1 },
      { t: NOW_MS, level: 1 },
    ])
  })

  it('starts from the first change its from-level when nothing precedes the range', () => {
    expect(levelTimeline(transitions, NOW_MS - 100 * MINUTE, NOW_MS, 'WARNING')[0]).toEqual({
      t: NOW_MS - 100 * MINUTE,
      level: 0,
    })
  })

  it('holds the current level across the range when there were no changes', () => {
    expect(levelTimeline([], NOW_MS - MINUTE, NOW_MS, 'EMERGENCY')).toEqual([
      { t: NOW_MS - MINUTE, level: 2 },
      { t: NOW_MS, level: 2 },
    ])
  })
})

describe('thresholdMarks and violationMarks', () => {
  it('gives each series its own SLA targets', () => {
    expect(thresholdMarks(THRESHOLDS.targets, 'append').map((m) => m.percentile)).toEqual([
      'p50',
      'p95',
      'p99',
      'p999',
    ])
    expect(thresholdMarks(THRESHOLDS.targets, 'batch_append')).toEqual([
      { percentile: 'p99', thresholdMs: 50 },
    ])
    expect(thresholdMarks(THRESHOLDS.targets, 'fsync')).toEqual([])
  })

  it('clips violations to the range and runs ongoing ones to its end', () => {
    const violations = [
      ...slaSnapshot().violations,
      {
        metric: 'append_p99_ms',
        window: '1m',
        observed: 140,
        threshold: 100,
        started_at: iso(NOW_MS - 30 * MINUTE),
        ended_at: iso(NOW_MS - 20 * MINUTE),
      },
      {
        metric: 'disk_usage',
        window: 'instant',
        observed: 0.85,
        threshold: 0.8,
        started_at: iso(NOW_MS - 5 * MINUTE),
        ended_at: null,
      },
    ] as const
    expect(violationMarks(violations, 'append', NOW_MS - 25 * MINUTE, NOW_MS)).toEqual([
      { metric: 'append_p99', x1: NOW_MS - 3 * MINUTE, x2: NOW_MS },
      { metric: 'append_p99_ms', x1: NOW_MS - 25 * MINUTE, x2: NOW_MS - 20 * MINUTE },
    ])
    expect(violationMarks(violations, 'append', NOW_MS - 15 * MINUTE, NOW_MS)).toHaveLength(1)
    expect(violationMarks(violations, 'delivery', NOW_MS - 60 * MINUTE, NOW_MS)).toEqual([])
  })
})

describe('timeTicks', () => {
  it.each([
    ['every minute over 5 min', 5 * MINUTE, 6, MINUTE],
    ['every 10 min over 1 h', 60 * MINUTE, 7, 10 * MINUTE],
    ['every 4 h over 24 h', 24 * 60 * MINUTE, 7, 4 * 60 * MINUTE],
  ])('places round ticks %s', (_claim, spanMs, count, stepMs) => {
    const ticks = timeTicks(NOW_MS - spanMs, NOW_MS)
    expect(ticks).toHaveLength(count)
    expect(ticks.every((tick) => tick % stepMs === 0)).toBe(true)
  })
})
