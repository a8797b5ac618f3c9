import type { StoredEvent } from '../../shared/event'
import type { EventQuery } from '../../shared/query'
import { ValidationError } from './errors'
import { QUERY_LIMIT_DEFAULT, QUERY_LIMIT_MAX, QUERY_LIMIT_MIN } from './limits'

/** A checked query: the predicate and the bounds a reader uses to skip whole segments. */
export interface CompiledQuery {
  matches: (event: StoredEvent) => boolean
  /** Inclusive sequence range that can match. */
  fromSequence: number
  toSequence: number
  limit: number
  descending: boolean
}

/** compileQuery validates a query (errors name the field and the limit) and compiles it. */
export function compileQuery(query: EventQuery): CompiledQuery {
  const limit = query.limit ?? QUERY_LIMIT_DEFAULT
  if (!Number.isInteger(limit) || limit < QUERY_LIMIT_MIN || limit > QUERY_LIMIT_MAX) {
    throw new ValidationError(
      'limit',
      `must be an integer from ${QUERY_LIMIT_MIN} to ${QUERY_LIMIT_MAX}`,
    )
  }
  const after = sequenceBound(query.after_sequence, 'after_sequence') ?? 0
  const before = sequenceBound(query.before_sequence, 'before_sequence') ?? Number.MAX_SAFE_INTEGER
  const afterTime = timeBound(query.after_timestamp, 'after_timestamp')
  const beforeTime = timeBound(query.before_timestamp, 'before_timestamp')
  const sets = {
    event_type: stringSet(query.event_types, 'event_types'),
    aggregate_id: stringSet(query.aggregate_ids, 'aggregate_ids'),
    aggregate_type: stringSet(query.aggregate_types, 'aggregate_types'),
    source_agent: stringSet(query.source_agents, 'source_agents'),
    source_component: stringSet(query.source_components, 'source_components'),
  } as const
  const tests: ((event: StoredEvent) => boolean)[] = []
  for (const [field, set] of Object.entries(sets) as [keyof typeof sets, Set<string> | null][]) {
    if (set) tests.push((event) => set.has(event[field] as string))
  }
  if (query.correlation_id !== undefined)
    tests.push((e) => e.correlation_id === query.correlation_id)
  if (query.causation_id !== undefined) tests.push((e) => e.causation_id === query.causation_id)
  if (afterTime !== null) tests.push((e) => Date.parse(e.timestamp) > afterTime)
  if (beforeTime !== null) tests.push((e) => Date.parse(e.timestamp) < beforeTime)
  if (query.order !== undefined && query.order !== 'asc' && query.order !== 'desc') {
    throw new ValidationError('order', 'must be "asc" or "desc"')
  }
  return {
    matches: (event) => tests.every((test) => test(event)),
    fromSequence: after + 1,
    toSequence: before - 1,
    limit,
    descending: query.order === 'desc',
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
  return value.length > 0 ? new Set(value as string[]) : null
}
