import type { StoredEvent } from '../../shared/event'
import type { FileSystem } from './fileSystem'
import { readRange } from './fileSystem'
import type { SegmentManifest } from './manifest'
import { decodeManifest } from './manifest'
import type { CompiledFilter } from './eventFilter'
import type { IndexSummary } from './segmentIndex'
import {
  decodeIndexSummary,
  INDEX_FIELDS,
  indexedSegmentOf,
  indexName,
  lookupPostings,
  MEMBER_STRIDE,
  sameSegment,
} from './segmentIndex'
import type { SegmentIndexReader, SegmentMatches, SegmentPlan } from './indexPlanner'
import type { MatchRun } from './matchRuns'
import { runSize, sliceRange } from './matchRuns'
import { candidateSequences, memberOf, membersToRead, READ_WHOLE } from './indexPlanner'
import type { SegmentInfo } from './segmentReader'
import { manifestName, sealedName } from './segmentNames'
import { FileHandles } from './fileHandles'
import { SealedMembers } from './sealedMembers'
import { decodeEvent } from './eventCodec'
import { crc32c } from './crc32c'
import { INDEX_CACHE_BYTES_MAX, MEMBER_CACHE_BYTES_MAX, OPEN_FILES_MAX } from './limits'

/**
 * SegmentIndexes holds, per sealed segment, only the summary of its index (identity,
 * member table, where each field's postings lie): a few bytes per gzip member, nothing per
 * event. Postings are read from the index file when a query needs them and kept in a cache
 * bounded by INDEX_CACHE_BYTES_MAX; members read through the index are inflated once and
 * kept within MEMBER_CACHE_BYTES_MAX (see SealedMembers). An index is used only while its
 * identity matches the segment exactly; a missing, stale or damaged one is ignored and the
 * segment is scanned. Loading or forgetting a segment's index (it was sealed, resealed or
 * removed) drops its cached postings and members too.
 */
export class SegmentIndexes implements SegmentIndexReader {
  /** A summary, or why the segment's index is not usable. */
  private readonly summaries = new Map<number, IndexSummary | string>()
  private readonly sections: SectionCache
  /** Gzip members read through the indexes, with the cache of inflated ones. */
  readonly members: SealedMembers
  /** Sealed segments and index files stay open between reads (OPEN_FILES_MAX). */
  private readonly handles: FileHandles

  constructor(
    private readonly fs: FileSystem,
    private readonly dir: string,
    cacheBytesMax = INDEX_CACHE_BYTES_MAX,
    memberCacheBytesMax = MEMBER_CACHE_BYTES_MAX,
  ) {
    this.sections = new SectionCache(cacheBytesMax)
    this.handles = new FileHandles(fs, OPEN_FILES_MAX)
    this.members = new SealedMembers(this.handles, dir, memberCacheBytesMax)
  }

  /** close closes the files kept open for reading. */
  close(): Promise<void> {
    return this.handles.close()
  }

  /**
   * load reads a segment's index file and checks it against the manifest (read from disk
   * when not given). Returns null when the index is usable, or why it is not.
   */
  async load(segmentNumber: number, manifest?: SegmentManifest | null): Promise<string | null> {
    await this.forgetFiles(segmentNumber)
    const reason = await this.read(segmentNumber, manifest ?? (await this.manifest(segmentNumber)))
    if (typeof reason !== 'string') {
      this.summaries.set(segmentNumber, reason)
      return null
    }
    this.summaries.set(segmentNumber, reason)
    return reason
  }

  /** forget drops what is known of a segment's index (it was removed or replaced). */
  async forget(segmentNumber: number): Promise<void> {
    this.summaries.delete(segmentNumber)
    await this.forgetFiles(segmentNumber)
  }

  /** forgetFiles drops the cached postings, members and open files of a segment. */
  private async forgetFiles(segmentNumber: number): Promise<void> {
    this.sections.forget(segmentNumber)
    this.members.cache.forget(segmentNumber)
    await this.handles.forget(`${this.dir}/${indexName(segmentNumber)}`)
    await this.handles.forget(`${this.dir}/${sealedName(segmentNumber)}`)
  }

  /** status says whether a segment's index is in use, or why not (tests and tools). */
  status(segmentNumber: number): string | undefined {
    const summary = this.summaries.get(segmentNumber)
    return typeof summary === 'object' ? 'usable' : summary
  }

  /** Bytes of postings held in the cache now. */
  get cachedBytes(): number {
    return this.sections.bytes
  }

