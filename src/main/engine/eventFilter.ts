import type { StoredEvent } from '../../shared/event'
import type { EventFilter } from '../../shared/query'
import { containsSubset } from './containsSubset'
import { ValidationError } from './errors'
import { ID_FIELD_CHARS_MAX, NESTING_DEPTH_MAX } from './limits'

/** A checked filter: the predicate, and the bounds a reader uses to skip whole segments. */
export interface CompiledFilter {
  matches: (event: StoredEvent) => boolean
  /**
   * mayMatch is a cheap test of an encoded payload before it is decoded: false when, for
   * some exact field, none of the wanted values appears in the bytes at all, so the event
   * cannot match. Strings are UTF-8 in MessagePack, so a matching event always passes.
   */
  mayMatch: (payload: Buffer) => boolean
  /** Inclusive sequence range that can match. */
  fromSequence: number
  toSequence: number
  /** Exclusive time bounds in ms, or null. */
  afterMs: number | null
  beforeMs: number | null
  /** Fields whose exact values the filter asks for (what an index could answer). */
  exact: { field: ExactField; values: Set<string> }[]
  /** The exact fields, sequence and time bounds are the whole filter: indexes can answer it. */
  indexable: boolean
}

export type ExactField =
  | 'event_type'
  | 'aggregate_id'
  | 'aggregate_type'
  | 'source_agent'
  | 'source_component'
  | 'correlation_id'
  | 'causation_id'

const LIST_FIELDS: [keyof EventFilter, ExactField][] = [
  ['event_types', 'event_type'],
  ['aggregate_ids', 'aggregate_id'],
  ['aggregate_types', 'aggregate_type'],
  ['source_agents', 'source_agent'],
  ['source_components', 'source_component'],
]

/** Most values one list filter may name. */
export const FILTER_VALUES_MAX = 1000
/**
 * Most values of one exact field searched for in encoded payloads before decoding: beyond
 * this the searches cost more than the decode they could save.
 */
const PAYLOAD_SEARCH_VALUES_MAX = 8

/** compileFilter validates a filter (errors name the field and the limit) and compiles it. */
export function compileFilter(filter: EventFilter): CompiledFilter {
  const after = sequenceBound(filter.after_sequence, 'after_sequence') ?? 0
  const before = sequenceBound(filter.before_sequence, 'before_sequence') ?? Number.MAX_SAFE_INTEGER
  const afterMs = timeBound(filter.after_timestamp, 'after_timestamp')
  const beforeMs = timeBound(filter.before_timestamp, 'before_timestamp')
  const exact: CompiledFilter['exact'] = []
  for (const [name, field] of LIST_FIELDS) {
    const values = stringSet(filter[name], name)
    if (values) exact.push({ field, values })
  }
  for (const field of ['correlation_id', 'causation_id'] as const) {
    const value = filter[field]
    if (value === undefined) continue
    if (typeof value !== 'string' || value.length > ID_FIELD_CHARS_MAX) {
      throw new ValidationError(
        field,
        `must be a string of at most ${ID_FIELD_CHARS_MAX} characters`,
      )
    }
    exact.push({ field, values: new Set([value]) })
  }
  const tests: ((event: StoredEvent) => boolean)[] = exact.map(
    ({ field, values }) =>
      (event) =>
        values.has(event[field] as string),
  )
  if (afterMs !== null) tests.push((e) => Date.parse(e.timestamp) > afterMs)
  if (beforeMs !== null) tests.push((e) => Date.parse(e.timestamp) < beforeMs)
  const data = containsFilter(filter.data_contains, 'data_contains')
  const metadata = containsFilter(filter.metadata_contains, 'metadata_contains')
  if (data) tests.push((e) => containsSubset(e.data, data))
  if (metadata) tests.push((e) => containsSubset(e.metadata, metadata))
  const searched = exact
    .filter(({ values }) => values.size <= PAYLOAD_SEARCH_VALUES_MAX)
    .map(({ values }) => [...values].map((value) => Buffer.from(value, 'utf8')))
  return {
    matches: (event) => tests.every((test) => test(event)),
    mayMatch: (payload) =>
      searched.every((values) => values.some((value) => payload.includes(value))),
    fromSequence: after + 1,
    toSequence: before - 1,
    afterMs,
    beforeMs,
    exact,
    indexable: data === null && metadata === null,
  }
}

function sequenceBound(value: unknown, field: string): number | null {
  if (value === undefined) return null
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new ValidationError(field, 'must be a whole number of 0 or more')
  }
  return value
}

function timeBound(value: unknown, field: string): number | null {
  if (value === undefined) return null
  const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN
  if (Number.isNaN(ms)) throw new ValidationError(field, 'must be an ISO-8601 timestamp')
  return ms
}

function stringSet(value: unknown, field: string): Set<string> | null {
  if (value === undefined) return null
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    throw new ValidationError(field, 'must be a list of strings')
  }
  if (value.length > FILTER_VALUES_MAX) {
    throw new ValidationError(
      field,
      `names ${value.length} values, over the limit of ${FILTER_VALUES_MAX} (FILTER_VALUES_MAX)`,
    )
  }
  return value.length > 0 ? new Set(value as string[]) : null
}

function containsFilter(value: unknown, field: string): object | null {
  if (value === undefined) return null
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError(field, 'must be a JSON object')
  }
  if (deeperThan(value, NESTING_DEPTH_MAX)) {
    throw new ValidationError(
      field,
      `nests deeper than the limit of ${NESTING_DEPTH_MAX} levels (NESTING_DEPTH_MAX)`,
    )
  }
  return value
}

/** deeperThan stops as soon as it knows, so a hostile nesting cannot exhaust the stack. */
function deeperThan(value: unknown, levels: number): boolean {
  if (typeof value !== 'object' || value === null) return false
  if (levels === 0) return true
  return Object.values(value).some((child) => deeperThan(child, levels - 1))
}
