import { Unpackr } from 'msgpackr'
import type { JsonValue, StoredEvent } from '../../shared/event'
import { EVENT_BYTES_MAX, ID_FIELD_CHARS_MAX, NESTING_DEPTH_MAX, RESERVED_KEYS } from './limits'
import { assert, ValidationError } from './errors'
import { EventTooLarge, JsonShapeProblem, MsgpackWriter } from './msgpackWriter'

/**
 * Validation and MessagePack encoding of events. The payload is plain MessagePack (maps,
 * strings, numbers, arrays; no extension types), so any standard decoder reads it.
 * Keys `__proto__`, `constructor` and `prototype` are refused on the way in, because
 * decoders rename or drop them silently on the way out.
 */
// Integers beyond 32 bits are written as int64 (always within 2^53); read them as numbers.
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, int64AsType: 'number' })
const writer = new MsgpackWriter()

/** The store-assigned parts of an event. */
export interface Assigned {
  sequence: number
  eventId: string
  /** The store's clock at append, used when the client gave no timestamp. */
  appendedAtMs: number
}

/**
 * buildEvent validates one input and returns the event as it will be stored. `prefix`
 * names the event in error messages, e.g. "events[3]" gives "events[3].aggregate_id".
 */
export function buildEvent(input: unknown, assigned: Assigned, prefix = ''): StoredEvent {
  if (!isPlainObject(input)) throw new ValidationError(prefix || 'event', 'must be a JSON object')
  const field = (name: string) => fieldName(prefix, name)
  for (const key of Object.keys(input)) {
    if (!INPUT_FIELDS.has(key)) {
      const hint =
        key === 'event_id' || key === 'sequence'
          ? ' (the store assigns it)'
          : ' (not an event field)'
      throw new ValidationError(field(key), `is not allowed${hint}`)
    }
  }
  const event = input
  return {
    event_id: assigned.eventId,
    sequence: assigned.sequence,
    event_type: idField(event.event_type, field('event_type'), true) as string,
    aggregate_id: idField(event.aggregate_id, field('aggregate_id'), true) as string,
    aggregate_type: idField(
      event.aggregate_type ?? 'unknown',
      field('aggregate_type'),
      true,
    ) as string,
    timestamp: timestampField(event.timestamp, assigned.appendedAtMs, field('timestamp')),
    correlation_id: idField(event.correlation_id ?? null, field('correlation_id'), false),
    causation_id: idField(event.causation_id ?? null, field('causation_id'), false),
    data: objectField(event.data ?? {}, field('data')),
    metadata: objectField(event.metadata ?? {}, field('metadata')),
    source_agent: idField(event.source_agent ?? null, field('source_agent'), false),
    source_component: idField(
      event.source_component ?? 'unknown',
      field('source_component'),
      true,
    ) as string,
    schema_version: schemaVersionField(event.schema_version ?? 1, field('schema_version')),
    ...(event.idempotency_key === undefined
      ? {}
      : { idempotency_key: idField(event.idempotency_key, field('idempotency_key'), true)! }),
  }
}

const EVENT_KEYS = [
  'event_id',
  'sequence',
  'event_type',
  'aggregate_id',
  'aggregate_type',
  'timestamp',
  'correlation_id',
  'causation_id',
  'data',
  'metadata',
  'source_agent',
  'source_component',
  'schema_version',
] as const satisfies readonly (keyof StoredEvent)[]

/** What a client may send: every stored field except those the store assigns. */
const INPUT_FIELDS: ReadonlySet<string> = new Set([
  ...EVENT_KEYS.filter((key) => key !== 'event_id' && key !== 'sequence'),
  'idempotency_key',
])

/** The keys, encoded once. */
const ENCODED_KEYS = EVENT_KEYS.map(encodedKey)

function encodedKey(key: string): Buffer {
  writer.reset()
  writer.string(key)
  return Buffer.from(writer.view())
}

const IDEMPOTENCY_KEY = encodedKey('idempotency_key')

/**
 * encodeEvent writes a built event as MessagePack, checking `data` and `metadata` as it
 * goes; it refuses one over EVENT_BYTES_MAX. `prefix` names the event in errors.
 * The result is a view of a shared buffer, valid until the next call: the append path
 * copies it straight into its record, which saves an allocation per event.
 */
