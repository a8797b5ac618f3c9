/**
 * The event contract shared by every layer. A client sends an `EventInput`; the store
 * assigns `sequence` and `event_id` and returns a `StoredEvent`.
 */

/** JSON-compatible values: what `data` and `metadata` may hold. */
export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue }

/** EventInput is what a client appends: only `event_type` and `aggregate_id` are required. */
export interface EventInput {
  event_type: string
  aggregate_id: string
  aggregate_type?: string
  /** Event time, ISO-8601; defaults to the store's clock at append. */
  timestamp?: string
  correlation_id?: string | null
  causation_id?: string | null
  data?: { [key: string]: JsonValue }
  metadata?: { [key: string]: JsonValue }
  source_agent?: string | null
  source_component?: string
  schema_version?: number
  /**
   * Retrying an append with the same key, within the store's idempotency window, returns
   * the original sequence and event_id instead of storing the event twice.
   */
  idempotency_key?: string
}

/** StoredEvent is an event as the store keeps and returns it: every field present. */
export interface StoredEvent {
  event_id: string
  sequence: number
  event_type: string
  aggregate_id: string
  aggregate_type: string
  /** UTC, ISO-8601 with milliseconds, e.g. 2026-11-27T03:39:22.123Z. */
  timestamp: string
  correlation_id: string | null
  causation_id: string | null
  data: { [key: string]: JsonValue }
  metadata: { [key: string]: JsonValue }
  source_agent: string | null
  source_component: string
  schema_version: number
  /** Present only when the event was appended with one. */
  idempotency_key?: string
}

/** AppendResult acknowledges one durable event. */
export interface AppendResult {
  sequence: number
  event_id: string
}

/** The event types of the original Lighthouse system; other types are allowed too. */
export const KNOWN_EVENT_TYPES = [
  'command_received',
  'command_validated',
  'command_executed',
  'command_failed',
  'agent_registered',
  'agent_disconnected',
  'agent_heartbeat',
  'shadow_updated',
  'shadow_created',
  'shadow_deleted',
  'system_started',
  'system_shutdown',
  'degradation_triggered',
  'recovery_completed',
  'snapshot_created',
  'snapshot_restored',
] as const
