import { createHash } from 'node:crypto'
import type { StoredEvent } from '../../shared/event'
import type { EventQuery, QueriedEvent, QueryPlan, QueryResult } from '../../shared/query'
import type { CompiledFilter } from './eventFilter'
import { compileFilter } from './eventFilter'
import type { RecordAt } from './recordIterator'
import type { SegmentInfo } from './segmentReader'
import type { SegmentIndexReader } from './indexPlanner'
import { READ_WHOLE } from './indexPlanner'
import { decodeEvent } from './eventCodec'
import { assert, ValidationError } from './errors'
import { countAfter, takeFirst } from './matchRuns'
import { QUERY_LIMIT_DEFAULT, QUERY_LIMIT_MAX, QUERY_LIMIT_MIN, QUERY_OFFSET_MAX } from './limits'

/**
 * runQuery answers one page of a query: it plans which segments can hold matches (by
 * sequence and time range), reads those, counts every match exactly, and keeps only the
 * best `offset + limit` matches in the requested order, so memory stays bounded whatever
 * the store's size. A cursor continues strictly after the last event of the previous page.
 *
 * In sequence order, a filter of exact fields, sequence and time bounds is answered for a
 * sealed segment with a usable index from the index alone: its matches are counted from
 * the postings, and only the gzip members holding events of the page itself are read.
 */
export type ReadSegment = (
  segment: SegmentInfo,
  onRecord: (record: RecordAt) => boolean | void,
) => Promise<void>

interface Position {
  sequence: number
  timeMs: number
}

interface Page {
  limit: number
  offset: number
  byTimestamp: boolean
  descending: boolean
  after: Position | null
  fingerprint: string
}

export async function runQuery(
  query: EventQuery,
  segments: readonly SegmentInfo[],
  read: ReadSegment,
  indexes?: SegmentIndexReader,
): Promise<QueryResult> {
  const started = performance.now()
  const filter = compileFilter(query)
  const page = compilePage(query)
  const plan: QueryPlan = {
    segments_total: segments.length,
    segments_read: 0,
    segments_skipped: [],
    events_scanned: 0,
    index_used: [],
  }
  const use = (used: readonly string[]) => {
    for (const name of used) if (!plan.index_used.includes(name)) plan.index_used.push(name)
  }
  const best = new BestMatches(page.offset + page.limit, compare(page))
  let total = 0
  let afterCursor = 0
  const onRecord = (record: RecordAt) => {
    const sequence = record.header.sequence
    if (sequence < filter.fromSequence || sequence > filter.toSequence) return
    plan.events_scanned++
    if (!filter.mayMatch(record.payload)) return
    const event = decodeEvent(record.payload)
    if (!filter.matches(event)) return
    total++
    if (page.after && !isAfter(event, page.after, page)) return
    afterCursor++
    best.offer(positionOf(event), event)
  }
  /** Sealed segments whose matches were counted from their index and not (yet) read. */
  const counted: { segment: SegmentInfo; matches: number }[] = []
  // In sequence order, a filter the indexes answer needs events only for the page itself.
  const countFromIndex = indexes && filter.indexable && !page.byTimestamp
  for (const segment of segments) {
    const skip = skipReason(segment, filter)
    if (skip) {
      plan.segments_skipped.push({ name: segment.name, reason: skip })
      continue
    }
    const matched = countFromIndex ? await indexes.matchSegment(segment, filter) : null
    if (matched) {
      use(matched.used)
      if (matched.skip) {
        plan.segments_skipped.push({ name: segment.name, reason: matched.skip })
        continue
      }
      const known = countAfter(matched.runs, null, false)
      total += known
      afterCursor += countAfter(matched.runs, page.after?.sequence ?? null, page.descending)
      const first = takeFirst(
        matched.runs,
        page.after?.sequence ?? null,
        page.descending,
        page.offset + page.limit,
      )
      for (const sequence of first) best.offer({ sequence, timeMs: 0 }, segment)
      if (matched.read) {
        plan.segments_read++
        await matched.read(onRecord)
      } else counted.push({ segment, matches: known })
      continue
    }
    // Segment indexes narrow what is read (whole segments, or gzip members), never the answer.
    const indexed = indexes ? await indexes.planSegment(segment, filter) : READ_WHOLE
    use(indexed.used)
    if (indexed.skip) {
      plan.segments_skipped.push({ name: segment.name, reason: indexed.skip })
      continue
    }
    plan.segments_read++
    await (indexed.read ?? ((each: Parameters<ReadSegment>[1]) => read(segment, each)))(onRecord)
  }
  const chosen = best.sorted().slice(page.offset)
  const filled = await fillFromSegments(chosen, filter, read, indexes)
  plan.events_scanned += filled.size
  for (const segment of new Set(chosen.map((item) => item.source).filter(isSegment))) {
    use([segment.sealed ? 'segment index: gzip members' : 'active segment index: record offsets'])
  }
  for (const { segment, matches } of counted) {
    if (chosen.some((item) => item.source === segment)) plan.segments_read++
    else {
      const reason = `segment index: its ${matches} matches were counted, none is on this page`
      plan.segments_skipped.push({ name: segment.name, reason })
    }
  }
  const events = chosen.map((item) =>
    isSegment(item.source) ? filled.get(item.sequence)! : item.source,
  )
  const hasMore = afterCursor > page.offset + chosen.length
  const last = events.at(-1)
  return {
    events: events.map((event) => project(event, query)),
    total_count: total,
    has_more: hasMore,
    next_cursor: hasMore && last ? encodeCursor(page, last) : null,
    execution_time_ms: Math.round((performance.now() - started) * 1000) / 1000,
    plan,
  }
}

