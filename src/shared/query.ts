import type { StoredEvent } from './event'

/**
 * EventQuery filters events. Every list is "any of"; different fields combine with "and".
 * `after_*` and `before_*` bounds are exclusive.
 */
export interface EventQuery {
  event_types?: string[]
  aggregate_ids?: string[]
  aggregate_types?: string[]
  source_agents?: string[]
  source_components?: string[]
  correlation_id?: string
  causation_id?: string
  after_sequence?: number
  before_sequence?: number
  /** ISO-8601 bounds on the event's `timestamp`. */
  after_timestamp?: string
  before_timestamp?: string
  /** 1..10000, default 100. */
  limit?: number
  order?: 'asc' | 'desc'
}

export interface QueryResult {
  events: StoredEvent[]
  /** More events match beyond `limit`. */
  has_more: boolean
}
