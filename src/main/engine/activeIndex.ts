import type { StoredEvent } from '../../shared/event'
import type { FileHandle, FileSystem } from './fileSystem'
import { isCode, readRange } from './fileSystem'
import { fileSource } from './byteSource'
import type { RecordAt } from './recordIterator'
import { walkRecords } from './recordIterator'
import { readRecord } from './recordCodec'
import { decodeEvent } from './eventCodec'
import type { CompiledFilter } from './eventFilter'
import type { IndexedFields } from './eventFields'
import { readIndexedFields } from './eventFields'
import type { SegmentIndexReader, SegmentMatches, SegmentPlan } from './indexPlanner'
import { candidateSequences, READ_WHOLE } from './indexPlanner'
import type { MatchRun } from './matchRuns'
import { sliceRange } from './matchRuns'
import type { SegmentInfo } from './segmentReader'
import { readSegmentRecords } from './segmentReader'
import { INDEX_FIELDS } from './segmentIndex'
import { SEGMENT_HEADER_BYTES } from './segmentHeader'
import { segmentLogName } from './segmentNames'
import { CorruptionError } from './errors'
import { FileHandles } from './fileHandles'
import type { ActiveIndexState } from './activeIndexFile'
import { loadActiveIndex, saveActiveIndex } from './activeIndexFile'
import { threadSmallReads } from './smallReads'
import {
  ACTIVE_INDEX_VALUES_MAX,
  ACTIVE_READ_GAP_BYTES,
  ACTIVE_READ_SPAN_BYTES_MAX,
  EVENT_BYTES_MAX,
} from './limits'

/**
 * Sequences of one field's values, or null once the field has too many to keep. A value
 * seen once holds its sequence as a number, not a list: ids unique per event (correlation,
 * causation) are most of the values, and a list each cost an allocation and its memory.
 */
type FieldPostings = Map<string, number | number[]> | null

/**
 * Records read with one read: from `start` to `end` of the segment. Their offsets are
 * taken when the span is made: the index may move on to a newer segment while it is read.
 */
interface Span {
  start: number
  end: number
  sequences: number[]
  offsets: number[]
}

/**
 * ActiveIndex indexes the newest raw segment in memory as it grows: where each record
 * starts, each event's time, and postings of the exact fields, like a sealed segment's
 * index file. Gets read one record at its offset; queries count matches from the postings
 * and read only the records of their page, instead of decoding the whole segment.
 *
 * It covers a prefix of the segment without gaps. The writer extends it from the durable
 * path with the fields of the events it has just built (no decoding); a reader, or a
 * writer whose segment held records when it opened, catches up on demand by reading on
 * from the prefix's end to the durable size. Only the newest segment is indexed: asking
 * about an older raw segment (one waiting to be sealed) answers "no index", so the caller
 * reads it, and the index never flips between two segments.
 *
 * Memory is bounded by the segment: per record an offset, a time and one posting entry per
 * field present; a field with more than ACTIVE_INDEX_VALUES_MAX distinct values (ids that
 * are unique per event, say) is dropped for the rest of the segment, and queries on it
 * read and test the segment's records instead.
 */
export class ActiveIndex implements SegmentIndexReader {
  private segmentNumber = -1
  private firstSequence = 0
  private count = 0
  private offsets = new Float64Array(0)
  private times = new Float64Array(0)
  private postings: FieldPostings[] = []
  /** Where the record after the covered prefix starts. */
  private end = SEGMENT_HEADER_BYTES
  /** Records loaded from the saved index (activeIndexFile.ts): no need to save them again. */
  private loadedCount = 0
  /** The load of the saved index for this segment, once started. */
  private savedLoad: Promise<void> | null = null
  /** Counts resets, so that a load that finishes after one is not adopted. */
  private generation = 0
  /** The segment's file, kept open between gets; a newer segment's replaces it. */
  private readonly handles: FileHandles

