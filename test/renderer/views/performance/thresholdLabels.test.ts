import { describe, expect, it } from 'vitest'
import { labelledThresholds } from '../../../../src/renderer/src/views/performance/thresholdLabels'

const APPEND = [
  { percentile: 'p50' as const, thresholdMs: 2 },
  { percentile: 'p95' as const, thresholdMs: 5 },
  { percentile: 'p99' as const, thresholdMs: 10 },
  { percentile: 'p999' as const, thresholdMs: 100 },
]

describe('labelledThresholds', () => {
  it('labels only the highest of thresholds crowded at the bottom of a tall axis', () => {
    expect([...labelledThresholds(APPEND, 3)]).toEqual(['p999', 'p99'])
  })

  it('labels every threshold when the axis is short enough to keep them apart', () => {
    expect(labelledThresholds(APPEND.slice(0, 3), 0)).toEqual(new Set(['p99', 'p95', 'p50']))
  })

  it('counts the data in the axis height: a tall spike crowds the thresholds too', () => {
    expect([...labelledThresholds(APPEND, 1000)]).toEqual(['p999'])
  })
})
