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
/**
 * Uncompressed bytes per gzip member in a sealed segment. A get or a sparse query page
 * inflates whole members, so smaller ones read less; larger ones compress better. Measured
 * on the benchmark events: 16 KiB 17.4% of raw, 32 KiB 15.7%, 64 KiB 14.7%; 32 KiB halves
 * what a point read inflates for 7% more disk.
 */
export const SEAL_MEMBER_BYTES = 32 * KIB

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

/** Events a subscription may hold waiting for delivery: the default and the largest allowed. */
export const SUBSCRIPTION_QUEUE_EVENTS_MAX = 10_000
/** Most events handed to one `onEvents` call. */
export const SUBSCRIPTION_DELIVERY_EVENTS_MAX = 1000
/** Bytes of a segment a replay decodes at a time (one read window). */
export const REPLAY_WINDOW_BYTES = 256 * KIB
/** Uncompressed bytes of a sealed segment inflated ahead of the reader, on the thread pool. */
export const SEALED_READ_AHEAD_BYTES = 1 * MIB
/**
 * Uncompressed bytes of a sealed segment in one run handed to a payload worker (at least a
 * member): larger than a read window, as each run costs a message each way and the
 * definitions of its records (recordsFromMaps.ts) on both sides.
 */
export const PAYLOAD_RUN_BYTES = 512 * KIB
/** Runs under way ahead of the one a replay through the payload workers decodes. */
export const PAYLOAD_RUNS_AHEAD = 4
/**
 * Runs of sealed members handed to the payload worker and not yet answered, over every
 * replay in the process; a replay whose run would exceed it reads the rest of that segment
 * without the worker.
 */
export const PAYLOAD_WORKER_RUNS_MAX = 32
/**
 * Payload workers at most (and no more than the machine's cores): a worker's share of a run
 * (inflate, check, rewrite) costs more than the replaying thread's (decode), so two keep one
 * replay's thread busy.
 */
export const PAYLOAD_WORKERS_MAX = 2
/** An idle payload worker exits after this long. */
export const PAYLOAD_WORKER_IDLE_MS = 30_000
/**
 * A sealed segment is replayed through the payload worker when about this much of it is
 * wanted, at least; a shorter read (a few events, a catch-up near the end) does not start it.
 */
export const PAYLOAD_WORKER_MIN_BYTES = 1 * MIB
/** Most events a reader's refresh hands to onAppend listeners in one call. */
export const REFRESH_GROUP_EVENTS_MAX = 1000
/** Times an open or refresh starts again when a file vanished under it (a seal or a rotation). */
export const REFRESH_ATTEMPTS_MAX = 5
/** Follow mode: the polling fallback's period, and the bounds a caller may choose from. */
export const FOLLOW_POLL_MS_DEFAULT = 250
export const FOLLOW_POLL_MS_MIN = 10
export const FOLLOW_POLL_MS_MAX = 60_000
/** Follow mode: the least time between two refreshes, so a burst of file events costs one. */
export const FOLLOW_REFRESH_GAP_MS = 5
/** A durable consumer's name: letters, digits, '.', '_' and '-', 1 to 64 characters. */
export const CONSUMER_NAME_PATTERN = /^[A-Za-z0-9._-]{1,64}$/

/** Aggregates whose version the store keeps at hand for optimistic concurrency checks. */
export const AGGREGATE_VERSIONS_TRACKED_MAX = 100_000
/** Most aggregates one append may name in expected_versions. */
export const EXPECTED_VERSIONS_MAX = 1000

/** The idempotency window: the most recent keys, no older than this. */
export const IDEMPOTENCY_KEYS_MAX = 10_000
export const IDEMPOTENCY_WINDOW_MS = 60 * 60 * 1000
/** Most events an open reads back (newest first) to rebuild the idempotency window. */
export const IDEMPOTENCY_REBUILD_EVENTS_MAX = 200_000

/** Bytes of segment index sections (postings) kept in memory between queries. */
export const INDEX_CACHE_BYTES_MAX = 16 * MIB

/**
 * The active segment's in-memory index: most distinct values kept per field (beyond this the
 * field is dropped for the rest of the segment: ids unique per event would cost more memory
 * than the scan they save), and how records of a page are read: records closer than the gap
 * share one read, of at most the span.
 */
export const ACTIVE_INDEX_VALUES_MAX = 65_536
export const ACTIVE_READ_GAP_BYTES = 64 * KIB
export const ACTIVE_READ_SPAN_BYTES_MAX = 1 * MIB

