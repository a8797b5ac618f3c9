import type { StoredEvent } from '../../shared/event'
import type { FileSystem } from './fileSystem'
import { isCode } from './fileSystem'
import { fileSource } from './byteSource'
import { analyzeStore } from './analyzeStore'
import type { StoreAnalysis } from './analyzeStore'
import type { SegmentCheck } from './segmentCheck'
import { checkLog, checkSealed } from './segmentCheck'
import { walkRecords } from './recordIterator'
import { parseSegmentFileName } from './segmentNames'
import { CorruptionError, StoreError } from './errors'
import { decodeEvent } from './eventCodec'
import { REFRESH_ATTEMPTS_MAX, REFRESH_GROUP_EVENTS_MAX } from './limits'

/**
 * ReaderRefresh keeps a reader's view of a store that another process writes, at the cost
 * of what changed: while the set of segment files stays the same, a refresh reads only the
 * bytes appended to the newest raw log since the last one (from its previous valid end), and
 * a file size that did not change costs one `stat`. Only a changed set of segment files
 * (rotation, sealing, recovery) re-analyzes the store, and even then raw logs already read
 * to their end are not read again.
 *
 * Only complete batches count: a record or batch still being written is waited for, never
 * reported as damage. A record that is not valid (rather than unfinished) makes the next
 * analysis read the newest log again from its start, which tells a torn tail (ignored while
 * a writer may still be writing it) from damage (the store turns needs_recovery).
 *
 * A follower reads bytes before the writer's fdatasync returns, so it may see an event a
 * moment before the writer acknowledges it; a crash of the operating system (not of the
 * writer) could still lose such an event.
 */
export interface RefreshView {
  /** A fresh analysis of the whole store, when one was needed. */
  analysis: StoreAnalysis | null
  /** The newest raw log as far as complete batches go, or null when there is none. */
  newest: SegmentCheck | null
}

/** Where a scan of the newest log started: the record of `sequence` is at `offset`. */
interface ScanStart {
  segmentNumber: number
  offset: number
  sequence: number
}

export class ReaderRefresh {
  /** The segment file names the last analysis saw, joined: a change means re-analyze. */
  private filesKey: string | null = null
  /** The newest raw log, known up to `validEnd`; `bytes` is its size when last looked at. */
  private newest: SegmentCheck | null = null
  /** Raw logs that are no longer the newest: finished, so their check stays true. */
  private readonly finished = new Map<number, SegmentCheck>()
  /** Where the last refresh began reading the newest log, so its events are read from there. */
  private scanStart: ScanStart | null = null

  constructor(
    private readonly fs: FileSystem,
    private readonly dir: string,
    private readonly storeId: Buffer,
  ) {}

