import type {
  LatencyPoint,
  LatencySeries,
  LatencySummary,
  LatencyWindow,
} from '../../../shared/sla'
import { LATENCY_SERIES, LATENCY_WINDOWS } from '../../../shared/sla'
import { CorruptionError, StoreError } from '../errors'
import { EVENT_TYPES_COUNTED_MAX, LATENCY_FINE_SLOT_MS } from '../limits'
import { LatencyHistogram } from './latencyHistogram'
import { LatencyHistory } from './latencyHistory'
import { RollingWindows } from './rollingWindows'
import type { ThroughputPoint, ThroughputWindow } from './eventThroughput'
import { EventThroughput } from './eventThroughput'

/**
 * StoreMetrics is what one open store measures about itself: a latency family per series of
 * LATENCY_SERIES, outcome counters for appends and queries, and events appended (per type,
 * as rates and as a history). The SLA monitor, health and Prometheus read it.
 *
 * What each series times, in microseconds:
 * - append: one `append` (or `submit` of a single event), from the call until the group
 *   commit that made it durable returned from fdatasync (read once per group), including
 *   an expected-version check's read; an idempotent replay is timed to its answer;
 * - batch_append: one `appendBatch` (or `submit` of events), the same way;
 * - fsync: each fdatasync of a group commit;
 * - query_by_id: one `getEvent` or `getBySequence`; range_query: one `query` page;
 * - delivery: per event delivered live by a subscription, from the moment the store handed
 *   it to the subscription (as it became durable, or when a reader's refresh found it)
 *   until the `onEvents` call that carries it begins; events read from disk during
 *   catch-up are not timed;
 * - verify: per segment file of a verification job given these metrics, from a worker
 *   starting the file to its result (the job's progress has the bytes per second).
 *
 * Each series keeps rolling windows (10 s, 1 min, 5 min), a 24 h history of at most
 * LATENCY_HISTORY_POINTS_MAX points, and a cumulative histogram since the store opened (a
 * Prometheus histogram needs counts that only grow). A series' histograms are allocated
 * when it records its first value (about 1.2 MB per series), so a store that never appends
 * pays nothing for the append series. With `recordLatency: false` nothing is timed and
 * events appended are not counted (what a benchmark compares against); the outcome
 * counters still count, because error rates and health depend on them.
 *
 * Failures: an append or query counts as `failed` only when it failed inside the store (an
 * I/O error, damage, a failed or damaged store, a bug); an error that is the caller's or a
 * deliberate refusal (validation, version_conflict, overloaded, read_only, emergency_mode,
 * ...) counts as `rejected`, so a misbehaving client never raises the store's error rate.
 */

/** OutcomeCounts counts calls since the store opened, by how they ended. */
export interface OutcomeCounts {
  ok: number
  failed: number
  rejected: number
}

/** StoreMetricsSnapshot is everything the metrics hold right now, in the shared shapes. */
export interface StoreMetricsSnapshot {
  latency: Record<LatencySeries, Record<LatencyWindow, LatencySummary>>
  throughput: { events_per_second_10s: number; events_per_second_1m: number }
  appends: OutcomeCounts
  queries: OutcomeCounts
  events_appended: number
  /** At most EVENT_TYPES_COUNTED_MAX names, plus OTHER_EVENT_TYPES for the rest. */
  events_appended_by_type: Record<string, number>
}

/** StoreMetricsHistory is the last 24 h, one point per `point_ms`. */
export interface StoreMetricsHistory {
  point_ms: number
  latency: Record<LatencySeries, LatencyPoint[]>
  throughput: ThroughputPoint[]
}

export interface StoreMetricsOptions {
  /**
   * Time latencies and count events appended (default true); a benchmark turns it off to
   * measure what recording costs.
   */
  recordLatency?: boolean
  /** Distinct event types counted by name; default EVENT_TYPES_COUNTED_MAX. */
  eventTypesMax?: number
}

/** OTHER_EVENT_TYPES counts the events whose type came after the named ones were full. */
export const OTHER_EVENT_TYPES = 'other'

/** Error codes that mean the store itself failed; every other StoreError is a refusal. */
const STORE_FAILURE_CODES: ReadonlySet<string> = new Set([
  'store_failed',
  'needs_recovery',
  'corruption',
  'io_error',
  'internal',
])

/** isStoreFailure tells a failure inside the store from a refusal of the caller's request. */
export function isStoreFailure(error: unknown): boolean {
  if (error instanceof CorruptionError) return true
  if (error instanceof StoreError) return STORE_FAILURE_CODES.has(error.code)
  return true
}

/**
 * SeriesRecorder is one series' latency family: windows, history and since-start total.
 * A value is recorded once, into the histogram of its second; that second is folded into
 * the windows, the history and the total when the next second begins or a reader asks,
 * so the cost per value is one histogram update, not four.
 */
