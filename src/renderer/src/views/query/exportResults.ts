/**
 * Exports of query results as text. Pure functions: the view turns the string into a
 * download. NDJSON keeps every event whole; CSV flattens it to one row per event with
 * `data` and `metadata` as JSON text, quoted per RFC 4180 (CRLF line ends).
 */
import type { QueriedEvent } from '../../../../shared/query'

/** The CSV columns, in order; every event field, so no export silently drops one. */
export const CSV_COLUMNS = [
  'sequence',
  'event_id',
  'timestamp',
  'event_type',
  'aggregate_type',
  'aggregate_id',
  'correlation_id',
  'causation_id',
  'source_agent',
  'source_component',
  'schema_version',
  'idempotency_key',
  'data',
  'metadata',
] as const satisfies readonly (keyof QueriedEvent)[]

/** toNdjson writes one JSON event per line; JSON escapes newlines inside strings. */
export function toNdjson(events: readonly QueriedEvent[]): string {
  return events.map((event) => `${JSON.stringify(event)}\n`).join('')
}

/** toCsv writes a header row and one row per event. */
export function toCsv(events: readonly QueriedEvent[]): string {
  const rows = [CSV_COLUMNS.join(',')]
  for (const event of events) {
    rows.push(CSV_COLUMNS.map((column) => csvField(event[column])).join(','))
  }
  return `${rows.join('\r\n')}\r\n`
}

/**
 * csvField renders one value: absent and null as an empty field, anything but a string as
 * JSON, and quotes it (doubling inner quotes) whenever a comma, quote, line break or edge
 * space would otherwise change how the row is read.
 */
export function csvField(value: unknown): string {
  if (value === undefined || value === null) return ''
  const text = typeof value === 'string' ? value : JSON.stringify(value)
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}
