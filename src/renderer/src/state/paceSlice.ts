/**
 * The shown store's pace between its summaries. The host sends a summary (count, append
 * rate) about once a second, while pushes arrive several times a second, and sequences are
 * contiguous across a store: so the newest sequence known at each push tells how far the
 * store has grown since its summary, and how fast, and the store header can move with it.
 */
import type { StoreHandle, StoreSummary } from '../../../shared/storeApi'

/** The append rate is measured over the pushes of this window. */
export const PACE_WINDOW_MS = 3000
/** A measured rate needs samples this far apart; until then the summary's rate shows. */
export const PACE_SPAN_MS_MIN = 1000
/** Samples kept at most: one per push batch, and the host sends a few batches a second. */
export const PACE_SAMPLES_MAX = 100

/** PaceSample is the newest sequence known when a push batch arrived. */
export interface PaceSample {
  atMs: number
  sequence: number
}

export interface PaceState {
  handle: StoreHandle | null
  /** Oldest first, all within PACE_WINDOW_MS of the newest. */
  samples: PaceSample[]
}

export function initialPace(): PaceState {
  return { handle: null, samples: [] }
}

/**
 * paceWithSample records a sample of a store; samples of another store are forgotten, and
 * so are samples newer than the store now is (a recovery cut its tail), so the measured
 * rate is never negative.
 */
export function paceWithSample(
  pace: PaceState,
  handle: StoreHandle,
  sample: PaceSample,
): PaceState {
  const kept =
    pace.handle === handle
      ? pace.samples.filter(
          (known) => known.atMs > sample.atMs - PACE_WINDOW_MS && known.sequence <= sample.sequence,
        )
      : []
  return { handle, samples: [...kept, sample].slice(-PACE_SAMPLES_MAX) }
}

/** StoreFigures are the counting figures of the store header. */
export interface StoreFigures {
  firstSequence: number | null
  lastSequence: number | null
  eventCount: number
  /** Events per second. */
  appendRate: number
}

/** storeFigures is a store's summary advanced by the samples taken since. */
export function storeFigures(summary: StoreSummary, pace: PaceState): StoreFigures {
  const oldest = pace.samples[0]
  const newest = pace.samples.at(-1)
  const reported: StoreFigures = {
    firstSequence: summary.first_sequence,
    lastSequence: summary.last_sequence,
    eventCount: summary.event_count,
    appendRate: summary.append_rate,
  }
  if (pace.handle !== summary.handle || oldest === undefined || newest === undefined) {
    return reported
  }
  const spanMs = newest.atMs - oldest.atMs
  if (spanMs >= PACE_SPAN_MS_MIN) {
    reported.appendRate = ((newest.sequence - oldest.sequence) * 1000) / spanMs
  }
  const grown = newest.sequence - (summary.last_sequence ?? 0)
  if (grown <= 0) return reported
  return {
    ...reported,
    // Sequences start at 1, so a store first seen empty begins there.
    firstSequence: summary.first_sequence ?? 1,
    lastSequence: newest.sequence,
    eventCount: summary.event_count + grown,
  }
}
