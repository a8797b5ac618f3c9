import * as os from 'node:os'
import { resolve } from 'node:path'
import type { AppendResult, StoredEvent } from '../../shared/event'
import type { EventQuery, QueryResult } from '../../shared/query'
import type { InspectReport, RecoveryReport, StoreMode, VerifyReport } from '../../shared/report'
import type {
  DetailedHealth,
  Health,
  SlaHistory,
  SlaSnapshot,
  SlaThresholds,
  SlaTransition,
} from '../../shared/sla'
import type { FileSystem } from './fileSystem'
import { nodeFileSystem } from './nodeFileSystem'
import type { ExpectedVersions } from './aggregateVersions'
import { analyzeStore } from './analyzeStore'
import type { EventIdClock } from './eventId'
import type { SegmentIndexes } from './indexCache'
import { checkIndexes } from './indexMaintenance'
import { StoreMetrics } from './metrics/storeMetrics'
import { SegmentUpkeep } from './segmentUpkeep'
import type { OpeningOptions } from './storeOpening'
import {
  analyzeForReader,
  clockFor,
  openActiveSegment,
  openContext,
  prepareWriter,
  writerIsActive,
} from './storeOpening'
import { StoreReads } from './storeReads'
import { StoreRefresh } from './storeRefresh'
import type { AppendCountListener, AppendListener, ModeListener, StoreContext } from './storeState'
import { StoreState } from './storeState'
import type { AppendOptions, LogStart } from './storeWrites'
import { StoreWrites } from './storeWrites'
import { acquireLock, processIsAlive, releaseLock } from './storeLock'
import { readIdentity } from './storeDirectory'
import { APPEND_QUEUE_BYTES_MAX, APPEND_QUEUE_EVENTS_MAX } from './limits'
import type { SlaConfigLoad, StoreMonitorOptions } from './storeMonitor'
import { StoreMonitor, loadSlaConfig } from './storeMonitor'
import type { TransitionListener } from './sla/slaMonitor'
import { withSpan } from './telemetry/tracing'

export type { AppendCountListener, AppendListener, ModeListener } from './storeState'
export type { AppendOptions } from './storeWrites'
export type { StoreMonitorOptions } from './storeMonitor'

export interface OpenOptions {
  /** 'write' takes the writer lock; 'read' never modifies the store. Default 'write'. */
  access?: 'write' | 'read'
  /** Create the store when the directory is missing or empty (writers only). */
  create?: boolean
  nodeId?: string
  segmentBytesMax?: number
  segmentAgeMs?: number
  fs?: FileSystem
  nowMs?: () => number
  pid?: number
  hostname?: string
  isAlive?: (pid: number) => boolean
  /** Time appends, queries and fsyncs into `metrics` (default true; see StoreMetrics). */
  recordLatency?: boolean
  /** The SLA monitor's resource probes and evaluation interval (tests replace them). */
  monitor?: StoreMonitorOptions
}

/** AppendQueueDepth is the append backlog: what waits for the next group commit. */
export interface AppendQueueDepth {
  events: number
  bytes: number
  events_max: number
  bytes_max: number
}

/** The parts one open store is made of, built by `open` before the store exists. */
interface StoreParts {
  state: StoreState
  clock: EventIdClock
  metrics: StoreMetrics
  /** Where a writable writer's append log starts; null for readers and damaged writers. */
  logStart: LogStart | null
  openReport: RecoveryReport | null
  /** The store's sla.json, or the defaults and why the file was not used. */
  sla: SlaConfigLoad
  /** Writers record SLA transitions in the store; readers never write. */
  writer: boolean
  monitorOptions: StoreMonitorOptions
}

/** Spans carry no attributes on the append path: building them would cost on every append. */
const NO_ATTRIBUTES = {}

/**
 * EventStore is one open store: a writer (holding the lock) or a reader. It is the facade
 * over the store's parts: opening (storeOpening.ts), the write path (StoreWrites), the
 * read path (StoreReads), a reader's refresh (StoreRefresh) and a writer's background
 * sealing (SegmentUpkeep), which share one StoreState.
 *
 * Every open accounts for every segment. A writer cuts a torn tail left by a crash (saving
 * the bytes in quarantine/ and reporting it); any other damage opens the store in
 * `needs_recovery` mode, read-only, until `EventStore.recover` repairs it explicitly.
 *
 * Every open store watches itself (StoreMonitor, storeMonitor.ts): SLA level, health and
 * resources; a writer also refuses appends its SLA level or a full disk does not admit.
 */
