import type { StoredEvent } from '../../shared/event'
import type { EventQuery, QueryResult } from '../../shared/query'
import type { StoreMetrics } from './metrics/storeMetrics'
import type { StoreState } from './storeState'
import { ActiveIndex } from './activeIndex'
import type { SegmentIndexReader } from './indexPlanner'
import { SegmentIndexes } from './indexCache'
import { decodeEvent } from './eventCodec'
import { parseEventId } from './eventId'
import { runQuery } from './queryRunner'
import { ValidationError } from './errors'
import { ID_FIELD_CHARS_MAX } from './limits'

/**
 * StoreReads is the read path of an open store, writer or reader: queries, gets and full
 * reads. Every read works on a copy of the segment list taken when it starts, so a rotation
 * or a seal meanwhile never moves a segment under it. Each query and get is timed and
 * counted in the store's metrics.
 */
export class StoreReads {
  /** Summaries of the sealed segments' index files (see indexCache.ts). */
  readonly indexes: SegmentIndexes
  /** The newest raw segment's index, in memory (see activeIndex.ts). */
  readonly active: ActiveIndex
  /** What the planner asks of a segment's index: its file when sealed, else the memory one. */
  private readonly planner: SegmentIndexReader

  constructor(
    private readonly state: StoreState,
    private readonly metrics: StoreMetrics,
  ) {
    this.indexes = new SegmentIndexes(state.ctx.fs, state.ctx.dir)
    this.active = new ActiveIndex(state.ctx.fs, state.ctx.dir)
    const of = (segment: { sealed: boolean }) => (segment.sealed ? this.indexes : this.active)
    this.planner = {
      planSegment: (segment, filter) => of(segment).planSegment(segment, filter),
      matchSegment: (segment, filter) => of(segment).matchSegment(segment, filter),
      readSequences: (segment, sequences) => of(segment).readSequences(segment, sequences),
    }
  }

  /** close closes the files the read path keeps open; reads still in flight finish first. */
  async close(): Promise<void> {
    await Promise.all([this.indexes.close(), this.active.close()])
  }

  /** query answers one page of a query (see queryRunner.ts for how). */
  query(query: EventQuery): Promise<QueryResult> {
    const startedAt = this.metrics.startTimer()
    const segments = this.state.segments.map((s) => ({ ...s }))
    const reading = runQuery(
      query,
      segments,
      (segment, onRecord) => this.state.readSegment(segment, onRecord),
      this.planner,
    )
    return this.measured('range_query', startedAt, this.state.noticeDamage(reading))
  }

  /** getBySequence returns the event with that sequence, or null when there is none. */
  getBySequence(sequence: number): Promise<StoredEvent | null> {
    const startedAt = this.metrics.startTimer()
    return this.measured('query_by_id', startedAt, this.findBySequence(sequence))
  }

  /** getEvent returns the event with that id, or null; the id names its own sequence. */
  getEvent(eventId: string): Promise<StoredEvent | null> {
    const startedAt = this.metrics.startTimer()
    return this.measured('query_by_id', startedAt, this.findById(eventId))
  }

  /** readAll calls `onEvent` for every stored event from `fromSequence` on, in order. */
  async readAll(onEvent: (event: StoredEvent) => void, fromSequence = 1): Promise<void> {
    for (const segment of this.state.segments.map((s) => ({ ...s }))) {
      if (segment.records === 0 || segment.lastSequence < fromSequence) continue
      await this.state.readSegment(segment, (record) => {
        if (record.header.sequence >= fromSequence) onEvent(decodeEvent(record.payload))
      })
    }
  }

  /** countEvents counts the stored events of each aggregate, up to a sequence. */
  async countEvents(
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

  /** measured counts a read's outcome once it settles, and times it when it answers. */
  private measured<T>(
    series: 'query_by_id' | 'range_query',
    startedAt: number,
    reading: Promise<T>,
  ): Promise<T> {
    return reading.then(
      (value) => {
        this.metrics.querySucceeded(series, startedAt)
        return value
      },
      (error: unknown) => {
        this.metrics.queryFailed(error)
        throw error
      },
    )
  }

  private async findById(eventId: string): Promise<StoredEvent | null> {
    if (typeof eventId !== 'string' || eventId.length > ID_FIELD_CHARS_MAX) {
      throw new ValidationError(
        'event_id',
        `must be a string of at most ${ID_FIELD_CHARS_MAX} characters`,
      )
    }
    const parsed = parseEventId(eventId)
    if (!parsed) return null
    const event = await this.findBySequence(parsed.sequence)
    return event?.event_id === eventId ? event : null
  }

  private async findBySequence(sequence: number): Promise<StoredEvent | null> {
    if (!Number.isSafeInteger(sequence) || sequence < 1) {
      throw new ValidationError('sequence', 'must be a whole number of 1 or more')
    }
    const segment = this.state.segments.find(
      (s) => s.firstSequence <= sequence && sequence <= s.lastSequence,
    )
    if (!segment) return null
    if (!segment.sealed) {
      const atOffset = await this.state.noticeDamage(this.active.get({ ...segment }, sequence))
      if (atOffset !== undefined) return atOffset
    }
    // A sealed segment's index names the one gzip member to inflate.
    const viaIndex = await this.state.noticeDamage(
      this.indexes.findBySequence({ ...segment }, sequence),
    )
    if (viaIndex !== undefined) return viaIndex
    let found: StoredEvent | null = null
    await this.state.readSegment({ ...segment }, (record) => {
      if (record.header.sequence !== sequence) return false
      found = decodeEvent(record.payload)
      return true
    })
    return found
  }
}