/**
 * fillFromSegments reads the events of the chosen matches known only by sequence, member by
 * member through the segment index (or the whole segment when its index went away since),
 * and checks each against the filter: the index said it matches, the event must agree.
 */
async function fillFromSegments(
  chosen: readonly Match[],
  filter: CompiledFilter,
  read: ReadSegment,
  indexes?: SegmentIndexReader,
): Promise<Map<number, StoredEvent>> {
  const bySegment = new Map<SegmentInfo, number[]>()
  for (const item of chosen) {
    if (!isSegment(item.source)) continue
    const list = bySegment.get(item.source) ?? []
    list.push(item.sequence)
    bySegment.set(item.source, list)
  }
  const filled = new Map<number, StoredEvent>()
  for (const [segment, sequences] of bySegment) {
    sequences.sort((a, b) => a - b)
    let found = indexes ? await indexes.readSequences(segment, sequences) : null
    if (!found) {
      const wanted = new Set(sequences)
      const scanned = new Map<number, StoredEvent>()
      await read(segment, (record) => {
        if (wanted.has(record.header.sequence)) {
          scanned.set(record.header.sequence, decodeEvent(record.payload))
        }
      })
      found = scanned
    }
    for (const sequence of sequences) {
      const event = found.get(sequence)
      assert(
        event && filter.matches(event),
        `segment index of ${segment.name} says ${sequence} matches, the event does not`,
      )
      filled.set(sequence, event)
    }
  }
  return filled
}

function skipReason(segment: SegmentInfo, filter: CompiledFilter): string | null {
  if (segment.records === 0) return 'empty'
  if (segment.lastSequence < filter.fromSequence || segment.firstSequence > filter.toSequence) {
    return `sequences ${segment.firstSequence}-${segment.lastSequence} are outside the range`
  }
  const { minTimeMs, maxTimeMs } = segment
  if (minTimeMs === undefined || maxTimeMs === undefined) return null
  if (
    (filter.afterMs !== null && maxTimeMs <= filter.afterMs) ||
    (filter.beforeMs !== null && minTimeMs >= filter.beforeMs)
  ) {
    return 'its events are outside the time range'
  }
  return null
}

function compilePage(query: EventQuery): Page {
  const limit = query.limit ?? QUERY_LIMIT_DEFAULT
  if (!Number.isInteger(limit) || limit < QUERY_LIMIT_MIN || limit > QUERY_LIMIT_MAX) {
    throw new ValidationError(
      'limit',
      `must be an integer from ${QUERY_LIMIT_MIN} to ${QUERY_LIMIT_MAX}`,
    )
  }
  const offset = query.offset ?? 0
  if (!Number.isInteger(offset) || offset < 0 || offset > QUERY_OFFSET_MAX) {
    throw new ValidationError(
      'offset',
      `must be an integer from 0 to ${QUERY_OFFSET_MAX} (QUERY_OFFSET_MAX); page further with the cursor`,
    )
  }
  if (query.order !== undefined && query.order !== 'asc' && query.order !== 'desc') {
    throw new ValidationError('order', 'must be "asc" or "desc"')
  }
  if (
    query.order_by !== undefined &&
    query.order_by !== 'sequence' &&
    query.order_by !== 'timestamp'
  ) {
    throw new ValidationError('order_by', 'must be "sequence" or "timestamp"')
  }
  const page = {
    limit,
    offset,
    byTimestamp: query.order_by === 'timestamp',
    descending: query.order === 'desc',
    after: null,
    fingerprint: fingerprint(query),
  }
  return { ...page, after: query.cursor === undefined ? null : decodeCursor(query.cursor, page) }
}