  constructor(
    private readonly fs: FileSystem,
    private readonly dir: string,
    private readonly valuesMax = ACTIVE_INDEX_VALUES_MAX,
  ) {
    this.handles = new FileHandles(fs, 1)
  }

  /** close closes the segment's file kept open; gets still in flight finish first. */
  close(): Promise<void> {
    return this.handles.close()
  }

  /**
   * save writes the index for the next open (activeIndexFile.ts) at a writer's clean close,
   * when it covers all of `segment` (the newest, as it is on disk) and holds more than was
   * loaded; otherwise the file saved before stays, as it still describes a prefix. Files of
   * older segments go either way. Best effort: the file is derived data, and a close must
   * not fail for want of it (the next open reads the segment back instead).
   */
  async save(segment: SegmentInfo): Promise<void> {
    const covers =
      !segment.sealed &&
      segment.segmentNumber === this.segmentNumber &&
      segment.firstSequence === this.firstSequence &&
      this.firstSequence + this.count - 1 === segment.lastSequence &&
      this.end === segment.rawBytes &&
      this.count > this.loadedCount
    const state = {
      segmentNumber: segment.segmentNumber,
      firstSequence: this.firstSequence,
      count: covers ? this.count : 0,
      end: this.end,
      offsets: this.offsets,
      times: this.times,
      postings: this.postings,
    }
    await saveActiveIndex(this.fs, this.dir, state).catch(() => undefined)
  }

  /**
   * invalidate drops the index and closes the file kept open: a reader re-analyzed the store
   * (a segment appeared, was sealed, or a recovery in another process cut or replaced one),
   * so what was indexed may no longer be there. The next read catches up from the start.
   */
  invalidate(): void {
    this.reset(-1, 0)
  }

  /**
   * addGroup adds a durable group of records that ends at `segmentEnd`; `fieldsOf` gives
   * the indexed fields of each. A group that does not continue the prefix is left out.
   */
  addGroup(
    segmentNumber: number,
    firstSequence: number,
    groupFirstSequence: number,
    records: readonly Buffer[],
    segmentEnd: number,
    fieldsOf: (record: Buffer) => IndexedFields,
  ): void {
    if (segmentNumber < this.segmentNumber) return
    if (segmentNumber > this.segmentNumber) this.reset(segmentNumber, firstSequence)
    let offset = segmentEnd - records.reduce((sum, record) => sum + record.length, 0)
    if (groupFirstSequence !== this.firstSequence + this.count || offset !== this.end) return
    for (const record of records) {
      this.add(offset, offset + record.length, fieldsOf(record))
      offset += record.length
    }
  }

  /**
   * get reads the event `sequence` of the segment at its offset: null when the segment
   * does not hold it, undefined when the index cannot say (the raw file is gone, sealed
   * meanwhile, or the segment is not the newest) for the caller to read it another way.
   */
  async get(segment: SegmentInfo, sequence: number): Promise<StoredEvent | null | undefined> {
    if (!(await this.catchUp(segment))) return undefined
    if (sequence < segment.firstSequence || sequence > segment.lastSequence) return null
    let found: StoredEvent | null | undefined = null
    const read = await this.readRecords(segment, [sequence], (record) => {
      found = decodeEvent(record.payload)
    })
    return read ? found : undefined
  }

  async matchSegment(segment: SegmentInfo, filter: CompiledFilter): Promise<SegmentMatches | null> {
    if (!(await this.catchUp(segment))) return null
    const candidates = this.candidates(filter, true)
    if (candidates === undefined) return null
    const used = ['active segment index: counted in memory']
    for (const { field } of filter.exact) used.push(`active segment index: ${field}`)
    const sequences = this.inRange(segment, filter, candidates)
    const runs: MatchRun[] = Array.isArray(sequences)
      ? sequences.length > 0
        ? [sequences]
        : []
      : sequences.first <= sequences.last
        ? [sequences]
        : []
    const skip = runs.length > 0 ? null : 'active segment index: no event matches'
    return { skip, runs, read: null, used }
  }

