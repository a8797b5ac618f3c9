/**
 * Every bound the engine enforces, in one place. Exceeding one is an explicit error that
 * names the limit, never silent growth or truncation.
 */
export const KIB = 1024
export const MIB = 1024 * KIB

/** Largest encoded (MessagePack) event. */
export const EVENT_BYTES_MAX = 1 * MIB
/** Most events in one atomic batch. */
export const BATCH_EVENTS_MAX = 1000
/** Largest encoded batch. */
export const BATCH_BYTES_MAX = 10 * MIB
/** Longest id-like string field (event_type, aggregate_id, correlation_id, ...). */
export const ID_FIELD_CHARS_MAX = 256
/** Deepest nesting allowed inside data and metadata. */
export const NESTING_DEPTH_MAX = 64
/** Query page size bounds. */
export const QUERY_LIMIT_MIN = 1
export const QUERY_LIMIT_MAX = 10_000
export const QUERY_LIMIT_DEFAULT = 100

/** Rotate the active segment when it reaches this size ... */
export const SEGMENT_BYTES_DEFAULT = 100 * MIB
/** ... or this age, whichever comes first. */
export const SEGMENT_AGE_MS_DEFAULT = 24 * 60 * 60 * 1000
/** Smallest segment size a caller may configure (tests use small segments). */
export const SEGMENT_BYTES_MIN = 4 * KIB
/** Uncompressed bytes per gzip member in a sealed segment. */
export const SEAL_MEMBER_BYTES = 64 * KIB

/** The append queue: appends waiting for the next group commit. */
export const APPEND_QUEUE_EVENTS_MAX = 50_000
export const APPEND_QUEUE_BYTES_MAX = 64 * MIB
/** Most bytes written by one group commit before it is split into several writes. */
export const GROUP_COMMIT_BYTES_MAX = 16 * MIB

/** Chunk size for sequential segment reads. */
export const READ_CHUNK_BYTES = 1 * MIB

/** node_id: letters, digits, '.', '_' and '-', 1 to 64 characters. */
export const NODE_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/

/** Keys refused anywhere in data and metadata: decoders rename or drop them silently. */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype'])

/** Deepest `offset` a query may ask for; page further with the cursor. */
export const QUERY_OFFSET_MAX = 100_000
