import { describe, expect, it } from 'vitest'
import type { TriggerState } from '../../../../src/shared/sla'
import { triggerState } from '../../../../src/main/engine/sla/triggerTracker'

const DISK = { warning: 0.8, emergency: 0.9 }

describe('triggerState', () => {
  const cases: [number | null, TriggerState, TriggerState][] = [
    [0.79, 'clear', 'clear'],
    [0.8, 'clear', 'warning'],
    [0.9, 'clear', 'emergency'],
    [0.77, 'warning', 'warning'], // within 5% below the warning threshold
    [0.759, 'warning', 'clear'],
    [0.86, 'emergency', 'emergency'], // 0.9 * 0.95 = 0.855
    [0.85, 'emergency', 'warning'],
    [0.7, 'emergency', 'clear'],
    [0.77, 'clear', 'clear'], // the margin only keeps a state, it never enters one
    [null, 'emergency', 'clear'],
  ]

  it.each(cases)('value %s after %s is %s', (value, previous, expected) => {
    expect(triggerState(value, DISK, previous)).toBe(expected)
  })
})