export class EventStore {
  /** Summaries of the sealed segments' index files (see indexCache.ts). */
  readonly indexes: SegmentIndexes
  /** The recovery report of this open, when the open had anything to repair or report. */
  readonly openReport: RecoveryReport | null
  private readonly state: StoreState
  private readonly metricsValue: StoreMetrics
  private readonly reads: StoreReads
  private readonly writes: StoreWrites
  private readonly upkeep: SegmentUpkeep
  private readonly refresher: StoreRefresh
  private readonly monitorValue: StoreMonitor
  private readonly closeListeners = new Set<() => void>()
  private holdsLock = false

  private constructor(parts: StoreParts) {
    this.state = parts.state
    this.metricsValue = parts.metrics
    this.openReport = parts.openReport
    this.reads = new StoreReads(parts.state, parts.metrics)
    this.indexes = this.reads.indexes
    this.upkeep = new SegmentUpkeep(parts.state, this.indexes)
    this.monitorValue = new StoreMonitor({
      state: parts.state,
      metrics: parts.metrics,
      appendQueue: () => this.appendQueue,
      appendInternal: parts.writer ? (input) => this.writes.appendInternal(input) : null,
      config: parts.sla,
      options: parts.monitorOptions,
    })
    this.writes = new StoreWrites(
      parts.state,
      this.reads,
      this.upkeep,
      parts.clock,
      parts.metrics,
      (eventTypes, options) => this.monitorValue.admit(eventTypes, options),
      parts.logStart,
    )
    this.refresher = new StoreRefresh(parts.state, this.reads)
  }

  static async open(path: string, options: OpenOptions & OpeningOptions = {}): Promise<EventStore> {
    const ctx = await openContext(path, options)
    if ((options.access ?? 'write') === 'read') return EventStore.openReader(ctx, options)
    const { fs, dir, nowMs } = ctx
    await acquireLock(fs, dir, {
      pid: options.pid ?? process.pid,
      host: options.hostname ?? os.hostname(),
      isAlive: options.isAlive ?? processIsAlive,
      nowMs,
    })
    try {
      const store = await EventStore.openWriter(ctx, options)
      store.holdsLock = true
      return store
    } catch (error) {
      await releaseLock(fs, dir).catch(() => undefined)
      throw error
    }
  }

  /**
   * recover opens the store as its writer, repairs any damage by keeping the longest
   * intact prefix of the log (quarantining the rest), writes a report and returns it.
   */
  static recover(dir: string, options: OpenOptions = {}): Promise<RecoveryReport> {
    return withSpan('lighthouse.recover', NO_ATTRIBUTES, async () => {
      const store = await EventStore.open(dir, {
        ...options,
        access: 'write',
        create: false,
        repair: true,
      })
      const report = store.openReport!
      await store.close()
      return report
    })
  }

  /** verify reads every record of every segment and checks it; it never modifies the store. */
  static verify(path: string, options: OpenOptions = {}): Promise<VerifyReport> {
    return withSpan('lighthouse.verify', NO_ATTRIBUTES, async () => {
      const dir = resolve(path)
      const fs = options.fs ?? nodeFileSystem
      const identity = await readIdentity(fs, dir)
      const analysis = await analyzeStore(fs, dir, {
        storeId: Buffer.from(identity.store_id, 'hex'),
        deep: true,
        checkDigest: true,
        writerActive: await writerIsActive(fs, dir, options),
      })
      return { ok: analysis.problems.length === 0, files: analysis.files }
    })
  }

  private static async openReader(ctx: StoreContext, options: OpenOptions): Promise<EventStore> {
    const { analysis, mode } = await analyzeForReader(ctx, options)
    const store = new EventStore({
      state: new StoreState(ctx, analysis, mode),
      clock: clockFor(ctx, analysis),
      metrics: metricsFor(ctx, options),
      logStart: null,
      openReport: null,
      sla: await loadSlaConfig(ctx.fs, ctx.dir),
      writer: false,
      monitorOptions: options.monitor ?? {},
    })
    // A reader only loads indexes: an unusable one is ignored and its segment scanned.
    await checkIndexes(store.indexes, analysis)
    await store.monitorValue.start()
    return store
  }

