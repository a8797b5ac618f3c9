import {
  LATENCY_SERIES,
  LATENCY_WINDOWS,
  type LatencySeries,
  type LatencySummary,
  type LatencyWindow,
  type SlaCompliance,
  type SlaLevel,
  type SlaSnapshot,
  type SlaThresholds,
  type SlaTransition,
  type SlaViolation,
  type TriggerName,
  type WriteBlock,
} from '../../../shared/sla'
import { StoreError, assert } from '../errors'
import { SLA_LISTENERS_MAX, SLA_TRANSITIONS_KEPT_MAX } from '../limits'
import { admitAppend, type AdmitOptions } from './appendAdmission'
import { bytesToFree, diskUsage, type DiskSpace } from './diskSpace'
import { errorRate, type OutcomeCounts } from './outcomeCounter'
import { percent } from './percent'
import { applySlaPatch, defaultSlaThresholds } from './slaConfig'
import { SLA_WINDOW, SlaEvaluator, type LatencySource } from './slaEvaluator'
import { TriggerTracker, type RaisedState, type TriggerValues } from './triggerTracker'
import { ViolationLog, type FaultKind } from './violationLog'

/**
 * SlaMonitor is the SLA level of one store: NORMAL -> WARNING -> EMERGENCY -> RECOVERING ->
 * NORMAL (DESIGN.md, Degradation). It reads everything through SlaSources and the injected
 * clock and decides only when `evaluate()` is called (every SLA_EVALUATE_INTERVAL_MS), so
 * it is deterministic under test. It never changes the store mode; the store does that,
 * and reports faults here.
 *
 * The rules, with the hysteresis of TriggerTracker:
 * - NORMAL -> WARNING when a trigger held at warning for hold_ms; any level but EMERGENCY
 *   -> EMERGENCY when one held at emergency for hold_ms, or at once on a reported fault.
 * - WARNING -> NORMAL when every trigger stayed below warning for clear_ms.
 * - EMERGENCY -> RECOVERING when every trigger stayed below emergency for clear_ms and the
 *   last fault is clear_ms old (a fault has no value to watch fall, so it counts as an
 *   emergency that cleared the moment it was reported).
 * - RECOVERING -> NORMAL only through `approve()`, after a verification that started at or
 *   after the store entered RECOVERING passed.
 * So activation comes at most hold_ms plus two evaluation intervals after a trigger holds,
 * and at most one transition happens per call.
 *
 * The disk block is apart from the level: at disk_block every write is refused until usage
 * is below disk_unblock, whatever the level.
 */

/** MemoryUse is the process's resident memory and the machine's total memory. */
export interface MemoryUse {
  rss_bytes: number
  total_bytes: number
}

/** SlaSources is everything the monitor measures; each call reads the value now. */
export interface SlaSources {
  /** Latency summaries in microseconds (the store's rolling windows). */
  latency: LatencySource
  throughput(): SlaSnapshot['throughput']
  /** Appends that succeeded and that failed inside the store over the last minute. */
  appendOutcomes(): OutcomeCounts
  /** The store's filesystem, or null when it cannot be told. */
  disk(): DiskSpace | null
  memory(): MemoryUse | null
  /** Events waiting in the append queue. */
  backlog(): number
}

export interface SlaMonitorOptions {
  sources: SlaSources
  nowMs: () => number
  /** From loadSlaThresholds (checked again here); the ADR-004 defaults when left out. */
  thresholds?: SlaThresholds
}

export type TransitionListener = (transition: SlaTransition) => void

interface LevelChange {
  to: SlaLevel
  reason: string
  figures: Record<string, number>
}

/** APPEND_LATENCY_SERIES: the p99 append trigger watches single and batch appends alike. */
const APPEND_LATENCY_SERIES: readonly LatencySeries[] = ['append', 'batch_append']

export class SlaMonitor {
  private readonly sources: SlaSources
  private readonly nowMs: () => number
  private config: SlaThresholds
  private readonly violations = new ViolationLog()
  private readonly triggers = new TriggerTracker(this.violations)
  private readonly evaluator: SlaEvaluator
  private readonly listeners = new Set<TransitionListener>()
  /** Oldest first, at most SLA_TRANSITIONS_KEPT_MAX. */
  private readonly recent: SlaTransition[] = []
  private current: SlaLevel = 'NORMAL'
  private sinceMs: number
  private reason: string | null = null
  private checkedAtMs: number
  private compliance: SlaCompliance[] = []
  /** The last disk reading there was, for the block's figures. */
  private disk: DiskSpace | null = null
  private diskBlocked = false
  private lastFaultAtMs = -Infinity
  private verifiedFromMs: number | null = null

  constructor(options: SlaMonitorOptions) {
    this.sources = options.sources
    this.nowMs = options.nowMs
    this.config = applySlaPatch(defaultSlaThresholds(), options.thresholds ?? {})
    this.evaluator = new SlaEvaluator(options.sources.latency, this.violations)
    this.sinceMs = this.checkedAtMs = this.nowMs()
  }