class SeriesRecorder {
  readonly windows: RollingWindows
  readonly history: LatencyHistory
  private readonly totalValue = new LatencyHistogram()
  private readonly staged = new LatencyHistogram()
  private stagedSecond = -Infinity

  constructor(nowMs: () => number) {
    this.windows = new RollingWindows(nowMs)
    this.history = new LatencyHistory(nowMs)
  }

  record(valueUs: number, atMs: number): void {
    const second = Math.floor(atMs / LATENCY_FINE_SLOT_MS)
    if (second !== this.stagedSecond) {
      this.fold()
      this.stagedSecond = second
    }
    this.staged.record(valueUs)
  }

  /** total is everything recorded since the store opened. */
  get total(): LatencyHistogram {
    this.fold()
    return this.totalValue
  }

  /** fold moves the staged second's values into the windows, the history and the total. */
  fold(): void {
    if (this.staged.count === 0) return
    const atMs = this.stagedSecond * LATENCY_FINE_SLOT_MS
    this.windows.merge(this.staged, atMs)
    this.history.merge(this.staged, atMs)
    this.totalValue.merge(this.staged)
    this.staged.reset()
  }
}

const EMPTY_SUMMARY: Readonly<LatencySummary> = new LatencyHistogram().summary()

/** StoreMetrics records one store's latencies and counts; see the module comment. */
export class StoreMetrics {
  /** recordingLatency is false when the store was opened with `recordLatency: false`. */
  readonly recordingLatency: boolean
  private readonly eventTypesMax: number
  private readonly series = new Map<LatencySeries, SeriesRecorder>()
  private readonly throughput: EventThroughput
  private readonly appendCounts: OutcomeCounts = { ok: 0, failed: 0, rejected: 0 }
  private readonly queryCounts: OutcomeCounts = { ok: 0, failed: 0, rejected: 0 }
  /** The first `eventTypesMax` types by name; events of later types are in otherEvents. */
  private readonly eventsByType = new Map<string, number>()
  private otherEvents = 0
  private eventsAppended = 0
  /** Timer and clock readings of the latest group commit. */
  private commitAt = 0
  private commitAtMs = 0

  constructor(
    /** nowMs is the store's clock, which places values in windows and history points. */
    readonly nowMs: () => number,
    options: StoreMetricsOptions = {},
  ) {
    this.recordingLatency = options.recordLatency ?? true
    this.eventTypesMax = options.eventTypesMax ?? EVENT_TYPES_COUNTED_MAX
    this.throughput = new EventThroughput(nowMs)
  }

  /** startTimer reads the timer a measurement starts from (0 when not recording). */
  startTimer(): number {
    return this.recordingLatency ? performance.now() : 0
  }

  /** recordSince records the time since `startedAt` (from startTimer) in the series. */
  recordSince(series: LatencySeries, startedAt: number): void {
    if (this.recordingLatency) this.record(series, (performance.now() - startedAt) * 1000)
  }

  /** record records one latency in microseconds (from a timer of the caller's own). */
  record(series: LatencySeries, valueUs: number, atMs = this.nowMs()): void {
    if (!this.recordingLatency) return
    let recorder = this.series.get(series)
    if (!recorder) {
      recorder = new SeriesRecorder(this.nowMs)
      this.series.set(series, recorder)
    }
    recorder.record(valueUs, atMs)
  }

  /**
   * groupCommitted is called by the append log right after each group commit's fdatasync,
   * with the timer reading taken before it. Its clock readings also time the appends that
   * commit acknowledges (see appendAcknowledged): one reading per group, not per append,
   * because a clock read costs about as much as the rest of the recording.
   */
  groupCommitted(syncStartedAt: number): void {
    if (!this.recordingLatency) return
    this.commitAt = performance.now()
    this.commitAtMs = this.nowMs()
    this.record('fsync', (this.commitAt - syncStartedAt) * 1000, this.commitAtMs)
  }

  /**
   * appendAcknowledged counts an append acknowledged by the latest group commit and the
   * events it stored. Call it in the reaction to that commit's acknowledgement: the next
   * group commit may already be on the disk, but it cannot complete (and move the commit
   * time these appends are measured to) before those reactions have run.
   */
  appendAcknowledged(
    series: 'append' | 'batch_append',
    startedAt: number,
    eventTypes: readonly string[],
  ): void {
    this.appendCounts.ok++
    if (!this.recordingLatency) return
    // Never negative by the call order above; clamped anyway, because a metric must never
    // turn an acknowledged append into a failed one.
    this.record(series, Math.max(0, this.commitAt - startedAt) * 1000, this.commitAtMs)
    this.eventsAppended += eventTypes.length
    this.throughput.add(eventTypes.length, this.commitAtMs)
    for (const type of eventTypes) {
      const known = this.eventsByType.get(type)
      if (known !== undefined) this.eventsByType.set(type, known + 1)
      else if (this.eventsByType.size < this.eventTypesMax) this.eventsByType.set(type, 1)
      else this.otherEvents++
    }
  }

