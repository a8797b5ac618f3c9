import type { EventInput } from '../../shared/event'
import type { StoreMode } from '../../shared/report'
import type {
  DetailedHealth,
  Health,
  LatencySeries,
  Resources,
  SlaHistory,
  SlaSnapshot,
  SlaThresholds,
  SlaTransition,
  SlaViolation,
  WriteBlock,
} from '../../shared/sla'
import type { StoreMetrics } from './metrics/storeMetrics'
import type { AdmitOptions } from './sla/appendAdmission'
import type { DiskSpace } from './sla/diskSpace'
import { buildDetailedHealth, buildHealth, type HealthInputs } from './sla/healthReport'
import { errorRate } from './sla/outcomeCounter'
import { RecentOutcomes } from './sla/recentOutcomes'
import { ResourceMonitor, type ResourceProbes } from './sla/resourceMonitor'
import { SideLog } from './sla/sideLog'
import {
  applySlaPatch,
  defaultSlaThresholds,
  loadSlaThresholds,
  saveSlaThresholds,
} from './sla/slaConfig'
import { SlaMonitor, type TransitionListener } from './sla/slaMonitor'
import { transitionEvent, transitionEventType } from './sla/transitionEvent'
import type { StoreState } from './storeState'
import type { FileSystem } from './fileSystem'
import { StoreError, ValidationError, assert } from './errors'
import { SLA_EVALUATE_INTERVAL_MS, SLA_PROBLEMS_KEPT_MAX } from './limits'

/**
 * StoreMonitor is one open store watching itself (DESIGN.md, Degradation): it samples the
 * machine's resources and evaluates the SLA level every SLA_EVALUATE_INTERVAL_MS, decides
 * which appends are admitted, turns store faults into SLA triggers, and records every
 * transition.
 *
 * Guarantees:
 * - A writer records every transition, in order: as an event in the store while the store
 *   is writable and no disk block refuses it, otherwise (or when that append fails) as a
 *   line of the side log. A reader never modifies the store: its transitions stay in
 *   memory (transitions(), listeners).
 * - A change of store mode to `failed` or `needs_recovery` (and damage found at open) is
 *   reported to the SLA monitor as a fault at once, which raises the level to EMERGENCY.
 * - Everything it reads comes through the store's clock and injectable resource probes,
 *   so tests decide the disk fill and the memory use.
 */

/** StoreMonitorOptions are OpenOptions.monitor: what tests replace. */
export interface StoreMonitorOptions {
  /** Probes of the machine (the store's filesystem, memory, descriptors); default the real ones. */
  probes?: Partial<ResourceProbes>
  /**
   * How often resources are sampled and the level evaluated; null: never by itself, the
   * caller calls EventStore.evaluateSla(). Default SLA_EVALUATE_INTERVAL_MS.
   */
  evaluateIntervalMs?: number | null
}

/** The SLA configuration an open starts with, and why sla.json was not used when it was not. */
export interface SlaConfigLoad {
  thresholds: SlaThresholds
  problem: string | null
}

export interface StoreMonitorParts {
  state: StoreState
  metrics: StoreMetrics
  /** The append backlog now (EventStore.appendQueue). */
  appendQueue: () => DetailedHealth['append_queue']
  /** Stores an event the store writes about itself; null for a reader, which never writes. */
  appendInternal: ((input: EventInput) => Promise<unknown>) | null
  config: SlaConfigLoad
  options: StoreMonitorOptions
}

const APPEND_SERIES: readonly LatencySeries[] = ['append', 'batch_append']
const QUERY_SERIES: readonly LatencySeries[] = ['query_by_id', 'range_query']

/**
 * loadSlaConfig reads the store's sla.json. A file that cannot be used does not refuse the
 * open: the store's data and its repair must never hang on a monitoring setting, and the
 * ADR-004 defaults are safe. The reason is kept as a problem, shown in the SLA snapshot and
 * as a degraded `sla` component of health, until setSlaThresholds writes a valid file.
 */
export async function loadSlaConfig(fs: FileSystem, dir: string): Promise<SlaConfigLoad> {
  try {
    return { thresholds: await loadSlaThresholds(fs, dir), problem: null }
  } catch (error) {
    if (!(error instanceof StoreError)) throw error
    return {
      thresholds: defaultSlaThresholds(),
      problem: `${error.message}; the default thresholds apply until the file is fixed or replaced through setSlaThresholds`,
    }
  }
}