  get level(): SlaLevel {
    return this.current
  }

  /**
   * evaluate measures every source, updates compliance, triggers and the disk block, and
   * makes the transition they call for; it returns that transition, or null.
   */
  evaluate(): SlaTransition | null {
    const now = this.nowMs()
    this.checkedAtMs = now
    const disk = this.sources.disk()
    this.triggers.update(this.measure(disk), this.config.triggers, now)
    this.compliance = this.evaluator.evaluate(this.config.targets, now)
    if (disk !== null) this.updateDiskBlock(disk)
    const next = this.nextLevel(now)
    return next ? this.transition(next.to, next.reason, next.figures, now) : null
  }

  /**
   * reportFault moves to EMERGENCY at once: an I/O error made the store fail, or damage was
   * found. It returns the transition, or null when already in EMERGENCY (the fault then
   * restarts the clear_ms wait).
   */
  reportFault(kind: FaultKind, reason: string): SlaTransition | null {
    const now = this.nowMs()
    this.lastFaultAtMs = now
    // One fault observed where none is allowed.
    this.violations.instant(kind, 1, 0, now)
    if (this.current === 'EMERGENCY') return null
    return this.transition('EMERGENCY', `${kind}: ${reason}`, { [kind]: 1 }, now)
  }

  /**
   * verificationPassed records that a verification which started at `startedAtMs` found no
   * damage. It counts toward approval only if it started at or after the store entered
   * RECOVERING, so it checked the log as the episode left it.
   */
  verificationPassed(startedAtMs: number): void {
    if (this.verifiedFromMs === null || startedAtMs > this.verifiedFromMs) {
      this.verifiedFromMs = startedAtMs
    }
  }

  /** approve is the operator's RECOVERING -> NORMAL; it throws a StoreError saying why not. */
  approve(): SlaTransition {
    const refusal = this.approvalRefusal()
    if (refusal !== null) throw new StoreError('validation', refusal)
    assert(this.verifiedFromMs !== null, 'approval without a verification')
    const verifiedAt = new Date(this.verifiedFromMs).toISOString()
    return this.transition(
      'NORMAL',
      `an operator approved after the verification started at ${verifiedAt} passed`,
      { verification_started_at_ms: this.verifiedFromMs },
      this.nowMs(),
    )
  }

  /** admit returns why an append of `eventTypes` is refused right now, or null. */
  admit(eventTypes: readonly string[], options: AdmitOptions = {}): WriteBlock | null {
    return admitAppend(this.current, this.diskBlock(), eventTypes, options)
  }

