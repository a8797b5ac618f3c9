import { assert } from '../errors'
import { LATENCY_HISTORY_POINTS_MAX, LATENCY_HISTORY_SPAN_MS, THROUGHPUT_SLOT_MS } from '../limits'

/**
 * Events appended per second over the last 10 s and 1 min, and events appended per point
 * of the same 24 h history the latency charts use.
 *
 * Guarantee: memory is fixed (60 one-second slots and at most LATENCY_HISTORY_POINTS_MAX
 * points) however many events are counted. A rate over W covers the current slot and the
 * W/slot - 1 before it, divided by W, so it reads slightly low early in a slot, never high.
 * Time comes only from the injected clock; a clock that steps back is treated as standing
 * still.
 */

/** ThroughputWindow names a rate window. */
export type ThroughputWindow = '10s' | '1m'

const WINDOW_SLOTS: Readonly<Record<ThroughputWindow, number>> = {
  '10s': 10_000 / THROUGHPUT_SLOT_MS,
  '1m': 60_000 / THROUGHPUT_SLOT_MS,
}
const SLOT_COUNT = WINDOW_SLOTS['1m']

/** ThroughputPoint is how many events were appended in [start_ms, start_ms + pointMs). */
export interface ThroughputPoint {
  start_ms: number
  events: number
}

/** EventThroughput counts appended events for rates and a history of counts. */
export class EventThroughput {
  /** pointMs is the length of each history point (the latency history's, by default). */
  readonly pointMs: number
  private readonly slotCounts = new Float64Array(SLOT_COUNT)
  /** The slot number (time / THROUGHPUT_SLOT_MS) each count belongs to, or -1 when unused. */
  private readonly slotNumbers = new Float64Array(SLOT_COUNT).fill(-1)
  /** Points that hold events, oldest first; the last may still be open. */
  private readonly points: ThroughputPoint[] = []
  private latestMs = -Infinity

  constructor(
    private readonly nowMs: () => number,
    private readonly pointsMax = LATENCY_HISTORY_POINTS_MAX,
    spanMs = LATENCY_HISTORY_SPAN_MS,
  ) {
    assert(
      pointsMax >= 1 && pointsMax <= LATENCY_HISTORY_POINTS_MAX,
      `pointsMax must be 1..${LATENCY_HISTORY_POINTS_MAX}, got ${pointsMax}`,
    )
    assert(spanMs % pointsMax === 0, `spanMs ${spanMs} must divide into ${pointsMax}`)
    this.pointMs = spanMs / pointsMax
  }

  /** add counts `events` appended at `atMs` (now, by default). */
  add(events: number, atMs = this.nowMs()): void {
    const now = this.now(atMs)
    const slotNumber = Math.floor(now / THROUGHPUT_SLOT_MS)
    const position = ((slotNumber % SLOT_COUNT) + SLOT_COUNT) % SLOT_COUNT
    if (this.slotNumbers[position] !== slotNumber) {
      this.slotNumbers[position] = slotNumber
      this.slotCounts[position] = 0
    }
    this.slotCounts[position]! += events
    const startMs = Math.floor(now / this.pointMs) * this.pointMs
    const last = this.points.at(-1)
    if (last?.start_ms === startMs) last.events += events
    else {
      this.points.push({ start_ms: startMs, events })
      this.expire(startMs)
    }
  }

  /** perSecond is the mean rate of appended events over the window. */
  perSecond(window: ThroughputWindow): number {
    const slots = WINDOW_SLOTS[window]
    const newest = Math.floor(this.now() / THROUGHPUT_SLOT_MS)
    let events = 0
    for (let position = 0; position < SLOT_COUNT; position++) {
      const slotNumber = this.slotNumbers[position]!
      if (slotNumber > newest - slots && slotNumber <= newest) events += this.slotCounts[position]!
    }
    return events / ((slots * THROUGHPUT_SLOT_MS) / 1000)
  }

  /** history lists the points that hold events within the span, oldest first. */
  history(): ThroughputPoint[] {
    this.expire(Math.floor(this.now() / this.pointMs) * this.pointMs)
    return this.points.map((point) => ({ ...point }))
  }

  /** expire drops the points that no longer share the span with the one starting at startMs. */
  private expire(startMs: number): void {
    const oldestStartMs = startMs - (this.pointsMax - 1) * this.pointMs
    let expired = 0
    while (expired < this.points.length && this.points[expired]!.start_ms < oldestStartMs) {
      expired++
    }
    if (expired > 0) this.points.splice(0, expired)
  }

  private now(atMs = this.nowMs()): number {
    const now = atMs
    if (now > this.latestMs) this.latestMs = now
    return this.latestMs
  }
}
