import { describe, expect, it } from 'vitest'
import { OutcomeCounter } from '../../../../src/main/engine/sla/outcomeCounter'

describe('OutcomeCounter', () => {
  it('counts successes and failures of the last minute', () => {
    let now = 1_000_000
    const counter = new OutcomeCounter(() => now)
    counter.recordOk(97)
    now += 30_000
    counter.recordFailed(3)

    expect(counter.counts()).toEqual({ ok: 97, failed: 3 })
    expect(counter.errorRate()).toBeCloseTo(0.03)
  })

  it('forgets outcomes older than the minute, slot by slot', () => {
    let now = 1_000_000
    const counter = new OutcomeCounter(() => now)
    counter.recordFailed(5)
    now += 10_000
    counter.recordOk(5)

    now += 49_000
    expect(counter.counts()).toEqual({ ok: 5, failed: 5 })
    now += 1000
    expect(counter.counts()).toEqual({ ok: 5, failed: 0 })
    now += 10_000
    expect(counter.counts()).toEqual({ ok: 0, failed: 0 })
    expect(counter.errorRate()).toBeNull()
  })

  it('reuses a slot a minute later without adding the old counts', () => {
    let now = 1_000_000
    const counter = new OutcomeCounter(() => now)
    counter.recordFailed(7)
    now += 60_000
    counter.recordOk(1)

    expect(counter.counts()).toEqual({ ok: 1, failed: 0 })
  })

  it('a clock that steps back loses no count', () => {
    let now = 1_000_000
    const counter = new OutcomeCounter(() => now)
    counter.recordOk(2)
    now -= 120_000
    counter.recordFailed(1)

    expect(counter.counts()).toEqual({ ok: 2, failed: 1 })
  })
})