  async planSegment(segment: SegmentInfo, filter: CompiledFilter): Promise<SegmentPlan> {
    const narrows = filter.exact.length > 0 || filter.afterMs !== null || filter.beforeMs !== null
    if (!narrows || !(await this.catchUp(segment))) return READ_WHOLE
    // Fields dropped for too many values narrow nothing here; every record read is tested.
    const candidates = this.candidates(filter, false) ?? null
    const sequences = this.inRange(segment, filter, candidates)
    const list = Array.isArray(sequences) ? sequences : null
    const used = filter.exact
      .filter(({ field }) => candidates !== null && this.postings[INDEX_FIELDS.indexOf(field)])
      .map(({ field }) => `active segment index: ${field}`)
    if (list === null) return { skip: null, used }
    if (list.length === 0) return { skip: 'active segment index: no event matches', used }
    return {
      skip: null,
      used: [...used, 'active segment index: record offsets'],
      read: async (onRecord) => {
        if (!(await this.readRecords(segment, list, onRecord))) {
          const wanted = new Set(list)
          await readSegmentRecords(this.fs, this.dir, segment, (record) =>
            wanted.has(record.header.sequence) ? onRecord(record) : undefined,
          )
        }
      },
    }
  }

  async readSequences(
    segment: SegmentInfo,
    sequences: readonly number[],
  ): Promise<Map<number, StoredEvent> | null> {
    if (!(await this.catchUp(segment))) return null
    const found = new Map<number, StoredEvent>()
    const read = await this.readRecords(segment, sequences, (record) => {
      found.set(record.header.sequence, decodeEvent(record.payload))
    })
    return read ? found : null
  }

  private add(offset: number, end: number, fields: IndexedFields): void {
    if (this.count === this.offsets.length) {
      const capacity = Math.max(1024, this.count * 2)
      this.offsets = grown(this.offsets, capacity)
      this.times = grown(this.times, capacity)
    }
    const sequence = this.firstSequence + this.count
    this.offsets[this.count] = offset
    this.times[this.count] = Date.parse(fields.timestamp)
    this.count++
    this.end = end
    for (let f = 0; f < INDEX_FIELDS.length; f++) {
      const postings = this.postings[f]
      const value = fields[INDEX_FIELDS[f]!]
      if (!postings || typeof value !== 'string') continue
      const seen = postings.get(value)
      if (typeof seen === 'number') postings.set(value, [seen, sequence])
      else if (seen) seen.push(sequence)
      else if (postings.size < this.valuesMax) postings.set(value, sequence)
      else this.postings[f] = null
    }
  }

  /**
   * catchUp makes the index cover `segment` through its last durable record, reading on
   * from the covered prefix. False when it cannot: the segment is not the newest, or its
   * raw file is gone (sealed meanwhile).
   */
  private async catchUp(segment: SegmentInfo): Promise<boolean> {
    if (segment.sealed || segment.segmentNumber < this.segmentNumber) return false
    // Another first sequence under the same number: not the segment indexed (a recovery).
    if (
      segment.segmentNumber > this.segmentNumber ||
      segment.firstSequence !== this.firstSequence
    ) {
      this.reset(segment.segmentNumber, segment.firstSequence)
    }
    // Once per segment, before anything is read from the log: concurrent calls share it.
    this.savedLoad ??= this.loadSaved(segment)
    await this.savedLoad
    if (this.firstSequence + this.count > segment.lastSequence) return true
    // A handle of its own, not the kept one: it reads on to the end of the file there now.
    const handle = await this.open(segment)
    if (!handle) return false
    try {
      const walked = await walkRecords(
        fileSource(handle, segment.rawBytes),
        this.end,
        false,
        (record) => {
          if (record.header.sequence !== this.firstSequence + this.count) return
          if (record.offset === this.end) {
            this.add(record.offset, record.end, readIndexedFields(record.payload))
          }
        },
      )
      if (walked.kind !== 'end') {
        const reason = walked.kind === 'bad' ? walked.reason : 'segment ends inside a record'
        throw new CorruptionError(segment.name, walked.offset, reason)
      }
    } finally {
      await handle.close()
    }
    return this.firstSequence + this.count > segment.lastSequence
  }