export function encodeEvent(event: StoredEvent, prefix: string): Buffer {
  writer.reset()
  try {
    const keyed = event.idempotency_key !== undefined
    writer.mapHeader(keyed ? EVENT_KEYS.length + 1 : EVENT_KEYS.length)
    for (let i = 0; i < EVENT_KEYS.length; i++) {
      writer.raw(ENCODED_KEYS[i]!)
      const key = EVENT_KEYS[i]!
      const value = event[key]
      if (key === 'data' || key === 'metadata') writer.object(value as Record<string, unknown>, 1)
      else if (value === null) writer.nil()
      else if (typeof value === 'number') writer.number(value)
      else writer.string(value as string)
    }
    if (keyed) {
      writer.raw(IDEMPOTENCY_KEY)
      writer.string(event.idempotency_key!)
    }
  } catch (error) {
    if (error instanceof EventTooLarge) throw tooLarge(error.bytesAtLeast, prefix)
    if (!(error instanceof JsonShapeProblem)) throw error
    // The fast walk only knows that something is off; this one says what and where.
    checkJson(event.data, fieldName(prefix, 'data'), 1)
    checkJson(event.metadata, fieldName(prefix, 'metadata'), 1)
    assert(false, 'the encoder and checkJson disagree about an event')
  }
  if (writer.length > EVENT_BYTES_MAX) throw tooLarge(writer.length, prefix)
  return writer.view()
}

function tooLarge(bytes: number, prefix: string): ValidationError {
  return new ValidationError(
    prefix || 'event',
    `encodes to ${bytes} bytes, over the limit of ${EVENT_BYTES_MAX} bytes (EVENT_BYTES_MAX)`,
    'event_too_large',
  )
}

function fieldName(prefix: string, name: string): string {
  return prefix ? `${prefix}.${name}` : name
}

/** decodeEvent turns a stored payload back into an event. */
export function decodeEvent(payload: Uint8Array): StoredEvent {
  return unpackr.unpack(payload) as StoredEvent
}

function idField(value: unknown, field: string, required: boolean): string | null {
  if (value === null || value === undefined) {
    if (required) throw new ValidationError(field, 'is required')
    return null
  }
  if (typeof value !== 'string') throw new ValidationError(field, 'must be a string')
  if (value.length === 0) throw new ValidationError(field, 'must not be empty')
  if (value.length > ID_FIELD_CHARS_MAX) {
    throw new ValidationError(
      field,
      `is ${value.length} characters, over the limit of ${ID_FIELD_CHARS_MAX} (ID_FIELD_CHARS_MAX)`,
    )
  }
  return value
}

/** Events appended in the same millisecond share one formatted timestamp. */
let lastDefaultTimestamp = { ms: Number.NaN, text: '' }

function timestampField(value: unknown, appendedAtMs: number, field: string): string {
  if (value === undefined || value === null) {
    if (lastDefaultTimestamp.ms !== appendedAtMs) {
      lastDefaultTimestamp = { ms: appendedAtMs, text: new Date(appendedAtMs).toISOString() }
    }
    return lastDefaultTimestamp.text
  }
  if (typeof value !== 'string') throw new ValidationError(field, 'must be an ISO-8601 string')
  // Require an explicit zone so that "UTC" is never a guess about local time.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value)) {
    throw new ValidationError(
      field,
      'must be ISO-8601 with a time zone, e.g. 2026-11-27T03:39:22.123Z',
    )
  }
  const ms = Date.parse(value)
  if (Number.isNaN(ms)) throw new ValidationError(field, 'is not a valid date')
  return new Date(ms).toISOString()
}

function schemaVersionField(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 0x7fffffff) {
    throw new ValidationError(field, 'must be an integer from 1 to 2147483647')
  }
  return value
}

/** objectField checks the top level only; encodeEvent checks the contents as it writes them. */
function objectField(value: unknown, field: string): { [key: string]: JsonValue } {
  if (!isPlainObject(value)) throw new ValidationError(field, 'must be a JSON object')
  return value as { [key: string]: JsonValue }
}

/** checkJson walks a value once: JSON types only, no forbidden keys, bounded depth. */
function checkJson(value: unknown, field: string, depth: number): void {
  if (depth > NESTING_DEPTH_MAX) {
    throw new ValidationError(
      field,
      `nests deeper than the limit of ${NESTING_DEPTH_MAX} levels (NESTING_DEPTH_MAX)`,
    )
  }
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ValidationError(field, 'must be a finite number')
    return
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) checkJson(value[i], `${field}[${i}]`, depth + 1)
    return
  }
  if (!isPlainObject(value)) {
    throw new ValidationError(
      field,
      'must hold only JSON values (objects, arrays, strings, numbers, booleans, null)',
    )
  }
  // JSON.parse makes "__proto__" an own property, so Object.keys lists it and it is refused.
  for (const key of Object.keys(value)) {
    if (RESERVED_KEYS.has(key)) {
      throw new ValidationError(`${field}.${key}`, 'is a reserved key and is not allowed')
    }
    checkJson(value[key], `${field}.${key}`, depth + 1)
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const proto: unknown = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}
