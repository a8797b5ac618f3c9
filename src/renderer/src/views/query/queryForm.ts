/**
 * The Query view's form model: what the inputs hold (strings, as typed) and the one pure
 * function that turns it into an EventQuery or says, per field, why it cannot.
 */
import type { JsonValue } from '../../../../shared/event'
import type { EventFilter, EventQuery } from '../../../../shared/query'

/** The query limit's bounds (query.ts documents 1..10000, default 100). */
export const QUERY_LIMIT_MIN = 1
export const QUERY_LIMIT_MAX = 10_000
export const QUERY_LIMIT_DEFAULT = 100

/** The "any of" list fields, in the order the form shows them. */
export const TOKEN_FIELDS = [
  { key: 'event_types', label: 'Event types' },
  { key: 'aggregate_ids', label: 'Aggregate ids' },
  { key: 'aggregate_types', label: 'Aggregate types' },
  { key: 'source_agents', label: 'Source agents' },
  { key: 'source_components', label: 'Source components' },
] as const
export type TokenField = (typeof TOKEN_FIELDS)[number]['key']

export const ID_FIELDS = [
  { key: 'correlation_id', label: 'Correlation id' },
  { key: 'causation_id', label: 'Causation id' },
] as const

/** The range bounds, each exclusive; the form shows them in this order. */
export const RANGE_FIELDS = [
  { key: 'after_sequence', label: 'After sequence (exclusive)', inputMode: 'numeric' },
  { key: 'before_sequence', label: 'Before sequence (exclusive)', inputMode: 'numeric' },
  {
    key: 'after_timestamp',
    label: 'After time (exclusive)',
    placeholder: '2026-11-27T03:39:22.123Z',
    hint: 'ISO-8601; without a zone it is read as local time.',
  },
  {
    key: 'before_timestamp',
    label: 'Before time (exclusive)',
    placeholder: '2026-11-27T04:00:00.000Z',
  },
] as const

export const JSON_FIELDS = [
  { key: 'data_contains', label: 'Data contains' },
  { key: 'metadata_contains', label: 'Metadata contains' },
] as const
type JsonField = (typeof JSON_FIELDS)[number]['key']

export interface QueryForm extends Record<TokenField, string[]> {
  correlation_id: string
  causation_id: string
  after_sequence: string
  before_sequence: string
  after_timestamp: string
  before_timestamp: string
  data_contains: string
  metadata_contains: string
  order_by: 'sequence' | 'timestamp'
  order: 'asc' | 'desc'
  limit: string
  include_data: boolean
  include_metadata: boolean
}

export type QueryFormErrors = Partial<Record<keyof QueryForm, string>>

/** formFromFilter fills the form from a filter (empty when none), e.g. a causality link's. */
export function formFromFilter(filter: EventQuery = {}): QueryForm {
  return {
    event_types: filter.event_types ?? [],
    aggregate_ids: filter.aggregate_ids ?? [],
    aggregate_types: filter.aggregate_types ?? [],
    source_agents: filter.source_agents ?? [],
    source_components: filter.source_components ?? [],
    correlation_id: filter.correlation_id ?? '',
    causation_id: filter.causation_id ?? '',
    after_sequence: filter.after_sequence?.toString() ?? '',
    before_sequence: filter.before_sequence?.toString() ?? '',
    after_timestamp: filter.after_timestamp ?? '',
    before_timestamp: filter.before_timestamp ?? '',
    data_contains: jsonText(filter.data_contains),
    metadata_contains: jsonText(filter.metadata_contains),
    order_by: filter.order_by ?? 'sequence',
    order: filter.order ?? 'asc',
    limit: String(filter.limit ?? QUERY_LIMIT_DEFAULT),
    include_data: filter.include_data ?? true,
    include_metadata: filter.include_metadata ?? true,
  }
}

export interface BuiltQuery {
  query: EventQuery
  /** Empty when the query can run. */
  errors: QueryFormErrors
}

/** buildQuery turns the form into the EventQuery it describes; blank fields are left out. */
export function buildQuery(form: QueryForm): BuiltQuery {
  const errors: QueryFormErrors = {}
  const query: EventQuery = {}
  for (const { key } of TOKEN_FIELDS) {
    if (form[key].length > 0) query[key] = [...form[key]]
  }
  for (const { key } of ID_FIELDS) {
    const id = form[key].trim()
    if (id !== '') query[key] = id
  }
  Object.assign(query, sequenceBounds(form, errors), timestampBounds(form, errors))
  for (const { key } of JSON_FIELDS) {
    const parsed = parseJsonObject(form[key])
    if (typeof parsed === 'string') errors[key] = parsed
    else if (parsed !== undefined) query[key] = parsed
  }
  const limit = parseWhole(form.limit)
  if (limit === undefined || limit < QUERY_LIMIT_MIN || limit > QUERY_LIMIT_MAX) {
    errors.limit = `A whole number from ${QUERY_LIMIT_MIN} to ${QUERY_LIMIT_MAX.toLocaleString('en-US')}.`
  } else {
    query.limit = limit
  }
  query.order_by = form.order_by
  query.order = form.order
  query.include_data = form.include_data
  query.include_metadata = form.include_metadata
  return { query, errors }
}

function sequenceBounds(form: QueryForm, errors: QueryFormErrors): EventFilter {
  const bounds: EventFilter = {}
  for (const key of ['after_sequence', 'before_sequence'] as const) {
    if (form[key].trim() === '') continue
    const value = parseWhole(form[key])
    if (value === undefined) errors[key] = 'A whole number (sequences start at 1).'
    else bounds[key] = value
  }
  // Both bounds are exclusive, so only a gap of two or more leaves a sequence between them.
  if (
    bounds.after_sequence !== undefined &&
    bounds.before_sequence !== undefined &&
    bounds.before_sequence - bounds.after_sequence < 2
  ) {
    errors.before_sequence = 'No sequence lies between these bounds (both are exclusive).'
  }
  return bounds
}

function timestampBounds(form: QueryForm, errors: QueryFormErrors): EventFilter {
  const bounds: EventFilter = {}
  for (const key of ['after_timestamp', 'before_timestamp'] as const) {
    const text = form[key].trim()
    if (text === '') continue
    const ms = Date.parse(text)
    if (Number.isNaN(ms)) errors[key] = 'Not a time: use ISO-8601, e.g. 2026-11-27T03:39:22.123Z.'
    else bounds[key] = new Date(ms).toISOString()
  }
  if (
    bounds.after_timestamp !== undefined &&
    bounds.before_timestamp !== undefined &&
    bounds.after_timestamp >= bounds.before_timestamp
  ) {
    errors.before_timestamp = 'Must be later than the "after" time (both are exclusive).'
  }
  return bounds
}

/** The parsed object, undefined for blank text, or a sentence saying what is wrong. */
function parseJsonObject(text: string): { [key: string]: JsonValue } | undefined | string {
  if (text.trim() === '') return undefined
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    return `Not valid JSON: ${error instanceof Error ? error.message : String(error)}`
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'Must be a JSON object, e.g. {"status": "ok"}.'
  }
  return value as { [key: string]: JsonValue }
}

function parseWhole(text: string): number | undefined {
  const trimmed = text.trim()
  return /^\d+$/.test(trimmed) ? Number(trimmed) : undefined
}

function jsonText(value: EventFilter[JsonField]): string {
  return value === undefined ? '' : JSON.stringify(value, null, 2)
}