  /**
   * candidates intersects the postings of the filter's exact fields: null when it names
   * none, undefined when a field is not indexed (dropped) and `exact` asks for all of them;
   * without `exact` such a field is left out (the result then holds more than the matches).
   */
  private candidates(filter: CompiledFilter, exact: boolean): number[] | null | undefined {
    const clauses: number[][][] = []
    for (const { field, values } of filter.exact) {
      const postings = this.postings[INDEX_FIELDS.indexOf(field)]
      if (!postings) {
        if (exact) return undefined
        continue
      }
      clauses.push([...values].map((value) => sequencesOf(postings.get(value))))
    }
    return clauses.length > 0 ? candidateSequences(clauses) : null
  }

  /**
   * inRange keeps the sequences of the segment within the filter's sequence and time
   * bounds: the whole range when nothing else narrows it, else the list.
   */
  private inRange(
    segment: SegmentInfo,
    filter: CompiledFilter,
    candidates: readonly number[] | null,
  ): number[] | { first: number; last: number } {
    const from = Math.max(filter.fromSequence, segment.firstSequence)
    const to = Math.min(filter.toSequence, segment.lastSequence)
    const timed = filter.afterMs !== null || filter.beforeMs !== null
    if (!timed) return candidates ? sliceRange(candidates, from, to) : { first: from, last: to }
    const afterMs = filter.afterMs ?? Number.NEGATIVE_INFINITY
    const beforeMs = filter.beforeMs ?? Number.POSITIVE_INFINITY
    const inTime = (sequence: number) => {
      const timeMs = this.times[sequence - this.firstSequence]!
      return timeMs > afterMs && timeMs < beforeMs
    }
    if (candidates) return sliceRange(candidates, from, to).filter(inTime)
    const list: number[] = []
    for (let sequence = from; sequence <= to; sequence++) if (inTime(sequence)) list.push(sequence)
    return list
  }

  /**
   * readRecords reads the records of `sequences` (ascending, covered), nearby ones with one
   * read, and checks each is the record expected there. False when the raw file is gone.
   * A get (one span) reads on the thread when that is quick (smallReads.ts); a query's
   * spans go to the thread pool, so a page of many never holds the thread read after read.
   */
  private async readRecords(
    segment: SegmentInfo,
    sequences: readonly number[],
    onRecord: (record: RecordAt) => boolean | void,
  ): Promise<boolean> {
    const spans = this.spans(sequences)
    for (const span of spans) {
      const records = await this.spanRecords(segment, span, spans.length === 1)
      if (!records) return false
      for (const record of records) if (onRecord(record) === true) return true
    }
    return true
  }

  /**
   * spanRecords reads one span through the handle kept open for the segment. A span that
   * does not check out through the kept handle is read again through a fresh one before it
   * counts as damage: the kept one may be of a file no longer under the name (a reader
   * forgets it when it re-analyzes the store, but a read may be under way then). Null when
   * the file is gone.
   */
  private async spanRecords(
    segment: SegmentInfo,
    span: Span,
    onThread: boolean,
  ): Promise<RecordAt[] | null> {
    const path = `${this.dir}/${segment.name}`
    const length = span.end - span.start
    const read = () =>
      this.handles.use(path, async (handle) => {
        const bytes = onThread
          ? await threadSmallReads.read(handle, span.start, length)
          : await readRange(handle, span.start, length)
        return recordsOf(segment, span, bytes)
      })
    try {
      return await read()
    } catch (error) {
      if (isCode(error, 'ENOENT')) return null
      await this.handles.forget(path)
    }
    try {
      return await read()
    } catch (error) {
      if (isCode(error, 'ENOENT')) return null
      throw error
    }
  }

