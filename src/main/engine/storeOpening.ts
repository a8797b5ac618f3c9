import * as os from 'node:os'
import { resolve } from 'node:path'
import type { RecoveryReport, StoreMode } from '../../shared/report'
import type { FileSystem } from './fileSystem'
import { nodeFileSystem } from './nodeFileSystem'
import type { ActiveSegment } from './appendLog'
import type { StoreAnalysis } from './analyzeStore'
import { afterTailCut, analyzeStore } from './analyzeStore'
import { defaultNodeId, EventIdClock, parseEventId, validateNodeId } from './eventId'
import type { RepairContext } from './recovery'
import { rebuildManifests, removeLeftovers, repairFrom, writeRecoveryReport } from './recovery'
import { encodeSegmentHeader, SEGMENT_HEADER_BYTES } from './segmentHeader'
import { segmentLogName } from './segmentNames'
import { processIsAlive, readHolder, LOCK_NAME } from './storeLock'
import { createStoreDirectory, readIdentity, STORE_FILE } from './storeDirectory'
import { readCleanIdempotency, readCleanMarker, removeCleanMarker } from './cleanMarker'
import type { RememberedKey } from './idempotencyWindow'
import { readWindowBack } from './windowReadBack'
import type { StoreContext } from './storeState'
import type { LogStart } from './storeWrites'
import { CorruptionError, ValidationError } from './errors'
import { SEGMENT_AGE_MS_DEFAULT, SEGMENT_BYTES_DEFAULT, SEGMENT_BYTES_MIN } from './limits'

/**
 * Opening a store: everything EventStore.open decides before the store exists. Every open
 * accounts for every segment. A writer cuts a torn tail left by a crash (saving the bytes in
 * quarantine/ and reporting it); any other damage opens the store in `needs_recovery` mode,
 * read-only, until a repairing open (EventStore.recover) keeps the longest intact prefix.
 */

/** The options of EventStore.open that opening reads (see OpenOptions). */
export interface OpeningOptions {
  access?: 'write' | 'read'
  create?: boolean
  nodeId?: string
  segmentBytesMax?: number
  segmentAgeMs?: number
  fs?: FileSystem
  nowMs?: () => number
  hostname?: string
  isAlive?: (pid: number) => boolean
  /** Only `recover` sets it: repair every problem, not only a torn tail. */
  repair?: boolean
}

/** openContext resolves the directory and reads (or, when asked, creates) its identity. */
export async function openContext(path: string, options: OpeningOptions): Promise<StoreContext> {
  const dir = resolve(path)
  const fs = options.fs ?? nodeFileSystem
  const nowMs = options.nowMs ?? Date.now
  const nodeId = validateNodeId(options.nodeId ?? defaultNodeId(options.hostname ?? os.hostname()))
  const identity =
    options.create && (options.access ?? 'write') === 'write' && !(await hasEntries(fs, dir))
      ? await createStoreDirectory(fs, dir, nowMs)
      : await readIdentity(fs, dir)
  return { fs, dir, identity, storeId: Buffer.from(identity.store_id, 'hex'), nowMs, nodeId }
}

/** ReaderOpening is what a reader's open found. */
export interface ReaderOpening {
  analysis: StoreAnalysis
  mode: StoreMode
}

/** analyzeForReader looks at the store without changing anything. */
export async function analyzeForReader(
  ctx: StoreContext,
  options: OpeningOptions,
): Promise<ReaderOpening> {
  const analysis = await analyzeStore(ctx.fs, ctx.dir, {
    storeId: ctx.storeId,
    deep: false,
    checkDigest: true,
    writerActive: await writerIsActive(ctx.fs, ctx.dir, options),
    knownLog: (n) => readCleanMarker(ctx.fs, ctx.dir, n),
  })
  const damaged = analysis.problems.some((problem) => problem.kind !== 'manifest')
  return { analysis, mode: damaged ? 'needs_recovery' : 'read_only' }
}

/** WriterOpening is what a writer's open found and repaired. */
export interface WriterOpening extends ReaderOpening {
  report: RecoveryReport | null
  /**
   * The idempotency window of a writable store: the one the last clean close saved, when it
   * still applies, or else the one read back from the log. Null when the store is not writable.
   */
  window: RememberedKey[] | null
}

/**
 * prepareWriter analyzes the store as its writer (who holds the lock), removes the clean
 * marker before anything is written, and repairs what it may: a torn tail always, anything
 * when `repair` is set. It reports whatever it repaired or found. For a writable store it
 * also has the idempotency window: saved by a clean close, or read back from the log.
 */