  /** refresh looks at the directory again; a file that vanishes under it makes it start over. */
  async refresh(): Promise<RefreshView> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.refreshOnce()
      } catch (error) {
        if (!isCode(error, 'ENOENT') || attempt >= REFRESH_ATTEMPTS_MAX) throw error
        this.filesKey = null
      }
    }
  }

  /**
   * readNewEvents hands over the events from `fromSequence` on when the last refresh found
   * them all in the newest log, reading from where that refresh began instead of the log's
   * start. It answers false when it cannot (the caller then reads them the long way).
   */
  async readNewEvents(
    fromSequence: number,
    onEvent: (event: StoredEvent) => void,
  ): Promise<boolean> {
    const start = this.scanStart
    const newest = this.newest
    if (!start || !newest || start.segmentNumber !== newest.segmentNumber) return false
    if (start.sequence > fromSequence) return false
    let handle
    try {
      handle = await this.fs.open(`${this.dir}/${newest.name}`, 'read')
    } catch (error) {
      if (isCode(error, 'ENOENT')) return false
      throw error
    }
    const source = fileSource(handle, newest.validEnd)
    try {
      const end = await walkRecords(source, start.offset, false, (record) => {
        if (record.header.sequence >= fromSequence) onEvent(decodeEvent(record.payload))
      })
      if (end.kind !== 'end')
        throw new CorruptionError(newest.name, end.offset, 'a record read before changed since')
    } finally {
      await source.close()
    }
    return true
  }

  private async refreshOnce(): Promise<RefreshView> {
    this.scanStart = null
    const names = await this.segmentFiles()
    let analysis: StoreAnalysis | null = null
    if (names.join('/') !== this.filesKey) analysis = await this.analyze(names, true)
    const tail = await this.scanTail()
    if (tail === 'changed') {
      // A record that is not valid, or a log shorter than what was read: look at it all again.
      analysis = await this.analyze(await this.segmentFiles(), false)
    }
    return { analysis, newest: this.newest && { ...this.newest } }
  }

  /**
   * analyze re-analyzes the store, reusing what is known of raw logs (`reuseNewest` lets the
   * newest log's known prefix stand too). Every log it does read is checked here, so a log
   * sealed and removed under it is read from its sealed file instead of failing the refresh.
   * When the directory changed between listing it here and the analysis listing it again,
   * the analysis is made again without the newest log's prefix: an older log may have grown
   * before the writer moved on from it.
   */
  private async analyze(names: string[], reuseNewest: boolean): Promise<StoreAnalysis> {
    const newestNumber = highestSegmentNumber(names)
    const known = reuseNewest ? this.newest : null
    const options = { storeId: this.storeId, deep: false, checkDigest: true, writerActive: true }
    const analyzeWith = (newest: number | null, prefix: SegmentCheck | null) =>
      analyzeStore(this.fs, this.dir, {
        ...options,
        knownLog: async (segmentNumber) => {
          if (segmentNumber !== newest) {
            return (await this.finishedLog(segmentNumber)) ?? this.checkFinished(segmentNumber)
          }
          if (prefix?.segmentNumber === segmentNumber) return { ...prefix }
          return this.checkSegment(segmentNumber, true)
        },
      })
    let analysis = await analyzeWith(newestNumber, known)
    const seenNewest = analysis.segments.at(-1)?.segmentNumber ?? null
    if (seenNewest !== newestNumber) analysis = await analyzeWith(seenNewest, null)
    this.remember(analysis)
    this.filesKey =
      (await this.segmentFiles()).join('/') === names.join('/') ? names.join('/') : null
    return analysis
  }

  /**
   * finishedLog is the known check of a raw log the writer moved on from. It stays true
   * while the file keeps its size, and after the file is gone too: it was sealed, and a
   * reader looking for it then reads the sealed file.
   */
  private async finishedLog(segmentNumber: number): Promise<SegmentCheck | null> {
    const check = this.finished.get(segmentNumber)
    if (!check) return null
    const size = await this.fs.size(`${this.dir}/${check.name}`)
    return size === null || size === check.bytes ? { ...check } : null
  }

  /** checkFinished reads a raw log that is not the newest, and remembers it when intact. */
  private async checkFinished(segmentNumber: number): Promise<SegmentCheck> {
    const check = await this.checkSegment(segmentNumber, false)
    if (!check.sealed && !check.damage && check.firstSequence !== null) {
      this.finished.set(segmentNumber, check)
    }
    return check
  }

  /** checkSegment reads a raw log, or its sealed file when it was sealed since it was listed. */
  private async checkSegment(segmentNumber: number, newest: boolean): Promise<SegmentCheck> {
    const options = { storeId: this.storeId, deep: false, checkDigest: true }
    try {
      return await checkLog(this.fs, this.dir, segmentNumber, {
        ...options,
        mayHaveTornTail: newest,
      })
    } catch (error) {
      if (!isCode(error, 'ENOENT')) throw error
      return checkSealed(this.fs, this.dir, segmentNumber, { ...options, mayHaveTornTail: false })
    }
  }

  /** remember keeps the checks of finished raw logs and the newest log's known prefix. */
  private remember(analysis: StoreAnalysis): void {
    const logs = analysis.segments.filter((s) => !s.sealed)
    const newest = analysis.segments.at(-1)
    this.finished.clear()
    for (const log of logs) {
      if (log !== newest && !log.damage && log.firstSequence !== null) {
        this.finished.set(log.segmentNumber, log)
      }
    }
    const readable = newest && !newest.sealed && newest.firstSequence !== null
    this.newest = readable && newest.damage?.kind !== 'corrupt' ? { ...newest } : null
  }

  /**
   * scanTail reads the newest log from its valid end to its current size and takes every
   * complete batch it finds. `changed` means what it found needs a full look.
   */
  private async scanTail(): Promise<'ok' | 'changed'> {
    const known = this.newest
    if (!known) return 'ok'
    const size = await this.fs.size(`${this.dir}/${known.name}`)
    // Gone: it was sealed after a rotation, and the next listing shows the new files.
    if (size === null) return 'ok'
    if (size === known.bytes && size >= known.validEnd) return 'ok'
    if (size < known.validEnd) return 'changed'
    const handle = await this.fs.open(`${this.dir}/${known.name}`, 'read')
    const sequence = (known.lastSequence ?? 0) + 1
    this.scanStart = { segmentNumber: known.segmentNumber, offset: known.validEnd, sequence }
    const source = fileSource(handle, size)
    let expected = (known.lastSequence ?? 0) + 1
    let batchRecords = 0
    let batchSize = 0
    let sound = true
    try {
      const end = await walkRecords(source, known.validEnd, true, (record) => {
        const { sequence, batchIndex, batchCount } = record.header
        const sameBatch = batchRecords === 0 || batchCount === batchSize
        if (sequence !== expected + batchRecords || batchIndex !== batchRecords || !sameBatch) {
          sound = false
          return true
        }
        batchSize = batchCount
        batchRecords++
        if (batchIndex < batchCount - 1) return false
        known.records += batchRecords
        known.lastSequence = sequence
        known.validEnd = record.end
        known.lastPayload = Buffer.from(record.payload)
        expected = sequence + 1
        batchRecords = 0
        return false
      })
      known.bytes = size
      // An unfinished record is a writer at work: wait for it. Anything else needs a full look.
      return sound && end.kind !== 'bad' ? 'ok' : 'changed'
    } finally {
      await source.close()
    }
  }

  private async segmentFiles(): Promise<string[]> {
    const names = await this.fs.readdir(this.dir)
    if (names === null) {
      throw new StoreError(
        'not_a_store',
        `The store directory ${this.dir} is gone: it was moved or removed.`,
      )
    }
    return names.filter((name) => parseSegmentFileName(name) !== null).sort()
  }
}

function highestSegmentNumber(names: readonly string[]): number | null {
  const numbers = names.map((name) => parseSegmentFileName(name)?.segmentNumber ?? 0)
  return numbers.length > 0 ? Math.max(...numbers) : null
}

/** EventGroups collects events and passes them on in groups of at most a bound. */
export interface EventGroups {
  add(event: StoredEvent): void
  /** Passes on what is left. */
  flush(): void
}

export function inGroups(
  onGroup: (events: StoredEvent[]) => void,
  groupEventsMax = REFRESH_GROUP_EVENTS_MAX,
): EventGroups {
  let group: StoredEvent[] = []
  const flush = (): void => {
    if (group.length === 0) return
    const events = group
    group = []
    onGroup(events)
  }
  return {
    add(event) {
      group.push(event)
      if (group.length >= groupEventsMax) flush()
    },
    flush,
  }
}