  private static async openWriter(
    ctx: StoreContext,
    options: OpenOptions & OpeningOptions,
  ): Promise<EventStore> {
    const { analysis, mode, report, window } = await prepareWriter(ctx, options)
    const writable = mode === 'writable'
    const store = new EventStore({
      state: new StoreState(ctx, analysis, mode),
      clock: clockFor(ctx, analysis),
      metrics: metricsFor(ctx, options),
      logStart: writable ? await openActiveSegment(ctx, options, analysis) : null,
      openReport: report,
      sla: await loadSlaConfig(ctx.fs, ctx.dir),
      writer: true,
      monitorOptions: options.monitor ?? {},
    })
    if (!writable) {
      await store.monitorValue.start()
      return store
    }
    if (window) store.writes.loadIdempotency(window)
    store.upkeep.scheduleIndexRebuild(await checkIndexes(store.indexes, analysis))
    const activeNumber = store.writes.log!.segment.segmentNumber
    for (const segment of store.state.segments) {
      if (!segment.sealed && segment.segmentNumber !== activeNumber) {
        store.upkeep.scheduleSeal(segment.segmentNumber)
      }
    }
    await store.monitorValue.start()
    return store
  }

  get mode(): StoreMode {
    return this.state.mode
  }

  /** Why the store is not writable, in a sentence, or null. */
  get reason(): string | null {
    return this.state.reason
  }

  get lastSequence(): number {
    return this.state.lastSequence
  }

  /** metrics is what this store measured since it opened: latencies, counters, rates. */
  get metrics(): StoreMetrics {
    return this.metricsValue
  }

  /** appendQueue is the append backlog now (all zero for a reader). */
  get appendQueue(): AppendQueueDepth {
    const log = this.writes.log
    return {
      events: log?.queueDepth ?? 0,
      bytes: log?.queueBytes ?? 0,
      events_max: APPEND_QUEUE_EVENTS_MAX,
      bytes_max: APPEND_QUEUE_BYTES_MAX,
    }
  }

  /**
   * files is where the store lives and the file system it is read through: subscriptions
   * read segments and keep consumer positions there, followers watch the directory.
   */
  get files(): { fs: FileSystem; dir: string } {
    return { fs: this.state.ctx.fs, dir: this.state.ctx.dir }
  }

  /**
   * append stores one event and resolves once it is durable. With `expected_versions` it
   * stores nothing and fails with `version_conflict` unless each named aggregate has
   * exactly that many events; with an `idempotency_key` already in the window it returns
   * the original result.
   */
  append(input: unknown, options: AppendOptions = {}): Promise<AppendResult> {
    return withSpan('lighthouse.append', NO_ATTRIBUTES, async () => {
      const [result] = await this.writes.append(input, options)
      return result!
    })
  }

  /** appendBatch stores up to BATCH_EVENTS_MAX events atomically: all of them or none. */
  appendBatch(inputs: unknown, options: AppendOptions = {}): Promise<AppendResult[]> {
    return withSpan('lighthouse.append_batch', NO_ATTRIBUTES, () =>
      this.writes.appendBatch(inputs, options),
    )
  }

  /**
   * submit validates, numbers and queues events as one atomic entry, and resolves with
   * their results once they are durable. Bad input throws here, synchronously, and takes
   * no sequence, as does a refusal (a full append queue, the SLA level, a full disk).
   * Expected versions must have been prepared (append does that).
   */
  submit(
    inputs: unknown[],
    field = 'events',
    expected?: ExpectedVersions,
  ): Promise<AppendResult[]> {
    return this.writes.submit(inputs, field, expected)
  }

  /** query answers one page of a query (see queryRunner.ts for how). */
  query(query: EventQuery = {}): Promise<QueryResult> {
    return withSpan('lighthouse.query', NO_ATTRIBUTES, () => this.reads.query(query))
  }

  /** getBySequence returns the event with that sequence, or null when there is none. */
  getBySequence(sequence: number): Promise<StoredEvent | null> {
    return this.reads.getBySequence(sequence)
  }

  /** getEvent returns the event with that id, or null; the id names its own sequence. */
  getEvent(eventId: string): Promise<StoredEvent | null> {
    return this.reads.getEvent(eventId)
  }

  /** readAll calls `onEvent` for every stored event from `fromSequence` on, in order. */
  readAll(onEvent: (event: StoredEvent) => void, fromSequence = 1): Promise<void> {
    return this.reads.readAll(onEvent, fromSequence)
  }

  /**
   * refresh (readers only) picks up what the writer process appended, rotated or sealed
   * since this reader opened or last refreshed, and hands the new events to the onAppend
   * listeners. Returns how many new events it found. An unfinished tail is left for later.
   */
  async refresh(): Promise<number> {
    if (this.writes.log) return 0
    return this.refresher.refresh()
  }

  inspect(): InspectReport {
    return this.state.inspect(this.monitorValue.level)
  }

  /**
   * monitor is the store watching itself. The methods below are its API for callers;
   * the telemetry adapter (storeMetricsSource.ts) reads its violation counts and disk.
   */
  get monitor(): StoreMonitor {
    return this.monitorValue
  }

