import * as os from 'node:os'
import { resolve } from 'node:path'
import type { AppendResult, StoredEvent } from '../../shared/event'
import type { EventQuery, QueryResult } from '../../shared/query'
import type { InspectReport, RecoveryReport, StoreMode, VerifyReport } from '../../shared/report'
import type { FileSystem } from './fileSystem'
import { nodeFileSystem } from './nodeFileSystem'
import { AppendLog } from './appendLog'
import type { ExpectedVersions } from './aggregateVersions'
import { AggregateVersions, validateExpectedVersions } from './aggregateVersions'
import { IdempotencyWindow, idempotencyKeys } from './idempotencyWindow'
import type { ActiveSegment } from './appendLog'
import { analyzeStore } from './analyzeStore'
import type { StoreAnalysis } from './analyzeStore'
import { buildEvent, decodeEvent, encodeEvent } from './eventCodec'
import { runQuery } from './queryRunner'
import { ActiveOffsets } from './activeOffsets'
import type { SegmentManifest } from './manifest'
import { indexName } from './segmentIndex'
import { rebuildSegmentIndex } from './segmentIndexBuilder'
import { defaultNodeId, EventIdClock, formatEventId, parseEventId, validateNodeId } from './eventId'
import { CorruptionError, StoreError, ValidationError } from './errors'
import { encodeRecord, recordPayload } from './recordCodec'
import type { RepairContext } from './recovery'
import { rebuildManifests, removeLeftovers, repairFrom, writeRecoveryReport } from './recovery'
import { sealSegment } from './sealer'
import { SegmentIndexes } from './indexCache'
import { checkIndexes } from './indexMaintenance'
import { inGroups, ReaderRefresh } from './readerRefresh'
import { readSegmentRecords } from './segmentReader'
import type { SegmentInfo } from './segmentReader'
import { encodeSegmentHeader, SEGMENT_HEADER_BYTES } from './segmentHeader'
import { sealedName, segmentLogName } from './segmentNames'
import { acquireLock, processIsAlive, readHolder, releaseLock, LOCK_NAME } from './storeLock'
import type { StoreIdentity } from './storeDirectory'
import { createStoreDirectory, readIdentity, STORE_FILE } from './storeDirectory'
import {
  readCleanIdempotency,
  readCleanMarker,
  removeCleanMarker,
  writeCleanMarker,
} from './cleanMarker'
import {
  BATCH_BYTES_MAX,
  BATCH_EVENTS_MAX,
  SEGMENT_AGE_MS_DEFAULT,
  SEGMENT_BYTES_DEFAULT,
  SEGMENT_BYTES_MIN,
  ID_FIELD_CHARS_MAX,
  IDEMPOTENCY_KEYS_MAX,
  IDEMPOTENCY_REBUILD_EVENTS_MAX,
} from './limits'

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
}

/** AppendListener receives each group of newly durable events, in order. */
export type AppendListener = (events: readonly StoredEvent[]) => void

/** AppendOptions are the checks an append can ask for. */
export interface AppendOptions {
  /** Per aggregate id: the number of events it must have now, or 'no_stream' for none. */
  expected_versions?: ExpectedVersions
}

/** Options only `recover` sets. */
interface WriterOptions extends OpenOptions {
  repair?: boolean
}

interface Context {
  fs: FileSystem
  dir: string
  identity: StoreIdentity
  storeId: Buffer
  nowMs: () => number
  nodeId: string
}

/**
 * EventStore is one open store: a writer (holding the lock) or a reader.
 *
 * Every open accounts for every segment. A writer cuts a torn tail left by a crash (saving
 * the bytes in quarantine/ and reporting it); any other damage opens the store in
 * `needs_recovery` mode, read-only, until `EventStore.recover` repairs it explicitly.
 */