  /** appendReplayed counts an append answered from the idempotency window (nothing stored). */
  appendReplayed(series: 'append' | 'batch_append', startedAt: number): void {
    this.appendCounts.ok++
    this.recordSince(series, startedAt)
  }

  /** appendFailed counts an append that ended with `error`, as failed or rejected. */
  appendFailed(error: unknown): void {
    countOutcome(this.appendCounts, error)
  }

  /** querySucceeded counts a read that answered, and records its latency. */
  querySucceeded(series: 'query_by_id' | 'range_query', startedAt: number): void {
    this.recordSince(series, startedAt)
    this.queryCounts.ok++
  }

  /** queryFailed counts a read that ended with `error`, as failed or rejected. */
  queryFailed(error: unknown): void {
    countOutcome(this.queryCounts, error)
  }

  /** latency summarizes a series over a rolling window. */
  latency(series: LatencySeries, window: LatencyWindow): LatencySummary {
    const recorder = this.series.get(series)
    if (!recorder) return { ...EMPTY_SUMMARY }
    recorder.fold()
    return recorder.windows.snapshot(window)
  }

  /** latencyHistory lists a series' points of the last 24 h, oldest first. */
  latencyHistory(series: LatencySeries): LatencyPoint[] {
    const recorder = this.series.get(series)
    recorder?.fold()
    return recorder?.history.points() ?? []
  }

  /** cumulative is a copy of everything a series recorded since the store opened. */
  cumulative(series: LatencySeries): LatencyHistogram {
    const copy = new LatencyHistogram()
    const recorder = this.series.get(series)
    if (recorder) copy.merge(recorder.total)
    return copy
  }

  /** appends counts appends (single or batch, one each) since the store opened. */
  get appends(): OutcomeCounts {
    return { ...this.appendCounts }
  }

  /** queries counts getEvent, getBySequence and query calls since the store opened. */
  get queries(): OutcomeCounts {
    return { ...this.queryCounts }
  }

  /**
   * meanLatencyUs is the mean of every value the series recorded over the window, in
   * microseconds, or 0 when they recorded none (health's average latencies).
   */
  meanLatencyUs(series: readonly LatencySeries[], window: LatencyWindow): number {
    let count = 0
    let sum = 0
    for (const name of series) {
      const recorder = this.series.get(name)
      if (!recorder) continue
      recorder.fold()
      const histogram = recorder.windows.histogram(window)
      count += histogram.count
      sum += histogram.mean * histogram.count
    }
    return count === 0 ? 0 : sum / count
  }

  /**
   * eventTypeCounts counts the events appended by type: the first `eventTypesMax` types by
   * name (in the order first seen), and every later type together in `otherTypes`.
   */
  eventTypeCounts(): { byType: Map<string, number>; otherTypes: number } {
    return { byType: new Map(this.eventsByType), otherTypes: this.otherEvents }
  }

  /** eventsPerSecond is the rate of appended events over the window. */
  eventsPerSecond(window: ThroughputWindow): number {
    return this.throughput.perSecond(window)
  }

  /** snapshot reads every window of every series, the rates and the counters. */
  snapshot(): StoreMetricsSnapshot {
    const latency = {} as StoreMetricsSnapshot['latency']
    for (const series of LATENCY_SERIES) {
      const windows = {} as Record<LatencyWindow, LatencySummary>
      for (const window of LATENCY_WINDOWS) windows[window] = this.latency(series, window)
      latency[series] = windows
    }
    return {
      latency,
      throughput: {
        events_per_second_10s: this.eventsPerSecond('10s'),
        events_per_second_1m: this.eventsPerSecond('1m'),
      },
      appends: this.appends,
      queries: this.queries,
      events_appended: this.eventsAppended,
      events_appended_by_type: this.eventsByTypeRecord(),
    }
  }

  /** eventsByTypeRecord names the later types OTHER_EVENT_TYPES (added to a type of that name). */
  private eventsByTypeRecord(): Record<string, number> {
    const record = Object.fromEntries(this.eventsByType)
    if (this.otherEvents > 0) {
      record[OTHER_EVENT_TYPES] = (record[OTHER_EVENT_TYPES] ?? 0) + this.otherEvents
    }
    return record
  }

  /** history reads every series' points and the events appended per point. */
  history(): StoreMetricsHistory {
    const latency = {} as StoreMetricsHistory['latency']
    for (const series of LATENCY_SERIES) latency[series] = this.latencyHistory(series)
    return { point_ms: this.throughput.pointMs, latency, throughput: this.throughput.history() }
  }
}

function countOutcome(counts: OutcomeCounts, error: unknown): void {
  if (isStoreFailure(error)) counts.failed++
  else counts.rejected++
}