  /** slaSnapshot is the SLA level, thresholds, latencies, compliance, triggers and violations. */
  slaSnapshot(): SlaSnapshot {
    return this.monitorValue.snapshot()
  }

  /** slaHistory is the last 24 h of latency and throughput, and the recent transitions. */
  slaHistory(): SlaHistory {
    return this.monitorValue.history()
  }

  /**
   * setSlaThresholds validates a partial change (a ValidationError names the field and the
   * limit), saves the whole configuration to sla.json durably (a writer only; a reader's
   * change lasts while it is open) and applies it from the next evaluation.
   */
  setSlaThresholds(patch: unknown): Promise<SlaThresholds> {
    return this.monitorValue.setThresholds(patch)
  }

  /**
   * verificationPassed tells the monitor that a verification of every file, started at
   * `startedAtMs` (the store's clock), found no damage: approval needs one that started
   * after the store entered RECOVERING.
   */
  verificationPassed(startedAtMs: number): void {
    this.monitorValue.verificationPassed(startedAtMs)
  }

  /**
   * approveRecovery is the operator's RECOVERING -> NORMAL. It is refused (validation, with
   * the reason) outside RECOVERING or before a passing verification; it resolves once the
   * transition is recorded.
   */
  approveRecovery(): Promise<SlaTransition> {
    return this.monitorValue.approve()
  }

  /** evaluateSla samples resources and evaluates the SLA level now, as the timer does. */
  evaluateSla(): Promise<SlaTransition | null> {
    return this.monitorValue.evaluate()
  }

  /** health is the detailed report (`/health/detailed`); it does no I/O. */
  health(): DetailedHealth {
    return this.monitorValue.health()
  }

  /** healthSummary is the original system's report (the status of `/health`). */
  healthSummary(): Health {
    return this.monitorValue.healthSummary()
  }

  /** onSlaTransition calls `listener` after each SLA transition; returns its remover. */
  onSlaTransition(listener: TransitionListener): () => void {
    return this.monitorValue.onTransition(listener)
  }

  /** onModeChange calls `listener` when the store mode changes; returns its remover. */
  onModeChange(listener: ModeListener): () => void {
    this.state.modeListeners.add(listener)
    return () => this.state.modeListeners.delete(listener)
  }

  /**
   * close records the pending SLA transitions, drains queued appends, finishes sealing,
   * marks a clean shutdown and releases the lock. A transition made while draining (an
   * fsync failing) goes to the side log before the lock is released.
   */
  async close(): Promise<void> {
    if (this.state.closed) return
    await this.monitorValue.stop()
    if (this.state.closed) return
    this.state.closed = true
    for (const listener of this.closeListeners) listener()
    await this.writes.close()
    // A clean close saves the active segment's index (best effort), so the next open need
    // not rebuild it.
    if (this.state.mode === 'writable') await this.reads.active.save(this.state.segments.at(-1)!)
    await this.reads.close()
    await this.monitorValue.settled()
    if (this.holdsLock) await releaseLock(this.state.ctx.fs, this.state.ctx.dir)
  }

  /** Resolves when every seal scheduled so far has finished (tests and tools use it). */
  async idle(): Promise<void> {
    await this.writes.log?.drained()
    await this.upkeep.idle()
  }

  /**
   * onAppend registers a listener for newly durable events: it is called once per group
   * commit, in sequence order, before the appends are acknowledged. Returns the function
   * that removes it. A listener must not throw or block: it runs on the append path.
   */
  onAppend(listener: AppendListener): () => void {
    this.state.appendListeners.add(listener)
    return () => this.state.appendListeners.delete(listener)
  }

  /**
   * onAppendCount registers a listener for how many events became durable (or, in a reader,
   * were found by a refresh), called as onAppend's are. It gets no events, so a store with
   * only count listeners never decodes what it appends: the right hook for rates and
   * counters. Like onAppend's, it must not throw or block: it runs on the append path.
   * Returns the function that removes it.
   */
  onAppendCount(listener: AppendCountListener): () => void {
    this.state.appendCountListeners.add(listener)
    return () => this.state.appendCountListeners.delete(listener)
  }

  /** onClose registers a listener called when close() begins; returns its remover. */
  onClose(listener: () => void): () => void {
    this.closeListeners.add(listener)
    return () => this.closeListeners.delete(listener)
  }
}

function metricsFor(ctx: StoreContext, options: OpenOptions): StoreMetrics {
  return new StoreMetrics(ctx.nowMs, { recordLatency: options.recordLatency })
}
