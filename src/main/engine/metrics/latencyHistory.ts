import { assert } from '../errors'
import { LATENCY_HISTORY_POINTS_MAX, LATENCY_HISTORY_SPAN_MS } from '../limits'
import type { LatencyPoint } from '../../../shared/sla'
import { LatencyHistogram } from './latencyHistogram'

/**
 * A latency history over the last 24 h, downsampled to at most 300 points of equal length
 * (288 s each by default).
 *
 * Guarantee: every value recorded during a point's interval goes into one histogram, and
 * the point's percentiles are read from that histogram when the interval ends, so a point's
 * p99 is the p99 of all its raw values within the histogram's error bound, never an average
 * of shorter-interval percentiles. Memory is one open histogram plus at most
 * `pointsMax - 1` closed summaries. Time comes only from the injected clock; a clock that
 * steps back is treated as standing still.
 */

/** LatencyHistoryPoint is the shared LatencyPoint: the values of [start_ms, start_ms + pointMs). */
export type LatencyHistoryPoint = LatencyPoint

/** LatencyHistoryOptions sizes the history; the defaults come from limits.ts. */
export interface LatencyHistoryOptions {
  spanMs?: number
  pointsMax?: number
}

/** LatencyHistory keeps per-interval latency summaries for a chart of the last day. */
export class LatencyHistory {
  /** pointMs is the length of the interval each point covers. */
  readonly pointMs: number
  private readonly pointsMax: number
  private readonly closed: LatencyHistoryPoint[] = []
  private readonly open = new LatencyHistogram()
  private openNumber = -Infinity
  private latestMs = -Infinity

  constructor(
    private readonly nowMs: () => number,
    options: LatencyHistoryOptions = {},
  ) {
    const spanMs = options.spanMs ?? LATENCY_HISTORY_SPAN_MS
    this.pointsMax = options.pointsMax ?? LATENCY_HISTORY_POINTS_MAX
    assert(
      this.pointsMax >= 1 && this.pointsMax <= LATENCY_HISTORY_POINTS_MAX,
      `pointsMax must be 1..${LATENCY_HISTORY_POINTS_MAX}, got ${this.pointsMax}`,
    )
    assert(spanMs % this.pointsMax === 0, `spanMs ${spanMs} must divide into ${this.pointsMax}`)
    this.pointMs = spanMs / this.pointsMax
  }

  /** record counts one latency, in microseconds, in the point for the clock's current time. */
  record(valueUs: number): void {
    this.advance()
    this.open.record(valueUs)
  }

  /** merge counts every value of `values` as recorded at `atMs` (a time of the same clock). */
  merge(values: LatencyHistogram, atMs: number): void {
    this.advance(atMs)
    this.open.merge(values)
  }

  /** points lists the points that hold values, oldest first, the open interval last. */
  points(): LatencyHistoryPoint[] {
    this.advance()
    const points = [...this.closed]
    if (this.open.count > 0) {
      points.push({ start_ms: this.openNumber * this.pointMs, ...this.open.summary() })
    }
    assert(points.length <= this.pointsMax, `history holds ${points.length} points`)
    return points
  }

  /** advance closes the open point when the clock has left its interval, and drops old ones. */
  private advance(atMs = this.nowMs()): void {
    const now = atMs
    if (now > this.latestMs) this.latestMs = now
    const number = Math.floor(this.latestMs / this.pointMs)
    if (number === this.openNumber) return
    if (this.open.count > 0) {
      this.closed.push({ start_ms: this.openNumber * this.pointMs, ...this.open.summary() })
      this.open.reset()
    }
    this.openNumber = number
    // Keep the points that share the span with the open one: at most pointsMax - 1 closed.
    const oldestStartMs = (number - this.pointsMax + 1) * this.pointMs
    let expired = 0
    while (expired < this.closed.length && this.closed[expired]!.start_ms < oldestStartMs) {
      expired++
    }
    if (expired > 0) this.closed.splice(0, expired)
  }
}
