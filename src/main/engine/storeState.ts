import type { StoredEvent } from '../../shared/event'
import type { InspectReport, StoreMode } from '../../shared/report'
import type { SlaLevel } from '../../shared/sla'
import type { FileSystem } from './fileSystem'
import type { ActiveSegment } from './appendLog'
import type { StoreAnalysis } from './analyzeStore'
import type { SegmentManifest } from './manifest'
import type { StoreIdentity } from './storeDirectory'
import type { SegmentInfo } from './segmentReader'
import { readSegmentRecords } from './segmentReader'
import { sealedName, segmentLogName } from './segmentNames'
import { CorruptionError } from './errors'

/** StoreContext is what an open store was opened with: where it is and whose it is. */
export interface StoreContext {
  fs: FileSystem
  dir: string
  identity: StoreIdentity
  storeId: Buffer
  nowMs: () => number
  nodeId: string
}

/** AppendListener receives each group of newly durable events, in order. */
export type AppendListener = (events: readonly StoredEvent[]) => void

/** AppendCountListener hears how many events were newly stored, without the events. */
export type AppendCountListener = (count: number) => void

/** ModeListener hears of each change of the store mode, with the reason. */
export type ModeListener = (mode: StoreMode, reason: string) => void

/**
 * StoreState is what the parts of one open store share: its mode, its segment list and
 * the listeners of new events. The write path, the read path, sealing and a reader's
 * refresh each change it; every change of mode goes through `setMode`, so damage found by
 * any of them makes the whole store read-only at once.
 */
export class StoreState {
  mode: StoreMode
  reason: string | null = null
  closed = false
  /** The readable segments in sequence order; the last is the active (or newest) one. */
  readonly segments: SegmentInfo[]
  readonly appendListeners = new Set<AppendListener>()
  readonly appendCountListeners = new Set<AppendCountListener>()
  readonly modeListeners = new Set<ModeListener>()

  constructor(
    readonly ctx: StoreContext,
    analysis: StoreAnalysis,
    mode: StoreMode,
  ) {
    this.mode = mode
    this.segments = segmentInfos(analysis)
    if (analysis.problems.length > 0) this.reason = describeProblems(analysis)
  }

  get lastSequence(): number {
    return this.segments.at(-1)?.lastSequence ?? 0
  }

  /** setMode changes the mode; listeners hear only of a change, not of the same mode again. */
  setMode(mode: StoreMode, reason: string): void {
    const changed = mode !== this.mode
    this.mode = mode
    this.reason = reason
    if (changed) for (const listener of this.modeListeners) listener(mode, reason)
  }

  /** notify hands newly stored events to every append listener. */
  notify(events: readonly StoredEvent[]): void {
    for (const listener of this.appendListeners) listener(events)
  }

  /** notifyCount tells every append count listener how many events were newly stored. */
  notifyCount(count: number): void {
    for (const listener of this.appendCountListeners) listener(count)
  }

  /** noticeDamage puts the store into needs_recovery when a read finds damage. */
  async noticeDamage<T>(reading: Promise<T>): Promise<T> {
    try {
      return await reading
    } catch (error) {
      if (error instanceof CorruptionError) this.setMode('needs_recovery', error.message)
      throw error
    }
  }

  /**
   * readSegment reads one segment's records. Damage found while reading (a sealed file
   * that no longer inflates, say) puts the store into needs_recovery before it is reported.
   */
  readSegment(
    segment: SegmentInfo,
    onRecord: Parameters<typeof readSegmentRecords>[3],
  ): Promise<void> {
    return this.noticeDamage(readSegmentRecords(this.ctx.fs, this.ctx.dir, segment, onRecord))
  }

  /** updateActive copies the append log's view of the active segment into the list. */
  updateActive(segment: ActiveSegment): void {
    const info = this.segments.at(-1)!
    info.records = segment.records
    info.lastSequence = segment.firstSequence + segment.records - 1
    info.bytes = segment.size
    info.rawBytes = segment.size
  }

  /** addActive lists a segment the append log just created. */
  addActive(segment: ActiveSegment): void {
    this.segments.push(infoOf(segment))
  }

  /** replace takes a fresh analysis's segment list (a reader's refresh). */
  replace(analysis: StoreAnalysis): void {
    this.segments.splice(0, this.segments.length, ...segmentInfos(analysis))
    if (analysis.problems.some((problem) => problem.kind !== 'manifest')) {
      this.setMode('needs_recovery', describeProblems(analysis))
    }
  }

  /** sealed records that a segment is now its sealed file. */
  sealed(segmentNumber: number, manifest: SegmentManifest): void {
    const info = this.segments.find((s) => s.segmentNumber === segmentNumber)
    if (!info) return
    Object.assign(info, {
      sealed: true,
      name: sealedName(segmentNumber),
      bytes: manifest.gz_bytes,
      minTimeMs: Date.parse(manifest.min_timestamp),
      maxTimeMs: Date.parse(manifest.max_timestamp),
    })
  }

  /** inspect reports the segments and the mode; the SLA level is the monitor's. */
  inspect(slaLevel: SlaLevel): InspectReport {
    const withEvents = this.segments.filter((s) => s.records > 0)
    const report: InspectReport = {
      mode: this.mode,
      sla_level: slaLevel,
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
    if (this.reason) report.reason = this.reason
    return report
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