  /**
   * spans groups records to read: one read covers records closer than ACTIVE_READ_GAP_BYTES
   * to each other, up to ACTIVE_READ_SPAN_BYTES_MAX (a single larger record reads alone).
   */
  private spans(sequences: readonly number[]): Span[] {
    const spans: Span[] = []
    for (const sequence of sequences) {
      const i = sequence - this.firstSequence
      const start = this.offsets[i]!
      const end = i + 1 < this.count ? this.offsets[i + 1]! : this.end
      const span = spans.at(-1)
      if (
        span &&
        start - span.end <= ACTIVE_READ_GAP_BYTES &&
        end - span.start <= ACTIVE_READ_SPAN_BYTES_MAX
      ) {
        span.end = end
        span.sequences.push(sequence)
        span.offsets.push(start)
      } else spans.push({ start, end, sequences: [sequence], offsets: [start] })
    }
    return spans
  }

  private async open(segment: SegmentInfo): Promise<FileHandle | null> {
    try {
      return await this.fs.open(`${this.dir}/${segment.name}`, 'read')
    } catch (error) {
      if (isCode(error, 'ENOENT')) return null
      throw error
    }
  }

  /**
   * loadSaved adopts the index saved at the last clean close, if it can be trusted and the
   * index is still empty and of the same segment when it has been read (a reset meanwhile,
   * or records added from the durable path, and it is dropped).
   */
  private async loadSaved(segment: SegmentInfo): Promise<void> {
    const generation = this.generation
    const saved = await loadActiveIndex(this.fs, this.dir, segment)
    if (
      saved &&
      generation === this.generation &&
      this.count === 0 &&
      saved.segmentNumber === this.segmentNumber &&
      saved.firstSequence === this.firstSequence
    ) {
      this.adopt(saved)
    }
  }

  private adopt(saved: ActiveIndexState): void {
    this.count = saved.count
    this.loadedCount = saved.count
    this.offsets = saved.offsets
    this.times = saved.times
    // Saved under another limit, a field may hold more values than this index keeps.
    this.postings = saved.postings.map((postings) =>
      postings && postings.size <= this.valuesMax ? postings : null,
    )
    this.end = saved.end
  }

  private reset(segmentNumber: number, firstSequence: number): void {
    this.generation++
    this.savedLoad = null
    // The older segment is sealed or about to be: its raw file is no longer ours to hold.
    void this.handles.forget(`${this.dir}/${segmentLogName(this.segmentNumber)}`)
    this.segmentNumber = segmentNumber
    this.firstSequence = firstSequence
    this.count = 0
    this.loadedCount = 0
    this.offsets = new Float64Array(0)
    this.times = new Float64Array(0)
    this.postings = INDEX_FIELDS.map(() => new Map<string, number | number[]>())
    this.end = SEGMENT_HEADER_BYTES
  }
}

/** recordsOf checks that the records of `span` are where the index said, in `bytes`. */
function recordsOf(segment: SegmentInfo, span: Span, bytes: Buffer): RecordAt[] {
  return span.sequences.map((sequence, i) => {
    const offset = span.offsets[i]!
    const read = readRecord(bytes, offset - span.start, {
      checkDigest: false,
      payloadLengthMax: EVENT_BYTES_MAX,
    })
    if (read.kind !== 'record' || read.header.sequence !== sequence) {
      const reason = read.kind === 'bad' ? read.reason : `record ${sequence} is not at ${offset}`
      throw new CorruptionError(segment.name, offset, reason)
    }
    return { offset, header: read.header, payload: read.payload, end: span.start + read.end }
  })
}

/** sequencesOf is a posting as a list. */
function sequencesOf(posting: number | number[] | undefined): number[] {
  return posting === undefined ? [] : typeof posting === 'number' ? [posting] : posting
}

function grown(array: Float64Array, capacity: number): Float64Array<ArrayBuffer> {
  const next = new Float64Array(capacity)
  next.set(array)
  return next
}