  async planSegment(segment: SegmentInfo, filter: CompiledFilter): Promise<SegmentPlan> {
    const summary = await this.usable(segment)
    if (!summary) return READ_WHOLE
    const used: string[] = []
    let candidates: number[] | null = null
    if (filter.exact.length > 0) {
      const clauses: number[][][] = []
      for (const { field, values } of filter.exact) {
        const section = await this.section(summary, INDEX_FIELDS.indexOf(field))
        if (!section) return READ_WHOLE
        clauses.push([...values].map((v) => lookupPostings(section, v, summary.firstSequence)))
        used.push(`segment index: ${field}`)
      }
      candidates = candidateSequences(clauses)
      if (candidates.length === 0) {
        const fields = filter.exact.map((clause) => clause.field).join(' and ')
        return { skip: `segment index: no event matches ${fields}`, used }
      }
    }
    const members = membersToRead(summary, filter, candidates)
    const membersTotal = summary.members.length / MEMBER_STRIDE
    if (members.length === 0) {
      used.push('segment index: member time ranges')
      return { skip: 'segment index: no gzip member matches the sequence and time range', used }
    }
    if (members.length === membersTotal) return { skip: null, used }
    used.push('segment index: gzip members')
    return {
      skip: null,
      used,
      membersRead: members.length,
      membersTotal,
      read: (onRecord) => {
        // A record that is no candidate fails an exact clause: it is not even decoded.
        let next = 0
        return this.members.walk(summary, members, (record) => {
          if (!candidates) return onRecord(record)
          const sequence = record.header.sequence
          while (next < candidates.length && candidates[next]! < sequence) next++
          if (candidates[next] === sequence) return onRecord(record)
        })
      },
    }
  }

  async matchSegment(segment: SegmentInfo, filter: CompiledFilter): Promise<SegmentMatches | null> {
    const summary = await this.usable(segment)
    // Ranges stand for every sequence between two: only for a segment without gaps.
    if (!summary || summary.records !== summary.lastSequence - summary.firstSequence + 1) {
      return null
    }
    const used: string[] = ['segment index: counted from postings']
    let candidates: number[] | null = null
    if (filter.exact.length > 0) {
      const clauses: number[][][] = []
      for (const { field, values } of filter.exact) {
        const section = await this.section(summary, INDEX_FIELDS.indexOf(field))
        if (!section) return null
        clauses.push([...values].map((v) => lookupPostings(section, v, summary.firstSequence)))
        used.push(`segment index: ${field}`)
      }
      candidates = candidateSequences(clauses)
    }
    const from = Math.max(filter.fromSequence, summary.firstSequence)
    const to = Math.min(filter.toSequence, summary.lastSequence)
    if (filter.afterMs === null && filter.beforeMs === null) {
      const run = candidates ? sliceRange(candidates, from, to) : { first: from, last: to }
      const runs = from <= to && runSize(run) > 0 ? [run] : []
      return { skip: runs.length > 0 ? null : noMatch(filter), runs, read: null, used }
    }
    used.push('segment index: member time ranges')
    const runs: MatchRun[] = []
    const straddling: number[] = []
    const count = summary.members.length / MEMBER_STRIDE
    for (let i = 0; i < count; i++) {
      const at = i * MEMBER_STRIDE
      const first = Math.max(from, summary.members[at]!)
      const last = Math.min(
        to,
        (summary.members[at + MEMBER_STRIDE] ?? summary.lastSequence + 1) - 1,
      )
      const minTimeMs = summary.members[at + 3]!
      const maxTimeMs = summary.members[at + 4]!
      if (first > last) continue
      if (filter.afterMs !== null && !(maxTimeMs > filter.afterMs)) continue
      if (filter.beforeMs !== null && !(minTimeMs < filter.beforeMs)) continue
      const run = candidates ? sliceRange(candidates, first, last) : { first, last }
      if (runSize(run) === 0) continue
      // Every event time parses (appends validate it), so a member wholly inside the bounds
      // matches on time throughout; one that straddles a bound must be read.
      const inside =
        (filter.afterMs === null || minTimeMs > filter.afterMs) &&
        (filter.beforeMs === null || maxTimeMs < filter.beforeMs)
      if (inside) runs.push(run)
      else straddling.push(i)
    }
    const read: SegmentPlan['read'] = (onRecord) => this.members.walk(summary, straddling, onRecord)
    if (straddling.length > 0) used.push('segment index: gzip members')
    const none = runs.length === 0 && straddling.length === 0
    return {
      skip: none ? 'segment index: no gzip member matches the sequence and time range' : null,
      runs,
      read: straddling.length > 0 ? read : null,
      used,
    }
  }

  async readSequences(
    segment: SegmentInfo,
    sequences: readonly number[],
  ): Promise<Map<number, StoredEvent> | null> {
    const summary = await this.usable(segment)
    if (!summary) return null
    const found = new Map<number, StoredEvent>()
    await this.members.pick(
      summary,
      sequences,
      (sequence) => memberOf(summary, sequence),
      (record) => found.set(record.header.sequence, decodeEvent(record.payload)),
    )
    return found
  }

