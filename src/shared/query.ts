import type { JsonValue, StoredEvent } from './event'

/**
 * EventQuery filters events. Every list is "any of"; different fields combine with "and".
 * `after_*` and `before_*` bounds are exclusive.
 */
export interface EventFilter {
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
  /**
   * Deep subset match: objects by subset, each element of a filter array must match some
   * element of the event's array, scalars by equality.
   */
  data_contains?: { [key: string]: JsonValue }
  metadata_contains?: { [key: string]: JsonValue }
}

export interface EventQuery extends EventFilter {
  /** 1..10000, default 100. */
  limit?: number
  /** Matches to skip before the page, 0..100000 (page deeper with `cursor`). */
  offset?: number
  order_by?: 'sequence' | 'timestamp'
  order?: 'asc' | 'desc'
  /** Default true; false leaves the field out of each event. */
  include_data?: boolean
  include_metadata?: boolean
  /** `next_cursor` of the previous page of the same query: the page after it. */
  cursor?: string
}

/** A queried event: every field, except `data` / `metadata` when the query left them out. */
export type QueriedEvent = Omit<StoredEvent, 'data' | 'metadata'> &
  Partial<Pick<StoredEvent, 'data' | 'metadata'>>

/** QueryPlan says how a query was answered, for `query --explain` and the UI. */
export interface QueryPlan {
  segments_total: number
  segments_read: number
  /** Segments skipped without reading, and why (sequence range, time range, ...). */
  segments_skipped: { name: string; reason: string }[]
  events_scanned: number
  index_used: string[]
}

export interface QueryResult {
  events: QueriedEvent[]
  /** Exact number of events matching the filter (cursor and offset aside). */
  total_count: number
  /** More matching events follow this page. */
  has_more: boolean
  /** Opaque; pass as `cursor` to get the next page, null on the last page. */
  next_cursor: string | null
  execution_time_ms: number
  plan: QueryPlan
}