export class StoreMonitor {
  private readonly sla: SlaMonitor
  private readonly resources: ResourceMonitor
  private readonly appendOutcomes: RecentOutcomes
  private readonly queryOutcomes: RecentOutcomes
  private readonly sideLog: SideLog
  private readonly state: StoreState
  private readonly metrics: StoreMetrics
  private configProblem: string | null
  /** Oldest first, at most SLA_PROBLEMS_KEPT_MAX. */
  private readonly recordingProblems: string[] = []
  private timer: NodeJS.Timeout | null = null
  private sampling = false
  /** Transitions being recorded, in order; never rejects. */
  private recording: Promise<void> = Promise.resolve()
  /** Threshold changes, one at a time, so sla.json and memory always agree. */
  private configuring: Promise<unknown> = Promise.resolve()

  constructor(private readonly parts: StoreMonitorParts) {
    const { state, metrics } = parts
    const intervalMs = parts.options.evaluateIntervalMs
    if (intervalMs !== undefined && intervalMs !== null) checkInterval(intervalMs)
    this.state = state
    this.metrics = metrics
    this.configProblem = parts.config.problem
    this.resources = new ResourceMonitor(state.ctx.dir, {
      ...(parts.options.probes ? { probes: parts.options.probes } : {}),
      memoryLimitBytes: () => this.sla.thresholds().memory_limit_bytes,
      nowMs: state.ctx.nowMs,
    })
    this.appendOutcomes = new RecentOutcomes(() => metrics.appends, state.ctx.nowMs)
    this.queryOutcomes = new RecentOutcomes(() => metrics.queries, state.ctx.nowMs)
    this.sideLog = new SideLog(state.ctx.fs, state.ctx.dir)
    this.sla = new SlaMonitor({
      nowMs: state.ctx.nowMs,
      thresholds: parts.config.thresholds,
      sources: {
        latency: (series, window) => metrics.latency(series, window),
        throughput: () => ({
          events_per_second_10s: metrics.eventsPerSecond('10s'),
          events_per_second_1m: metrics.eventsPerSecond('1m'),
        }),
        appendOutcomes: () => this.appendOutcomes.counts(),
        disk: () => this.resources.latest()?.disk ?? null,
        memory: () => this.resources.latest()?.memory ?? null,
        backlog: () => parts.appendQueue().events,
      },
    })
    this.sla.onTransition((transition) => {
      this.recording = this.recording.then(() => this.record(transition))
    })
  }

  /**
   * start takes the first resource sample (health and the disk metrics need one), reports
   * damage the open found, and starts the evaluation timer. EventStore.open calls it last,
   * so an open that fails leaves no timer behind.
   */
  async start(): Promise<void> {
    await this.resources.sample(this.storeBytes())
    this.state.modeListeners.add((mode, reason) => this.modeChanged(mode, reason))
    if (this.state.mode === 'needs_recovery') {
      this.modeChanged('needs_recovery', this.state.reason ?? 'damage found at open')
    }
    const intervalMs = this.parts.options.evaluateIntervalMs
    if (intervalMs === null) return
    this.timer = setInterval(() => void this.tick(), intervalMs ?? SLA_EVALUATE_INTERVAL_MS)
    this.timer.unref()
  }

  /** stop ends the timer and waits until every transition so far is recorded. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
    await this.settled()
  }

  /** settled resolves once every transition made so far is recorded. */
  async settled(): Promise<void> {
    await this.recording
  }

  get level(): SlaSnapshot['level'] {
    return this.sla.level
  }

  /** evaluate samples the resources now, then evaluates the level; it returns the transition. */
  async evaluate(): Promise<SlaTransition | null> {
    await this.resources.sample(this.storeBytes())
    return this.guarded(() => this.sla.evaluate())
  }

  /** admit is the store's Admission: why an append of these types is refused now, or null. */
  admit(eventTypes: readonly string[], options: AdmitOptions): WriteBlock | null {
    return this.sla.admit(eventTypes, options)
  }

  onTransition(listener: TransitionListener): () => void {
    return this.sla.onTransition(listener)
  }

  verificationPassed(startedAtMs: number): void {
    this.sla.verificationPassed(startedAtMs)
  }

  /** approve is the operator's RECOVERING -> NORMAL; it resolves once the transition is recorded. */
  async approve(): Promise<SlaTransition> {
    const transition = this.sla.approve()
    await this.settled()
    return transition
  }

  /**
   * setThresholds validates `patch` over the current thresholds, saves the result to
   * sla.json (a writer only: a reader never modifies the store, so its change lasts while
   * it is open), then applies it. A failed save changes nothing.
   */
  setThresholds(patch: unknown): Promise<SlaThresholds> {
    const change = this.configuring.then(async () => {
      const next = applySlaPatch(this.sla.thresholds(), patch, 'patch')
      if (this.parts.appendInternal) {
        await saveSlaThresholds(this.state.ctx.fs, this.state.ctx.dir, next)
        this.configProblem = null
      }
      return this.sla.setThresholds(next)
    })
    this.configuring = change.catch(() => undefined)
    return change
  }