  /** onTransition calls `listener` after every transition; it returns the unsubscribe. */
  onTransition(listener: TransitionListener): () => void {
    assert(this.listeners.size < SLA_LISTENERS_MAX, `more than ${SLA_LISTENERS_MAX} listeners`)
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** transitions lists the most recent transitions, oldest first. */
  transitions(): SlaTransition[] {
    return this.recent.map((transition) => structuredClone(transition))
  }

  /** violationCounts counts the violations started per metric since the monitor was made. */
  violationCounts(): Partial<Record<SlaViolation['metric'], number>> {
    return this.violations.startedCounts()
  }

  thresholds(): SlaThresholds {
    return structuredClone(this.config)
  }

  /**
   * setThresholds validates and applies a patch at run time (a ValidationError names the
   * field and the limit) and returns the new configuration; the next evaluate() uses it.
   * Saving it to sla.json is the caller's choice.
   */
  setThresholds(patch: unknown): SlaThresholds {
    this.config = applySlaPatch(this.config, patch)
    return this.thresholds()
  }

  snapshot(): SlaSnapshot {
    const latency = {} as SlaSnapshot['latency']
    for (const series of LATENCY_SERIES) {
      latency[series] = {} as Record<LatencyWindow, LatencySummary>
      for (const window of LATENCY_WINDOWS)
        latency[series][window] = this.sources.latency(series, window)
    }
    return {
      level: this.current,
      since: new Date(this.sinceMs).toISOString(),
      reason: this.reason,
      checked_at: new Date(this.checkedAtMs).toISOString(),
      thresholds: this.thresholds(),
      latency,
      throughput: this.sources.throughput(),
      compliance: this.compliance.map((row) => ({ ...row })),
      triggers: this.triggers.status(this.config.triggers),
      violations: this.violations.list(),
      write_block: this.admit([]),
      recovery:
        this.current === 'RECOVERING'
          ? {
              verification_passed_at:
                this.verifiedFromMs === null ? null : new Date(this.verifiedFromMs).toISOString(),
              can_approve: this.approvalRefusal() === null,
            }
          : null,
    }
  }

  private measure(disk: DiskSpace | null): TriggerValues {
    const memory = this.sources.memory()
    const memoryTotal = this.config.memory_limit_bytes ?? memory?.total_bytes ?? 0
    return {
      append_p99_ms: this.appendP99Ms(),
      append_error_rate: errorRate(this.sources.appendOutcomes()),
      disk_usage: disk === null ? null : diskUsage(disk),
      memory_usage: memory === null || memoryTotal <= 0 ? null : memory.rss_bytes / memoryTotal,
      append_backlog: this.sources.backlog(),
    }
  }

  /** appendP99Ms is the worse p99 of single and batch appends, or null without appends. */
  private appendP99Ms(): number | null {
    let worst: number | null = null
    for (const series of APPEND_LATENCY_SERIES) {
      const summary = this.sources.latency(series, SLA_WINDOW)
      if (summary.count > 0) worst = Math.max(worst ?? 0, summary.p99 / 1000)
    }
    return worst
  }

  private nextLevel(now: number): LevelChange | null {
    const { hold_ms: holdMs, clear_ms: clearMs } = this.config
    if (this.current === 'EMERGENCY') {
      const faultCleared = now - this.lastFaultAtMs >= clearMs
      if (!faultCleared || !this.triggers.clearFor('emergency', clearMs, now)) return null
      return {
        to: 'RECOVERING',
        reason: `every trigger stayed below its emergency threshold for ${seconds(clearMs)}`,
        figures: this.triggers.figures(),
      }
    }
    const emergency = this.triggers.held('emergency', holdMs, now)
    if (emergency.length > 0) return this.rise('EMERGENCY', 'emergency', emergency)
    if (this.current === 'NORMAL') {
      const warning = this.triggers.held('warning', holdMs, now)
      return warning.length > 0 ? this.rise('WARNING', 'warning', warning) : null
    }
    if (this.current === 'WARNING' && this.triggers.clearFor('warning', clearMs, now)) {
      return {
        to: 'NORMAL',
        reason: `every trigger stayed below its warning threshold for ${seconds(clearMs)}`,
        figures: this.triggers.figures(),
      }
    }
    return null
  }

  private rise(to: SlaLevel, state: RaisedState, names: TriggerName[]): LevelChange {
    const held = names.map((name) => {
      const threshold = this.config.triggers[name][state]
      const value = Number(this.triggers.value(name)?.toPrecision(4))
      return `${name} ${value} reached its ${state} threshold ${threshold}`
    })
    return {
      to,
      reason: `${held.join('; ')} and held for ${seconds(this.config.hold_ms)}`,
      figures: this.triggers.figures(names),
    }
  }

  private transition(
    to: SlaLevel,
    reason: string,
    figures: Record<string, number>,
    now: number,
  ): SlaTransition {
    const transition: SlaTransition = {
      from: this.current,
      to,
      at: new Date(now).toISOString(),
      reason,
      figures,
    }
    this.current = to
    this.sinceMs = now
    this.reason = reason
    this.recent.push(transition)
    if (this.recent.length > SLA_TRANSITIONS_KEPT_MAX) this.recent.shift()
    this.notify(transition)
    return transition
  }

  /**
   * notify calls every listener even when one throws, then rethrows the first error: the
   * transition itself has happened, and a listener's bug must not hide it from the others.
   */
  private notify(transition: SlaTransition): void {
    const errors: unknown[] = []
    for (const listener of [...this.listeners]) {
      try {
        listener(structuredClone(transition))
      } catch (error) {
        errors.push(error)
      }
    }
    if (errors.length > 0) throw errors[0]
  }

  private approvalRefusal(): string | null {
    if (this.current !== 'RECOVERING') {
      return `Approval applies only in RECOVERING; the SLA level is ${this.current}.`
    }
    const entered = new Date(this.sinceMs).toISOString()
    if (this.verifiedFromMs === null || this.verifiedFromMs < this.sinceMs) {
      return `Run a verification first: none that started after the store entered RECOVERING at ${entered} has passed.`
    }
    const emergency = this.triggers.inState('emergency')
    if (emergency.length > 0) {
      return `Cannot approve while ${emergency.join(', ')} is at its emergency threshold again.`
    }
    return null
  }

  /**
   * updateDiskBlock blocks at disk_block and unblocks below disk_unblock. It is called only
   * with a reading, so a disk that cannot be told keeps the last known block and figures.
   */
  private updateDiskBlock(disk: DiskSpace): void {
    this.disk = disk
    const usage = diskUsage(disk)
    if (usage >= this.config.disk_block) this.diskBlocked = true
    else if (usage < this.config.disk_unblock) this.diskBlocked = false
  }

  private diskBlock(): WriteBlock | null {
    if (!this.diskBlocked || this.disk === null) return null
    const needed = bytesToFree(this.disk, this.config.disk_unblock)
    return {
      code: 'disk_full',
      message:
        `The disk holding the store is ${percent(diskUsage(this.disk))} full, so every write is ` +
        `refused until it is below ${percent(this.config.disk_unblock)}. ` +
        `Free at least ${needed} bytes on that disk, then retry.`,
      free_bytes_needed: needed,
    }
  }
}

function seconds(ms: number): string {
  return `${ms / 1000} s`
}