/** The same filter and order give the same fingerprint; a cursor only fits its own query. */
function fingerprint(query: EventQuery): string {
  const {
    limit: _limit,
    offset: _offset,
    cursor: _cursor,
    include_data: _d,
    include_metadata: _m,
    ...rest
  } = query
  return createHash('sha256').update(canonicalJson(rest)).digest('base64url').slice(0, 16)
}

/** canonicalJson writes object keys in sorted order at every level. */
function canonicalJson(value: unknown): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) ?? 'null'
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  const entries = Object.entries(value).filter(([, v]) => v !== undefined)
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
}

function encodeCursor(page: Page, last: StoredEvent): string {
  const body = { v: 1, q: page.fingerprint, s: last.sequence, t: Date.parse(last.timestamp) }
  return Buffer.from(JSON.stringify(body)).toString('base64url')
}

function decodeCursor(cursor: string, page: Omit<Page, 'after'>): Position {
  let body: { v?: unknown; q?: unknown; s?: unknown; t?: unknown }
  try {
    body = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as typeof body
  } catch {
    throw new ValidationError('cursor', 'is not a cursor this store returned')
  }
  if (body.v !== 1 || typeof body.s !== 'number' || typeof body.t !== 'number') {
    throw new ValidationError('cursor', 'is not a cursor this store returned')
  }
  if (body.q !== page.fingerprint) {
    throw new ValidationError('cursor', 'belongs to a different query (filter or order changed)')
  }
  return { sequence: body.s, timeMs: body.t }
}

function compare(page: Pick<Page, 'byTimestamp' | 'descending'>) {
  const sign = page.descending ? -1 : 1
  return (a: Position, b: Position): number => {
    const byTime = page.byTimestamp ? a.timeMs - b.timeMs : 0
    return sign * (byTime !== 0 ? byTime : a.sequence - b.sequence)
  }
}

function isAfter(event: StoredEvent, cursor: Position, page: Page): boolean {
  return compare(page)(positionOf(event), cursor) > 0
}

function positionOf(event: StoredEvent): Position {
  return { sequence: event.sequence, timeMs: Date.parse(event.timestamp) }
}

/** A match: its event, or (known from a segment index) the segment to read it from. */
interface Match extends Position {
  source: StoredEvent | SegmentInfo
}

function isSegment(source: StoredEvent | SegmentInfo): source is SegmentInfo {
  return 'segmentNumber' in source
}

/**
 * BestMatches keeps the `capacity` first matches in an order, in O(n log capacity): it
 * collects up to twice the capacity, then sorts and drops the rest.
 */
class BestMatches {
  private items: Match[] = []
  /** The last kept match once `capacity` are kept: nothing after it can be among the first. */
  private worst: Position | null = null

  constructor(
    private readonly capacity: number,
    private readonly order: (a: Position, b: Position) => number,
  ) {}

  offer(position: Position, source: StoredEvent | SegmentInfo): void {
    if (this.worst && this.order(position, this.worst) > 0) return
    this.items.push({ sequence: position.sequence, timeMs: position.timeMs, source })
    if (this.items.length >= this.capacity * 2) this.trim()
  }

  sorted(): Match[] {
    this.trim()
    return this.items
  }

  private trim(): void {
    this.items.sort(this.order)
    this.items.length = Math.min(this.items.length, this.capacity)
    if (this.items.length === this.capacity) this.worst = this.items.at(-1)!
  }
}

function project(event: StoredEvent, query: EventQuery): QueriedEvent {
  if (query.include_data !== false && query.include_metadata !== false) return event
  const { data, metadata, ...rest } = event
  return {
    ...rest,
    ...(query.include_data === false ? {} : { data }),
    ...(query.include_metadata === false ? {} : { metadata }),
  }
}