export async function prepareWriter(
  ctx: StoreContext,
  options: OpeningOptions,
): Promise<WriterOpening> {
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
    const done = await repairFrom(repairCtx, analysis, first)
    // A cut torn tail leaves the log as scanned up to the cut: it need not be read again.
    analysis = !repair && done === 'truncated' ? afterTailCut(analysis) : await analyze()
  }
  // A window saved before a repair may name events that are gone.
  let window = repairCtx.actions.length === 0 ? cleanWindow : null
  if (analysis.problems.length === 0 && window === null) {
    window = await readWindowFrom(ctx, analysis)
  }
  const mode: StoreMode = analysis.problems.length > 0 ? 'needs_recovery' : 'writable'
  const report =
    repair || repairCtx.actions.length > 0 || analysis.problems.length > 0
      ? await writeRecoveryReport(repairCtx, startedAt, analysis.problems, mode)
      : null
  return { analysis, mode, report, window: mode === 'writable' ? window : null }
}

/**
 * readWindowFrom reads the idempotency window back from the log. Damage found on the way
 * (a sealed file that no longer inflates) is a problem of the analysis, so the store opens
 * in needs_recovery and the recovery report names it.
 */
async function readWindowFrom(
  ctx: StoreContext,
  analysis: StoreAnalysis,
): Promise<RememberedKey[] | null> {
  try {
    return await readWindowBack(ctx.fs, ctx.dir, analysis.segments, ctx.nowMs())
  } catch (error) {
    if (!(error instanceof CorruptionError)) throw error
    const segmentIndex = analysis.segments.findIndex((s) => s.name === error.segment)
    analysis.problems.push({
      kind: 'corrupt',
      file: error.segment,
      offset: error.offset,
      reason: error.reason,
      segmentIndex,
    })
    return null
  }
}

/** openActiveSegment opens the newest raw segment for appending, or starts a new one. */
export async function openActiveSegment(
  ctx: StoreContext,
  options: OpeningOptions,
  analysis: StoreAnalysis,
): Promise<LogStart> {
  const segmentBytesMax = options.segmentBytesMax ?? SEGMENT_BYTES_DEFAULT
  if (!Number.isSafeInteger(segmentBytesMax) || segmentBytesMax < SEGMENT_BYTES_MIN) {
    throw new ValidationError(
      'segment_bytes',
      `must be a whole number of at least ${SEGMENT_BYTES_MIN} (SEGMENT_BYTES_MIN)`,
    )
  }
  const segmentAgeMs = options.segmentAgeMs ?? SEGMENT_AGE_MS_DEFAULT
  const newest = analysis.segments.at(-1)
  const nextSequence = (newest?.lastSequence ?? 0) + 1
  if (newest && !newest.sealed && newest.firstSequence !== null) {
    const handle = await ctx.fs.open(`${ctx.dir}/${newest.name}`, 'readwrite')
    const active: ActiveSegment = {
      segmentNumber: newest.segmentNumber,
      handle,
      size: newest.validEnd,
      firstSequence: newest.firstSequence,
      records: newest.records,
      createdAtMs: newest.createdAtMs,
    }
    const segmentNumberMax = analysis.segmentNumberMax
    return { active, created: false, nextSequence, segmentNumberMax, segmentBytesMax, segmentAgeMs }
  }
  const segmentNumber = analysis.segmentNumberMax + 1
  const createdAtMs = ctx.nowMs()
  const header = encodeSegmentHeader({
    segmentNumber,
    firstSequence: nextSequence,
    createdAtMs,
    storeId: ctx.storeId,
  })
  const handle = await ctx.fs.create(`${ctx.dir}/${segmentLogName(segmentNumber)}`)
  await handle.write([header], 0)
  await handle.datasync()
  await ctx.fs.syncDir(ctx.dir)
  const active: ActiveSegment = {
    segmentNumber,
    handle,
    size: SEGMENT_HEADER_BYTES,
    firstSequence: nextSequence,
    records: 0,
    createdAtMs,
  }
  return {
    active,
    created: true,
    nextSequence,
    segmentNumberMax: segmentNumber,
    segmentBytesMax,
    segmentAgeMs,
  }
}

/** clockFor continues the event id clock after the newest stored id. */
export function clockFor(ctx: StoreContext, analysis: StoreAnalysis): EventIdClock {
  const parsed = analysis.lastEventId ? parseEventId(analysis.lastEventId) : null
  return new EventIdClock(ctx.nowMs, parsed?.timestampNs ?? 0n)
}

/** writerIsActive tells whether a live process holds the writer lock. */
export async function writerIsActive(
  fs: FileSystem,
  dir: string,
  options: OpeningOptions,
): Promise<boolean> {
  const holder = await readHolder(fs, `${dir}/${LOCK_NAME}`)
  if (!holder) return false
  if (holder.host !== (options.hostname ?? os.hostname())) return true
  return (options.isAlive ?? processIsAlive)(holder.pid)
}

/** A store whose creation was cut short leaves only store.json.tmp: that is still empty. */
async function hasEntries(fs: FileSystem, dir: string): Promise<boolean> {
  const names = await fs.readdir(dir)
  return names !== null && names.some((name) => name !== `${STORE_FILE}.tmp`)
}
