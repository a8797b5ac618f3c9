import { KIB, MIB } from '../engine/limits'

/**
 * The host's named bounds. Each one caps a list, a queue or a rate the host keeps, so a
 * busy or misbehaving client meets an explicit limit and never makes the host grow.
 * Push batching bounds (PUSH_*) are part of the contract and live in src/shared/push.ts.
 */

/** Stores one host keeps open at once. */
export const STORES_OPEN_MAX = 16
/** Live subscriptions one client may hold. */
export const SUBSCRIPTIONS_PER_CLIENT_MAX = 64
/** Clients connected to one host at once (windows, WebSocket connections). */
export const CLIENTS_MAX = 64
/** StoreSummary.append_rate counts the events appended over this window. */
export const APPEND_RATE_WINDOW_MS = 10_000
/** The append-rate window is kept as this many one-second buckets. */
export const APPEND_RATE_BUCKET_MS = 1000
/** How often the host looks for changed summaries (mode, counts) to push. */
export const SUMMARY_PUSH_INTERVAL_MS = 1000
/** Finished jobs remembered for getJob; the oldest finished one is forgotten first. */
export const JOB_HISTORY_MAX = 50
/** Least time between two progress pushes of one verification job. */
export const JOB_PROGRESS_INTERVAL_MS = 250
/** Recent stores remembered in the config file. */
export const RECENT_STORES_MAX = 20
/** The config file is read only up to this size; a larger one is treated as damaged. */
export const CONFIG_FILE_BYTES_MAX = 1 * MIB
/** Recovery reports listed for one store, newest first. */
export const RECOVERY_REPORTS_LISTED_MAX = 200
/** A recovery report file is read only up to this size. */
export const RECOVERY_REPORT_BYTES_MAX = 4 * MIB
/** A report id is a file name of reports/ like recovery-2025-01-01T00-00-00-000Z.json. */
export const RECOVERY_REPORT_ID_PATTERN = /^recovery-[0-9TZ-]{1,64}\.json$/
/** The load generator appends at most every this many ms. */
export const LOAD_TICK_MS = 50
/** Load batches waiting to be durable at once; a slower store makes the generator skip. */
export const LOAD_BATCHES_IN_FLIGHT_MAX = 4
/** Events the demo store is created with. */
export const DEMO_EVENTS = 3000
/** Segment size while the demo store is generated, so it has sealed segments too. */
export const DEMO_SEGMENT_BYTES_MAX = 256 * KIB
/** The demo store's events are the same on every machine: this seed makes them. */
export const DEMO_SEED = 20_240_501
/** Directory name of the demo store inside the user data directory. */
export const DEMO_STORE_DIR = 'demo-store'
/** The follow mode's polling fallback for stores opened with access 'follow'. */
export const FOLLOW_POLL_MS = 250