/** Largest gzip member a point read inflates on its own thread rather than the pool (inflate.ts). */
export const INFLATE_IN_PLACE_BYTES_MAX = 256 * KIB

/**
 * Point reads (smallReads.ts): the largest read done on the calling thread; a read slower
 * than SMALL_READ_SLOW_MS is slow, and SMALL_READ_SLOW_COUNT_MAX slow ones among the last
 * SMALL_READ_WINDOW send point reads to the thread pool for SMALL_READ_BACKOFF_MS.
 */
export const SMALL_READ_BYTES_MAX = 256 * KIB
export const SMALL_READ_SLOW_MS = 2
export const SMALL_READ_WINDOW = 32
export const SMALL_READ_SLOW_COUNT_MAX = 4
export const SMALL_READ_BACKOFF_MS = 10_000

/** Sealed segments and index files kept open between reads, least recently used closed first. */
export const OPEN_FILES_MAX = 64

/** Most gzip members one query reads at once to fill its page (open files, memory). */
export const MEMBER_READS_PARALLEL_MAX = 16

/** Latency histograms: the largest value kept apart (1 hour); larger values clamp to it. */
export const LATENCY_VALUE_US_MAX = 60 * 60 * 1_000_000
/** Rolling latency windows: the 10 s window is built from 1 s slots, 1 min and 5 min from 10 s. */
export const LATENCY_FINE_SLOT_MS = 1000
export const LATENCY_COARSE_SLOT_MS = 10_000
/** Latency history: how far back it reaches and the most points it keeps per series. */
export const LATENCY_HISTORY_SPAN_MS = 24 * 60 * 60 * 1000
export const LATENCY_HISTORY_POINTS_MAX = 300

// SLA monitor
/** How often the store calls SlaMonitor.evaluate(); activation takes hold_ms plus up to two of these. */
export const SLA_EVALUATE_INTERVAL_MS = 1000
/** A held trigger must raise the SLA level within this time (ADR-004). */
export const SLA_ACTIVATION_MS_MAX = 30_000
/** Longest hold_ms: leaves room for the two evaluations that see a trigger start and hold. */
export const SLA_HOLD_MS_MAX = SLA_ACTIVATION_MS_MAX - 2 * SLA_EVALUATE_INTERVAL_MS
/** Longest clear_ms a store may configure. */
export const SLA_CLEAR_MS_MAX = 60 * 60 * 1000
/** Largest latency target or latency trigger, in milliseconds (the histograms clamp there). */
export const SLA_LATENCY_MS_MAX = 60 * 60 * 1000
/** Largest sla.json the store reads. */
export const SLA_FILE_BYTES_MAX = 64 * KIB
/** Violation stretches kept (open and ended), most recent first. */
export const SLA_VIOLATIONS_MAX = 200
/** SLA transitions kept in memory for the history view. */
export const SLA_TRANSITIONS_KEPT_MAX = 100
/** Transition listeners one monitor accepts. */
export const SLA_LISTENERS_MAX = 32
/** Error rates are counted over this rolling window, in slots of SLA_ERROR_SLOT_MS. */
export const SLA_ERROR_WINDOW_MS = 60_000
export const SLA_ERROR_SLOT_MS = 1000
/** The side log rotates to `.1` when an append would pass this size, so it holds at most twice this. */
export const SLA_SIDE_LOG_BYTES_MAX = 1 * MIB
/** Most transitions one side-log read returns. */
export const SLA_SIDE_LOG_READ_MAX = 1000
/** Problems of the monitor itself (transitions it could not record) kept for the snapshot. */
export const SLA_PROBLEMS_KEPT_MAX = 10
/** Share of the descriptor limit in use at which health reports the descriptors as degraded. */
export const FD_USAGE_WARNING = 0.8

// Store metrics
/** Distinct event types counted by name in events-appended; the rest are counted as "other". */
export const EVENT_TYPES_COUNTED_MAX = 256
/** Events-appended rates (10 s, 1 min) are summed from slots of this length. */
export const THROUGHPUT_SLOT_MS = 1000

/**
 * Prometheus: the most event types exported with their own `event_type` label (the first
 * ones seen); events of any further type are counted in one series without the label.
 */
export const METRICS_EVENT_TYPES_MAX = 100

// Read path
/**
 * Inflated gzip members of sealed segments kept in memory between reads (2048 members of
 * 32 KiB), so a get or a query page that needs a member read a moment ago skips the file
 * read and the inflate. A page of 1000 sparse matches (one per member) fits, so asking for
 * it again does not evict itself.
 */
export const MEMBER_CACHE_BYTES_MAX = 64 * MIB