export class EventStore {
  private modeValue: StoreMode
  private reasonValue: string | null = null
  private readonly segments: SegmentInfo[]
  private sealing: Promise<void> = Promise.resolve()
  private closed = false
  private holdsLock = false
  private readonly appendListeners = new Set<AppendListener>()
  private readonly closeListeners = new Set<() => void>()
  private readonly idempotency: IdempotencyWindow
  private readonly versions: AggregateVersions
  /** Summaries of the sealed segments' index files (see indexCache.ts). */
  readonly indexes: SegmentIndexes
  /** Where each record of the active segment starts: get by sequence reads it directly. */
  private readonly activeOffsets = new ActiveOffsets()

  private constructor(
    private readonly ctx: Context,
    private readonly log: AppendLog | null,
    private readonly clock: EventIdClock,
    analysis: StoreAnalysis,
    mode: StoreMode,
    /** The recovery report of this open, when the open had anything to repair or report. */
    readonly openReport: RecoveryReport | null,
  ) {
    this.modeValue = mode
    this.idempotency = new IdempotencyWindow(ctx.nowMs)
    this.versions = new AggregateVersions(
      (aggregates, through) => this.countEvents(aggregates, through),
      () => this.log?.lastAssigned ?? { sequence: this.lastSequence, durable: Promise.resolve() },
    )
    this.segments = segmentInfos(analysis)
    this.indexes = new SegmentIndexes(ctx.fs, ctx.dir)
    if (analysis.problems.length > 0) this.reasonValue = describeProblems(analysis)
  }