  /**
   * findBySequence inflates only the gzip member that holds `sequence` and returns its
   * event (null when there is none), or undefined when the segment has no usable index.
   */
  async findBySequence(
    segment: SegmentInfo,
    sequence: number,
  ): Promise<StoredEvent | null | undefined> {
    const summary = await this.usable(segment)
    if (!summary) return undefined
    let found: StoredEvent | null = null
    await this.members.pick(
      summary,
      [sequence],
      (at) => memberOf(summary, at),
      (record) => (found = decodeEvent(record.payload)),
    )
    return found
  }

  /** usable returns the summary when the index describes exactly this sealed segment. */
  private async usable(segment: SegmentInfo): Promise<IndexSummary | null> {
    if (!segment.sealed || segment.records === 0) return null
    if (!this.summaries.has(segment.segmentNumber)) await this.load(segment.segmentNumber)
    const summary = this.summaries.get(segment.segmentNumber)
    if (typeof summary !== 'object') return null
    const matches =
      summary.firstSequence === segment.firstSequence &&
      summary.lastSequence === segment.lastSequence &&
      summary.records === segment.records &&
      summary.rawBytes === segment.rawBytes &&
      summary.gzBytes === segment.bytes
    return matches ? summary : null
  }

  private async read(
    segmentNumber: number,
    manifest: SegmentManifest | null,
  ): Promise<IndexSummary | string> {
    if (!manifest) return 'the segment has no valid manifest'
    const bytes = await this.fs
      .readFile(`${this.dir}/${indexName(segmentNumber)}`)
      .catch(() => null)
    if (!bytes) return 'index is missing'
    const summary = decodeIndexSummary(bytes)
    if (typeof summary === 'string') return summary
    const segment = indexedSegmentOf(manifest)
    if (segment.segmentNumber !== segmentNumber || !sameSegment(summary, segment)) {
      return 'index is stale: it describes another segment'
    }
    return summary
  }

  private async manifest(segmentNumber: number): Promise<SegmentManifest | null> {
    const path = `${this.dir}/${manifestName(segmentNumber)}`
    const bytes = await this.fs.readFile(path).catch(() => null)
    const manifest = bytes ? decodeManifest(bytes) : null
    return typeof manifest === 'object' ? manifest : null
  }

  /** section returns one field's postings section, checked by its CRC-32C, or null. */
  private async section(summary: IndexSummary, field: number): Promise<Buffer | null> {
    const cached = this.sections.get(summary.segmentNumber, field)
    if (cached) return cached
    const ref = summary.sections[field]!
    const bytes = await this.handles.use(
      `${this.dir}/${indexName(summary.segmentNumber)}`,
      (handle) => readRange(handle, ref.offset, ref.length),
    )
    if (bytes.length !== ref.length || crc32c(bytes) !== ref.crc) {
      // Changed since it was loaded: stop trusting it; a writer's next open rebuilds it.
      this.summaries.set(summary.segmentNumber, 'index section checksum mismatch')
      return null
    }
    this.sections.set(summary.segmentNumber, field, bytes)
    return bytes
  }
}

function noMatch(filter: CompiledFilter): string {
  const fields = filter.exact.map((clause) => clause.field).join(' and ')
  return fields ? `segment index: no event matches ${fields}` : 'segment index: no event in range'
}

/** SectionCache keeps recently used postings sections, least recently used out first. */
class SectionCache {
  private readonly entries = new Map<string, Buffer>()
  bytes = 0

  constructor(private readonly bytesMax: number) {}

  get(segmentNumber: number, field: number): Buffer | undefined {
    const key = `${segmentNumber}:${field}`
    const bytes = this.entries.get(key)
    if (bytes) {
      this.entries.delete(key)
      this.entries.set(key, bytes)
    }
    return bytes
  }

  set(segmentNumber: number, field: number, bytes: Buffer): void {
    if (bytes.length > this.bytesMax) return
    const key = `${segmentNumber}:${field}`
    this.bytes += bytes.length - (this.entries.get(key)?.length ?? 0)
    this.entries.delete(key)
    this.entries.set(key, bytes)
    for (const [oldest, old] of this.entries) {
      if (this.bytes <= this.bytesMax) break
      this.entries.delete(oldest)
      this.bytes -= old.length
    }
  }

  forget(segmentNumber: number): void {
    for (const [key, bytes] of this.entries) {
      if (key.startsWith(`${segmentNumber}:`)) {
        this.entries.delete(key)
        this.bytes -= bytes.length
      }
    }
  }
}
