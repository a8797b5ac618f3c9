import { describe, expect, it } from 'vitest'
import {
  PACE_SAMPLES_MAX,
  PACE_SPAN_MS_MIN,
  PACE_WINDOW_MS,
  initialPace,
  paceWithSample,
  storeFigures,
} from '../../../src/renderer/src/state/paceSlice'
import type { PaceSample, PaceState } from '../../../src/renderer/src/state/paceSlice'
import { HANDLE, makeSummary } from '../support/fakeApi'

const T0 = Date.UTC(2026, 10, 27, 3, 0, 0)

function paceOf(samples: PaceSample[], handle = HANDLE): PaceState {
  return samples.reduce((pace, sample) => paceWithSample(pace, handle, sample), initialPace())
}

const summary = makeSummary({
  first_sequence: 1,
  last_sequence: 1000,
  event_count: 1000,
  append_rate: 40,
})

describe('storeFigures', () => {
  it('are the summary while no push has shown more', () => {
    expect(storeFigures(summary, initialPace())).toEqual({
      firstSequence: 1,
      lastSequence: 1000,
      eventCount: 1000,
      appendRate: 40,
    })
  })

  it('count the events pushed since the summary, and measure the rate from the samples', () => {
    const pace = paceOf([
      { atMs: T0, sequence: 1000 },
      { atMs: T0 + 500, sequence: 1250 },
      { atMs: T0 + 2000, sequence: 2000 },
    ])
    expect(storeFigures(summary, pace)).toEqual({
      firstSequence: 1,
      lastSequence: 2000,
      eventCount: 2000,
      appendRate: 500,
    })
  })

  it('forget samples from before a recovery cut the store back, so the rate is never negative', () => {
    const pace = paceOf([
      { atMs: T0, sequence: 1500 },
      { atMs: T0 + 1000, sequence: 1600 },
      { atMs: T0 + 2000, sequence: 1000 },
      { atMs: T0 + 3500, sequence: 1300 },
    ])
    expect(pace.samples.map((sample) => sample.sequence)).toEqual([1000, 1300])
    expect(storeFigures(summary, pace).appendRate).toBe(200)
  })

  it('keep the summary rate until the samples span PACE_SPAN_MS_MIN', () => {
    const pace = paceOf([
      { atMs: T0, sequence: 1000 },
      { atMs: T0 + PACE_SPAN_MS_MIN - 1, sequence: 1100 },
    ])
    expect(storeFigures(summary, pace)).toMatchObject({ eventCount: 1100, appendRate: 40 })
  })

  it('fall to a zero rate within PACE_WINDOW_MS once appends stop, before the summary says so', () => {
    // Appends at 1,000 per second, then none; the host still pushes SLA and health each second.
    const sequences = [1000, 2000, 3000, 3000, 3000, 3000, 3000]
    const pace = paceOf(
      sequences.map((sequence, second) => ({ atMs: T0 + second * 1000, sequence })),
    )
    expect(storeFigures(summary, pace).appendRate).toBe(0)
    expect(
      storeFigures(
        summary,
        paceOf([
          { atMs: T0, sequence: 1000 },
          { atMs: T0 + 1000, sequence: 2000 },
        ]),
      ).appendRate,
    ).toBe(1000)
  })

  it('keep the summary rate when pushes are further apart than the window', () => {
    const pace = paceOf([
      { atMs: T0, sequence: 1000 },
      { atMs: T0 + PACE_WINDOW_MS, sequence: 1200 },
    ])
    expect(storeFigures(summary, pace)).toMatchObject({ eventCount: 1200, appendRate: 40 })
  })

  it('start a store first seen empty at sequence 1', () => {
    const empty = makeSummary({ first_sequence: null, last_sequence: null, event_count: 0 })
    const pace = paceOf([{ atMs: T0, sequence: 7 }])
    expect(storeFigures(empty, pace)).toMatchObject({
      firstSequence: 1,
      lastSequence: 7,
      eventCount: 7,
    })
  })

  it('ignore the samples of another store', () => {
    const pace = paceOf([{ atMs: T0, sequence: 5000 }], 'store-2')
    expect(storeFigures(summary, pace)).toMatchObject({ lastSequence: 1000, eventCount: 1000 })
  })
})

describe('paceWithSample', () => {
  it('keeps only the samples of PACE_WINDOW_MS, at most PACE_SAMPLES_MAX', () => {
    const samples = Array.from({ length: 3 * PACE_SAMPLES_MAX }, (_, index) => ({
      atMs: T0 + index,
      sequence: index,
    }))
    expect(paceOf(samples).samples).toEqual(samples.slice(-PACE_SAMPLES_MAX))
    const spread = paceOf([
      { atMs: T0, sequence: 1 },
      { atMs: T0 + PACE_WINDOW_MS, sequence: 2 },
    ])
    expect(spread.samples).toEqual([{ atMs: T0 + PACE_WINDOW_MS, sequence: 2 }])
  })

  it('starts over for another store', () => {
    const pace = paceWithSample(paceOf([{ atMs: T0, sequence: 9 }]), 'store-2', {
      atMs: T0 + 1,
      sequence: 3,
    })
    expect(pace).toEqual({ handle: 'store-2', samples: [{ atMs: T0 + 1, sequence: 3 }] })
  })
})