  snapshot(): SlaSnapshot {
    const snapshot = this.sla.snapshot()
    const problems = this.problems()
    return problems.length > 0 ? { ...snapshot, problems } : snapshot
  }

  history(): SlaHistory {
    const history = this.metrics.history()
    return {
      point_ms: history.point_ms,
      latency: history.latency,
      throughput: history.throughput,
      transitions: this.sla.transitions(),
    }
  }

  health(): DetailedHealth {
    return buildDetailedHealth(this.healthInputs())
  }

  healthSummary(): Health {
    return buildHealth(this.healthInputs())
  }

  /** violationCounts counts violations started per metric since the store opened. */
  violationCounts(): Partial<Record<SlaViolation['metric'], number>> {
    return this.sla.violationCounts()
  }

  /** diskSpace is the store's filesystem at the last sample, or null when it could not be read. */
  diskSpace(): DiskSpace | null {
    return this.resources.latest()?.disk ?? null
  }

  private async tick(): Promise<void> {
    // A sample slower than the interval is not stacked on: the next tick takes the next one.
    if (this.sampling) return
    this.sampling = true
    try {
      await this.evaluate()
    } finally {
      this.sampling = false
    }
  }

  private modeChanged(mode: StoreMode, reason: string): void {
    if (mode === 'failed') this.guarded(() => this.sla.reportFault('store_failed', reason))
    if (mode === 'needs_recovery') this.guarded(() => this.sla.reportFault('damage', reason))
  }

  /**
   * guarded runs a call that may make a transition. The transition has happened even when a
   * listener throws (SlaMonitor calls them all first); the failure is kept as a problem,
   * because it is raised where nobody could act on it (the timer, the append log failing).
   */
  private guarded(run: () => SlaTransition | null): SlaTransition | null {
    try {
      return run()
    } catch (error) {
      this.problem(`a listener of SLA transitions failed: ${messageOf(error)}`)
      return null
    }
  }

  /** record writes one transition as an event, or to the side log; it never rejects. */
  private async record(transition: SlaTransition): Promise<void> {
    const appendInternal = this.parts.appendInternal
    if (!appendInternal) return
    if (this.acceptsEvent(transition)) {
      try {
        await appendInternal(transitionEvent(transition))
        return
      } catch {
        // Refused or failed after the check (the queue filled, an fsync failed): the side
        // log, written below, is where a transition goes when the store cannot take it.
      }
    }
    try {
      await this.sideLog.append(transition)
    } catch (error) {
      this.problem(
        `the ${transition.from} -> ${transition.to} transition at ${transition.at} could not be recorded: ${messageOf(error)}`,
      )
    }
  }

  private acceptsEvent(transition: SlaTransition): boolean {
    const { state } = this
    if (state.closed || state.mode !== 'writable') return false
    return this.sla.admit([transitionEventType(transition)], { internal: true }) === null
  }

  private problem(sentence: string): void {
    this.recordingProblems.push(sentence)
    if (this.recordingProblems.length > SLA_PROBLEMS_KEPT_MAX) this.recordingProblems.shift()
  }

  private problems(): string[] {
    return [...(this.configProblem ? [this.configProblem] : []), ...this.recordingProblems]
  }

  private storeBytes(): number {
    return this.state.segments.reduce((sum, segment) => sum + segment.bytes, 0)
  }

  private healthInputs(): HealthInputs {
    const { metrics, state } = this
    const sample = this.resources.latest()
    assert(sample !== null, 'health asked before the first resource sample (start() takes one)')
    const resources: Resources = { ...sample.resources, store_bytes: this.storeBytes() }
    return {
      mode: state.mode,
      level: this.sla.level,
      current_sequence: state.lastSequence,
      events_per_second: metrics.eventsPerSecond('10s'),
      log_file_count: state.segments.length,
      average_append_latency_ms: metrics.meanLatencyUs(APPEND_SERIES, '1m') / 1000,
      average_query_latency_ms: metrics.meanLatencyUs(QUERY_SERIES, '1m') / 1000,
      append_error_rate: errorRate(this.appendOutcomes.counts()),
      query_error_rate: errorRate(this.queryOutcomes.counts()),
      resources,
      append_queue: this.parts.appendQueue(),
      write_block: this.sla.admit([], {}),
      thresholds: this.sla.thresholds(),
      checked_at_ms: state.ctx.nowMs(),
      sla_problems: this.problems(),
    }
  }
}

function checkInterval(intervalMs: number): void {
  if (!Number.isSafeInteger(intervalMs) || intervalMs < 1) {
    throw new ValidationError(
      'monitor.evaluateIntervalMs',
      `must be a whole number of milliseconds of at least 1, or null, got ${intervalMs}`,
    )
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