  static async open(path: string, options: WriterOptions = {}): Promise<EventStore> {
    const dir = resolve(path)
    const fs = options.fs ?? nodeFileSystem
    const nowMs = options.nowMs ?? Date.now
    const nodeId = validateNodeId(
      options.nodeId ?? defaultNodeId(options.hostname ?? os.hostname()),
    )
    const access = options.access ?? 'write'
    const identity =
      options.create && access === 'write' && !(await hasEntries(fs, dir))
        ? await createStoreDirectory(fs, dir, nowMs)
        : await readIdentity(fs, dir)
    const ctx: Context = {
      fs,
      dir,
      identity,
      storeId: Buffer.from(identity.store_id, 'hex'),
      nowMs,
      nodeId,
    }
    if (access === 'read') return EventStore.openReader(ctx, options)
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
  static async recover(dir: string, options: OpenOptions = {}): Promise<RecoveryReport> {
    const store = await EventStore.open(dir, {
      ...options,
      access: 'write',
      create: false,
      repair: true,
    })
    const report = store.openReport!
    await store.close()
    return report
  }

  /** verify reads every record of every segment and checks it; it never modifies the store. */
  static async verify(path: string, options: OpenOptions = {}): Promise<VerifyReport> {
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
  }

  private static async openReader(ctx: Context, options: OpenOptions): Promise<EventStore> {
    const analysis = await analyzeStore(ctx.fs, ctx.dir, {
      storeId: ctx.storeId,
      deep: false,
      checkDigest: true,
      writerActive: await writerIsActive(ctx.fs, ctx.dir, options),
      knownLog: (n) => readCleanMarker(ctx.fs, ctx.dir, n),
    })
    const damaged = analysis.problems.some((problem) => problem.kind !== 'manifest')
    const mode = damaged ? 'needs_recovery' : 'read_only'
    const store = new EventStore(ctx, null, clockFor(ctx, analysis), analysis, mode, null)
    // A reader only loads indexes: an unusable one is ignored and its segment scanned.
    await checkIndexes(store.indexes, analysis)
    return store
  }

  private static async openWriter(ctx: Context, options: WriterOptions): Promise<EventStore> {
    const repair = options.repair === true
    const startedAt = ctx.nowMs()
    const analyze = (): Promise<StoreAnalysis> =>
      analyzeStore(ctx.fs, ctx.dir, {
        storeId: ctx.storeId,
        deep: repair,
        checkDigest: true,
        writerActive: false,
        knownLog: repair ? undefined : (n) => readCleanMarker(ctx.fs, ctx.dir, n),
      })
    let analysis = await analyze()
    const newest = analysis.segments.at(-1)
    const cleanWindow =
      !repair && newest && !newest.sealed
        ? await readCleanIdempotency(ctx.fs, ctx.dir, newest.segmentNumber)
        : null
    // The marker describes the state at the last clean close; remove it before any write.
    await removeCleanMarker(ctx.fs, ctx.dir)
    const repairCtx: RepairContext = {
      fs: ctx.fs,
      dir: ctx.dir,
      storeId: ctx.storeId,
      nowMs: ctx.nowMs,
      actions: [],
    }
    await removeLeftovers(repairCtx, analysis.leftovers)
    if (await rebuildManifests(repairCtx, analysis)) analysis = await analyze()
    const first = analysis.problems[0]
    if (first && (repair || (first.kind === 'torn' && analysis.problems.length === 1))) {
      await repairFrom(repairCtx, analysis, first)
      analysis = await analyze()
    }
    const mode: StoreMode = analysis.problems.length > 0 ? 'needs_recovery' : 'writable'
    const report =
      repair || repairCtx.actions.length > 0 || analysis.problems.length > 0
        ? await writeRecoveryReport(repairCtx, startedAt, analysis.problems, mode)
        : null
    const clock = clockFor(ctx, analysis)
    if (mode !== 'writable') return new EventStore(ctx, null, clock, analysis, mode, report)
    const log = await EventStore.startLog(ctx, options, analysis)
    const store = new EventStore(ctx, log.log, clock, analysis, mode, report)
    log.bind(store)
    if (cleanWindow && repairCtx.actions.length === 0) store.idempotency.load(cleanWindow)
    else {
      // Damage found while reading back (the store turns needs_recovery) must not fail the open.
      await store.rebuildIdempotency().catch((error: unknown) => {
        if (!(error instanceof CorruptionError)) throw error
      })
    }
    store.scheduleIndexRebuild(await checkIndexes(store.indexes, analysis))
    for (const segment of store.segments) {
      if (!segment.sealed && segment.segmentNumber !== log.log.segment.segmentNumber) {
        store.scheduleSeal(segment.segmentNumber)
      }
    }
    return store
  }

  /** startLog opens the newest raw segment for appending, or starts a new one. */
  private static async startLog(
    ctx: Context,
    options: OpenOptions,
    analysis: StoreAnalysis,
  ): Promise<{ log: AppendLog; bind: (store: EventStore) => void }> {
    const segmentBytesMax = options.segmentBytesMax ?? SEGMENT_BYTES_DEFAULT
    if (!Number.isSafeInteger(segmentBytesMax) || segmentBytesMax < SEGMENT_BYTES_MIN) {
      throw new ValidationError(
        'segment_bytes',
        `must be a whole number of at least ${SEGMENT_BYTES_MIN} (SEGMENT_BYTES_MIN)`,
      )
    }
    const newest = analysis.segments.at(-1)
    const lastSequence = newest?.lastSequence ?? 0
    let segmentNumberMax = analysis.segmentNumberMax
    let active: ActiveSegment
    let created: SegmentInfo | null = null
    if (newest && !newest.sealed && newest.firstSequence !== null) {
      const handle = await ctx.fs.open(`${ctx.dir}/${newest.name}`, 'readwrite')
      active = {
        segmentNumber: newest.segmentNumber,
        handle,
        size: newest.validEnd,
        firstSequence: newest.firstSequence,
        records: newest.records,
        createdAtMs: newest.createdAtMs,
      }
    } else {
      const segmentNumber = ++segmentNumberMax
      const createdAtMs = ctx.nowMs()
      const header = encodeSegmentHeader({
        segmentNumber,
        firstSequence: lastSequence + 1,
        createdAtMs,
        storeId: ctx.storeId,
      })
      const handle = await ctx.fs.create(`${ctx.dir}/${segmentLogName(segmentNumber)}`)
      await handle.write([header], 0)
      await handle.datasync()
      await ctx.fs.syncDir(ctx.dir)
      active = {
        segmentNumber,
        handle,
        size: SEGMENT_HEADER_BYTES,
        firstSequence: lastSequence + 1,
        records: 0,
        createdAtMs,
      }
      created = infoOf(active)
    }
    let store: EventStore | null = null
    const log = new AppendLog(
      {
        fs: ctx.fs,
        dir: ctx.dir,
        storeId: ctx.storeId,
        nowMs: ctx.nowMs,
        segmentBytesMax,
        segmentAgeMs: options.segmentAgeMs ?? SEGMENT_AGE_MS_DEFAULT,
        onDurable: (segment, records) => store?.durable(segment, records),
        onRotated: (previous, next) => store?.rotated(previous, next),
        onFailed: (error) => store?.setMode('failed', error.message),
      },
      active,
      lastSequence + 1,
      segmentNumberMax,
    )
    return {
      log,
      bind: (bound) => {
        store = bound
        if (created) bound.segments.push(created)
      },
    }
  }

  get mode(): StoreMode {
    return this.modeValue
  }

  /** Why the store is not writable, in a sentence, or null. */
  get reason(): string | null {
    return this.reasonValue
  }

  get lastSequence(): number {
    return this.segments.at(-1)?.lastSequence ?? 0
  }

  /**
   * append stores one event and resolves once it is durable. With `expected_versions` it
   * stores nothing and fails with `version_conflict` unless each named aggregate has
   * exactly that many events; with an `idempotency_key` already in the window it returns
   * the original result.
   */
  async append(input: unknown, options: AppendOptions = {}): Promise<AppendResult> {
    const [result] = await this.appendChecked([input], 'event', options)
    return result!
  }

  /** appendBatch stores up to BATCH_EVENTS_MAX events atomically: all of them or none. */
  async appendBatch(inputs: unknown, options: AppendOptions = {}): Promise<AppendResult[]> {
    if (!Array.isArray(inputs) || inputs.length === 0) {
      throw new ValidationError('events', 'must be a non-empty list of events')
    }
    if (inputs.length > BATCH_EVENTS_MAX) {
      const detail = `has ${inputs.length} events, over the limit of ${BATCH_EVENTS_MAX} (BATCH_EVENTS_MAX)`
      throw new ValidationError('events', detail, 'batch_too_large')
    }
    return this.appendChecked(inputs, 'events', options)
  }

  private async appendChecked(
    inputs: unknown[],
    field: string,
    options: AppendOptions,
  ): Promise<AppendResult[]> {
    const expected = validateExpectedVersions(options.expected_versions)
    if (expected) await this.versions.prepare(Object.keys(expected))
    return this.submit(inputs, field, expected)
  }

  /**
   * submit validates, numbers and queues events as one atomic entry, and resolves with
   * their results once they are durable. Bad input throws here, synchronously, and takes
   * no sequence. Expected versions must have been prepared (append does that).
   */
  submit(
    inputs: unknown[],
    field = 'events',
    expected?: ExpectedVersions,
  ): Promise<AppendResult[]> {
    const log = this.writableLog()
    const keys = idempotencyKeys(inputs, field)
    const original = this.idempotency.find(keys)
    if (original) return original
    if (expected) this.versions.check(expected)
    const results: AppendResult[] = []
    const records: Buffer[] = []
    const aggregates: string[] = []
    let bytes = 0
    const first = log.next
    for (let i = 0; i < inputs.length; i++) {
      const sequence = first + i
      const { ns, ms } = this.clock.next()
      const eventId = formatEventId(ns, sequence, this.ctx.nodeId)
      const name = field === 'event' ? '' : `${field}[${i}]`
      const event = buildEvent(inputs[i], { sequence, eventId, appendedAtMs: ms }, name)
      const payload = encodeEvent(event, name)
      const header = {
        sequence,
        batchIndex: i,
        batchCount: inputs.length,
        payloadLength: payload.length,
      }
      records.push(encodeRecord(header, payload))
      aggregates.push(event.aggregate_id)
      bytes += payload.length
      results.push({ sequence, event_id: eventId })
    }
    if (bytes > BATCH_BYTES_MAX) {
      const detail = `encodes to ${bytes} bytes, over the limit of ${BATCH_BYTES_MAX} (BATCH_BYTES_MAX)`
      throw new ValidationError(field, detail, 'batch_too_large')
    }
    const durable = log.submit(records)
    this.versions.submitted(aggregates)
    this.idempotency.remember(keys, results, durable)
    return durable.then(() => results)
  }

  private writableLog(): AppendLog {
    if (this.closed) throw new StoreError('store_closed', 'The store is closed.')
    if (this.log && this.modeValue === 'writable') return this.log
    const code =
      this.modeValue === 'failed'
        ? 'store_failed'
        : this.modeValue === 'needs_recovery'
          ? 'needs_recovery'
          : 'read_only'
    const why = this.reasonValue ? ` (${this.reasonValue})` : ''
    throw new StoreError(
      code,
      `The store is ${this.modeValue.replace('_', ' ')} and refuses appends${why}.`,
    )
  }

  /** query answers one page of a query (see queryRunner.ts for how). */
  query(query: EventQuery = {}): Promise<QueryResult> {
    const segments = this.segments.map((s) => ({ ...s }))
    return this.noticeDamage(
      runQuery(
        query,
        segments,
        (segment, onRecord) => this.readSegment(segment, onRecord),
        this.indexes,
      ),
    )
  }

  /** noticeDamage puts the store into needs_recovery when a read finds damage. */
  private async noticeDamage<T>(reading: Promise<T>): Promise<T> {
    try {
      return await reading
    } catch (error) {
      if (error instanceof CorruptionError) this.setMode('needs_recovery', error.message)
      throw error
    }
  }

  /** getBySequence returns the event with that sequence, or null when there is none. */
  async getBySequence(sequence: number): Promise<StoredEvent | null> {
    if (!Number.isSafeInteger(sequence) || sequence < 1) {
      throw new ValidationError('sequence', 'must be a whole number of 1 or more')
    }
    const segment = this.segments.find(
      (s) => s.firstSequence <= sequence && sequence <= s.lastSequence,
    )
    if (!segment) return null
    if (!segment.sealed) {
      const { fs, dir } = this.ctx
      const atOffset = await this.noticeDamage(
        this.activeOffsets.get(fs, dir, { ...segment }, sequence),
      )
      if (atOffset !== undefined) return atOffset
    }
    // A sealed segment's index names the one gzip member to inflate.
    const viaIndex = await this.noticeDamage(this.indexes.findBySequence({ ...segment }, sequence))
    if (viaIndex !== undefined) return viaIndex
    let found: StoredEvent | null = null
    await this.readSegment({ ...segment }, (record) => {
      if (record.header.sequence !== sequence) return false
      found = decodeEvent(record.payload)
      return true
    })
    return found
  }

  /** getEvent returns the event with that id, or null; the id names its own sequence. */
  async getEvent(eventId: string): Promise<StoredEvent | null> {
    if (typeof eventId !== 'string' || eventId.length > ID_FIELD_CHARS_MAX) {
      throw new ValidationError(
        'event_id',
        `must be a string of at most ${ID_FIELD_CHARS_MAX} characters`,
      )
    }
    const parsed = parseEventId(eventId)
    if (!parsed) return null
    const event = await this.getBySequence(parsed.sequence)
    return event?.event_id === eventId ? event : null
  }

  /**
   * refresh (readers only) picks up what the writer process appended, rotated or sealed
   * since this reader opened or last refreshed, and hands the new events to the onAppend
   * listeners. Returns how many new events it found. An unfinished tail is left for later.
   */
  async refresh(): Promise<number> {
    if (this.log) return 0
    // One refresh at a time: a follower's file watcher and its timer may both ask for one.
    // A failure reaches this caller through `run`; the queue only keeps the order.
    const run = this.refreshQueue.then(() => this.refreshOnce())
    this.refreshQueue = run.catch(() => undefined)
    return run
  }

  /** Refreshes waiting or running, in order (readers only). */
  private refreshQueue: Promise<unknown> = Promise.resolve()
  /** What the last refresh saw, so the next one reads only what is new (readers only). */
  private readerView: ReaderRefresh | null = null

  /**
   * refreshOnce reads only what changed (see ReaderRefresh): the segment list is updated
   * before any listener hears of the new events, as on the append path.
   */
  private async refreshOnce(): Promise<number> {
    const before = this.lastSequence
    this.readerView ??= new ReaderRefresh(this.ctx.fs, this.ctx.dir, this.ctx.storeId)
    const { analysis, newest } = await this.readerView.refresh()
    if (analysis) {
      this.segments.splice(0, this.segments.length, ...segmentInfos(analysis))
      if (analysis.problems.some((problem) => problem.kind !== 'manifest')) {
        this.setMode('needs_recovery', describeProblems(analysis))
      }
    }
    const info = newest && this.segments.find((s) => s.segmentNumber === newest.segmentNumber)
    if (info && newest.lastSequence !== null) {
      info.records = newest.records
      info.lastSequence = newest.lastSequence
      info.bytes = newest.bytes
      info.rawBytes = newest.validEnd
    }
    const found = Math.max(0, this.lastSequence - before)
    if (found > 0 && this.appendListeners.size > 0) {
      // In bounded groups, so a reader that fell far behind never holds them all at once.
      const groups = inGroups((events) => {
        for (const listener of this.appendListeners) listener(events)
      })
      const add = (event: StoredEvent): void => groups.add(event)
      if (!(await this.readerView.readNewEvents(before + 1, add)))
        await this.readAll(add, before + 1)
      groups.flush()
    }
    return found
  }

  /**
   * files is where the store lives and the file system it is read through: subscriptions
   * read segments and keep consumer positions there, followers watch the directory.
   */
  get files(): { fs: FileSystem; dir: string } {
    return { fs: this.ctx.fs, dir: this.ctx.dir }
  }

  /** readAll calls `onEvent` for every stored event from `fromSequence` on, in order. */
  async readAll(onEvent: (event: StoredEvent) => void, fromSequence = 1): Promise<void> {
    for (const segment of this.segments.map((s) => ({ ...s }))) {
      if (segment.records === 0 || segment.lastSequence < fromSequence) continue
      await this.readSegment(segment, (record) => {
        if (record.header.sequence >= fromSequence) onEvent(decodeEvent(record.payload))
      })
    }
  }

  /** countEvents counts the stored events of each aggregate, up to a sequence. */
  private async countEvents(
    aggregates: Set<string>,
    throughSequence: number,
  ): Promise<Map<string, number>> {
    const counts = new Map<string, number>()
    await this.readAll((event) => {
      if (event.sequence <= throughSequence && aggregates.has(event.aggregate_id)) {
        counts.set(event.aggregate_id, (counts.get(event.aggregate_id) ?? 0) + 1)
      }
    })
    return counts
  }

  /**
   * rebuildIdempotency reads the newest segments back until the window is full, too old,
   * or IDEMPOTENCY_REBUILD_EVENTS_MAX events were read, and restores their keys.
   */
  private async rebuildIdempotency(): Promise<void> {
    const keyed: StoredEvent[] = []
    let read = 0
    for (const segment of [...this.segments].reverse()) {
      if (segment.records === 0) continue
      let oldestMs = Number.POSITIVE_INFINITY
      await this.readSegment({ ...segment }, (record) => {
        const event = decodeEvent(record.payload)
        oldestMs = Math.min(
          oldestMs,
          Number((parseEventId(event.event_id)?.timestampNs ?? 0n) / 1_000_000n),
        )
        if (event.idempotency_key !== undefined) keyed.push(event)
      })
      read += segment.records
      if (keyed.length >= IDEMPOTENCY_KEYS_MAX || read >= IDEMPOTENCY_REBUILD_EVENTS_MAX) break
      if (this.idempotency.isOutside(oldestMs)) break
    }
    keyed.sort((a, b) => a.sequence - b.sequence)
    for (const event of keyed) this.idempotency.restore(event)
  }

  /**
   * readSegment reads one segment's records. Damage found while reading (a sealed file
   * that no longer inflates, say) puts the store into needs_recovery before it is reported.
   */
  private async readSegment(
    segment: SegmentInfo,
    onRecord: Parameters<typeof readSegmentRecords>[3],
  ): Promise<void> {
    try {
      await readSegmentRecords(this.ctx.fs, this.ctx.dir, segment, onRecord)
    } catch (error) {
      if (error instanceof CorruptionError) this.setMode('needs_recovery', error.message)
      throw error
    }
  }

  inspect(): InspectReport {
    const withEvents = this.segments.filter((s) => s.records > 0)
    const report: InspectReport = {
      mode: this.modeValue,
      sla_level: 'NORMAL',
      first_sequence: withEvents[0]?.firstSequence ?? null,
      last_sequence: withEvents.at(-1)?.lastSequence ?? null,
      event_count: this.segments.reduce((sum, s) => sum + s.records, 0),
      bytes: this.segments.reduce((sum, s) => sum + s.bytes, 0),
      segments: this.segments.map((s) => ({
        name: s.name,
        sealed: s.sealed,
        first_sequence: s.records > 0 ? s.firstSequence : null,
        last_sequence: s.records > 0 ? s.lastSequence : null,
        records: s.records,
        bytes: s.bytes,
      })),
    }
    if (this.reasonValue) report.reason = this.reasonValue
    return report
  }

  /** close drains queued appends, finishes sealing, marks a clean shutdown, releases the lock. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    for (const listener of this.closeListeners) listener()
    if (this.log) {
      await this.log.close()
      await this.sealing
      if (this.modeValue === 'writable') {
        const { fs, dir, nodeId } = this.ctx
        await writeCleanMarker(
          fs,
          dir,
          this.log.segment,
          this.segments.at(-1)!,
          this.clock.last,
          nodeId,
          this.idempotency.snapshot(),
        )
      }
    }
    if (this.holdsLock) await releaseLock(this.ctx.fs, this.ctx.dir)
  }

  /** Resolves when every seal scheduled so far has finished (tests and tools use it). */
  async idle(): Promise<void> {
    await this.log?.drained()
    await this.sealing
  }

  /**
   * onAppend registers a listener for newly durable events: it is called once per group
   * commit, in sequence order, before the appends are acknowledged. Returns the function
   * that removes it. A listener must not throw or block: it runs on the append path.
   */
  onAppend(listener: AppendListener): () => void {
    this.appendListeners.add(listener)
    return () => this.appendListeners.delete(listener)
  }

  /** onClose registers a listener called when close() begins; returns its remover. */
  onClose(listener: () => void): () => void {
    this.closeListeners.add(listener)
    return () => this.closeListeners.delete(listener)
  }

  private durable(segment: ActiveSegment, records: readonly Buffer[]): void {
    this.updateActive(segment)
    const groupFirst = segment.firstSequence + segment.records - records.length
    const { segmentNumber, firstSequence, size } = segment
    this.activeOffsets.extendGroup(segmentNumber, firstSequence, groupFirst, records, size)
    if (this.appendListeners.size === 0) return
    const events = records.map((record) => decodeEvent(recordPayload(record)))
    for (const listener of this.appendListeners) listener(events)
  }

  private updateActive(segment: ActiveSegment): void {
    const info = this.segments.at(-1)!
    info.records = segment.records
    info.lastSequence = segment.firstSequence + segment.records - 1
    info.bytes = segment.size
    info.rawBytes = segment.size
  }

  private rotated(previous: ActiveSegment, next: ActiveSegment): void {
    this.updateActive(previous)
    this.segments.push(infoOf(next))
    this.scheduleSeal(previous.segmentNumber)
  }

  private setMode(mode: StoreMode, reason: string): void {
    this.modeValue = mode
    this.reasonValue = reason
  }

  /**
   * scheduleIndexRebuild rebuilds, off the append path and one at a time with sealing, the
   * index of each sealed segment whose index was missing, stale or damaged at open.
   */
  private scheduleIndexRebuild(manifests: readonly SegmentManifest[]): void {
    for (const manifest of manifests) {
      this.sealing = this.sealing.then(async () => {
        if (this.closed) return
        try {
          const built = await rebuildSegmentIndex(this.ctx.fs, this.ctx.dir, manifest)
          if (typeof built !== 'string') await this.indexes.load(manifest.segment_number, manifest)
        } catch (error) {
          // Derived data: the segment is scanned until a later open rebuilds its index.
          this.reasonValue = `rebuilding ${indexName(manifest.segment_number)} failed: ${(error as Error).message}`
        }
      })
    }
  }

  /** Sealing runs one segment at a time, off the append path. */
  private scheduleSeal(segmentNumber: number): void {
    this.sealing = this.sealing.then(async () => {
      try {
        const manifest = await sealSegment(
          this.ctx.fs,
          this.ctx.dir,
          segmentNumber,
          this.ctx.storeId,
          this.ctx.nowMs,
        )
        await this.indexes.load(segmentNumber, manifest)
        const info = this.segments.find((s) => s.segmentNumber === segmentNumber)
        if (info) {
          Object.assign(info, {
            sealed: true,
            name: sealedName(segmentNumber),
            bytes: manifest.gz_bytes,
            minTimeMs: Date.parse(manifest.min_timestamp),
            maxTimeMs: Date.parse(manifest.max_timestamp),
          })
        }
      } catch (error) {
        // The raw segment is still there and intact unless the error says otherwise.
        if (error instanceof CorruptionError) this.setMode('needs_recovery', error.message)
        else
          this.reasonValue = `sealing ${segmentLogName(segmentNumber)} failed: ${(error as Error).message}`
      }
    })
  }
}

/** segmentInfos is the readable view of an analysis: segments whose start is known. */
function segmentInfos(analysis: StoreAnalysis): SegmentInfo[] {
  return analysis.segments
    .filter((s) => s.firstSequence !== null)
    .map((s) => ({
      segmentNumber: s.segmentNumber,
      name: s.name,
      sealed: s.sealed,
      firstSequence: s.firstSequence!,
      lastSequence: s.lastSequence ?? s.firstSequence! - 1,
      records: s.records,
      bytes: s.bytes,
      rawBytes: s.validEnd,
      ...(s.manifest && s.records > 0
        ? {
            minTimeMs: Date.parse(s.manifest.min_timestamp),
            maxTimeMs: Date.parse(s.manifest.max_timestamp),
          }
        : {}),
    }))
}

function describeProblems(analysis: StoreAnalysis): string {
  return analysis.problems.map((p) => `${p.file} at byte ${p.offset}: ${p.reason}`).join('; ')
}

function infoOf(segment: ActiveSegment): SegmentInfo {
  return {
    segmentNumber: segment.segmentNumber,
    name: segmentLogName(segment.segmentNumber),
    sealed: false,
    firstSequence: segment.firstSequence,
    lastSequence: segment.firstSequence + segment.records - 1,
    records: segment.records,
    bytes: segment.size,
    rawBytes: segment.size,
  }
}

function clockFor(ctx: Context, analysis: StoreAnalysis): EventIdClock {
  const parsed = analysis.lastEventId ? parseEventId(analysis.lastEventId) : null
  return new EventIdClock(ctx.nowMs, parsed?.timestampNs ?? 0n)
}

/** A store whose creation was cut short leaves only store.json.tmp: that is still empty. */
async function hasEntries(fs: FileSystem, dir: string): Promise<boolean> {
  const names = await fs.readdir(dir)
  return names !== null && names.some((name) => name !== `${STORE_FILE}.tmp`)
}

/** writerIsActive tells whether a live process holds the writer lock. */
async function writerIsActive(fs: FileSystem, dir: string, options: OpenOptions): Promise<boolean> {
  const holder = await readHolder(fs, `${dir}/${LOCK_NAME}`)
  if (!holder) return false
  if (holder.host !== (options.hostname ?? os.hostname())) return true
  return (options.isAlive ?? processIsAlive)(holder.pid)
}
