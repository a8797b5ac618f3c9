import type { StoredEvent } from '../../shared/event'
import type { CompiledFilter } from './eventFilter'
import type { MatchRun } from './matchRuns'
import type { IndexSummary } from './segmentIndex'
import { MEMBER_STRIDE } from './segmentIndex'
import type { RecordAt } from './recordIterator'
import type { SegmentInfo } from './segmentReader'

/**
 * A SegmentPlan is what a segment index says about one sealed segment for one query: skip
 * it (no event can match), read only some gzip members, or read it whole. Indexes only
 * ever narrow what is read; every event read is still tested against the whole filter, so
 * an index can make a query faster but never change its answer.
 */
export interface SegmentPlan {
  /** Why the segment needs no reading, or null. */
  skip: string | null
  /** Reads only the members that can hold matches; absent: read the whole segment. */
  read?: (onRecord: (record: RecordAt) => boolean | void) => Promise<void>
  /** Members read out of the segment's total, when `read` is set. */
  membersRead?: number
  membersTotal?: number
  /** What the plan used, e.g. 'segment index: aggregate_id'. */
  used: string[]
}

/**
 * SegmentMatches is what a segment index knows of one sealed segment's matches without
 * reading events: `runs` hold exactly the matching sequences of the members it could
 * decide, and `read` (when set) walks the members it could not (their time range straddles
 * a time bound), whose records must still be tested against the filter.
 */
export interface SegmentMatches {
  /** Why no event of the segment can match, or null. */
  skip: string | null
  runs: MatchRun[]
  read: SegmentPlan['read'] | null
  used: string[]
}

/** SegmentIndexReader plans segments from their indexes (see SegmentIndexes). */
export interface SegmentIndexReader {
  planSegment(segment: SegmentInfo, filter: CompiledFilter): Promise<SegmentPlan>
  /**
   * matchSegment answers a filter of exact fields, sequence and time bounds from the index
   * alone (see SegmentMatches), or returns null when the segment has no usable index.
   */
  matchSegment(segment: SegmentInfo, filter: CompiledFilter): Promise<SegmentMatches | null>
  /**
   * readSequences inflates only the members holding `sequences` (ascending) and returns
   * their events, or null when the segment has no usable index.
   */
  readSequences(
    segment: SegmentInfo,
    sequences: readonly number[],
  ): Promise<Map<number, StoredEvent> | null>
}

export const READ_WHOLE: SegmentPlan = { skip: null, used: [] }

/** candidateSequences intersects, across the filter's exact fields, the union of postings. */
export function candidateSequences(clauses: readonly (readonly number[][])[]): number[] {
  let result: number[] | null = null
  for (const lists of clauses) {
    const union = unionAll(lists)
    result = result === null ? union : intersectSorted(result, union)
    if (result.length === 0) break
  }
  return result ?? []
}

/**
 * unionAll merges ascending lists of distinct numbers (posting lists) in pairs, round after
 * round: O(n log k) for k lists, with no sort.
 */
function unionAll(lists: readonly number[][]): number[] {
  let round = lists
  while (round.length > 1) {
    const next: number[][] = []
    for (let i = 0; i < round.length; i += 2) {
      next.push(i + 1 < round.length ? unionSorted(round[i]!, round[i + 1]!) : round[i]!)
    }
    round = next
  }
  return round[0] ?? []
}

function unionSorted(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = []
  let i = 0
  let j = 0
  while (i < a.length && j < b.length) {
    if (a[i]! < b[j]!) out.push(a[i++]!)
    else if (a[i]! > b[j]!) out.push(b[j++]!)
    else {
      out.push(a[i++]!)
      j++
    }
  }
  while (i < a.length) out.push(a[i++]!)
  while (j < b.length) out.push(b[j++]!)
  return out
}

function intersectSorted(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = []
  let i = 0
  let j = 0
  while (i < a.length && j < b.length) {
    if (a[i]! < b[j]!) i++
    else if (a[i]! > b[j]!) j++
    else {
      out.push(a[i]!)
      i++
      j++
    }
  }
  return out
}

/**
 * membersToRead lists the members that can hold a match: their sequences overlap the
 * filter's range, their time range overlaps its time bounds, and (with `candidates`) they
 * hold at least one candidate sequence.
 */
export function membersToRead(
  summary: IndexSummary,
  filter: CompiledFilter,
  candidates: readonly number[] | null,
): number[] {
  const count = summary.members.length / MEMBER_STRIDE
  const chosen: number[] = []
  let next = 0
  for (let i = 0; i < count; i++) {
    const first = summary.members[i * MEMBER_STRIDE]!
    const last =
      i + 1 < count ? summary.members[(i + 1) * MEMBER_STRIDE]! - 1 : summary.lastSequence
    const minTimeMs = summary.members[i * MEMBER_STRIDE + 3]!
    const maxTimeMs = summary.members[i * MEMBER_STRIDE + 4]!
    if (last < filter.fromSequence || first > filter.toSequence) continue
    if (filter.afterMs !== null && !(maxTimeMs > filter.afterMs)) continue
    if (filter.beforeMs !== null && !(minTimeMs < filter.beforeMs)) continue
    if (candidates) {
      while (next < candidates.length && candidates[next]! < first) next++
      if (next === candidates.length || candidates[next]! > last) continue
    }
    chosen.push(i)
  }
  return chosen
}

/** memberOf is the member holding `sequence` (binary search over first sequences). */
export function memberOf(summary: IndexSummary, sequence: number): number {
  let low = 0
  let high = summary.members.length / MEMBER_STRIDE - 1
  while (low < high) {
    const middle = (low + high + 1) >> 1
    if (summary.members[middle * MEMBER_STRIDE]! <= sequence) low = middle
    else high = middle - 1
  }
  return low
}
